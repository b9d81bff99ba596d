/* sock.h: the peer port's sockets. Dials leave from the listening port,
 * so a router in front of the node maps each dial as it would map the
 * port, and the address a peer sees a link come from is where friends
 * can meet this node (link/nat.c). */
#ifndef WISP_SOCK_H
#define WISP_SOCK_H

struct sockaddr_storage;

/* sock_listen binds and listens on |ss| (|sl| bytes), dual-stack for the
 * IPv6 wildcard "[::]" (IPv4 arrives as ::ffff:a.b.c.d), falling back to
 * IPv4 on the same port where the machine has no IPv6 (|ss| is then
 * changed to say so). A plain bind first refuses a port another process
 * holds: SO_REUSEPORT alone would let a second wispd of the same user
 * share it without a word. Returns a non-blocking socket, or -1 with
 * errno. */
int sock_listen(struct sockaddr_storage *ss, unsigned sl);
/* sock_dial starts a non-blocking connection to |to| from the listening
 * address |self| ("host:port"): IPv4 from a "[::]" listener leaves as
 * ::ffff:a.b.c.d. Where that port cannot be used (another family, or the
 * same four addresses and ports still in use) it dials from any port.
 * Returns the connecting socket or -1. */
int sock_dial(const char *self, const struct sockaddr_storage *to, unsigned len);

#endif
