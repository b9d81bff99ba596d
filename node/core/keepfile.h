/* keepfile.h: the documents a node keeps alive (node/http/keep.c), one
 * line each in DATADIR/keep, fields as textrec.h writes them. Pure. */
#ifndef WISP_KEEPFILE_H
#define WISP_KEEPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "crypto/uri.h"

#define KEEPFILE_MAGIC "wisp-keep 1"
enum { KEEP_LINE_MAX = 3 * URI_MAX + 256 };

struct keep_rec {
	int64_t added, next, last;  /* unix seconds; last 0: never checked */
	uint64_t asked, found, healed; /* the last check's blocks */
	int8_t ok;                  /* the last check read the document: 1, 0, -1 never */
	char uri[URI_MAX + 1];
};

int keepfile_format(const struct keep_rec *r, char *out, size_t cap, size_t *len) WISP_WUR;
int keepfile_parse(struct keep_rec *r, const char *line, size_t len) WISP_WUR;

#endif
