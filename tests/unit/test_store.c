#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "crypto/block.h"
#include "crypto/chk.h"
#include "store/store.h"
#include "tests/unit/suites.h"

static char dir[64];
static char err[1024];
static uint8_t blk[CHK_BLOCK_LEN], out[CHK_BLOCK_LEN];

/* The sealed case runs the same tests under a key (store_config.seal). */
static const uint8_t *seal;
static const uint8_t SEAL_KEY[32] = { 1, 2, 3, 4 };

static void setup(void);

static void
setup_sealed(void)
{
	seal = SEAL_KEY;
	setup();
}

static void
setup_plain(void)
{
	seal = NULL;
	setup();
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/wisp-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct store *
open_store(uint64_t cap, unsigned cache)
{
	struct store_config cfg = { cap, cache, 0, seal };
	struct store *s = NULL;
	int rc = store_open(&s, dir, &cfg, err, sizeof(err));

	ck_assert_msg(rc == 0, "store_open: %s", err);
	return s;
}

/* make_block: the CHK block of a counter, so tests can name blocks by number. */
static void
make_block(uint32_t n, struct chk_keys *k)
{
	uint8_t data[64];

	memset(data, 0, sizeof(data));
	memcpy(data, &n, sizeof(n));
	ck_assert_int_eq(chk_encode(blk, k, data, sizeof(data)), 0);
}

static int
put_n(struct store *s, uint32_t n, enum store_part part)
{
	struct chk_keys k;

	make_block(n, &k);
	return store_put(s, k.routing, blk, CHK_BLOCK_LEN, part);
}

static int
has_n(struct store *s, uint32_t n)
{
	struct chk_keys k;

	make_block(n, &k);
	return store_has(s, k.routing);
}

START_TEST(test_store_roundtrip)
{
	struct store *s = open_store(8 << 20, 50);
	struct store_stats st;
	struct chk_keys k;
	size_t len;

	make_block(1, &k);
	ck_assert_int_eq(store_has(s, k.routing), 0);
	ck_assert_int_eq(store_get(s, k.routing, out, sizeof(out), &len), WISP_ERR_NOTFOUND);
	ck_assert_int_eq(store_put(s, k.routing, blk, CHK_BLOCK_LEN, STORE_PART_CACHE), 0);
	ck_assert_int_eq(store_put(s, k.routing, blk, CHK_BLOCK_LEN, STORE_PART_CACHE), 0);
	ck_assert_int_eq(store_has(s, k.routing), 1);
	ck_assert_int_eq(store_get(s, k.routing, out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, CHK_BLOCK_LEN);
	ck_assert_mem_eq(out, blk, CHK_BLOCK_LEN);
	ck_assert_int_eq(store_get(s, k.routing, out, 100, &len), WISP_ERR_TOOBIG);
	store_stats(s, &st);
	ck_assert_uint_eq(st.blocks, 1);
	ck_assert_uint_eq(st.part[STORE_PART_CACHE].blocks, 1);
	ck_assert_uint_eq(st.bytes, store_cost(s, CHK_BLOCK_LEN));
	/* Put again into the store partition: it moves, counted once. */
	ck_assert_int_eq(store_put(s, k.routing, blk, CHK_BLOCK_LEN, STORE_PART_STORE), 0);
	store_stats(s, &st);
	ck_assert_uint_eq(st.part[STORE_PART_CACHE].blocks, 0);
	ck_assert_uint_eq(st.part[STORE_PART_STORE].blocks, 1);
	ck_assert_int_eq(store_remove(s, k.routing), 0);
	ck_assert_int_eq(store_remove(s, k.routing), WISP_ERR_NOTFOUND);
	store_stats(s, &st);
	ck_assert_uint_eq(st.blocks, 0);
	ck_assert_uint_eq(st.bytes, 0);
	ck_assert_int_eq(store_put(s, k.routing, blk, 0, STORE_PART_CACHE), WISP_ERR_INVAL);
	store_close(s);
}
END_TEST

START_TEST(test_store_eviction_order)
{
	struct store *s = open_store(4 << 20, 50);
	struct store_stats st;
	struct chk_keys k;
	uint32_t i, fit;
	size_t len;

	fit = (uint32_t)((4u << 20) / 2 / store_cost(s, CHK_BLOCK_LEN));
	for (i = 0; i < fit; i++)
		ck_assert_int_eq(put_n(s, i, STORE_PART_CACHE), 0);
	store_stats(s, &st);
	ck_assert_uint_eq(st.part[STORE_PART_CACHE].blocks, fit);
	ck_assert_uint_eq(st.evicted, 0);
	/* Reading block 0 makes block 1 the least recently used. */
	make_block(0, &k);
	ck_assert_int_eq(store_get(s, k.routing, out, sizeof(out), &len), 0);
	ck_assert_int_eq(put_n(s, fit, STORE_PART_CACHE), 0);
	ck_assert_int_eq(has_n(s, 0), 1);
	ck_assert_int_eq(has_n(s, 1), 0);
	ck_assert_int_eq(has_n(s, 2), 1);
	ck_assert_int_eq(put_n(s, fit + 1, STORE_PART_CACHE), 0);
	ck_assert_int_eq(has_n(s, 2), 0);
	ck_assert_int_eq(has_n(s, 0), 1);
	store_stats(s, &st);
	ck_assert_uint_eq(st.evicted, 2);
	ck_assert_uint_le(st.part[STORE_PART_CACHE].bytes, st.part[STORE_PART_CACHE].capacity);
	store_close(s);
}
END_TEST

START_TEST(test_store_partitions)
{
	struct store *s = open_store(4 << 20, 50);
	struct store_stats st;
	uint32_t i;

	for (i = 0; i < 10; i++)
		ck_assert_int_eq(put_n(s, 1000 + i, STORE_PART_STORE), 0);
	/* A flood of passing traffic, far beyond the cache... */
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(put_n(s, i, STORE_PART_CACHE), 0);
	/* ...leaves what was inserted here alone. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(has_n(s, 1000 + i), 1);
	store_stats(s, &st);
	ck_assert_uint_eq(st.part[STORE_PART_STORE].blocks, 10);
	ck_assert_uint_le(st.bytes, st.capacity);
	store_close(s);
}
END_TEST

/* An insert in progress never evicts its own blocks: with the guard at its
 * first write, older inserts go first, then the put fails whole. */
START_TEST(test_store_guard)
{
	struct store *s = open_store(4 << 20, 50);
	struct store_stats st;
	uint32_t i, fit;

	fit = (uint32_t)((4u << 20) / 2 / store_cost(s, CHK_BLOCK_LEN));
	for (i = 0; i < 10; i++) /* an earlier insert */
		ck_assert_int_eq(put_n(s, 5000 + i, STORE_PART_STORE), 0);
	store_guard(s, store_seq(s) + 1);
	for (i = 0; i < fit; i++)
		ck_assert_int_eq(put_n(s, i, STORE_PART_STORE), 0);
	ck_assert_int_eq(put_n(s, fit, STORE_PART_STORE), WISP_ERR_FULL);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "inserts still in progress"));
	for (i = 0; i < fit; i++)
		ck_assert_int_eq(has_n(s, i), 1);
	ck_assert_int_eq(has_n(s, fit), 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(has_n(s, 5000 + i), 0);
	store_stats(s, &st);
	ck_assert_uint_eq(st.part[STORE_PART_STORE].evicted, 10);
	ck_assert_uint_eq(st.part[STORE_PART_CACHE].evicted, 0);
	/* The cache is not guarded, and the guard lifts. */
	ck_assert_int_eq(put_n(s, 9000, STORE_PART_CACHE), 0);
	store_guard(s, 0);
	ck_assert_int_eq(put_n(s, fit, STORE_PART_STORE), 0);
	ck_assert_int_eq(has_n(s, 0), 0);
	store_stats(s, &st);
	ck_assert_uint_eq(st.part[STORE_PART_STORE].evicted, 11);
	store_close(s);
}
END_TEST

struct tally { uint64_t blocks[2], bytes[2], bad; struct store *s; };

static int
tally_block(void *ctx, const uint8_t rkey[STORE_KEY_LEN], const uint8_t *block, size_t len,
    enum store_part part)
{
	struct tally *t = ctx;

	t->blocks[part]++;
	t->bytes[part] += store_cost(t->s, len);
	if (block_verify(block, len, rkey) != 0)
		t->bad++;
	return 0;
}

static void
check_consistent(struct store *s)
{
	struct tally t = { .s = s };
	struct store_stats st;
	int i;

	ck_assert_int_eq(store_each(s, tally_block, &t), 0);
	store_stats(s, &st);
	ck_assert_uint_eq(t.bad, 0);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(t.blocks[i], st.part[i].blocks);
		ck_assert_uint_eq(t.bytes[i], st.part[i].bytes);
	}
}

START_TEST(test_store_capacity_on_disk)
{
	uint64_t cap = 16 << 20;
	struct store *s = open_store(cap, 50);
	struct store_stats st;
	char path[128];
	struct stat sb;
	uint32_t i;

	for (i = 0; i < 2000; i++)
		ck_assert_int_eq(put_n(s, i, i % 3 ? STORE_PART_CACHE : STORE_PART_STORE), 0);
	store_stats(s, &st);
	ck_assert_uint_le(st.bytes, cap);
	ck_assert_uint_gt(st.bytes, cap * 8 / 10);
	check_consistent(s);
	store_close(s);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_msg((uint64_t)sb.st_blocks * 512 <= cap + cap / 10 + (8 << 20),
	    "data.mdb uses %lld bytes for capacity %llu", (long long)sb.st_blocks * 512,
	    (unsigned long long)cap);
}
END_TEST

START_TEST(test_store_reopen_keeps_order)
{
	struct store *s = open_store(4 << 20, 50);
	struct store_stats a, b;
	struct chk_keys k;
	uint32_t i, fit;
	size_t len;

	fit = (uint32_t)((4u << 20) / 2 / store_cost(s, CHK_BLOCK_LEN));
	for (i = 0; i < fit; i++)
		ck_assert_int_eq(put_n(s, i, STORE_PART_CACHE), 0);
	make_block(0, &k);
	ck_assert_int_eq(store_get(s, k.routing, out, sizeof(out), &len), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, "alice", 5, "ref", 3), 0);
	store_stats(s, &a);
	ck_assert_uint_eq(a.part[STORE_PART_CACHE].hits, 1); /* the get above */
	ck_assert_uint_eq(a.part[STORE_PART_STORE].hits, 0);
	store_close(s);
	s = open_store(4 << 20, 50);
	store_stats(s, &b);
	ck_assert_uint_eq(b.part[STORE_PART_CACHE].hits, 0); /* counted since open */
	a.part[STORE_PART_CACHE].hits = 0;
	ck_assert_mem_eq(&a, &b, sizeof(a));
	/* The touch of block 0 was flushed at close: block 1 goes first. */
	ck_assert_int_eq(put_n(s, fit, STORE_PART_CACHE), 0);
	ck_assert_int_eq(has_n(s, 0), 1);
	ck_assert_int_eq(has_n(s, 1), 0);
	check_consistent(s);
	store_close(s);
	/* A smaller capacity on reopen evicts down to it. */
	s = open_store(2 << 20, 50);
	store_stats(s, &b);
	ck_assert_uint_le(b.part[STORE_PART_CACHE].bytes, (1u << 20));
	check_consistent(s);
	store_close(s);
}
END_TEST

static int
count_kv(void *ctx, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
	(void)k; (void)v;
	*(size_t *)ctx += kl + vl;
	return 0;
}

START_TEST(test_store_kv_tables)
{
	struct store *s = open_store(4 << 20, 50);
	size_t n = 0;

	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, "a", 1, "xyz", 3), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, "b", 1, "", 0), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_RTABLE, "k", 1, "v", 1), 0);
	ck_assert_int_eq(store_kv_each(s, STORE_T_PEERS, count_kv, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(store_kv_del(s, STORE_T_PEERS, "a", 1), 0);
	ck_assert_int_eq(store_kv_del(s, STORE_T_PEERS, "a", 1), WISP_ERR_NOTFOUND);
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_kv_clear(s, STORE_T_RTABLE), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_RTABLE, "j", 1, "w", 1), 0);
	ck_assert_int_eq(store_commit(s), 0);
	n = 0;
	ck_assert_int_eq(store_kv_each(s, STORE_T_RTABLE, count_kv, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, "", 0, "x", 1), WISP_ERR_INVAL);
	store_close(s);
}
END_TEST

START_TEST(test_store_batch_abort)
{
	struct store *s = open_store(4 << 20, 50);
	struct store_stats st;

	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(put_n(s, 1, STORE_PART_STORE), 0);
	ck_assert_int_eq(put_n(s, 2, STORE_PART_STORE), 0);
	store_abort(s);
	ck_assert_int_eq(has_n(s, 1), 0);
	store_stats(s, &st);
	ck_assert_uint_eq(st.blocks, 0);
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(put_n(s, 1, STORE_PART_STORE), 0);
	ck_assert_int_eq(put_n(s, 2, STORE_PART_STORE), 0);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(has_n(s, 2), 1);
	check_consistent(s);
	store_close(s);
}
END_TEST

/* A child puts blocks as fast as it can; the parent kills it at a random
 * instant; the store must open consistent with every block verifying. */
START_TEST(test_store_crash_loop)
{
	uint32_t round, base = 0;
	struct store *s;

	for (round = 0; round < 20; round++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct store_config cfg = { 6 << 20, 50, 0, seal };
			uint32_t i;
			if (store_open(&s, dir, &cfg, err, sizeof(err)) != 0)
				_exit(3);
			for (i = 0;; i++) {
				if (i % 7 == 0 && store_begin(s) != 0)
					_exit(4);
				(void)put_n(s, base + i, i % 2 ? STORE_PART_CACHE : STORE_PART_STORE);
				if (i % 7 == 6 && store_commit(s) != 0)
					_exit(4);
				if (i % 11 == 0) {
					struct chk_keys k;
					make_block(base + i / 2, &k);
					if (store_remove(s, k.routing) == WISP_ERR_IO)
						_exit(5);
				}
			}
		}
		usleep(1000 * (5 + (unsigned)randombytes_uniform(60)));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		base += 100000;
	}
	s = open_store(6 << 20, 50);
	check_consistent(s);
	{
		struct store_stats st;
		store_stats(s, &st);
		ck_assert_uint_gt(st.blocks, 0);
	}
	store_close(s);
}
END_TEST

START_TEST(test_store_not_ours)
{
	struct store_config cfg = { 4 << 20, 50, 0, seal };
	struct store *s;
	char path[128];
	int fd;

	/* Random bytes where data.mdb should be. */
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	randombytes_buf(blk, 8192);
	ck_assert_int_eq(write(fd, blk, 8192), 8192);
	close(fd);
	ck_assert_int_eq(store_open(&s, dir, &cfg, err, sizeof(err)), WISP_ERR_MALFORMED);
	ck_assert_ptr_nonnull(strstr(err, dir));
	ck_assert_ptr_nonnull(strstr(err, "not a wisp store"));
}
END_TEST

START_TEST(test_store_foreign_lmdb)
{
	struct store_config cfg = { 4 << 20, 50, 0, seal };
	struct store *s;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, (char[]){ "abc" } }, d = { 3, (char[]){ "def" } };

	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &d, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(&s, dir, &cfg, err, sizeof(err)), WISP_ERR_MALFORMED);
	ck_assert_ptr_nonnull(strstr(err, "not a wisp store"));
}
END_TEST

/* An index record whose partition byte is damaged on disk is an error,
 * not an index into the node's counters (relink and unlink wrote to
 * c.blocks[part] and c.bytes[part] with whatever byte was read). */
START_TEST(test_store_damaged_partition_byte)
{
	struct store *s = open_store(8 << 20, 50);
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, d;
	struct chk_keys keys;
	uint8_t rec[64];
	uint32_t i;

	for (i = 1; i <= 3; i++)
		ck_assert_int_eq(put_n(s, i, STORE_PART_CACHE), 0);
	store_close(s);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_set_mapsize(env, 64 << 20), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "index", 0, &dbi), 0);
	ck_assert_int_eq(mdb_cursor_open(txn, dbi, &cur), 0);
	while (mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0) {
		ck_assert_uint_le(d.mv_size, sizeof(rec));
		memcpy(rec, d.mv_data, d.mv_size);
		rec[0] = 200; /* no such partition */
		d.mv_data = rec;
		ck_assert_int_eq(mdb_cursor_put(cur, &k, &d, MDB_CURRENT), 0);
	}
	mdb_cursor_close(cur);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	s = open_store(8 << 20, 50);
	make_block(1, &keys);
	ck_assert_int_eq(store_put(s, keys.routing, blk, CHK_BLOCK_LEN, STORE_PART_STORE), WISP_ERR_MALFORMED);
	make_block(2, &keys);
	ck_assert_int_eq(store_remove(s, keys.routing), WISP_ERR_MALFORMED);
	make_block(3, &keys);
	{
		size_t n;
		if (store_get(s, keys.routing, out, sizeof(out), &n) == 0)
			ck_assert_int_eq(store_flush(s), WISP_ERR_MALFORMED);
	}
	store_close(s);
}
END_TEST

/* A batch larger than the map's room: LMDB cannot grow the map inside a
 * write transaction, and one that hits MDB_MAP_FULL is lost whole, with
 * every later put of the batch. Each put that says 0 must be on disk
 * after the commit, and the store goes on taking writes. */
START_TEST(test_store_batch_outgrows_map)
{
	struct store *s = open_store(8 << 20, 50);
	uint32_t i, n = 4000; /* 125 MiB of blocks through an 8 MiB store in one batch */
	int rc = 0;

	ck_assert_int_eq(store_begin(s), 0);
	for (i = 0; i < n && rc == 0; i++)
		rc = put_n(s, i, STORE_PART_STORE);
	ck_assert_msg(rc == 0, "put %u of the batch failed: %s", i - 1, store_errmsg(s));
	ck_assert_msg(store_commit(s) == 0, "commit: %s", store_errmsg(s));
	store_close(s);
	s = open_store(8 << 20, 50);
	/* the newest blocks are the ones the store keeps (LRU) */
	for (i = n - 50; i < n; i++)
		ck_assert_msg(has_n(s, i) == 1, "block %u acknowledged but not on disk", i);
	ck_assert_int_eq(put_n(s, n, STORE_PART_STORE), 0);
	ck_assert_int_eq(has_n(s, n), 1);
	store_close(s);
}
END_TEST

START_TEST(test_store_newer_version)
{
	struct store_config cfg = { 4 << 20, 50, 0, seal };
	struct store *s = open_store(4 << 20, 50);
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t v[4] = { 0, 0, 0, 9 };
	MDB_val k = { 7, (char[]){ "version" } }, d = { 4, v };

	store_close(s);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &d, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(&s, dir, &cfg, err, sizeof(err)), WISP_ERR_VERSION);
	ck_assert_ptr_nonnull(strstr(err, "version 9"));
}
END_TEST

START_TEST(test_store_bad_paths)
{
	struct store_config cfg = { 4 << 20, 50, 0, seal }, tiny = { 1000, 50, 0, seal };
	struct store *s;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_ne(store_open(&s, path, &cfg, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not a directory"));
	snprintf(path, sizeof(path), "%s/no/such/dir", dir);
	ck_assert_int_eq(store_open(&s, path, &cfg, err, sizeof(err)), WISP_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_int_eq(store_open(&s, dir, &tiny, err, sizeof(err)), WISP_ERR_INVAL);
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/ro", dir);
		ck_assert_int_eq(mkdir(path, 0500), 0);
		ck_assert_int_eq(store_open(&s, path, &cfg, err, sizeof(err)), WISP_ERR_IO);
		ck_assert_ptr_nonnull(strstr(err, "ermission"));
	}
}
END_TEST

/* A full disk, made by a file-size limit in a child: puts fail with a
 * clear error, and what was committed before is intact. */
START_TEST(test_store_disk_full)
{
	struct store *s = open_store(64 << 20, 50);
	pid_t pid;
	int status;
	uint32_t i;

	for (i = 0; i < 20; i++)
		ck_assert_int_eq(put_n(s, i, STORE_PART_STORE), 0);
	store_close(s);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 3 << 20, 3 << 20 };
		struct store_config cfg = { 64 << 20, 50, 0, seal };
		int failed = 0;
		signal(SIGXFSZ, SIG_IGN);
		if (store_open(&s, dir, &cfg, err, sizeof(err)) != 0)
			_exit(2);
		setrlimit(RLIMIT_FSIZE, &rl);
		for (i = 100; i < 400 && !failed; i++)
			failed = put_n(s, i, STORE_PART_STORE) != 0;
		if (!failed || !strstr(store_errmsg(s), dir))
			_exit(3);
		store_close(s);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	s = open_store(64 << 20, 50);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(has_n(s, i), 1);
	check_consistent(s);
	store_close(s);
}
END_TEST

START_TEST(test_store_parse_size)
{
	uint64_t v;

	ck_assert_int_eq(store_parse_size("256M", &v), 0);
	ck_assert_uint_eq(v, 256ull << 20);
	ck_assert_int_eq(store_parse_size("1G", &v), 0);
	ck_assert_uint_eq(v, 1ull << 30);
	ck_assert_int_eq(store_parse_size("1GiB", &v), 0);
	ck_assert_uint_eq(v, 1ull << 30);
	ck_assert_int_eq(store_parse_size("1048576", &v), 0);
	ck_assert_uint_eq(v, 1048576);
	ck_assert_int_eq(store_parse_size("512k", &v), 0);
	ck_assert_uint_eq(v, 512 << 10);
	ck_assert_int_eq(store_parse_size("", &v), WISP_ERR_MALFORMED);
	ck_assert_int_eq(store_parse_size("G", &v), WISP_ERR_MALFORMED);
	ck_assert_int_eq(store_parse_size("-1", &v), WISP_ERR_MALFORMED);
	ck_assert_int_eq(store_parse_size("1X", &v), WISP_ERR_MALFORMED);
	ck_assert_int_eq(store_parse_size("1GG", &v), WISP_ERR_MALFORMED);
	ck_assert_int_eq(store_parse_size("99999999999999999999", &v), WISP_ERR_MALFORMED);
	ck_assert_int_eq(store_parse_size("99999999999T", &v), WISP_ERR_MALFORMED);
}
END_TEST

/* file_has: does DIR/data.mdb hold |len| bytes of |needle| anywhere? */
static int
file_has(const void *needle, size_t len)
{
	char path[128];
	uint8_t *b;
	long size;
	int found;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(b = malloc((size_t)size));
	ck_assert_uint_eq(fread(b, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	found = memmem(b, (size_t)size, needle, len) != NULL;
	free(b);
	return found;
}

struct seen { uint8_t first[32]; unsigned n; };

static int
note_block(void *ctx, const uint8_t rkey[STORE_KEY_LEN], const uint8_t *block, size_t len, enum store_part part)
{
	struct seen *sn = ctx;

	ck_assert_int_eq(block_verify(block, len, rkey), 0);
	ck_assert_int_eq(part, STORE_PART_STORE);
	if (sn->n++ == 0)
		memcpy(sn->first, rkey, 32);
	return 0;
}

/* Sealed, the file holds no routing key, no block's bytes and no state
 * key or value; it opens only with its own key; store_each still hands
 * out routing keys and blocks, least recently used first. In the clear
 * (the control) the same bytes are there to be found. */
START_TEST(test_store_sealed_hides)
{
	static const uint8_t other[32] = { 9 };
	struct store_config cfg = { 4 << 20, 50, 0, NULL };
	const char friend_key[] = "friend-public-key-0123456789abcd";
	struct chk_keys k0, k1;
	struct seen sn = { { 0 }, 0 };
	struct store *s;

	make_block(0, &k0);
	make_block(1, &k1);
	s = open_store(4 << 20, 50);
	ck_assert_int_eq(put_n(s, 1, STORE_PART_STORE), 0);
	ck_assert_int_eq(put_n(s, 0, STORE_PART_STORE), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, friend_key, 32, "203.0.113.9:4000", 16), 0);
	ck_assert_int_eq(store_each(s, note_block, &sn), 0);
	ck_assert_uint_eq(sn.n, 2);
	ck_assert_mem_eq(sn.first, k1.routing, 32); /* put first: least recent */
	store_close(s);
	make_block(0, &k0);
	ck_assert_int_eq(file_has(k0.routing, 32), seal == NULL);
	ck_assert_int_eq(file_has(blk + 1000, 64), seal == NULL);
	ck_assert_int_eq(file_has(friend_key, 32), seal == NULL);
	ck_assert_int_eq(file_has("203.0.113.9:4000", 16), seal == NULL);
	/* the other kind, and the wrong key, are refused with a reason */
	cfg.seal = seal ? NULL : SEAL_KEY;
	ck_assert_int_eq(store_open(&s, dir, &cfg, err, sizeof(err)), seal ? WISP_ERR_VERIFY : WISP_ERR_VERSION);
	if (seal) {
		cfg.seal = other;
		ck_assert_int_eq(store_open(&s, dir, &cfg, err, sizeof(err)), WISP_ERR_VERIFY);
		ck_assert_ptr_nonnull(strstr(err, "another key"));
	}
}
END_TEST

/* A block changed on disk: sealed, store_get refuses it; in the clear it
 * reads back as a block that fails the callers' block_verify. A sealed
 * state record changed on disk is skipped by store_kv_each, never handed
 * out. */
START_TEST(test_store_sealed_tamper)
{
	struct store *s = open_store(4 << 20, 50);
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, d;
	struct chk_keys key;
	size_t len, n = 0;
	uint8_t *copy;

	ck_assert_int_eq(put_n(s, 5, STORE_PART_STORE), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, "a", 1, "xyz", 3), 0);
	ck_assert_int_eq(store_kv_put(s, STORE_T_PEERS, "b", 1, "uvw", 3), 0);
	store_close(s);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	static const char *const tables[] = { "blocks", "peers" };
	for (unsigned t = 0; t < 2; t++) {
		ck_assert_int_eq(mdb_dbi_open(txn, tables[t], 0, &dbi), 0);
		ck_assert_int_eq(mdb_cursor_open(txn, dbi, &cur), 0);
		ck_assert_int_eq(mdb_cursor_get(cur, &k, &d, MDB_FIRST), 0);
		ck_assert_ptr_nonnull(copy = malloc(d.mv_size));
		memcpy(copy, d.mv_data, d.mv_size);
		copy[d.mv_size - 3] ^= 1;
		d.mv_data = copy;
		ck_assert_int_eq(mdb_cursor_put(cur, &k, &d, MDB_CURRENT), 0);
		free(copy);
		mdb_cursor_close(cur);
	}
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	s = open_store(4 << 20, 50);
	make_block(5, &key);
	if (seal) {
		/* sealed, the store itself refuses it */
		ck_assert_int_eq(store_get(s, key.routing, out, sizeof(out), &len), WISP_ERR_VERIFY);
		ck_assert_ptr_nonnull(strstr(store_errmsg(s), "does not open"));
		ck_assert_int_eq(store_remove(s, key.routing), 0);
	} else {
		ck_assert_int_eq(store_get(s, key.routing, out, sizeof(out), &len), 0);
		ck_assert_int_ne(block_verify(out, len, key.routing), 0);
	}
	ck_assert_int_eq(store_kv_each(s, STORE_T_PEERS, count_kv, &n), 0);
	ck_assert_uint_eq(n, seal ? 4 : 8); /* key and value bytes: sealed, only the sound record */
	ck_assert_uint_eq(store_kv_damaged(s), seal ? 1 : 0);
	store_close(s);
}
END_TEST

Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store"), *ts = tcase_create("sealed");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup_plain, teardown);
	tcase_add_test(tc, test_store_roundtrip);
	tcase_add_test(tc, test_store_eviction_order);
	tcase_add_test(tc, test_store_partitions);
	tcase_add_test(tc, test_store_guard);
	tcase_add_test(tc, test_store_capacity_on_disk);
	tcase_add_test(tc, test_store_reopen_keeps_order);
	tcase_add_test(tc, test_store_kv_tables);
	tcase_add_test(tc, test_store_batch_abort);
	tcase_add_test(tc, test_store_crash_loop);
	tcase_add_test(tc, test_store_not_ours);
	tcase_add_test(tc, test_store_foreign_lmdb);
	tcase_add_test(tc, test_store_newer_version);
	tcase_add_test(tc, test_store_bad_paths);
	tcase_add_test(tc, test_store_disk_full);
	tcase_add_test(tc, test_store_parse_size);
	tcase_add_test(tc, test_store_damaged_partition_byte);
	tcase_add_test(tc, test_store_batch_outgrows_map);
	tcase_add_test(tc, test_store_sealed_hides);
	tcase_add_test(tc, test_store_sealed_tamper);
	suite_add_tcase(s, tc);
	/* the same under a key: store_config.seal */
	tcase_add_checked_fixture(ts, setup_sealed, teardown);
	tcase_set_timeout(ts, 120);
	tcase_add_test(ts, test_store_roundtrip);
	tcase_add_test(ts, test_store_eviction_order);
	tcase_add_test(ts, test_store_partitions);
	tcase_add_test(ts, test_store_guard);
	tcase_add_test(ts, test_store_capacity_on_disk);
	tcase_add_test(ts, test_store_reopen_keeps_order);
	tcase_add_test(ts, test_store_kv_tables);
	tcase_add_test(ts, test_store_batch_abort);
	tcase_add_test(ts, test_store_damaged_partition_byte);
	tcase_add_test(ts, test_store_disk_full);
	tcase_add_test(ts, test_store_batch_outgrows_map);
	tcase_add_test(ts, test_store_sealed_hides);
	tcase_add_test(ts, test_store_sealed_tamper);
	suite_add_tcase(s, ts);
	return s;
}
