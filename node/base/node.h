/* node.h: one running wispd, the state its parts share. Every part above
 * base/ includes this; it includes nothing above core/. A part's own
 * state hangs off it by pointer (route, open, parked, ingests) and is
 * defined by that part. */
#ifndef WISP_NODE_H
#define WISP_NODE_H

#include <limits.h>
#include <stdint.h>

#include "crypto/noderef.h"
#include "node/core/conf.h"

struct event_base;
struct evhttp;
struct evconnlistener;
struct store;
struct peer;
struct link;
struct peer_hooks;
struct route_state;
struct openlink;
struct nat_state;
struct ark_state;
struct swapper;
struct get_job;
struct ingest;
struct pool;
struct offload;
struct transfers;
struct keeper;
struct vault;
struct limits;

enum node_limits {
	NODE_BLK_BYTES_MAX = 256 << 20, /* blocks held in memory by requests in flight */
	NODE_INPUTS_MAX = 1 << 16,
	NODE_FETCHES_MAX = 32,       /* concurrent API/gateway fetches (3 MiB each, 4 more while one
	                                rebuilds a segment: splitfetch.h); more get 503 */
	NODE_UPLOAD_BLOCKS = 64,     /* blocks in one POST /blocks */
	NODE_UPLOAD_MAX = NODE_UPLOAD_BLOCKS * (36 + 32792), /* its body */
	PEERS_MAX = 256,             /* friends and strangers known */
	NODE_HOOKS_MAX = 8,          /* parts that listen to the links (link/peers.h) */
	NODE_PUBLIC_MAX = 4,         /* public addresses learnt (link/nat.c) */
};

struct node_traffic {
	uint64_t api_in, api_out, blocks_served, blocks_stored, verify_failed, blocks_healed;
};

/* The links' counters (link/), reported by the API. */
struct peer_stats {
	uint64_t handshakes_refused, frames_bad, links_closed;
	uint64_t bytes_in, bytes_out; /* every link's, since start */
	uint64_t replies_ahead;       /* blocks for a requester sent before an insert queued earlier */
};

struct node {
	struct event_base *base;
	struct node_conf conf;
	char datadir[PATH_MAX];
	struct store *store;
	struct vault *vault;         /* the master key and sealed files (base/vault.h) */
	struct limits *limits;       /* bandwidth (link/limits.h) */
	uint8_t id_public[32];
	uint8_t *id_secret;          /* sodium_malloc'd, 32 bytes */
	char token[65];
	char form_token[33];         /* the home page's uploads (http/pages.c) */
	struct get_job *parked;      /* gateway fetches waiting for a reload */
	unsigned nparked;
	struct ingest *ingests;      /* the home page's uploads in progress */
	struct pool *ingest_pool;    /* their encoding's threads, from the first (crypto/pool.h) */
	struct transfers *xfers;     /* the queue of downloads and inserts (http/transfer.h) */
	struct offload *opener;      /* fetched blocks opened off the loop (http/get_job.c) */
	unsigned openings;           /* blocks handed to it and not yet back */
	struct keeper *keep;         /* documents kept alive (http/keep.h) */
	/* wispd's stop and reload, set by daemon/main.c for the API */
	void (*stop)(struct node *n);
	int (*reload)(struct node *n, char *err, size_t errlen);
	unsigned ningests;
	struct evhttp *http;
	struct evconnlistener *peer_listener;
	char api_addr[CONF_ADDR_MAX], node_addr[CONF_ADDR_MAX];
	unsigned fetches;
	int test_admin;              /* WISP_TEST_ADMIN=1: api_test.c's endpoints */
	struct node_traffic traffic;
	struct peer *peers[PEERS_MAX];
	unsigned npeers;
	struct link *links;          /* every open link, handshaking or up */
	unsigned links_pending;
	struct peer_stats pstats;
	const struct peer_hooks *hooks[NODE_HOOKS_MAX]; /* link/peers.h: peers_hook */
	unsigned nhooks;
	struct route_state *route;
	struct openlink *open;
	struct nat_state *nat;
	struct ark_state *ark;
	struct swapper *swapper;
	/* Addresses this node learnt it has behind its router (link/nat.c),
	 * advertised before its interfaces' (peers_self), and when a link
	 * from outside last came up (monotonic ms; 0: never). */
	struct noderef_addr public_addr[NODE_PUBLIC_MAX];
	unsigned npublic;
	uint64_t reached_outside;
	/* this node's address record (route/ark.c): what friends get, and the
	 * edition published last (0: none yet) */
	uint8_t ark_pkh[32], ark_ckey[32];
	uint64_t ark_edition;
	uint32_t next_rid;
	int64_t started;             /* unix seconds */
};

#endif
