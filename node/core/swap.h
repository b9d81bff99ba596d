/* swap.h: a darknet node's place on the key circle, and how it moves.
 * Pure, as router.h is: no I/O, no clock, no randomness of its own; wispd
 * (node/route/swapper.c) and wisp-sim dark drive the same code.
 *
 * A location starts as the hash of the node's key (router_location),
 * which says nothing about who is near whom; greedy routing in a friend
 * graph works once friends sit near each other on the circle. Location
 * swapping (Sandberg, 2006) gets them there: every so often a node sends
 * a swap request on a random walk among friends, and it and the node where
 * the walk ends exchange locations when that shortens their links (the
 * product of the distances to their friends falls), or else with the
 * ratio of the products as the probability (Metropolis-Hastings).
 * docs/routing.md, "Swapping", gives the reasoning and the defaults,
 * docs/threat-model.md what a swap tells whom.
 *
 * The exchange, by the walk's random id (uid), relayed hop by hop:
 *   REQUEST   uid, htl, the initiator's commitment   initiator -> partner
 *   REPLY     uid, the partner's commitment          partner -> initiator
 *   OPEN_A    uid, the initiator's reveal            initiator -> partner
 *   OPEN_B    uid, the partner's reveal              partner -> initiator
 *   REFUSED   uid: the walk ends without a swap (sent either way)
 * A reveal is a location, a nonce and the locations of the revealer's
 * friends; a commitment is the hash of the uid and the reveal. Each side
 * commits before it has seen anything of the other's, so neither can fit
 * its answer to the other's; the coin is the hash of both nonces, and
 * both sides decide with the same integer arithmetic (swap_decide).
 *   LOCATIONS location, friends' locations: to each friend when either
 *             changes, for friend-of-a-friend routing (router_peer_foaf).
 *
 * Record (FRAME_SWAP): kind (1), then
 *   REQUEST uid (8) htl (1) commitment (32); REPLY uid commitment;
 *   OPEN_A, OPEN_B uid location (32) nonce (32) n (1) n x location (8);
 *   REFUSED uid; LOCATIONS location n n x location.
 * Friends' locations travel as their top 64 bits, big-endian. */
#ifndef WISP_SWAP_H
#define WISP_SWAP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "node/core/router.h"

enum swap_kind {
	SWAP_REQUEST = 1, SWAP_REPLY = 2, SWAP_OPEN_A = 3, SWAP_OPEN_B = 4, SWAP_REFUSED = 5, SWAP_LOCATIONS = 6,
};

enum swap_limits {
	SWAP_FRIENDS_MAX = ROUTER_FOAF_MAX, /* locations one reveal or LOCATIONS names */
	SWAP_PEERS_MAX = ROUTER_PEERS_MAX,  /* friends a node swaps with */
	SWAP_HTL_MAX = 20,
	SWAP_RELAYS_MAX = 64,               /* walks passing through at once */
	SWAP_VISITS_MAX = 4,                /* times one walk may pass through one node */
	SWAP_MSG_MAX = 1 + 8 + 32 + 32 + 1 + 8 * SWAP_FRIENDS_MAX,
};

struct swap_reveal {
	uint8_t loc[WIRE_KEY_LEN];
	uint8_t nonce[32];                  /* OPEN_A, OPEN_B only */
	uint8_t n;
	uint64_t locs[SWAP_FRIENDS_MAX];
};

struct swap_msg {
	uint8_t kind, htl;
	uint64_t uid;
	uint8_t commit[32];                 /* REQUEST, REPLY */
	struct swap_reveal rv;              /* OPEN_A, OPEN_B, LOCATIONS */
};

/* swap_msg_decode checks every length and field (htl 1..SWAP_HTL_MAX, n
 * at most SWAP_FRIENDS_MAX, nothing left over): 0 or WISP_ERR_MALFORMED. */
int swap_msg_decode(struct swap_msg *m, const uint8_t *p, size_t len) WISP_WUR;
int swap_msg_encode(const struct swap_msg *m, uint8_t *out, size_t cap, size_t *len) WISP_WUR;
/* swap_msg_copy: |src| into |dst|, its friends' list only as far as used. */
void swap_msg_copy(struct swap_msg *dst, const struct swap_msg *src);

/* swap_decide: 1 if initiator |a| and partner |b| exchange locations, as
 * both compute it: their distances to their friends before and after,
 * each one's entry for the other moved to where it goes, in fixed-point
 * log2; the Metropolis-Hastings coin is the hash of both nonces. */
int swap_decide(const struct swap_reveal *a, const struct swap_reveal *b);

/* swap_commitment: what a REQUEST or REPLY of walk |uid| carries for the
 * reveal to come (wisp-sim's Pitch Black attackers make their own). */
void swap_commitment(uint8_t out[32], uint64_t uid, const struct swap_reveal *rv);

struct swap_config {
	uint32_t period_ms;     /* between this node's own attempts, on average */
	uint32_t timeout_ms;    /* a walk not done by then is dropped */
	uint32_t locations_ms;  /* at most one LOCATIONS to a friend per this (0: at once) */
	uint16_t burst;         /* per friend: REQUESTs and LOCATIONS it may start at once */
	uint32_t refill_ms;     /* and one more per this */
	uint8_t htl;            /* a walk's length: hops, about (swap.c) */
	uint8_t active;         /* 0: no attempts of its own, no partner (an opennet node): walks pass, locations are told */
	uint32_t reset_ppm;     /* Pitch Black: chance per attempt, in millionths, of a random location instead */
};

struct swap_ops {
	void (*rand)(void *ctx, void *buf, size_t n);
};

enum swap_act_type {
	SWAP_ACT_SEND = 1,      /* send |msg| to |peer| */
	SWAP_ACT_MOVED,         /* this node's location is now msg.rv.loc */
	SWAP_ACT_FRIEND,        /* friend |peer| is at msg.rv.loc, its friends at msg.rv.locs */
};

struct swap_action {
	enum swap_act_type type;
	uint32_t peer;
	struct swap_msg msg;
};

struct swap_stats {
	uint64_t attempts, swapped, reset, refused, timeouts, relayed, partnered;
	uint64_t bad_reveal, ignored, rate_limited;
};

struct swap;

void swap_config_default(struct swap_config *cfg);
int swap_new(struct swap **out, const struct swap_config *cfg, const struct swap_ops *ops, void *ctx,
    const uint8_t loc[static WIRE_KEY_LEN], uint64_t now) WISP_WUR;
void swap_free(struct swap *s);

/* Events; each may queue actions (swap_poll). */
/* swap_link_up: friend |peer|'s link is up; |loc| its location as far as
 * this node knows (its key's, until it says otherwise). It is told ours. */
int swap_link_up(struct swap *s, uint32_t peer, const uint8_t loc[static WIRE_KEY_LEN], uint64_t now) WISP_WUR;
/* swap_link_down: walks through the friend end (REFUSED the other way). */
void swap_link_down(struct swap *s, uint32_t peer, uint64_t now);
void swap_forget(struct swap *s, uint32_t peer, uint64_t now);
/* swap_on_msg: a decoded record from friend |peer|. A walk the node does
 * not know, a reveal that does not match its commitment, a flood past
 * the friend's rate: refused or dropped and counted, never a reason to
 * close the link (the friend may only be relaying someone's). */
void swap_on_msg(struct swap *s, uint32_t peer, const struct swap_msg *m, uint64_t now);
void swap_on_timer(struct swap *s, uint64_t now);
uint64_t swap_next_deadline(const struct swap *s);
/* swap_start: an attempt now (the simulator's; wispd's come from the timer). */
void swap_start(struct swap *s, uint64_t now);

/* swap_poll: the next action, valid until the next swap_* call on |s|;
 * NULL when none is left. */
const struct swap_action *swap_poll(struct swap *s);

const uint8_t *swap_location(const struct swap *s);
/* swap_set_location moves this node (MOVED, friends told); it takes no
 * part in a walk meanwhile. swap_set_active turns cfg.active on or off. */
void swap_set_location(struct swap *s, const uint8_t loc[static WIRE_KEY_LEN], uint64_t now);
void swap_set_active(struct swap *s, int on);
void swap_stats(const struct swap *s, struct swap_stats *st);

#endif
