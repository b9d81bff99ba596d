/* storetool: test-only surgery on a stopped node's store, through LMDB
 * directly (never linked into wispd).
 *   storetool corrupt STOREDIR N   flip one byte in N blocks
 *   storetool drop STOREDIR PCT    delete PCT% of the blocks
 *   storetool count STOREDIR       print the number of blocks
 *   storetool verify STOREDIR      print "N ok M bad": every block checked
 *                                  against its routing key (a sealed store
 *                                  is opened with STOREDIR/../master.key,
 *                                  which must be in the clear)
 *   storetool table STOREDIR NAME  print the number of entries of table NAME
 *                                  (peers, rtable, invites; 0 if absent) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "crypto/block.h"
#include "crypto/seal.h"
#include "store/store.h"

static long verified, bad;

static int
verify_one(void *ctx, const uint8_t rkey[STORE_KEY_LEN], const uint8_t *block, size_t len, enum store_part part)
{
	(void)ctx;
	(void)part;
	if (block_verify(block, len, rkey) == 0)
		verified++;
	else
		bad++;
	return 0;
}

/* verify opens the store as wispd does, with the node's key if it has one. */
static int
verify(const char *dir)
{
	char path[4200], err[1024];
	uint8_t file[SEAL_KEYFILE_MAX + 1], master[32], key[32];
	struct store_config sc = { 1ull << 34, 50, 0, NULL };
	struct store_stats st;
	struct store *s;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/../master.key", dir);
	if ((f = fopen(path, "rb"))) {
		n = fread(file, 1, sizeof(file), f);
		fclose(f);
		if (seal_keyfile_open(master, file, n, NULL, 0) != 0)
			return fprintf(stderr, "storetool: %s: not a key in the clear\n", path), 1;
		seal_subkey(key, master, SEAL_USE_STORE);
		sc.seal = key;
	}
	if (store_open(&s, dir, &sc, err, sizeof(err)) != 0)
		return fprintf(stderr, "storetool: %s\n", err), 1;
	if (store_each(s, verify_one, NULL) != 0)
		return fprintf(stderr, "storetool: %s\n", store_errmsg(s)), 1;
	store_stats(s, &st);
	store_close(s);
	/* store_each passes over a sealed block that does not open: bad too */
	printf("%ld ok %ld bad\n", verified, (long)st.blocks - verified);
	return 0;
}

static int
die(const char *what, int rc)
{
	fprintf(stderr, "storetool: %s: %s\n", what, mdb_strerror(rc));
	return 1;
}

int
main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi blocks, index;
	MDB_cursor *cur;
	MDB_val k, d;
	long want = argc > 3 ? atol(argv[3]) : 0, done = 0, seen = 0;
	int rc;

	if (argc < 3)
		return fprintf(stderr, "usage: storetool corrupt|drop|count|verify|table STOREDIR [N|NAME]\n"), 2;
	if (strcmp(argv[1], "verify") == 0)
		return verify(argv[2]);
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 16)) ||
	    (rc = mdb_env_set_mapsize(env, (size_t)1 << 36)) || (rc = mdb_env_open(env, argv[2], 0, 0600)))
		return die("open", rc);
	if (strcmp(argv[1], "table") == 0 && argc > 3) {
		MDB_dbi t;
		MDB_stat st;
		if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)))
			return die("txn", rc);
		rc = mdb_dbi_open(txn, argv[3], 0, &t);
		if (rc == MDB_NOTFOUND)
			st.ms_entries = 0;
		else if (rc || (rc = mdb_stat(txn, t, &st)))
			return die("table", rc);
		printf("%zu\n", st.ms_entries);
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return 0;
	}
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, "blocks", 0, &blocks)) ||
	    (rc = mdb_dbi_open(txn, "index", 0, &index)) || (rc = mdb_cursor_open(txn, blocks, &cur)))
		return die("txn", rc);
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		seen++;
		if (strcmp(argv[1], "verify") == 0) {
			if (k.mv_size != BLOCK_KEY_LEN || block_verify(d.mv_data, d.mv_size, k.mv_data) != 0)
				done++;
		} else if (strcmp(argv[1], "corrupt") == 0 && done < want) {
			unsigned char *copy = malloc(d.mv_size);
			MDB_val nd = { d.mv_size, copy };
			memcpy(copy, d.mv_data, d.mv_size);
			copy[d.mv_size / 2] ^= 0x55;
			if ((rc = mdb_cursor_put(cur, &k, &nd, MDB_CURRENT)))
				return die("put", rc);
			free(copy);
			done++;
		} else if (strcmp(argv[1], "drop") == 0 && (seen * 7919) % 100 < want) {
			/* Leave the index entry: the store must cope with a block
			 * lost under it, as after disk damage. */
			if ((rc = mdb_cursor_del(cur, 0)))
				return die("del", rc);
			done++;
		}
	}
	mdb_cursor_close(cur);
	if ((rc = mdb_txn_commit(txn)))
		return die("commit", rc);
	mdb_env_close(env);
	if (strcmp(argv[1], "verify") == 0)
		printf("%ld ok %ld bad\n", seen - done, done);
	else
		printf("%ld\n", strcmp(argv[1], "count") == 0 ? seen : done);
	return 0;
}
