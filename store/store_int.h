/* store_int.h: what store.c and kv.c share; not for the rest of wisp. */
#ifndef WISP_STORE_INT_H
#define WISP_STORE_INT_H

#include <limits.h>
#include <stdint.h>

#include <lmdb.h>

#include "store/store.h"

/* LMDB takes non-const pointers for data it only reads. */
#define UNCONST(p) ((void *)(uintptr_t)(p))

/* evict's answer when only guarded blocks are left (store_guard) */
enum { RC_GUARDED = -29000 };

enum { IDX_LEN = 13, LRU_KEY_LEN = 9, ENTRY_OVERHEAD = 96, BLOCK_MAX = 64 * 1024, TRIM_EVERY = 64 };
/* A batch begins with at least this much of the map free (store.c,
 * batch_room): room for 512 blocks written and copied, twice over. */
#define BATCH_ROOM ((uint64_t)96 << 20)

struct counters {
	uint64_t seq, evicted;
	uint64_t blocks[STORE_NPARTS], bytes[STORE_NPARTS];
	uint64_t evicted_part[STORE_NPARTS]; /* since open: not saved */
};

struct store {
	MDB_env *env;
	MDB_dbi blocks, index, lru, meta, tables[STORE_NTABLES];
	MDB_txn *rtxn;  /* reused read transaction, reset between gets */
	MDB_txn *batch; /* open write transaction of store_begin, or NULL */
	uint64_t batch_base, batch_bytes; /* the map's use when it began; what it put */
	struct counters c, c_saved;
	uint64_t hits[STORE_NPARTS]; /* blocks read, by partition, since open */
	uint64_t guard;  /* store_guard's floor; 0: none */
	uint64_t budget[STORE_NPARTS], capacity;
	size_t mapsize;
	unsigned psize;
	uint8_t touched[STORE_TOUCH_BATCH][STORE_KEY_LEN];
	size_t ntouched;
	unsigned ops;   /* block reads and writes since the last trim */
	uintptr_t map_lo, map_hi; /* LMDB's mapping, found lazily */
	uint64_t map_budget;
	int sealed;              /* keys and blocks sealed (store_config.seal) */
	uint8_t slot_key[32];    /* BLAKE2b key: routing key -> LMDB key */
	uint8_t data_key[32];    /* XChaCha20-Poly1305 key of the blocks and of kv.c's records */
	uint8_t rkey_key[32];    /* XChaCha20 key of the routing keys kept with the blocks */
	uint8_t *sbuf;           /* a sealed value being written or read */
	uint64_t kv_damaged;     /* sealed records store_kv_each passed over */
	size_t sbuf_cap;
	char path[512];
	char err[768];
};


/* Sealing (store_seal.c): a sealed block is a random nonce, its routing key
 * XChaCha20-encrypted (under rkey_key), and the block boxed with
 * XChaCha20-Poly1305 (under data_key), the LMDB key and the encrypted
 * routing key as associated data: what store_get returns is what was put
 * under that routing key, or WISP_ERR_VERIFY. */
enum { SEAL_NONCE = 24, SEAL_TAG = 16, SEALED_OVERHEAD = SEAL_NONCE + STORE_KEY_LEN + SEAL_TAG };
/* unseal's answer for a block that does not open (damaged, or forged) */
enum { RC_FORGED = -29001 };
void store_slot(const struct store *s, uint8_t slot[STORE_KEY_LEN], const void *key, size_t klen,
    int table);
int store_sbuf(struct store *s, size_t len);
/* store_block_key: the LMDB key of a block, its routing key or when
 * sealed a keyed hash of it (in |slot|). */
const uint8_t *store_block_key(const struct store *s, const uint8_t *rkey, uint8_t slot[STORE_KEY_LEN]);
/* store_sealed_value seals a block and its routing key, for LMDB key
 * |slot|, into s->sbuf, |d| pointing there. 0 or ENOMEM. */
int store_sealed_value(struct store *s, const uint8_t *slot, const uint8_t *rkey, const uint8_t *block,
    size_t len, MDB_val *d);
/* store_unseal opens the value |d| at LMDB key |slot| into |out| (and the
 * routing key into |rkey| if not NULL): 0, -1 (larger than |cap|) or
 * RC_FORGED. */
int store_unseal(const struct store *s, const uint8_t *slot, const MDB_val *d, uint8_t *rkey, uint8_t *out,
    size_t cap, size_t *len);
/* store_put_seal_check keeps the check of a sealed store's key in a new
 * store; store_seal_check tells the wrong key (or none) at open. */
int store_put_seal_check(struct store *s, MDB_txn *txn);
int store_seal_check(struct store *s, MDB_txn *txn);

/* Transactions: a write joins the caller's batch if one is open. */
int store_fail(struct store *s, int rc, const char *what);
int store_wtxn_begin(struct store *s, MDB_txn **txn);
int store_wtxn_end(struct store *s, MDB_txn *txn, int rc);
int store_rtxn_begin(struct store *s, MDB_txn **txn);
void store_rtxn_end(struct store *s, MDB_txn *txn);

#endif
