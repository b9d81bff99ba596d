/* seal.c: the master key's file and sealed files (seal.h). */
#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "crypto/seal.h"

#define KEY_MAGIC "wisp-key"
#define BOX_MAGIC "wispseal"
enum { MAGIC_LEN = 8, KEY_VERSION = 1, BOX_VERSION = 1, KIND_PLAIN = 0, KIND_ARGON2ID = 1 };
enum { HDR = MAGIC_LEN + 2, SALT = 16, NONCE = 24, TAG = 16, CHECK = 16 };

int
seal_cost_named(const char *name, struct seal_cost *c)
{
	if (strcmp(name, "interactive") == 0) {
		c->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		c->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(name, "moderate") == 0) {
		c->ops = crypto_pwhash_OPSLIMIT_MODERATE;
		c->mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else if (strcmp(name, "sensitive") == 0) {
		c->ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
		c->mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
	} else {
		return WISP_ERR_INVAL;
	}
	return 0;
}

/* A plain key file carries a check of the key, so a damaged one is told
 * from a sound one rather than read as a different node. */
static void
key_check(uint8_t out[CHECK], const uint8_t *hdr, const uint8_t master[SEAL_KEY_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, CHECK);
	crypto_generichash_update(&st, hdr, HDR);
	crypto_generichash_update(&st, master, SEAL_KEY_LEN);
	crypto_generichash_final(&st, out, CHECK);
}

static int
cost_ok(const struct seal_cost *c)
{
	return c->ops >= crypto_pwhash_OPSLIMIT_MIN && c->ops <= crypto_pwhash_OPSLIMIT_MAX &&
	    c->mem >= crypto_pwhash_MEMLIMIT_MIN && c->mem <= crypto_pwhash_MEMLIMIT_MAX &&
	    c->mem <= (uint64_t)SIZE_MAX;
}

static int
wrap_key(uint8_t kek[SEAL_KEY_LEN], const char *pass, size_t plen, const uint8_t salt[SALT],
    const struct seal_cost *c)
{
	if (crypto_pwhash(kek, SEAL_KEY_LEN, pass, plen, salt, c->ops, (size_t)c->mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return WISP_ERR_NOMEM; /* Argon2id could not have its memory */
	return 0;
}

int
seal_keyfile_make(uint8_t *out, size_t *len, const uint8_t master[SEAL_KEY_LEN], const char *pass,
    size_t plen, const struct seal_cost *cost)
{
	uint8_t kek[SEAL_KEY_LEN], *p = out + HDR;
	int rc;

	memcpy(out, KEY_MAGIC, MAGIC_LEN);
	out[MAGIC_LEN] = KEY_VERSION;
	out[MAGIC_LEN + 1] = pass ? KIND_ARGON2ID : KIND_PLAIN;
	if (!pass) {
		memcpy(p, master, SEAL_KEY_LEN);
		key_check(p + SEAL_KEY_LEN, out, master);
		*len = SEAL_KEYFILE_PLAIN_LEN;
		return 0;
	}
	if (!cost || !cost_ok(cost))
		return WISP_ERR_INVAL;
	store_u64be(p, cost->ops), p += 8;
	store_u64be(p, cost->mem), p += 8;
	randombytes_buf(p, SALT + NONCE);
	if ((rc = wrap_key(kek, pass, plen, p, cost)) != 0)
		return rc;
	p += SALT;
	crypto_aead_xchacha20poly1305_ietf_encrypt(p + NONCE, NULL, master, SEAL_KEY_LEN, out,
	    (size_t)(p - out), NULL, p, kek);
	sodium_memzero(kek, sizeof(kek));
	*len = SEAL_KEYFILE_WRAPPED_LEN;
	return 0;
}

int
seal_keyfile_wrapped(const uint8_t *file, size_t len)
{
	if (len < HDR || memcmp(file, KEY_MAGIC, MAGIC_LEN) != 0)
		return WISP_ERR_MALFORMED;
	if (file[MAGIC_LEN] != KEY_VERSION)
		return WISP_ERR_VERSION;
	if (file[MAGIC_LEN + 1] == KIND_PLAIN && len == SEAL_KEYFILE_PLAIN_LEN)
		return 0;
	if (file[MAGIC_LEN + 1] == KIND_ARGON2ID && len == SEAL_KEYFILE_WRAPPED_LEN)
		return 1;
	return WISP_ERR_MALFORMED;
}

int
seal_keyfile_cost(const uint8_t *file, size_t len, struct seal_cost *c)
{
	if (seal_keyfile_wrapped(file, len) != 1)
		return WISP_ERR_MALFORMED;
	c->ops = load_u64be(file + HDR);
	c->mem = load_u64be(file + HDR + 8);
	return cost_ok(c) ? 0 : WISP_ERR_MALFORMED;
}

int
seal_keyfile_open(uint8_t master[SEAL_KEY_LEN], const uint8_t *file, size_t len, const char *pass,
    size_t plen)
{
	const uint8_t *salt = file + HDR + 16, *nonce = salt + SALT;
	uint8_t kek[SEAL_KEY_LEN], check[CHECK];
	struct seal_cost c;
	int kind = seal_keyfile_wrapped(file, len), rc;

	if (kind < 0)
		return kind;
	if (kind == 0) {
		key_check(check, file, file + HDR);
		if (sodium_memcmp(check, file + HDR + SEAL_KEY_LEN, CHECK) != 0)
			return WISP_ERR_VERIFY;
		memcpy(master, file + HDR, SEAL_KEY_LEN);
		return 0;
	}
	if (!pass)
		return WISP_ERR_INVAL;
	if ((rc = seal_keyfile_cost(file, len, &c)) != 0 || (rc = wrap_key(kek, pass, plen, salt, &c)) != 0)
		return rc;
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(master, NULL, NULL, nonce + NONCE,
	    SEAL_KEY_LEN + TAG, file, (size_t)(nonce - file), nonce, kek);
	sodium_memzero(kek, sizeof(kek));
	return rc == 0 ? 0 : WISP_ERR_VERIFY;
}

void
seal_subkey(uint8_t out[SEAL_KEY_LEN], const uint8_t master[SEAL_KEY_LEN], enum seal_use use)
{
	crypto_kdf_derive_from_key(out, SEAL_KEY_LEN, (uint64_t)use, "wispnode", master);
}

/* The associated data: the header and nonce, then the file's name. */
static size_t
box_ad(uint8_t *ad, const uint8_t *hdr, const char *name)
{
	size_t n = strlen(name);

	memcpy(ad, hdr, MAGIC_LEN + 1 + NONCE);
	memcpy(ad + MAGIC_LEN + 1 + NONCE, name, n);
	return MAGIC_LEN + 1 + NONCE + n;
}

int
seal_box(uint8_t *out, const uint8_t key[SEAL_KEY_LEN], const char *name, const uint8_t *in, size_t len)
{
	uint8_t ad[MAGIC_LEN + 1 + NONCE + SEAL_NAME_MAX];
	size_t adlen;

	if (strlen(name) > SEAL_NAME_MAX)
		return WISP_ERR_INVAL;
	memcpy(out, BOX_MAGIC, MAGIC_LEN);
	out[MAGIC_LEN] = BOX_VERSION;
	randombytes_buf(out + MAGIC_LEN + 1, NONCE);
	adlen = box_ad(ad, out, name);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + MAGIC_LEN + 1 + NONCE, NULL, in, len, ad, adlen,
	    NULL, out + MAGIC_LEN + 1, key);
	return 0;
}

int
seal_is_box(const uint8_t *in, size_t len)
{
	return len >= SEAL_OVERHEAD && memcmp(in, BOX_MAGIC, MAGIC_LEN) == 0;
}

int
seal_open(uint8_t *out, size_t *outlen, const uint8_t key[SEAL_KEY_LEN], const char *name,
    const uint8_t *in, size_t len)
{
	uint8_t ad[MAGIC_LEN + 1 + NONCE + SEAL_NAME_MAX];
	size_t adlen;

	if (!seal_is_box(in, len))
		return WISP_ERR_MALFORMED;
	if (in[MAGIC_LEN] != BOX_VERSION)
		return WISP_ERR_VERSION;
	if (strlen(name) > SEAL_NAME_MAX)
		return WISP_ERR_INVAL;
	adlen = box_ad(ad, in, name);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + MAGIC_LEN + 1 + NONCE,
	    len - (MAGIC_LEN + 1 + NONCE), ad, adlen, in + MAGIC_LEN + 1, key) != 0)
		return WISP_ERR_VERIFY;
	*outlen = len - SEAL_OVERHEAD;
	return 0;
}
