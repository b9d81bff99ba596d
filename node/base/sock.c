/* The peer port's sockets (sock.h). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "node/base/addr.h"
#include "node/base/sock.h"

static int
is_v6_any(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
}

static int
close_keep_errno(int fd)
{
	int e = errno;

	close(fd);
	errno = e;
	return -1;
}

/* bound_socket: a non-blocking socket bound to |ss|, with SO_REUSEPORT
 * when |share|; -1 with errno. */
static int
bound_socket(const struct sockaddr_storage *ss, unsigned sl, int share)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, zero = 0;

	if (fd < 0)
		return -1;
	if ((ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (share && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
	    bind(fd, (const struct sockaddr *)ss, sl) != 0)
		return close_keep_errno(fd);
	return fd;
}

static int
listen_on(const struct sockaddr_storage *ss, unsigned sl)
{
	int fd = bound_socket(ss, sl, 0);

	if (fd < 0)
		return -1;
	close(fd); /* the port is free: now share it with our own dials */
	if ((fd = bound_socket(ss, sl, 1)) < 0)
		return -1;
	if (listen(fd, 64) != 0)
		return close_keep_errno(fd);
	return fd;
}

int
sock_listen(struct sockaddr_storage *ss, unsigned sl)
{
	int fd = listen_on(ss, sl);

	if (fd < 0 && is_v6_any(ss) && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
		struct sockaddr_in v4 = { .sin_family = AF_INET };
		v4.sin_port = ((const struct sockaddr_in6 *)(const void *)ss)->sin6_port;
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &v4, sizeof(v4));
		fd = listen_on(ss, sizeof(v4));
	}
	return fd;
}

int
sock_dial(const char *self_addr, const struct sockaddr_storage *to, unsigned len)
{
	struct sockaddr_storage self, mapped;
	unsigned sl;
	int have_self = node_parse_addr(self_addr, &self, &sl) == 0, bound;

	if (to->ss_family == AF_INET && have_self && is_v6_any(&self) && node_map_v4(to, &mapped, &len) == 0)
		to = &mapped;
	for (bound = have_self && self.ss_family == to->ss_family; bound >= 0; bound--) {
		int fd = bound ? bound_socket(&self, sl, 1) : socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, (const struct sockaddr *)to, len) == 0 || errno == EINPROGRESS)
			return fd;
		close(fd);
	}
	return -1;
}
