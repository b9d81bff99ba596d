/* store_put / store_get against raw LMDB put / get of the same blocks,
 * with the same environment flags, in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>
#include <sodium.h>

#include "crypto/block.h"
#include "crypto/chk.h"
#include "store/store.h"
#include "tests/bench/bench.h"

enum { N = 3000 };

static uint8_t (*keys)[32];
static uint8_t *blocks;
static uint32_t *order;

static void
make_blocks(void)
{
	struct chk_keys k;
	uint8_t data[256];
	uint32_t i;

	keys = malloc((size_t)N * 32);
	blocks = malloc((size_t)N * CHK_BLOCK_LEN);
	order = malloc(N * sizeof(*order));
	for (i = 0; i < N; i++) {
		randombytes_buf(data, sizeof(data));
		if (chk_encode(blocks + (size_t)i * CHK_BLOCK_LEN, &k, data, sizeof(data)) != 0)
			abort();
		memcpy(keys[i], k.routing, 32);
		order[i] = i;
	}
	for (i = N - 1; i > 0; i--) { /* shuffled read order */
		uint32_t j = randombytes_uniform(i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static int
raw_lmdb(const char *dir, double *put_s, double *get_s)
{
	static uint8_t out[CHK_BLOCK_LEN];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, d;
	double t0;
	uint32_t i;

	mkdir(dir, 0700);
	if (mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)1 << 32) ||
	    mdb_env_set_maxdbs(env, 4) || mdb_env_open(env, dir, MDB_NOMETASYNC, 0600))
		return 1;
	if (mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, "blocks", MDB_CREATE, &dbi) ||
	    mdb_txn_commit(txn))
		return 1;
	t0 = bench_now();
	for (i = 0; i < N; i++) {
		k.mv_size = 32;
		k.mv_data = keys[i];
		d.mv_size = CHK_BLOCK_LEN;
		d.mv_data = blocks + (size_t)i * CHK_BLOCK_LEN;
		if (mdb_txn_begin(env, NULL, 0, &txn) || mdb_put(txn, dbi, &k, &d, 0) || mdb_txn_commit(txn))
			return 1;
	}
	*put_s = bench_now() - t0;
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn))
		return 1;
	mdb_txn_reset(txn);
	t0 = bench_now();
	for (i = 0; i < N; i++) {
		k.mv_size = 32;
		k.mv_data = keys[order[i]];
		if (mdb_txn_renew(txn) || mdb_get(txn, dbi, &k, &d))
			return 1;
		memcpy(out, d.mv_data, d.mv_size);
		mdb_txn_reset(txn);
	}
	*get_s = bench_now() - t0;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return 0;
}

/* wisp_store: puts, gets, then gets checked as the node checks what it
 * reads (block_verify), under |seal| or in the clear. */
static int
wisp_store(const char *dir, uint64_t budget, const uint8_t *seal, double *put_s, double *get_s, double *read_s)
{
	static uint8_t out[CHK_BLOCK_LEN];
	struct store_config cfg = { (uint64_t)N * 40000 * 2, 50, budget, seal };
	struct store *s;
	char err[600];
	double t0;
	size_t len;
	uint32_t i;

	if (store_open(&s, dir, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = bench_now();
	for (i = 0; i < N; i++)
		if (store_put(s, keys[i], blocks + (size_t)i * CHK_BLOCK_LEN, CHK_BLOCK_LEN,
		    STORE_PART_CACHE) != 0)
			return 1;
	*put_s = bench_now() - t0;
	t0 = bench_now();
	for (i = 0; i < N; i++)
		if (store_get(s, keys[order[i]], out, sizeof(out), &len) != 0)
			return 1;
	if (store_flush(s) != 0)
		return 1;
	*get_s = bench_now() - t0;
	t0 = bench_now();
	for (i = 0; i < N; i++)
		if (store_get(s, keys[order[i]], out, sizeof(out), &len) != 0 ||
		    (!store_sealed(s) && block_verify(out, len, keys[order[i]]) != 0))
			return 1;
	*read_s = bench_now() - t0;
	store_close(s);
	return 0;
}

int
bench_store(const char *tmpdir)
{
	static const uint8_t seal[32] = { 42 };
	char a[256], b[256], c[256], d[256];
	double rp, rg, wp, wg, wr, up, ug, ur, sp, sg, sr;

	make_blocks();
	snprintf(a, sizeof(a), "%s/raw", tmpdir);
	snprintf(b, sizeof(b), "%s/store", tmpdir);
	snprintf(c, sizeof(c), "%s/store-bounded", tmpdir);
	snprintf(d, sizeof(d), "%s/store-sealed", tmpdir);
	if (raw_lmdb(a, &rp, &rg) || wisp_store(b, 0, NULL, &wp, &wg, &wr) ||
	    wisp_store(c, STORE_MAP_BUDGET_DEFAULT, NULL, &up, &ug, &ur) || wisp_store(d, 0, seal, &sp, &sg, &sr)) {
		fprintf(stderr, "bench store: failed\n");
		return 1;
	}
	printf("bench store_put: %.0f blocks/s (raw lmdb %.0f blocks/s, ratio %.2f)\n",
	    N / wp, N / rp, rp / wp);
	printf("bench store_get: %.0f blocks/s (raw lmdb %.0f blocks/s, ratio %.2f)\n",
	    N / wg, N / rg, rg / wg);
	/* The same with the resident-set bound wispd runs with
	 * (store-map-budget): its price is page faults on reads past 24 MiB. */
	printf("bench store_get_rss_bounded: %.0f blocks/s (raw lmdb %.0f blocks/s, ratio %.2f)\n",
	    N / ug, N / rg, rg / ug);
	/* Sealed (every data directory since December 2026): the price of
	 * the keyed slot and of XChaCha20-Poly1305 over each block, against
	 * the store in the clear; and a read as the node does it, checked: a
	 * sealed store's tag stands for the BLAKE2b of the block. */
	printf("bench store_put_sealed: %.0f blocks/s (in the clear %.0f blocks/s, ratio %.2f)\n",
	    N / sp, N / wp, wp / sp);
	printf("bench store_get_sealed: %.0f blocks/s (in the clear %.0f blocks/s, ratio %.2f)\n",
	    N / sg, N / wg, wg / sg);
	printf("bench store_read_checked_sealed: %.0f blocks/s (in the clear %.0f blocks/s, ratio %.2f)\n",
	    N / sr, N / wr, wr / sr);
	free(keys);
	free(blocks);
	free(order);
	return 0;
}
