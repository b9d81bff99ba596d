/* addr.h: socket addresses as wispd.conf and the logs write them. */
#ifndef WISP_ADDR_H
#define WISP_ADDR_H

#include <stddef.h>

struct sockaddr_storage;

/* node_format_addr writes "host:port" ("[v6]:port"); -1 if it does not fit. */
int node_format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen);
/* node_parse_addr turns a "host:port" of wispd.conf into a socket address. */
int node_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len);
/* node_unmap_v4 turns ::ffff:a.b.c.d into the IPv4 address it is, in
 * place; node_map_v4 the reverse, for a dual-stack socket. */
void node_unmap_v4(struct sockaddr_storage *ss);
int node_map_v4(const struct sockaddr_storage *v4, struct sockaddr_storage *out, unsigned *len);

#endif
