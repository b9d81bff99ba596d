/* The router: steepest-ascent hill climbing with backtracking and
 * hops-to-live, after Clarke et al. (Freenet, 2000), with Hyphanet's
 * anonymity rules. docs/routing.md explains each decision.
 *
 * The file, in order: small helpers and the action queue; loops (ids in
 * progress, and by key a keep's probes and repairs); requests from
 * peers (on_request, answer, route, HTL); replies (on_reply, offers to
 * announcements, data delivered); local requests (get, put, announce);
 * the table of peers (eviction, learning); the timer. Links up and down,
 * friends' locations and forgetting a peer are in router_peers.c, the
 * routing table and the distances it is searched by in rtable.c; all
 * three share router_int.h. */
#include <stdlib.h>
#include <string.h>

#include "node/core/router_int.h"

static int learn(struct router *r, const uint8_t *key, uint32_t id);

void
router_config_default(struct router_config *c)
{
	c->htl_max = 18;
	c->rtable_max = 250;
	c->inflight_max = 1024;
	c->inflight_per_peer = 256;
	c->hop_timeout_ms = 2000;
	c->source_rewrite_pct = 30;
	c->announce_htl = 10;
}

int
router_new(struct router **out, const struct router_config *cfg, const struct router_ops *ops,
    void *ctx, const uint8_t self[static WIRE_KEY_LEN])
{
	struct router *r;

	if (!cfg->htl_max || cfg->htl_max > WIRE_HTL_MAX || !cfg->rtable_max || !cfg->inflight_max)
		return WISP_ERR_INVAL;
	if (!(r = calloc(1, sizeof(*r))))
		return WISP_ERR_NOMEM;
	r->cfg = *cfg;
	r->ops = ops;
	r->ctx = ctx;
	memcpy(r->self, self, WIRE_KEY_LEN);
	*out = r;
	return 0;
}

static void
unref(struct router *r, uint64_t blk)
{
	if (blk && r->ops->blk_unref)
		r->ops->blk_unref(r->ctx, blk);
}

static void
ref(struct router *r, uint64_t blk)
{
	if (blk && r->ops->blk_ref)
		r->ops->blk_ref(r->ctx, blk);
}

static void
req_free(struct router *r, struct rreq *q)
{
	unref(r, q->blk);
	free(q);
}

void
router_free(struct router *r)
{
	unsigned i;

	if (!r)
		return;
	for (i = 0; i < r->nreq; i++)
		req_free(r, r->reqs[i]);
	while (r->act_n) { /* actions never polled still hold references */
		unref(r, r->act[r->act_head].blk);
		r->act_head = (r->act_head + 1) % r->act_cap;
		r->act_n--;
	}
	free(r->act);
	free(r->reqs);
	for (i = 0; i < r->npeers; i++)
		free(r->peers[i].foaf);
	free(r->peers);
	free(r->rt);
	free(r->self_ref);
	free(r);
}

void router_stats(const struct router *r, struct router_stats *st) { *st = r->st; }
unsigned router_inflight(const struct router *r) { return r->nreq; }

/* ---- small helpers ---- */

static uint64_t
rand64(struct router *r)
{
	uint64_t v;

	r->ops->rand(r->ctx, &v, sizeof(v));
	return v;
}

static unsigned
rand_pct(struct router *r)
{
	return (unsigned)(rand64(r) % 100);
}

static struct router_action *
emit(struct router *r, enum router_act_type t)
{
	struct router_action *a = &r->act[(r->act_head + r->act_n) % r->act_cap];

	r->act_n++;
	memset(a, 0, sizeof(*a));
	a->type = t;
	a->found_htl = -1;
	return a;
}

/* Every event needs room for its worst case before it starts, so an event
 * is handled whole or not at all. */
int
rtr_room(struct router *r)
{
	unsigned need = r->act_n + ROUTER_WAITERS_MAX + 4, cap, i;
	struct router_action *n;

	if (need <= r->act_cap)
		return 1;
	if (need > ROUTER_ACTIONS_MAX)
		return 0;
	/* Most routers never need more than a few: a simulation holds a
	 * million of them. */
	cap = r->act_cap ? r->act_cap * 2 : 16;
	if (cap < need)
		cap = need;
	if (cap > ROUTER_ACTIONS_MAX)
		cap = ROUTER_ACTIONS_MAX;
	if (!(n = malloc(cap * sizeof(*n))))
		return 0;
	for (i = 0; i < r->act_n; i++)
		n[i] = r->act[(r->act_head + i) % r->act_cap];
	free(r->act);
	r->act = n;
	r->act_cap = cap;
	r->act_head = 0;
	return 1;
}

int
router_poll(struct router *r, struct router_action *a)
{
	if (!r->act_n)
		return 0;
	*a = r->act[r->act_head];
	r->act_head = (r->act_head + 1) % r->act_cap;
	r->act_n--;
	return 1;
}

static struct router_action *
send_msg(struct router *r, uint32_t peer, uint8_t type, uint64_t id, uint8_t htl, const uint8_t *key,
    uint64_t blk, const uint8_t *source)
{
	struct router_action *a = emit(r, ROUTER_ACT_SEND);

	a->peer = peer;
	a->msg.type = type;
	a->msg.id = id;
	a->msg.htl = htl;
	memcpy(a->msg.key, key, WIRE_KEY_LEN);
	if (source)
		memcpy(a->msg.source, source, WIRE_KEY_LEN);
	if (wire_has_block(type)) {
		a->msg.blk = a->blk = blk;
		ref(r, blk);
	}
	return a;
}

static void
set_ref(struct wire_msg *m, const uint8_t *ref, uint8_t len)
{
	m->ref_len = len;
	if (len)
		memcpy(m->ref, ref, len);
}

static void
store_put(struct router *r, const uint8_t *key, uint64_t blk, enum router_part part)
{
	struct router_action *a;

	if (r->observe)
		return;
	a = emit(r, ROUTER_ACT_STORE_PUT);

	memcpy(a->key, key, WIRE_KEY_LEN);
	a->blk = blk;
	a->part = part;
	ref(r, blk);
	r->st.cached++;
}

struct rpeer *
rtr_peer(struct router *r, uint32_t id)
{
	unsigned i;

	for (i = 0; i < r->npeers; i++)
		if (r->peers[i].id == id)
			return &r->peers[i];
	return NULL;
}


/* ---- loops: ids of requests in progress, a keep's keys ---- */

/* in_progress: is |id| the id of a request in progress here, as one of
 * its requesters knows it or as we sent it on? Only those are loops: the
 * ids of finished requests are not kept (Tian and Duan's traceback attack
 * on Freenet read them; Hyphanet stopped keeping them in build 1411). */
static int
in_progress(const struct router *r, uint64_t id)
{
	unsigned i, j;

	for (i = 0; i < r->nreq; i++) {
		const struct rreq *q = r->reqs[i];
		if (q->id_out == id)
			return 1;
		for (j = 0; j < q->nwait; j++)
			if (q->w[j].peer != ROUTER_LOCAL && q->w[j].id == id)
				return 1;
	}
	return 0;
}

/* keep_out: is a keep's probe (a request) or repair (an insert) of
 * |key| out from here, which left without asking this node's store? Ours
 * come round again under the id replaced on the way, and must not find
 * that store: a probe answered from it told the keeper the network holds
 * what only the keeper holds; a repair ended in the store it came from. */
static int
keep_out(const struct router *r, uint8_t type, const uint8_t *key)
{
	unsigned i;

	for (i = 0; i < r->nreq; i++)
		if (r->reqs[i]->out && r->reqs[i]->type == type && !memcmp(r->reqs[i]->key, key, WIRE_KEY_LEN))
			return 1;
	return 0;
}

/* ---- requests ---- */

static struct rreq *
req_new(struct router *r, uint8_t type, const uint8_t *key)
{
	struct rreq *q;

	if (r->nreq == r->capreq) {
		unsigned cap = r->capreq ? r->capreq * 2 : 4;
		struct rreq **n = realloc(r->reqs, cap * sizeof(*n));
		if (!n)
			return NULL;
		r->reqs = n;
		r->capreq = cap;
	}
	if (!(q = calloc(1, sizeof(*q))))
		return NULL;
	q->type = type;
	memcpy(q->key, key, WIRE_KEY_LEN);
	q->to = ROUTER_LOCAL;
	r->reqs[r->nreq++] = q;
	return q;
}

void
rtr_req_end(struct router *r, struct rreq *q)
{
	unsigned i;

	for (i = 0; i < q->nwait; i++) {
		struct rpeer *p = q->w[i].peer == ROUTER_LOCAL ? NULL : rtr_peer(r, q->w[i].peer);
		if (p && p->from_inflight)
			p->from_inflight--;
	}
	for (i = 0; i < r->nreq; i++)
		if (r->reqs[i] == q) {
			r->reqs[i] = r->reqs[--r->nreq];
			break;
		}
	req_free(r, q);
}

static struct rreq *
req_by_out(struct router *r, uint64_t id, uint32_t peer)
{
	unsigned i;

	for (i = 0; i < r->nreq; i++)
		if (r->reqs[i]->id_out == id && r->reqs[i]->to == peer && r->reqs[i]->state == RS_FORWARDED)
			return r->reqs[i];
	return NULL;
}

/* answer tells every waiter how the request ended, then forgets it.
 * |src| is the data source a DATA names, with the link it offers. */
struct source {
	const uint8_t *loc, *ref;
	uint8_t ref_len;
};

/* A reply's distance count: what travels back in a DataReply, Collision
 * or InsertReply's HTL field. It starts at 0 where the path ends and each
 * node sending the reply on adds a random 0..2 (mean 1), so the requester
 * gets an estimate of the links to the holder, while a node receiving a
 * count cannot tell whether its neighbour held the block: a holder sends
 * 0, 1 or 2, and so does a relay one short of it. (It carried the HTL the
 * data was found at, unchanged: the HTL a node had sent, coming back, named
 * its neighbour as the holder.) */
static uint8_t
count_on(struct router *r, uint8_t count)
{
	unsigned c = count + (unsigned)(rand64(r) % 3);

	return (uint8_t)(c > 254 ? 254 : c);
}

static int
counted(uint8_t type)
{
	return type == WIRE_DATA || type == WIRE_COLLISION || type == WIRE_INSERT_REPLY;
}

/* answer ends |q| with |type| to every requester. |htl|: for the replies
 * that carry a distance count, the count received (0 where the path ends
 * here); for RouteNotFound, the HTL the branch left. */
static void
answer(struct router *r, struct rreq *q, uint8_t type, uint8_t htl, uint64_t blk, const struct source *from)
{
	static const enum router_status local[] = {
		[WIRE_DATA] = ROUTER_FOUND, [WIRE_INSERT_REPLY] = ROUTER_INSERTED,
		[WIRE_COLLISION] = ROUTER_COLLISION, [WIRE_DATA_NOT_FOUND] = ROUTER_DATA_NOT_FOUND,
		[WIRE_ROUTE_NOT_FOUND] = ROUTER_ROUTE_NOT_FOUND, [WIRE_REJECTED_OVERLOAD] = ROUTER_OVERLOADED,
	};
	struct source self = { r->self, r->self_ref, r->self_ref_len }, src = from ? *from : self;
	unsigned i;

	/* The holder is hidden: sometimes we claim the data came from us. A
	 * darknet node names itself but offers no link, so it also hides an
	 * opennet holder's offer. */
	if (type == WIRE_DATA && rand_pct(r) < r->cfg.source_rewrite_pct)
		src = self;
	for (i = 0; i < q->nwait; i++) {
		if (q->w[i].peer == ROUTER_LOCAL) {
			struct router_action *a = emit(r, ROUTER_ACT_ANSWER);
			a->req = q->w[i].req;
			a->status = local[type];
			a->htl = q->here || q->kept ? ROUTER_HTL_HERE : htl;
			memcpy(a->key, q->key, WIRE_KEY_LEN);
			if (wire_has_block(type)) {
				a->blk = blk;
				ref(r, blk);
			}
		} else {
			uint8_t h = counted(type) ? count_on(r, htl) : htl;
			struct router_action *a = send_msg(r, q->w[i].peer, type, q->w[i].id, h, q->key, blk, src.loc);
			if (type == WIRE_DATA)
				set_ref(&a->msg, src.ref, src.ref_len);
			if (q->here)
				a->found_htl = (int)q->htl_in;
		}
	}
	rtr_req_end(r, q);
}

/* end_of_path: an insert that can go no further is kept here. */
static void
end_of_path(struct router *r, struct rreq *q)
{
	store_put(r, q->key, q->blk, ROUTER_PART_STORE);
	q->kept = 1;
	answer(r, q, WIRE_INSERT_REPLY, 0, 0, NULL);
}

void
rtr_route(struct router *r, struct rreq *q, uint64_t now)
{
	struct rpeer *p;

	if (q->htl == 0) {
		if (q->type == WIRE_INSERT)
			end_of_path(r, q);
		else
			answer(r, q, WIRE_DATA_NOT_FOUND, 0, 0, NULL);
		return;
	}
	if (!(p = rt_closest(r, q))) {
		if (q->type == WIRE_INSERT)
			end_of_path(r, q);
		else
			answer(r, q, WIRE_ROUTE_NOT_FOUND, q->htl, 0, NULL);
		return;
	}
	mark(q, peer_slot(r, p));
	q->to = p->id;
	q->state = RS_FORWARDED;
	q->deadline = now + (uint64_t)r->cfg.hop_timeout_ms * (q->htl + 1u);
	send_msg(r, p->id, q->type, q->id_out, q->htl, q->key, q->blk, NULL);
	r->st.forwarded++;
}

/* next_htl: Hyphanet's probabilistic decrement at the top and the bottom,
 * decided per link so a peer cannot tell if its neighbour originated. */
static uint8_t
next_htl(const struct router *r, const struct rpeer *from, uint8_t htl)
{
	if (!from)
		return r->cfg.htl_max; /* local: the first hop decides */
	if (htl >= r->cfg.htl_max)
		return from->decr_max ? r->cfg.htl_max - 1 : r->cfg.htl_max;
	if (htl == 1)
		return from->decr_min ? 0 : 1;
	return htl ? htl - 1 : 0;
}

static void
reject(struct router *r, uint32_t peer, const struct wire_msg *m, uint8_t type)
{
	send_msg(r, peer, type, m->id, m->htl, m->key, 0, NULL);
}

/* outranks: may a request arriving with |htl| under |id| join |o|? Only
 * if (htl, id) is above (the HTL o was sent on with, the id o was sent
 * under), compared in that order. A forward never raises that pair (the
 * HTL falls or stays, and the id changes only where the HTL falls) and a
 * join strictly lowers it, so around a cycle of waits it could not come
 * back: docs/routing.md, "Coalescing and overload". */
static int
outranks(uint8_t htl, uint64_t id, const struct rreq *o)
{
	return htl > o->htl || (htl == o->htl && id > o->id_out);
}

static int
on_request(struct router *r, uint32_t from, const struct wire_msg *m, uint64_t now)
{
	struct rpeer *p = rtr_peer(r, from);
	uint8_t htl = m->htl > r->cfg.htl_max ? r->cfg.htl_max : m->htl;
	struct rreq *q;
	unsigned i;

	if (!p)
		return 0;
	if (m->type == WIRE_ANNOUNCE && htl > r->cfg.announce_htl)
		htl = r->cfg.announce_htl; /* a newcomer reaches so far and no farther */
	if (in_progress(r, m->id) || (m->type == WIRE_INSERT && keep_out(r, WIRE_INSERT, m->key))) {
		r->st.rejected_loop++;
		reject(r, from, m, WIRE_REJECTED_LOOP);
		return 0;
	}
	if (r->nreq >= r->cfg.inflight_max || p->from_inflight >= r->cfg.inflight_per_peer) {
		r->st.rejected_overload++;
		reject(r, from, m, WIRE_REJECTED_OVERLOAD);
		return 0;
	}
	/* Coalesce a request for a key already on its way if it outranks ours
	 * (outranks, above): no chain of requests waiting on each other can
	 * then close into a cycle (two friends each joining the other's
	 * request waited out the hop deadline; docs/routing.md). One that does
	 * not is routed on its own, as for a key not in flight: refusing it
	 * told a neighbour off the path which keys this node was fetching.
	 * (It may be ours come round again under an id replaced on the way;
	 * HTL ends it.) */
	for (i = 0; m->type == WIRE_REQUEST && i < r->nreq; i++) {
		struct rreq *o = r->reqs[i];
		if (o->type != WIRE_REQUEST || memcmp(o->key, m->key, WIRE_KEY_LEN) != 0 ||
		    o->nwait == ROUTER_WAITERS_MAX || !outranks(htl, m->id, o))
			continue;
		o->w[o->nwait++] = (struct waiter){ from, m->id, 0 };
		p->from_inflight++;
		mark(o, peer_slot(r, p)); /* never route back to a waiter */
		r->st.coalesced++;
		return 0;
	}
	if (!(q = req_new(r, m->type, m->key)))
		return WISP_ERR_NOMEM;
	q->w[q->nwait++] = (struct waiter){ from, m->id, 0 };
	p->from_inflight++;
	mark(q, peer_slot(r, p));
	q->htl_in = htl;
	q->htl = next_htl(r, p, htl);
	/* Replace the id at an early hop (Tian and Duan's traceback attack
	 * used Freenet's stable ids): at the one hop where HTL first drops
	 * below the maximum, which the per-link coin makes a random one.
	 * Exactly one node per path changes it and knows both while the
	 * request is in progress, so a loop is caught by its id at every
	 * node it comes back to before it ends there. */
	q->id_out = m->id;
	if (htl >= r->cfg.htl_max && q->htl < r->cfg.htl_max)
		q->id_out = rand64(r);
	if (m->type == WIRE_INSERT) {
		q->blk = m->blk;
		ref(r, m->blk);
		r->st.inserts++;
	} else if (m->type == WIRE_ANNOUNCE) {
		/* No store holds a location: straight on. */
		r->st.announces++;
		rtr_route(r, q, now);
		return 0;
	} else {
		r->st.requests++;
		if (keep_out(r, WIRE_REQUEST, q->key)) {
			/* routed on as by a node that lacks it; it was not
			 * coalesced (below the probe's HTL it never outranks it) */
			rtr_route(r, q, now);
			return 0;
		}
	}
	q->state = RS_STORE;
	q->token = ++r->next_token;
	{
		struct router_action *a = emit(r, ROUTER_ACT_STORE_GET);
		a->token = q->token;
		memcpy(a->key, q->key, WIRE_KEY_LEN);
	}
	return 0;
}

static struct rreq *
req_by_token(struct router *r, uint64_t token)
{
	unsigned i;

	for (i = 0; i < r->nreq; i++)
		if (r->reqs[i]->token == token && r->reqs[i]->state == RS_STORE)
			return r->reqs[i];
	return NULL;
}

int
router_on_store(struct router *r, uint64_t token, int found, uint64_t blk, uint64_t now)
{
	struct rreq *q;

	if (!rtr_room(r))
		return WISP_ERR_FULL;
	if (!(q = req_by_token(r, token)))
		return 0;
	if (found) {
		r->st.found_local++;
		q->here = 1;
		if (q->type == WIRE_INSERT) {
			store_put(r, q->key, blk, ROUTER_PART_STORE); /* it is wanted: keep it */
			answer(r, q, WIRE_COLLISION, 0, blk, NULL);
		} else {
			answer(r, q, WIRE_DATA, 0, blk, NULL);
		}
		return 0;
	}
	rtr_route(r, q, now);
	return 0;
}

/* ---- replies ---- */

/* offer passes a link offered to an announcement on toward the newcomer. */
static void
offer(struct router *r, struct rreq *q, const struct wire_msg *m)
{
	unsigned i;

	for (i = 0; i < q->nwait; i++) {
		struct router_action *a;
		if (q->w[i].peer == ROUTER_LOCAL) {
			a = emit(r, ROUTER_ACT_OFFER);
			a->req = q->w[i].req;
		} else {
			a = send_msg(r, q->w[i].peer, WIRE_ANNOUNCE_REPLY, q->w[i].id, m->htl, q->key, 0, NULL);
		}
		set_ref(&a->msg, m->ref, m->ref_len);
	}
}

/* delivered: |from| just brought data we asked for (a sign of a useful
 * peer), naming a source that may offer a link (path folding). */
static void
delivered(struct router *r, uint32_t from, const struct wire_msg *m)
{
	struct router_action *a;

	if (r->observe)
		return;
	a = emit(r, ROUTER_ACT_DELIVERED);
	a->peer = from;
	set_ref(&a->msg, m->ref, m->ref_len);
}

/* on_reply: an answer from the peer we forwarded |q| to. */
static void
on_reply(struct router *r, struct rreq *q, uint32_t from, const struct wire_msg *m, uint64_t now)
{
	if (q->type == WIRE_ANNOUNCE && wire_has_block(m->type))
		m = NULL; /* no block answers a location */
	else if (m->type == WIRE_ANNOUNCE_REPLY && q->type != WIRE_ANNOUNCE)
		m = NULL;
	switch (m ? m->type : 0) {
	case WIRE_ANNOUNCE_REPLY:
		offer(r, q, m);
		return; /* more may come: the announcement goes on */
	case WIRE_DATA:
	case WIRE_COLLISION:
		if (learn(r, q->key, from) != 0)
			break;
		if (m->type == WIRE_DATA && q->type == WIRE_REQUEST)
			delivered(r, from, m);
		/* Reverse-path caching, but not next to the requester: its
		 * store must not tell what its user fetched. */
		if (q->htl_in + 2u <= r->cfg.htl_max)
			store_put(r, q->key, m->blk, ROUTER_PART_CACHE);
		{
			struct source src = { m->source, m->ref, m->ref_len };
			answer(r, q, q->type == WIRE_INSERT ? WIRE_COLLISION : WIRE_DATA, m->htl, m->blk, &src);
		}
		return;
	case WIRE_INSERT_REPLY:
		if (q->type != WIRE_INSERT)
			break;
		(void)learn(r, q->key, from);
		if (q->htl_in + 3u <= r->cfg.htl_max)
			store_put(r, q->key, q->blk, ROUTER_PART_CACHE);
		answer(r, q, WIRE_INSERT_REPLY, m->htl, 0, NULL);
		return;
	case WIRE_DATA_NOT_FOUND:
		answer(r, q, WIRE_DATA_NOT_FOUND, 0, 0, NULL);
		return;
	case WIRE_ROUTE_NOT_FOUND:
		/* Backtrack with what HTL the branch left over. */
		if (m->htl < q->htl)
			q->htl = m->htl;
		r->st.backtracks++;
		rtr_route(r, q, now);
		return;
	case WIRE_REJECTED_LOOP:
	case WIRE_REJECTED_OVERLOAD:
		r->st.backtracks++;
		rtr_route(r, q, now);
		return;
	}
	/* A reply that makes no sense for this request: treat as a failure. */
	r->st.backtracks++;
	rtr_route(r, q, now);
}

int
router_on_msg(struct router *r, uint32_t from, const struct wire_msg *m, uint64_t now)
{
	struct rreq *q;

	if (!rtr_room(r))
		return WISP_ERR_FULL;
	if (m->type == WIRE_REQUEST || m->type == WIRE_INSERT || m->type == WIRE_ANNOUNCE) {
		if (m->type == WIRE_INSERT && !m->blk)
			return WISP_ERR_INVAL;
		return on_request(r, from, m, now);
	}
	if (!(q = req_by_out(r, m->id, from)) || memcmp(q->key, m->key, WIRE_KEY_LEN) != 0)
		return 0; /* late, or not ours: ignore */
	if (wire_has_block(m->type) && !m->blk)
		return WISP_ERR_INVAL;
	on_reply(r, q, from, m, now);
	return 0;
}

/* ---- local requests ---- */

/* local starts a request of this node's own; with |out| its store is not
 * asked first (router_local_probe, router_local_reinsert). */
static int
local(struct router *r, uint8_t type, const uint8_t *key, uint64_t blk, uint64_t now, uint64_t *req, int out)
{
	struct rreq *q;
	unsigned i;

	if (!rtr_room(r))
		return WISP_ERR_FULL;
	*req = ++r->next_req;
	/* Two local gets of one key share one request. */
	for (i = 0; type == WIRE_REQUEST && i < r->nreq; i++) {
		struct rreq *o = r->reqs[i];
		if (o->type == WIRE_REQUEST && o->out == out && !memcmp(o->key, key, WIRE_KEY_LEN) &&
		    o->nwait < ROUTER_WAITERS_MAX) {
			o->w[o->nwait++] = (struct waiter){ ROUTER_LOCAL, 0, *req };
			r->st.coalesced++;
			return 0;
		}
	}
	if (r->nreq >= r->cfg.inflight_max) {
		struct router_action *a = emit(r, ROUTER_ACT_ANSWER);
		a->req = *req;
		a->status = ROUTER_OVERLOADED;
		memcpy(a->key, key, WIRE_KEY_LEN);
		return 0;
	}
	if (!(q = req_new(r, type, key)))
		return WISP_ERR_NOMEM;
	q->w[q->nwait++] = (struct waiter){ ROUTER_LOCAL, 0, *req };
	q->htl_in = q->htl = r->cfg.htl_max;
	q->id_out = rand64(r);
	if (type == WIRE_ANNOUNCE) {
		q->htl_in = q->htl = r->cfg.announce_htl;
		r->st.announces++;
		rtr_route(r, q, now);
		return 0;
	}
	if (type == WIRE_INSERT) {
		/* Our own store is asked first too: a name already taken here
		 * is a collision like anywhere else. */
		q->blk = blk;
		ref(r, blk);
	}
	if ((q->out = out)) {
		rtr_route(r, q, now);
		return 0;
	}
	q->state = RS_STORE;
	q->token = ++r->next_token;
	{
		struct router_action *a = emit(r, ROUTER_ACT_STORE_GET);
		a->token = q->token;
		memcpy(a->key, key, WIRE_KEY_LEN);
	}
	return 0;
}

int
router_local_get(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t now, uint64_t *req)
{
	return local(r, WIRE_REQUEST, key, 0, now, req, 0);
}

int
router_local_probe(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t now, uint64_t *req)
{
	return local(r, WIRE_REQUEST, key, 0, now, req, 1);
}

int
router_local_announce(struct router *r, const uint8_t loc[static WIRE_KEY_LEN], uint64_t now, uint64_t *req)
{
	return local(r, WIRE_ANNOUNCE, loc, 0, now, req, 0);
}

int
router_set_ref(struct router *r, const uint8_t *ref, size_t len)
{
	uint8_t *c = NULL;

	if (len > WIRE_REF_MAX)
		return WISP_ERR_INVAL;
	if (len && !(c = malloc(len)))
		return WISP_ERR_NOMEM;
	if (len)
		memcpy(c, ref, len);
	free(r->self_ref);
	r->self_ref = c;
	r->self_ref_len = (uint8_t)len;
	return 0;
}

int
router_local_put(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t blk, uint64_t now,
    uint64_t *req)
{
	if (!blk)
		return WISP_ERR_INVAL;
	return local(r, WIRE_INSERT, key, blk, now, req, 0);
}

int
router_local_reinsert(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint64_t blk, uint64_t now,
    uint64_t *req)
{
	if (!blk)
		return WISP_ERR_INVAL;
	return local(r, WIRE_INSERT, key, blk, now, req, 1);
}

/* ---- peers ---- */

/* rtr_busy: is peer |id| part of a request in progress? */
int
rtr_busy(const struct router *r, uint32_t id)
{
	unsigned i, j;

	for (i = 0; i < r->nreq; i++) {
		if (r->reqs[i]->state == RS_FORWARDED && r->reqs[i]->to == id)
			return 1;
		for (j = 0; j < r->reqs[i]->nwait; j++)
			if (r->reqs[i]->w[j].peer == id)
				return 1;
	}
	return 0;
}

/* evict makes room for a new peer: the least useful one not in any
 * request goes (a peer that is down first, then the one fewest routing
 * entries name), with its entries. Its slot is reused in place, so the
 * tried-bits of requests in progress keep their meaning once that slot's
 * bit is cleared. NULL if every peer is busy. */
static struct rpeer *
evict(struct router *r)
{
	struct rpeer *v = NULL;
	unsigned i, slot;

	for (i = 0; i < r->npeers; i++) {
		struct rpeer *p = &r->peers[i];
		if (rtr_busy(r, p->id))
			continue;
		if (!v || (!p->up && v->up) || (p->up == v->up && p->refs < v->refs))
			v = p;
	}
	if (!v)
		return NULL;
	slot = peer_slot(r, v);
	for (i = 0; i < r->nrt;) {
		if (r->rt[i].slot == slot)
			r->rt[i] = r->rt[--r->nrt];
		else
			i++;
	}
	r->st.evicted++;
	for (i = 0; i < r->nreq; i++)
		r->reqs[i]->tried[slot / 8] &= (uint8_t)~(1u << (slot % 8));
	free(v->foaf);
	return v;
}

/* learn files |key| under peer |id| (a peer not known yet is recorded,
 * down, until its link comes up: a table loaded at start names friends
 * before they connect). */
static int
learn(struct router *r, const uint8_t *key, uint32_t id)
{
	struct rpeer *p;

	if (r->observe)
		return 0;
	if (!(p = rtr_peer(r, id)) && !(p = rtr_peer_add(r, id)))
		return WISP_ERR_FULL;
	return rt_learn(r, key, p);
}

int
router_rtable_learn(struct router *r, const uint8_t key[static WIRE_KEY_LEN], uint32_t peer)
{
	return learn(r, key, peer);
}

/* rtr_peer_add records peer |id|, down and without a location: in a free
 * slot, or in the slot of the least useful peer. NULL if neither. */
struct rpeer *
rtr_peer_add(struct router *r, uint32_t id)
{
	struct rpeer *p;

	if (r->npeers == ROUTER_PEERS_MAX) {
		if (!(p = evict(r)))
			return NULL;
	} else {
		if (r->npeers == r->cappeers) {
			unsigned cap = r->cappeers ? r->cappeers * 2 : 8;
			struct rpeer *n = realloc(r->peers, cap * sizeof(*n));
			if (!n)
				return NULL;
			r->peers = n;
			r->cappeers = cap;
		}
		p = &r->peers[r->npeers++];
	}
	memset(p, 0, sizeof(*p));
	p->id = id;
	return p;
}

/* ---- the timer ---- */

uint64_t
router_next_deadline(const struct router *r)
{
	uint64_t d = UINT64_MAX;
	unsigned i;

	for (i = 0; i < r->nreq; i++)
		if (r->reqs[i]->state == RS_FORWARDED && r->reqs[i]->deadline < d)
			d = r->reqs[i]->deadline;
	return d;
}

int
router_on_timer(struct router *r, uint64_t now)
{
	unsigned i;

	for (i = 0; i < r->nreq;) {
		struct rreq *q = r->reqs[i];
		if (q->state == RS_FORWARDED && q->deadline <= now) {
			if (!rtr_room(r))
				return WISP_ERR_FULL;
			r->st.timeouts++;
			r->st.backtracks++;
			rtr_route(r, q, now); /* may end q: look at slot i again */
			if (i < r->nreq && r->reqs[i] == q)
				i++;
			continue;
		}
		i++;
	}
	return 0;
}
