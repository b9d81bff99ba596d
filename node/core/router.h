/* router.h: the routing state machine of one node. Pure: no I/O, no
 * clock, no global state, no randomness of its own; the driver (wispd or
 * wisp-sim) passes time in, supplies randomness through ops, and carries
 * out the actions it polls. docs/routing.md describes the algorithm.
 *
 * Blocks are opaque handles (uint64_t) owned by the driver; the router
 * takes and drops references through ops so a handle lives exactly as
 * long as some request or action needs it. */
#ifndef WISP_ROUTER_H
#define WISP_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "node/core/wire.h"

enum router_limits {
	ROUTER_PEERS_MAX = 256,
	ROUTER_LOCAL = 0xffffffffu, /* the "peer" a local request comes from */
	ROUTER_ACTIONS_MAX = 64,
	ROUTER_WAITERS_MAX = 8,     /* coalesced requests sharing one upstream */
	ROUTER_HTL_HERE = 0xff,     /* ANSWER htl: found in this node's own store, or an insert kept only here */
	ROUTER_FOAF_MAX = 64,       /* a peer's friends' locations it routes by */
};

struct router_config {
	uint8_t htl_max;            /* 18 */
	uint32_t rtable_max;        /* 250 */
	uint32_t inflight_max;      /* requests in progress at this node */
	uint32_t inflight_per_peer; /* of which from one peer */
	uint32_t hop_timeout_ms;    /* per HTL left: a hop's deadline scales with it */
	uint8_t source_rewrite_pct; /* chance a DataReply's source becomes us */
	uint8_t announce_htl;       /* 10: how far an opennet announcement goes */
};

struct router_ops {
	void (*rand)(void *ctx, void *buf, size_t n);
	void (*blk_ref)(void *ctx, uint64_t blk);
	void (*blk_unref)(void *ctx, uint64_t blk);
};

enum router_act_type {
	ROUTER_ACT_SEND = 1,      /* send |msg| to |peer| (msg.blk is a handle) */
	ROUTER_ACT_STORE_GET,     /* look |key| up; answer with router_on_store(token) */
	ROUTER_ACT_STORE_PUT,     /* keep |blk| under |key| in partition |part| */
	ROUTER_ACT_ANSWER,        /* a local request |req| ended with |status| */
	ROUTER_ACT_OFFER,         /* our announcement |req| got a link offer: msg.ref */
	ROUTER_ACT_DELIVERED,     /* |peer| brought data we asked for; msg.ref is
	                           * the link its claimed source offers, if any */
};

enum router_part { ROUTER_PART_STORE = 0, ROUTER_PART_CACHE = 1 };

enum router_status {
	ROUTER_FOUND = 1,       /* blk holds the block */
	ROUTER_INSERTED,        /* the insert ended, stored along its path */
	ROUTER_COLLISION,       /* the key existed; blk holds its block */
	ROUTER_DATA_NOT_FOUND,
	ROUTER_ROUTE_NOT_FOUND,
	ROUTER_OVERLOADED,
};

struct router_action {
	enum router_act_type type;
	uint32_t peer;
	struct wire_msg msg;
	uint64_t token, req, blk;
	uint8_t key[WIRE_KEY_LEN];
	enum router_part part;
	enum router_status status;
	uint8_t htl;              /* ANSWER: ROUTER_HTL_HERE, or the reply's
	                           * distance count: about how many links away
	                           * the answer was (randomised, router.c) */
	int found_htl;            /* SEND of a reply by the node that held the
	                           * data: the HTL the request reached it with,
	                           * for the simulator's measurements (never on
	                           * the wire); else -1 */
};

struct router_stats {
	uint64_t requests, inserts, found_local, forwarded, backtracks, timeouts;
	uint64_t rejected_loop, rejected_overload, coalesced, cached, evicted, announces;
};

struct router;

void router_config_default(struct router_config *cfg);
/* router_location: a node's place on the key circle, from its identity key. */
void router_location(uint8_t loc[static WIRE_KEY_LEN], const uint8_t pub[static 32]);
/* router_new copies |cfg|; |ops| must outlive the router (share one
 * table between all routers of a simulation). |self| is this node's
 * location, used as the data source it claims. */
int router_new(struct router **out, const struct router_config *cfg, const struct router_ops *ops,
    void *ops_ctx, const uint8_t self[static WIRE_KEY_LEN]) WISP_WUR;
void router_free(struct router *r);

/* Events. Each returns 0, WISP_ERR_FULL (drain the actions and call
 * again), or another negative error. */
/* router_link_up: a peer's link is up (or, if it is up already, the peer
 * has a new location). |loc| NULL: a peer with no location of its own
 * (an open network's contact), chosen only through routing entries that
 * name it. With ROUTER_PEERS_MAX peers known, the least useful one not in
 * a request is forgotten to make room. */
int router_link_up(struct router *r, uint32_t peer, const uint8_t *loc, uint64_t now) WISP_WUR;
int router_link_down(struct router *r, uint32_t peer, uint64_t now) WISP_WUR;
/* router_peer_forget: the peer is gone for good (a friend removed, a
 * contact closed), with its routing entries. WISP_ERR_FULL while it is
 * part of a request in progress. */
int router_peer_forget(struct router *r, uint32_t peer) WISP_WUR;
/* router_peer_foaf: the locations of a peer's own friends (their top 64
 * bits, as the peer told them; n at most ROUTER_FOAF_MAX, 0 to clear): a
 * key near one of them is routed to the peer as if near the peer itself
 * (friend-of-a-friend routing, docs/routing.md). WISP_ERR_INVAL for a
 * peer the router does not know. */
int router_peer_foaf(struct router *r, uint32_t peer, const uint64_t *locs, unsigned n) WISP_WUR;
/* router_set_location: this node's location changed (swapping); the one
 * it claims as a data source from now on. */
void router_set_location(struct router *r, const uint8_t loc[static WIRE_KEY_LEN]);
/* router_peer_entries: how many routing entries name the peer; -1 if the
 * router does not know it. */
int router_peer_entries(struct router *r, uint32_t peer);
/* router_on_msg: |m| decoded; a block in it already verified against
 * m->key, with its handle in m->blk (a reference the router takes). */
int router_on_msg(struct router *r, uint32_t peer, const struct wire_msg *m, uint64_t now) WISP_WUR;
int router_on_store(struct router *r, uint64_t token, int found, uint64_t blk, uint64_t now) WISP_WUR;
int router_local_get(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t now, uint64_t *req) WISP_WUR;
int router_local_put(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t blk, uint64_t now,
    uint64_t *req) WISP_WUR;
/* router_local_probe and router_local_reinsert are get and put without
 * asking this node's store first: whether the network holds a block
 * (keepalive's probe), and sending out a block held here (its repair). A
 * probe is never answered from here, and shares a request only with
 * another probe. */
int router_local_probe(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t now, uint64_t *req) WISP_WUR;
int router_local_reinsert(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t blk, uint64_t now,
    uint64_t *req) WISP_WUR;
/* router_local_announce: opennet. Routes an announcement toward our own
 * location |loc| (HTL announce_htl); nodes on its way may answer with
 * offers (ROUTER_ACT_OFFER); it ends with an ANSWER (DATA_NOT_FOUND or
 * ROUTER_NOT_FOUND: the way ended). The driver decides whether to offer
 * when an ANNOUNCE arrives, and sends the ANNOUNCE_REPLY itself. */
int router_local_announce(struct router *r, const uint8_t loc[static WIRE_KEY_LEN], uint64_t now,
    uint64_t *req) WISP_WUR;
/* router_set_ref: the link this node offers as a data source (an opennet
 * node's noderef; |len| 0 for none, a darknet node's choice). */
int router_set_ref(struct router *r, const uint8_t *ref, size_t len) WISP_WUR;
int router_on_timer(struct router *r, uint64_t now) WISP_WUR;
/* router_next_deadline: when to call router_on_timer; UINT64_MAX if never. */
uint64_t router_next_deadline(const struct router *r);

/* router_poll: 1 with an action in |a| (valid until the next router_*
 * call), 0 when none is left. */
int router_poll(struct router *r, struct router_action *a);

/* router_set_limits changes the maximum HTL (for requests from now on) and
 * the routing table's size (the least recently used entries go first). */
int router_set_limits(struct router *r, uint8_t htl_max, uint32_t rtable_max) WISP_WUR;

/* router_set_observe: while on, the router learns nothing and caches
 * nothing, so a simulation's probes measure without changing the network. */
void router_set_observe(struct router *r, int on);

void router_stats(const struct router *r, struct router_stats *st);
unsigned router_inflight(const struct router *r);

/* The routing table: learnt key → peer entries, for saving and restoring. */
typedef void (*router_entry_fn)(void *ctx, const uint8_t key[WIRE_KEY_LEN], uint32_t peer);
void router_rtable_each(const struct router *r, router_entry_fn fn, void *ctx);
int router_rtable_learn(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint32_t peer) WISP_WUR;

/* router_distance_cmp: is |a| closer to |target| than |b| (-1), as close
 * (0) or farther (1), on the circle of 256-bit numbers. */
int router_distance_cmp(const uint8_t target[WIRE_KEY_LEN], const uint8_t a[WIRE_KEY_LEN],
    const uint8_t b[WIRE_KEY_LEN]);
/* router_loc64: a location's (or key's) top 64 bits, big-endian: what
 * friend-of-a-friend lists carry. */
uint64_t router_loc64(const uint8_t loc[static WIRE_KEY_LEN]);

#endif
