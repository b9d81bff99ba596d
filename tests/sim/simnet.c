/* The simulated network of wisp-sim: wispd's own router (node/router.c,
 * linked, not rewritten) and opennet policy in a network of up to a million
 * nodes, with simulated time and one seeded random stream, so a run is a
 * function of its arguments. docs/sim.md describes the models.
 *
 * The driver does what wispd's route.c does, in memory: it delivers each
 * SEND to the peer's router after a simulated latency, answers STORE_GET
 * from the node's store (an LRU of 50 keys, as in the paper), keeps
 * STORE_PUT, and calls router_on_timer at router_next_deadline. Each
 * operation runs until the network is quiet again, so one step's inserts
 * and requests happen one after another, as in the paper.
 *
 * The file, in order: randomness; the network and its hash maps; the
 * routers' operations and links; the event queue; a node's store; driving
 * one router (drain, deliver, run); operations (insert, request, step);
 * probes; building networks: the paper's ring and announcement, wispd's
 * opennet, the darknet with location swapping; reset. The experiments
 * that use them are in sim.c; simnet.h lists what they may call. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"

uint8_t WORK_HTL = 20;      /* the paper's inserts and requests */

/* ---- randomness: one splitmix64 stream for everything ---- */

uint64_t rng_state;

static uint64_t
rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t)(((rnd64() >> 32) * (uint64_t)n) >> 32);
}

double
rnd_unit(void)
{
	return (double)(rnd64() >> 11) / 9007199254740992.0;
}

static void
rnd_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n >= 8) {
		uint64_t v = rnd64();
		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = rnd64();
		memcpy(p, &v, n);
	}
}

/* ---- the network ---- */

struct ev {
	uint64_t t, seq;
	uint32_t to, from;
	uint8_t kind;                    /* EV_MSG or EV_TIMER */
	struct wire_msg m;
};
enum { EV_MSG = 1, EV_TIMER = 2 };

struct sim S;

void
die(const char *what)
{
	fprintf(stderr, "wisp-sim: %s\n", what);
	exit(1);
}

void *
xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n)))
		die("out of memory");
	return p;
}

static uint64_t
prefix(const uint8_t k[WIRE_KEY_LEN])
{
	uint64_t v;

	memcpy(&v, k, 8);
	return v ? v : 1;
}

/* Open addressing, prefix → index + 1 (the prefix's top bits pick the
 * slot; a zero entry is empty). Prefixes are 64 random bits: equal ones
 * are treated as the same key, which at a few million keys never occurs. */
static uint32_t
hash_get(const struct hmap *h, uint64_t pre)
{
	uint32_t i;

	if (!h->cap)
		return 0;
	for (i = (uint32_t)(pre >> 32) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		uint64_t e = h->tab[2 * i];
		if (!e)
			return 0;
		if (e == pre)
			return (uint32_t)h->tab[2 * i + 1];
	}
}

/* slot: where |pre| is, or the empty slot it would go to. */
static uint32_t
slot(const struct hmap *h, uint64_t pre)
{
	uint32_t i = (uint32_t)(pre >> 32) & (h->cap - 1);

	while (h->tab[2 * i] && h->tab[2 * i] != pre)
		i = (i + 1) & (h->cap - 1);
	return i;
}

static void
hash_put(struct hmap *h, uint64_t pre, uint32_t idx)
{
	uint32_t i;

	if ((h->fill + 1) * 2 > h->cap) { /* at most half full */
		struct hmap g = { calloc((size_t)(h->cap ? h->cap * 2 : 1024) * 2, sizeof(uint64_t)),
			h->cap ? h->cap * 2 : 1024, h->fill };
		if (!g.tab)
			die("out of memory");
		for (i = 0; i < h->cap; i++) {
			if (h->tab[2 * i]) {
				uint32_t j = slot(&g, h->tab[2 * i]);
				g.tab[2 * j] = h->tab[2 * i];
				g.tab[2 * j + 1] = h->tab[2 * i + 1];
			}
		}
		free(h->tab);
		*h = g;
	}
	i = slot(h, pre);
	h->fill += !h->tab[2 * i];
	h->tab[2 * i] = pre;
	h->tab[2 * i + 1] = (uint64_t)idx + 1;
}

/* ---- the router's operations ---- */

static void op_rand(void *ctx, void *buf, size_t n) { (void)ctx; rnd_bytes(buf, n); }
static const struct router_ops ops = { op_rand, NULL, NULL };

struct router_config rcfg;
uint8_t rewrite_pct;        /* --rewrite: data-source rewriting, percent */
int rewrite_given;          /* opennet: wispd's 30 unless --rewrite says */

uint32_t
node_new(void)
{
	struct node *x;
	uint32_t id = S.n;

	if (S.n == S.cap) {
		S.cap = S.cap ? S.cap * 2 : 1024;
		S.nodes = xrealloc(S.nodes, (size_t)S.cap * sizeof(*S.nodes));
	}
	x = &S.nodes[S.n++];
	memset(x, 0, sizeof(*x));
	rnd_bytes(x->loc, WIRE_KEY_LEN);
	x->alive = 1;
	if (router_new(&x->r, &rcfg, &ops, NULL, x->loc) != 0)
		die("router_new failed");
	hash_put(&S.lhash, prefix(x->loc), id);
	return id;
}

/* link_one: |a| can send to |b|. In the darknet a friend's location is
 * its routing key; in the open network a node is known only by the
 * routing entries that name it (the paper's model). */
static void
link_one(uint32_t a, uint32_t b)
{
	if (router_link_up(S.nodes[a].r, b, S.model == OPEN ? NULL : S.nodes[b].loc, S.now) != 0)
		die("router_link_up failed");
}

/* know: |a| links to |b| and files it under |b|'s location. */
static void
know(uint32_t a, uint32_t b)
{
	link_one(a, b);
	if (S.model == OPEN && router_rtable_learn(S.nodes[a].r, S.nodes[b].loc, b) != 0)
		die("learn failed");
}

static void
link_both(uint32_t a, uint32_t b)
{
	if (a == b)
		return;
	link_one(a, b);
	link_one(b, a);
}

/* ---- events ---- */

static int
ev_less(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
ev_push(const struct ev *e)
{
	size_t i;

	if (S.nheap == S.capheap) {
		S.capheap = S.capheap ? S.capheap * 2 : 1024;
		S.heap = xrealloc(S.heap, S.capheap * sizeof(*S.heap));
	}
	i = S.nheap++;
	S.heap[i] = *e;
	S.heap[i].seq = ++S.seq;
	while (i && ev_less(&S.heap[i], &S.heap[(i - 1) / 2])) {
		struct ev t = S.heap[i];
		S.heap[i] = S.heap[(i - 1) / 2];
		S.heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct ev
ev_pop(void)
{
	struct ev top = S.heap[0];
	size_t i = 0;

	S.heap[0] = S.heap[--S.nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < S.nheap && ev_less(&S.heap[l], &S.heap[m]))
			m = l;
		if (r < S.nheap && ev_less(&S.heap[r], &S.heap[m]))
			m = r;
		if (m == i)
			break;
		struct ev t = S.heap[i];
		S.heap[i] = S.heap[m];
		S.heap[m] = t;
		i = m;
	}
	return top;
}

/* ---- a node's store ---- */

static int
store_find(const struct node *x, uint32_t doc)
{
	int i;

	for (i = 0; i < x->nstore; i++)
		if (x->store[i] == doc)
			return i;
	return -1;
}

static void
store_keep(struct node *x, uint32_t doc)
{
	int i = store_find(x, doc);

	if (i >= 0) { /* most recent goes last */
		memmove(&x->store[i], &x->store[i + 1], (size_t)(x->nstore - i - 1) * sizeof(uint32_t));
		x->store[x->nstore - 1] = doc;
		return;
	}
	if (x->nstore == STORE_ITEMS) {
		S.holders[x->store[0]]--;
		memmove(&x->store[0], &x->store[1], (STORE_ITEMS - 1) * sizeof(uint32_t));
		x->nstore--;
	}
	x->store[x->nstore++] = doc;
	S.holders[doc]++;
}

/* ---- driving one router ---- */

static void
schedule_timer(uint32_t id)
{
	struct node *x = &S.nodes[id];
	uint64_t d = router_next_deadline(x->r);
	struct ev e = { 0 };

	if (d == UINT64_MAX || (x->timer_at && x->timer_at <= d))
		return;
	x->timer_at = d;
	e.t = d;
	e.to = id;
	e.kind = EV_TIMER;
	ev_push(&e);
}

/* dial_later: |from| asks for a link to the node a ref names (a 4-byte
 * node number: the simulator's noderef); made once the operation is
 * over, as wispd dials after a delay. */
static void
dial_later(uint32_t from, const uint8_t ref[4])
{
	uint32_t to;

	memcpy(&to, ref, 4);
	if (S.ndials == S.capdials) {
		S.capdials = S.capdials ? S.capdials * 2 : 64;
		S.dials = xrealloc(S.dials, S.capdials * sizeof(*S.dials));
	}
	S.dials[S.ndials].from = from;
	S.dials[S.ndials++].to = to;
}

static void send_ev(uint32_t from, uint32_t to, const struct wire_msg *m);

/* drain carries out every action |id|'s router has for us. */
static void
drain(uint32_t id)
{
	struct node *x = &S.nodes[id];
	struct router_action a;
	struct { uint64_t token; int found; uint64_t blk; } later[ROUTER_ACTIONS_MAX];
	size_t nlater, i;

	do {
		nlater = 0;
		while (router_poll(x->r, &a)) {
			switch (a.type) {
			case ROUTER_ACT_SEND: {
				send_ev(id, a.peer, &a.msg);
				if (a.msg.type == WIRE_REQUEST || a.msg.type == WIRE_INSERT)
					S.op_sends++;
				if (S.collect) {
					if (S.nreached == S.capreached) {
						S.capreached = S.capreached ? S.capreached * 2 : 64;
						S.reached = xrealloc(S.reached, S.capreached * sizeof(*S.reached));
					}
					S.reached[S.nreached++] = a.peer;
				}
				break;
			}
			case ROUTER_ACT_STORE_GET: {
				uint32_t doc = hash_get(&S.khash, prefix(a.key));
				int found = doc && store_find(x, doc - 1) >= 0;
				later[nlater].token = a.token;
				later[nlater].found = found;
				later[nlater++].blk = found ? doc : 0;
				break;
			}
			case ROUTER_ACT_STORE_PUT:
				if (a.blk)
					store_keep(x, (uint32_t)a.blk - 1);
				break;
			case ROUTER_ACT_ANSWER: /* one operation at a time: it is ours */
				S.op_done = 1;
				S.op_status = a.status;
				S.op_htl = a.htl;
				break;
			case ROUTER_ACT_OFFER:
				if (a.msg.ref_len == 4)
					dial_later(id, a.msg.ref);
				break;
			case ROUTER_ACT_DELIVERED:
				if (!x->on)
					break;
				opennet_useful(x->on, a.peer, S.now);
				if (a.msg.ref_len == 4)
					dial_later(id, a.msg.ref);
				break;
			}
		}
		for (i = 0; i < nlater; i++) {
			struct node *y = &S.nodes[id];
			if (router_on_store(y->r, later[i].token, later[i].found, later[i].blk, S.now) != 0)
				die("router_on_store failed");
		}
	} while (nlater);
	schedule_timer(id);
}

/* Contacts opened during an operation are closed when it ends, unless a
 * routing entry now names the other node. */
static void
contact_add(uint32_t at, uint32_t peer)
{
	if (S.nopened == S.capopened) {
		S.capopened = S.capopened ? S.capopened * 2 : 256;
		S.opened = xrealloc(S.opened, S.capopened * sizeof(*S.opened));
	}
	S.opened[S.nopened].at = at;
	S.opened[S.nopened++].peer = peer;
}

static void
contacts_close(void)
{
	size_t i;

	for (i = 0; i < S.nopened; i++) {
		struct router *r = S.nodes[S.opened[i].at].r;
		if (router_peer_entries(r, S.opened[i].peer) == 0 && router_peer_forget(r, S.opened[i].peer) != 0)
			die("router_peer_forget failed");
	}
	S.nopened = 0;
}

static void
send_ev(uint32_t from, uint32_t to, const struct wire_msg *m)
{
	struct ev e = { 0 };

	e.t = S.now + LATENCY_MS + rnd_below(LATENCY_MS + 1);
	e.to = to;
	e.from = from;
	e.kind = EV_MSG;
	e.m = *m;
	e.m.block = NULL;
	ev_push(&e);
	S.messages++;
}

/* open_announced: what wispd's openlink_on_announce does, here: a node
 * an announcement reaches may offer itself (the reply goes back before
 * the announcement goes on), and refuses one from a source that sends
 * too many. Returns 0 to pass the announcement to the router. */
static int
open_announced(uint32_t at, uint32_t from, const struct wire_msg *m)
{
	struct node *x = &S.nodes[at];
	struct wire_msg r;

	memset(&r, 0, sizeof(r));
	r.id = m->id;
	r.htl = m->htl;
	memcpy(r.key, m->key, WIRE_KEY_LEN);
	if (!opennet_relay_ok(x->on, from, S.now)) {
		r.type = WIRE_REJECTED_OVERLOAD;
		send_ev(at, from, &r);
		return -1;
	}
	if (memcmp(m->key, S.nodes[from].loc, WIRE_KEY_LEN) != 0 && opennet_want(x->on, S.now)) {
		r.type = WIRE_ANNOUNCE_REPLY;
		r.ref_len = 4;
		memcpy(r.ref, &at, 4);
		send_ev(at, from, &r);
	}
	return 0;
}

/* deliver: one message arrives (or finds its receiver gone). */
static void
deliver(const struct ev *e)
{
	struct node *to = &S.nodes[e->to];
	int rc;

	if (!to->alive) {
		/* A failed node refuses the connection: the sender learns at once. */
		if (router_link_down(S.nodes[e->from].r, e->to, S.now) != 0)
			die("router_link_down failed");
		drain(e->from);
		return;
	}
	if (S.model == OPEN && (e->m.type == WIRE_REQUEST || e->m.type == WIRE_INSERT) &&
	    router_peer_entries(to->r, e->from) < 0) {
		/* Open network: a node may be contacted by any other; the
		 * contact makes them peers (as a connection would) until the
		 * operation is over, unless a routing entry keeps it. */
		link_one(e->to, e->from);
		contact_add(e->to, e->from);
	}
	if (S.model == OPENNET && e->m.type == WIRE_ANNOUNCE && open_announced(e->to, e->from, &e->m) != 0) {
		drain(e->to);
		return;
	}
	rc = router_on_msg(to->r, e->from, &e->m, S.now);
	if (rc == WISP_ERR_FULL) {
		drain(e->to);
		rc = router_on_msg(to->r, e->from, &e->m, S.now);
	}
	if (rc != 0)
		die("router_on_msg failed");
	if (S.model == OPEN && e->m.type == WIRE_DATA) {
		/* The paper's rule: a reply teaches where the data came from,
		 * and the node may contact that source directly from now on. */
		uint32_t src = hash_get(&S.lhash, prefix(e->m.source));
		if (src && src - 1 != e->to && S.nodes[src - 1].alive) {
			link_one(e->to, src - 1);
			if (router_rtable_learn(to->r, e->m.key, src - 1) != 0)
				die("learn failed");
		}
	}
	drain(e->to);
}

void
run(void)
{
	while (S.nheap) {
		struct ev e = ev_pop();
		S.now = e.t;
		if (e.kind == EV_TIMER) {
			struct node *x = &S.nodes[e.to];
			if (x->timer_at != e.t)
				continue; /* superseded */
			x->timer_at = 0;
			if (!x->alive)
				continue;
			if (router_on_timer(x->r, S.now) != 0)
				die("router_on_timer failed");
			drain(e.to);
		} else {
			deliver(&e);
		}
	}
}

/* ---- operations ---- */

uint32_t
doc_new(void)
{
	if (S.ndocs == S.capdocs) {
		S.capdocs = S.capdocs ? S.capdocs * 2 : 4096;
		S.keys = xrealloc(S.keys, (size_t)S.capdocs * WIRE_KEY_LEN);
		S.holders = xrealloc(S.holders, (size_t)S.capdocs * sizeof(*S.holders));
		S.born = xrealloc(S.born, (size_t)S.capdocs * sizeof(*S.born));
	}
	S.holders[S.ndocs] = 0;
	S.born[S.ndocs] = S.step_now;
	rnd_bytes(S.keys[S.ndocs], WIRE_KEY_LEN);
	hash_put(&S.khash, prefix(S.keys[S.ndocs]), S.ndocs);
	return S.ndocs++;
}

static void dials_run(void);

/* op runs one insert or request from |at| to the end. Returns the status;
 * |sends| is how many Request/Insert messages it took. */
enum router_status
op(uint32_t at, int insert, uint32_t doc, uint64_t *sends)
{
	struct node *x = &S.nodes[at];
	uint64_t req;
	int rc;

	S.op_done = 0;
	S.op_sends = 0;
	rc = insert ? router_local_put(x->r, S.keys[doc], (uint64_t)doc + 1, S.now, &req)
	    : router_local_get(x->r, S.keys[doc], S.now, &req);
	if (rc != 0)
		die("local operation failed");
	(void)req;
	drain(at);
	run();
	contacts_close();
	dials_run();
	S.requests++;
	if (sends)
		*sends = S.op_sends;
	return S.op_done ? S.op_status : ROUTER_ROUTE_NOT_FOUND;
}

uint32_t
random_alive(void)
{
	uint32_t i;

	do
		i = rnd_below(S.n);
	while (!S.nodes[i].alive);
	return i;
}

void
set_htl(uint8_t htl)
{
	uint32_t i;

	for (i = 0; i < S.n; i++)
		if (router_set_limits(S.nodes[i].r, htl, rcfg.rtable_max) != 0)
			die("router_set_limits failed");
}

void
observe(int on)
{
	uint32_t i;

	for (i = 0; i < S.n; i++)
		router_set_observe(S.nodes[i].r, on);
}

/* step: the workload of one time step: |per| operations, each an insert
 * of a new document or a request for an inserted one, half and half. */
/* insert_op: the paper's insert. In the open model every node the insert
 * reached also files the key under the inserter and may contact it
 * directly: Freenet (2000) carried the inserter as the insert's data
 * source. (wisp's wire format does not: a darknet insert names no one.) */
void
insert_op(uint32_t at, uint32_t doc)
{
	size_t i;

	S.collect = S.model == OPEN;
	S.nreached = 0;
	(void)op(at, 1, doc, NULL);
	S.collect = 0;
	for (i = 0; S.model == OPEN && i < S.nreached; i++) {
		uint32_t y = S.reached[i];
		if (y == at || !S.nodes[y].alive)
			continue;
		link_one(y, at);
		if (router_rtable_learn(S.nodes[y].r, S.keys[doc], at) != 0)
			die("learn failed");
	}
}

/* step: the workload of one time step: |per| operations, each an insert
 * of a new document or a request for an inserted one, half and half. */
void
step(int per)
{
	int k;

	S.step_now++;
	/* One random draw per statement: C leaves the order in which a
	 * call's arguments are evaluated open, and the run must not depend
	 * on the compiler. */
	for (k = 0; k < per; k++) {
		uint32_t at, doc;
		if (S.ndocs == 0 || rnd_below(2) == 0) {
			at = random_alive();
			doc = doc_new();
			insert_op(at, doc);
		} else {
			at = random_alive();
			doc = rnd_below(S.ndocs);
			(void)op(at, 0, doc, NULL);
		}
	}
}

/* ---- probes ---- */

int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double
quantile(const uint64_t *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;

	return i + 1 < n ? (double)v[i] + (pos - (double)i) * (double)(v[i + 1] - v[i]) : (double)v[i];
}

/* stored_doc: a random document that some live node still holds. Stores
 * are LRU and small (the paper's 50 items), so old documents leave the
 * network; a probe for one of those measures the stores, not routing. */
static uint32_t
stored_doc(int recent)
{
	uint32_t d, lo = 0, tries = 0;

	if (recent) { /* the first document of the window: born is sorted */
		uint32_t hi = S.ndocs, since = S.step_now > S.window ? S.step_now - S.window : 0;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (S.born[mid] < since)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == S.ndocs)
			lo = 0;
	}
	do
		d = lo + rnd_below(S.ndocs - lo);
	while (!S.holders[d] && ++tries < 1000000);
	return d;
}

double
stored_share(void)
{
	uint32_t d, n = 0;

	for (d = 0; d < S.ndocs; d++)
		n += S.holders[d] != 0;
	return S.ndocs ? 100.0 * n / S.ndocs : 0;
}

/* probes: |count| requests for random stored documents from random live
 * nodes, with the routers observing only: nothing learnt or cached. A
 * failed probe counts as PROBE_HTL hops (the failure cap). */
struct probe_result
probes(int count, int recent)
{
	uint64_t *len = calloc((size_t)count, sizeof(uint64_t));
	struct probe_result pr;
	int k, ok = 0;

	if (!len)
		die("out of memory");
	set_htl(PROBE_HTL);
	observe(1);
	for (k = 0; k < count; k++) {
		uint64_t sends;
		uint32_t at = random_alive(), doc = stored_doc(recent); /* in this order */
		enum router_status st = op(at, 0, doc, &sends);
		if (st == ROUTER_FOUND) {
			ok++;
			len[k] = sends;
		} else {
			len[k] = PROBE_HTL;
		}
	}
	observe(0);
	set_htl(WORK_HTL);
	qsort(len, (size_t)count, sizeof(uint64_t), cmp_u64);
	pr.q1 = quantile(len, (size_t)count, 0.25);
	pr.median = quantile(len, (size_t)count, 0.5);
	pr.q3 = quantile(len, (size_t)count, 0.75);
	pr.success = 100.0 * ok / count;
	free(len);
	return pr;
}

/* ---- building networks ---- */

/* ring: the paper's start, each node knowing two neighbours each side. */
void
ring(uint32_t n)
{
	uint32_t i, k;

	for (i = 0; i < n; i++)
		(void)node_new();
	for (i = 0; i < n; i++)
		for (k = 1; k <= 2 && k < n; k++) {
			know(i, (i + k) % n);
			know((i + k) % n, i);
		}
}

/* announce: a newcomer joins through a random live node. Its announcement
 * is routed by the routers themselves toward the newcomer's own location
 * (a key no one holds) with HTL 10; every node it reaches, and the seed,
 * link with the newcomer. Nothing is learnt or cached on the way (no
 * data comes back). With --announce-paths N it does so N times. */
/* --announce-paths: a newcomer may announce along several paths, each
 * from its own random seed (one is the paper's). */
unsigned announce_paths = 1;

static void
announce_from(uint32_t seed, uint32_t id)
{
	uint64_t req;
	size_t i;

	if (router_set_limits(S.nodes[seed].r, ANNOUNCE_HTL, rcfg.rtable_max) != 0)
		die("router_set_limits failed");
	S.collect = 1;
	S.nreached = 0;
	if (router_local_get(S.nodes[seed].r, S.nodes[id].loc, S.now, &req) != 0)
		die("announce failed");
	drain(seed);
	run();
	S.collect = 0;
	if (router_set_limits(S.nodes[seed].r, WORK_HTL, rcfg.rtable_max) != 0)
		die("router_set_limits failed");
	know(id, seed);
	know(seed, id);
	for (i = 0; i < S.nreached; i++)
		if (S.reached[i] != id && S.nodes[S.reached[i]].alive) {
			know(id, S.reached[i]);
			know(S.reached[i], id);
		}
	contacts_close();
}

void
announce(void)
{
	uint32_t seed = random_alive(), id;
	unsigned p;

	id = node_new();
	announce_from(seed, id);
	for (p = 1; p < announce_paths; p++) {
		do
			seed = random_alive();
		while (seed == id);
		announce_from(seed, id);
	}
}

/* ---- the opennet: wispd's, bounded peers under node/opennet.c ---- */

struct opennet_config ocfg;
uint32_t open_seed;          /* the one seed every newcomer knows */

static int linked(uint32_t a, uint32_t b) { return router_peer_entries(S.nodes[a].r, b) >= 0; }

void
open_node(uint32_t id)
{
	if (opennet_new(&S.nodes[id].on, &ocfg) != 0 || router_set_ref(S.nodes[id].r, (const uint8_t *)&id, 4) != 0)
		die("out of memory");
}

/* open_unlink closes a link, between operations, so no request holds
 * either end and both forget each other at once (wispd: link closed,
 * stranger forgotten). */
static void
open_unlink(uint32_t a, uint32_t b)
{
	if (router_link_down(S.nodes[a].r, b, S.now) != 0 || router_peer_forget(S.nodes[a].r, b) != 0 ||
	    router_link_down(S.nodes[b].r, a, S.now) != 0 || router_peer_forget(S.nodes[b].r, a) != 0)
		die("unlink failed");
	opennet_down(S.nodes[a].on, b);
	opennet_down(S.nodes[b].on, a);
}

/* open_joined: wispd's openlink_link for a link come up at |x|. */
static void
open_joined(uint32_t x, uint32_t peer, int transient)
{
	uint32_t drop;

	if (opennet_joined(S.nodes[x].on, peer, transient, S.now, &drop) != 0) {
		open_unlink(x, peer);
		return;
	}
	if (drop != OPENNET_NONE)
		open_unlink(x, drop);
}

/* open_dial: |a| links to |b| if both policies agree, as wispd's dial
 * and openlink_admit do; the handshake is instant here. */
static void
open_dial(uint32_t a, uint32_t b)
{
	uint32_t victim;
	int transient;

	if (a == b || b >= S.n || !S.nodes[b].alive || linked(a, b))
		return;
	if (!opennet_want(S.nodes[a].on, S.now) || !opennet_take(S.nodes[a].on, S.now))
		return;
	if (!opennet_admit(S.nodes[b].on, S.now, &transient, &victim))
		return;
	if (victim != OPENNET_NONE)
		open_unlink(b, victim);
	link_both(a, b);
	open_joined(b, a, transient);
	if (linked(a, b))
		open_joined(a, b, 0);
}

static void
dials_run(void)
{
	size_t i;

	for (i = 0; i < S.ndials; i++)
		open_dial(S.dials[i].from, S.dials[i].to);
	S.ndials = 0;
}

static void
open_announce(uint32_t x)
{
	uint64_t req;

	if (router_local_announce(S.nodes[x].r, S.nodes[x].loc, S.now, &req) != 0)
		die("announce failed");
	drain(x);
	run();
	dials_run();
}

/* open_maintain: wispd's opennet tick for one node: newcomers whose time
 * is up go, and a node short of peers announces (or, alone, dials the
 * seed). */
void
open_maintain(uint32_t x)
{
	struct opennet *on = S.nodes[x].on;
	uint32_t t;

	while ((t = opennet_expired(on, S.now)) != OPENNET_NONE)
		open_unlink(x, t);
	if (!opennet_announce_due(on, S.now))
		return;
	if (opennet_count(on) + opennet_transient(on) > 0)
		open_announce(x);
	else
		open_dial(x, open_seed);
}

void
open_join(void)
{
	uint32_t id = node_new();

	open_node(id);
	open_dial(id, open_seed);
	open_maintain(id);
}

/* ---- the darknet: a fixed friend graph ---- */

static void
friend_add(uint32_t a, uint32_t b)
{
	uint32_t i;

	if (a == b)
		return;
	for (i = 0; i < S.deg[a]; i++)
		if (S.adj[a][i] == b)
			return;
	S.adj[a] = xrealloc(S.adj[a], (S.deg[a] + 1) * sizeof(uint32_t));
	S.adj[a][S.deg[a]++] = b;
	S.adj[b] = xrealloc(S.adj[b], (S.deg[b] + 1) * sizeof(uint32_t));
	S.adj[b][S.deg[b]++] = a;
	link_both(a, b);
}

/* darknet: N nodes on a ring, each with (degree - 2) / 2 more friends at
 * ring distance d drawn with probability proportional to 1/d (Kleinberg's
 * small world, which greedy routing can use once locations follow the
 * ring). Locations start random: nothing about the graph is in them. */
void
darknet(uint32_t n, unsigned degree)
{
	uint32_t i, k;
	double hn = 0;

	S.adj = calloc(n, sizeof(*S.adj));
	S.deg = calloc(n, sizeof(*S.deg));
	if (!S.adj || !S.deg)
		die("out of memory");
	for (i = 0; i < n; i++)
		(void)node_new();
	for (i = 1; i <= n / 2; i++)
		hn += 1.0 / i;
	for (i = 0; i < n; i++)
		friend_add(i, (i + 1) % n);
	for (i = 0; i < n; i++) {
		for (k = 0; k + 2 < degree; k += 2) {
			/* d from the harmonic distribution on 1..n/2 */
			double u = rnd_unit() * hn, c = 0;
			uint32_t d = 1;
			for (d = 1; d < n / 2; d++) {
				c += 1.0 / d;
				if (c >= u)
					break;
			}
			friend_add(i, (uint32_t)((i + (rnd_below(2) ? d : n - d)) % n));
		}
	}
}

static double
loc_pos(const uint8_t loc[WIRE_KEY_LEN])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | loc[i];
	return (double)v / 18446744073709551616.0;
}

static double
circ(double a, double b)
{
	double d = fabs(a - b);

	return d < 0.5 ? d : 1 - d;
}

/* log of the product of a node's distances to its friends, were it at |at| */
static double
log_dist(uint32_t x, double at, uint32_t skip)
{
	double s = 0;
	uint32_t i;

	for (i = 0; i < S.deg[x]; i++) {
		uint32_t f = S.adj[x][i];
		double d = circ(at, loc_pos(S.nodes[f == skip ? x : f].loc));
		s += log(d > 1e-12 ? d : 1e-12);
	}
	return s;
}

/* swap_once: Sandberg's Metropolis-Hastings step. A node finds a partner
 * by a random walk of 6 friends; they exchange locations if that brings
 * their friends closer (the product of distances falls), or else with
 * the ratio of the products as the probability. Every friend's router
 * learns the new locations. Returns 1 on a swap. */
int
swap_once(void)
{
	uint32_t a = rnd_below(S.n), b = a, i;
	uint8_t t[WIRE_KEY_LEN];
	double before, after;

	for (i = 0; i < 6; i++)
		b = S.adj[b][rnd_below(S.deg[b])];
	if (a == b)
		return 0;
	before = log_dist(a, loc_pos(S.nodes[a].loc), UINT32_MAX) + log_dist(b, loc_pos(S.nodes[b].loc), UINT32_MAX);
	after = log_dist(a, loc_pos(S.nodes[b].loc), b) + log_dist(b, loc_pos(S.nodes[a].loc), a);
	if (after > before && rnd_unit() >= exp(before - after))
		return 0;
	memcpy(t, S.nodes[a].loc, WIRE_KEY_LEN);
	memcpy(S.nodes[a].loc, S.nodes[b].loc, WIRE_KEY_LEN);
	memcpy(S.nodes[b].loc, t, WIRE_KEY_LEN);
	for (i = 0; i < S.deg[a]; i++)
		link_one(S.adj[a][i], a);
	for (i = 0; i < S.deg[b]; i++)
		link_one(S.adj[b][i], b);
	return 1;
}


/* ---- a run ---- */

uint32_t window_steps = 1000;

void
reset(uint64_t seed)
{
	uint32_t i;

	for (i = 0; i < S.n; i++) {
		router_free(S.nodes[i].r);
		opennet_free(S.nodes[i].on);
	}
	if (S.adj)
		for (i = 0; i < S.n; i++)
			free(S.adj[i]);
	free(S.adj);
	free(S.deg);
	free(S.nodes);
	free(S.keys);
	free(S.holders);
	free(S.born);
	free(S.khash.tab);
	free(S.lhash.tab);
	free(S.heap);
	free(S.reached);
	free(S.opened);
	free(S.dials);
	memset(&S, 0, sizeof(S));
	S.window = window_steps;
	rng_state = seed;
	router_config_default(&rcfg);
	rcfg.htl_max = WORK_HTL;
	rcfg.rtable_max = 250;       /* the paper's routing table */
	rcfg.seen_max = 64;          /* one operation at a time: little to remember */
	rcfg.source_rewrite_pct = rewrite_pct;
}
