/* link.h: encrypted links to peers (docs/protocol.md). A link is made by
 * dialling a peer of the table (link/peers.h) or accepted from the
 * listener; what it carries goes up through the peer hooks. */
#ifndef WISP_LINK_H
#define WISP_LINK_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct link;
struct wire_msg;

/* links_start listens for peers on conf.listen (node_addr is then the
 * bound address) and sets this part's hooks; links_stop says bye on every
 * link, closes them and the listener. */
int links_start(struct node *n);
void links_stop(struct node *n);
void link_close(struct link *l, const char *why);
int link_send(struct link *l, uint8_t type, const uint8_t *p, size_t len);
/* link_send_msg sends a routing message, encoded in place. One with a
 * block goes after every other record the link sends meanwhile, all but
 * the one block already in the output: it waits, in the clear, up to
 * LINK_BULK_MAX bytes; past that it is refused with LINK_FULL and the
 * link stays. -1: the link cannot send (close it). */
enum { LINK_FULL = -2 };
int link_send_msg(struct link *l, const struct wire_msg *m);
/* link_queued: bytes waiting to leave, sealed or not. */
size_t link_queued(const struct link *l);
/* link_drain_ms: how long what waits, and |more| bytes after it, would
 * take to leave at the rate the link drained its last backlog (0 if
 * nothing waits, or it never had a backlog). */
uint64_t link_drain_ms(const struct link *l, size_t more);
int link_is_up(const struct link *l);
/* link_punch dials |p| at |a| from this node's listening port, for a
 * meeting through a router (nat.c); 0 if started. */
struct peer;
struct noderef_addr;
int link_punch(struct node *n, struct peer *p, const struct noderef_addr *a);
/* link_adopt runs a link to |p| over |fd|, one end of a relay's
 * socketpair (nat.c): as the initiator, or as a responder that takes only
 * |p|'s key. |via| names the relay in logs. Takes |fd|; 0 or -1. */
int link_adopt(struct node *n, struct peer *p, int fd, int initiator, const char *via);
const char *link_addr(const struct link *l);

#endif
