/* driver.h: the router's driver in wispd. It runs the pure router
 * (core/router.h) on the event loop: messages from the links in, the
 * router's actions out to links, the store and timers, and the block
 * fetches and inserts of the HTTP side. The simulator drives the same
 * router with its own driver (tests/sim/). */
#ifndef WISP_DRIVER_H
#define WISP_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "node/core/router.h"

struct node;
struct peer;
struct wire_msg;

/* A block request or insert ends with one call of |cb|: |block| is valid
 * only during the call; |hops| is how far the answer came from (0: this
 * node's store). */
#define NODE_BLOCK_CORRUPT ((enum router_status)100) /* our copy rotted; none found elsewhere */
#define NODE_STORE_FAILED ((enum router_status)101)  /* an insert to keep here: the store could not write it */
typedef void (*node_block_cb)(void *cookie, enum router_status st, const uint8_t *block, size_t len,
    unsigned hops);

/* node_route_start makes the router (its routing table starts empty: it
 * is never saved) and sets the driver's peer hooks (after links_start). */
int node_route_start(struct node *n);
void node_route_stop(struct node *n);
void node_route_run(struct node *n);
/* node_route_hold / _release: requests made in between are run together,
 * in one store transaction (an upload batch: one sync, not 64). */
void node_route_hold(struct node *n);
void node_route_release(struct node *n);
/* node_route_set_location: this node's place on the key circle (swapping
 * moves it, route/swapper.c); node_route_location: where it is. */
void node_route_set_location(struct node *n, const uint8_t loc[32]);
const uint8_t *node_route_location(const struct node *n);
/* node_route_friend: friend |p| says it is at |loc|, its friends at
 * |locs| (their top 64 bits): the router routes by both. */
void node_route_friend(struct node *n, struct peer *p, const uint8_t loc[32], const uint64_t *locs, unsigned nlocs);
/* node_route_reconfigure applies conf.htl_max and conf.rtable_max. */
int node_route_reconfigure(struct node *n);
void node_route_stats(const struct node *n, struct router_stats *st);
/* node_route_load: requests refused because their reply could not leave
 * in time (link/limits.h), and blocks dropped for a full link queue. */
void node_route_load(const struct node *n, uint64_t *rejected_load, uint64_t *dropped_full);
unsigned router_inflight_of(const struct node *n);
int node_fetch_block(struct node *n, const uint8_t key[32], node_block_cb cb, void *cookie);
int node_insert_block(struct node *n, const uint8_t key[32], const uint8_t *block, size_t len,
    node_block_cb cb, void *cookie);
/* node_get_block, node_put_block: with |out|, this node's store is not
 * asked first (router_local_probe, router_local_reinsert). */
int node_get_block(struct node *n, const uint8_t key[32], int out, node_block_cb cb, void *cookie);
int node_put_block(struct node *n, const uint8_t key[32], const uint8_t *block, size_t len, int out,
    node_block_cb cb, void *cookie);
/* node_announce: opennet; an announcement toward this node's location. */
int node_announce(struct node *n);
/* node_route_set_ref: the noderef offered as a data source (opennet). */
int node_route_set_ref(struct node *n, const uint8_t *ref, size_t len);

/* What the router's opennet messages are handed to (route/opennet.c
 * sets them at its start; without them announcements are refused). */
struct route_opennet_hooks {
	/* 0 to route announcement |m| on, else the wire type to refuse it with */
	int (*announce)(struct node *n, struct peer *from, const struct wire_msg *m);
	void (*offer)(struct node *n, const uint8_t *ref, size_t len);
	void (*delivered)(struct node *n, uint32_t rid, const uint8_t *ref, size_t len);
};
void node_route_opennet(struct node *n, const struct route_opennet_hooks *h);

#endif
