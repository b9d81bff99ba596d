/* node.h: one running wispd: its state and the pieces of the shell. */
#ifndef WISP_NODE_H
#define WISP_NODE_H

#include <limits.h>
#include <stdint.h>

#include "node/core/conf.h"

struct event_base;
struct evhttp;
struct evconnlistener;
struct store;

#include "node/core/router.h"

enum node_limits {
	NODE_BLK_BYTES_MAX = 256 << 20, /* blocks held in memory by requests in flight */
	NODE_INPUTS_MAX = 1 << 16,
	NODE_FETCHES_MAX = 32,       /* concurrent API/gateway fetches (3 MiB each, 4 more while one
	                                rebuilds a segment: splitfetch.h); more get 503 */
	NODE_UPLOAD_BLOCKS = 64,     /* blocks in one POST /blocks */
	NODE_UPLOAD_MAX = NODE_UPLOAD_BLOCKS * (36 + 32792), /* its body */
};

struct upload;
struct get_job;
struct ingest;

struct fetch_source;
struct sockaddr_storage;

#include "node/link/peers.h"

struct node_traffic {
	uint64_t api_in, api_out, blocks_served, blocks_stored, verify_failed, blocks_healed;
};

struct node {
	struct event_base *base;
	struct node_conf conf;
	char datadir[PATH_MAX];
	struct store *store;
	uint8_t id_public[32];
	uint8_t *id_secret;          /* sodium_malloc'd, 32 bytes */
	char token[65];
	char form_token[33];         /* the home page's uploads (gateway.c) */
	struct get_job *parked;      /* gateway fetches waiting for a reload */
	unsigned nparked;
	struct ingest *ingests;      /* the home page's uploads in progress */
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
	struct route_state *route;
	struct openlink *open;
	uint32_t next_rid;
	int64_t started;             /* unix seconds */
};

/* api_start binds the HTTP API on conf.api and fills api_addr. */
int api_start(struct node *n);
void api_stop(struct node *n);

/* route.c: the router's driver. A block request or insert ends with one
 * call of |cb|: |block| is valid only during the call; |hops| is how far
 * the answer came from (0: this node's store). */
#define NODE_BLOCK_CORRUPT ((enum router_status)100) /* our copy rotted; none found elsewhere */
#define NODE_STORE_FAILED ((enum router_status)101)  /* an insert to keep here: the store could not write it */
typedef void (*node_block_cb)(void *cookie, enum router_status st, const uint8_t *block, size_t len,
    unsigned hops);
int node_route_start(struct node *n);
void node_route_stop(struct node *n);
void node_route_run(struct node *n);
/* node_route_hold / _release: requests made in between are run together,
 * in one store transaction (an upload batch: one sync, not 64). */
void node_route_hold(struct node *n);
void node_route_release(struct node *n);
void node_route_save(struct node *n);
/* node_route_reconfigure applies conf.htl_max and conf.rtable_max. */
int node_route_reconfigure(struct node *n);
void node_route_link(struct node *n, struct peer *p, int up);
int node_route_msg(struct node *n, struct peer *p, const uint8_t *data, size_t len);
void node_route_stats(const struct node *n, struct router_stats *st);
unsigned router_inflight_of(const struct node *n);
int node_fetch_block(struct node *n, const uint8_t key[32], node_block_cb cb, void *cookie);
int node_insert_block(struct node *n, const uint8_t key[32], const uint8_t *block, size_t len,
    node_block_cb cb, void *cookie);
uint64_t node_now_ms(void);
unsigned node_peers_known(const struct node *n);
unsigned node_peers_connected(const struct node *n);
int node_format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen);
/* node_parse_addr turns a "host:port" of wispd.conf into a socket address. */
int node_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len);

/* node_location: a node's place on the key circle, from its identity. */
void node_location(uint8_t loc[32], const uint8_t pub[32]);
/* node_route_forget: |p| is gone for good, with its routing entries. */
void node_route_forget(struct node *n, struct peer *p);
/* node_announce: opennet; an announcement toward this node's location. */
int node_announce(struct node *n);
/* node_route_set_ref: the noderef offered as a data source (opennet). */
int node_route_set_ref(struct node *n, const uint8_t *ref, size_t len);

/* openlink.c: the opennet (docs/opennet.md). */
enum { OPENLINK_SEEDS_MAX = 64 };
struct openlink_stats {
	uint64_t announces, announces_relayed, announces_refused, offers_made, offers_taken, folds;
	uint64_t admitted, refused;
};
struct wire_msg;
int openlink_start(struct node *n);
void openlink_stop(struct node *n);
int openlink_reconfigure(struct node *n);
void openlink_save(struct node *n);  /* the opennet peers, for the next start */
/* openlink_admit: a stranger |ref| completed a handshake (proving its
 * key); the new opennet peer, or NULL with |why|. */
struct peer *openlink_admit(struct node *n, const struct noderef *ref, const char **why);
void openlink_link(struct node *n, struct peer *p, int up);
/* openlink_on_announce: 0 to route it on, else the wire type to refuse with. */
int openlink_on_announce(struct node *n, struct peer *from, const struct wire_msg *m);
void openlink_offer(struct node *n, const uint8_t *ref, size_t len);
void openlink_delivered(struct node *n, uint32_t rid, const uint8_t *ref, size_t len);
int openlink_seed_add(struct node *n, const struct noderef *ref);
unsigned openlink_seeds(const struct node *n, const struct noderef **out);
const char *openlink_kind(const struct node *n, const struct peer *p); /* friend, opennet, transient */
void openlink_stats(const struct node *n, struct openlink_stats *st, int *on, unsigned *peers, unsigned *transient);

/* datadir: the files of a data directory. */
int datadir_prepare(struct node *n, int *lock_fd);
/* datadir_read_conf applies <datadir>/wispd.conf to |c|; on error |err|
 * names the file, line and fault. */
int datadir_read_conf(const struct node *n, struct node_conf *c, char *err, size_t errlen);
int datadir_write_addr(const struct node *n, const char *name, const char *addr);
void datadir_remove_addrs(const struct node *n);
int write_file_atomic(const char *path, const void *data, size_t len, int mode);

#endif
