/* ark.h: a node's address record, where friends find it after its address
 * changed while they were away (Hyphanet's ARK). Pure.
 *
 * Each node has an SSK namespace derived from its identity key, whose
 * request key (namespace hash and crypto key) it gives only to friends,
 * over their links. Edition N of its record is the SSK document named
 * "wisp-ark/N": magic "WARK", version (1), the node's X25519 key (32),
 * the edition (u64), an address count (1, at most 8) and the addresses
 * (natmsg.h's form). Signed by the namespace, readable only with its crypto
 * key, verified by every node that stores or forwards it; a friend takes
 * only an edition newer than the one it has. */
#ifndef WISP_ARK_H
#define WISP_ARK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "crypto/noderef.h"
#include "crypto/ssk.h"

enum {
	ARK_REC_MAX = 4 + 1 + 32 + 8 + 1 + NODEREF_ADDRS_MAX * 19,
	ARK_NAME_MAX = 32,
};

struct ark_keys {
	uint8_t secret[SSK_SECRET_LEN]; /* the signing key: never leaves the node */
	uint8_t pkh[SSK_KEY_LEN], ckey[SSK_KEY_LEN]; /* what friends get */
};

/* ark_derive makes a node's ARK keys from its identity's secret key: the
 * same every start, and no one without that key can make them. */
void ark_derive(struct ark_keys *k, const uint8_t id_secret[32]);
/* ark_name writes edition |edition|'s document name; its length. */
size_t ark_name(char out[ARK_NAME_MAX], uint64_t edition);
int ark_encode(const struct noderef *ref, uint64_t edition, uint8_t out[ARK_REC_MAX], size_t *len) WISP_WUR;
/* ark_decode refuses anything but a whole, canonical record. */
int ark_decode(struct noderef *ref, uint64_t *edition, const uint8_t *p, size_t len) WISP_WUR;

#endif
