/* Socket addresses to and from the "host:port" text of wispd.conf,
 * noderefs and logs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "node/base/addr.h"
#include "node/core/conf.h"

int
node_format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		n = snprintf(out, outlen, "%s:%u", host, ntohs(a->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		n = snprintf(out, outlen, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		return -1;
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
node_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len)
{
	char host[CONF_ADDR_MAX];
	unsigned port;
	int v6;

	memset(ss, 0, sizeof(*ss));
	if (conf_split_addr(s, host, &port, &v6) != 0)
		return -1;
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
	}
}

void
node_unmap_v4(struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ss;
	struct sockaddr_in v4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
		return;
	v4.sin_port = a->sin6_port;
	memcpy(&v4.sin_addr, a->sin6_addr.s6_addr + 12, 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &v4, sizeof(v4));
}

int
node_map_v4(const struct sockaddr_storage *v4, struct sockaddr_storage *out, unsigned *len)
{
	const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)v4;
	struct sockaddr_in6 *m = (struct sockaddr_in6 *)(void *)out;

	if (v4->ss_family != AF_INET)
		return -1;
	memset(out, 0, sizeof(*out));
	m->sin6_family = AF_INET6;
	m->sin6_port = a->sin_port;
	m->sin6_addr.s6_addr[10] = m->sin6_addr.s6_addr[11] = 0xff;
	memcpy(m->sin6_addr.s6_addr + 12, &a->sin_addr, 4);
	*len = sizeof(*m);
	return 0;
}
