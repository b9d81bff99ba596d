#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "crypto/fec.h"
#include "crypto/pool.h"
#include "crypto/split.h"

/* Blocks are encrypted PAR_BATCH at a time, over the pool's threads, then
 * handed on in their order; a segment's check blocks are coded in
 * stripes of FEC_STRIPE bytes (the code works bytewise, so a stripe is
 * the same computation on a narrower slice of every block). */
enum { PAR_BATCH = 32, FEC_STRIPE = 4096 };

/* A block whose plaintext is ready and whose encryption waits. */
struct pend {
	const uint8_t *plain;
	size_t len;
	struct chk_keys *keys;
	int rc;
};

static const uint8_t ROOT_MAGIC[4] = { 'W', 'S', 'P', 'R' };
#define ROOT_VERSION 1

static size_t root_cap(size_t mimelen) { return CHK_DATA_MAX - SPLIT_ROOT_HDR - mimelen; }
static size_t inline_max(size_t mimelen) { return CHK_DATA_MAX - TREE_ROOT_HDR - mimelen; }
static uint64_t blocks_of(uint64_t len) { return (len + CHK_DATA_MAX - 1) / CHK_DATA_MAX; }

/* One level's stream: its data blocks wait here until their segment's
 * bounds are known (one and a half segments: fec.c says why), and are
 * emitted as soon as they are full. */
struct stream {
	uint8_t **chunk;         /* hold plaintexts, allocated as needed */
	struct chk_keys *keys;   /* of the full ones */
	struct chk_keys up[FEC_BLOCKS_MAX]; /* a segment's keys, for the level above */
	unsigned full;           /* chunks full and emitted */
	size_t fill;             /* bytes in chunk[full] */
	uint64_t length;
};

struct split_enc {
	tree_emit_fn emit;
	void *ctx;
	char mime[TREE_MIME_MAX + 1];
	unsigned k, m, hold;     /* hold = k + ceil(k/2) */
	uint64_t blocks;
	struct stream lv[SPLIT_LEVELS_MAX];
	uint8_t *check[FEC_BLOCKS_MAX];
	uint8_t block[CHK_BLOCK_LEN];
	struct pool *pool;       /* NULL: all in the caller's thread */
	struct pend pend[PAR_BATCH];
	uint8_t *out;            /* PAR_BATCH blocks, once a batch is made */
	unsigned npend;
};

int
split_enc_new(struct split_enc **out, const char *mime, unsigned k, unsigned m, tree_emit_fn emit,
    void *ctx)
{
	struct split_enc *e;

	if (!mime)
		mime = "application/octet-stream";
	if (!tree_mime_ok(mime) || !fec_params_ok(k, m) || m == 0)
		return WISP_ERR_INVAL;
	if (!(e = calloc(1, sizeof(*e))))
		return WISP_ERR_NOMEM;
	e->emit = emit;
	e->ctx = ctx;
	e->k = k;
	e->m = m;
	e->hold = k + (k + 1) / 2;
	memcpy(e->mime, mime, strlen(mime) + 1);
	*out = e;
	return 0;
}

void
split_enc_free(struct split_enc *e)
{
	unsigned i, j;

	if (!e)
		return;
	for (i = 0; i < SPLIT_LEVELS_MAX; i++) {
		for (j = 0; e->lv[i].chunk && j < e->hold; j++) {
			if (e->lv[i].chunk[j])
				sodium_memzero(e->lv[i].chunk[j], CHK_DATA_MAX);
			free(e->lv[i].chunk[j]);
		}
		free(e->lv[i].chunk);
		free(e->lv[i].keys);
	}
	for (i = 0; i < FEC_BLOCKS_MAX; i++)
		free(e->check[i]);
	free(e->out);
	free(e);
}

void split_enc_set_pool(struct split_enc *e, struct pool *p) { e->pool = p; }

uint64_t split_enc_blocks(const struct split_enc *e) { return e->blocks; }

int
split_enc_set_mime(struct split_enc *e, const char *mime)
{
	if (!tree_mime_ok(mime))
		return WISP_ERR_INVAL;
	memcpy(e->mime, mime, strlen(mime) + 1);
	return 0;
}

static int
emit_block(struct split_enc *e, const uint8_t *plain, size_t len, struct chk_keys *k)
{
	int rc;

	if ((rc = chk_encode(e->block, k, plain, len)) != 0)
		return rc;
	e->blocks++;
	return e->emit(e->ctx, e->block, k);
}

static void
encode_one(void *ctx, size_t i)
{
	struct split_enc *e = ctx;
	struct pend *p = &e->pend[i];

	p->rc = chk_encode(e->out + i * CHK_BLOCK_LEN, p->keys, p->plain, p->len);
}

/* drain encrypts the blocks waiting and emits them in the order they
 * came: the stream of blocks is the same as one encrypted at a time. */
static int
drain(struct split_enc *e)
{
	unsigned i, n = e->npend;
	int rc = 0;

	if (n == 0)
		return 0;
	e->npend = 0;
	pool_for(e->pool, n, encode_one, e);
	for (i = 0; i < n && rc == 0; i++)
		if ((rc = e->pend[i].rc) == 0) {
			e->blocks++;
			rc = e->emit(e->ctx, e->out + (size_t)i * CHK_BLOCK_LEN, e->pend[i].keys);
		}
	return rc;
}

/* later queues a block for drain; |plain| and |keys| must stay put until
 * then (a segment's flush drains before it moves either). */
static int
later(struct split_enc *e, const uint8_t *plain, size_t len, struct chk_keys *keys)
{
	int rc;

	if (!e->out && !(e->out = malloc((size_t)PAR_BATCH * CHK_BLOCK_LEN)))
		return WISP_ERR_NOMEM;
	if (e->npend == PAR_BATCH && (rc = drain(e)) != 0)
		return rc;
	e->pend[e->npend++] = (struct pend){ plain, len, keys, 0 };
	return 0;
}

struct stripes {
	unsigned d, c;
	uint8_t *const *data;
	uint8_t **checks;
	int rc;
};

static void
code_stripe(void *ctx, size_t i)
{
	struct stripes *s = ctx;
	uint8_t *in[FEC_BLOCKS_MAX], *out[FEC_BLOCKS_MAX];
	size_t off = i * FEC_STRIPE;
	unsigned j;
	int rc;

	for (j = 0; j < s->d; j++)
		in[j] = s->data[j] + off;
	for (j = 0; j < s->c; j++)
		out[j] = s->checks[j] + off;
	if ((rc = fec_encode(s->d, s->c, in, out, FEC_STRIPE)) != 0)
		s->rc = rc; /* any stripe's failure fails the segment */
}

static int
code_segment(struct split_enc *e, unsigned d, unsigned c, uint8_t *const *data)
{
	struct stripes s = { d, c, data, e->check, 0 };

	if (e->pool == NULL || pool_threads(e->pool) == 1)
		return fec_encode(d, c, data, e->check, CHK_DATA_MAX);
	pool_for(e->pool, CHK_DATA_MAX / FEC_STRIPE, code_stripe, &s);
	return s.rc;
}

static int stream_write(struct split_enc *e, unsigned lvl, const uint8_t *data, size_t len);

/* flush_segment codes the first |d| held blocks of level |lvl| and hands
 * their keys, then the checks', to the level above. */
static int
flush_segment(struct split_enc *e, unsigned lvl, unsigned d)
{
	struct stream *s = &e->lv[lvl];
	unsigned c = fec_checks(d, e->k, e->m, lvl > 0), i;
	uint8_t *tmp[FEC_BLOCKS_MAX];
	int rc;

	for (i = 0; i < c; i++)
		if (!e->check[i] && !(e->check[i] = malloc(CHK_DATA_MAX)))
			return WISP_ERR_NOMEM;
	/* the data blocks' keys are needed now, and their slots move below */
	if ((rc = drain(e)) != 0 || (rc = code_segment(e, d, c, s->chunk)) != 0)
		return rc;
	memcpy(s->up, s->keys, d * sizeof(*s->keys));
	for (i = 0; i < c; i++)
		if ((rc = later(e, e->check[i], CHK_DATA_MAX, &s->up[d + i])) != 0)
			return rc;
	/* the checks' buffers are the level above's to reuse */
	if ((rc = drain(e)) != 0)
		return rc;
	memcpy(tmp, s->chunk, d * sizeof(*tmp));
	memmove(s->chunk, s->chunk + d, (e->hold - d) * sizeof(*tmp));
	memcpy(s->chunk + e->hold - d, tmp, d * sizeof(*tmp));
	memmove(s->keys, s->keys + d, (s->full - d) * sizeof(*s->keys));
	s->full -= d;
	/* The level above may flush in turn, reusing the check buffers: its
	 * keys wait in its own |up|, not here. */
	return stream_write(e, lvl + 1, (const uint8_t *)s->up, (d + c) * sizeof(*s->up));
}

/* close_chunk emits the block being filled as a data block. */
static int
close_chunk(struct split_enc *e, unsigned lvl)
{
	struct stream *s = &e->lv[lvl];
	int rc;

	/* The code sees whole blocks: a short last one is zero-padded. */
	memset(s->chunk[s->full] + s->fill, 0, CHK_DATA_MAX - s->fill);
	if ((rc = later(e, s->chunk[s->full], s->fill, &s->keys[s->full])) != 0)
		return rc;
	s->full++;
	s->fill = 0;
	return 0;
}

static int
stream_write(struct split_enc *e, unsigned lvl, const uint8_t *data, size_t len)
{
	struct stream *s;
	int rc;

	if (lvl >= SPLIT_LEVELS_MAX)
		return WISP_ERR_TOOBIG;
	s = &e->lv[lvl];
	if (!s->chunk && (!(s->chunk = calloc(e->hold, sizeof(*s->chunk))) ||
	    !(s->keys = calloc(e->hold, sizeof(*s->keys)))))
		return WISP_ERR_NOMEM;
	if (s->length + len > SPLIT_LENGTH_MAX || s->length + len < s->length)
		return WISP_ERR_TOOBIG;
	while (len) {
		size_t n = CHK_DATA_MAX - s->fill;
		if (!s->chunk[s->full] && !(s->chunk[s->full] = malloc(CHK_DATA_MAX)))
			return WISP_ERR_NOMEM;
		if (n > len)
			n = len;
		memcpy(s->chunk[s->full] + s->fill, data, n);
		s->fill += n;
		s->length += n;
		data += n;
		len -= n;
		if (s->fill < CHK_DATA_MAX)
			continue;
		if ((rc = close_chunk(e, lvl)) != 0)
			return rc;
		if (s->full == e->hold && (rc = flush_segment(e, lvl, e->k)) != 0)
			return rc;
	}
	return 0;
}

int
split_enc_write(struct split_enc *e, const uint8_t *data, size_t len)
{
	return stream_write(e, 0, data, len);
}

/* finish_level codes what level |lvl| still holds: one segment, or two
 * sharing the blocks evenly when there are more than k. */
static int
finish_level(struct split_enc *e, unsigned lvl)
{
	struct stream *s = &e->lv[lvl];
	unsigned a;
	int rc;

	if (s->fill && (rc = close_chunk(e, lvl)) != 0)
		return rc;
	/* A last block that fills the hold makes the rest exactly ⌈k/2⌉: a
	 * segment of its own, as while streaming (fec.c's layout). */
	if (s->full == e->hold && (rc = flush_segment(e, lvl, e->k)) != 0)
		return rc;
	if (s->full <= e->k)
		return flush_segment(e, lvl, s->full);
	a = (s->full + 1) / 2;
	if ((rc = flush_segment(e, lvl, a)) != 0)
		return rc;
	return flush_segment(e, lvl, s->full);
}

/* inline_root: a file this small is one block, as tree.h makes it. */
static int
inline_root(struct split_enc *e, struct chk_keys *root)
{
	struct tree_enc *t;
	const struct stream *s = &e->lv[0];
	int rc;

	if ((rc = tree_enc_new(&t, e->mime, e->emit, e->ctx)) != 0)
		return rc;
	if ((rc = tree_enc_write(t, s->fill ? s->chunk[0] : (const uint8_t *)"", s->fill)) == 0 &&
	    (rc = tree_enc_finish(t, root)) == 0)
		e->blocks++;
	tree_enc_free(t);
	return rc;
}

int
split_enc_finish(struct split_enc *e, struct chk_keys *root)
{
	size_t mlen = strlen(e->mime);
	uint8_t *plain;
	unsigned lvl;
	struct wr w;
	int rc;

	if (e->lv[0].length <= inline_max(mlen))
		return inline_root(e, root);
	for (lvl = 0; lvl == 0 || e->lv[lvl].length > root_cap(mlen); lvl++) {
		if (lvl + 1 >= SPLIT_LEVELS_MAX)
			return WISP_ERR_TOOBIG;
		if ((rc = finish_level(e, lvl)) != 0)
			return rc;
	}
	if ((rc = drain(e)) != 0)
		return rc;
	if (!(plain = malloc(CHK_DATA_MAX)))
		return WISP_ERR_NOMEM;
	wr_init(&w, plain, CHK_DATA_MAX);
	wr_bytes(&w, ROOT_MAGIC, 4);
	wr_u8(&w, ROOT_VERSION);
	wr_u8(&w, (uint8_t)mlen);
	wr_bytes(&w, e->mime, mlen);
	wr_u64be(&w, e->lv[0].length);
	wr_u8(&w, SPLIT_MODE);
	wr_u8(&w, FEC_CODE_RS);
	wr_u8(&w, (uint8_t)e->k);
	wr_u8(&w, (uint8_t)e->m);
	wr_u8(&w, (uint8_t)lvl);
	wr_bytes(&w, e->lv[lvl].chunk[0], e->lv[lvl].fill);
	rc = w.err ? w.err : emit_block(e, plain, CHK_DATA_MAX - w.left, root);
	sodium_memzero(plain, CHK_DATA_MAX);
	free(plain);
	return rc;
}

/* ---- reading ---- */

/* shape fills d->len[] and d->levels from the length; 0 or MALFORMED. */
static int
shape(struct split_doc *d, uint64_t length, size_t mlen)
{
	unsigned lvl;

	memset(d->len, 0, sizeof(d->len));
	d->len[0] = length;
	for (lvl = 0; lvl == 0 || d->len[lvl] > root_cap(mlen); lvl++) {
		if (lvl + 1 >= SPLIT_LEVELS_MAX)
			return WISP_ERR_MALFORMED;
		d->len[lvl + 1] = fec_leaves(blocks_of(d->len[lvl]), d->k, d->m, lvl > 0) * TREE_KEYS_LEN;
	}
	d->levels = lvl;
	return 0;
}

int
split_root_parse(struct split_doc *d, const uint8_t *p, size_t len)
{
	uint8_t magic[4], ver, mlen, mode, code, k, m, levels;
	uint64_t length;
	struct rd c;

	rd_init(&c, p, len);
	if (rd_bytes(&c, magic, 4) || memcmp(magic, ROOT_MAGIC, 4) != 0 || rd_u8(&c, &ver) ||
	    rd_u8(&c, &mlen))
		return WISP_ERR_MALFORMED;
	if (ver != ROOT_VERSION)
		return WISP_ERR_VERSION;
	if (mlen > TREE_MIME_MAX || rd_bytes(&c, d->mime, mlen))
		return WISP_ERR_MALFORMED;
	d->mime[mlen] = '\0';
	if (!tree_mime_ok(d->mime) || rd_u64be(&c, &length) || rd_u8(&c, &mode) || mode != SPLIT_MODE ||
	    rd_u8(&c, &code) || rd_u8(&c, &k) || rd_u8(&c, &m) || rd_u8(&c, &levels))
		return WISP_ERR_MALFORMED;
	if (code != FEC_CODE_RS)
		return WISP_ERR_VERSION;
	d->k = k;
	d->m = m;
	/* Everything is implied by the length: a root that says otherwise is
	 * forged, and is refused before anything is fetched. */
	if (!fec_params_ok(k, m) || m == 0 || length <= inline_max(mlen) || length > SPLIT_LENGTH_MAX ||
	    shape(d, length, mlen) != 0 ||
	    d->levels != levels || c.left != d->len[levels])
		return WISP_ERR_MALFORMED;
	d->top = c.p;
	return 0;
}

uint64_t
split_level_blocks(const struct split_doc *d, unsigned lvl)
{
	return lvl < d->levels ? blocks_of(d->len[lvl]) : 0;
}

uint64_t
split_blocks_for(uint64_t len, size_t mimelen, unsigned k, unsigned m)
{
	struct split_doc d = { .k = k, .m = m };
	uint64_t total = 1;
	unsigned i;

	if (len <= inline_max(mimelen))
		return 1;
	if (!fec_params_ok(k, m) || m == 0 || len > SPLIT_LENGTH_MAX || shape(&d, len, mimelen) != 0)
		return 0;
	for (i = 0; i < d.levels; i++)
		total += d.len[i + 1] / TREE_KEYS_LEN;
	return total;
}
