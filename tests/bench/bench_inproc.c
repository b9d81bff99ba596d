/* The baseline for the node benchmark: the same encoding as wisp put (an
 * erasure-coded splitfile) and store writes (64 blocks a transaction, as
 * the node does), and the same fetch engine reading the store, done in
 * one process without HTTP or the router.
 *
 * As the limit (limit.sh), the encoding runs on every core as wisp put's
 * does, and each block is also checked against its key, as the node
 * checks what it is handed: the primitives' own speed, with nothing
 * between them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/block.h"
#include "crypto/chk.h"
#include "crypto/fec.h"
#include "crypto/pool.h"
#include "crypto/tree.h"
#include "node/core/fetch.h"
#include "store/store.h"
#include "tests/bench/bench.h"

struct sink { struct store *s; unsigned in_batch; int verify; };

static int
put_block(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct sink *k2 = ctx;

	if (k2->verify && block_verify(block, CHK_BLOCK_LEN, k->routing) != 0)
		return -1;
	if (k2->in_batch == 0 && store_begin(k2->s) != 0)
		return -1;
	if (store_put(k2->s, k->routing, block, CHK_BLOCK_LEN, STORE_PART_STORE) != 0)
		return -1;
	if (++k2->in_batch == 64) {
		k2->in_batch = 0;
		return store_commit(k2->s);
	}
	return 0;
}

static struct store *src_store;
static uint64_t got_bytes;
static int got_status = -1;

static void
src_get(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	static uint8_t blk[CHK_BLOCK_LEN];
	size_t len;

	(void)ctx;
	if (store_get(src_store, rkey, blk, sizeof(blk), &len) || chk_verify(blk, len, rkey))
		fetch_block_done(f, tag, FETCH_NOTFOUND, NULL, 0);
	else
		fetch_block_done(f, tag, FETCH_OK, blk, len);
}

static void sink_start(void *ctx, uint64_t l, const char *m) { (void)ctx; (void)l; (void)m; }
static int sink_data(void *ctx, const uint8_t *p, size_t n) { (void)ctx; (void)p; got_bytes += n; return 0; }
static void sink_end(void *ctx, enum fetch_status st, const char *why) { (void)ctx; (void)why; got_status = st; }

static int
read_doc(struct store *s, const struct chk_keys *root, uint64_t *total)
{
	static const struct fetch_source src = { src_get, NULL };
	static const struct fetch_sink sink = { sink_start, sink_data, sink_end };
	struct fetch *f;

	src_store = s;
	if (fetch_new(&f, root, 0, 0, UINT64_MAX, &src, NULL, &sink, NULL) != 0)
		return -1;
	fetch_start(f);
	fetch_free(f);
	*total = got_bytes;
	return got_status == FETCH_OK ? 0 : -1;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* best: the limit's time for work that took |wall| and |cpu| seconds:
 * what it took, or its processor time spread over every core, whichever
 * is less (a pipeline as fine as one could make it would reach that). */
static double
best(double wall, double cpu)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	double spread = cpu / (double)(cores > 0 ? cores : 1);

	return spread < wall ? spread : wall;
}

int
bench_inproc(const char *dir, const char *file, int limit)
{
	static const uint8_t seal[32] = { 42 }; /* sealed, as every node's store is */
	struct store_config cfg = { 8ull << 30, 50, STORE_MAP_BUDGET_DEFAULT, seal };
	struct sink sk = { .verify = limit };
	struct pool *pool = NULL;
	struct tree_enc *e;
	struct chk_keys root;
	static uint8_t buf[1 << 20];
	char err[600];
	uint64_t size = 0, got = 0;
	double t0, tp, tg, c0, cp, cg;
	ssize_t n;
	int fd = open(file, O_RDONLY);

	if (fd < 0 || store_open(&sk.s, dir, &cfg, err, sizeof(err)) != 0 ||
	    tree_enc_new_fec(&e, NULL, FEC_K_DEFAULT, FEC_M_DEFAULT, put_block, &sk) != 0 ||
	    (limit && pool_new(&pool, 0) != 0))
		return 1;
	tree_enc_set_pool(e, pool);
	t0 = bench_now();
	c0 = cpu_now();
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (tree_enc_write(e, buf, (size_t)n) != 0)
			return 1;
		size += (uint64_t)n;
	}
	if (tree_enc_finish(e, &root) != 0 || (sk.in_batch && store_commit(sk.s) != 0))
		return 1;
	tp = bench_now() - t0;
	cp = cpu_now() - c0;
	tree_enc_free(e);
	pool_free(pool);
	close(fd);
	t0 = bench_now();
	c0 = cpu_now();
	if (read_doc(sk.s, &root, &got) != 0 || got != size)
		return 1;
	tg = bench_now() - t0;
	cg = cpu_now() - c0;
	if (limit) {
		tp = best(tp, cp);
		tg = best(tg, cg);
	}
	store_close(sk.s);
	printf("%.1f %.1f\n", (double)size / tp / 1048576, (double)size / tg / 1048576);
	return 0;
}
