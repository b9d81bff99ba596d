/* store.h: the block store, an LMDB environment with two LRU partitions.
 *
 * Blocks are kept by routing key in one of two partitions, each with its
 * own byte budget and LRU order: STORE holds documents whose insert ended
 * here, CACHE whatever passed through, so passing traffic cannot flush
 * what was inserted here. A put past a partition's budget evicts that
 * partition's least recently used blocks.
 *
 * Verification is the caller's job: store_put trusts that |block| matches
 * |rkey| (block_verify). A store in the clear returns what is on the
 * disk, so callers verify again after store_get, since a disk can rot; a
 * sealed one (store_sealed) authenticates each block it returns, so that
 * what it gives is what was put, and store_get answers WISP_ERR_VERIFY
 * for a block that rotted or was changed.
 *
 * Threads: a struct store is used by one thread at a time (wispd's event
 * loop). Other processes may read the environment concurrently (LMDB's
 * MVCC), e.g. mdb_stat.
 *
 * Recency: a get does not write. It records the key in a small in-memory
 * batch that is written in one transaction when it fills
 * (STORE_TOUCH_BATCH keys), with the next put, or at store_flush and
 * store_close; a crash loses at most that much recency, never data.
 *
 * Memory: LMDB reads through a shared read-only map, whose touched pages
 * count as the process's resident memory although they are page cache.
 * With |map_budget| set, the store drops the map from the resident set
 * whenever it exceeds that budget (checked every 64 block operations),
 * trading page faults for a bounded RSS.
 *
 * Sealing: with store_config.seal, every LMDB key is a keyed BLAKE2b of
 * the routing key (or state key), blocks are XChaCha20-encrypted and the
 * state records sealed with XChaCha20-Poly1305, all under keys derived
 * from |seal|: without it, holding a document does not tell whether its
 * blocks are here, and what store_get returns is authenticated (above).
 * What stays visible: how many blocks, their sizes,
 * partitions and recency order. A sealed store is format 2; format 1 is
 * in the clear, and store_open with a seal refuses it (WISP_ERR_VERSION)
 * so that the caller converts it. */
#ifndef WISP_STORE_H
#define WISP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum store_part { STORE_PART_STORE = 0, STORE_PART_CACHE = 1, STORE_NPARTS = 2 };
enum store_table { STORE_T_PEERS = 0, STORE_T_RTABLE = 1, STORE_T_INVITES = 2, STORE_NTABLES = 3 };

enum store_limits {
	STORE_KEY_LEN = 32,
	STORE_TOUCH_BATCH = 512,
	STORE_FORMAT_VERSION = 1,       /* in the clear */
	STORE_FORMAT_SEALED = 2,
	STORE_CACHE_PERCENT_DEFAULT = 50,
	STORE_MAP_BUDGET_DEFAULT = 24 << 20,
};

struct store_config {
	uint64_t capacity;      /* bytes on disk the blocks may use, both partitions */
	unsigned cache_percent; /* share of |capacity| for the cache, 1..99 */
	uint64_t map_budget;    /* bytes of the map kept resident; 0: no limit */
	const uint8_t *seal;    /* 32 bytes: keys and contents sealed; NULL: in the clear */
};

struct store_part_stats {
	uint64_t blocks, bytes, capacity;
	uint64_t hits;          /* blocks read from it since the store was opened */
	uint64_t evicted;       /* blocks evicted from it since then */
};

struct store_stats {
	uint64_t blocks, bytes, capacity;
	struct store_part_stats part[STORE_NPARTS];
	uint64_t evicted;
};

struct store;

/* store_open opens (creating if needed) the store in directory |dir|.
 * On failure |err| holds one line naming the path and the cause. Returns
 * 0, WISP_ERR_NOMEM, WISP_ERR_IO, WISP_ERR_MALFORMED (not a wisp store),
 * WISP_ERR_VERSION (a newer format, or one in the clear opened with a
 * seal), WISP_ERR_VERIFY (sealed under another key, or opened without
 * one) or WISP_ERR_INVAL. */
int store_open(struct store **out, const char *dir, const struct store_config *cfg,
    char *err, size_t errlen) WISP_WUR;
/* store_close flushes recency and closes. NULL is a no-op. */
void store_close(struct store *s);

/* store_put keeps |block| under |rkey| in |part|. A block already in the
 * cache moves to the store when put there again. Returns 0, WISP_ERR_FULL
 * (larger than the partition), WISP_ERR_TOOBIG or WISP_ERR_IO. */
int store_put(struct store *s, const uint8_t rkey[static STORE_KEY_LEN], const uint8_t *block,
    size_t len, enum store_part part) WISP_WUR;

/* store_begin / store_commit group the puts between them in one
 * transaction (one disk sync). A batch that would outgrow the map's room
 * is committed in part and goes on in a new transaction (never lost to
 * MDB_MAP_FULL), so store_abort drops only the puts not yet committed. */
int store_begin(struct store *s) WISP_WUR;
int store_commit(struct store *s) WISP_WUR;
void store_abort(struct store *s);

/* store_get copies the block into |out| (|outcap| bytes). Returns 0,
 * WISP_ERR_NOTFOUND, WISP_ERR_TOOBIG, WISP_ERR_VERIFY (sealed: the block
 * does not open; store_remove it) or WISP_ERR_IO. */
int store_get(struct store *s, const uint8_t rkey[static STORE_KEY_LEN], uint8_t *out,
    size_t outcap, size_t *len) WISP_WUR;
/* store_sealed: 1 if the store was opened with a seal, and so checks
 * what store_get returns; 0 if the caller must (block_verify). */
int store_sealed(const struct store *s);
/* store_has returns 1, 0, or WISP_ERR_IO. */
int store_has(struct store *s, const uint8_t rkey[static STORE_KEY_LEN]);
/* store_remove returns 0, WISP_ERR_NOTFOUND or WISP_ERR_IO. */
int store_remove(struct store *s, const uint8_t rkey[static STORE_KEY_LEN]) WISP_WUR;
int store_flush(struct store *s) WISP_WUR;
void store_stats(const struct store *s, struct store_stats *st);
/* store_cost is what a block of |len| bytes counts against a budget: its
 * footprint in LMDB pages plus its index entries. */
uint64_t store_cost(const struct store *s, size_t len);

/* Inserts in progress: store_seq is the sequence number of the latest
 * write or recorded read. After store_guard(s, floor), no block of the
 * STORE partition written or read at sequence |floor| or later is evicted:
 * a put that would need that fails with WISP_ERR_FULL (store_errmsg says
 * so) and nothing older than the guard is spared. 0 lifts the guard. */
uint64_t store_seq(const struct store *s);
void store_guard(struct store *s, uint64_t floor);

/* store_each calls |fn| for every block, each partition from the least
 * recently used on, in one read snapshot; a non-zero return stops it and
 * is returned. |fn| must not write to |s|. */
typedef int (*store_each_fn)(void *ctx, const uint8_t rkey[STORE_KEY_LEN], const uint8_t *block,
    size_t len, enum store_part part);
int store_each(struct store *s, store_each_fn fn, void *ctx);

/* Small state (peers, routing table, invites): opaque key/value records. */
int store_kv_put(struct store *s, enum store_table t, const void *key, size_t klen,
    const void *val, size_t vlen) WISP_WUR;
/* store_kv_get copies the value of |key| (at most |cap| bytes). Returns 0,
 * WISP_ERR_NOTFOUND, WISP_ERR_TOOBIG or WISP_ERR_IO. */
int store_kv_get(struct store *s, enum store_table t, const void *key, size_t klen, void *out,
    size_t cap, size_t *len) WISP_WUR;
int store_kv_del(struct store *s, enum store_table t, const void *key, size_t klen) WISP_WUR;
typedef int (*store_kv_fn)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen);
int store_kv_each(struct store *s, enum store_table t, store_kv_fn fn, void *ctx);
/* store_kv_damaged: sealed records store_kv_each passed over because they
 * did not open (rotten, or changed without the key), since open. */
uint64_t store_kv_damaged(const struct store *s);
/* store_kv_clear empties a table (inside a batch, to replace a snapshot). */
int store_kv_clear(struct store *s, enum store_table t) WISP_WUR;

/* store_errmsg describes the last failure, naming the path. */
const char *store_errmsg(const struct store *s);

/* store_parse_size reads "256M", "1G", "1048576", "512K", "2T". Returns 0
 * or WISP_ERR_MALFORMED. */
int store_parse_size(const char *s, uint64_t *out) WISP_WUR;

#endif
