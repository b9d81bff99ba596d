/* router_int.h: the router's state, shared by router.c (requests,
 * replies, the table of peers, the timer), router_peers.c (links up and
 * down) and rtable.c (the routing table and the distances it is searched
 * by). Not for anything else: router.h is the router's interface. */
#ifndef WISP_ROUTER_INT_H
#define WISP_ROUTER_INT_H

#include "node/core/router.h"

enum rstate { RS_STORE = 1, RS_FORWARDED, RS_DONE };

/* Kept small: a simulation holds a million routers. */
struct rpeer {
	uint32_t id;
	uint8_t up, has_loc;
	uint8_t decr_max, decr_min; /* drawn once per link, as Hyphanet does */
	uint16_t refs;              /* routing-table entries naming this peer */
	uint32_t from_inflight;     /* requests from this peer in progress here */
	uint8_t nfoaf;
	uint64_t *foaf;             /* its friends' locations, top 64 bits (router_peer_foaf) */
	uint8_t loc[WIRE_KEY_LEN];
};

struct rentry {
	uint8_t key[WIRE_KEY_LEN];
	uint16_t slot;              /* the peer's slot in peers[] (slots never move) */
	uint32_t stamp;             /* recency; renumbered before it wraps */
};

struct waiter {
	uint32_t peer;  /* or ROUTER_LOCAL */
	uint64_t id;    /* the id this requester knows the request by */
	uint64_t req;   /* local request number */
};

struct rreq {
	uint8_t type;   /* WIRE_REQUEST or WIRE_INSERT */
	enum rstate state;
	uint8_t key[WIRE_KEY_LEN];
	uint64_t id_out, token, deadline, blk;
	uint8_t htl, htl_in;
	int here;       /* answered from this node's own store */
	int kept;       /* an insert whose path ended here: kept in this store */
	int out;        /* ours, sent out without asking our store (probe, re-insert) */
	uint32_t to;
	uint8_t tried[ROUTER_PEERS_MAX / 8];
	unsigned nwait;
	struct waiter w[ROUTER_WAITERS_MAX];
};

struct router {
	struct router_config cfg;
	const struct router_ops *ops;
	void *ctx;
	uint8_t self[WIRE_KEY_LEN];
	uint8_t *self_ref;          /* opennet: the link we offer; NULL in a darknet */
	uint8_t self_ref_len;
	struct rpeer *peers;
	unsigned npeers, cappeers;
	struct rentry *rt;
	unsigned nrt, caprt;
	uint32_t stamp;
	int observe;                /* probes: learn nothing, cache nothing */
	uint64_t next_token, next_req;
	struct rreq **reqs;
	unsigned nreq, capreq;
	struct router_action *act;  /* a ring, grown as needed up to ROUTER_ACTIONS_MAX */
	unsigned act_cap, act_head, act_n;
	struct router_stats st;
};

static inline unsigned peer_slot(const struct router *r, const struct rpeer *p) { return (unsigned)(p - r->peers); }
static inline int tried(const struct rreq *q, unsigned slot) { return q->tried[slot / 8] >> (slot % 8) & 1; }
static inline void mark(struct rreq *q, unsigned slot) { q->tried[slot / 8] |= (uint8_t)(1u << (slot % 8)); }

/* router.c, for router_peers.c */
/* rtr_peer: the peer of link |id|; NULL if none. */
struct rpeer *rtr_peer(struct router *r, uint32_t id);
/* rtr_peer_add records peer |id|, down and without a location, in a free
 * slot or in the least useful peer's; NULL if neither. */
struct rpeer *rtr_peer_add(struct router *r, uint32_t id);
/* rtr_busy: is peer |id| part of a request in progress? */
int rtr_busy(const struct router *r, uint32_t id);
/* rtr_room: 1 if the action queue has room for an event's worst case
 * (grown if need be), so that an event is handled whole or not at all. */
int rtr_room(struct router *r);
/* rtr_route sends |q| to its next peer, or answers it where its path ends. */
void rtr_route(struct router *r, struct rreq *q, uint64_t now);
/* rtr_req_end forgets a request done. */
void rtr_req_end(struct router *r, struct rreq *q);

/* rtable.c */
/* rt_learn files |key| under |p| (router.c's learn finds or makes |p|). */
int rt_learn(struct router *r, const uint8_t *key, const struct rpeer *p);
/* rt_closest: the up, untried peer nearest q->key; NULL if none. */
struct rpeer *rt_closest(struct router *r, const struct rreq *q);

#endif
