/* splitfetch.h: reading an erasure-coded splitfile (crypto/split.h),
 * sans-I/O; fetch.c hands a document over to it once its root is read.
 *
 * Segments are read in file order, the next one while the current one
 * is delivered. A segment's data blocks are asked for first; once one of
 * the blocks the range needs is missing, any d of its d + c blocks do,
 * and the rest is rebuilt. Rebuilt data is checked against its keys
 * before anything is delivered, and blocks that were not found can be
 * inserted again (healing). The index levels above are read the same
 * way, one segment each at a time. Memory: data blocks are freed once
 * delivered, so a fetch holds what its window brought ahead of delivery
 * (3 MiB), plus, while it rebuilds a segment, that segment's d blocks
 * (4 MiB at k = 128), plus one index segment per level above (small:
 * 96 KiB for a 20 MiB file, 4 MiB from about 1 GiB up), plus, to heal,
 * the blocks of a rebuilt segment whose answers are still due (at most
 * FETCH_WINDOW, 3 MiB). */
#ifndef WISP_SPLITFETCH_H
#define WISP_SPLITFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/split.h"
#include "node/core/fetch.h"

#define SPLITFETCH_TAG 0x80000000u /* set in every tag it gives out */

struct splitfetch;

struct splitfetch_io {
	void (*ask)(void *ctx, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN]);
	/* data: as fetch_sink's: 1 pauses until splitfetch_resume */
	int (*data)(void *ctx, const uint8_t *p, size_t len);
	/* heal (may be NULL): a block that was not found, rebuilt */
	void (*heal)(void *ctx, const uint8_t *block, const uint8_t rkey[CHK_KEY_LEN]);
	void (*end)(void *ctx, enum fetch_status st, const char *reason);
};

/* splitfetch_new reads bytes [first, last] (clamped) of the document
 * |doc| (its top level is copied). Nothing happens until _resume. */
int splitfetch_new(struct splitfetch **out, const struct split_doc *doc, uint64_t first, uint64_t last,
    const struct splitfetch_io *io, void *ctx) WISP_WUR;
void splitfetch_block_done(struct splitfetch *s, uint32_t tag, enum fetch_status st, const uint8_t *block,
    size_t len);
/* as fetch_block_opening and fetch_block_open (fetch.h) */
int splitfetch_block_opening(struct splitfetch *s, uint32_t tag, uint8_t ckey[CHK_KEY_LEN]);
void splitfetch_block_open(struct splitfetch *s, uint32_t tag, int rc, const uint8_t *plain, size_t len);
void splitfetch_resume(struct splitfetch *s);
unsigned splitfetch_pending(const struct splitfetch *s);
/* splitfetch_set_window: requests kept in flight, 1..FETCH_WINDOW (all of
 * them at first); fewer take effect as answers come. */
void splitfetch_set_window(struct splitfetch *s, unsigned w);
uint64_t splitfetch_blocks(const struct splitfetch *s);
/* splitfetch_healed: blocks handed to io->heal so far. */
uint64_t splitfetch_healed(const struct splitfetch *s);
void splitfetch_free(struct splitfetch *s);

#endif
