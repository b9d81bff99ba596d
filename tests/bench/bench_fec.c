/* Erasure coding: fec.c's encode and rebuild of full 128 + 128 segments
 * against ISA-L called directly with tables made once (the library's own
 * speed); and a 20 MiB splitfile read through fetch.c from memory with
 * 30% of its blocks lost against the same file whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>
#include <sodium.h>

#include "crypto/fec.h"
#include "crypto/tree.h"
#include "node/core/fetch.h"
#include "tests/bench/bench.h"

enum { K = FEC_K_DEFAULT, M = FEC_M_DEFAULT, ROUNDS = 8, FILE_MB = 20 };

static uint8_t *blk[K + M], *out[K];

static double
mib_s(double secs)
{
	return ROUNDS * (double)K * CHK_DATA_MAX / secs / 1048576;
}

static int
bench_code(void)
{
	static unsigned char gen[(K + M) * K], sub[K * K], inv[K * K], tables[32 * K * M];
	unsigned have_idx[K], want[K], i, r;
	uint8_t *have[K];
	double t0, ours_e, raw_e, ours_d, raw_d;

	for (i = 0; i < K + M; i++)
		if (!(blk[i] = malloc(CHK_DATA_MAX)))
			return 1;
	for (i = 0; i < K; i++) {
		randombytes_buf(blk[i], CHK_DATA_MAX);
		if (!(out[i] = malloc(CHK_DATA_MAX)))
			return 1;
	}
	t0 = bench_now();
	for (r = 0; r < ROUNDS; r++)
		if (fec_encode(K, M, blk, blk + K, CHK_DATA_MAX) != 0)
			return 1;
	ours_e = bench_now() - t0;
	gf_gen_cauchy1_matrix(gen, K + M, K);
	ec_init_tables(K, M, gen + K * K, tables);
	t0 = bench_now();
	for (r = 0; r < ROUNDS; r++)
		ec_encode_data(CHK_DATA_MAX, K, M, tables, blk, blk + K);
	raw_e = bench_now() - t0;
	/* Rebuild half the data from the other half and half the checks:
	 * the worst a full segment can have it. */
	for (i = 0; i < K; i++) {
		have_idx[i] = i < K / 2 ? i : K + i;
		have[i] = blk[have_idx[i]];
		want[i] = i < K / 2 ? K / 2 + i : 0;
	}
	t0 = bench_now();
	for (r = 0; r < ROUNDS; r++)
		if (fec_rebuild(K, M, have_idx, have, K / 2, want, out, CHK_DATA_MAX) != 0)
			return 1;
	ours_d = bench_now() - t0;
	if (memcmp(out[0], blk[K / 2], CHK_DATA_MAX) != 0)
		return 1;
	for (i = 0; i < K; i++)
		memcpy(sub + i * K, gen + have_idx[i] * K, K);
	if (gf_invert_matrix(sub, inv, K) != 0)
		return 1;
	ec_init_tables(K, K / 2, inv + (K / 2) * K, tables);
	t0 = bench_now();
	for (r = 0; r < ROUNDS; r++)
		ec_encode_data(CHK_DATA_MAX, K, K / 2, tables, have, out);
	raw_d = bench_now() - t0;
	printf("bench fec_encode: %.1f MiB/s of data (raw isa-l %.1f MiB/s, ratio %.2f)\n", mib_s(ours_e),
	    mib_s(raw_e), raw_e / ours_e);
	printf("bench fec_rebuild: %.1f MiB/s of data (raw isa-l %.1f MiB/s, ratio %.2f)\n", mib_s(ours_d),
	    mib_s(raw_d), raw_d / ours_d);
	for (i = 0; i < K + M; i++)
		free(blk[i]);
	for (i = 0; i < K; i++)
		free(out[i]);
	return 0;
}

/* ---- a splitfile read from memory ---- */

struct rec {
	uint8_t rkey[CHK_KEY_LEN];
	uint32_t at;
	uint8_t lost;
};

static struct rec *recs;
static uint8_t *store;
static size_t nrec, cap;
static struct fetch *fetch;
static int ended, status;

static int
emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	(void)ctx;
	if (nrec == cap) {
		cap = cap ? cap * 2 : 1024;
		if (!(recs = realloc(recs, cap * sizeof(*recs))) || !(store = realloc(store, cap * CHK_BLOCK_LEN)))
			return -1;
	}
	memcpy(recs[nrec].rkey, k->routing, CHK_KEY_LEN);
	recs[nrec].at = (uint32_t)nrec;
	recs[nrec].lost = 0;
	memcpy(store + nrec * CHK_BLOCK_LEN, block, CHK_BLOCK_LEN);
	nrec++;
	return 0;
}

static int
by_key(const void *a, const void *b)
{
	return memcmp(a, b, CHK_KEY_LEN);
}

static void
get(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	struct rec *r = bsearch(rkey, recs, nrec, sizeof(*recs), by_key);

	(void)ctx;
	if (!r || r->lost)
		fetch_block_done(f, tag, FETCH_NOTFOUND, NULL, 0);
	else
		fetch_block_done(f, tag, FETCH_OK, store + (size_t)r->at * CHK_BLOCK_LEN, CHK_BLOCK_LEN);
}

static void start(void *ctx, uint64_t len, const char *mime) { (void)ctx; (void)len; (void)mime; }
static int data(void *ctx, const uint8_t *p, size_t len) { (void)ctx; (void)p; (void)len; return 0; }
static void end(void *ctx, enum fetch_status st, const char *why) { (void)ctx; (void)why; ended = 1; status = st; }

static double
read_file(const struct chk_keys *root)
{
	static const struct fetch_source src = { get, NULL };
	static const struct fetch_sink sink = { start, data, end };
	double t0 = bench_now();

	ended = 0;
	if (fetch_new(&fetch, root, 0, 0, UINT64_MAX, &src, NULL, &sink, NULL) != 0)
		return -1;
	fetch_start(fetch);
	fetch_free(fetch);
	return ended && status == FETCH_OK ? bench_now() - t0 : -1;
}

static int
bench_damaged(void)
{
	struct tree_enc *e;
	struct chk_keys root;
	uint8_t *file = malloc((size_t)FILE_MB << 20);
	double whole, damaged;
	size_t i, lost = 0;

	if (!file || tree_enc_new_fec(&e, NULL, K, M, emit, NULL) != 0)
		return 1;
	randombytes_buf(file, (size_t)FILE_MB << 20);
	if (tree_enc_write(e, file, (size_t)FILE_MB << 20) != 0 || tree_enc_finish(e, &root) != 0)
		return 1;
	tree_enc_free(e);
	free(file);
	qsort(recs, nrec, sizeof(*recs), by_key);
	whole = read_file(&root);
	for (i = 0; i < nrec; i++)
		if (memcmp(recs[i].rkey, root.routing, CHK_KEY_LEN) != 0 && randombytes_uniform(100) < 30) {
			recs[i].lost = 1;
			lost++;
		}
	damaged = read_file(&root);
	if (whole <= 0 || damaged <= 0)
		return 1;
	printf("bench fec_fetch_damaged: %d MiB with %zu of %zu blocks lost in %.0f ms (whole %.0f ms, ratio %.2f)\n",
	    FILE_MB, lost, nrec, damaged * 1000, whole * 1000, whole / damaged);
	free(recs);
	free(store);
	return 0;
}

int
bench_fec(void)
{
	return bench_code() || bench_damaged();
}
