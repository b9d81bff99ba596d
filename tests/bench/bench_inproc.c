/* The baseline for the node benchmark: the same CHK encoding and store
 * writes (64 blocks a transaction, as the node does), and the same tree
 * walk and block reads, done in one process without HTTP. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/chk.h"
#include "crypto/tree.h"
#include "store/store.h"
#include "tests/bench/bench.h"

struct sink { struct store *s; unsigned in_batch; };

static int
put_block(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct sink *k2 = ctx;

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

static int
read_doc(struct store *s, const struct chk_keys *root, uint64_t *total)
{
	static uint8_t blk[CHK_BLOCK_LEN], plain[CHK_PAYLOAD_LEN];
	struct tree_reader *r;
	struct tree_want w;
	size_t len, n;
	int st;

	if (store_get(s, root->routing, blk, sizeof(blk), &len) || chk_verify(blk, len, root->routing) ||
	    chk_decode(plain, &n, blk, len, root->crypto) || tree_reader_new(&r, plain, n))
		return -1;
	while ((st = tree_reader_next(r, &w)) > 0) {
		if (st == TREE_INLINE) {
			*total += w.len;
			continue;
		}
		if (store_get(s, w.keys.routing, blk, sizeof(blk), &len) || chk_verify(blk, len, w.keys.routing) ||
		    chk_decode(plain, &n, blk, len, w.keys.crypto))
			return -1;
		if (st == TREE_NEED_INDEX && tree_reader_feed_index(r, plain, n))
			return -1;
		if (st == TREE_NEED_DATA)
			*total += n;
	}
	tree_reader_free(r);
	return st;
}

int
bench_inproc(const char *dir, const char *file)
{
	struct store_config cfg = { 4ull << 30, 50, STORE_MAP_BUDGET_DEFAULT };
	struct sink sk = { 0 };
	struct tree_enc *e;
	struct chk_keys root;
	static uint8_t buf[1 << 20];
	char err[600];
	uint64_t size = 0, got = 0;
	double t0, tp, tg;
	ssize_t n;
	int fd = open(file, O_RDONLY);

	if (fd < 0 || store_open(&sk.s, dir, &cfg, err, sizeof(err)) != 0 ||
	    tree_enc_new(&e, NULL, put_block, &sk) != 0)
		return 1;
	t0 = bench_now();
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (tree_enc_write(e, buf, (size_t)n) != 0)
			return 1;
		size += (uint64_t)n;
	}
	if (tree_enc_finish(e, &root) != 0 || (sk.in_batch && store_commit(sk.s) != 0))
		return 1;
	tp = bench_now() - t0;
	tree_enc_free(e);
	close(fd);
	t0 = bench_now();
	if (read_doc(sk.s, &root, &got) != 0 || got != size)
		return 1;
	tg = bench_now() - t0;
	store_close(sk.s);
	printf("%.1f %.1f\n", (double)size / tp / 1048576, (double)size / tg / 1048576);
	return 0;
}
