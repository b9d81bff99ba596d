/* split.h: erasure-coded splitfiles, the document form of wisp put.
 *
 * The file is a stream of bytes coded as in fec.h: data blocks grouped
 * in segments, each with its check blocks. The list of their keys is
 * another stream, coded the same way, and so on up until a level is small
 * enough to sit in the root. So every block but the root has redundancy,
 * the index levels too, and the shape is a pure function of the length,
 * the MIME type's length, k and m. docs/keys.md has the byte layouts.
 *
 * Files that fit in one block stay inline roots (tree.h). */
#ifndef WISP_SPLIT_H
#define WISP_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/chk.h"
#include "crypto/err.h"
#include "crypto/tree.h"

enum split_limits {
	SPLIT_LEVELS_MAX = 8,
	SPLIT_ROOT_HDR = 19, /* without the MIME type */
	SPLIT_KEYS_PER_BLOCK = CHK_DATA_MAX / TREE_KEYS_LEN, /* 512 */
	SPLIT_MODE = 2,      /* the root's mode byte (tree.h: 0 inline, 1 tree) */
};
/* The largest file (2^60 bytes, an exabyte): every count of the layout
 * then fits in 64 bits with room to spare. */
#define SPLIT_LENGTH_MAX ((uint64_t)1 << 60)

struct split_enc;

/* split_enc_new starts a document of type |mime| with segments of |k|
 * data and |m| check blocks (fec_params_ok, m ≥ 1). Returns 0,
 * WISP_ERR_NOMEM or WISP_ERR_INVAL. */
int split_enc_new(struct split_enc **out, const char *mime, unsigned k, unsigned m, tree_emit_fn emit,
    void *ctx) WISP_WUR;
int split_enc_write(struct split_enc *e, const uint8_t *data, size_t len) WISP_WUR;
/* split_enc_set_pool spreads the encoding over |p|'s threads (pool.h);
 * the blocks, their order and the keys are the same with or without. */
struct pool;
void split_enc_set_pool(struct split_enc *e, struct pool *p);
int split_enc_set_mime(struct split_enc *e, const char *mime) WISP_WUR;
/* split_enc_finish emits what is held, then the root, whose keys it
 * returns. */
int split_enc_finish(struct split_enc *e, struct chk_keys *root) WISP_WUR;
uint64_t split_enc_blocks(const struct split_enc *e);
void split_enc_free(struct split_enc *e);

/* A parsed splitfile root. Level 0 is the file; level i + 1 is the key
 * list (routing ‖ crypto key, 64 bytes each) of level i's data and check
 * blocks, segment by segment; level |levels| is held in |top|. */
struct split_doc {
	char mime[TREE_MIME_MAX + 1];
	unsigned k, m, levels;
	uint64_t len[SPLIT_LEVELS_MAX + 1]; /* bytes of each level's stream */
	const uint8_t *top;                 /* points into the parsed root */
};

/* split_root_parse reads a root plaintext of mode SPLIT_MODE. Returns 0,
 * WISP_ERR_MALFORMED or WISP_ERR_VERSION. */
int split_root_parse(struct split_doc *d, const uint8_t *root, size_t len) WISP_WUR;
/* split_level_blocks: data blocks of level |lvl|'s stream. */
uint64_t split_level_blocks(const struct split_doc *d, unsigned lvl);
/* split_blocks_for: every block of a document (root included). */
uint64_t split_blocks_for(uint64_t len, size_t mimelen, unsigned k, unsigned m);

#endif
