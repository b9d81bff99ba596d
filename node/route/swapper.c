/* Location swapping on the event loop (swapper.h, docs/routing.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/frame.h"
#include "node/core/swap.h"
#include "node/link/link.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "node/route/swapper.h"

struct swapper {
	struct swap *sw;
	struct event *timer;
	uint8_t home[32];       /* the location the node's key gives it */
};

static void
sw_rand(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	randombytes_buf(buf, n);
}

static const struct swap_ops ops = { sw_rand };

/* A darknet node swaps; one with opennet on keeps the location its key
 * gives it, which its opennet peers work out for themselves. */
int
swapper_on(const struct node *n)
{
	return n->conf.swap && !n->conf.opennet;
}

/* save keeps the location for the next start, sealed like the other
 * small files: it says where among its friends the node sits. */
static void
save(const struct node *n, const uint8_t loc[32])
{
	char hex[65];
	FILE *f;
	int ok;

	sodium_bin2hex(hex, sizeof(hex), loc, 32);
	ok = (f = vault_fopen(n, "location", "w")) && fprintf(f, "%s\n", hex) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		log_warnx("cannot save the node's location in %s/location", n->datadir);
}

/* load: the saved location into |loc|; 0, or -1 if there is none (or
 * it does not parse: the key's is used, and the log says so). */
static int
load(const struct node *n, uint8_t loc[32])
{
	char hex[80] = "";
	size_t len = 0;
	FILE *f;

	if (!(f = vault_fopen(n, "location", "r")))
		return -1;
	if (!fgets(hex, sizeof(hex), f))
		hex[0] = '\0';
	fclose(f);
	hex[strcspn(hex, "\n")] = '\0';
	if (sodium_hex2bin(loc, 32, hex, strlen(hex), NULL, &len, NULL) != 0 || len != 32 || strlen(hex) != 64) {
		log_warnx("%s/location does not hold a location: starting from the key's", n->datadir);
		return -1;
	}
	return 0;
}

static void
send_record(struct node *n, uint32_t rid, const struct swap_msg *m)
{
	uint8_t buf[SWAP_MSG_MAX];
	struct peer *p = peers_by_rid(n, rid);
	size_t len;

	if (!p || !p->link || swap_msg_encode(m, buf, sizeof(buf), &len) != 0)
		return;
	if (link_send(p->link, FRAME_SWAP, buf, len) != 0)
		log_debug("swap: a record could not be sent");
}

static void
rearm(struct node *n)
{
	uint64_t at = swap_next_deadline(n->swapper->sw), now = node_now_ms(), ms;
	struct timeval tv;

	/* at least every 5 s: a reload may turn swapping on or opennet off */
	ms = at > now ? at - now : 0;
	if (ms > 5000)
		ms = 5000;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	event_add(n->swapper->timer, &tv);
}

/* perform carries out every action the swap core has queued. */
static void
perform(struct node *n)
{
	struct swapper *s = n->swapper;
	const struct swap_action *a;
	struct peer *p;

	while ((a = swap_poll(s->sw))) {
		switch (a->type) {
		case SWAP_ACT_SEND:
			send_record(n, a->peer, &a->msg);
			break;
		case SWAP_ACT_MOVED:
			node_route_set_location(n, a->msg.rv.loc);
			save(n, a->msg.rv.loc);
			log_debug("swap: the node moved on the key circle");
			break;
		case SWAP_ACT_FRIEND:
			if ((p = peers_by_rid(n, a->peer)))
				node_route_friend(n, p, a->msg.rv.loc, a->msg.rv.locs, a->msg.rv.n);
			break;
		}
	}
	rearm(n);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;
	struct swapper *s = n->swapper;

	(void)fd;
	(void)what;
	/* a node that turned opennet on goes home: opennet peers place it
	 * by its key */
	if (!swapper_on(n) && n->conf.opennet && memcmp(swap_location(s->sw), s->home, 32) != 0)
		swap_set_location(s->sw, s->home, node_now_ms());
	swap_set_active(s->sw, swapper_on(n));
	swap_on_timer(s->sw, node_now_ms());
	perform(n);
}

static int
on_record(struct node *n, struct peer *p, const uint8_t *data, size_t len)
{
	struct swap_msg m;

	if (p->opennet)
		return 0; /* strangers take no part; not their fault either */
	if (swap_msg_decode(&m, data, len) != 0)
		return -1;
	swap_on_msg(n->swapper->sw, p->rid, &m, node_now_ms());
	perform(n);
	return 0;
}

static void
on_linked(struct node *n, struct peer *p, int up)
{
	struct swapper *s = n->swapper;

	if (p->opennet)
		return;
	if (up) {
		if (swap_link_up(s->sw, p->rid, p->loc, node_now_ms()) != 0)
			log_debug("swap: more friends than it swaps with");
	} else {
		swap_link_down(s->sw, p->rid, node_now_ms());
	}
	perform(n);
}

static void
on_forget(struct node *n, struct peer *p)
{
	swap_forget(n->swapper->sw, p->rid, node_now_ms());
	perform(n);
}

static const struct peer_hooks hooks = {
	.swap = on_record,
	.linked = on_linked,
	.forget = on_forget,
};

int
swapper_start(struct node *n)
{
	struct swap_config cfg;
	struct swapper *s;
	uint8_t loc[32];

	if (!(s = n->swapper = calloc(1, sizeof(*s))))
		return -1;
	router_location(s->home, n->id_public);
	memcpy(loc, s->home, 32);
	if (swapper_on(n) && load(n, loc) == 0)
		node_route_set_location(n, loc);
	swap_config_default(&cfg);
	cfg.active = (uint8_t)swapper_on(n);
	if (swap_new(&s->sw, &cfg, &ops, NULL, loc, node_now_ms()) != 0 ||
	    !(s->timer = evtimer_new(n->base, on_timer, n)) || peers_hook(n, &hooks) != 0)
		return -1;
	rearm(n);
	return 0;
}

void
swapper_stop(struct node *n)
{
	struct swapper *s = n->swapper;

	if (!s)
		return;
	if (s->timer)
		event_free(s->timer);
	swap_free(s->sw);
	free(s);
	n->swapper = NULL;
}

int
swapper_stats(const struct node *n, struct swap_stats *st)
{
	if (!n->swapper)
		return -1;
	swap_stats(n->swapper->sw, st);
	return 0;
}
