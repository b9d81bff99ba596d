/* wire.h: routing messages, as carried in FRAME_ROUTE records. Pure.
 *
 *   type (1) | id (8) | htl (1) | key (32)
 *   DATA adds source (32) | ref length (1) | ref | block length (4) | block
 *   INSERT and COLLISION add block length (4) | block
 *   ANNOUNCE_REPLY adds ref length (1) | ref
 *
 * A ref is a node's noderef in binary (crypto/noderef.h), opaque here:
 * how an opennet node offers a link (docs/opennet.md). Empty on DATA
 * when the claimed source does not offer one. */
#ifndef WISP_WIRE_H
#define WISP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum wire_type {
	WIRE_REQUEST = 1,
	WIRE_INSERT = 2,
	WIRE_DATA = 3,           /* DataReply: the block, travelling back */
	WIRE_INSERT_REPLY = 4,   /* the insert ended; store it on the way back */
	WIRE_COLLISION = 5,      /* the key exists already: here is its block */
	WIRE_DATA_NOT_FOUND = 6, /* HTL ran out */
	WIRE_ROUTE_NOT_FOUND = 7,/* no peer left; htl says how much was left */
	WIRE_REJECTED_LOOP = 8,
	WIRE_REJECTED_OVERLOAD = 9,
	WIRE_ANNOUNCE = 10,      /* opennet: a newcomer looks for peers near its location */
	WIRE_ANNOUNCE_REPLY = 11,/* a node on the announcement's path offers a link */
	WIRE_TYPE_MAX = 11,
};

enum wire_limits {
	WIRE_KEY_LEN = 32,
	WIRE_HEADER_LEN = 1 + 8 + 1 + 32,
	WIRE_HTL_MAX = 64,
	WIRE_BLOCK_MAX = 32792,
	WIRE_REF_MAX = 200,      /* a binary noderef is at most 190 */
	WIRE_MSG_MAX = WIRE_HEADER_LEN + 32 + 1 + WIRE_REF_MAX + 4 + WIRE_BLOCK_MAX,
};

struct wire_msg {
	uint8_t type, htl;
	uint64_t id;
	uint8_t key[WIRE_KEY_LEN];
	uint8_t source[WIRE_KEY_LEN]; /* DATA: who claims to have had it */
	uint8_t ref_len;              /* DATA, ANNOUNCE_REPLY: 0 for none */
	uint8_t ref[WIRE_REF_MAX];
	const uint8_t *block;         /* DATA, INSERT, COLLISION: points into the input */
	size_t block_len;
	uint64_t blk;                 /* the driver's handle for |block| */
};

static inline int wire_has_block(uint8_t t) { return t == WIRE_DATA || t == WIRE_INSERT || t == WIRE_COLLISION; }
static inline int wire_has_ref(uint8_t t) { return t == WIRE_DATA || t == WIRE_ANNOUNCE_REPLY; }

/* wire_decode checks every length and field; nothing is trusted.
 * Returns 0, WISP_ERR_TRUNCATED or WISP_ERR_MALFORMED. */
int wire_decode(struct wire_msg *m, const uint8_t *p, size_t len) WISP_WUR;
/* wire_encode writes |m| (with |block| for the types that carry one). */
int wire_encode(const struct wire_msg *m, uint8_t *out, size_t cap, size_t *len) WISP_WUR;
const char *wire_type_name(uint8_t t);

#endif
