/* natmsg.h: the records friends use to find each other through home
 * routers (docs/protocol.md, "Reaching friends behind routers"). Pure.
 *
 * Each is one FRAME_NAT record: a kind byte and its fields. An address is
 * family (4 or 6), 16 bytes (an IPv4 address in the first 4, the rest
 * zero) and a big-endian port.
 *   ADDRS  count (1, at most NODEREF_ADDRS_MAX), addresses: where the
 *          sender can be dialled now; sent when a link comes up and when
 *          the sender's public address changes.
 *   ASK    key (32): "help me reach this node": to a linked peer.
 *   CALL   key, address: the asker's key and the address its link to the
 *          helper comes from, to the node asked for.
 *   ACCEPT key: the called node agrees to meet that key (it is a friend).
 *   GO     key, address: to the asker, once the called node accepted:
 *          where the called node's link comes from. Both dial at once.
 * When the dials of a meeting do not get through, the asker may ask the
 * helper to relay (docs/protocol.md): a circuit carries the bytes of an
 * ordinary link, Noise end to end, so the helper sees only ciphertext.
 *   OPEN   key, circuit (u32): asker to helper, "relay me to this key".
 *   CARRY  key, circuit: helper to the called node, "this key reaches you
 *          over this circuit" (numbered by the helper).
 *   DATA   circuit, 1 to NAT_DATA_MAX bytes of the link's stream.
 *   ACK    circuit, count (u32): that many bytes were taken; a sender
 *          keeps at most RELAY_WINDOW bytes not acknowledged.
 *   CLOSE  circuit: the circuit is gone (or refused).
 *   ARK    namespace hash (32), crypto key (32), edition (u64): to a
 *          friend when a link comes up and when the sender publishes a new
 *          address record (core/ark.h): where to find it after a move. */
#ifndef WISP_NATMSG_H
#define WISP_NATMSG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "crypto/noderef.h"

enum nat_kind {
	NAT_ADDRS = 1, NAT_ASK = 2, NAT_CALL = 3, NAT_ACCEPT = 4, NAT_GO = 5,
	NAT_OPEN = 6, NAT_CARRY = 7, NAT_DATA = 8, NAT_ACK = 9, NAT_CLOSE = 10, NAT_ARK = 11,
};

enum {
	NAT_MSG_MAX = 2 + NODEREF_ADDRS_MAX * 19, /* every kind but DATA */
	NAT_DATA_MAX = 32768,
	NAT_DATA_MSG_MAX = 1 + 4 + NAT_DATA_MAX,
	RELAY_WINDOW = 256 << 10,
};

struct nat_msg {
	uint8_t kind;
	uint8_t key[32];             /* ASK, CALL, ACCEPT, GO, OPEN, CARRY; ARK: namespace hash */
	uint8_t ckey[32];            /* ARK */
	uint64_t edition;            /* ARK: not 0 */
	unsigned naddr;              /* ADDRS: how many; CALL, GO: 1 */
	struct noderef_addr addr[NODEREF_ADDRS_MAX];
	uint32_t circuit;            /* OPEN, CARRY, DATA, ACK, CLOSE */
	uint32_t count;              /* ACK */
	const uint8_t *data;         /* DATA: points into the decoded record */
	size_t dlen;
};

int natmsg_encode(const struct nat_msg *m, uint8_t *out, size_t cap, size_t *len) WISP_WUR;
/* natmsg_decode refuses anything but a whole, canonical record. */
int natmsg_decode(struct nat_msg *m, const uint8_t *p, size_t len) WISP_WUR;

/* The kinds of address a node may be told it has, or may tell a friend. */
enum addr_scope { SCOPE_NONE, SCOPE_LOOPBACK, SCOPE_LINK, SCOPE_PRIVATE, SCOPE_GLOBAL };
/* addr_scope: loopback, link-local, private (RFC 1918, shared 100.64/10,
 * IPv6 unique-local), global, or NONE for what is never a peer's address
 * (unspecified, multicast, broadcast, reserved, port 0). The documentation
 * ranges count as global: the test lab's internet uses them. */
enum addr_scope addr_scope(const struct noderef_addr *a);

#endif
