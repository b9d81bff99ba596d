/* delay: a TCP delay line for the slow-network lab (tests/lab/), where the
 * kernel has HTB to shape a link's rate but no netem to delay it.
 *   delay LISTEN_ADDR PORTFILE TARGET_ADDR TARGET_PORT DELAY_MS
 * Listens on LISTEN_ADDR port 0 (the port goes to PORTFILE), forwards each
 * connection to TARGET_ADDR:TARGET_PORT, and hands on each direction's
 * bytes DELAY_MS after they arrived: a one-way delay. What waits is
 * bounded (16 MiB a direction); past it the line stops reading, and TCP's
 * flow control holds the sender. Runs until killed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAXC = 32, CHUNK = 65536, HELD_MAX = 16 << 20 };

struct chunk {
	struct chunk *next;
	uint64_t due;   /* monotonic ms */
	size_t len, off;
	char data[];
};

/* one direction of a connection: read from |from|, written to |to| */
struct dir {
	int from, to;
	struct chunk *head, *tail;
	size_t held;
	int eof;
};

struct conn { struct dir d[2]; int used; };

static struct conn c[MAXC];
static uint64_t delay_ms;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
parse(struct sockaddr_in *a, const char *host, unsigned port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static void
drop(struct conn *k)
{
	int i;

	for (i = 0; i < 2; i++) {
		while (k->d[i].head) {
			struct chunk *x = k->d[i].head;
			k->d[i].head = x->next;
			free(x);
		}
	}
	close(k->d[0].from);
	close(k->d[0].to);
	memset(k, 0, sizeof(*k));
}

/* pump_in reads what has come, stamped with when it is due. */
static int
pump_in(struct dir *d)
{
	struct chunk *x = malloc(sizeof(*x) + CHUNK);
	ssize_t r;

	if (!x)
		return -1;
	r = read(d->from, x->data, CHUNK);
	if (r <= 0) {
		free(x);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		d->eof = 1;
		return 0;
	}
	x->next = NULL;
	x->len = (size_t)r;
	x->off = 0;
	x->due = now_ms() + delay_ms;
	if (d->tail)
		d->tail->next = x;
	else
		d->head = x;
	d->tail = x;
	d->held += (size_t)r;
	return 0;
}

/* pump_out writes what is due. */
static int
pump_out(struct dir *d, uint64_t now)
{
	while (d->head && d->head->due <= now) {
		struct chunk *x = d->head;
		ssize_t w = write(d->to, x->data + x->off, x->len - x->off);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		x->off += (size_t)w;
		d->held -= (size_t)w;
		if (x->off < x->len)
			return 0;
		d->head = x->next;
		if (!d->head)
			d->tail = NULL;
		free(x);
	}
	if (!d->head && d->eof)
		shutdown(d->to, SHUT_WR);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in la, ta;
	socklen_t al = sizeof(la);
	struct pollfd pf[1 + 2 * MAXC];
	int ls, one = 1, i, k;
	FILE *pfile;

	if (argc != 6 || parse(&la, argv[1], 0) || parse(&ta, argv[3], (unsigned)atoi(argv[4])))
		return fprintf(stderr, "usage: delay LISTEN_ADDR PORTFILE TARGET_ADDR TARGET_PORT DELAY_MS\n"), 2;
	delay_ms = (uint64_t)atoll(argv[5]);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&la, sizeof(la)) || listen(ls, 16) || getsockname(ls, (struct sockaddr *)&la, &al))
		return perror("delay: listen"), 1;
	if (!(pfile = fopen(argv[2], "w")))
		return 1;
	fprintf(pfile, "%u\n", ntohs(la.sin_port));
	fclose(pfile);
	for (;;) {
		uint64_t now = now_ms(), next = UINT64_MAX;
		int n = 1, timeout;
		pf[0].fd = ls;
		pf[0].events = POLLIN;
		/* pollfd 2k+i is c[k].d[i].from, which is c[k].d[1-i].to */
		for (k = 0; k < MAXC; k++) {
			if (!c[k].used)
				continue;
			for (i = 0; i < 2; i++) {
				struct dir *d = &c[k].d[i], *back = &c[k].d[1 - i];
				pf[n].fd = d->from;
				pf[n].events = !d->eof && d->held < HELD_MAX ? POLLIN : 0;
				if (back->head && back->head->due <= now)
					pf[n].events |= POLLOUT;
				else if (back->head && back->head->due < next)
					next = back->head->due;
				n++;
			}
		}
		timeout = next == UINT64_MAX ? 1000 : next <= now ? 0 : (int)(next - now);
		if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR)
			return 1;
		if (pf[0].revents & POLLIN) {
			int fd = accept(ls, NULL, NULL), up;
			for (k = 0; k < MAXC && c[k].used; k++)
				;
			if (fd >= 0 && k < MAXC && (up = socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
				if (connect(up, (struct sockaddr *)&ta, sizeof(ta)) != 0) {
					close(up);
					close(fd);
				} else {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					fcntl(fd, F_SETFL, O_NONBLOCK);
					fcntl(up, F_SETFL, O_NONBLOCK);
					c[k].used = 1;
					c[k].d[0].from = fd, c[k].d[0].to = up;
					c[k].d[1].from = up, c[k].d[1].to = fd;
				}
			} else if (fd >= 0) {
				close(fd);
			}
		}
		n = 1;
		now = now_ms();
		for (k = 0; k < MAXC; k++) {
			if (!c[k].used)
				continue;
			for (i = 0; i < 2; i++, n++)
				if ((pf[n].revents & (POLLIN | POLLHUP | POLLERR)) && pump_in(&c[k].d[i]) != 0)
					return 1;
			for (i = 0; i < 2; i++)
				if (pump_out(&c[k].d[i], now) != 0)
					break;
			if (i < 2 || (c[k].d[0].eof && c[k].d[1].eof && !c[k].d[0].head && !c[k].d[1].head))
				drop(&c[k]);
		}
	}
}
