/* xferfile.h: the transfer queue as it is kept on disk, one line per
 * transfer (docs/formats in docs/api.md, "Transfers"). Pure: the daemon's
 * transfer.c reads and writes the file; this says what a line holds. The
 * file is read back after a crash or by anyone who can write the data
 * directory, so a line is parsed strictly or not at all. */
#ifndef WISP_XFERFILE_H
#define WISP_XFERFILE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "crypto/uri.h"

enum xfer_dir { XFER_GET = 'g', XFER_PUT = 'p' };

enum xfer_state {
	XFER_STAGING = 's', /* a put: the client is still handing blocks over */
	XFER_QUEUED = 'q',
	XFER_RUNNING = 'r',
	XFER_DONE = 'd',
	XFER_FAILED = 'f',
};

enum xferfile_limits {
	XFER_PATH_MAX = 1024,  /* a download's target, a put's file name */
	XFER_WHY_MAX = 320,    /* why it failed */
	XFER_LINE_MAX = 17408, /* holds the longest of each field, every byte escaped */
};

#define XFERFILE_MAGIC "wisp-transfers 1"

/* What a transfer is and how far it went: everything that survives a
 * restart. Counters are blocks unless named bytes. */
struct xfer_rec {
	uint32_t id;
	char dir, state;
	uint8_t background, code;  /* code: the exit status of a finished transfer */
	int64_t added, ended;      /* unix seconds; ended 0 while not finished */
	uint64_t total, done;      /* bytes: the document's length (get) or the file's (put) */
	uint64_t blocks, blocks_done;  /* a put's total and inserted; a download's read so far */
	uint64_t from_area, from_net;       /* get: blocks read back, blocks fetched */
	uint64_t accepted, here, refused;   /* put: by the network, kept here, refused */
	uint64_t guard;            /* put: the store's guard (store_guard) */
	char uri[URI_MAX + 1];     /* get: what; put: the result, once known */
	char path[XFER_PATH_MAX];
	char why[XFER_WHY_MAX];
};

/* xferfile_format writes |r| as one line, '\n' included. Returns 0 or
 * WISP_ERR_TOOBIG. */
int xferfile_format(const struct xfer_rec *r, char *out, size_t cap, size_t *len) WISP_WUR;
/* xferfile_parse reads one line (without its '\n'). Returns 0 or
 * WISP_ERR_MALFORMED. */
int xferfile_parse(struct xfer_rec *r, const char *line, size_t len) WISP_WUR;

#endif
