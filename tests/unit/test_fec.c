/* Erasure coding: the layout, the code over every erasure pattern of
 * small segments, and whole splitfiles read through fetch.c from an
 * in-memory source that loses, corrupts and delays blocks.
 *
 * The file, in order: the layout; the code (rebuilds); the rig for
 * splitfiles: an in-memory store (struct mem, mem_*), the reader's side
 * (struct rig: answers now, queued, or opened later as wispd's opener
 * does; read_doc), encode; then the splitfile tests: the encoder's
 * pool, round trips and shapes, losses and heals, too many lost, forged
 * checks, ranges, the root's checks, the older plain tree. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/fec.h"
#include "crypto/pool.h"
#include "crypto/split.h"
#include "crypto/tree.h"
#include "node/core/fetch.h"
#include "tests/unit/suites.h"

/* ---- layout ---- */

START_TEST(layout_covers_stream)
{
	static const unsigned ks[][2] = { { 1, 1 }, { 3, 2 }, { 4, 4 }, { 7, 3 }, { 128, 128 }, { 200, 56 } };
	uint64_t blocks;
	size_t t;
	int idx;

	for (t = 0; t < sizeof(ks) / sizeof(ks[0]); t++) {
		unsigned k = ks[t][0], m = ks[t][1];
		ck_assert(fec_params_ok(k, m));
		for (idx = 0; idx < 2; idx++)
		for (blocks = 1; blocks < 700; blocks += blocks < 40 ? 1 : 37) {
			uint64_t n = fec_nsegs(blocks, k), i, data = 0, leaf = 0, b;
			for (i = 0; i < n; i++) {
				struct fec_seg s;
				fec_seg_at(blocks, k, m, idx, i, &s);
				ck_assert_uint_eq(s.first_data, data);
				ck_assert_uint_eq(s.first_leaf, leaf);
				ck_assert_uint_ge(s.d, 1);
				ck_assert_uint_le(s.d, k);
				/* no segment is much weaker than a full one */
				if (n > 1)
					ck_assert_uint_ge(s.d, k / 2);
				ck_assert_uint_eq(s.c, fec_checks(s.d, k, m, idx));
				ck_assert_uint_le(s.d + s.c, FEC_BLOCKS_MAX);
				if (idx)
					ck_assert_uint_ge(s.c, s.d + 8 < FEC_BLOCKS_MAX - s.d ? s.d + 8 : FEC_BLOCKS_MAX - s.d);
				for (b = s.first_data; b < s.first_data + s.d; b++)
					ck_assert_uint_eq(fec_seg_of(blocks, k, b), i);
				data += s.d;
				leaf += s.d + s.c;
			}
			ck_assert_uint_eq(data, blocks);
			ck_assert_uint_eq(fec_leaves(blocks, k, m, idx), leaf);
		}
	}
	ck_assert(!fec_params_ok(0, 0));
	ck_assert(!fec_params_ok(4, 5));
	ck_assert(!fec_params_ok(129, 128));
}
END_TEST

/* ---- the code ---- */

/* fill: bytes that never repeat a block (convergent keys would merge
 * equal blocks): splitmix64. */
static void
fill(uint8_t *p, size_t len, unsigned seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull, z = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (x += 0x9e3779b97f4a7c15ull);
			z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ z >> 27) * 0x94d049bb133111ebull;
			z ^= z >> 31;
		}
		p[i] = (uint8_t)(z >> (8 * (i % 8)));
	}
}

/* every_pattern rebuilds every missing set of a d + c segment from every
 * choice of d survivors. */
static void
every_pattern(unsigned d, unsigned c)
{
	enum { LEN = 64 };
	uint8_t blk[FEC_BLOCKS_MAX][LEN], out[FEC_BLOCKS_MAX][LEN];
	uint8_t *data[FEC_BLOCKS_MAX], *checks[FEC_BLOCKS_MAX], *have[FEC_BLOCKS_MAX], *outp[FEC_BLOCKS_MAX];
	unsigned n = d + c, mask, i, patterns = 0;

	for (i = 0; i < d; i++) {
		fill(blk[i], LEN, i + 1);
		data[i] = blk[i];
	}
	for (i = 0; i < c; i++)
		checks[i] = blk[d + i];
	ck_assert_int_eq(fec_encode(d, c, data, checks, LEN), 0);
	for (mask = 0; mask < 1u << n; mask++) {
		unsigned have_idx[FEC_BLOCKS_MAX], want[FEC_BLOCKS_MAX], nh = 0, nw = 0;
		if ((unsigned)__builtin_popcount(mask) != d)
			continue;
		for (i = 0; i < n; i++) {
			if (mask >> i & 1) {
				have_idx[nh] = i;
				have[nh++] = blk[i];
			} else {
				want[nw] = i;
				outp[nw] = out[nw];
				nw++;
			}
		}
		ck_assert_int_eq(fec_rebuild(d, c, have_idx, have, nw, want, outp, LEN), 0);
		for (i = 0; i < nw; i++)
			ck_assert_mem_eq(out[i], blk[want[i]], LEN);
		patterns++;
	}
	ck_assert_uint_gt(patterns, 0);
}

START_TEST(rebuild_every_erasure_pattern)
{
	every_pattern(1, 1);
	every_pattern(2, 2);
	every_pattern(4, 3);
	every_pattern(5, 5);
	every_pattern(8, 4);
}
END_TEST

START_TEST(rebuild_full_segment)
{
	enum { LEN = 96 };
	static uint8_t blk[256][LEN], out[256][LEN];
	uint8_t *data[128], *checks[128], *have[128], *outp[256];
	unsigned have_idx[128], want[256], i, round;

	for (i = 0; i < 128; i++) {
		fill(blk[i], LEN, i * 3 + 1);
		data[i] = blk[i];
		checks[i] = blk[128 + i];
	}
	ck_assert_int_eq(fec_encode(128, 128, data, checks, LEN), 0);
	for (round = 0; round < 20; round++) {
		uint8_t pick[256] = { 0 };
		unsigned nh = 0, nw = 0;
		/* round 0: only checks survive; then random halves */
		while (nh < 128) {
			unsigned b = round == 0 ? 128 + nh : randombytes_uniform(256);
			if (!pick[b]) {
				pick[b] = 1;
				have_idx[nh] = b;
				have[nh++] = blk[b];
			}
		}
		for (i = 0; i < 256; i++)
			if (!pick[i]) {
				want[nw] = i;
				outp[nw] = out[nw];
				nw++;
			}
		ck_assert_int_eq(fec_rebuild(128, 128, have_idx, have, nw, want, outp, LEN), 0);
		for (i = 0; i < nw; i++)
			ck_assert_mem_eq(out[i], blk[want[i]], LEN);
	}
	/* the same block twice is not two blocks */
	have_idx[1] = have_idx[0];
	ck_assert_int_eq(fec_rebuild(128, 128, have_idx, have, 1, want, outp, LEN), WISP_ERR_INVAL);
	have_idx[1] = 300;
	ck_assert_int_eq(fec_rebuild(128, 128, have_idx, have, 1, want, outp, LEN), WISP_ERR_INVAL);
	ck_assert_int_eq(fec_encode(200, 57, data, checks, LEN), WISP_ERR_INVAL);
}
END_TEST

/* ---- splitfiles through fetch.c ---- */

struct mem {
	size_t n, cap;
	struct chk_keys *keys;
	uint8_t *blocks;
	uint8_t *state; /* 0 present, 1 lost, 2 corrupt */
};

static int
mem_emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct mem *m = ctx;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		ck_assert_ptr_nonnull(m->keys = realloc(m->keys, m->cap * sizeof(*m->keys)));
		ck_assert_ptr_nonnull(m->blocks = realloc(m->blocks, m->cap * CHK_BLOCK_LEN));
		ck_assert_ptr_nonnull(m->state = realloc(m->state, m->cap));
	}
	m->keys[m->n] = *k;
	memcpy(m->blocks + m->n * CHK_BLOCK_LEN, block, CHK_BLOCK_LEN);
	m->state[m->n] = 0;
	m->n++;
	return 0;
}

static long
mem_find(const struct mem *m, const uint8_t rkey[32])
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (memcmp(m->keys[i].routing, rkey, 32) == 0)
			return (long)i;
	return -1;
}

static void
mem_free(struct mem *m)
{
	free(m->keys);
	free(m->blocks);
	free(m->state);
}

/* How the reader's side answers (read_doc's |deferred|): now, or queued
 * and delivered in a shuffled order (QUEUED); found blocks opened at once
 * or, as wispd's opener thread does, later, in a shuffled order among
 * the other answers (OPENED: fetch_block_opening, then fetch_block_open). */
enum { QUEUED = 1, OPENED = 2 };

/* The reader's side: answers, output collected, heals recorded. */
struct rig {
	struct mem *m;
	struct fetch *f;
	int deferred, ended;
	uint32_t otag[4096];        /* OPENED: blocks being opened */
	uint8_t okey[4096][CHK_KEY_LEN];
	uint8_t *oblock[4096];
	size_t nopen;
	enum fetch_status st;
	char reason[256];
	uint8_t *out;
	size_t outlen, outcap;
	uint64_t length;
	uint32_t q[4096];
	long qi[4096];
	size_t nq, asked;
	uint8_t **healed;
	size_t nhealed;
	int misses_late;     /* deferred: every found block is answered before any miss */
	unsigned pending_at_end; /* fetch_pending when the sink was told the end */
	long missed[4096];   /* blocks answered not found */
	size_t nmissed;
};

/* found answers |tag| with |block|: at once, or, OPENED, opened later. */
static void
found(struct rig *r, uint32_t tag, const uint8_t *block)
{
	unsigned pending = fetch_pending(r->f);

	if (!(r->deferred & OPENED) || fetch_block_opening(r->f, tag, r->okey[r->nopen]) != 0) {
		fetch_block_done(r->f, tag, FETCH_OK, block, CHK_BLOCK_LEN);
		return;
	}
	ck_assert_uint_lt(r->nopen, 4096);
	/* it is answered, and still pending until it is opened */
	ck_assert_uint_ge(fetch_pending(r->f), pending);
	r->otag[r->nopen] = tag;
	ck_assert_ptr_nonnull(r->oblock[r->nopen] = malloc(CHK_BLOCK_LEN));
	memcpy(r->oblock[r->nopen++], block, CHK_BLOCK_LEN);
	/* the same answer twice is not awaited any more */
	ck_assert_int_eq(fetch_block_opening(r->f, tag, r->okey[r->nopen]), -1);
}

/* open_one opens the |k|th block being opened, as wispd's opener does. */
static void
open_one(struct rig *r, size_t k)
{
	static uint8_t plain[CHK_PAYLOAD_LEN];
	uint8_t *b = r->oblock[k];
	uint32_t tag = r->otag[k];
	size_t len = 0;
	int rc = chk_decode(plain, &len, b, CHK_BLOCK_LEN, r->okey[k]);

	r->nopen--;
	r->otag[k] = r->otag[r->nopen];
	r->oblock[k] = r->oblock[r->nopen];
	memcpy(r->okey[k], r->okey[r->nopen], CHK_KEY_LEN);
	fetch_block_open(r->f, tag, rc, plain, len);
	free(b);
}

static void
answer(struct rig *r, uint32_t tag, long i)
{
	uint8_t bad[CHK_BLOCK_LEN];

	if (i < 0 || r->m->state[i] == 1) {
		if (i >= 0 && r->nmissed < 4096)
			r->missed[r->nmissed++] = i;
		fetch_block_done(r->f, tag, FETCH_NOTFOUND, NULL, 0);
	} else if (r->m->state[i] == 2) {
		/* a block that verifies under another key: never decoded */
		memcpy(bad, r->m->blocks + (size_t)i * CHK_BLOCK_LEN, CHK_BLOCK_LEN);
		bad[100] ^= 1;
		found(r, tag, bad);
	} else {
		found(r, tag, r->m->blocks + (size_t)i * CHK_BLOCK_LEN);
	}
}

static void
src_get(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	struct rig *r = ctx;

	(void)f;
	r->asked++;
	if (!(r->deferred & QUEUED)) {
		answer(r, tag, mem_find(r->m, rkey));
		return;
	}
	ck_assert_uint_lt(r->nq, 4096);
	r->q[r->nq] = tag;
	r->qi[r->nq++] = mem_find(r->m, rkey);
}

static void
src_heal(void *ctx, const uint8_t *block, const uint8_t rkey[CHK_KEY_LEN])
{
	struct rig *r = ctx;
	long i = mem_find(r->m, rkey);

	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(r->m->state[i], 1); /* only what was lost */
	ck_assert_mem_eq(block, r->m->blocks + (size_t)i * CHK_BLOCK_LEN, CHK_BLOCK_LEN);
	r->m->state[i] = 0; /* inserted again */
	r->nhealed++;
}

static void
sink_start(void *ctx, uint64_t length, const char *mime)
{
	(void)mime;
	((struct rig *)ctx)->length = length;
}

static int
sink_data(void *ctx, const uint8_t *p, size_t len)
{
	struct rig *r = ctx;

	if (r->outlen + len > r->outcap) {
		r->outcap = (r->outlen + len) * 2;
		ck_assert_ptr_nonnull(r->out = realloc(r->out, r->outcap));
	}
	memcpy(r->out + r->outlen, p, len);
	r->outlen += len;
	return 0;
}

static void
sink_end(void *ctx, enum fetch_status st, const char *reason)
{
	struct rig *r = ctx;

	ck_assert(!r->ended);
	r->ended = 1;
	r->pending_at_end = fetch_pending(r->f);
	r->st = st;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

static const struct fetch_source source = { src_get, src_heal };
static const struct fetch_source source_noheal = { src_get, NULL };
static const struct fetch_sink sink = { sink_start, sink_data, sink_end };

/* queued_pick: a random queued ask; with misses_late, a found one while
 * any is queued. */
static size_t
queued_pick(const struct rig *r)
{
	size_t k = randombytes_uniform((uint32_t)r->nq), n;

	for (n = 0; r->misses_late && n < r->nq; n++, k = (k + 1) % r->nq)
		if (r->qi[k] >= 0 && r->m->state[r->qi[k]] != 1)
			break;
	return n < r->nq ? k : randombytes_uniform((uint32_t)r->nq);
}

/* read_doc fetches [first, last] of |root| from |m|; returns the status. */
static enum fetch_status
read_doc_as(struct rig *r, struct mem *m, const struct chk_keys *root, uint64_t first, uint64_t last,
    int deferred, int heal, int misses_late)
{
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->deferred = deferred;
	r->misses_late = misses_late;
	ck_assert_int_eq(fetch_new(&r->f, root, 0, first, last, heal ? &source : &source_noheal, r, &sink, r), 0);
	fetch_start(r->f);
	while ((r->nq || r->nopen) && !r->ended) {
		size_t k;
		uint32_t tag;
		long i;
		if (r->nopen && (!r->nq || randombytes_uniform(2))) {
			open_one(r, randombytes_uniform((uint32_t)r->nopen));
			continue;
		}
		k = queued_pick(r);
		tag = r->q[k];
		i = r->qi[k];
		r->q[k] = r->q[--r->nq];
		r->qi[k] = r->qi[r->nq];
		answer(r, tag, i);
	}
	/* answers still due are given, as a real source must before free */
	while (r->nq || r->nopen) {
		if (r->nopen) {
			open_one(r, r->nopen - 1);
			continue;
		}
		r->nq--;
		answer(r, r->q[r->nq], r->qi[r->nq]);
	}
	ck_assert_uint_eq(fetch_pending(r->f), 0);
	ck_assert(r->ended);
	fetch_free(r->f);
	return r->st;
}

static enum fetch_status
read_doc(struct rig *r, struct mem *m, const struct chk_keys *root, uint64_t first, uint64_t last,
    int deferred, int heal)
{
	return read_doc_as(r, m, root, first, last, deferred, heal, 0);
}

static uint8_t *
make_file(size_t len, unsigned seed)
{
	uint8_t *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	fill(p, len, seed);
	return p;
}

static void
encode_on(struct mem *m, const uint8_t *file, size_t len, unsigned k, unsigned c, struct chk_keys *root,
    struct pool *pool)
{
	struct tree_enc *e;
	size_t off = 0;

	memset(m, 0, sizeof(*m));
	ck_assert_int_eq(tree_enc_new_fec(&e, "text/plain", k, c, mem_emit, m), 0);
	tree_enc_set_pool(e, pool);
	while (off < len) {
		size_t n = 1 + randombytes_uniform(200000);
		if (n > len - off)
			n = len - off;
		ck_assert_int_eq(tree_enc_write(e, file + off, n), 0);
		off += n;
	}
	ck_assert_int_eq(tree_enc_finish(e, root), 0);
	ck_assert_uint_eq(tree_enc_blocks(e), m->n);
	tree_enc_free(e);
	ck_assert_uint_eq(split_blocks_for(len, 10, k, c), c ? m->n : split_blocks_for(len, 10, k, c));
}

static void
encode(struct mem *m, const uint8_t *file, size_t len, unsigned k, unsigned c, struct chk_keys *root)
{
	encode_on(m, file, len, k, c, root, NULL);
}

/* pool_for visits every index once, loop after loop, with any number of
 * threads (run under ASan in make asan). */
/* ---- splitfile tests ---- */

static void
count_visit(void *ctx, size_t i)
{
	_Atomic unsigned *seen = ctx;

	seen[i]++;
}

START_TEST(pool_visits_each_index_once)
{
	static _Atomic unsigned seen[1000];
	struct pool *p;
	unsigned threads, loop;
	size_t i;

	for (threads = 1; threads <= 4; threads++) {
		ck_assert_int_eq(pool_new(&p, threads), 0);
		ck_assert_uint_eq(pool_threads(p), threads);
		for (loop = 0; loop < 200; loop++) {
			size_t n = loop % 7 == 0 ? loop % 3 : 1 + (loop * 37) % 1000;
			memset(seen, 0, sizeof(seen));
			pool_for(p, n, count_visit, seen);
			for (i = 0; i < 1000; i++)
				ck_assert_uint_eq(seen[i], i < n);
		}
		pool_free(p);
	}
	pool_for(NULL, 5, count_visit, seen); /* no pool: the caller's thread */
	pool_free(NULL);
}
END_TEST

/* Spread over threads, the encoder gives the very same blocks, in the
 * same order, and the same root: the URI is a function of the file. */
START_TEST(split_parallel_is_identical)
{
	static const size_t sizes[] = { 1 << 21, 9000000 };
	static const unsigned codes[][2] = { { 128, 128 }, { 4, 2 }, { 16, 3 } };
	size_t t, c;
	unsigned threads;

	for (t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint8_t *file = make_file(sizes[t], 40 + (unsigned)t);
		for (c = 0; c < sizeof(codes) / sizeof(codes[0]); c++) {
			struct chk_keys r1, r2;
			struct mem m1, m2;
			encode(&m1, file, sizes[t], codes[c][0], codes[c][1], &r1);
			for (threads = 2; threads <= 3; threads++) {
				struct pool *p;
				ck_assert_int_eq(pool_new(&p, threads), 0);
				encode_on(&m2, file, sizes[t], codes[c][0], codes[c][1], &r2, p);
				pool_free(p);
				ck_assert_mem_eq(&r1, &r2, sizeof(r1));
				ck_assert_uint_eq(m1.n, m2.n);
				ck_assert_mem_eq(m1.keys, m2.keys, m1.n * sizeof(*m1.keys));
				ck_assert_mem_eq(m1.blocks, m2.blocks, m1.n * CHK_BLOCK_LEN);
				mem_free(&m2);
			}
			mem_free(&m1);
		}
		free(file);
	}
}
END_TEST

/* An emit that fails stops the parallel encoder at that block, with
 * that error, and nothing after it is handed on. */
struct stop_at { unsigned n, at; };

static int
emit_until(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct stop_at *s = ctx;

	(void)block;
	(void)k;
	ck_assert_uint_le(s->n, s->at);
	return s->n++ == s->at ? WISP_ERR_IO : 0;
}

START_TEST(split_parallel_stops_on_emit_failure)
{
	static const unsigned at[] = { 0, 5, 31, 32, 33, 128, 200 };
	uint8_t *file = make_file(1 << 23, 7);
	size_t i;
	struct pool *p;

	ck_assert_int_eq(pool_new(&p, 2), 0);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		struct stop_at s = { 0, at[i] };
		struct tree_enc *e;
		struct chk_keys root;
		int rc;
		ck_assert_int_eq(tree_enc_new_fec(&e, NULL, 128, 128, emit_until, &s), 0);
		tree_enc_set_pool(e, p);
		rc = tree_enc_write(e, file, 1 << 23);
		if (rc == 0)
			rc = tree_enc_finish(e, &root);
		ck_assert_int_eq(rc, WISP_ERR_IO);
		ck_assert_uint_eq(s.n, at[i] + 1);
		tree_enc_free(e);
	}
	pool_free(p);
	free(file);
}
END_TEST

START_TEST(split_roundtrip_sizes)
{
	static const size_t sizes[] = { 0, 1, 32749, 32750, 32751, 65536, 65537, 4 * 32768 + 5, 1 << 21, 9000000 };
	size_t t;

	for (t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		struct mem m;
		struct chk_keys root;
		struct rig r;
		uint8_t *file = make_file(sizes[t], (unsigned)t);
		encode(&m, file, sizes[t], 128, 128, &root);
		ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, t & 1, 1), FETCH_OK);
		ck_assert_uint_eq(r.length, sizes[t]);
		ck_assert_uint_eq(r.outlen, sizes[t]);
		if (sizes[t])
			ck_assert_mem_eq(r.out, file, sizes[t]);
		ck_assert_uint_eq(r.nhealed, 0);
		free(r.out);
		mem_free(&m);
		free(file);
	}
}
END_TEST

/* Every shape small codes make (each count of blocks around the segment
 * and hold boundaries), encoded streaming and read back: the encoder's
 * layout must be the reader's. A file of exactly k + ceil(k/2) blocks
 * once differed (found by fuzz_split). */
START_TEST(split_every_small_shape)
{
	unsigned k, m, blocks;

	for (k = 1; k <= 5; k++)
		for (m = 1; m <= k; m++)
			for (blocks = 1; blocks <= 3 * k + 2; blocks++) {
				size_t len = (size_t)blocks * CHK_DATA_MAX - (blocks % 3) * 1000;
				uint8_t *file = make_file(len, k * 100 + m * 10 + blocks);
				struct chk_keys root;
				struct mem mm;
				struct rig r;
				encode(&mm, file, len, k, m, &root);
				ck_assert_msg(read_doc(&r, &mm, &root, 0, UINT64_MAX, 0, 0) == FETCH_OK,
				    "k %u m %u blocks %u: %s", k, m, blocks, r.reason);
				ck_assert_uint_eq(r.outlen, len);
				ck_assert_mem_eq(r.out, file, len);
				free(r.out);
				mem_free(&mm);
				free(file);
			}
}
END_TEST

/* lose marks |pct|% of the blocks (never the root, the last one emitted)
 * lost, or corrupt if |corrupt|; returns how many. The blocks are drawn
 * from a fixed stream, not at random: with 30% lost and 25% more corrupt
 * a segment could by chance lose more than its check blocks, and the test
 * failed now and then. */
static size_t
lose(struct mem *m, unsigned pct, int corrupt)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i, n = 0;

	for (i = 0; i + 1 < m->n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (x % 100 < pct) {
			m->state[i] = corrupt ? 2 : 1;
			n++;
		}
	}
	return n;
}

START_TEST(split_survives_losses_and_heals)
{
	size_t len = 9000000 + 12345, lost, i; /* two index levels at k = m = 128 */
	uint8_t *file = make_file(len, 7);
	struct chk_keys root;
	struct mem m;
	struct rig r;

	encode(&m, file, len, 128, 128, &root);
	lost = lose(&m, 30, 0);
	ck_assert_uint_gt(lost, 0);
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i, 1), FETCH_OK);
	ck_assert_uint_eq(r.outlen, len);
	ck_assert_mem_eq(r.out, file, len);
	/* every lost block the fetch asked for came back; the rest were
	 * not needed, and a second read heals what it misses in turn */
	ck_assert_uint_gt(r.nhealed, 0);
	free(r.out);
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i, 1), FETCH_OK);
	ck_assert_mem_eq(r.out, file, len);
	free(r.out);
	/* corrupt copies are refused by their keys, never decoded */
	for (i = 0; i + 1 < m.n; i++)
		ck_assert_int_eq(m.state[i], m.state[i] == 1 ? 1 : 0);
	lose(&m, 25, 1);
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i, 0), FETCH_OK);
	ck_assert_mem_eq(r.out, file, len);
	free(r.out);
	mem_free(&m);
	free(file);
}
END_TEST

/* A miss told only after its segment was rebuilt from other blocks (a
 * not-found answer walks the whole path, a found one stops early) is
 * healed all the same: t_fec once lost 116 of 388 blocks this way. */
START_TEST(split_heals_a_miss_told_late)
{
	size_t len = 3000000, lost, i;
	uint8_t *file = make_file(len, 11);
	struct chk_keys root;
	struct mem m;
	struct rig r;

	encode(&m, file, len, 128, 128, &root);
	lost = lose(&m, 30, 0);
	ck_assert_uint_gt(lost, 0);
	ck_assert_int_eq(read_doc_as(&r, &m, &root, 0, UINT64_MAX, 1, 1, 1), FETCH_OK);
	ck_assert_mem_eq(r.out, file, len);
	ck_assert_uint_gt(r.nmissed, 0);
	/* it ended well with answers still due: whoever made it must not
	 * free it before they are in (get.c freed a site's manifest fetch
	 * at once, to fetch the file: get_job.c, job_next_fetch) */
	ck_assert_uint_gt(r.pending_at_end, 0);
	for (i = 0; i < r.nmissed; i++)
		ck_assert_msg(m.state[r.missed[i]] == 0, "block %ld was told missing and not healed", r.missed[i]);
	ck_assert_uint_eq(r.nhealed, r.nmissed);
	free(r.out);
	mem_free(&m);
	free(file);
}
END_TEST

/* leaves reads the key list of a one-level document from its root. */
static const struct chk_keys *
leaves(struct mem *m, const struct chk_keys *root, uint8_t plain[CHK_PAYLOAD_LEN])
{
	struct split_doc d;
	size_t plen;
	long ri = mem_find(m, root->routing);

	ck_assert_int_ge(ri, 0);
	ck_assert_int_eq(chk_decode(plain, &plen, m->blocks + (size_t)ri * CHK_BLOCK_LEN, CHK_BLOCK_LEN,
	    root->crypto), 0);
	ck_assert_int_eq(split_root_parse(&d, plain, plen), 0);
	ck_assert_uint_eq(d.levels, 1);
	return (const struct chk_keys *)d.top;
}

START_TEST(split_too_many_lost_fails_with_count)
{
	size_t len = 3 * 32768 * 128, i;
	uint8_t *file = make_file(len, 9), plain[CHK_PAYLOAD_LEN];
	const struct chk_keys *leaf;
	struct chk_keys root;
	struct mem m;
	struct rig r;

	/* 25% redundancy keeps three segments' keys in the root */
	encode(&m, file, len, 128, 32, &root);
	leaf = leaves(&m, &root, plain);
	/* 33 of segment 2's 160 blocks, checks too: one more than it can lose */
	for (i = 0; i < 33; i++)
		m.state[mem_find(&m, leaf[160 + i * 4].routing)] = 1;
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i ? OPENED : 0, 0), FETCH_NOTFOUND);
	ck_assert_msg(strstr(r.reason, "33 of the 160 blocks of segment 2 of 3 are missing") != NULL, "%s", r.reason);
	/* segment 1 was delivered; a block being opened may be told after the
	 * losses of segment 2, and the fetch ends before it */
	if (_i)
		ck_assert_uint_le(r.outlen, 128 * 32768);
	else
		ck_assert_uint_eq(r.outlen, 128 * 32768);
	free(r.out);
	/* 32 lost is exactly what it can lose */
	m.state[mem_find(&m, leaf[160].routing)] = 0;
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, QUEUED | (_i ? OPENED : 0), 0), FETCH_OK);
	ck_assert_mem_eq(r.out, file, len);
	free(r.out);
	mem_free(&m);
	free(file);
}
END_TEST

/* A publisher whose check blocks do not code its data, with a root built
 * by hand from docs/keys.md: the rebuilt data does not match its keys,
 * and the fetch fails rather than deliver it. */
START_TEST(split_forged_checks_refused)
{
	enum { D = 4, C = 4 };
	size_t len = D * 32768, i;
	uint8_t *file = make_file(len, 3), junk[CHK_DATA_MAX], b[CHK_BLOCK_LEN], plain[CHK_DATA_MAX];
	struct chk_keys k[D + C], root;
	struct mem m = { 0 };
	struct rig r;
	size_t n = 0;

	for (i = 0; i < D + C; i++) {
		const uint8_t *p = file + i * 32768;
		if (i >= D) {
			fill(junk, sizeof(junk), (unsigned)i);
			p = junk;
		}
		ck_assert_int_eq(chk_encode(b, &k[i], p, 32768), 0);
		mem_emit(&m, b, &k[i]);
	}
	memcpy(plain, "WSPR\x01\x0atext/plain", 16);
	n = 16;
	for (i = 0; i < 8; i++)
		plain[n++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	plain[n++] = 2; /* mode: splitfile */
	plain[n++] = 1; /* code: Reed-Solomon */
	plain[n++] = D;
	plain[n++] = C;
	plain[n++] = 1; /* levels */
	memcpy(plain + n, k, sizeof(k));
	n += sizeof(k);
	ck_assert_int_eq(chk_encode(b, &root, plain, n), 0);
	mem_emit(&m, b, &root);
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i, 0), FETCH_OK); /* data all there */
	ck_assert_mem_eq(r.out, file, len);
	free(r.out);
	m.state[1] = 1;
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i, 0), FETCH_INTEGRITY);
	/* block 0 at most (none if its answer or its opening came after the
	 * rebuild): nothing rebuilt was used */
	if (_i)
		ck_assert_uint_le(r.outlen, 32768);
	else
		ck_assert_uint_eq(r.outlen, 32768);
	free(r.out);
	mem_free(&m);
	free(file);
}
END_TEST

START_TEST(split_ranges)
{
	size_t len = 6000000;
	uint8_t *file = make_file(len, 5);
	static const uint64_t rg[][2] = { { 0, 0 }, { 5, 70000 }, { 4194303, 4194304 }, { 5999990, 7000000 },
		{ 1000000, 5000000 } };
	struct chk_keys root;
	struct mem m;
	struct rig r;
	size_t t;

	encode(&m, file, len, 128, 64, &root);
	lose(&m, 20, 0);
	for (t = 0; t < sizeof(rg) / sizeof(rg[0]); t++) {
		uint64_t last = rg[t][1] < len ? rg[t][1] : len - 1;
		ck_assert_int_eq(read_doc(&r, &m, &root, rg[t][0], rg[t][1], (int)(t & 3), 0), FETCH_OK);
		ck_assert_uint_eq(r.outlen, last - rg[t][0] + 1);
		ck_assert_mem_eq(r.out, file + rg[t][0], r.outlen);
		free(r.out);
	}
	mem_free(&m);
	free(file);
}
END_TEST

/* Roots that lie about their shape are refused before any fetch. */
START_TEST(split_root_checked)
{
	size_t len = 300000;
	uint8_t *file = make_file(len, 1), plain[CHK_PAYLOAD_LEN];
	enum { MODE = 24, CODE = 25, K = 26, LEVELS = 28 }; /* after "text/plain" */
	struct split_doc d;
	struct chk_keys root;
	struct mem m;
	size_t plen;
	long ri;

	encode(&m, file, len, 128, 128, &root);
	ri = mem_find(&m, root.routing);
	ck_assert_int_ge(ri, 0);
	ck_assert_int_eq(chk_decode(plain, &plen, m.blocks + (size_t)ri * CHK_BLOCK_LEN, CHK_BLOCK_LEN, root.crypto), 0);
	ck_assert_int_eq(plain[MODE], 2);
	ck_assert_int_eq(split_root_parse(&d, plain, plen), 0);
	ck_assert_uint_eq(d.len[0], len);
	ck_assert_uint_eq(d.levels, 1);
	ck_assert_int_eq(split_root_parse(&d, plain, plen - 1), WISP_ERR_MALFORMED);
	plain[K] = 127;
	ck_assert_int_eq(split_root_parse(&d, plain, plen), WISP_ERR_MALFORMED);
	plain[K] = 128;
	plain[LEVELS] = 2;
	ck_assert_int_eq(split_root_parse(&d, plain, plen), WISP_ERR_MALFORMED);
	plain[LEVELS] = 1;
	plain[CODE] = 9;
	ck_assert_int_eq(split_root_parse(&d, plain, plen), WISP_ERR_VERSION);
	plain[CODE] = 1;
	plain[MODE] = 1;
	ck_assert_int_eq(split_root_parse(&d, plain, plen), WISP_ERR_MALFORMED);
	mem_free(&m);
	free(file);
}
END_TEST

/* The forms before erasure coding still read through the same fetch. */
START_TEST(plain_tree_still_reads)
{
	size_t len = 3000000;
	uint8_t *file = make_file(len, 2);
	struct chk_keys root;
	struct mem m;
	struct rig r;

	encode(&m, file, len, 128, 0, &root);
	ck_assert_uint_eq(m.n, tree_blocks_for(len, 10));
	ck_assert_int_eq(read_doc(&r, &m, &root, 0, UINT64_MAX, _i, 1), FETCH_OK);
	ck_assert_mem_eq(r.out, file, len);
	free(r.out);
	mem_free(&m);
	free(file);
}
END_TEST

Suite *
fec_suite(void)
{
	Suite *s = suite_create("fec");
	TCase *t = tcase_create("fec");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, layout_covers_stream);
	tcase_add_test(t, rebuild_every_erasure_pattern);
	tcase_add_test(t, rebuild_full_segment);
	tcase_add_test(t, split_roundtrip_sizes);
	tcase_add_test(t, pool_visits_each_index_once);
	tcase_add_test(t, split_parallel_is_identical);
	tcase_add_test(t, split_parallel_stops_on_emit_failure);
	tcase_add_test(t, split_every_small_shape);
	tcase_add_loop_test(t, split_survives_losses_and_heals, 0, 4);
	tcase_add_test(t, split_heals_a_miss_told_late);
	tcase_add_loop_test(t, split_too_many_lost_fails_with_count, 0, 2);
	tcase_add_loop_test(t, split_forged_checks_refused, 0, 4);
	tcase_add_test(t, split_ranges);
	tcase_add_test(t, split_root_checked);
	tcase_add_loop_test(t, plain_tree_still_reads, 0, 4);
	suite_add_tcase(s, t);
	return s;
}
