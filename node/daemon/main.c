/* wispd: start-up, the event loop, and a clean stop. Each part is started
 * bottom up (docs/HACKING.md, "Map") and stopped top down; what a part
 * does lives in that part. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "crypto/datadir.h"
#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/daemon/detach.h"
#include "node/daemon/options.h"
#include "node/http/api.h"
#include "node/link/limits.h"
#include "node/link/link.h"
#include "node/link/nat.h"
#include "node/link/peers.h"
#include "node/http/keep.h"
#include "node/http/transfer.h"
#include "node/route/ark.h"
#include "node/route/swapper.h"
#include "node/route/driver.h"
#include "node/route/opennet.h"
#include "store/store.h"

static struct options opts;

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct node *n = arg;

	(void)ev;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(n->base, NULL);
}

static void
on_hup(evutil_socket_t sig, short ev, void *arg)
{
	struct node *n = arg;
	char err[PATH_MAX + 256];

	(void)ev;
	/* In the foreground on a terminal, a hang-up is the terminal closing
	 * (make run's window): stop, so the next start finds the directory
	 * free. wisp reload rereads the file there; a daemon rereads on HUP. */
	if (opts.foreground && isatty(STDIN_FILENO)) {
		log_info("signal %d (the terminal hung up): stopping", (int)sig);
		event_base_loopexit(n->base, NULL);
		return;
	}
	(void)options_reload(n, &opts, err, sizeof(err));
}

/* The API's stop and reload (wisp stop, wisp reload). */
static void
api_stop_now(struct node *n)
{
	log_info("stop asked through the API: stopping");
	event_base_loopexit(n->base, NULL);
}

static int
api_reload_now(struct node *n, char *err, size_t errlen)
{
	return options_reload(n, &opts, err, errlen);
}

static void
on_flush(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;

	(void)fd; (void)ev;
	if (store_flush(n->store) != 0)
		log_warnx("%s", store_errmsg(n->store));
}

int
main(int argc, char **argv)
{
	static struct node node;
	struct node *n = &node;
	char why[256];
	int lock_fd = -1, ready_fd = -1, i, file_protect;
	struct event *sigs[3], *flush;
	struct timeval five = { 5, 0 };

	if (options_parse(argc, argv, &opts) != 0)
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "wispd: libsodium failed to initialise\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (wisp_datadir(n->datadir, sizeof(n->datadir), opts.datadir) != 0) {
		fprintf(stderr, "wispd: no data directory: give -d, or set WISP_HOME or HOME\n");
		return 2;
	}
	conf_defaults(&n->conf);
	if (datadir_prepare(n, &lock_fd) != 0)
		return 1;
	file_protect = n->conf.protect;
	if (options_apply(&opts, &n->conf, why, sizeof(why)) != 0) {
		fprintf(stderr, "wispd: %s\n", why);
		return 2;
	}
	{
		struct vault_ask ask = { opts.passphrase_fd, n->conf.protect, n->conf.pass_cost };
		int rc;
		n->conf.protect = file_protect; /* what the file says, to tell a flag's choice */
		if ((rc = vault_open(n, &ask)) != 0)
			return rc;
	}
	log_init((enum log_level)n->conf.log_level, -1);
	if (!opts.foreground && (ready_fd = daemon_fork()) < 0) {
		fprintf(stderr, "wispd: cannot daemonise: %s\n", strerror(errno));
		return 1;
	}
	datadir_remove_addrs(n);
	if (datadir_open_store(n) != 0)
		return 1;
	n->started = (int64_t)time(NULL);
	if (!(n->base = event_base_new()))
		fatalx("cannot create the event loop");
	if (links_start(n) != 0 || limits_start(n) != 0 || api_start(n) != 0)
		return 1;
	if (peers_load(n) != 0)
		log_warnx("loading peers: %s", store_errmsg(n->store));
	peers_sync_conf(n);
	if (node_route_start(n) != 0)
		fatalx("cannot start the router");
	if (openlink_start(n) != 0)
		fatalx("cannot start the opennet");
	if (nat_start(n) != 0 || ark_start(n) != 0)
		fatalx("cannot start the address finder");
	if (swapper_start(n) != 0)
		fatalx("cannot start location swapping");
	if (transfers_start(n) != 0 || keep_start(n) != 0)
		fatalx("cannot start the transfer queue");
	sigs[0] = evsignal_new(n->base, SIGTERM, on_signal, n);
	sigs[1] = evsignal_new(n->base, SIGINT, on_signal, n);
	sigs[2] = evsignal_new(n->base, SIGHUP, on_hup, n);
	flush = event_new(n->base, -1, EV_PERSIST, on_flush, n);
	for (i = 0; i < 3; i++)
		event_add(sigs[i], NULL);
	event_add(flush, &five);
	n->stop = api_stop_now;
	n->reload = api_reload_now;
	if (daemon_ready(n, lock_fd, ready_fd) != 0)
		return 1;
	peers_start(n);

	event_base_dispatch(n->base);
	if (vault_dead(n)) {
		/* after a panic nothing is saved: there is no key to save under */
		datadir_remove_addrs(n);
		log_info("stopped after a panic");
		_exit(0);
	}

	/* Clean stop: no new requests, address files gone, store closed. */
	transfers_quiet(n);
	api_stop(n);
	openlink_save(n);
	links_stop(n);
	limits_stop(n);
	ark_stop(n);
	swapper_stop(n);
	nat_stop(n);
	peers_stop(n);
	openlink_stop(n);
	node_route_stop(n);
	transfers_stop(n); /* saved for the next start */
	keep_stop(n);
	api_free_jobs(n); /* no answer can come any more */
	datadir_remove_addrs(n);
	store_close(n->store);
	vault_close(n);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(flush);
	event_base_free(n->base);
	sodium_free(n->id_secret);
	log_info("stopped");
	close(lock_fd);
	return 0;
}
