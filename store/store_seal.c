/* store_seal.c: the sealing of a store (store_int.h): LMDB keys as keyed
 * hashes, blocks and their routing keys encrypted and authenticated, and
 * the check of the store's key kept in it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>
#include <sodium.h>

#include "store/store.h"
#include "store/store_int.h"

void
store_slot(const struct store *s, uint8_t slot[STORE_KEY_LEN], const void *key, size_t klen, int table)
{
	crypto_generichash_state st;
	uint8_t t = (uint8_t)(0x80 | table);

	crypto_generichash_init(&st, s->slot_key, sizeof(s->slot_key), STORE_KEY_LEN);
	if (table >= 0)
		crypto_generichash_update(&st, &t, 1);
	crypto_generichash_update(&st, key, klen);
	crypto_generichash_final(&st, slot, STORE_KEY_LEN);
}

int
store_sbuf(struct store *s, size_t len)
{
	uint8_t *b;

	if (len <= s->sbuf_cap)
		return 0;
	if (!(b = realloc(s->sbuf, len)))
		return ENOMEM;
	s->sbuf = b;
	s->sbuf_cap = len;
	return 0;
}

/* store_block_key is the LMDB key of a block: its routing key, or when sealed
 * a keyed hash of it. */
const uint8_t *
store_block_key(const struct store *s, const uint8_t *rkey, uint8_t slot[STORE_KEY_LEN])
{
	if (!s->sealed)
		return rkey;
	store_slot(s, slot, rkey, STORE_KEY_LEN, -1);
	return slot;
}

/* seal_ad: a sealed block's associated data, its LMDB key and its
 * encrypted routing key, so a value moved to another slot, or given
 * another routing key, does not open. */
static void
seal_ad(uint8_t ad[2 * STORE_KEY_LEN], const uint8_t *slot, const uint8_t *v)
{
	memcpy(ad, slot, STORE_KEY_LEN);
	memcpy(ad + STORE_KEY_LEN, v + SEAL_NONCE, STORE_KEY_LEN);
}

/* store_unseal opens a stored block value (|d|, at LMDB key |slot|) into |out|,
 * and its routing key into |rkey| if not NULL. */
int
store_unseal(const struct store *s, const uint8_t *slot, const MDB_val *d, uint8_t *rkey, uint8_t *out, size_t cap,
    size_t *len)
{
	const uint8_t *v = d->mv_data;
	uint8_t ad[2 * STORE_KEY_LEN];

	if (!s->sealed) {
		if (d->mv_size > cap)
			return -1;
		memcpy(out, v, d->mv_size);
		*len = d->mv_size;
		return 0;
	}
	if (d->mv_size <= SEALED_OVERHEAD)
		return RC_FORGED;
	if (d->mv_size - SEALED_OVERHEAD > cap)
		return -1;
	*len = d->mv_size - SEALED_OVERHEAD;
	seal_ad(ad, slot, v);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, NULL, v + SEAL_NONCE + STORE_KEY_LEN, *len,
	    v + d->mv_size - SEAL_TAG, ad, sizeof(ad), v, s->data_key) != 0)
		return RC_FORGED;
	if (rkey)
		crypto_stream_xchacha20_xor(rkey, v + SEAL_NONCE, STORE_KEY_LEN, v, s->rkey_key);
	return 0;
}

int
store_sealed(const struct store *s)
{
	return s->sealed;
}

/* A sealed store keeps a check of its key, so the wrong key is told at
 * open rather than read as a store of garbage. */
static void
seal_check_value(const struct store *s, uint8_t out[16])
{
	crypto_generichash(out, 16, (const uint8_t *)"wisp-store-check", 16, s->slot_key, sizeof(s->slot_key));
}

int
store_put_seal_check(struct store *s, MDB_txn *txn)
{
	uint8_t v[16];
	MDB_val k = { 6, UNCONST("sealed") }, d = { sizeof(v), v };

	if (!s->sealed)
		return 0;
	seal_check_value(s, v);
	return mdb_put(txn, s->meta, &k, &d, 0);
}

int
store_seal_check(struct store *s, MDB_txn *txn)
{
	uint8_t v[16];
	MDB_val k = { 6, UNCONST("sealed") }, d;

	if (!s->sealed) {
		snprintf(s->err, sizeof(s->err), "store %s: sealed; it opens only with the node's key", s->path);
		return WISP_ERR_VERIFY;
	}
	seal_check_value(s, v);
	if (mdb_get(txn, s->meta, &k, &d) != 0 || d.mv_size != sizeof(v) || sodium_memcmp(d.mv_data, v, sizeof(v)) != 0) {
		snprintf(s->err, sizeof(s->err), "store %s: sealed under another key", s->path);
		return WISP_ERR_VERIFY;
	}
	return 0;
}

/* store_sealed_value seals a block and its routing key into s->sbuf. */
int
store_sealed_value(struct store *s, const uint8_t *slot, const uint8_t *rkey, const uint8_t *block, size_t len,
    MDB_val *d)
{
	uint8_t ad[2 * STORE_KEY_LEN], *v;

	if (store_sbuf(s, len + SEALED_OVERHEAD))
		return ENOMEM;
	v = s->sbuf;
	randombytes_buf(v, SEAL_NONCE);
	crypto_stream_xchacha20_xor(v + SEAL_NONCE, rkey, STORE_KEY_LEN, v, s->rkey_key);
	seal_ad(ad, slot, v);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(v + SEAL_NONCE + STORE_KEY_LEN, v + SEAL_NONCE +
	    STORE_KEY_LEN + len, NULL, block, len, ad, sizeof(ad), NULL, v, s->data_key);
	d->mv_size = len + SEALED_OVERHEAD;
	d->mv_data = v;
	return 0;
}
