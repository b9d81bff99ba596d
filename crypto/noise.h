/* noise.h: Noise_IK_25519_ChaChaPoly_BLAKE2b (Noise Protocol Framework,
 * revision 34), from libsodium primitives. Pure: the caller supplies the
 * ephemeral keys (random in wispd, fixed in the test vectors).
 *
 *   IK:  <- s
 *        ...
 *        -> e, es, s, ss
 *        <- e, ee, se
 *
 * The responder learns the initiator's static key when it reads message 1
 * (noise_hs.rs) and decides, before answering, whether it knows it. */
#ifndef WISP_NOISE_H
#define WISP_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum noise_limits {
	NOISE_KEY_LEN = 32,
	NOISE_HASH_LEN = 64,
	NOISE_MAC_LEN = 16,
	NOISE_MSG1_OVERHEAD = 32 + 32 + 16 + 16, /* e, s with MAC, payload MAC */
	NOISE_MSG2_OVERHEAD = 32 + 16,           /* e, payload MAC */
	NOISE_MAX_MSG = 65535,
};

struct noise_cipher {
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
	int has_key;
};

struct noise_hs {
	int initiator;
	uint8_t ck[NOISE_HASH_LEN], h[NOISE_HASH_LEN];
	struct noise_cipher c;
	uint8_t s_priv[32], s_pub[32], e_priv[32], e_pub[32];
	uint8_t rs[32], re[32];
};

/* noise_ik_init starts a handshake. The initiator passes the responder's
 * static public key |rs|; the responder passes NULL. */
void noise_ik_init(struct noise_hs *hs, int initiator, const uint8_t *prologue, size_t plen,
    const uint8_t s_priv[static 32], const uint8_t *rs);

/* Each write appends one handshake message to |out| (capacity |cap|);
 * each read checks one and yields its payload. Returns 0,
 * WISP_ERR_TOOBIG, WISP_ERR_MALFORMED or WISP_ERR_VERIFY. */
int noise_ik_write_msg1(struct noise_hs *hs, const uint8_t e_priv[static 32], const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen) WISP_WUR;
int noise_ik_read_msg1(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload,
    size_t cap, size_t *plen) WISP_WUR;
int noise_ik_write_msg2(struct noise_hs *hs, const uint8_t e_priv[static 32], const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen) WISP_WUR;
int noise_ik_read_msg2(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload,
    size_t cap, size_t *plen) WISP_WUR;

/* noise_split ends the handshake: |send| and |recv| from this side's view.
 * It wipes the handshake state; |hash| (may be NULL) gets the handshake
 * hash, which both sides share. */
void noise_split(struct noise_hs *hs, struct noise_cipher *send, struct noise_cipher *recv,
    uint8_t hash[NOISE_HASH_LEN]);

/* Transport: |out| gets len + 16 bytes (encrypt) or len − 16 (decrypt).
 * The nonce is the message count, so a replayed, dropped or reordered
 * message fails to decrypt. Returns 0, WISP_ERR_VERIFY or WISP_ERR_FULL
 * (nonces exhausted). */
int noise_encrypt(struct noise_cipher *c, const uint8_t *ad, size_t adlen, const uint8_t *pt,
    size_t len, uint8_t *out) WISP_WUR;
int noise_decrypt(struct noise_cipher *c, const uint8_t *ad, size_t adlen, const uint8_t *ct,
    size_t len, uint8_t *out) WISP_WUR;
/* noise_rekey replaces the key with one derived from it (Noise §11.3). */
void noise_rekey(struct noise_cipher *c);
void noise_hs_wipe(struct noise_hs *hs);

#endif
