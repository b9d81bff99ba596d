/* tree.h: files of any size as a tree of CHK blocks, encoded and read in
 * a stream with memory bounded by the tree's depth, never the file size.
 *
 * Data blocks hold 32 KiB of the file each; index blocks list up to
 * TREE_FANOUT children's keys; the root records the exact length and MIME
 * type and either the data itself (small files) or the top level's keys.
 * The shape is a pure function of the length, so the same file always
 * gives the same URI, and a reader can check every index block's count.
 * docs/keys.md has the byte layouts. */
#ifndef WISP_TREE_H
#define WISP_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/chk.h"
#include "crypto/err.h"

enum tree_limits {
	TREE_KEYS_LEN = 2 * CHK_KEY_LEN,
	TREE_INDEX_HDR = 8,
	TREE_FANOUT = (CHK_DATA_MAX - TREE_INDEX_HDR) / TREE_KEYS_LEN, /* 511 */
	TREE_ROOT_HDR = 18, /* without the MIME type */
	TREE_MIME_MAX = 127,
	TREE_LEVELS_MAX = 8,
};

/* The largest file a tree (or a splitfile, SPLIT_LENGTH_MAX) describes:
 * 2^60 bytes. A root claiming more is refused before any count is made
 * from its length. */
#define TREE_LENGTH_MAX ((uint64_t)1 << 60)

/* tree_emit_fn receives each finished block; the root comes last. A
 * non-zero return stops the encoder and is passed back to its caller. */
typedef int (*tree_emit_fn)(void *ctx, const uint8_t block[CHK_BLOCK_LEN],
    const struct chk_keys *keys);

struct tree_enc;

/* tree_mime_ok: is |mime| a type/subtype token the root may carry? */
int tree_mime_ok(const char *mime);

/* tree_enc_new starts a file of type |mime| (NULL: application/octet-stream).
 * Returns 0, WISP_ERR_NOMEM or WISP_ERR_INVAL. */
int tree_enc_new(struct tree_enc **out, const char *mime, tree_emit_fn emit, void *ctx) WISP_WUR;
/* tree_enc_new_fec: the same, for an erasure-coded splitfile (split.h)
 * with segments of |k| data and |m| check blocks; m = 0 is tree_enc_new.
 * Files that fit in the root are the same either way. */
int tree_enc_new_fec(struct tree_enc **out, const char *mime, unsigned k, unsigned m, tree_emit_fn emit,
    void *ctx) WISP_WUR;
int tree_enc_write(struct tree_enc *e, const uint8_t *data, size_t len) WISP_WUR;
/* tree_enc_set_pool: a splitfile's encoding runs on |p|'s threads
 * (split_enc_set_pool); a plain tree stays in the caller's. */
struct pool;
void tree_enc_set_pool(struct tree_enc *e, struct pool *p);
/* tree_enc_set_mime changes the type recorded in the root (any time
 * before finish: sniffing may need the first bytes). 0 or WISP_ERR_INVAL. */
int tree_enc_set_mime(struct tree_enc *e, const char *mime) WISP_WUR;
/* tree_enc_finish emits the rest and the root, whose keys it returns. */
int tree_enc_finish(struct tree_enc *e, struct chk_keys *root) WISP_WUR;
uint64_t tree_enc_blocks(const struct tree_enc *e);
void tree_enc_free(struct tree_enc *e);

/* tree_blocks_for gives how many blocks (root included) a file of
 * |len| bytes with a MIME type of |mimelen| characters becomes. */
uint64_t tree_blocks_for(uint64_t len, size_t mimelen);

struct tree_reader;

enum tree_step {
	TREE_DONE = 0,
	TREE_INLINE = 1,     /* |data|, |len|: the whole file, held in the root */
	TREE_NEED_INDEX = 2, /* fetch |keys|, decode, pass to tree_reader_feed_index */
	TREE_NEED_DATA = 3,  /* fetch |keys|; its plaintext must be |len| bytes */
};

struct tree_want {
	struct chk_keys keys;
	const uint8_t *data;
	size_t len;
	uint64_t offset; /* where these bytes sit in the file */
};

/* tree_reader_new parses a root's plaintext (copied). Returns 0,
 * WISP_ERR_NOMEM, WISP_ERR_MALFORMED or WISP_ERR_VERSION. */
int tree_reader_new(struct tree_reader **out, const uint8_t *root, size_t len) WISP_WUR;
uint64_t tree_reader_length(const struct tree_reader *r);
const char *tree_reader_mime(const struct tree_reader *r);
/* tree_reader_next says what comes next, in file order. Returns a
 * tree_step, or a negative error. */
int tree_reader_next(struct tree_reader *r, struct tree_want *w) WISP_WUR;
/* tree_reader_feed_index hands over the index block last asked for.
 * Returns 0 or WISP_ERR_MALFORMED when it does not fit the tree's shape. */
int tree_reader_feed_index(struct tree_reader *r, const uint8_t *plain, size_t len) WISP_WUR;
/* tree_reader_seek makes the next data step the one holding |offset|;
 * index blocks are asked for again as needed. Returns 0 or WISP_ERR_INVAL. */
int tree_reader_seek(struct tree_reader *r, uint64_t offset) WISP_WUR;
void tree_reader_free(struct tree_reader *r);

#endif
