/* noderef.h: how friends tell each other where their nodes are.
 *
 * A noderef is one line, "wisp1:" + base64url of: version (1), the node's
 * X25519 public key (32), an address count (1, at most 8), each address
 * as family (4 or 6), 4 or 16 bytes, port (2), and a 4-byte checksum
 * (BLAKE2b) so a mangled copy-paste is caught. An invite, "wisp1i:", is a
 * noderef plus a single-use 16-byte secret and an expiry. */
#ifndef WISP_NODEREF_H
#define WISP_NODEREF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum noderef_limits {
	NODEREF_ADDRS_MAX = 8,
	NODEREF_BIN_MAX = 1 + 32 + 1 + NODEREF_ADDRS_MAX * 19 + 4,
	NODEREF_TEXT_MAX = 6 + (NODEREF_BIN_MAX * 4 + 2) / 3 + 1,
	INVITE_SECRET_LEN = 16,
	INVITE_TEXT_MAX = 7 + ((NODEREF_BIN_MAX + INVITE_SECRET_LEN + 8 + 4) * 4 + 2) / 3 + 1,
};

struct noderef_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
};

struct noderef {
	uint8_t pub[32];
	unsigned naddr;
	struct noderef_addr addr[NODEREF_ADDRS_MAX];
};

struct invite {
	struct noderef ref;
	uint8_t secret[INVITE_SECRET_LEN];
	uint64_t expiry; /* unix seconds */
};

/* Binary body (as carried in handshakes), with its checksum. */
int noderef_encode(const struct noderef *r, uint8_t *out, size_t cap, size_t *len) WISP_WUR;
int noderef_decode(struct noderef *r, const uint8_t *p, size_t len) WISP_WUR;

/* Text forms. Parsers return 0 or WISP_ERR_MALFORMED with |*why| set. */
int noderef_format(const struct noderef *r, char *out, size_t cap) WISP_WUR;
int noderef_parse(struct noderef *r, const char *s, size_t len, const char **why) WISP_WUR;
int invite_format(const struct invite *iv, char *out, size_t cap) WISP_WUR;
int invite_parse(struct invite *iv, const char *s, size_t len, const char **why) WISP_WUR;

/* "1.2.3.4:5" / "[::1]:5" */
int noderef_addr_format(const struct noderef_addr *a, char *out, size_t cap) WISP_WUR;
int noderef_addr_parse(struct noderef_addr *a, const char *s) WISP_WUR;

#endif
