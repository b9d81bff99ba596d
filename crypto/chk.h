/* chk.h: content-hash key (CHK) blocks, convergently encrypted.
 *
 * A CHK block carries 0..32768 bytes of plaintext and is always exactly
 * CHK_BLOCK_LEN bytes long, so blocks do not reveal their content's length.
 * The crypto key is a hash of the padded plaintext; the routing key is a
 * hash of the whole block. Nodes see and check only the routing key; only a
 * holder of the crypto key can read the block. docs/keys.md has the layout. */
#ifndef WISP_CHK_H
#define WISP_CHK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum chk_limits {
	CHK_KEY_LEN = 32,
	CHK_DATA_MAX = 32768,
	CHK_HEADER_LEN = 4,
	CHK_PAYLOAD_LEN = CHK_DATA_MAX + 4,    /* padded data, then its length */
	CHK_MAC_LEN = 16,
	CHK_BLOCK_LEN = CHK_HEADER_LEN + CHK_PAYLOAD_LEN + CHK_MAC_LEN, /* 32792 */
};

/* Header bytes: magic 'W', format version, block type, reserved. */
enum block_type { BLOCK_TYPE_CHK = 1, BLOCK_TYPE_SSK = 2 };
#define BLOCK_MAGIC 0x57
#define BLOCK_VERSION 1

struct chk_keys {
	uint8_t routing[CHK_KEY_LEN];
	uint8_t crypto[CHK_KEY_LEN];
};

/* chk_encode encrypts |len| bytes of |data| into |block|; the same data
 * always gives the same block and keys. Returns 0 or WISP_ERR_TOOBIG. */
int chk_encode(uint8_t block[static CHK_BLOCK_LEN], struct chk_keys *keys,
    const uint8_t *data, size_t len) WISP_WUR;

/* chk_routing_key hashes a whole block into its routing key. */
void chk_routing_key(uint8_t rkey[static CHK_KEY_LEN], const uint8_t block[static CHK_BLOCK_LEN]);

/* chk_verify checks that |block| (|len| bytes) is a CHK block whose
 * routing key is |rkey|, in constant time. Returns 0, WISP_ERR_MALFORMED
 * or WISP_ERR_VERIFY. Every node calls it before storing or forwarding. */
int chk_verify(const uint8_t *block, size_t len, const uint8_t rkey[static CHK_KEY_LEN]) WISP_WUR;

/* chk_decode decrypts |block| with |ckey| into |out|: the plaintext starts
 * at |out| and is |*len| bytes; the rest of |out| is scratch. Refuses a
 * wrong key, a tampered block and any non-canonical encoding. Returns 0,
 * WISP_ERR_MALFORMED or WISP_ERR_VERIFY. */
int chk_decode(uint8_t out[static CHK_PAYLOAD_LEN], size_t *len,
    const uint8_t *block, size_t blocklen, const uint8_t ckey[static CHK_KEY_LEN]) WISP_WUR;

#endif
