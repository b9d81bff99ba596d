/* limits.c: the node's bandwidth (limits.h): libevent's token buckets, a
 * group for the node and one bucket for each stranger's link, the rates
 * seen, and the month's allowance. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/link/limits.h"
#include "node/link/link.h"
#include "node/link/link_int.h"
#include "node/link/peers.h"

struct limits {
	struct bufferevent_rate_limit_group *group; /* every link, while a limit is set */
	struct ev_token_bucket_cfg *cfg, *stranger;
	uint64_t out, in;        /* bytes/s in force: 0 none */
	uint64_t stranger_out;   /* each stranger's share */
	struct event *tick;
	uint64_t last_in, last_out, last_ms;
	double rate_in, rate_out;
	/* the month's allowance */
	unsigned month;          /* yyyymm of used */
	uint64_t used, counted_out;
	int slowed;
};

/* A tick of 100 ms: a limit releases a tenth of a second's bytes at a time. */
static const struct timeval TICK = { 0, 100000 };

static uint64_t
bytes(const struct node *n, int out)
{
	return out ? n->pstats.bytes_out : n->pstats.bytes_in;
}

static unsigned
this_month(time_t now, time_t *start, time_t *end)
{
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	*start = timegm(&tm);
	tm.tm_mon++;
	*end = timegm(&tm);
	gmtime_r(&now, &tm);
	return (unsigned)((tm.tm_year + 1900) * 100 + tm.tm_mon + 1);
}

/* month_limit: with bandwidth-month, the output is slowed once the month's
 * share so far is spent: to what is left spread over what is left of the
 * month, never below LIMITS_FLOOR, so friends are never cut off. */
static uint64_t
month_limit(struct node *n, struct limits *lm)
{
	time_t now = time(NULL), start, end;
	unsigned m = this_month(now, &start, &end);
	uint64_t cap = n->conf.bandwidth_month, share, fair;

	if (m != lm->month) {
		lm->month = m;
		lm->used = 0;
	}
	if (!cap)
		return 0;
	share = (uint64_t)((double)cap * (double)(now - start) / (double)(end - start));
	if (lm->used <= share) {
		lm->slowed = 0;
		return 0;
	}
	fair = lm->used >= cap ? 0 : (cap - lm->used) / (uint64_t)(end - now > 0 ? end - now : 1);
	lm->slowed = 1;
	return fair > LIMITS_FLOOR ? fair : LIMITS_FLOOR;
}

static struct ev_token_bucket_cfg *
bucket(uint64_t in, uint64_t out)
{
	/* per tick; a burst of a tenth of a second or one record */
	size_t ri = in ? (size_t)(in / 10 ? in / 10 : 1) : EV_RATE_LIMIT_MAX;
	size_t ro = out ? (size_t)(out / 10 ? out / 10 : 1) : EV_RATE_LIMIT_MAX;
	size_t bi = in ? (ri > FRAME_WIRE_MAX ? ri : FRAME_WIRE_MAX) : EV_RATE_LIMIT_MAX;
	size_t bo = out ? (ro > FRAME_WIRE_MAX ? ro : FRAME_WIRE_MAX) : EV_RATE_LIMIT_MAX;

	return ev_token_bucket_cfg_new(ri, bi, ro, bo, &TICK);
}

/* strangers: with a limit, opennet peers share at most half of it, so
 * friends keep the other half however many strangers link. */
static void
strangers(struct node *n, struct limits *lm)
{
	struct ev_token_bucket_cfg *old = lm->stranger;
	unsigned k = 0;
	struct link *l;
	uint64_t each;

	for (l = n->links; l; l = l->next)
		k += l->state == L_UP && l->peer && l->peer->opennet;
	each = lm->out && k ? lm->out / 2 / k : 0;
	if (each && each < LIMITS_FLOOR)
		each = LIMITS_FLOOR;
	if (each == lm->stranger_out && (each == 0) == (old == NULL))
		return;
	lm->stranger = each ? bucket(0, each) : NULL;
	lm->stranger_out = each;
	for (l = n->links; l; l = l->next)
		if (l->bev && l->state == L_UP && l->peer && l->peer->opennet)
			(void)bufferevent_set_rate_limit(l->bev, lm->stranger);
	if (old)
		ev_token_bucket_cfg_free(old);
}

static int
apply(struct node *n, struct limits *lm, uint64_t in, uint64_t out)
{
	struct ev_token_bucket_cfg *cfg, *old = lm->cfg;
	struct link *l;

	if (in == lm->in && out == lm->out)
		return 0;
	if (!in && !out) {
		for (l = n->links; l; l = l->next)
			if (l->bev)
				(void)bufferevent_remove_from_rate_limit_group(l->bev);
		if (lm->group)
			bufferevent_rate_limit_group_free(lm->group);
		lm->group = NULL;
		lm->cfg = NULL;
	} else {
		if (!(cfg = bucket(in, out)))
			return -1;
		if (lm->group) {
			bufferevent_rate_limit_group_set_cfg(lm->group, cfg);
		} else {
			if (!(lm->group = bufferevent_rate_limit_group_new(n->base, cfg))) {
				ev_token_bucket_cfg_free(cfg);
				return -1;
			}
			for (l = n->links; l; l = l->next)
				if (l->bev)
					(void)bufferevent_add_to_rate_limit_group(l->bev, lm->group);
		}
		lm->cfg = cfg;
	}
	if (old)
		ev_token_bucket_cfg_free(old);
	lm->in = in;
	lm->out = out;
	strangers(n, lm);
	return 0;
}

static uint64_t
lesser(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static void
save_month(const struct node *n, const struct limits *lm)
{
	FILE *f;

	if (!n->conf.bandwidth_month)
		return;
	if ((f = vault_fopen(n, "bandwidth", "w"))) {
		fprintf(f, "%u %" PRIu64 "\n", lm->month, lm->used);
		if (fclose(f) != 0)
			log_warnx("cannot save %s/bandwidth", n->datadir);
	}
}

static void
load_month(const struct node *n, struct limits *lm)
{
	unsigned m;
	uint64_t used;
	FILE *f = vault_fopen(n, "bandwidth", "r");

	if (!f)
		return;
	if (fscanf(f, "%u %" SCNu64, &m, &used) == 2) {
		lm->month = m;
		lm->used = used;
	}
	fclose(f);
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;
	struct limits *lm = n->limits;
	uint64_t now = (uint64_t)time(NULL) * 1000, in = bytes(n, 0), out = bytes(n, 1);
	double dt;

	(void)fd;
	(void)ev;
	if (lm->last_ms && now > lm->last_ms) {
		dt = (double)(now - lm->last_ms) / 1000.0;
		lm->rate_in = 0.5 * lm->rate_in + 0.5 * (double)(in - lm->last_in) / dt;
		lm->rate_out = 0.5 * lm->rate_out + 0.5 * (double)(out - lm->last_out) / dt;
	}
	lm->used += out - lm->last_out;
	lm->last_in = in;
	lm->last_out = out;
	lm->last_ms = now;
	if (apply(n, lm, n->conf.bandwidth_in, lesser(n->conf.bandwidth_out, month_limit(n, lm))) != 0)
		log_warnx("cannot set the bandwidth limits (out of memory)");
	if (now / 1000 % 60 == 0)
		save_month(n, lm);
}

/* linked: a link that comes up joins the node's limit, and strangers'
 * shares follow how many there are (peers.h's hooks, called after a link
 * comes up and after one went). */
static void
linked(struct node *n, struct peer *p, int up)
{
	struct limits *lm = n->limits;

	if (!lm)
		return;
	if (up && lm->group && p->link && p->link->bev)
		(void)bufferevent_add_to_rate_limit_group(p->link->bev, lm->group);
	strangers(n, lm);
}

static const struct peer_hooks hooks = { .linked = linked };

int
limits_start(struct node *n)
{
	struct timeval second = { 1, 0 };
	struct limits *lm = calloc(1, sizeof(*lm));

	if (!lm || !(lm->tick = event_new(n->base, -1, EV_PERSIST, on_tick, n))) {
		free(lm);
		return -1;
	}
	n->limits = lm;
	load_month(n, lm);
	lm->last_in = bytes(n, 0);
	lm->last_out = bytes(n, 1);
	event_add(lm->tick, &second);
	return peers_hook(n, &hooks) != 0 || limits_apply(n) != 0 ? -1 : 0;
}

int
limits_apply(struct node *n)
{
	struct limits *lm = n->limits;

	return lm ? apply(n, lm, n->conf.bandwidth_in, lesser(n->conf.bandwidth_out, month_limit(n, lm))) : 0;
}

void
limits_stop(struct node *n)
{
	struct limits *lm = n->limits;

	if (!lm)
		return;
	save_month(n, lm);
	event_free(lm->tick);
	(void)apply(n, lm, 0, 0);
	if (lm->stranger)
		ev_token_bucket_cfg_free(lm->stranger);
	free(lm);
	n->limits = NULL;
}


uint64_t
links_drain_ms(const struct node *n, size_t more)
{
	const struct limits *lm = n->limits;
	const struct link *l;
	uint64_t q = more;

	if (!lm || !lm->out)
		return 0;
	for (l = n->links; l; l = l->next)
		if (l->bev)
			q += link_queued(l);
	return q * 1000 / lm->out;
}

void
limits_stats(const struct node *n, struct limits_stats *st)
{
	const struct limits *lm = n->limits;
	const struct link *l;

	memset(st, 0, sizeof(*st));
	if (!lm)
		return;
	st->out_limit = n->conf.bandwidth_out;
	st->in_limit = n->conf.bandwidth_in;
	st->out_now = lm->out;
	st->rate_in = (uint64_t)lm->rate_in;
	st->rate_out = (uint64_t)lm->rate_out;
	st->month_cap = n->conf.bandwidth_month;
	st->month_used = lm->used;
	st->slowed = lm->slowed;
	for (l = n->links; l; l = l->next)
		if (l->bev)
			st->queued += link_queued(l);
}
