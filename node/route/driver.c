/* The daemon's driver of the router: block handles, the store, the links
 * and local requests in; the router's actions out. The router is never
 * called from inside one of its own actions: inputs that arise while
 * actions are carried out wait in a queue until the action queue is empty. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "crypto/block.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/core/frame.h"
#include "node/core/router.h"
#include "node/core/wire.h"
#include "node/link/limits.h"
#include "node/link/link.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "store/store.h"

struct blk {
	struct node *n;
	uint32_t refs, len;
	uint8_t data[];
};

enum in_kind { IN_GET = 1, IN_PUT, IN_STORE_ANSWER, IN_LINK_DOWN, IN_ANNOUNCE };

struct input {
	enum in_kind kind;
	uint8_t key[32];
	uint64_t blk, token;
	int found, out;         /* out: IN_GET and IN_PUT without our store (probe, re-insert) */
	node_block_cb cb;
	void *cookie;
};

struct waiting {
	uint64_t req;
	node_block_cb cb;
	void *cookie;
};

/* A commit's sync costs the same for 64 blocks as for 512 on a VM disk,
 * and blocks the event loop while it runs: 512 a transaction (16 MiB
 * held at most) took the 5-hop chain from 25 to 35 MiB/s (bench). */
enum { LINGER_BLOCKS = 512, LINGER_MS = 200 };

struct route_state {
	struct router *r;
	uint8_t self[32];  /* this node's location: what announcements head for */
	struct event *timer;
	struct input *in;
	unsigned in_head, in_n, in_cap;
	struct waiting *wait;
	unsigned nwait, capwait;
	int running, held;
	/* The store transaction the runs write in. It is committed at the
	 * end of a run whose local answers wait for it (durable: the run kept
	 * an insert's block); otherwise it lingers, and the writes of many
	 * runs (blocks cached on the way, the inserts of peers, which were
	 * answered when they arrived) share one commit, one sync, when
	 * LINGER_BLOCKS gather or LINGER_MS pass. A crash loses at most
	 * those, which the network still has. */
	int batch, durable;
	unsigned nbatch;
	struct event *linger;
	uint64_t blk_bytes;
	/* Keys whose stored copy failed verification lately: if the network
	 * cannot replace one either, the fetch ends in an integrity failure,
	 * not "not found". */
	uint8_t corrupt[16][32];
	unsigned ncorrupt;
	uint64_t rejected_direct; /* requests refused before the router: rate, memory, load */
	uint64_t rejected_load;   /* of which: what the reply would wait behind could not leave in time */
	uint64_t dropped_full;    /* blocks a link had no room left for */
	uint32_t hop_ms;          /* the router's hop deadline, per HTL left */
	/* Answers to local requests wait for the run's store transaction: an
	 * insert kept here is only "inserted" once it is on disk. */
	struct router_action *later;
	unsigned nlater, caplater;
	int put_failed;             /* a store put of this run failed outright */
	const struct route_opennet_hooks *open;
};

static struct log_rate fault_rate;

/* ---- block handles ---- */

static uint64_t
blk_new(struct node *n, const uint8_t *data, size_t len)
{
	struct blk *b;

	if (n->route->blk_bytes + len > NODE_BLK_BYTES_MAX || !(b = malloc(sizeof(*b) + len)))
		return 0;
	b->n = n;
	b->refs = 1;
	b->len = (uint32_t)len;
	memcpy(b->data, data, len);
	n->route->blk_bytes += len;
	return (uint64_t)(uintptr_t)b;
}

static void
op_ref(void *ctx, uint64_t h)
{
	(void)ctx;
	((struct blk *)(uintptr_t)h)->refs++;
}

static void
op_unref(void *ctx, uint64_t h)
{
	struct blk *b = (struct blk *)(uintptr_t)h;

	(void)ctx;
	if (--b->refs == 0) {
		b->n->route->blk_bytes -= b->len;
		free(b);
	}
}

static void
op_rand(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	randombytes_buf(buf, n);
}

static const struct router_ops ops = { op_rand, op_ref, op_unref };

static struct blk *B(uint64_t h) { return (struct blk *)(uintptr_t)h; }

/* ---- inputs ---- */

static int
push(struct route_state *rs, const struct input *in)
{
	if (rs->in_n == rs->in_cap) {
		unsigned cap = rs->in_cap ? rs->in_cap * 2 : 64, i;
		struct input *q;
		if (cap > NODE_INPUTS_MAX || !(q = malloc(cap * sizeof(*q))))
			return -1;
		for (i = 0; i < rs->in_n; i++)
			q[i] = rs->in[(rs->in_head + i) % rs->in_cap];
		free(rs->in);
		rs->in = q;
		rs->in_head = 0;
		rs->in_cap = cap;
	}
	rs->in[(rs->in_head + rs->in_n++) % rs->in_cap] = *in;
	return 0;
}

static int
wait_add(struct route_state *rs, uint64_t req, node_block_cb cb, void *cookie)
{
	if (rs->nwait == rs->capwait) {
		unsigned cap = rs->capwait ? rs->capwait * 2 : 64;
		struct waiting *w = realloc(rs->wait, cap * sizeof(*w));
		if (!w)
			return -1;
		rs->wait = w;
		rs->capwait = cap;
	}
	rs->wait[rs->nwait++] = (struct waiting){ req, cb, cookie };
	return 0;
}

/* ---- actions ---- */

static void
do_send(struct node *n, const struct router_action *a)
{
	struct peer *p = peers_by_rid(n, a->peer);
	struct wire_msg m = a->msg;
	int rc;

	if (!p || !p->link)
		return; /* the router's timer will notice */
	if (a->blk) {
		m.block = B(a->blk)->data;
		m.block_len = B(a->blk)->len;
	}
	/* a block its link has no room for is dropped: the request times out
	 * or backtracks, as if it were lost, and the link stays */
	if ((rc = link_send_msg(p->link, &m)) == LINK_FULL)
		n->route->dropped_full++;
	else if (rc != 0)
		link_close(p->link, "cannot send");
}

static void
do_store_get(struct node *n, const struct router_action *a)
{
	static uint8_t buf[BLOCK_MAX_LEN];
	struct input in = { .kind = IN_STORE_ANSWER, .token = a->token };
	size_t len;
	int rc;

	rc = store_get(n->store, a->key, buf, sizeof(buf), &len);

	/* a sealed store checked the block already (store.h) */
	if (rc == WISP_ERR_VERIFY || (rc == 0 && !store_sealed(n->store) && block_verify(buf, len, a->key) != 0)) {
		/* Disks rot: a bad block is removed and never served. */
		n->traffic.verify_failed++;
		log_ratelim(&fault_rate, 10, "a stored block failed verification; removed it");
		if (store_remove(n->store, a->key) != 0)
			log_warnx("%s", store_errmsg(n->store));
		memcpy(n->route->corrupt[n->route->ncorrupt++ % 16], a->key, 32);
		rc = WISP_ERR_VERIFY;
	}
	if (rc == 0 && (in.blk = blk_new(n, buf, len)) != 0)
		in.found = 1;
	if (push(n->route, &in) != 0 && in.blk)
		op_unref(NULL, in.blk);
}

/* batch_commit ends the store transaction; nonzero if it failed. */
static int
batch_commit(struct node *n)
{
	struct route_state *rs = n->route;
	int rc = 0;

	if (rs->batch && (rc = store_commit(n->store)) != 0)
		log_warnx("%s", store_errmsg(n->store));
	rs->batch = 0;
	rs->nbatch = 0;
	evtimer_del(rs->linger);
	return rc != 0;
}

static void
on_linger(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;

	(void)fd;
	(void)ev;
	if (!n->route->running)
		(void)batch_commit(n);
}

static void
do_store_put(struct node *n, const struct router_action *a)
{
	struct blk *b = B(a->blk);
	struct route_state *rs = n->route;

	if (!rs->batch)
		rs->batch = store_begin(n->store) == 0;
	rs->nbatch++;
	rs->durable |= a->part == ROUTER_PART_STORE;
	if (store_put(n->store, a->key, b->data, b->len,
	    a->part == ROUTER_PART_STORE ? STORE_PART_STORE : STORE_PART_CACHE) != 0) {
		log_ratelim(&fault_rate, 10, "%s", store_errmsg(n->store));
		rs->put_failed |= a->part == ROUTER_PART_STORE;
	} else
		n->traffic.blocks_stored++;
}

static void
do_answer(struct node *n, const struct router_action *a)
{
	struct route_state *rs = n->route;
	struct blk *b = a->blk ? B(a->blk) : NULL;
	unsigned i, hops;

	for (i = 0; i < rs->nwait && rs->wait[i].req != a->req; i++)
		;
	if (i == rs->nwait)
		return;
	struct waiting w = rs->wait[i];
	enum router_status st = a->status;
	rs->wait[i] = rs->wait[--rs->nwait];
	if (st == ROUTER_DATA_NOT_FOUND || st == ROUTER_ROUTE_NOT_FOUND)
		for (unsigned k = 0; k < 16 && k < rs->ncorrupt; k++)
			if (memcmp(rs->corrupt[k], a->key, 32) == 0) {
				st = NODE_BLOCK_CORRUPT;
				memset(rs->corrupt[k], 0, 32); /* said once */
			}
	/* the reply's distance count, an estimate (core/router.c); at least
	 * one link when the answer came from the network */
	hops = a->htl == ROUTER_HTL_HERE ? 0 : a->htl ? a->htl : 1;
	w.cb(w.cookie, st, b ? b->data : NULL, b ? b->len : 0, hops);
}

static void
answer_later(struct node *n, const struct router_action *a)
{
	struct route_state *rs = n->route;

	if (!rs->batch || !rs->durable) { /* nothing of this run to wait for: answer now */
		do_answer(n, a);
		if (a->blk)
			op_unref(NULL, a->blk);
		return;
	}
	if (rs->nlater == rs->caplater) {
		unsigned cap = rs->caplater ? rs->caplater * 2 : 16;
		struct router_action *l = realloc(rs->later, cap * sizeof(*l));
		if (!l) {
			do_answer(n, a);
			if (a->blk)
				op_unref(NULL, a->blk);
			return;
		}
		rs->later = l;
		rs->caplater = cap;
	}
	rs->later[rs->nlater++] = *a;
}

/* answers_release answers what waited for the transaction; if it failed,
 * an insert that was to be kept here failed with it. */
static void
answers_release(struct node *n, int failed)
{
	struct route_state *rs = n->route;
	unsigned i, k = rs->nlater;

	rs->nlater = 0;
	for (i = 0; i < k; i++) {
		struct router_action a = rs->later[i];
		if (failed && a.status == ROUTER_INSERTED)
			a.status = NODE_STORE_FAILED;
		do_answer(n, &a);
		if (a.blk)
			op_unref(NULL, a.blk);
	}
}

static void
perform(struct node *n, const struct router_action *a)
{
	switch (a->type) {
	case ROUTER_ACT_SEND: do_send(n, a); break;
	case ROUTER_ACT_STORE_GET: do_store_get(n, a); break;
	case ROUTER_ACT_STORE_PUT: do_store_put(n, a); break;
	case ROUTER_ACT_ANSWER: answer_later(n, a); return; /* keeps its block reference */
	case ROUTER_ACT_OFFER:
		if (n->route->open && n->route->open->offer)
			n->route->open->offer(n, a->msg.ref, a->msg.ref_len);
		break;
	case ROUTER_ACT_DELIVERED:
		if (n->route->open && n->route->open->delivered)
			n->route->open->delivered(n, a->peer, a->msg.ref, a->msg.ref_len);
		break;
	}
	if (a->blk)
		op_unref(NULL, a->blk);
}

static void arm_timer(struct node *n);

static void
feed(struct node *n, struct input *in)
{
	struct route_state *rs = n->route;
	uint64_t now = node_now_ms(), req;
	int rc = 0;

	switch (in->kind) {
	case IN_STORE_ANSWER:
		rc = router_on_store(rs->r, in->token, in->found, in->blk, now);
		if (in->blk)
			op_unref(NULL, in->blk);
		break;
	case IN_LINK_DOWN:
		/* Every request forwarded on the lost link backtracks now; there
		 * may be more of them than the router has room for actions at
		 * once, so it is called again after each drain until done. */
		while ((rc = router_link_down(rs->r, (uint32_t)in->token, now)) == WISP_ERR_FULL) {
			struct router_action a;
			while (router_poll(rs->r, &a))
				perform(n, &a);
		}
		break;
	case IN_ANNOUNCE:
		rc = router_local_announce(rs->r, rs->self, now, &req); /* its answer has no waiter */
		break;
	case IN_GET:
	case IN_PUT:
		rc = in->kind == IN_GET ? (in->out ? router_local_probe : router_local_get)(rs->r, in->key, now, &req)
		    : (in->out ? router_local_reinsert : router_local_put)(rs->r, in->key, in->blk, now, &req);
		if (in->blk)
			op_unref(NULL, in->blk);
		if (rc == 0 && wait_add(rs, req, in->cb, in->cookie) != 0)
			rc = WISP_ERR_NOMEM;
		if (rc != 0)
			in->cb(in->cookie, ROUTER_OVERLOADED, NULL, 0, 0);
		break;
	}
	(void)rc;
}

/* node_route_run carries out actions until none is left, feeding queued
 * inputs in between. Re-entrant calls just return. */
void
node_route_run(struct node *n)
{
	struct route_state *rs = n->route;
	struct router_action a;

	if (rs->running || rs->held)
		return;
	rs->running = 1;
	for (;;) {
		int failed = 0;
		while (router_poll(rs->r, &a))
			perform(n, &a);
		if (rs->in_n) {
			struct input in = rs->in[rs->in_head];
			rs->in_head = (rs->in_head + 1) % rs->in_cap;
			rs->in_n--;
			feed(n, &in);
			continue;
		}
		/* One run's stores and caches go to disk in one transaction, one
		 * sync, rather than one per 32 KiB block; without an answer
		 * waiting for it, the transaction lingers for the next runs. */
		if (rs->nlater || rs->nbatch >= LINGER_BLOCKS) {
			failed = batch_commit(n);
		} else if (rs->batch && !evtimer_pending(rs->linger, NULL)) {
			struct timeval tv = { 0, LINGER_MS * 1000 };
			evtimer_add(rs->linger, &tv);
		}
		rs->durable = 0;
		failed |= rs->put_failed;
		rs->put_failed = 0;
		if (!rs->nlater)
			break;
		answers_release(n, failed); /* their callbacks may bring more work */
	}
	rs->running = 0;
	arm_timer(n);
}

static void
on_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;

	(void)fd;
	(void)ev;
	if (router_on_timer(n->route->r, node_now_ms()) != 0)
		log_debug("router timer deferred");
	node_route_run(n);
}

static void
arm_timer(struct node *n)
{
	uint64_t d = router_next_deadline(n->route->r), now = node_now_ms();
	struct timeval tv;

	if (d == UINT64_MAX) {
		evtimer_del(n->route->timer);
		return;
	}
	d = d > now ? d - now : 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	evtimer_add(n->route->timer, &tv);
}

/* ---- what the rest of the node calls ---- */

void
node_route_hold(struct node *n)
{
	n->route->held++;
}

void
node_route_release(struct node *n)
{
	if (--n->route->held == 0)
		node_route_run(n);
}

int
node_announce(struct node *n)
{
	struct input in = { .kind = IN_ANNOUNCE };

	if (push(n->route, &in) != 0)
		return -1;
	node_route_run(n);
	return 0;
}

int
node_route_set_ref(struct node *n, const uint8_t *ref, size_t len)
{
	return router_set_ref(n->route->r, ref, len);
}

static void
node_route_forget(struct node *n, struct peer *p)
{
	/* A peer in a request now is forgotten later, by the router's own
	 * eviction, once it is not. */
	if (n->route && router_peer_forget(n->route->r, p->rid) != 0)
		log_debug("router: a gone peer is still in a request; forgotten later");
}

int
node_fetch_block(struct node *n, const uint8_t key[32], node_block_cb cb, void *cookie)
{
	return node_get_block(n, key, 0, cb, cookie);
}

int
node_get_block(struct node *n, const uint8_t key[32], int out, node_block_cb cb, void *cookie)
{
	struct input in = { .kind = IN_GET, .cb = cb, .cookie = cookie, .out = out };

	memcpy(in.key, key, 32);
	if (push(n->route, &in) != 0)
		return -1;
	node_route_run(n);
	return 0;
}

int
node_insert_block(struct node *n, const uint8_t key[32], const uint8_t *block, size_t len,
    node_block_cb cb, void *cookie)
{
	return node_put_block(n, key, block, len, 0, cb, cookie);
}

int
node_put_block(struct node *n, const uint8_t key[32], const uint8_t *block, size_t len, int out,
    node_block_cb cb, void *cookie)
{
	struct input in = { .kind = IN_PUT, .cb = cb, .cookie = cookie, .out = out };

	memcpy(in.key, key, 32);
	if (!(in.blk = blk_new(n, block, len)))
		return -1;
	if (push(n->route, &in) != 0) {
		op_unref(NULL, in.blk);
		return -1;
	}
	node_route_run(n);
	return 0;
}

/* on_announce: a darknet node (no opennet hooks, or the opennet off)
 * does not take part; its friends stay unseen. */
static int
on_announce(struct node *n, struct peer *from, const struct wire_msg *m)
{
	const struct route_opennet_hooks *h = n->route->open;

	return h && h->announce ? h->announce(n, from, m) : WIRE_ROUTE_NOT_FOUND;
}

void
node_route_opennet(struct node *n, const struct route_opennet_hooks *h)
{
	n->route->open = h;
}

static void
reject(struct node *n, struct peer *p, const struct wire_msg *m, uint8_t type)
{
	struct wire_msg r = *m;

	n->route->rejected_direct += type == WIRE_REJECTED_OVERLOAD;
	if (!p->link)
		return;
	r.type = type;
	r.block = NULL;
	r.block_len = 0;
	(void)link_send_msg(p->link, &r);
}

/* too_late: accept only the work that can be done in time (Hyphanet's
 * load limiting). The block a request brings back leaves on the link it
 * came by, after what already waits there: if that could not leave
 * within half the request's deadline at the rate the link drains, the
 * request is refused now, so that the sender backtracks at once rather
 * than time out later. An insert's block goes on to the next hop: the
 * node's output as a whole, at its limit, must have room for it. */
static int
too_late(const struct node *n, const struct peer *p, const struct wire_msg *m)
{
	uint64_t horizon = (uint64_t)n->route->hop_ms * (m->htl + 1u) / 2;

	/* the node's limit bounds every link at once, measured or not */
	if (links_drain_ms(n, FRAME_WIRE_MAX) > horizon)
		return 1;
	return m->type == WIRE_REQUEST && p->link && link_drain_ms(p->link, FRAME_WIRE_MAX) > horizon;
}

/* node_route_msg handles a FRAME_ROUTE record from a friend. A block that
 * does not verify is never stored or forwarded, and costs the sender its
 * link. Returns -1 to close the link. */
static int
node_route_msg(struct node *n, struct peer *p, const uint8_t *data, size_t len)
{
	struct wire_msg m;
	int rc;

	if (wire_decode(&m, data, len) != 0) {
		log_ratelim(&fault_rate, 10, "a malformed routing message: closing that link");
		return -1;
	}
	if ((m.type == WIRE_REQUEST || m.type == WIRE_INSERT) && !peers_take_request(p)) {
		/* Faster than any friend needs: refused, cheaply, link kept. */
		reject(n, p, &m, WIRE_REJECTED_OVERLOAD);
		return 0;
	}
	if ((m.type == WIRE_REQUEST || m.type == WIRE_INSERT) && too_late(n, p, &m)) {
		n->route->rejected_load++;
		reject(n, p, &m, WIRE_REJECTED_OVERLOAD);
		return 0;
	}
	if (m.type == WIRE_ANNOUNCE && (rc = on_announce(n, p, &m)) != 0) {
		reject(n, p, &m, (uint8_t)rc);
		return 0;
	}
	if (m.block) {
		if (block_verify(m.block, m.block_len, m.key) != 0) {
			n->traffic.verify_failed++;
			log_ratelim(&fault_rate, 10, "a friend sent a block that does not verify: closing that link");
			return -1;
		}
		if (!(m.blk = blk_new(n, m.block, m.block_len))) {
			/* Out of block memory: refuse the work, keep the link. */
			if (m.type == WIRE_INSERT)
				reject(n, p, &m, WIRE_REJECTED_OVERLOAD);
			return 0;
		}
	}
	rc = router_on_msg(n->route->r, p->rid, &m, node_now_ms());
	if (m.blk)
		op_unref(NULL, m.blk);
	node_route_run(n);
	return rc == WISP_ERR_INVAL ? -1 : 0;
}


static void
node_route_link(struct node *n, struct peer *p, int up)
{
	if (up) {
		if (router_link_up(n->route->r, p->rid, p->loc, node_now_ms()) != 0)
			log_warnx("router: link up not recorded (out of memory)");
	} else {
		struct input in = { .kind = IN_LINK_DOWN, .token = p->rid };
		if (push(n->route, &in) != 0)
			log_warnx("router: link down not recorded (out of memory)");
	}
	node_route_run(n);
}

void
node_route_set_location(struct node *n, const uint8_t loc[32])
{
	memcpy(n->route->self, loc, 32);
	router_set_location(n->route->r, loc);
}

const uint8_t *
node_route_location(const struct node *n)
{
	return n->route->self;
}

void
node_route_friend(struct node *n, struct peer *p, const uint8_t loc[32], const uint64_t *locs, unsigned nlocs)
{
	memcpy(p->loc, loc, 32); /* where its next link up puts it too */
	if (p->link && router_link_up(n->route->r, p->rid, loc, node_now_ms()) != 0)
		log_warnx("router: a friend's location not recorded (out of memory)");
	if (router_peer_foaf(n->route->r, p->rid, locs, nlocs) != 0)
		log_debug("router: a friend's friends not recorded");
}

int
node_route_reconfigure(struct node *n)
{
	return n->route ? router_set_limits(n->route->r, (uint8_t)n->conf.htl_max, n->conf.rtable_max) : 0;
}

static const struct peer_hooks hooks = {
	.message = node_route_msg,
	.linked = node_route_link,
	.forget = node_route_forget,
};

int
node_route_start(struct node *n)
{
	struct router_config cfg;

	if (!(n->route = calloc(1, sizeof(*n->route))))
		return -1;
	router_config_default(&cfg);
	n->route->hop_ms = cfg.hop_timeout_ms;
	cfg.htl_max = (uint8_t)n->conf.htl_max;
	cfg.rtable_max = n->conf.rtable_max;
	router_location(n->route->self, n->id_public);
	if (router_new(&n->route->r, &cfg, &ops, n, n->route->self) != 0 ||
	    !(n->route->timer = evtimer_new(n->base, on_timer, n)) ||
	    !(n->route->linger = evtimer_new(n->base, on_linger, n)))
		return -1;
	/* The routing table lives in memory only (docs/threat-model.md, "A
	 * seized disk"): one an earlier version saved is erased. */
	if (store_kv_clear(n->store, STORE_T_RTABLE) != 0)
		log_warnx("erasing a saved routing table: %s", store_errmsg(n->store));
	return peers_hook(n, &hooks);
}

void
node_route_stop(struct node *n)
{
	unsigned i;

	if (!n->route)
		return;
	if (n->route->linger) {
		(void)batch_commit(n);
		event_free(n->route->linger);
	}
	router_free(n->route->r);
	for (i = 0; i < n->route->in_n; i++) {
		struct input *in = &n->route->in[(n->route->in_head + i) % n->route->in_cap];
		if (in->blk)
			op_unref(NULL, in->blk);
	}
	if (n->route->timer)
		event_free(n->route->timer);
	free(n->route->in);
	free(n->route->wait);
	free(n->route->later); /* empty: answers are released before a run ends */
	free(n->route);
	n->route = NULL;
}

void
node_route_load(const struct node *n, uint64_t *rejected_load, uint64_t *dropped_full)
{
	*rejected_load = n->route->rejected_load;
	*dropped_full = n->route->dropped_full;
}

void
node_route_stats(const struct node *n, struct router_stats *st)
{
	router_stats(n->route->r, st);
	st->rejected_overload += n->route->rejected_direct;
}

unsigned
router_inflight_of(const struct node *n)
{
	return router_inflight(n->route->r);
}
