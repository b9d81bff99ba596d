/* node.h: one running wispd: its state and the pieces of the shell. */
#ifndef WISP_NODE_H
#define WISP_NODE_H

#include <limits.h>
#include <stdint.h>

#include "node/conf.h"

struct event_base;
struct evhttp;
struct evconnlistener;
struct store;

enum node_limits {
	NODE_FETCHES_MAX = 64,       /* concurrent API/gateway fetches; more get 503 */
	NODE_UPLOAD_BLOCKS = 64,     /* blocks in one POST /blocks */
	NODE_UPLOAD_MAX = NODE_UPLOAD_BLOCKS * (36 + 32792), /* its body */
};

struct upload;

struct fetch_source;
struct sockaddr_storage;

#include "node/peers.h"

struct node_traffic {
	uint64_t api_in, api_out, blocks_served, blocks_stored, verify_failed;
};

struct node {
	struct event_base *base;
	struct node_conf conf;
	char datadir[PATH_MAX];
	struct store *store;
	uint8_t id_public[32];
	uint8_t *id_secret;          /* sodium_malloc'd, 32 bytes */
	char token[65];
	struct evhttp *http;
	struct evconnlistener *peer_listener;
	char api_addr[CONF_ADDR_MAX], node_addr[CONF_ADDR_MAX];
	unsigned fetches;
	struct node_traffic traffic;
	struct peer *peers[PEERS_MAX];
	unsigned npeers;
	struct link *links;          /* every open link, handshaking or up */
	unsigned links_pending;
	struct peer_stats pstats;
	int64_t started;             /* unix seconds */
};

/* api_start binds the HTTP API on conf.api and fills api_addr. */
int api_start(struct node *n);
void api_stop(struct node *n);

/* node_insert_blocks keeps verified blocks inserted by the local client.
 * Returns 0 or a WISP_ERR_* from the store. */
int node_insert_blocks(struct node *n, const struct upload *u, size_t count);
/* node_block_source: where fetches get blocks (the store, then peers). */
const struct fetch_source *node_block_source(void);
unsigned node_peers_known(const struct node *n);
unsigned node_peers_connected(const struct node *n);
int node_format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen);
/* node_parse_addr turns a "host:port" of wispd.conf into a socket address. */
int node_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len);

/* datadir: the files of a data directory. */
int datadir_prepare(struct node *n, int *lock_fd);
int datadir_write_addr(const struct node *n, const char *name, const char *addr);
void datadir_remove_addrs(const struct node *n);
int write_file_atomic(const char *path, const void *data, size_t len, int mode);

#endif
