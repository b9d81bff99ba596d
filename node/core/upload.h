/* upload.h: the body of POST /api/v1/blocks, parsed and checked whole
 * before anything is stored. Pure. */
#ifndef WISP_UPLOAD_H
#define WISP_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

/* One block of an upload, pointing into the request body. */
struct upload {
	const uint8_t *rkey, *block;
	uint32_t len;
};

/* upload_parse splits |len| bytes of records (routing key, u32be length,
 * block) into |u| (at most |max|) and verifies every block against its
 * key. On failure |why| says which record and why. Returns 0 or -1. */
int upload_parse(const uint8_t *p, size_t len, struct upload *u, size_t max, size_t *count,
    char *why, size_t whylen);

#endif
