/* swapper.h: location swapping in wispd (core/swap.h on the event loop):
 * friends' walks relayed, this node's own attempts on a timer, its
 * location kept across restarts (sealed, DATADIR/location), and what
 * friends say of their locations handed to the router. */
#ifndef WISP_ROUTE_SWAPPER_H
#define WISP_ROUTE_SWAPPER_H

#include <stdint.h>

struct node;
struct swap_stats;

/* swapper_start: after the router (node_route_start), before the links
 * come up; swapper_stop frees it. */
int swapper_start(struct node *n);
void swapper_stop(struct node *n);
/* swapper_on: 1 if the node swaps (swap on, opennet off), by its conf. */
int swapper_on(const struct node *n);
/* swapper_stats: its counters; 0, or -1 before it started. */
int swapper_stats(const struct node *n, struct swap_stats *st);

#endif
