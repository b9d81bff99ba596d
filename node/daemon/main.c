/* wispd: start-up, the event loop, and a clean stop. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "crypto/datadir.h"
#include "node/http/gateway.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "store/store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wispd [-d DATADIR] [--listen ADDR:PORT] [--api ADDR:PORT] [--store-size SIZE]\n"
	    "             [--foreground] [--log-level debug|info|warn|error] [--opennet]\n");
}

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

unsigned node_peers_known(const struct node *n) { return n->npeers; }

unsigned
node_peers_connected(const struct node *n)
{
	unsigned i, c = 0;

	for (i = 0; i < n->npeers; i++)
		c += n->peers[i]->link != NULL;
	return c;
}

static void
on_peer_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct sockaddr_storage ss;
	char from[CONF_ADDR_MAX] = "?";

	(void)l;
	if (len > 0 && (size_t)len <= sizeof(ss)) {
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, sa, (size_t)len);
		(void)node_format_addr(&ss, from, sizeof(from));
	}
	link_accept(arg, fd, from);
}

static int
peers_listen(struct node *n)
{
	struct sockaddr_storage ss;
	unsigned sl;
	socklen_t gl = sizeof(ss);

	if (node_parse_addr(n->conf.listen, &ss, &sl) != 0) {
		fprintf(stderr, "wispd: bad listen address %s\n", n->conf.listen);
		return -1;
	}
	n->peer_listener = evconnlistener_new_bind(n->base, on_peer_accept, n,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 64,
	    (struct sockaddr *)&ss, (int)sl);
	if (!n->peer_listener) {
		fprintf(stderr, "wispd: cannot listen for peers on %s: %s\n", n->conf.listen, strerror(errno));
		return -1;
	}
	if (getsockname(evconnlistener_get_fd(n->peer_listener), (struct sockaddr *)&ss, &gl) != 0 ||
	    node_format_addr(&ss, n->node_addr, sizeof(n->node_addr)) != 0)
		return -1;
	return 0;
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct node *n = arg;

	(void)ev;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(n->base, NULL);
}

struct override { const char *key, *val; };
static struct override overrides[16];
static int noverrides;

/* SIGHUP rereads wispd.conf (command-line flags still win): the log level,
 * htl-max, rtable-max and the "peer" lines apply at once, without touching
 * the links that stay; addresses and store sizes need a restart, and a
 * file with an error changes nothing. */
static void
on_hup(evutil_socket_t sig, short ev, void *arg)
{
	struct node *n = arg;
	struct node_conf *c = malloc(sizeof(*c));
	char err[PATH_MAX + 256];
	int i;

	(void)sig;
	(void)ev;
	if (!c) {
		log_warnx("SIGHUP: out of memory; nothing reloaded");
		return;
	}
	conf_defaults(c);
	if (datadir_read_conf(n, c, err, sizeof(err)) != 0) {
		log_warnx("SIGHUP: %s; the running configuration stays", err);
		free(c);
		return;
	}
	for (i = 0; i < noverrides; i++)
		if (conf_set(c, overrides[i].key, overrides[i].val, err, sizeof(err)) != 0)
			abort(); /* checked at start */
	if (strcmp(c->listen, n->conf.listen) || strcmp(c->api, n->conf.api) || c->store_size != n->conf.store_size ||
	    c->cache_percent != n->conf.cache_percent || c->map_budget != n->conf.map_budget)
		log_info("SIGHUP: new addresses or store sizes take effect at the next start");
	memcpy(c->listen, n->conf.listen, sizeof(c->listen));
	memcpy(c->api, n->conf.api, sizeof(c->api));
	c->store_size = n->conf.store_size;
	c->cache_percent = n->conf.cache_percent;
	c->map_budget = n->conf.map_budget;
	n->conf = *c;
	free(c);
	log_set_level((enum log_level)n->conf.log_level);
	if (node_route_reconfigure(n) != 0)
		log_warnx("SIGHUP: the router kept its limits (out of memory)");
	peers_sync_conf(n);
	if (openlink_reconfigure(n) != 0)
		log_warnx("SIGHUP: opennet could not be turned on (out of memory)");
	log_info("SIGHUP: configuration reloaded (htl-max %u, rtable-max %u, %u friends from the file)",
	    n->conf.htl_max, n->conf.rtable_max, n->conf.npeers);
}

static void
on_flush(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;

	static unsigned ticks;

	(void)fd; (void)ev;
	if (store_flush(n->store) != 0)
		log_warnx("%s", store_errmsg(n->store));
	if (++ticks % 60 == 0) /* every 5 minutes */
		node_route_save(n);
}

static int
parse_args(int argc, char **argv, const char **datadir, int *foreground, struct override *ov, int *nov)
{
	static const struct option opts[] = {
		{ "datadir", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "api", required_argument, NULL, 'a' },
		{ "store-size", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "opennet", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:fhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *datadir = optarg; break;
		case 'f': *foreground = 1; break;
		case 'l': ov[(*nov)++] = (struct override){ "listen", optarg }; break;
		case 'a': ov[(*nov)++] = (struct override){ "api", optarg }; break;
		case 's': ov[(*nov)++] = (struct override){ "store-size", optarg }; break;
		case 'L': ov[(*nov)++] = (struct override){ "log-level", optarg }; break;
		case 'o': ov[(*nov)++] = (struct override){ "opennet", "on" }; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("wispd 0.1.0\n"); exit(0);
		default: usage(stderr); return -1;
		}
		if (*nov >= 16)
			return -1;
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* daemonize forks; the parent waits until the child is ready (or has
 * failed and said why on the inherited stderr) and exits accordingly. */
static int
daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

static void
detach_stdio(const struct node *n)
{
	char path[PATH_MAX + 16];
	int fd, log = -1;

	snprintf(path, sizeof(path), "%s/wispd.log", n->datadir);
	log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(log >= 0 ? log : fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_init((enum log_level)n->conf.log_level, log);
}

static int
write_ready(struct node *n, int lock_fd, int ready_fd)
{
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	if (datadir_write_addr(n, "node.addr", n->node_addr) != 0 ||
	    datadir_write_addr(n, "api.addr", n->api_addr) != 0) {
		fprintf(stderr, "wispd: cannot write address files in %s: %s\n", n->datadir, strerror(errno));
		return -1;
	}
	if (ftruncate(lock_fd, 0) == 0 && pwrite(lock_fd, pid, (size_t)len, 0) != len)
		log_warn("writing pid to lock file");
	{
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/wispd.pid", n->datadir);
		if (write_file_atomic(path, pid, (size_t)len, 0644) != 0)
			log_warn("writing %s", path);
	}
	if (ready_fd >= 0)
		detach_stdio(n);
	log_info("ready: peers on %s, API on %s", n->node_addr, n->api_addr);
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			return -1;
		close(ready_fd);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct node node;
	struct node *n = &node;
	struct store_config sc;
	const char *dflag = NULL;
	char err[1024], why[160];
	int foreground = 0, lock_fd = -1, ready_fd = -1, i;
	struct event *sigs[3], *flush;
	struct timeval five = { 5, 0 };

	if (parse_args(argc, argv, &dflag, &foreground, overrides, &noverrides) != 0)
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "wispd: libsodium failed to initialise\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (wisp_datadir(n->datadir, sizeof(n->datadir), dflag) != 0) {
		fprintf(stderr, "wispd: no data directory: give -d, or set WISP_HOME or HOME\n");
		return 2;
	}
	conf_defaults(&n->conf);
	if (datadir_prepare(n, &lock_fd) != 0)
		return 1;
	for (i = 0; i < noverrides; i++)
		if (conf_set(&n->conf, overrides[i].key, overrides[i].val, why, sizeof(why)) != 0) {
			fprintf(stderr, "wispd: --%s: %s\n", overrides[i].key, why);
			return 2;
		}
	log_init((enum log_level)n->conf.log_level, -1);
	if (!foreground && (ready_fd = daemonize()) < 0) {
		fprintf(stderr, "wispd: cannot daemonise: %s\n", strerror(errno));
		return 1;
	}
	datadir_remove_addrs(n);
	sc.capacity = n->conf.store_size;
	sc.cache_percent = n->conf.cache_percent;
	sc.map_budget = n->conf.map_budget;
	{
		char sdir[sizeof(n->datadir) + 16];
		int k = snprintf(sdir, sizeof(sdir), "%s/store", n->datadir);
		if (k < 0 || (size_t)k >= sizeof(sdir))
			fatalx("data directory path too long");
		int rc = store_open(&n->store, sdir, &sc, err, sizeof(err));
		if (rc == WISP_ERR_MALFORMED) {
			/* A damaged store is set aside, not deleted, and the node
			 * starts with an empty one: it keeps routing. */
			char aside[sizeof(sdir) + 32];
			snprintf(aside, sizeof(aside), "%s.damaged-%lld", sdir, (long long)time(NULL));
			log_warnx("%s; moved to %s, starting with an empty store", err, aside);
			if (rename(sdir, aside) != 0 || mkdir(sdir, 0700) != 0) {
				fprintf(stderr, "wispd: cannot set the damaged store aside: %s\n", strerror(errno));
				return 1;
			}
			rc = store_open(&n->store, sdir, &sc, err, sizeof(err));
		}
		if (rc != 0) {
			fprintf(stderr, "wispd: %s\n", err);
			return 1;
		}
	}
	n->started = (int64_t)time(NULL);
	if (!(n->base = event_base_new()))
		fatalx("cannot create the event loop");
	if (peers_listen(n) != 0 || api_start(n) != 0)
		return 1;
	if (peers_load(n) != 0)
		log_warnx("loading peers: %s", store_errmsg(n->store));
	peers_sync_conf(n);
	if (node_route_start(n) != 0)
		fatalx("cannot start the router");
	if (openlink_start(n) != 0)
		fatalx("cannot start the opennet");
	sigs[0] = evsignal_new(n->base, SIGTERM, on_signal, n);
	sigs[1] = evsignal_new(n->base, SIGINT, on_signal, n);
	sigs[2] = evsignal_new(n->base, SIGHUP, on_hup, n);
	flush = event_new(n->base, -1, EV_PERSIST, on_flush, n);
	for (i = 0; i < 3; i++)
		event_add(sigs[i], NULL);
	event_add(flush, &five);
	if (write_ready(n, lock_fd, ready_fd) != 0)
		return 1;
	peers_start(n);

	event_base_dispatch(n->base);

	/* Clean stop: no new requests, address files gone, store closed. */
	api_stop(n);
	node_route_save(n); /* while the peers it names are still known */
	openlink_save(n);
	peers_stop(n);
	openlink_stop(n);
	node_route_stop(n);
	gateway_parked_free_all(n); /* no answer can come any more */
	ingest_free_all(n);
	evconnlistener_free(n->peer_listener);
	datadir_remove_addrs(n);
	store_close(n->store);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(flush);
	event_base_free(n->base);
	sodium_free(n->id_secret);
	log_info("stopped");
	close(lock_fd);
	return 0;
}
