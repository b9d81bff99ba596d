/* ark.h: this node's address record, published when its addresses
 * change, and the look-up of friends' records (core/ark.h). */
#ifndef WISP_ROUTE_ARK_H
#define WISP_ROUTE_ARK_H

struct node;

/* ark_start derives this node's record keys and starts the timer that
 * publishes and looks up (after the router and the links); ark_stop
 * frees them. */
int ark_start(struct node *n);
void ark_stop(struct node *n);

#endif
