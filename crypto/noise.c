#include <string.h>

#include <sodium.h>

#include "crypto/noise.h"

static const char PROTOCOL[] = "Noise_IK_25519_ChaChaPoly_BLAKE2b";
enum { BLOCK_LEN = 128 };

static void
hash2(uint8_t out[NOISE_HASH_LEN], const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	crypto_generichash_blake2b_state st;

	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_blake2b_update(&st, a, alen);
	crypto_generichash_blake2b_update(&st, b, blen);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASH_LEN);
}

/* HMAC-BLAKE2b (RFC 2104), as Noise's HKDF requires; keys are at most
 * HASHLEN bytes, below the block length, so they are only padded. */
static void
hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	uint8_t pad[BLOCK_LEN], inner[NOISE_HASH_LEN];
	crypto_generichash_blake2b_state st;
	size_t i;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, klen);
	for (i = 0; i < BLOCK_LEN; i++)
		pad[i] ^= 0x36;
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_blake2b_update(&st, pad, BLOCK_LEN);
	crypto_generichash_blake2b_update(&st, a, alen);
	if (blen)
		crypto_generichash_blake2b_update(&st, b, blen);
	crypto_generichash_blake2b_final(&st, inner, NOISE_HASH_LEN);
	for (i = 0; i < BLOCK_LEN; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	hash2(out, pad, BLOCK_LEN, inner, NOISE_HASH_LEN);
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}

static void
hkdf2(const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm, size_t ilen, uint8_t o1[NOISE_HASH_LEN],
    uint8_t o2[NOISE_HASH_LEN])
{
	uint8_t temp[NOISE_HASH_LEN], one = 1, two = 2;

	hmac(temp, ck, NOISE_HASH_LEN, ikm, ilen, NULL, 0);
	hmac(o1, temp, NOISE_HASH_LEN, &one, 1, NULL, 0);
	hmac(o2, temp, NOISE_HASH_LEN, o1, NOISE_HASH_LEN, &two, 1);
	sodium_memzero(temp, sizeof(temp));
}

static void
mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	hash2(hs->h, hs->h, NOISE_HASH_LEN, data, len);
}

static void
mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t k[NOISE_HASH_LEN];

	hkdf2(hs->ck, ikm, len, hs->ck, k);
	memcpy(hs->c.k, k, NOISE_KEY_LEN);
	hs->c.n = 0;
	hs->c.has_key = 1;
	sodium_memzero(k, sizeof(k));
}

static void
nonce_of(uint8_t nonce[12], uint64_t n)
{
	int i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

int
noise_encrypt(struct noise_cipher *c, const uint8_t *ad, size_t adlen, const uint8_t *pt, size_t len,
    uint8_t *out)
{
	uint8_t nonce[12];
	unsigned long long clen;

	if (c->n == UINT64_MAX)
		return WISP_ERR_FULL;
	nonce_of(nonce, c->n++);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, pt, len, ad, adlen, NULL, nonce, c->k);
	return 0;
}

int
noise_decrypt(struct noise_cipher *c, const uint8_t *ad, size_t adlen, const uint8_t *ct, size_t len,
    uint8_t *out)
{
	uint8_t nonce[12];
	unsigned long long mlen;

	if (c->n == UINT64_MAX)
		return WISP_ERR_FULL;
	if (len < NOISE_MAC_LEN)
		return WISP_ERR_MALFORMED;
	nonce_of(nonce, c->n);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, NULL, ct, len, ad, adlen, nonce, c->k) != 0)
		return WISP_ERR_VERIFY;
	c->n++;
	return 0;
}

void
noise_rekey(struct noise_cipher *c)
{
	uint8_t zeros[NOISE_KEY_LEN] = { 0 }, out[NOISE_KEY_LEN + NOISE_MAC_LEN], nonce[12];
	unsigned long long clen;

	nonce_of(nonce, UINT64_MAX);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, zeros, sizeof(zeros), NULL, 0, NULL,
	    nonce, c->k);
	memcpy(c->k, out, NOISE_KEY_LEN);
	sodium_memzero(out, sizeof(out));
}

/* encrypt_and_hash / decrypt_and_hash: the handshake's payload steps. */
static int
encrypt_and_hash(struct noise_hs *hs, const uint8_t *pt, size_t len, uint8_t *out)
{
	int rc;

	if (!hs->c.has_key) {
		memmove(out, pt, len);
		mix_hash(hs, out, len);
		return 0;
	}
	if ((rc = noise_encrypt(&hs->c, hs->h, NOISE_HASH_LEN, pt, len, out)) != 0)
		return rc;
	mix_hash(hs, out, len + NOISE_MAC_LEN);
	return 0;
}

static int
decrypt_and_hash(struct noise_hs *hs, const uint8_t *ct, size_t len, uint8_t *out)
{
	uint8_t h[NOISE_HASH_LEN];
	int rc;

	memcpy(h, hs->h, NOISE_HASH_LEN);
	mix_hash(hs, ct, len);
	if (!hs->c.has_key) {
		memmove(out, ct, len);
		return 0;
	}
	if ((rc = noise_decrypt(&hs->c, h, NOISE_HASH_LEN, ct, len, out)) != 0)
		return rc;
	return 0;
}

static int
dh(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32])
{
	/* A low-order point gives all zeros: refuse it. */
	return crypto_scalarmult(out, priv, pub) == 0 ? 0 : WISP_ERR_VERIFY;
}

void
noise_ik_init(struct noise_hs *hs, int initiator, const uint8_t *prologue, size_t plen,
    const uint8_t s_priv[static 32], const uint8_t *rs)
{
	memset(hs, 0, sizeof(*hs));
	hs->initiator = initiator;
	memcpy(hs->h, PROTOCOL, sizeof(PROTOCOL) - 1); /* shorter than HASHLEN: padded */
	memcpy(hs->ck, hs->h, NOISE_HASH_LEN);
	mix_hash(hs, prologue, plen);
	memcpy(hs->s_priv, s_priv, 32);
	crypto_scalarmult_base(hs->s_pub, s_priv);
	if (initiator) {
		memcpy(hs->rs, rs, 32);
		mix_hash(hs, rs, 32);          /* <- s (pre-message) */
	} else {
		mix_hash(hs, hs->s_pub, 32);
	}
}

static void
set_e(struct noise_hs *hs, const uint8_t e_priv[32])
{
	memcpy(hs->e_priv, e_priv, 32);
	crypto_scalarmult_base(hs->e_pub, e_priv);
}

int
noise_ik_write_msg1(struct noise_hs *hs, const uint8_t e_priv[static 32], const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t k[32];
	int rc = WISP_ERR_TOOBIG;

	if (!hs->initiator || cap < plen + NOISE_MSG1_OVERHEAD)
		return WISP_ERR_TOOBIG;
	set_e(hs, e_priv);
	memcpy(out, hs->e_pub, 32);                              /* e */
	mix_hash(hs, hs->e_pub, 32);
	if ((rc = dh(k, hs->e_priv, hs->rs)) != 0)               /* es */
		goto out;
	mix_key(hs, k, 32);
	if ((rc = encrypt_and_hash(hs, hs->s_pub, 32, out + 32)) != 0) /* s */
		goto out;
	if ((rc = dh(k, hs->s_priv, hs->rs)) != 0)               /* ss */
		goto out;
	mix_key(hs, k, 32);
	if ((rc = encrypt_and_hash(hs, payload, plen, out + 32 + 48)) != 0)
		goto out;
	*outlen = plen + NOISE_MSG1_OVERHEAD;
out:
	sodium_memzero(k, sizeof(k));
	return rc;
}

int
noise_ik_read_msg1(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload, size_t cap,
    size_t *plen)
{
	uint8_t k[32];
	int rc;

	if (hs->initiator || len < NOISE_MSG1_OVERHEAD)
		return WISP_ERR_MALFORMED;
	if (len - NOISE_MSG1_OVERHEAD > cap)
		return WISP_ERR_TOOBIG;
	memcpy(hs->re, msg, 32);                                 /* e */
	mix_hash(hs, hs->re, 32);
	if ((rc = dh(k, hs->s_priv, hs->re)) != 0)               /* es */
		goto out;
	mix_key(hs, k, 32);
	if ((rc = decrypt_and_hash(hs, msg + 32, 48, hs->rs)) != 0) /* s */
		goto out;
	if ((rc = dh(k, hs->s_priv, hs->rs)) != 0)               /* ss */
		goto out;
	mix_key(hs, k, 32);
	rc = decrypt_and_hash(hs, msg + 80, len - 80, payload);
	if (rc == 0)
		*plen = len - NOISE_MSG1_OVERHEAD;
out:
	sodium_memzero(k, sizeof(k));
	return rc;
}

int
noise_ik_write_msg2(struct noise_hs *hs, const uint8_t e_priv[static 32], const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t k[32];
	int rc;

	if (hs->initiator || cap < plen + NOISE_MSG2_OVERHEAD)
		return WISP_ERR_TOOBIG;
	set_e(hs, e_priv);
	memcpy(out, hs->e_pub, 32);                              /* e */
	mix_hash(hs, hs->e_pub, 32);
	if ((rc = dh(k, hs->e_priv, hs->re)) != 0)               /* ee */
		goto out;
	mix_key(hs, k, 32);
	if ((rc = dh(k, hs->e_priv, hs->rs)) != 0)               /* se */
		goto out;
	mix_key(hs, k, 32);
	if ((rc = encrypt_and_hash(hs, payload, plen, out + 32)) != 0)
		goto out;
	*outlen = plen + NOISE_MSG2_OVERHEAD;
out:
	sodium_memzero(k, sizeof(k));
	return rc;
}

int
noise_ik_read_msg2(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload, size_t cap,
    size_t *plen)
{
	uint8_t k[32];
	int rc;

	if (!hs->initiator || len < NOISE_MSG2_OVERHEAD)
		return WISP_ERR_MALFORMED;
	if (len - NOISE_MSG2_OVERHEAD > cap)
		return WISP_ERR_TOOBIG;
	memcpy(hs->re, msg, 32);                                 /* e */
	mix_hash(hs, hs->re, 32);
	if ((rc = dh(k, hs->e_priv, hs->re)) != 0)               /* ee */
		goto out;
	mix_key(hs, k, 32);
	if ((rc = dh(k, hs->s_priv, hs->re)) != 0)               /* se */
		goto out;
	mix_key(hs, k, 32);
	rc = decrypt_and_hash(hs, msg + 32, len - 32, payload);
	if (rc == 0)
		*plen = len - NOISE_MSG2_OVERHEAD;
out:
	sodium_memzero(k, sizeof(k));
	return rc;
}

void
noise_split(struct noise_hs *hs, struct noise_cipher *send, struct noise_cipher *recv,
    uint8_t hash[NOISE_HASH_LEN])
{
	uint8_t k1[NOISE_HASH_LEN], k2[NOISE_HASH_LEN];

	hkdf2(hs->ck, NULL, 0, k1, k2);
	memset(send, 0, sizeof(*send));
	memset(recv, 0, sizeof(*recv));
	memcpy(hs->initiator ? send->k : recv->k, k1, NOISE_KEY_LEN);
	memcpy(hs->initiator ? recv->k : send->k, k2, NOISE_KEY_LEN);
	send->has_key = recv->has_key = 1;
	if (hash)
		memcpy(hash, hs->h, NOISE_HASH_LEN);
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	noise_hs_wipe(hs);
}

void
noise_hs_wipe(struct noise_hs *hs)
{
	uint8_t rs[32];
	int initiator = hs->initiator;

	/* Keep who the peer is; forget every secret. */
	memcpy(rs, hs->rs, 32);
	sodium_memzero(hs, sizeof(*hs));
	memcpy(hs->rs, rs, 32);
	hs->initiator = initiator;
}
