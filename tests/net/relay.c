/* relay: a loopback TCP relay that records what crosses it, for tests
 * that look at a link's bytes on the wire.
 *   relay LISTEN_PORT_FILE TARGET_PORT RECORD_FILE
 * Listens on 127.0.0.1 port 0, writes the port to LISTEN_PORT_FILE,
 * forwards each connection to 127.0.0.1:TARGET_PORT and appends both
 * directions to RECORD_FILE. Runs until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAXC = 16 };

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct pollfd pf[1 + 2 * MAXC];
	int ls, n = 0, i, one = 1;
	FILE *rec, *pfile;
	char buf[65536];

	if (argc != 4)
		return 2;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16) || getsockname(ls, (struct sockaddr *)&a, &al))
		return 1;
	if (!(rec = fopen(argv[3], "ab")) || !(pfile = fopen(argv[1], "w")))
		return 1;
	fprintf(pfile, "%u\n", ntohs(a.sin_port));
	fclose(pfile);
	pf[0].fd = ls;
	pf[0].events = POLLIN;
	for (;;) {
		if (poll(pf, (nfds_t)(1 + n), -1) < 0)
			return 1;
		if ((pf[0].revents & POLLIN) && n < 2 * MAXC) {
			struct sockaddr_in t = { .sin_family = AF_INET };
			int c = accept(ls, NULL, NULL), s = socket(AF_INET, SOCK_STREAM, 0);
			t.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			t.sin_port = htons((uint16_t)atoi(argv[2]));
			if (c < 0 || s < 0 || connect(s, (struct sockaddr *)&t, sizeof(t)) != 0) {
				close(c);
				close(s);
			} else {
				pf[1 + n].fd = c;
				pf[2 + n].fd = s;
				pf[1 + n].events = pf[2 + n].events = POLLIN;
				n += 2;
			}
		}
		for (i = 1; i <= n; i++) {
			ssize_t r;
			int peer = (i % 2) ? i + 1 : i - 1;
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pf[i].fd, buf, sizeof(buf));
			if (r <= 0) { /* close the pair; keep the slots compact */
				close(pf[i].fd);
				close(pf[peer].fd);
				int lo = i % 2 ? i : i - 1;
				pf[lo] = pf[n - 1];
				pf[lo + 1] = pf[n];
				n -= 2;
				break;
			}
			fwrite(buf, 1, (size_t)r, rec);
			fflush(rec);
			if (write(pf[peer].fd, buf, (size_t)r) != r)
				continue;
		}
	}
}
