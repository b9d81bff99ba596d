/* The simulated network of wisp-sim: wispd's own router (node/core/router.c,
 * linked, not rewritten) in a network of up to a million nodes, with
 * simulated time and one seeded random stream, so a run is a function of
 * its arguments. docs/sim.md describes the models.
 *
 * This file is the driver, shared by every model: it does what wispd's
 * route/driver.c does, in memory: it delivers each SEND to the peer's
 * router after a simulated latency, answers STORE_GET from the node's
 * store (an LRU of 50 keys, as in the paper), keeps STORE_PUT, and calls
 * router_on_timer at router_next_deadline. Each operation runs until the
 * network is quiet again, so one step's inserts and requests happen one
 * after another, as in the paper.
 *
 * In order: randomness; the network and its hash maps; the routers'
 * operations and links; the event queue; a node's store; driving one
 * router (drain, deliver, run); operations (insert, request, step); reset.
 * The models that build networks on it, each in its own file and each
 * hooked in through S.hooks (simnet_int.h): sim_paper.c (the paper's open
 * network), sim_opennet.c (wispd's opennet), sim_darknet.c (friends, with
 * location swapping); the probes in sim_probe.c; the experiments in sim.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"
#include "tests/sim/simnet_int.h"

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

void
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

uint64_t
prefix(const uint8_t k[WIRE_KEY_LEN])
{
	uint64_t v;

	memcpy(&v, k, 8);
	return v ? v : 1;
}

/* Open addressing, prefix → index + 1 (the prefix's top bits pick the
 * slot; a zero entry is empty). Prefixes are 64 random bits: equal ones
 * are treated as the same key, which at a few million keys never occurs. */
uint32_t
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
void
link_one(uint32_t a, uint32_t b)
{
	if (router_link_up(S.nodes[a].r, b, S.model == OPEN ? NULL : S.nodes[b].loc, S.now) != 0)
		die("router_link_up failed");
}

/* know: |a| links to |b| and files it under |b|'s location. */
void
know(uint32_t a, uint32_t b)
{
	link_one(a, b);
	if (S.model == OPEN && router_rtable_learn(S.nodes[a].r, S.nodes[b].loc, b) != 0)
		die("learn failed");
}

void
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

static void crowd_answer(uint32_t id, const struct router_action *a);

/* drain carries out every action |id|'s router has for us. */
void
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
				/* wispd's estimate of the distance is randomised; the
				 * simulator measures it as the HTL at the holder */
				if (a.found_htl >= 0 && a.msg.type == WIRE_DATA)
					S.op_htl = (uint8_t)a.found_htl;
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
				if (S.crowd) {
					crowd_answer(id, &a);
					break;
				}
				S.op_done = 1;
				S.op_status = a.status;
				if (a.htl == ROUTER_HTL_HERE)
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

void
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
	if (S.hooks && S.hooks->arrive && S.hooks->arrive(e)) {
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
	if (S.hooks && S.hooks->arrived)
		S.hooks->arrived(e);
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

/* crowd_answer records a crowd member's answer (crowd below). */
static void
crowd_answer(uint32_t id, const struct router_action *a)
{
	unsigned i;

	for (i = 0; i < S.crowd_k; i++)
		if (S.crowd_at[i] == id && !S.crowd[i].done) {
			S.crowd[i].done = 1;
			S.crowd[i].st = a->status;
			S.crowd[i].ms = S.now - S.crowd_t0;
			S.crowd[i].hops = a->htl == ROUTER_HTL_HERE ? 0 : a->htl ? a->htl : 1;
			return;
		}
}

void
crowd(const uint32_t *at, unsigned k, uint32_t doc, struct crowd_answer *res)
{
	uint64_t req;
	unsigned i;

	memset(res, 0, k * sizeof(*res));
	S.crowd = res;
	S.crowd_at = at;
	S.crowd_k = k;
	S.crowd_t0 = S.now;
	for (i = 0; i < k; i++)
		if (router_local_get(S.nodes[at[i]].r, S.keys[doc], S.now, &req) != 0)
			die("local operation failed");
	for (i = 0; i < k; i++)
		drain(at[i]);
	run();
	if (S.hooks && S.hooks->op_end)
		S.hooks->op_end();
	S.crowd = NULL;
	S.requests += k;
}

uint64_t
timeouts_total(void)
{
	struct router_stats st;
	uint64_t t = 0;
	uint32_t i;

	for (i = 0; i < S.n; i++) {
		router_stats(S.nodes[i].r, &st);
		t += st.timeouts;
	}
	return t;
}

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
	if (S.hooks && S.hooks->op_end)
		S.hooks->op_end();
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
	int collect = S.hooks && S.hooks->inserted;

	S.collect = collect;
	S.nreached = 0;
	(void)op(at, 1, doc, NULL);
	S.collect = 0;
	if (collect)
		S.hooks->inserted(at, doc);
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

/* ---- a run ---- */

uint32_t window_steps = 1000;

void
reset(uint64_t seed)
{
	uint32_t i;

	for (i = 0; i < S.n; i++) {
		router_free(S.nodes[i].r);
		opennet_free(S.nodes[i].on);
		swap_free(S.nodes[i].sw);
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
	rcfg.source_rewrite_pct = rewrite_pct;
}
