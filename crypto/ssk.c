#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "crypto/chk.h"
#include "crypto/ssk.h"

static const uint8_t PERS_PKH[16] = "wisp-ssk-pkh-v1";
static const uint8_t PERS_NAME[16] = "wisp-ssk-nam-v1";
static const uint8_t PERS_RKEY[16] = "wisp-ssk-rte-v1";
static const uint8_t PERS_DATA[16] = "wisp-ssk-dat-v1";
static const uint8_t PERS_NONCE[16] = "wisp-ssk-non-v1";

static void
h(uint8_t *out, size_t outlen, const uint8_t *in, size_t len, const uint8_t *key,
    const uint8_t pers[16])
{
	crypto_generichash_blake2b_salt_personal(out, outlen, in, len, key, key ? 32 : 0,
	    NULL, pers);
}

void
ssk_keygen(uint8_t secret[static SSK_SECRET_LEN], uint8_t ckey[static SSK_KEY_LEN])
{
	uint8_t pub[SSK_PUB_LEN];

	crypto_sign_ed25519_keypair(pub, secret);
	randombytes_buf(ckey, SSK_KEY_LEN);
}

int
ssk_secret_check(const uint8_t secret[static SSK_SECRET_LEN])
{
	uint8_t pub[SSK_PUB_LEN], sk[SSK_SECRET_LEN];
	int ok;

	crypto_sign_ed25519_seed_keypair(pub, sk, secret);
	ok = sodium_memcmp(pub, secret + 32, SSK_PUB_LEN) == 0;
	sodium_memzero(sk, sizeof(sk));
	return ok ? 0 : WISP_ERR_VERIFY;
}

void
ssk_pubkey_hash(uint8_t out[static SSK_KEY_LEN], const uint8_t pub[static SSK_PUB_LEN])
{
	h(out, SSK_KEY_LEN, pub, SSK_PUB_LEN, NULL, PERS_PKH);
}

static void
name_hash(uint8_t out[SSK_KEY_LEN], const uint8_t ckey[SSK_KEY_LEN], const char *name, size_t len)
{
	h(out, SSK_KEY_LEN, (const uint8_t *)name, len, ckey, PERS_NAME);
}

static void
routing_key(uint8_t rkey[SSK_KEY_LEN], const uint8_t pkh[SSK_KEY_LEN], const uint8_t nh[SSK_KEY_LEN])
{
	uint8_t in[2 * SSK_KEY_LEN];

	memcpy(in, pkh, SSK_KEY_LEN);
	memcpy(in + SSK_KEY_LEN, nh, SSK_KEY_LEN);
	h(rkey, SSK_KEY_LEN, in, sizeof(in), NULL, PERS_RKEY);
}

void
ssk_request_key(uint8_t rkey[static SSK_KEY_LEN], const uint8_t pkh[static SSK_KEY_LEN],
    const uint8_t ckey[static SSK_KEY_LEN], const char *name, size_t namelen)
{
	uint8_t nh[SSK_KEY_LEN];

	name_hash(nh, ckey, name, namelen);
	routing_key(rkey, pkh, nh);
}

int
ssk_encode(uint8_t block[static SSK_BLOCK_LEN], uint8_t rkey[static SSK_KEY_LEN],
    const uint8_t secret[static SSK_SECRET_LEN], const uint8_t ckey[static SSK_KEY_LEN],
    const char *name, size_t namelen, const uint8_t *data, size_t len)
{
	uint8_t dkey[SSK_KEY_LEN], pkh[SSK_KEY_LEN];
	uint8_t *payload = block + SSK_OFF_CT, *nonce = block + SSK_OFF_NONCE;
	unsigned long long clen;

	if (len > SSK_DATA_MAX)
		return WISP_ERR_TOOBIG;
	if (namelen == 0 || namelen > SSK_NAME_MAX)
		return WISP_ERR_INVAL;
	block[0] = BLOCK_MAGIC;
	block[1] = BLOCK_VERSION;
	block[2] = BLOCK_TYPE_SSK;
	block[3] = 0;
	memcpy(block + SSK_OFF_PUB, secret + 32, SSK_PUB_LEN);
	name_hash(block + SSK_OFF_NAME, ckey, name, namelen);
	h(dkey, SSK_KEY_LEN, block + SSK_OFF_NAME, SSK_KEY_LEN, ckey, PERS_DATA);
	if (len)
		memmove(payload, data, len);
	memset(payload + len, 0, SSK_DATA_MAX - len);
	store_u32be(payload + SSK_DATA_MAX, (uint32_t)len);
	/* Synthetic nonce: a hash of the payload under the data key, so
	 * different contents never share a nonce and re-signing is idempotent. */
	h(nonce, SSK_NONCE_LEN, payload, SSK_PAYLOAD_LEN, dkey, PERS_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(payload, &clen, payload, SSK_PAYLOAD_LEN,
	    block, SSK_OFF_CT, NULL, nonce, dkey);
	crypto_sign_ed25519_detached(block + SSK_OFF_SIG, NULL, block, SSK_OFF_SIG, secret);
	ssk_pubkey_hash(pkh, block + SSK_OFF_PUB);
	routing_key(rkey, pkh, block + SSK_OFF_NAME);
	sodium_memzero(dkey, sizeof(dkey));
	return 0;
}

int
ssk_verify(const uint8_t *block, size_t len, const uint8_t rkey[static SSK_KEY_LEN])
{
	uint8_t pkh[SSK_KEY_LEN], got[SSK_KEY_LEN];

	if (len != SSK_BLOCK_LEN || block[0] != BLOCK_MAGIC || block[1] != BLOCK_VERSION ||
	    block[2] != BLOCK_TYPE_SSK || block[3] != 0)
		return WISP_ERR_MALFORMED;
	ssk_pubkey_hash(pkh, block + SSK_OFF_PUB);
	routing_key(got, pkh, block + SSK_OFF_NAME);
	if (crypto_verify_32(got, rkey) != 0)
		return WISP_ERR_VERIFY;
	if (crypto_sign_ed25519_verify_detached(block + SSK_OFF_SIG, block, SSK_OFF_SIG,
	    block + SSK_OFF_PUB) != 0)
		return WISP_ERR_VERIFY;
	return 0;
}

int
ssk_decode(uint8_t out[static SSK_PAYLOAD_LEN], size_t *len, const uint8_t *block,
    size_t blocklen, const uint8_t ckey[static SSK_KEY_LEN], const char *name, size_t namelen)
{
	uint8_t nh[SSK_KEY_LEN], dkey[SSK_KEY_LEN], nonce[SSK_NONCE_LEN];
	unsigned long long mlen;
	uint32_t n;
	size_t i;
	uint8_t acc = 0;
	int rc = WISP_ERR_VERIFY;

	if (blocklen != SSK_BLOCK_LEN)
		return WISP_ERR_MALFORMED;
	name_hash(nh, ckey, name, namelen);
	if (crypto_verify_32(nh, block + SSK_OFF_NAME) != 0)
		goto out;
	h(dkey, SSK_KEY_LEN, nh, SSK_KEY_LEN, ckey, PERS_DATA);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, block + SSK_OFF_CT,
	    SSK_PAYLOAD_LEN + 16, block, SSK_OFF_CT, block + SSK_OFF_NONCE, dkey) != 0)
		goto out;
	h(nonce, SSK_NONCE_LEN, out, SSK_PAYLOAD_LEN, dkey, PERS_NONCE);
	if (sodium_memcmp(nonce, block + SSK_OFF_NONCE, SSK_NONCE_LEN) != 0)
		goto out;
	rc = WISP_ERR_MALFORMED;
	n = load_u32be(out + SSK_DATA_MAX);
	if (n > SSK_DATA_MAX)
		goto out;
	for (i = n; i < SSK_DATA_MAX; i++)
		acc |= out[i];
	if (acc)
		goto out;
	*len = n;
	rc = 0;
out:
	sodium_memzero(dkey, sizeof(dkey));
	return rc;
}

void
ssk_pointer_encode(uint8_t out[static SSK_POINTER_LEN], const uint8_t rk[static 32],
    const uint8_t ck[static 32])
{
	memcpy(out, "WSPS", 4);
	out[4] = 1;
	memcpy(out + 5, rk, 32);
	memcpy(out + 37, ck, 32);
}

int
ssk_pointer_decode(const uint8_t *p, size_t len, uint8_t rk[static 32], uint8_t ck[static 32])
{
	if (len != SSK_POINTER_LEN || memcmp(p, "WSPS", 4) != 0)
		return WISP_ERR_MALFORMED;
	if (p[4] != 1)
		return WISP_ERR_VERSION;
	memcpy(rk, p + 5, 32);
	memcpy(ck, p + 37, 32);
	return 0;
}
