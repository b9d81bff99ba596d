#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "crypto/split.h"
#include "crypto/tree.h"

static const uint8_t ROOT_MAGIC[4] = { 'W', 'S', 'P', 'R' };
static const uint8_t INDEX_MAGIC[4] = { 'W', 'S', 'P', 'I' };
#define TREE_VERSION 1
enum { MODE_INLINE = 0, MODE_TREE = 1 };
static const char DEFAULT_MIME[] = "application/octet-stream";

int
tree_mime_ok(const char *mime)
{
	size_t i, n = strlen(mime), slashes = 0;

	if (n < 3 || n > TREE_MIME_MAX || mime[0] == '/' || mime[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)mime[i];
		if (c == '/')
			slashes++;
		else if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && !strchr("+-.=;_ ", c))
			return 0;
	}
	return slashes == 1;
}

/* Below the fanout, so a level the encoder flushed while streaming (at
 * exactly TREE_FANOUT keys) never also fits in the root. */
static size_t
root_cap(size_t mimelen)
{
	size_t n = (CHK_DATA_MAX - TREE_ROOT_HDR - mimelen) / TREE_KEYS_LEN;
	return n < TREE_FANOUT ? n : TREE_FANOUT - 1;
}

static size_t inline_max(size_t mimelen) { return CHK_DATA_MAX - TREE_ROOT_HDR - mimelen; }

/* ---- encoder ---- */

struct tree_enc {
	struct split_enc *fec;   /* set: the document is a splitfile */
	tree_emit_fn emit;
	void *ctx;
	char mime[TREE_MIME_MAX + 1];
	uint8_t chunk[CHK_DATA_MAX];
	size_t chunk_len;
	uint64_t length, blocks;
	uint8_t block[CHK_BLOCK_LEN];
	uint8_t scratch[CHK_DATA_MAX]; /* index and root plaintexts */
	uint8_t *level[TREE_LEVELS_MAX]; /* pending keys of level-i nodes */
	size_t count[TREE_LEVELS_MAX];
};

int
tree_enc_new(struct tree_enc **out, const char *mime, tree_emit_fn emit, void *ctx)
{
	struct tree_enc *e;

	if (!mime)
		mime = DEFAULT_MIME;
	if (!tree_mime_ok(mime))
		return WISP_ERR_INVAL;
	if (!(e = calloc(1, sizeof(*e))))
		return WISP_ERR_NOMEM;
	e->emit = emit;
	e->ctx = ctx;
	memcpy(e->mime, mime, strlen(mime) + 1);
	*out = e;
	return 0;
}

void
tree_enc_free(struct tree_enc *e)
{
	size_t i;

	if (!e)
		return;
	split_enc_free(e->fec);
	for (i = 0; i < TREE_LEVELS_MAX; i++)
		free(e->level[i]);
	sodium_memzero(e->chunk, sizeof(e->chunk));
	sodium_memzero(e->scratch, sizeof(e->scratch));
	free(e);
}

uint64_t tree_enc_blocks(const struct tree_enc *e) { return e->fec ? split_enc_blocks(e->fec) : e->blocks; }

int
tree_enc_new_fec(struct tree_enc **out, const char *mime, unsigned k, unsigned m, tree_emit_fn emit, void *ctx)
{
	int rc = tree_enc_new(out, mime, emit, ctx);

	if (rc == 0 && m && (rc = split_enc_new(&(*out)->fec, (*out)->mime, k, m, emit, ctx)) != 0) {
		tree_enc_free(*out);
		*out = NULL;
	}
	return rc;
}

void
tree_enc_set_pool(struct tree_enc *e, struct pool *p)
{
	if (e->fec)
		split_enc_set_pool(e->fec, p);
}

int
tree_enc_set_mime(struct tree_enc *e, const char *mime)
{
	if (!tree_mime_ok(mime))
		return WISP_ERR_INVAL;
	if (e->fec && split_enc_set_mime(e->fec, mime) != 0)
		return WISP_ERR_INVAL;
	memcpy(e->mime, mime, strlen(mime) + 1);
	return 0;
}

static int
emit_block(struct tree_enc *e, const uint8_t *plain, size_t len, struct chk_keys *k)
{
	int rc;

	if ((rc = chk_encode(e->block, k, plain, len)) != 0)
		return rc;
	e->blocks++;
	return e->emit(e->ctx, e->block, k);
}

static int push_key(struct tree_enc *e, size_t lvl, const struct chk_keys *k);

/* flush_level turns the pending keys of level |lvl| into one index block. */
static int
flush_level(struct tree_enc *e, size_t lvl)
{
	uint8_t *plain = e->scratch;
	struct chk_keys k;
	struct wr w;
	int rc;

	wr_init(&w, plain, CHK_DATA_MAX);
	wr_bytes(&w, INDEX_MAGIC, 4);
	wr_u8(&w, TREE_VERSION);
	wr_u8(&w, (uint8_t)lvl);
	wr_u16be(&w, (uint16_t)e->count[lvl]);
	wr_bytes(&w, e->level[lvl], e->count[lvl] * TREE_KEYS_LEN);
	e->count[lvl] = 0;
	rc = emit_block(e, plain, CHK_DATA_MAX - w.left, &k);
	return rc ? rc : push_key(e, lvl + 1, &k);
}

static int
push_key(struct tree_enc *e, size_t lvl, const struct chk_keys *k)
{
	if (lvl >= TREE_LEVELS_MAX)
		return WISP_ERR_TOOBIG;
	if (!e->level[lvl] && !(e->level[lvl] = malloc(TREE_FANOUT * TREE_KEYS_LEN)))
		return WISP_ERR_NOMEM;
	memcpy(e->level[lvl] + e->count[lvl] * TREE_KEYS_LEN, k, TREE_KEYS_LEN);
	if (++e->count[lvl] == TREE_FANOUT)
		return flush_level(e, lvl);
	return 0;
}

static int
emit_chunk(struct tree_enc *e)
{
	struct chk_keys k;
	int rc = emit_block(e, e->chunk, e->chunk_len, &k);

	e->chunk_len = 0;
	return rc ? rc : push_key(e, 0, &k);
}

int
tree_enc_write(struct tree_enc *e, const uint8_t *data, size_t len)
{
	int rc;

	if (e->fec)
		return split_enc_write(e->fec, data, len);
	while (len) {
		size_t n = CHK_DATA_MAX - e->chunk_len;
		if (n > len)
			n = len;
		memcpy(e->chunk + e->chunk_len, data, n);
		e->chunk_len += n;
		e->length += n;
		data += n;
		len -= n;
		if (e->chunk_len == CHK_DATA_MAX && (rc = emit_chunk(e)) != 0)
			return rc;
	}
	return 0;
}

/* top_level: the only non-empty level, or -1 if several are. */
static int
top_level(const struct tree_enc *e)
{
	int i, top = -1;

	for (i = 0; i < TREE_LEVELS_MAX; i++)
		if (e->count[i]) {
			if (top >= 0)
				return -1;
			top = i;
		}
	return top;
}

int
tree_enc_finish(struct tree_enc *e, struct chk_keys *root)
{
	size_t mlen = strlen(e->mime);
	uint8_t *plain = e->scratch;
	struct wr w;
	int rc, top = -1;

	if (e->fec)
		return split_enc_finish(e->fec, root);
	if (e->length > inline_max(mlen) || e->blocks > 0) {
		if (e->chunk_len && (rc = emit_chunk(e)) != 0)
			return rc;
		/* Collapse upward until one level fits in the root. */
		while ((top = top_level(e)) < 0 || e->count[top] > root_cap(mlen)) {
			int lvl = 0;
			while (!e->count[lvl])
				lvl++;
			if ((rc = flush_level(e, (size_t)lvl)) != 0)
				return rc;
		}
	}
	wr_init(&w, plain, CHK_DATA_MAX);
	wr_bytes(&w, ROOT_MAGIC, 4);
	wr_u8(&w, TREE_VERSION);
	wr_u8(&w, (uint8_t)mlen);
	wr_bytes(&w, e->mime, mlen);
	wr_u64be(&w, e->length);
	if (e->blocks == 0) {
		wr_u8(&w, MODE_INLINE);
		wr_u8(&w, 0);
		wr_u16be(&w, 0);
		wr_bytes(&w, e->chunk, e->chunk_len);
	} else {
		wr_u8(&w, MODE_TREE);
		wr_u8(&w, (uint8_t)top);
		wr_u16be(&w, (uint16_t)e->count[top]);
		wr_bytes(&w, e->level[top], e->count[top] * TREE_KEYS_LEN);
	}
	rc = w.err ? w.err : emit_block(e, plain, CHK_DATA_MAX - w.left, root);
	sodium_memzero(plain, CHK_DATA_MAX);
	return rc;
}

/* ---- shape, shared by reader and block count ---- */

struct shape {
	uint64_t n[TREE_LEVELS_MAX]; /* nodes per level, level 0 = data blocks */
	int top;                     /* level whose nodes the root lists */
};

static int
shape_of(struct shape *s, uint64_t len, size_t mimelen)
{
	int i;

	memset(s, 0, sizeof(*s));
	if (len > TREE_LENGTH_MAX)
		return WISP_ERR_TOOBIG; /* and the block count below cannot wrap */
	if (len <= inline_max(mimelen)) {
		s->top = -1;
		return 0;
	}
	s->n[0] = (len + CHK_DATA_MAX - 1) / CHK_DATA_MAX;
	for (i = 0; s->n[i] > root_cap(mimelen); i++) {
		if (i + 1 >= TREE_LEVELS_MAX)
			return WISP_ERR_TOOBIG;
		s->n[i + 1] = (s->n[i] + TREE_FANOUT - 1) / TREE_FANOUT;
	}
	s->top = i;
	return 0;
}

uint64_t
tree_blocks_for(uint64_t len, size_t mimelen)
{
	struct shape s;
	uint64_t total = 1;
	int i;

	if (shape_of(&s, len, mimelen) != 0)
		return 0;
	for (i = 0; i <= s.top; i++)
		total += s.n[i];
	return total;
}

/* ---- reader ---- */

struct level_cache {
	uint64_t g; /* index of the cached node within its level */
	int valid;
	size_t count;
	uint8_t keys[TREE_FANOUT * TREE_KEYS_LEN];
};

struct tree_reader {
	char mime[TREE_MIME_MAX + 1];
	uint64_t length, pos;
	struct shape shape;
	uint8_t *rootkeys; /* or inline data */
	size_t rootlen;
	int inline_done;
	int pending;       /* level of the index node asked for, 0 if none */
	uint64_t pending_g;
	struct level_cache *cache[TREE_LEVELS_MAX];
};

static int
parse_root(struct tree_reader *r, const uint8_t *p, size_t len)
{
	uint8_t magic[4], ver, mlen, mode, top;
	const uint8_t *body;
	uint16_t count;
	struct rd c;

	rd_init(&c, p, len);
	if (rd_bytes(&c, magic, 4) || memcmp(magic, ROOT_MAGIC, 4) != 0)
		return WISP_ERR_MALFORMED;
	if (rd_u8(&c, &ver) || rd_u8(&c, &mlen))
		return WISP_ERR_MALFORMED;
	if (ver != TREE_VERSION)
		return WISP_ERR_VERSION;
	if (mlen > TREE_MIME_MAX || rd_bytes(&c, r->mime, mlen))
		return WISP_ERR_MALFORMED;
	r->mime[mlen] = '\0';
	if (!tree_mime_ok(r->mime) || rd_u64be(&c, &r->length) || rd_u8(&c, &mode) ||
	    rd_u8(&c, &top) || rd_u16be(&c, &count))
		return WISP_ERR_MALFORMED;
	if (shape_of(&r->shape, r->length, mlen) != 0)
		return WISP_ERR_MALFORMED;
	if (mode == MODE_INLINE) {
		if (r->shape.top != -1 || top || count || c.left != r->length)
			return WISP_ERR_MALFORMED;
		r->rootlen = c.left;
	} else if (mode == MODE_TREE) {
		if (r->shape.top != top || count != r->shape.n[top] ||
		    c.left != (size_t)count * TREE_KEYS_LEN)
			return WISP_ERR_MALFORMED;
		r->rootlen = c.left;
	} else {
		return WISP_ERR_MALFORMED;
	}
	if (rd_ref(&c, &body, r->rootlen))
		return WISP_ERR_MALFORMED;
	if (!(r->rootkeys = malloc(r->rootlen ? r->rootlen : 1)))
		return WISP_ERR_NOMEM;
	if (r->rootlen)
		memcpy(r->rootkeys, body, r->rootlen);
	return 0;
}

int
tree_reader_new(struct tree_reader **out, const uint8_t *root, size_t len)
{
	struct tree_reader *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return WISP_ERR_NOMEM;
	if ((rc = parse_root(r, root, len)) != 0) {
		tree_reader_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
tree_reader_free(struct tree_reader *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < TREE_LEVELS_MAX; i++)
		free(r->cache[i]);
	if (r->rootkeys)
		sodium_memzero(r->rootkeys, r->rootlen);
	free(r->rootkeys);
	free(r);
}

uint64_t tree_reader_length(const struct tree_reader *r) { return r->length; }
const char *tree_reader_mime(const struct tree_reader *r) { return r->mime; }

/* node_at: index, within level |lvl|, of the node above data block |pos|. */
static uint64_t
node_at(uint64_t pos, int lvl)
{
	while (lvl-- > 0)
		pos /= TREE_FANOUT;
	return pos;
}

/* key_of copies the key of node |g| at level |lvl| from its parent. */
static void
key_of(const struct tree_reader *r, int lvl, uint64_t g, struct chk_keys *k)
{
	const uint8_t *src;

	if (lvl == r->shape.top)
		src = r->rootkeys + g * TREE_KEYS_LEN;
	else
		src = r->cache[lvl + 1]->keys + (g % TREE_FANOUT) * TREE_KEYS_LEN;
	memcpy(k, src, TREE_KEYS_LEN);
}

int
tree_reader_next(struct tree_reader *r, struct tree_want *w)
{
	int lvl;

	if (r->shape.top < 0) {
		if (r->inline_done)
			return TREE_DONE;
		r->inline_done = 1;
		w->data = r->rootkeys;
		w->len = r->rootlen;
		w->offset = 0;
		return TREE_INLINE;
	}
	if (r->pos >= r->shape.n[0])
		return TREE_DONE;
	for (lvl = r->shape.top; lvl >= 1; lvl--) {
		uint64_t g = node_at(r->pos, lvl);
		if (r->cache[lvl] && r->cache[lvl]->valid && r->cache[lvl]->g == g)
			continue;
		key_of(r, lvl, g, &w->keys);
		r->pending = lvl;
		r->pending_g = g;
		return TREE_NEED_INDEX;
	}
	key_of(r, 0, r->pos, &w->keys);
	w->offset = r->pos * CHK_DATA_MAX;
	w->len = r->pos + 1 < r->shape.n[0] ? CHK_DATA_MAX : (size_t)(r->length - w->offset);
	w->data = NULL;
	r->pos++;
	return TREE_NEED_DATA;
}

int
tree_reader_feed_index(struct tree_reader *r, const uint8_t *plain, size_t len)
{
	int lvl = r->pending;
	uint64_t g = r->pending_g, below;
	uint8_t magic[4], ver, child;
	uint16_t count;
	struct level_cache *c;
	struct rd rd;

	if (lvl < 1)
		return WISP_ERR_INVAL;
	below = r->shape.n[lvl - 1];
	rd_init(&rd, plain, len);
	if (rd_bytes(&rd, magic, 4) || memcmp(magic, INDEX_MAGIC, 4) != 0 ||
	    rd_u8(&rd, &ver) || ver != TREE_VERSION || rd_u8(&rd, &child) ||
	    child != lvl - 1 || rd_u16be(&rd, &count))
		return WISP_ERR_MALFORMED;
	/* The shape fixes every node's child count: anything else is forged. */
	if (count != (below - g * TREE_FANOUT < TREE_FANOUT ? below - g * TREE_FANOUT : TREE_FANOUT) ||
	    rd.left != (size_t)count * TREE_KEYS_LEN)
		return WISP_ERR_MALFORMED;
	if (!r->cache[lvl] && !(r->cache[lvl] = calloc(1, sizeof(*c))))
		return WISP_ERR_NOMEM;
	c = r->cache[lvl];
	memcpy(c->keys, rd.p, rd.left);
	c->count = count;
	c->g = g;
	c->valid = 1;
	r->pending = 0;
	return 0;
}

int
tree_reader_seek(struct tree_reader *r, uint64_t offset)
{
	if (offset > r->length)
		return WISP_ERR_INVAL;
	if (r->shape.top < 0) {
		if (offset != 0)
			return WISP_ERR_INVAL;
		r->inline_done = 0;
		return 0;
	}
	r->pos = offset / CHK_DATA_MAX;
	r->pending = 0;
	return 0;
}
