/* store.c: the block store (store.h) on LMDB. The file, in order: the
 * LRU keys and the counters; write transactions and growing the map;
 * opening and closing; blocks (the index, eviction, recency); the map's
 * resident pages; writing blocks, one or a batch; reading; flushing,
 * counting, listing; sizes as people write them. The sealing is in
 * store_seal.c, the small key/value tables in kv.c; all three share
 * store_int.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "crypto/bytes.h"
#include "store/store.h"
#include "store/store_int.h"


struct store;
static int flush_touches(struct store *s, MDB_txn *txn);
static void trim_now(struct store *s);
static int evict(struct store *s, MDB_txn *txn, unsigned part, uint64_t need);

static const char MAGIC[] = "wisp-store";
static const char *const TABLE_NAMES[STORE_NTABLES] = { "peers", "rtable", "invites" };

int
store_fail(struct store *s, int rc, const char *what)
{
	if (rc == RC_GUARDED) {
		snprintf(s->err, sizeof(s->err), "the store's room for inserts is full of inserts still in progress");
		return WISP_ERR_FULL;
	}
	snprintf(s->err, sizeof(s->err), "store %s: %s: %s", s->path, what,
	    rc == MDB_MAP_FULL ? "map full" : mdb_strerror(rc));
	if (rc == MDB_NOTFOUND)
		return WISP_ERR_NOTFOUND;
	if (rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND)
		return WISP_ERR_MALFORMED;
	if (rc == ENOMEM)
		return WISP_ERR_NOMEM;
	return WISP_ERR_IO;
}

uint64_t
store_cost(const struct store *s, size_t len)
{
	/* Values over half a page live on their own run of overflow pages,
	 * with a 16-byte page header; smaller ones share leaf pages. */
	uint64_t foot;

	if (s->sealed)
		len += SEALED_OVERHEAD;
	foot = len > s->psize / 2 ? (len + 16 + s->psize - 1) / s->psize * s->psize : len + 16;

	return foot + ENTRY_OVERHEAD;
}

/* ---- the LRU keys and the counters ---- */

static void
lru_key(uint8_t k[LRU_KEY_LEN], unsigned part, uint64_t seq)
{
	k[0] = (uint8_t)part;
	store_u64be(k + 1, seq);
}

static int
save_counters(struct store *s, MDB_txn *txn)
{
	uint8_t v[8 * (2 + 2 * STORE_NPARTS)], *p = v;
	MDB_val k = { 8, UNCONST("counters") }, d = { sizeof(v), v };
	int i;

	store_u64be(p, s->c.seq), p += 8;
	store_u64be(p, s->c.evicted), p += 8;
	for (i = 0; i < STORE_NPARTS; i++) {
		store_u64be(p, s->c.blocks[i]), p += 8;
		store_u64be(p, s->c.bytes[i]), p += 8;
	}
	return mdb_put(txn, s->meta, &k, &d, 0);
}

static int
load_counters(struct store *s, MDB_txn *txn)
{
	MDB_val k = { 8, UNCONST("counters") }, d;
	const uint8_t *p;
	int i, rc;

	if ((rc = mdb_get(txn, s->meta, &k, &d)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if (d.mv_size != 8 * (2 + 2 * STORE_NPARTS))
		return MDB_CORRUPTED;
	p = d.mv_data;
	s->c.seq = load_u64be(p), p += 8;
	s->c.evicted = load_u64be(p), p += 8;
	for (i = 0; i < STORE_NPARTS; i++) {
		s->c.blocks[i] = load_u64be(p), p += 8;
		s->c.bytes[i] = load_u64be(p), p += 8;
	}
	return 0;
}

/* ---- write transactions, and growing the map ---- */

/* Write transactions: either the caller's batch or a fresh one. */
int
store_wtxn_begin(struct store *s, MDB_txn **txn)
{
	int rc;

	if (s->batch) {
		*txn = s->batch;
		return 0;
	}
	if ((rc = mdb_txn_begin(s->env, NULL, 0, txn)) != 0)
		return rc;
	s->c_saved = s->c;
	/* Pending recency goes first, so an eviction in this txn sees it. */
	if ((rc = flush_touches(s, *txn)) != 0) {
		mdb_txn_abort(*txn);
		s->c = s->c_saved;
		s->ntouched = 0; /* recency is advisory: drop it rather than block writes */
	}
	return rc;
}

static int
grow_map(struct store *s)
{
	size_t bigger = s->mapsize + s->mapsize / 2;
	int rc;

	if (s->rtxn) {
		mdb_txn_abort(s->rtxn);
		s->rtxn = NULL;
	}
	if ((rc = mdb_env_set_mapsize(s->env, bigger)) == 0)
		s->mapsize = bigger;
	s->map_lo = 0; /* remapped: look it up again */
	return rc;
}

int
store_wtxn_end(struct store *s, MDB_txn *txn, int rc)
{
	if (s->batch)
		return rc;
	/* An unchanged transaction commits without writing, so no sync. */
	if (rc == 0 && memcmp(&s->c, &s->c_saved, sizeof(s->c)) != 0)
		rc = save_counters(s, txn);
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if (rc != 0)
		s->c = s->c_saved;
	trim_now(s);
	return rc;
}

/* ---- opening and closing ---- */

static int
open_dbs(struct store *s, MDB_txn *txn)
{
	int rc, i;

	if ((rc = mdb_dbi_open(txn, "blocks", MDB_CREATE, &s->blocks)) ||
	    (rc = mdb_dbi_open(txn, "index", MDB_CREATE, &s->index)) ||
	    (rc = mdb_dbi_open(txn, "lru", MDB_CREATE, &s->lru)))
		return rc;
	for (i = 0; i < STORE_NTABLES; i++)
		if ((rc = mdb_dbi_open(txn, TABLE_NAMES[i], MDB_CREATE, &s->tables[i])))
			return rc;
	return 0;
}

/* check_identity tells a fresh environment (made ours) from ours (version
 * checked) and from someone else's LMDB database (refused). */
static int
check_identity(struct store *s, MDB_txn *txn)
{
	MDB_val k = { 5, UNCONST("magic") }, d, vk = { 7, UNCONST("version") }, vd;
	uint8_t ver[4];
	MDB_stat st;
	MDB_dbi main;
	int rc;

	rc = mdb_dbi_open(txn, "meta", 0, &s->meta);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
		if ((rc = mdb_dbi_open(txn, NULL, 0, &main)) || (rc = mdb_stat(txn, main, &st)))
			return store_fail(s, rc, "reading");
		if (st.ms_entries != 0) {
			snprintf(s->err, sizeof(s->err), "store %s: an LMDB database, but not a wisp store", s->path);
			return WISP_ERR_MALFORMED;
		}
		if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)))
			return store_fail(s, rc, "creating");
		d.mv_size = sizeof(MAGIC) - 1;
		d.mv_data = UNCONST(MAGIC);
		store_u32be(ver, s->sealed ? STORE_FORMAT_SEALED : STORE_FORMAT_VERSION);
		vd.mv_size = 4;
		vd.mv_data = ver;
		if ((rc = mdb_put(txn, s->meta, &k, &d, 0)) || (rc = mdb_put(txn, s->meta, &vk, &vd, 0)) ||
		    (rc = store_put_seal_check(s, txn)))
			return store_fail(s, rc, "creating");
		return 0;
	}
	if (rc)
		return store_fail(s, rc, "opening");
	if (mdb_get(txn, s->meta, &k, &d) != 0 || d.mv_size != sizeof(MAGIC) - 1 ||
	    memcmp(d.mv_data, MAGIC, d.mv_size) != 0) {
		snprintf(s->err, sizeof(s->err), "store %s: an LMDB database, but not a wisp store", s->path);
		return WISP_ERR_MALFORMED;
	}
	if (mdb_get(txn, s->meta, &vk, &vd) != 0 || vd.mv_size != 4) {
		snprintf(s->err, sizeof(s->err), "store %s: format version missing", s->path);
		return WISP_ERR_MALFORMED;
	}
	if (load_u32be(vd.mv_data) == STORE_FORMAT_VERSION && s->sealed) {
		snprintf(s->err, sizeof(s->err), "store %s: in the clear (format 1), to be sealed", s->path);
		return WISP_ERR_VERSION;
	}
	if (load_u32be(vd.mv_data) == STORE_FORMAT_SEALED)
		return store_seal_check(s, txn);
	if (load_u32be(vd.mv_data) != STORE_FORMAT_VERSION) {
		snprintf(s->err, sizeof(s->err), "store %s: format version %u, this wisp knows %u and %u",
		    s->path, load_u32be(vd.mv_data), STORE_FORMAT_VERSION, STORE_FORMAT_SEALED);
		return WISP_ERR_VERSION;
	}
	return 0;
}


static int
open_env(struct store *s, const char *dir)
{
	struct stat st;
	MDB_envinfo info;
	int rc;

	if (stat(dir, &st) != 0 && mkdir(dir, 0700) != 0) {
		snprintf(s->err, sizeof(s->err), "store %s: cannot create: %s", dir, strerror(errno));
		return WISP_ERR_IO;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(s->err, sizeof(s->err), "store %s: not a directory", dir);
		return WISP_ERR_INVAL;
	}
	if ((rc = mdb_env_create(&s->env)))
		return store_fail(s, rc, "creating environment");
	/* Room for the budget plus LMDB's own pages; the map is virtual
	 * (sparse), and grows on MDB_MAP_FULL. */
	s->mapsize = (size_t)(s->capacity + s->capacity / 4 + (64u << 20));
	if ((rc = mdb_env_set_maxdbs(s->env, 8 + STORE_NTABLES)) ||
	    (rc = mdb_env_set_mapsize(s->env, s->mapsize)))
		return store_fail(s, rc, "configuring");
	/* NOMETASYNC: one sync per commit, integrity kept on power loss (the
	 * last commit may be undone). Process crashes lose nothing. */
	if ((rc = mdb_env_open(s->env, dir, MDB_NOMETASYNC, 0600))) {
		if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
			snprintf(s->err, sizeof(s->err), "store %s: not a wisp store (%s)", dir, mdb_strerror(rc));
			return WISP_ERR_MALFORMED;
		}
		return store_fail(s, rc, "opening");
	}
	if (mdb_env_info(s->env, &info) == 0 && info.me_mapsize > s->mapsize)
		s->mapsize = info.me_mapsize;
	{
		MDB_stat ms;
		if (mdb_env_stat(s->env, &ms) == 0)
			s->psize = ms.ms_psize;
	}
	/* A data file shorter than its own last page (cut off by a failing
	 * disk or a careless copy) would fault the process when the map is
	 * read there: refuse it here, with the reason. */
	{
		char path[PATH_MAX];
		struct stat fs;
		snprintf(path, sizeof(path), "%s/data.mdb", dir);
		if (s->psize && mdb_env_info(s->env, &info) == 0 && stat(path, &fs) == 0 &&
		    (uint64_t)fs.st_size < ((uint64_t)info.me_last_pgno + 1) * s->psize) {
			snprintf(s->err, sizeof(s->err), "store %s: data.mdb is truncated (%lld bytes, its pages need %llu)",
			    dir, (long long)fs.st_size, (unsigned long long)(info.me_last_pgno + 1) * s->psize);
			return WISP_ERR_MALFORMED;
		}
	}
	return 0;
}

int
store_open(struct store **out, const char *dir, const struct store_config *cfg, char *err,
    size_t errlen)
{
	struct store *s;
	MDB_txn *txn;
	int rc, i;

	if (!(s = calloc(1, sizeof(*s)))) {
		snprintf(err, errlen, "store %s: out of memory", dir);
		return WISP_ERR_NOMEM;
	}
	snprintf(s->path, sizeof(s->path), "%s", dir);
	s->psize = 4096;
	rc = WISP_ERR_INVAL;
	if (cfg->capacity < (1u << 20) || cfg->cache_percent < 1 || cfg->cache_percent > 99) {
		snprintf(s->err, sizeof(s->err), "store %s: capacity must be at least 1M and the cache share 1..99%%", dir);
		goto out;
	}
	s->capacity = cfg->capacity;
	s->map_budget = cfg->map_budget;
	if (cfg->seal) {
		s->sealed = 1;
		crypto_kdf_derive_from_key(s->slot_key, sizeof(s->slot_key), 1, "wispstor", cfg->seal);
		crypto_kdf_derive_from_key(s->data_key, sizeof(s->data_key), 2, "wispstor", cfg->seal);
		crypto_kdf_derive_from_key(s->rkey_key, sizeof(s->rkey_key), 3, "wispstor", cfg->seal);
	}
	s->budget[STORE_PART_CACHE] = cfg->capacity / 100 * cfg->cache_percent;
	s->budget[STORE_PART_STORE] = cfg->capacity - s->budget[STORE_PART_CACHE];
	if ((rc = open_env(s, dir)) != 0)
		goto out;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn))) {
		rc = store_fail(s, rc, "opening");
		goto out;
	}
	if ((rc = check_identity(s, txn)) != 0 || (rc = open_dbs(s, txn)) != 0 ||
	    (rc = load_counters(s, txn)) != 0) {
		if (rc > 0)
			rc = store_fail(s, rc, "opening");
		mdb_txn_abort(txn);
		goto out;
	}
	/* A smaller --store-size than last time evicts down to it now. */
	for (i = 0; i < STORE_NPARTS && rc == 0; i++)
		rc = evict(s, txn, (unsigned)i, 0);
	if (rc == 0 && (rc = save_counters(s, txn)) == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if (rc) {
		rc = store_fail(s, rc, "opening");
		goto out;
	}
	*out = s;
	return 0;
out:
	snprintf(err, errlen, "%s", s->err);
	if (s->env)
		mdb_env_close(s->env);
	sodium_memzero(s->slot_key, sizeof(s->slot_key));
	sodium_memzero(s->data_key, sizeof(s->data_key));
	sodium_memzero(s->rkey_key, sizeof(s->rkey_key));
	free(s);
	return rc;
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	if (s->batch)
		store_abort(s);
	if (store_flush(s) != 0)
		s->ntouched = 0; /* recency only: the blocks are safe */
	if (s->rtxn)
		mdb_txn_abort(s->rtxn);
	mdb_env_sync(s->env, 1);
	mdb_env_close(s->env);
	sodium_memzero(s->slot_key, sizeof(s->slot_key));
	sodium_memzero(s->data_key, sizeof(s->data_key));
	sodium_memzero(s->rkey_key, sizeof(s->rkey_key));
	if (s->sbuf)
		sodium_memzero(s->sbuf, s->sbuf_cap);
	free(s->sbuf);
	free(s);
}

const char *store_errmsg(const struct store *s) { return s->err; }

/* ---- blocks: the index, eviction, recency ---- */

/* idx_read copies an index record read from the disk into |out| after
 * checking it: its size, a partition that exists, a length a block can
 * have. A damaged record is MDB_CORRUPTED (the store is set aside), never
 * an index into the counters. */
static int
idx_read(const MDB_val *d, uint8_t out[IDX_LEN])
{
	if (d->mv_size != IDX_LEN)
		return MDB_CORRUPTED;
	memcpy(out, d->mv_data, IDX_LEN);
	if (out[0] >= STORE_NPARTS || load_u32be(out + 9) == 0 || load_u32be(out + 9) > BLOCK_MAX)
		return MDB_CORRUPTED;
	return 0;
}

/* unlink_block deletes a block and its index and LRU entries. */
static int
unlink_block(struct store *s, MDB_txn *txn, const uint8_t *rkey, const uint8_t *idx)
{
	MDB_val k = { STORE_KEY_LEN, UNCONST(rkey) }, lk;
	uint8_t lkey[LRU_KEY_LEN];
	unsigned part = idx[0];
	uint32_t len = load_u32be(idx + 9);
	int rc;

	lru_key(lkey, part, load_u64be(idx + 1));
	lk.mv_size = LRU_KEY_LEN;
	lk.mv_data = lkey;
	if ((rc = mdb_del(txn, s->blocks, &k, NULL)) || (rc = mdb_del(txn, s->index, &k, NULL)) ||
	    (rc = mdb_del(txn, s->lru, &lk, NULL)))
		return rc;
	s->c.blocks[part]--;
	s->c.bytes[part] -= store_cost(s, len);
	return 0;
}

/* evict drops |part|'s least recently used blocks until |need| more bytes
 * fit. It stops with RC_GUARDED at a store block newer than the guard. */
static int
evict(struct store *s, MDB_txn *txn, unsigned part, uint64_t need)
{
	uint8_t from[LRU_KEY_LEN], rkey[STORE_KEY_LEN], idx[IDX_LEN];
	MDB_val k, d, ik;
	MDB_cursor *cur;
	int rc = 0;

	while (s->c.bytes[part] + need > s->budget[part]) {
		lru_key(from, part, 0);
		k.mv_size = LRU_KEY_LEN;
		k.mv_data = from;
		if ((rc = mdb_cursor_open(txn, s->lru, &cur)))
			return rc;
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
		mdb_cursor_close(cur);
		if (rc == MDB_NOTFOUND || (rc == 0 && ((uint8_t *)k.mv_data)[0] != part))
			return 0; /* nothing left to evict */
		if (rc)
			return rc;
		if (d.mv_size != STORE_KEY_LEN)
			return MDB_CORRUPTED;
		memcpy(rkey, d.mv_data, STORE_KEY_LEN);
		ik.mv_size = STORE_KEY_LEN;
		ik.mv_data = rkey;
		if ((rc = mdb_get(txn, s->index, &ik, &d)) || (rc = idx_read(&d, idx)))
			return rc;
		if (part == STORE_PART_STORE && s->guard && load_u64be(idx + 1) >= s->guard)
			return RC_GUARDED;
		if ((rc = unlink_block(s, txn, rkey, idx)))
			return rc;
		s->c.evicted++;
		s->c.evicted_part[part]++;
	}
	return 0;
}

/* relink gives a block a new LRU position (and maybe partition). */
static int
relink(struct store *s, MDB_txn *txn, const uint8_t *rkey, const uint8_t *old, unsigned part)
{
	MDB_val k = { STORE_KEY_LEN, UNCONST(rkey) }, lk, d;
	uint8_t lkey[LRU_KEY_LEN], idx[IDX_LEN];
	uint32_t len = load_u32be(old + 9);
	int rc;

	lru_key(lkey, old[0], load_u64be(old + 1));
	lk.mv_size = LRU_KEY_LEN;
	lk.mv_data = lkey;
	if ((rc = mdb_del(txn, s->lru, &lk, NULL)))
		return rc;
	if (part != old[0]) {
		s->c.blocks[old[0]]--;
		s->c.bytes[old[0]] -= store_cost(s, len);
		if ((rc = evict(s, txn, part, store_cost(s, len))))
			return rc;
		s->c.blocks[part]++;
		s->c.bytes[part] += store_cost(s, len);
	}
	idx[0] = (uint8_t)part;
	store_u64be(idx + 1, ++s->c.seq);
	store_u32be(idx + 9, len);
	lru_key(lkey, part, s->c.seq);
	d.mv_size = STORE_KEY_LEN;
	d.mv_data = UNCONST(rkey);
	if ((rc = mdb_put(txn, s->lru, &lk, &d, 0)))
		return rc;
	d.mv_size = IDX_LEN;
	d.mv_data = idx;
	return mdb_put(txn, s->index, &k, &d, 0);
}

static int
flush_touches(struct store *s, MDB_txn *txn)
{
	uint8_t old[IDX_LEN];
	MDB_val k, d;
	size_t i;
	int rc;

	for (i = 0; i < s->ntouched; i++) {
		k.mv_size = STORE_KEY_LEN;
		k.mv_data = s->touched[i];
		rc = mdb_get(txn, s->index, &k, &d);
		if (rc == MDB_NOTFOUND)
			continue; /* removed or evicted since */
		if (rc || (rc = idx_read(&d, old)))
			return rc;
		if ((rc = relink(s, txn, s->touched[i], old, old[0])))
			return rc;
		/* Safe mid-transaction: the map is read-only and shared, so a
		 * dropped page faults back in with the same bytes. */
		if (i % 64 == 63)
			trim_now(s);
	}
	s->ntouched = 0;
	return 0;
}

static int
put_new(struct store *s, MDB_txn *txn, const uint8_t *bkey, const uint8_t *rkey, const uint8_t *block,
    size_t len, unsigned part)
{
	MDB_val k = { STORE_KEY_LEN, UNCONST(bkey) }, d, lk;
	uint8_t idx[IDX_LEN], lkey[LRU_KEY_LEN];
	uint64_t cost = store_cost(s, len);
	int rc;

	if ((rc = evict(s, txn, part, cost)))
		return rc;
	d.mv_size = len;
	d.mv_data = UNCONST(block);
	if (s->sealed && (rc = store_sealed_value(s, bkey, rkey, block, len, &d)))
		return rc;
	if ((rc = mdb_put(txn, s->blocks, &k, &d, 0)))
		return rc;
	idx[0] = (uint8_t)part;
	store_u64be(idx + 1, ++s->c.seq);
	store_u32be(idx + 9, (uint32_t)len);
	d.mv_size = IDX_LEN;
	d.mv_data = idx;
	if ((rc = mdb_put(txn, s->index, &k, &d, 0)))
		return rc;
	lru_key(lkey, part, s->c.seq);
	lk.mv_size = LRU_KEY_LEN;
	lk.mv_data = lkey;
	d.mv_size = STORE_KEY_LEN;
	d.mv_data = UNCONST(bkey);
	if ((rc = mdb_put(txn, s->lru, &lk, &d, 0)))
		return rc;
	s->c.blocks[part]++;
	s->c.bytes[part] += cost;
	return 0;
}

/* ---- the map's resident pages ---- */

/* Keeping the daemon's resident set small: LMDB maps the file read-only
 * and shared, so pages dropped from this process's page tables stay in
 * the page cache and fault back in unchanged. Without this, streaming a
 * large file through the store would count the whole file as the
 * daemon's memory. Every TRIM_EVERY block reads or writes we look at the
 * file-backed resident set (/proc/self/statm) and, past the configured
 * budget (store_config.map_budget),
 * drop the whole map at once. Below the budget nothing changes, so a
 * working set that fits stays mapped and fast. */
static void
find_map(struct store *s)
{
	char line[PATH_MAX + 128], want[sizeof(s->path) + 16];
	unsigned long lo, hi;
	FILE *f = fopen("/proc/self/maps", "r");

	s->map_lo = s->map_hi = 0;
	if (!f)
		return;
	snprintf(want, sizeof(want), "%s/data.mdb", s->path);
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (!path || sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (strcmp(path, want) == 0) {
			s->map_lo = lo;
			s->map_hi = hi;
			break;
		}
	}
	fclose(f);
}

static uint64_t
file_rss(void)
{
	unsigned long size, res, shared;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return UINT64_MAX;
	n = fscanf(f, "%lu %lu %lu", &size, &res, &shared);
	fclose(f);
	return n == 3 ? (uint64_t)shared * (uint64_t)sysconf(_SC_PAGESIZE) : UINT64_MAX;
}

static void
trim(struct store *s)
{
	if (!s->map_budget || ++s->ops < TRIM_EVERY)
		return;
	trim_now(s);
}

/* trim_now checks at once: after a write transaction, whose B-tree walks
 * (512 batched recency updates, say) map many pages in one go. */
static void
trim_now(struct store *s)
{
	if (!s->map_budget)
		return;
	s->ops = 0;
	if (file_rss() < s->map_budget)
		return;
	if (!s->map_lo)
		find_map(s);
	if (s->map_lo)
		(void)madvise((void *)s->map_lo, s->map_hi - s->map_lo, MADV_DONTNEED);
}

/* ---- writing blocks, one or a batch ---- */

static int
put_once(struct store *s, const uint8_t *rkey, const uint8_t *block, size_t len, unsigned part)
{
	uint8_t slot[STORE_KEY_LEN];
	const uint8_t *bkey = store_block_key(s, rkey, slot);
	MDB_val k = { STORE_KEY_LEN, UNCONST(bkey) }, d;
	uint8_t old[IDX_LEN];
	MDB_txn *txn;
	int rc;

	if ((rc = store_wtxn_begin(s, &txn)))
		return rc;
	rc = mdb_get(txn, s->index, &k, &d);
	if (rc == 0 && (rc = idx_read(&d, old)) == 0) {
		/* A store copy stays in the store; a cache copy moves up. */
		rc = relink(s, txn, bkey, old, old[0] == STORE_PART_STORE ? STORE_PART_STORE : part);
	} else if (rc == MDB_NOTFOUND) {
		rc = put_new(s, txn, bkey, rkey, block, len, part);
	}
	return store_wtxn_end(s, txn, rc);
}

/* map_used: the bytes of the map the committed data file reaches. */
static uint64_t
map_used(const struct store *s)
{
	MDB_envinfo info;

	if (mdb_env_info(s->env, &info) != 0)
		return s->mapsize;
	return ((uint64_t)info.me_last_pgno + 1) * s->psize;
}

/* batch_open begins the batch's write transaction, with the map grown
 * first if BATCH_ROOM is not left in it. */
static int
batch_open(struct store *s)
{
	int rc;

	s->batch_base = map_used(s);
	s->batch_bytes = 0;
	while (s->batch_base + BATCH_ROOM > s->mapsize)
		if ((rc = grow_map(s)) != 0)
			return rc;
	return store_wtxn_begin(s, &s->batch);
}

/* batch_room keeps a batched put from overflowing the map. A write
 * transaction cannot grow the map, and one that meets MDB_MAP_FULL is lost
 * whole with every later put of the batch. A batch writes its blocks and
 * copies the pages it changes, and the pages its evictions free are not
 * reused before it commits: when twice what it put, and this block, come
 * within BATCH_ROOM / 2 of the map's end, the batch so far is committed
 * (the caller's puts so far are then on disk, as a commit would leave
 * them) and goes on in a new transaction, the map grown if need be. */
static int
batch_room(struct store *s, uint64_t cost)
{
	MDB_txn *txn = s->batch;
	int rc;

	if (s->batch_base + 2 * (s->batch_bytes + cost) + BATCH_ROOM / 2 <= s->mapsize)
		return 0;
	s->batch = NULL;
	if ((rc = store_wtxn_end(s, txn, 0)) != 0)
		return rc;
	if ((rc = batch_open(s)) != 0)
		s->batch = NULL;
	return rc;
}

int
store_put(struct store *s, const uint8_t rkey[static STORE_KEY_LEN], const uint8_t *block,
    size_t len, enum store_part part)
{
	int rc, tries;

	if ((unsigned)part >= STORE_NPARTS || len == 0)
		return WISP_ERR_INVAL;
	if (len > BLOCK_MAX)
		return WISP_ERR_TOOBIG;
	if (store_cost(s, len) > s->budget[part])
		return WISP_ERR_FULL;
	trim(s);
	if (s->batch) {
		if ((rc = batch_room(s, store_cost(s, len))) != 0 || !s->batch)
			return store_fail(s, rc ? rc : MDB_BAD_TXN, "writing");
		if ((rc = put_once(s, rkey, block, len, part)) == 0)
			s->batch_bytes += store_cost(s, len);
		return rc ? store_fail(s, rc, "writing") : 0;
	}
	for (tries = 0; tries < 8; tries++) {
		rc = put_once(s, rkey, block, len, part);
		if (rc != MDB_MAP_FULL)
			break;
		if (grow_map(s))
			break;
	}
	return rc ? store_fail(s, rc, "writing") : 0;
}

int
store_begin(struct store *s)
{
	int rc;

	if (s->batch)
		return WISP_ERR_INVAL;
	if ((rc = batch_open(s))) {
		s->batch = NULL;
		return store_fail(s, rc, "beginning");
	}
	return 0;
}

int
store_commit(struct store *s)
{
	MDB_txn *txn = s->batch;
	int rc;

	if (!txn)
		return WISP_ERR_INVAL;
	s->batch = NULL;
	rc = store_wtxn_end(s, txn, 0);
	if (rc == MDB_MAP_FULL)
		(void)grow_map(s); /* the caller retries the batch */
	return rc ? store_fail(s, rc, "committing") : 0;
}

void
store_abort(struct store *s)
{
	if (!s->batch)
		return;
	mdb_txn_abort(s->batch);
	s->batch = NULL;
	s->c = s->c_saved;
}

/* ---- reading ---- */

int
store_rtxn_begin(struct store *s, MDB_txn **txn)
{
	int rc;

	if (s->batch) {
		*txn = s->batch;
		return 0;
	}
	if (s->rtxn)
		rc = mdb_txn_renew(s->rtxn);
	else
		rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->rtxn);
	*txn = s->rtxn;
	return rc;
}

void
store_rtxn_end(struct store *s, MDB_txn *txn)
{
	if (txn != s->batch)
		mdb_txn_reset(txn);
}

int
store_get(struct store *s, const uint8_t rkey[static STORE_KEY_LEN], uint8_t *out, size_t outcap,
    size_t *len)
{
	uint8_t slot[STORE_KEY_LEN];
	const uint8_t *bkey = store_block_key(s, rkey, slot);
	MDB_val k = { STORE_KEY_LEN, UNCONST(bkey) }, d;
	MDB_txn *txn;
	int rc;

	trim(s);
	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading");
	rc = mdb_get(txn, s->blocks, &k, &d);
	if (rc == 0 && (rc = store_unseal(s, bkey, &d, NULL, out, outcap, len)) == 0) {
		MDB_val ik = k, id;
		/* which partition answered: the store's own or the cache */
		if (mdb_get(txn, s->index, &ik, &id) == 0 && id.mv_size == IDX_LEN &&
		    ((const uint8_t *)id.mv_data)[0] < STORE_NPARTS)
			s->hits[((const uint8_t *)id.mv_data)[0]]++;
	}
	store_rtxn_end(s, txn);
	if (rc == MDB_NOTFOUND)
		return WISP_ERR_NOTFOUND;
	if (rc == -1)
		return WISP_ERR_TOOBIG;
	if (rc == RC_FORGED) {
		snprintf(s->err, sizeof(s->err), "store %s: a block does not open under the store's key (damaged)", s->path);
		return WISP_ERR_VERIFY;
	}
	if (rc)
		return store_fail(s, rc, "reading");
	/* Inside a batch a full touch list drops the touch: recency is advisory. */
	if (s->ntouched < STORE_TOUCH_BATCH)
		memcpy(s->touched[s->ntouched++], bkey, STORE_KEY_LEN);
	if (s->ntouched == STORE_TOUCH_BATCH && !s->batch)
		return store_flush(s) == 0 ? 0 : WISP_ERR_IO;
	return 0;
}

int
store_has(struct store *s, const uint8_t rkey[static STORE_KEY_LEN])
{
	uint8_t slot[STORE_KEY_LEN];
	MDB_val k = { STORE_KEY_LEN, UNCONST(store_block_key(s, rkey, slot)) }, d;
	MDB_txn *txn;
	int rc;

	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading");
	rc = mdb_get(txn, s->index, &k, &d);
	store_rtxn_end(s, txn);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? store_fail(s, rc, "reading") : 1;
}

int
store_remove(struct store *s, const uint8_t rkey[static STORE_KEY_LEN])
{
	uint8_t slot[STORE_KEY_LEN];
	const uint8_t *bkey = store_block_key(s, rkey, slot);
	MDB_val k = { STORE_KEY_LEN, UNCONST(bkey) }, d;
	uint8_t idx[IDX_LEN];
	MDB_txn *txn;
	int rc;

	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "removing");
	rc = mdb_get(txn, s->index, &k, &d);
	if (rc == 0 && (rc = idx_read(&d, idx)) == 0)
		rc = unlink_block(s, txn, bkey, idx);
	if (rc == MDB_NOTFOUND) {
		(void)store_wtxn_end(s, txn, MDB_NOTFOUND);
		return WISP_ERR_NOTFOUND;
	}
	rc = store_wtxn_end(s, txn, rc);
	return rc ? store_fail(s, rc, "removing") : 0;
}

/* ---- flushing, counting, listing ---- */

int
store_flush(struct store *s)
{
	MDB_txn *txn;
	int rc;

	if (!s->ntouched || s->batch)
		return 0;
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing recency");
	rc = store_wtxn_end(s, txn, 0); /* wtxn_begin flushed the touches */
	if (rc)
		s->ntouched = 0; /* recency is advisory: never retry forever */
	return rc ? store_fail(s, rc, "writing recency") : 0;
}

void
store_stats(const struct store *s, struct store_stats *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < STORE_NPARTS; i++) {
		st->part[i].blocks = s->c.blocks[i];
		st->part[i].bytes = s->c.bytes[i];
		st->part[i].capacity = s->budget[i];
		st->part[i].hits = s->hits[i];
		st->part[i].evicted = s->c.evicted_part[i];
		st->blocks += s->c.blocks[i];
		st->bytes += s->c.bytes[i];
	}
	st->capacity = s->capacity;
	st->evicted = s->c.evicted;
}

uint64_t
store_seq(const struct store *s)
{
	return s->c.seq;
}

void
store_guard(struct store *s, uint64_t floor)
{
	s->guard = floor;
}

int
store_each(struct store *s, store_each_fn fn, void *ctx)
{
	uint8_t rkey[STORE_KEY_LEN];
	MDB_val k, v, d;
	MDB_cursor *cur;
	MDB_txn *txn;
	size_t len;
	int rc, stop = 0;

	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading");
	if ((rc = store_sbuf(s, BLOCK_MAX)) || (rc = mdb_cursor_open(txn, s->lru, &cur))) {
		store_rtxn_end(s, txn);
		return store_fail(s, rc, "reading");
	}
	/* The LRU table in key order: each partition oldest first, so a
	 * copy put in this order keeps the recency (datadir's conversion). */
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != LRU_KEY_LEN || v.mv_size != STORE_KEY_LEN || ((uint8_t *)k.mv_data)[0] >= STORE_NPARTS) {
			rc = MDB_CORRUPTED;
			break;
		}
		if ((rc = mdb_get(txn, s->blocks, &v, &d)) == MDB_NOTFOUND)
			continue; /* lost under its index (a damaged disk): get says not found too */
		if (rc)
			break;
		if (!s->sealed)
			memcpy(rkey, v.mv_data, STORE_KEY_LEN);
		if ((rc = store_unseal(s, v.mv_data, &d, rkey, s->sbuf, BLOCK_MAX, &len)) == RC_FORGED)
			continue; /* damaged: store_get refuses it too */
		if (rc) {
			rc = MDB_CORRUPTED;
			break;
		}
		if ((stop = fn(ctx, rkey, s->sbuf, len, ((uint8_t *)k.mv_data)[0])) != 0)
			break;
		trim(s);
	}
	mdb_cursor_close(cur);
	store_rtxn_end(s, txn);
	if (stop)
		return stop;
	return rc == MDB_NOTFOUND ? 0 : store_fail(s, rc, "reading");
}

/* ---- sizes as people write them ---- */

int
store_parse_size(const char *str, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = str;

	if (*p < '0' || *p > '9')
		return WISP_ERR_MALFORMED;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return WISP_ERR_MALFORMED;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': mul = 1ull << 10; p++; break;
	case 'm': case 'M': mul = 1ull << 20; p++; break;
	case 'g': case 'G': mul = 1ull << 30; p++; break;
	case 't': case 'T': mul = 1ull << 40; p++; break;
	default: return WISP_ERR_MALFORMED;
	}
	if (*p == 'i' && mul > 1)
		p++;
	if ((*p == 'B' || *p == 'b') && mul > 1)
		p++;
	if (*p != '\0' || (v && mul > UINT64_MAX / v))
		return WISP_ERR_MALFORMED;
	*out = v * mul;
	return 0;
}
