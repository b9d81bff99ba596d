#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "crypto/chk.h"

/* BLAKE2b personalisations keep the two hashes in separate domains. */
static const uint8_t PERS_KEY[16] = "wisp-chk-key-v1";
static const uint8_t PERS_ROUTE[16] = "wisp-chk-rte-v1";

static void
hash_pers(uint8_t out[32], const uint8_t *in, size_t len, const uint8_t pers[16])
{
	crypto_generichash_blake2b_salt_personal(out, 32, in, len, NULL, 0, NULL, pers);
}

static void
header(uint8_t h[CHK_HEADER_LEN])
{
	h[0] = BLOCK_MAGIC;
	h[1] = BLOCK_VERSION;
	h[2] = BLOCK_TYPE_CHK;
	h[3] = 0;
}

int
chk_encode(uint8_t block[static CHK_BLOCK_LEN], struct chk_keys *keys,
    const uint8_t *data, size_t len)
{
	/* One key encrypts exactly one payload (the key is its hash), so a
	 * fixed nonce never repeats under a key with different content. */
	static const uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	uint8_t *payload = block + CHK_HEADER_LEN;
	unsigned long long clen;

	if (len > CHK_DATA_MAX)
		return WISP_ERR_TOOBIG;
	header(block);
	if (len)
		memmove(payload, data, len);
	memset(payload + len, 0, CHK_DATA_MAX - len);
	store_u32be(payload + CHK_DATA_MAX, (uint32_t)len);
	hash_pers(keys->crypto, payload, CHK_PAYLOAD_LEN, PERS_KEY);
	crypto_aead_xchacha20poly1305_ietf_encrypt(payload, &clen, payload, CHK_PAYLOAD_LEN,
	    block, CHK_HEADER_LEN, NULL, nonce, keys->crypto);
	chk_routing_key(keys->routing, block);
	return 0;
}

void
chk_routing_key(uint8_t rkey[static CHK_KEY_LEN], const uint8_t block[static CHK_BLOCK_LEN])
{
	hash_pers(rkey, block, CHK_BLOCK_LEN, PERS_ROUTE);
}

static int
header_ok(const uint8_t *block)
{
	uint8_t h[CHK_HEADER_LEN];

	header(h);
	return memcmp(h, block, CHK_HEADER_LEN) == 0;
}

int
chk_verify(const uint8_t *block, size_t len, const uint8_t rkey[static CHK_KEY_LEN])
{
	uint8_t got[CHK_KEY_LEN];

	if (len != CHK_BLOCK_LEN || !header_ok(block))
		return WISP_ERR_MALFORMED;
	chk_routing_key(got, block);
	return crypto_verify_32(got, rkey) == 0 ? 0 : WISP_ERR_VERIFY;
}

int
chk_decode(uint8_t out[static CHK_PAYLOAD_LEN], size_t *len,
    const uint8_t *block, size_t blocklen, const uint8_t ckey[static CHK_KEY_LEN])
{
	static const uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	uint8_t check[CHK_KEY_LEN];
	unsigned long long mlen;
	uint32_t n;
	size_t i;
	uint8_t acc = 0;

	if (blocklen != CHK_BLOCK_LEN || !header_ok(block))
		return WISP_ERR_MALFORMED;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL,
	    block + CHK_HEADER_LEN, CHK_PAYLOAD_LEN + CHK_MAC_LEN,
	    block, CHK_HEADER_LEN, nonce, ckey) != 0)
		return WISP_ERR_VERIFY;
	/* Convergence: the key must be the hash of what it encrypts, so one
	 * content has exactly one block. */
	hash_pers(check, out, CHK_PAYLOAD_LEN, PERS_KEY);
	if (crypto_verify_32(check, ckey) != 0)
		return WISP_ERR_VERIFY;
	n = load_u32be(out + CHK_DATA_MAX);
	if (n > CHK_DATA_MAX)
		return WISP_ERR_MALFORMED;
	for (i = n; i < CHK_DATA_MAX; i++)
		acc |= out[i];
	if (acc)
		return WISP_ERR_MALFORMED;
	*len = n;
	return 0;
}
