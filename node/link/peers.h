/* peers.h: the peer table: friends (saved) and opennet strangers (never
 * saved), their invites, faults and request tokens, and the redial of
 * friends whose link went down. The parts above learn of links coming and
 * going through hooks they set at start-up (peers_hook), so this file
 * names none of them. */
#ifndef WISP_PEERS_H
#define WISP_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/noderef.h"
#include "crypto/noise.h"

struct node;
struct link;
struct event;

enum peer_limits {
	/* Unauthenticated inbound connections (docs/threat-model.md, "Flooding
	 * the handshake"): at most LINKS_PENDING_MAX, of which addresses no
	 * known peer has used may hold LINKS_PENDING_STRANGERS, and one address
	 * LINKS_PENDING_PER_ADDR; a connection must bring a whole message 1
	 * within LINK_HS1_MS. */
	LINKS_PENDING_MAX = 64,
	LINKS_PENDING_STRANGERS = 48,
	LINKS_PENDING_PER_ADDR = 4,
	LINK_HS1_MS = 2000,
	LINK_HANDSHAKE_MS = 10000,
	LINK_KEEPALIVE_MS = 10000,
	LINK_DEAD_MS = 30000,      /* silence after which a link is dead */
	LINK_OUTPUT_MAX = 8 << 20, /* a peer that stops reading loses its link */
	LINK_BULK_MAX = 16 << 20,  /* blocks waiting for a link; past it a block is refused */
	LINK_NOTSENT = 16 << 10,   /* unsent bytes the kernel may hold (TCP_NOTSENT_LOWAT) */
	LINK_RATE_TTL_MS = 10000,  /* how long a link's measured drain rate stands */
	LINK_STALL_MS = 5000,      /* a backlog that moved not a byte this long: the peer stopped reading */
	LINK_REKEY_MS = 10 * 60 * 1000,
	LINK_RETIRE_MS = 3000,     /* a duplicate link lingers this long */
	DIAL_BACKOFF_MIN_MS = 500,
	DIAL_BACKOFF_MAX_MS = 60000,
	INVITE_TTL_S = 7 * 24 * 3600,
	/* A friend that misbehaves (docs/threat-model.md, "Abuse by a friend") */
	PEER_FAULT_BACKOFF_MS = 2000,     /* after the first fault; doubles with each */
	PEER_FAULT_BACKOFF_MAX_MS = 600000,
	PEER_FAULT_FORGET_MS = 600000,    /* faults older than this are forgiven */
	PEER_REQ_RATE = 5000,             /* requests and inserts a second, sustained */
	PEER_REQ_BURST = 10000,
};
#define LINK_REKEY_BYTES (1ull << 30)

enum { PEER_NAME_MAX = 32 };

struct peer {
	struct node *n;
	uint32_t rid;                   /* the router's name for this peer */
	uint8_t pub[32];
	uint8_t loc[32];                /* its location (node_location), made once */
	struct noderef ref;
	int has_secret;                 /* an invite to present when dialling */
	uint8_t secret[INVITE_SECRET_LEN];
	struct link *link;              /* the link in use, once up */
	int64_t since;                  /* unix seconds the link came up */
	uint64_t bytes_in, bytes_out;
	unsigned backoff_ms, next_addr;
	struct event *dial_ev;
	int dialing, removed;
	int from_conf;                  /* named by a "peer" line in wispd.conf */
	unsigned faults;                /* bad records, messages or blocks, recently */
	uint64_t last_fault, shun_until; /* monotonic ms */
	uint64_t bucket, bucket_ms;     /* request tokens, in thousandths */
	uint8_t hs_stamp[12];           /* newest handshake stamp accepted from it (frame.h) */
	char name[PEER_NAME_MAX + 1];   /* what its user calls it (peer add --name), or "" */
	struct noderef_addr seen_at;    /* the address its last link came from (family 0: none) */
	/* reaching it behind routers (nat.c) */
	const char *why_down;           /* why it is not linked, for peer list (static text) */
	uint64_t meet_asked;            /* monotonic ms we last asked for a meeting with it */
	uint64_t meet_bucket, meet_ms;  /* meeting asks it may still send us, in thousandths */
	unsigned punching;              /* dials to a meeting's address in flight */
	unsigned meet_tries;            /* asks since it was last linked */
	uint8_t ever_linked;
	uint8_t meet_failed;            /* a meeting was arranged, and no dial got through */
	uint8_t relay_refused;          /* the helper would not relay to it */
	uint32_t meet_via;              /* the rid of the peer that arranged our last meeting */
	uint64_t relay_at;              /* monotonic ms we last asked for a relay to it */
	/* its address record (core/ark.h, route/ark.c), as it told us: saved */
	int has_ark;
	uint8_t ark_pkh[32], ark_ckey[32];
	uint64_t ark_edition;           /* the newest edition we have seen */
	uint64_t ark_tried;             /* monotonic ms we last looked for a newer one */
	uint64_t down_since;            /* monotonic ms it has not been linked since */
	/* opennet (openlink.c): a stranger, not a friend; never saved;
	 * admitted only to announce; gone, to be forgotten */
	uint8_t opennet, open_transient, open_dead;
	const char *open_why;           /* why it is dropped, for the log */
};

/* What the parts above the peer table are told, and the one thing they
 * do for it (dial). Each part sets its hooks once, at start-up, in the
 * order they start: link.c (dial, forget), the router's driver (message,
 * linked, forget), the opennet (stranger, linked, befriended). A NULL
 * hook is not called; of |dial|, |message| and |stranger| the first set
 * serves. */
struct peer_hooks {
	int (*dial)(struct node *n, struct peer *p);
	/* a routing message on |p|'s link: 0, or -1 if it was malformed */
	int (*message)(struct node *n, struct peer *p, const uint8_t *data, size_t len);
	/* a stranger proved the key of |ref|: its new peer, or NULL and |why| */
	struct peer *(*stranger)(struct node *n, const struct noderef *ref, const char **why);
	void (*linked)(struct node *n, struct peer *p, int up);
	void (*forget)(struct node *n, struct peer *p);   /* removed for good */
	void (*befriended)(struct node *n, struct peer *p); /* a stranger made a friend */
	/* a FRAME_NAT record on |p|'s link: 0, or -1 if it was malformed */
	int (*nat)(struct node *n, struct peer *p, const uint8_t *data, size_t len);
	/* |p| says our link reached it from |me| */
	void (*observed)(struct node *n, struct peer *p, const struct noderef_addr *me);
	/* a FRAME_SWAP record on |p|'s link: 0, or -1 if it was malformed */
	int (*swap)(struct node *n, struct peer *p, const uint8_t *data, size_t len);
};
/* peers_hook adds |h| (static storage) to the hooks; -1 when full. */
int peers_hook(struct node *n, const struct peer_hooks *h);
int peers_message(struct node *n, struct peer *p, const uint8_t *data, size_t len);
struct peer *peers_stranger(struct node *n, const struct noderef *ref, const char **why);
int peers_nat(struct node *n, struct peer *p, const uint8_t *data, size_t len);
int peers_swap(struct node *n, struct peer *p, const uint8_t *data, size_t len);
void peers_observed(struct node *n, struct peer *p, const struct noderef_addr *me);

int peers_load(struct node *n);
void peers_start(struct node *n);   /* dial everyone, after the loop exists */
void peers_stop(struct node *n);    /* after links_stop */
void peers_sync_conf(struct node *n);
struct peer *peers_find(struct node *n, const uint8_t pub[32]);
struct peer *peers_by_rid(struct node *n, uint32_t rid); /* by the router's name */
/* peers_find_prefix finds the one peer whose base64url id starts with
 * |prefix|; NULL if none or ambiguous. */
struct peer *peers_find_prefix(struct node *n, const char *prefix);
/* peers_add adds or updates a friend (and, with |secret|, the invite to
 * present). Returns the peer, or NULL when full. */
struct peer *peers_add(struct node *n, const struct noderef *ref, const uint8_t *secret);
/* peer_name_ok: 1 to 32 bytes, no control characters, '"' or '\\'. 0 or -1. */
int peer_name_ok(const char *name);
int peers_remove(struct node *n, struct peer *p);
/* peers_add_open adds a stranger (opennet) and, with |dial|, dials it
 * in |delay_ms|. Not saved: opennet peers are found anew. */
struct peer *peers_add_open(struct node *n, const struct noderef *ref, int dial, unsigned delay_ms);
int peers_save(struct node *n, const struct peer *p);
void peers_link_up(struct node *n, struct peer *p, struct link *l);
/* peers_fault: |p| sent something no friend should (the link is closed
 * by the caller); its handshakes are refused for a while that doubles
 * with each fault. peers_shunned: is that while still running? */
void peers_fault(struct node *n, struct peer *p, const char *what);
int peers_shunned(const struct peer *p);
/* peers_take_request: a token for one more request or insert from |p|;
 * 0 when it is sending faster than PEER_REQ_RATE. */
int peers_take_request(struct peer *p);
void peers_link_down(struct node *n, struct peer *p, struct link *l);
/* peers_redial_now dials |p| at once (its addresses changed). */
void peers_redial_now(struct peer *p);
/* peers_noderef fills this node's own noderef. */
void peers_self(const struct node *n, struct noderef *ref);
int invites_new(struct node *n, struct invite *iv);
/* invites_redeem consumes the invite whose secret is |secret| if it is
 * valid. Returns 1 if it was, else 0. */
int invites_redeem(struct node *n, const uint8_t secret[INVITE_SECRET_LEN]);

/* peers_known, peers_connected: how many peers, and how many linked. */
unsigned peers_known(const struct node *n);
unsigned peers_connected(const struct node *n);

#endif
