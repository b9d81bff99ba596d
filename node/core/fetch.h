/* fetch.h: reading a document out of blocks, sans-I/O.
 *
 * A fetch walks a file's tree in order, keeps up to FETCH_WINDOW block
 * requests in flight, decodes and checks each block, and hands the bytes
 * to a sink in file order. Where blocks come from (the store, the network)
 * is the source's business; where bytes go (an HTTP stream, a file) is the
 * sink's. Either may complete synchronously. */
#ifndef WISP_FETCH_H
#define WISP_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/chk.h"
#include "crypto/err.h"

enum fetch_limits { FETCH_WINDOW = 96 };

/* How a fetch ended: the client's exit codes follow these. */
enum fetch_status {
	FETCH_OK = 0,
	FETCH_NOTFOUND = 4,  /* a block could not be found */
	FETCH_INTEGRITY = 5, /* a block or the tree does not verify */
	FETCH_FAILED = 1,    /* anything else: memory, disk */
};

struct fetch;

struct fetch_source {
	/* get asks for block |rkey|; the answer comes through
	 * fetch_block_done(f, tag, …), now or later. */
	void (*get)(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN]);
	/* heal (NULL: never) inserts a block of an erasure-coded document
	 * that was not found and has been rebuilt; |block| is CHK_BLOCK_LEN
	 * bytes, valid during the call. */
	void (*heal)(void *ctx, const uint8_t *block, const uint8_t rkey[CHK_KEY_LEN]);
};

struct fetch_sink {
	/* start: the root is read: the document is |length| bytes of type
	 * |mime|. The sink may narrow what follows with fetch_range. */
	void (*start)(void *ctx, uint64_t length, const char *mime);
	/* data: bytes in file order. Return 0 to go on, 1 to pause until
	 * fetch_resume. */
	int (*data)(void *ctx, const uint8_t *p, size_t len);
	/* end: the last call; |reason| is valid during the call. */
	void (*end)(void *ctx, enum fetch_status st, const char *reason);
};

/* fetch_new prepares a fetch of the document whose root is |root| (with
 * |raw|, of the single block |root| names: its plaintext is the document),
 * delivering bytes [first, last] (last = UINT64_MAX: to the end).
 * Nothing happens until fetch_start. */
int fetch_new(struct fetch **out, const struct chk_keys *root, int raw, uint64_t first, uint64_t last,
    const struct fetch_source *src, void *src_ctx, const struct fetch_sink *sink,
    void *sink_ctx) WISP_WUR;
void fetch_start(struct fetch *f);
/* fetch_block_done answers a get: |block| is NULL with |st| saying why.
 * The source has checked the block against its routing key. */
void fetch_block_done(struct fetch *f, uint32_t tag, enum fetch_status st, const uint8_t *block,
    size_t len);
/* Opening a block (chk_decode: decrypting it and checking it against its
 * key) is most of a fetch's processor time, and may run elsewhere, on
 * another thread, while the fetch goes on. fetch_block_opening: the
 * block asked for under |tag| has come and is being opened; |ckey| is
 * what it opens with. 0, or -1 if no answer to |tag| is awaited (then
 * answer it with fetch_block_done, which ignores it cheaply). The request
 * keeps its place in the window and counts as pending until
 * fetch_block_open answers |tag| with what chk_decode made of the block:
 * its result |rc| and, if 0, the plaintext (valid during the call). So
 * the window bounds the blocks being opened too. fetch_block_done with
 * FETCH_OK is the two in one. */
int fetch_block_opening(struct fetch *f, uint32_t tag, uint8_t ckey[CHK_KEY_LEN]);
void fetch_block_open(struct fetch *f, uint32_t tag, int rc, const uint8_t *plain, size_t len);
void fetch_resume(struct fetch *f);
/* fetch_set_window: block requests kept in flight, 1..FETCH_WINDOW (all
 * of them unless set; the source sets it from round trips: window.h). */
void fetch_set_window(struct fetch *f, unsigned w);
/* fetch_range: only bytes [first, last] (inclusive; clamped to the
 * document), from inside sink->start. */
void fetch_range(struct fetch *f, uint64_t first, uint64_t last);
/* fetch_free cancels: answers still to come must not be delivered. */
void fetch_free(struct fetch *f);
/* fetch_pending: block requests outstanding (the source must drop them
 * before fetch_free). */
unsigned fetch_pending(const struct fetch *f);
uint64_t fetch_blocks_done(const struct fetch *f);
/* fetch_blocks_healed: rebuilt blocks handed to source->heal. */
uint64_t fetch_blocks_healed(const struct fetch *f);

#endif
