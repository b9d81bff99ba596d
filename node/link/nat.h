/* nat.h: reaching friends behind home routers: the public address a
 * node learns from its peers, addresses told to friends, and meetings
 * through a peer linked to both friends (docs/protocol.md). */
#ifndef WISP_NAT_H
#define WISP_NAT_H

struct node;
struct noderef_addr;

/* nat_start sets this part's peer hooks and its timer; nat_stop frees it. */
int nat_start(struct node *n);
void nat_stop(struct node *n);
/* nat_voters: how many peers saw this node at |a| (0: none). */
unsigned nat_voters(const struct node *n, const struct noderef_addr *a);
/* nat_tell_ark tells friend |p| where this node's address record is and
 * its newest edition (route/ark.c, after publishing one). */
struct peer;
void nat_tell_ark(struct node *n, struct peer *p);

#endif
