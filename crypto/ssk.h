/* ssk.h: signed-subspace key (SSK) blocks.
 *
 * An Ed25519 keypair owns a namespace. A block names a document by a hash
 * of its name under the namespace's crypto key, so nodes can verify the
 * signature and the routing key without learning the name or the content.
 * Readers hold the public-key hash and the crypto key (the request URI);
 * the publisher also holds the secret key (the insert URI). */
#ifndef WISP_SSK_H
#define WISP_SSK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum ssk_limits {
	SSK_KEY_LEN = 32,
	SSK_PUB_LEN = 32,
	SSK_SECRET_LEN = 64, /* Ed25519 seed followed by the public key */
	SSK_SIG_LEN = 64,
	SSK_NONCE_LEN = 24,
	SSK_DATA_MAX = 1024,
	SSK_PAYLOAD_LEN = SSK_DATA_MAX + 4,
	SSK_HEADER_LEN = 4,
	SSK_OFF_PUB = SSK_HEADER_LEN,
	SSK_OFF_NAME = SSK_OFF_PUB + SSK_PUB_LEN,
	SSK_OFF_NONCE = SSK_OFF_NAME + SSK_KEY_LEN,
	SSK_OFF_CT = SSK_OFF_NONCE + SSK_NONCE_LEN,
	SSK_OFF_SIG = SSK_OFF_CT + SSK_PAYLOAD_LEN + 16,
	SSK_BLOCK_LEN = SSK_OFF_SIG + SSK_SIG_LEN, /* 1200 */
	SSK_NAME_MAX = 1024,
};

/* ssk_keygen makes a fresh namespace: a signing secret and a crypto key. */
void ssk_keygen(uint8_t secret[static SSK_SECRET_LEN], uint8_t ckey[static SSK_KEY_LEN]);

/* ssk_secret_check: does the public half of |secret| match its seed? */
int ssk_secret_check(const uint8_t secret[static SSK_SECRET_LEN]) WISP_WUR;

/* ssk_pubkey_hash gives the namespace id of a public key. */
void ssk_pubkey_hash(uint8_t out[static SSK_KEY_LEN], const uint8_t pub[static SSK_PUB_LEN]);

/* ssk_request_key derives the routing key of document |name| in the
 * namespace |pkh| with crypto key |ckey|. */
void ssk_request_key(uint8_t rkey[static SSK_KEY_LEN], const uint8_t pkh[static SSK_KEY_LEN],
    const uint8_t ckey[static SSK_KEY_LEN], const char *name, size_t namelen);

/* ssk_encode signs |len| bytes of |data| as document |name|. Deterministic:
 * the same inputs give the same block. Returns 0, WISP_ERR_TOOBIG or
 * WISP_ERR_INVAL (empty or over-long name). */
int ssk_encode(uint8_t block[static SSK_BLOCK_LEN], uint8_t rkey[static SSK_KEY_LEN],
    const uint8_t secret[static SSK_SECRET_LEN], const uint8_t ckey[static SSK_KEY_LEN],
    const char *name, size_t namelen, const uint8_t *data, size_t len) WISP_WUR;

/* ssk_verify checks the block's signature and that it lives at |rkey|.
 * Needs no secret: every node runs it. Returns 0, WISP_ERR_MALFORMED or
 * WISP_ERR_VERIFY. */
int ssk_verify(const uint8_t *block, size_t len, const uint8_t rkey[static SSK_KEY_LEN]) WISP_WUR;

/* ssk_decode decrypts a block the caller has verified. The plaintext
 * starts at |out|, |*len| bytes. Returns 0, WISP_ERR_MALFORMED or
 * WISP_ERR_VERIFY (wrong key or name). */
int ssk_decode(uint8_t out[static SSK_PAYLOAD_LEN], size_t *len, const uint8_t *block,
    size_t blocklen, const uint8_t ckey[static SSK_KEY_LEN], const char *name, size_t namelen) WISP_WUR;

/* An SSK document's payload points at a CHK tree, so a signed name can
 * carry a file of any size: magic "WSPS", version 1, root routing key,
 * root crypto key. */
enum { SSK_POINTER_LEN = 4 + 1 + 64 };
void ssk_pointer_encode(uint8_t out[static SSK_POINTER_LEN], const uint8_t rk[static 32],
    const uint8_t ck[static 32]);
/* Returns 0, WISP_ERR_MALFORMED or WISP_ERR_VERSION. */
int ssk_pointer_decode(const uint8_t *p, size_t len, uint8_t rk[static 32], uint8_t ck[static 32]) WISP_WUR;

#endif
