/* The store's small tables: peers, routing table, invites. Sealed, a
 * record's LMDB key is a keyed hash of its table and key, and its value a
 * nonce and the XChaCha20-Poly1305 box of (key length, key, value), with
 * the LMDB key as associated data: records cannot be moved or swapped. */
#include <errno.h>
#include <string.h>

#include <lmdb.h>
#include <sodium.h>

#include "store/store.h"
#include "store/store_int.h"

enum { KV_KEY_MAX = 256, KV_TAG = crypto_aead_xchacha20poly1305_ietf_ABYTES };

/* kv_key is the LMDB key of (|t|, |key|): itself, or its slot. */
static MDB_val
kv_key(const struct store *s, enum store_table t, const void *key, size_t klen, uint8_t slot[STORE_KEY_LEN])
{
	MDB_val k = { klen, (void *)(uintptr_t)key };

	if (s->sealed) {
		store_slot(s, slot, key, klen, (int)t);
		k.mv_size = STORE_KEY_LEN;
		k.mv_data = slot;
	}
	return k;
}

/* kv_seal boxes a record into s->sbuf. */
static int
kv_seal(struct store *s, const MDB_val *k, const void *key, size_t klen, const void *val, size_t vlen,
    MDB_val *d)
{
	size_t plen = 1 + klen + vlen;
	uint8_t *v;

	if (store_sbuf(s, SEAL_NONCE + 2 * plen + KV_TAG))
		return ENOMEM;
	v = s->sbuf;
	/* the plaintext goes after the box's room, then is boxed in front */
	v[SEAL_NONCE + plen + KV_TAG] = (uint8_t)klen;
	memcpy(v + SEAL_NONCE + plen + KV_TAG + 1, key, klen);
	memcpy(v + SEAL_NONCE + plen + KV_TAG + 1 + klen, val, vlen);
	randombytes_buf(v, SEAL_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(v + SEAL_NONCE, NULL, v + SEAL_NONCE + plen + KV_TAG, plen,
	    k->mv_data, k->mv_size, NULL, v, s->data_key);
	sodium_memzero(v + SEAL_NONCE + plen + KV_TAG, plen);
	d->mv_size = SEAL_NONCE + plen + KV_TAG;
	d->mv_data = v;
	return 0;
}

/* kv_open unboxes a record read at LMDB key |k| into s->sbuf: |key| and
 * |val| point into it. A record that does not open is MDB_CORRUPTED. */
static int
kv_open(struct store *s, const MDB_val *k, const MDB_val *d, MDB_val *key, MDB_val *val)
{
	const uint8_t *v = d->mv_data;
	size_t plen;

	if (!s->sealed) {
		*key = *k;
		*val = *d;
		return 0;
	}
	if (d->mv_size < SEAL_NONCE + KV_TAG + 1)
		return MDB_CORRUPTED;
	plen = d->mv_size - SEAL_NONCE - KV_TAG;
	if (store_sbuf(s, plen))
		return ENOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(s->sbuf, NULL, NULL, v + SEAL_NONCE, plen + KV_TAG,
	    k->mv_data, k->mv_size, v, s->data_key) != 0 || s->sbuf[0] == 0 || 1u + s->sbuf[0] > plen)
		return MDB_CORRUPTED;
	key->mv_size = s->sbuf[0];
	key->mv_data = s->sbuf + 1;
	val->mv_size = plen - 1 - s->sbuf[0];
	val->mv_data = s->sbuf + 1 + s->sbuf[0];
	return 0;
}

int
store_kv_put(struct store *s, enum store_table t, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	uint8_t slot[STORE_KEY_LEN];
	MDB_val k, d = { vlen, UNCONST(val) };
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES || klen == 0 || klen > KV_KEY_MAX - 1)
		return WISP_ERR_INVAL;
	k = kv_key(s, t, key, klen, slot);
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing state");
	if (s->sealed && (rc = kv_seal(s, &k, key, klen, val, vlen, &d)))
		return store_fail(s, store_wtxn_end(s, txn, rc), "writing state");
	rc = store_wtxn_end(s, txn, mdb_put(txn, s->tables[t], &k, &d, 0));
	return rc ? store_fail(s, rc, "writing state") : 0;
}

int
store_kv_get(struct store *s, enum store_table t, const void *key, size_t klen, void *out, size_t cap,
    size_t *len)
{
	uint8_t slot[STORE_KEY_LEN];
	MDB_val k, d, rk, rv = { 0, NULL };
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES || klen == 0 || klen > KV_KEY_MAX - 1)
		return WISP_ERR_INVAL;
	k = kv_key(s, t, key, klen, slot);
	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading state");
	rc = mdb_get(txn, s->tables[t], &k, &d);
	if (rc == 0 && (rc = kv_open(s, &k, &d, &rk, &rv)) == 0 && rv.mv_size <= cap) {
		memcpy(out, rv.mv_data, rv.mv_size);
		*len = rv.mv_size;
	}
	store_rtxn_end(s, txn);
	if (rc == MDB_NOTFOUND)
		return WISP_ERR_NOTFOUND;
	if (rc)
		return store_fail(s, rc, "reading state");
	return rv.mv_size <= cap ? 0 : WISP_ERR_TOOBIG;
}

int
store_kv_del(struct store *s, enum store_table t, const void *key, size_t klen)
{
	uint8_t slot[STORE_KEY_LEN];
	MDB_val k;
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES || klen == 0 || klen > KV_KEY_MAX - 1)
		return WISP_ERR_INVAL;
	k = kv_key(s, t, key, klen, slot);
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing state");
	rc = mdb_del(txn, s->tables[t], &k, NULL);
	if (rc == MDB_NOTFOUND) {
		(void)store_wtxn_end(s, txn, rc);
		return WISP_ERR_NOTFOUND;
	}
	rc = store_wtxn_end(s, txn, rc);
	return rc ? store_fail(s, rc, "writing state") : 0;
}

int
store_kv_clear(struct store *s, enum store_table t)
{
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES)
		return WISP_ERR_INVAL;
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing state");
	rc = store_wtxn_end(s, txn, mdb_drop(txn, s->tables[t], 0));
	return rc ? store_fail(s, rc, "writing state") : 0;
}

uint64_t
store_kv_damaged(const struct store *s)
{
	return s->kv_damaged;
}

int
store_kv_each(struct store *s, enum store_table t, store_kv_fn fn, void *ctx)
{
	MDB_val k, d, rk, rv;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc, stop = 0;

	if ((unsigned)t >= STORE_NTABLES)
		return WISP_ERR_INVAL;
	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading state");
	if ((rc = mdb_cursor_open(txn, s->tables[t], &cur))) {
		store_rtxn_end(s, txn);
		return store_fail(s, rc, "reading state");
	}
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		/* A record that does not open (rotten, or changed by someone
		 * without the key) is skipped, as a damaged record in the clear
		 * is skipped by its reader; the others still load. */
		if ((rc = kv_open(s, &k, &d, &rk, &rv)) == MDB_CORRUPTED) {
			s->kv_damaged++;
			continue;
		}
		if (rc)
			break;
		if ((stop = fn(ctx, rk.mv_data, rk.mv_size, rv.mv_data, rv.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	store_rtxn_end(s, txn);
	if (stop)
		return stop; /* the callback's own answer */
	return rc == MDB_NOTFOUND ? 0 : store_fail(s, rc, "reading state");
}
