/* Reaching friends behind home routers (docs/protocol.md, "Reaching
 * friends behind routers"): this node's public address, learnt from what
 * its peers see; its addresses told to friends when a link comes up or
 * they change; and meetings, where a peer linked to two friends that
 * cannot dial each other tells each where the other's link comes from,
 * and both dial at once through their routers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "node/base/addr.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/frame.h"
#include "node/core/natmsg.h"
#include "node/link/link.h"
#include "node/link/nat.h"
#include "node/link/peers.h"

enum nat_limits {
	VOTES_MAX = 8,            /* candidate public addresses */
	VOTERS_MAX = 4,
	VOTES_AGREE = 2,          /* peers that must agree on an address */
	VOTE_TTL_MS = 3600 * 1000,
	MEETINGS_MAX = 32,        /* meetings this node helps with at once */
	MEETING_MS = 10000,       /* a called friend answers within this */
	ASK_FIRST_MS = 15000,     /* a friend unreachable asks again after this, */
	ASK_MAX_MS = 600000,      /* doubling up to this */
	ASK_ANSWER_MS = 30000,    /* a GO is taken this long after our ask */
	ASK_PEERS = 8,            /* peers asked at once */
	ASK_RATE = 1000,          /* asks and calls a peer may send us, a second (thousandths) */
	ASK_BURST = 16000,
	PUNCH_PER_PEER = 2,
	NAT_TICK_MS = 2000,
	RELAYS_MAX = 16,          /* circuits this node carries for others */
	RELAYS_PER_PEER = 2,
	ENDS_MAX = 16,            /* relayed links of our own */
	RELAY_RETRY_MS = 60000,
	RELAY_BUFFER_MAX = 2 * RELAY_WINDOW, /* a sender past its window is cut */
};

struct vote {
	struct noderef_addr addr;
	uint8_t voters[VOTERS_MAX][8]; /* key prefixes of the peers that saw it */
	unsigned nvoters;
	uint64_t last;
};

struct meeting {
	uint8_t asker[32], target[32];
	uint64_t expires;
};

/* At a helper: a circuit between two peers linked here. */
struct relay {
	uint32_t a_rid, b_rid, a_circ, b_circ;
	int used;
};

/* At either end: our end of the socketpair whose other end a link runs
 * on, and the circuit through the helper that carries its bytes. */
struct relay_end {
	struct node *n;
	struct bufferevent *bev;
	uint32_t via_rid, circ, peer_rid;
	uint64_t unacked;         /* sent to the helper, not yet acknowledged */
	uint64_t written, acked;  /* received into the pair; acknowledged */
	int used;
};

struct nat_state {
	struct vote votes[VOTES_MAX];
	struct meeting meet[MEETINGS_MAX];
	struct relay relays[RELAYS_MAX];
	struct relay_end ends[ENDS_MAX];
	uint32_t next_circ;
	struct event *tick;
};

static struct log_rate claim_rate, ask_rate, relay_rate;

static int
same_addr(const struct noderef_addr *a, const struct noderef_addr *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static void
fmt(const struct noderef_addr *a, char out[64])
{
	if (noderef_addr_format(a, out, 64) != 0)
		snprintf(out, 64, "?");
}

static int
send_nat(struct peer *p, const struct nat_msg *m)
{
	uint8_t buf[NAT_MSG_MAX];
	size_t len;

	if (!p->link || !link_is_up(p->link) || natmsg_encode(m, buf, sizeof(buf), &len) != 0)
		return -1;
	return link_send(p->link, FRAME_NAT, buf, len);
}

/* addrs_msg: where this node can be dialled now, as an ADDRS record;
 * naddr 0 if it knows no address. */
static void
addrs_msg(const struct node *n, struct nat_msg *m)
{
	struct noderef ref;
	unsigned i;

	memset(m, 0, sizeof(*m));
	m->kind = NAT_ADDRS;
	peers_self(n, &ref);
	for (i = 0; i < ref.naddr; i++)
		m->addr[m->naddr++] = ref.addr[i];
}

static void
tell_addrs(struct node *n, struct peer *p)
{
	struct nat_msg m;

	addrs_msg(n, &m);
	if (m.naddr)
		(void)send_nat(p, &m);
}

static void
tell_friends(struct node *n)
{
	struct nat_msg m;
	unsigned i;

	addrs_msg(n, &m); /* once: it reads the interfaces */
	for (i = 0; m.naddr && i < n->npeers; i++)
		if (!n->peers[i]->opennet)
			(void)send_nat(n->peers[i], &m);
}

/* ---- this node's public address ---- */

/* adopt makes |a| this node's public address of its family: a router has
 * one address outside, so a new one replaces the old. */
static void
adopt(struct node *n, const struct noderef_addr *a, unsigned voters)
{
	char s[64];
	unsigned i;

	for (i = 0; i < n->npublic; i++)
		if (n->public_addr[i].family == a->family)
			break;
	if (i < n->npublic && same_addr(&n->public_addr[i], a))
		return;
	if (i == n->npublic) {
		if (n->npublic == NODE_PUBLIC_MAX)
			return;
		n->npublic++;
	}
	n->public_addr[i] = *a;
	fmt(a, s);
	log_info("this node's public address is %s (seen by %u peers): telling friends", vault_shown(n, s), voters);
	tell_friends(n);
}

static void
nat_observed(struct node *n, struct peer *p, const struct noderef_addr *me)
{
	struct nat_state *st = n->nat;
	uint64_t now = node_now_ms();
	struct vote *v = NULL, *oldest = &st->votes[0];
	char s[64];
	unsigned i;

	if (addr_scope(me) != SCOPE_GLOBAL) {
		/* Behind a router a friend on the same network sees a private
		 * address; only a public node is told something false. */
		if (n->reached_outside || n->npublic) {
			fmt(me, s);
			log_ratelim(&claim_rate, 6, "a peer says this node is at %s: not a public address, ignored", s);
		}
		return;
	}
	for (i = 0; i < VOTES_MAX; i++) {
		struct vote *x = &st->votes[i];
		if (x->nvoters && now - x->last > VOTE_TTL_MS)
			memset(x, 0, sizeof(*x));
		if (x->nvoters && same_addr(&x->addr, me))
			v = x;
		if (x->last < oldest->last)
			oldest = x;
	}
	if (!v) {
		v = oldest;
		memset(v, 0, sizeof(*v));
		v->addr = *me;
	}
	v->last = now;
	for (i = 0; i < v->nvoters; i++)
		if (memcmp(v->voters[i], p->pub, 8) == 0)
			break;
	if (i == v->nvoters && v->nvoters < VOTERS_MAX)
		memcpy(v->voters[v->nvoters++], p->pub, 8);
	if (v->nvoters >= VOTES_AGREE)
		adopt(n, &v->addr, v->nvoters);
}

unsigned
nat_voters(const struct node *n, const struct noderef_addr *a)
{
	unsigned i;

	if (!n->nat)
		return 0;
	for (i = 0; i < VOTES_MAX; i++)
		if (n->nat->votes[i].nvoters && same_addr(&n->nat->votes[i].addr, a))
			return n->nat->votes[i].nvoters;
	return 0;
}

/* ---- meetings ---- */

/* take_ask: may |p| send one more ask or call? A flood is dropped, not
 * punished: a busy friend asks often. */
static int
take_ask(struct peer *p)
{
	uint64_t now = node_now_ms();

	if (!p->meet_ms)
		p->meet_bucket = ASK_BURST;
	else
		p->meet_bucket += (now - p->meet_ms) * ASK_RATE / 1000;
	if (p->meet_bucket > ASK_BURST)
		p->meet_bucket = ASK_BURST;
	p->meet_ms = now;
	if (p->meet_bucket < 1000) {
		log_ratelim(&ask_rate, 6, "a peer asks for meetings too fast: dropped");
		return 0;
	}
	p->meet_bucket -= 1000;
	return 1;
}

static int
linked(const struct peer *p)
{
	return p && p->link && link_is_up(p->link);
}

/* dialable: may a meeting send us to |a|, as told by |via|? A public
 * address, or one on a network the helper shares with us (a friend on
 * this LAN or this machine). */
static int
dialable(const struct noderef_addr *a, const struct peer *via)
{
	enum addr_scope s = addr_scope(a), vs = addr_scope(&via->seen_at);

	if (s == SCOPE_GLOBAL)
		return 1;
	return (s == SCOPE_PRIVATE || s == SCOPE_LOOPBACK) && s == vs;
}

/* on_ask: |p| cannot reach |m->key|; if that node is linked here, ask it
 * whether it will meet |p|. */
static void
on_ask(struct node *n, struct peer *p, const struct nat_msg *m)
{
	struct nat_state *st = n->nat;
	struct nat_msg call = { .kind = NAT_CALL, .naddr = 1 };
	struct peer *t = peers_find(n, m->key);
	uint64_t now = node_now_ms();
	struct meeting *slot = NULL;
	unsigned i;

	if (!take_ask(p) || !linked(t) || t == p || !p->seen_at.port)
		return;
	for (i = 0; i < MEETINGS_MAX; i++) {
		struct meeting *x = &st->meet[i];
		if (x->expires > now && !memcmp(x->asker, p->pub, 32) && !memcmp(x->target, t->pub, 32))
			return; /* called already */
		if (x->expires <= now && !slot)
			slot = x;
	}
	if (!slot)
		return;
	memcpy(slot->asker, p->pub, 32);
	memcpy(slot->target, t->pub, 32);
	slot->expires = now + MEETING_MS;
	memcpy(call.key, p->pub, 32);
	call.addr[0] = p->seen_at;
	(void)send_nat(t, &call);
}

/* on_call: helper |h| says friend |m->key| wants to meet us from
 * |m->addr|. Only a friend of ours gets our answer (and so our address). */
static void
on_call(struct node *n, struct peer *h, const struct nat_msg *m)
{
	struct nat_msg ok = { .kind = NAT_ACCEPT };
	struct peer *f = peers_find(n, m->key);

	if (!take_ask(h) || !f || f->opennet || f == h || linked(f) || !dialable(&m->addr[0], h) ||
	    f->punching >= PUNCH_PER_PEER)
		return;
	memcpy(ok.key, f->pub, 32);
	if (send_nat(h, &ok) != 0)
		return;
	f->why_down = "meeting it through a mutual friend";
	(void)link_punch(n, f, &m->addr[0]);
}

/* on_accept: |t| will meet the asker: tell the asker where |t| is. */
static void
on_accept(struct node *n, struct peer *t, const struct nat_msg *m)
{
	struct nat_state *st = n->nat;
	struct nat_msg go = { .kind = NAT_GO, .naddr = 1 };
	uint64_t now = node_now_ms();
	unsigned i;

	for (i = 0; i < MEETINGS_MAX; i++) {
		struct meeting *x = &st->meet[i];
		struct peer *a;
		if (x->expires <= now || memcmp(x->target, t->pub, 32) || memcmp(x->asker, m->key, 32))
			continue;
		x->expires = 0;
		if (!linked(a = peers_find(n, m->key)) || !t->seen_at.port)
			return;
		memcpy(go.key, t->pub, 32);
		go.addr[0] = t->seen_at;
		(void)send_nat(a, &go);
		return;
	}
}

/* on_go: the friend we asked for agreed: dial it now, as it dials us. */
static void
on_go(struct node *n, struct peer *h, const struct nat_msg *m)
{
	struct peer *f = peers_find(n, m->key);
	uint64_t now = node_now_ms();

	if (!f || f->opennet || linked(f) || !f->meet_asked || now - f->meet_asked > ASK_ANSWER_MS ||
	    !dialable(&m->addr[0], h) || f->punching >= PUNCH_PER_PEER)
		return;
	f->why_down = "meeting it through a mutual friend";
	f->meet_via = h->rid;
	(void)link_punch(n, f, &m->addr[0]);
}

/* on_addrs: a friend's addresses now. A stranger's are not kept. */
static void
on_addrs(struct node *n, struct peer *p, const struct nat_msg *m)
{
	struct noderef ref = { .naddr = 0 };
	char s[64];
	unsigned i;

	if (p->opennet)
		return;
	memcpy(ref.pub, p->pub, 32);
	for (i = 0; i < m->naddr; i++)
		if (addr_scope(&m->addr[i]) != SCOPE_NONE)
			ref.addr[ref.naddr++] = m->addr[i];
	if (!ref.naddr || (ref.naddr == p->ref.naddr && !memcmp(ref.addr, p->ref.addr, ref.naddr * sizeof(ref.addr[0]))))
		return;
	p->ref = ref;
	p->next_addr = 0;
	(void)peers_save(n, p);
	fmt(&ref.addr[0], s);
	log_info("a friend's addresses changed: %s first, %u in all", vault_shown(n, s), ref.naddr);
}


/* ---- relays ---- */

static int
relay_allowed(const struct node *n)
{
	return n->conf.relay > 0 || (n->conf.relay < 0 && n->conf.opennet);
}

static int
send_circ(struct node *n, uint32_t rid, uint8_t kind, uint32_t circ, uint32_t count, const uint8_t *data, size_t dlen)
{
	static uint8_t buf[NAT_DATA_MSG_MAX];
	struct nat_msg m = { .kind = kind, .circuit = circ, .count = count, .data = data, .dlen = dlen };
	struct peer *p = peers_by_rid(n, rid);
	size_t len;

	if (!linked(p) || natmsg_encode(&m, buf, sizeof(buf), &len) != 0)
		return -1;
	return link_send(p->link, FRAME_NAT, buf, len);
}

static void
end_free(struct relay_end *e, int tell)
{
	if (!e->used)
		return;
	if (tell)
		(void)send_circ(e->n, e->via_rid, NAT_CLOSE, e->circ, 0, NULL, 0);
	e->used = 0;
	if (e->bev)
		bufferevent_free(e->bev); /* the link on the other end reads EOF */
	e->bev = NULL;
}

/* end_pump sends what the link wrote into the pair, within the window. */
static void
end_pump(struct relay_end *e)
{
	struct evbuffer *in;

	if (!e->used)
		return;
	in = bufferevent_get_input(e->bev);
	while (e->unacked < RELAY_WINDOW && evbuffer_get_length(in)) {
		size_t k = evbuffer_get_length(in);
		const uint8_t *p;
		if (k > NAT_DATA_MAX)
			k = NAT_DATA_MAX;
		if (k > RELAY_WINDOW - e->unacked)
			k = (size_t)(RELAY_WINDOW - e->unacked);
		if (!(p = evbuffer_pullup(in, (ev_ssize_t)k)) ||
		    send_circ(e->n, e->via_rid, NAT_DATA, e->circ, 0, p, k) != 0) {
			end_free(e, 1);
			return;
		}
		evbuffer_drain(in, k);
		e->unacked += k;
	}
	if (e->unacked >= RELAY_WINDOW)
		bufferevent_disable(e->bev, EV_READ);
	else
		bufferevent_enable(e->bev, EV_READ);
}

static void end_read(struct bufferevent *bev, void *arg) { (void)bev; end_pump(arg); }

/* end_drained: the link took what we wrote into the pair: acknowledge it. */
static void
end_drained(struct bufferevent *bev, void *arg)
{
	struct relay_end *e = arg;
	uint64_t k = e->written - e->acked;

	(void)bev;
	if (k && send_circ(e->n, e->via_rid, NAT_ACK, e->circ, (uint32_t)k, NULL, 0) != 0) {
		end_free(e, 1);
		return;
	}
	e->acked = e->written;
}

static void
end_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		end_free(arg, 1);
}

/* end_new makes a socketpair, runs a link to |p| on one end (link_adopt)
 * and keeps the other as circuit |circ| through |via|. */
static struct relay_end *
end_new(struct node *n, struct peer *p, struct peer *via, uint32_t circ, int initiator)
{
	struct relay_end *e = NULL;
	char name[16];
	int sv[2];
	unsigned i;

	for (i = 0; i < ENDS_MAX && !e; i++)
		if (!n->nat->ends[i].used)
			e = &n->nat->ends[i];
	if (!e || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		return NULL;
	memset(e, 0, sizeof(*e));
	if (!(e->bev = bufferevent_socket_new(n->base, sv[1], BEV_OPT_CLOSE_ON_FREE))) {
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	e->n = n;
	e->used = 1;
	e->via_rid = via->rid;
	e->peer_rid = p->rid;
	e->circ = circ;
	bufferevent_setcb(e->bev, end_read, end_drained, end_event, e);
	bufferevent_enable(e->bev, EV_READ | EV_WRITE);
	if (b64_encode(name, sizeof(name), via->pub, 6) != 0)
		snprintf(name, sizeof(name), "a peer");
	if (link_adopt(n, p, sv[0], initiator, name) != 0) {
		end_free(e, 0);
		return NULL;
	}
	return e;
}

static struct relay_end *
end_find(struct node *n, uint32_t via_rid, uint32_t circ)
{
	unsigned i;

	for (i = 0; i < ENDS_MAX; i++)
		if (n->nat->ends[i].used && n->nat->ends[i].via_rid == via_rid && n->nat->ends[i].circ == circ)
			return &n->nat->ends[i];
	return NULL;
}

/* ask_relay: the meeting with |f| failed; ask its helper to carry the link. */
static void
ask_relay(struct node *n, struct peer *f, uint64_t now)
{
	struct peer *via = peers_by_rid(n, f->meet_via);
	uint8_t buf[NAT_MSG_MAX];
	struct nat_msg m = { .kind = NAT_OPEN };
	size_t len;
	uint32_t circ = ++n->nat->next_circ;

	f->relay_at = now;
	if (!linked(via) || !end_new(n, f, via, circ, 1))
		return;
	memcpy(m.key, f->pub, 32);
	m.circuit = circ;
	if (natmsg_encode(&m, buf, sizeof(buf), &len) == 0)
		(void)link_send(via->link, FRAME_NAT, buf, len);
}

/* At the helper: |a| asks to be carried to |m->key|. */
static void
on_open_helper(struct node *n, struct peer *a, const struct nat_msg *m)
{
	struct nat_state *st = n->nat;
	struct nat_msg fwd = { .kind = NAT_CARRY };
	struct peer *b = peers_find(n, m->key);
	struct relay *r = NULL;
	uint8_t buf[NAT_MSG_MAX];
	unsigned i, mine = 0;
	size_t len;

	for (i = 0; i < RELAYS_MAX; i++) {
		struct relay *x = &st->relays[i];
		if (!x->used) {
			if (!r)
				r = x;
			continue;
		}
		mine += x->a_rid == a->rid || x->b_rid == a->rid;
		if (x->a_rid == a->rid && x->a_circ == m->circuit)
			return; /* open already */
	}
	if (!relay_allowed(n) || !linked(b) || b == a || !r || mine >= RELAYS_PER_PEER || !take_ask(a)) {
		(void)send_circ(n, a->rid, NAT_CLOSE, m->circuit, 0, NULL, 0);
		if (!relay_allowed(n))
			log_ratelim(&relay_rate, 6, "a peer asked this node to relay: relay is off");
		return;
	}
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->a_rid = a->rid;
	r->a_circ = m->circuit;
	r->b_rid = b->rid;
	r->b_circ = ++st->next_circ;
	memcpy(fwd.key, a->pub, 32);
	fwd.circuit = r->b_circ;
	if (natmsg_encode(&fwd, buf, sizeof(buf), &len) != 0 || link_send(b->link, FRAME_NAT, buf, len) != 0) {
		r->used = 0;
		(void)send_circ(n, a->rid, NAT_CLOSE, m->circuit, 0, NULL, 0);
		return;
	}
	log_info("relaying the link of two peers that cannot meet");
}

/* At the called end: the helper |h| carries friend |m->key| to us. */
static void
on_open_end(struct node *n, struct peer *h, const struct nat_msg *m)
{
	struct peer *f = peers_find(n, m->key);

	if (!f || f->opennet || f == h || linked(f) || end_find(n, h->rid, m->circuit) ||
	    !end_new(n, f, h, m->circuit, 0))
		(void)send_circ(n, h->rid, NAT_CLOSE, m->circuit, 0, NULL, 0);
}


/* relay_other: the circuit |circ| from |p| at this helper, and its far side. */
static struct relay *
relay_other(struct node *n, const struct peer *p, uint32_t circ, uint32_t *to_rid, uint32_t *to_circ)
{
	unsigned i;

	for (i = 0; i < RELAYS_MAX; i++) {
		struct relay *r = &n->nat->relays[i];
		if (!r->used)
			continue;
		if (r->a_rid == p->rid && r->a_circ == circ) {
			*to_rid = r->b_rid, *to_circ = r->b_circ;
			return r;
		}
		if (r->b_rid == p->rid && r->b_circ == circ) {
			*to_rid = r->a_rid, *to_circ = r->a_circ;
			return r;
		}
	}
	return NULL;
}

static void
on_circuit(struct node *n, struct peer *p, const struct nat_msg *m)
{
	struct relay_end *e = end_find(n, p->rid, m->circuit);
	uint32_t to_rid, to_circ;
	struct relay *r;

	if (e) {
		if (m->kind == NAT_CLOSE) {
			struct peer *f = peers_by_rid(n, e->peer_rid);
			if (f && !linked(f))
				f->relay_refused = 1; /* refused, or the far end went */
			end_free(e, 0);
		} else if (m->kind == NAT_ACK) {
			e->unacked -= m->count < e->unacked ? m->count : e->unacked;
			end_pump(e);
		} else if (m->kind == NAT_DATA) {
			if (evbuffer_get_length(bufferevent_get_output(e->bev)) + m->dlen > RELAY_BUFFER_MAX ||
			    bufferevent_write(e->bev, m->data, m->dlen) != 0) {
				end_free(e, 1);
				return;
			}
			e->written += m->dlen;
		}
		return;
	}
	if (!(r = relay_other(n, p, m->circuit, &to_rid, &to_circ)))
		return; /* a circuit closed meanwhile */
	if (send_circ(n, to_rid, m->kind, to_circ, m->count, m->data, m->dlen) != 0 || m->kind == NAT_CLOSE) {
		if (m->kind != NAT_CLOSE)
			(void)send_circ(n, p->rid, NAT_CLOSE, m->circuit, 0, NULL, 0);
		r->used = 0;
	}
}

/* relays_drop: |p|'s link went down: its circuits and ends go with it. */
static void
relays_drop(struct node *n, const struct peer *p)
{
	unsigned i;

	for (i = 0; i < ENDS_MAX; i++)
		if (n->nat->ends[i].used && n->nat->ends[i].via_rid == p->rid)
			end_free(&n->nat->ends[i], 0);
	for (i = 0; i < RELAYS_MAX; i++) {
		struct relay *r = &n->nat->relays[i];
		if (!r->used || (r->a_rid != p->rid && r->b_rid != p->rid))
			continue;
		if (r->a_rid == p->rid)
			(void)send_circ(n, r->b_rid, NAT_CLOSE, r->b_circ, 0, NULL, 0);
		else
			(void)send_circ(n, r->a_rid, NAT_CLOSE, r->a_circ, 0, NULL, 0);
		r->used = 0;
	}
}

void
nat_tell_ark(struct node *n, struct peer *p)
{
	struct nat_msg m = { .kind = NAT_ARK, .edition = n->ark_edition };

	if (!n->ark_edition || p->opennet)
		return;
	memcpy(m.key, n->ark_pkh, 32);
	memcpy(m.ckey, n->ark_ckey, 32);
	(void)send_nat(p, &m);
}

/* on_ark: a friend's address record: where, and which edition it is at. */
static void
on_ark(struct node *n, struct peer *p, const struct nat_msg *m)
{
	if (p->opennet)
		return;
	if (p->has_ark && !memcmp(p->ark_pkh, m->key, 32) && !memcmp(p->ark_ckey, m->ckey, 32) &&
	    p->ark_edition >= m->edition)
		return;
	if (!p->has_ark || memcmp(p->ark_pkh, m->key, 32) || memcmp(p->ark_ckey, m->ckey, 32))
		p->ark_edition = 0; /* a new namespace (a new identity would be a new friend) */
	p->has_ark = 1;
	memcpy(p->ark_pkh, m->key, 32);
	memcpy(p->ark_ckey, m->ckey, 32);
	if (m->edition > p->ark_edition)
		p->ark_edition = m->edition;
	(void)peers_save(n, p);
}

static int
nat_record(struct node *n, struct peer *p, const uint8_t *data, size_t len)
{
	struct nat_msg m;

	if (natmsg_decode(&m, data, len) != 0)
		return -1;
	switch (m.kind) {
	case NAT_ADDRS: on_addrs(n, p, &m); break;
	case NAT_ASK: on_ask(n, p, &m); break;
	case NAT_CALL: on_call(n, p, &m); break;
	case NAT_ACCEPT: on_accept(n, p, &m); break;
	case NAT_GO: on_go(n, p, &m); break;
	case NAT_OPEN: on_open_helper(n, p, &m); break;
	case NAT_CARRY: on_open_end(n, p, &m); break;
	case NAT_DATA: case NAT_ACK: case NAT_CLOSE: on_circuit(n, p, &m); break;
	case NAT_ARK: on_ark(n, p, &m); break;
	}
	return 0;
}

/* ask_meeting asks the peers linked here to help reach friend |f|. What
 * an ask tells them: that this node knows |f|'s key (docs/threat-model.md). */
static void
ask_meeting(struct node *n, struct peer *f, uint64_t now)
{
	struct nat_msg ask = { .kind = NAT_ASK };
	unsigned i, sent = 0, pass;

	memcpy(ask.key, f->pub, 32);
	for (pass = 0; pass < 2 && sent < ASK_PEERS; pass++) /* friends, then strangers */
		for (i = 0; i < n->npeers && sent < ASK_PEERS; i++) {
			struct peer *h = n->peers[i];
			if (h != f && linked(h) && h->opennet == pass && send_nat(h, &ask) == 0)
				sent++;
		}
	f->meet_asked = now;
	if (!sent)
		f->why_down = "not reachable, and no linked peer to meet it through";
	else if (!f->why_down || strncmp(f->why_down, "it closed", 9) != 0)
		f->why_down = "waiting for a meeting through a mutual friend";
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;
	uint64_t now = node_now_ms();
	unsigned i;

	(void)fd;
	(void)ev;
	for (i = 0; i < n->npeers; i++) {
		struct peer *f = n->peers[i];
		uint64_t wait;
		if (f->opennet || f->removed || linked(f) || f->punching || !f->why_down) {
			if (linked(f))
				f->meet_tries = 0;
			continue;
		}
		if (f->meet_failed && f->meet_via && (!f->relay_at || now - f->relay_at >= RELAY_RETRY_MS)) {
			ask_relay(n, f, now);
			continue;
		}
		wait = (uint64_t)ASK_FIRST_MS << (f->meet_tries < 6 ? f->meet_tries : 6);
		if (wait > ASK_MAX_MS)
			wait = ASK_MAX_MS;
		if (f->meet_asked && now - f->meet_asked < wait)
			continue;
		if (f->meet_asked)
			f->meet_tries++;
		ask_meeting(n, f, now);
	}
}

static void
nat_linked(struct node *n, struct peer *p, int up)
{
	if (up && !p->opennet) {
		tell_addrs(n, p);
		nat_tell_ark(n, p);
	}
	if (!up)
		relays_drop(n, p);
}

static void
nat_forget(struct node *n, struct peer *p)
{
	relays_drop(n, p);
}

static const struct peer_hooks hooks = {
	.nat = nat_record,
	.observed = nat_observed,
	.linked = nat_linked,
	.forget = nat_forget,
};

int
nat_start(struct node *n)
{
	struct timeval tv = { NAT_TICK_MS / 1000, (NAT_TICK_MS % 1000) * 1000 };

	if (!(n->nat = calloc(1, sizeof(*n->nat))))
		return -1;
	if (!(n->nat->tick = event_new(n->base, -1, EV_PERSIST, on_tick, n)) || event_add(n->nat->tick, &tv) != 0)
		return -1;
	return peers_hook(n, &hooks);
}

void
nat_stop(struct node *n)
{
	unsigned i;

	if (!n->nat)
		return;
	for (i = 0; i < ENDS_MAX; i++)
		end_free(&n->nat->ends[i], 0);
	if (n->nat->tick)
		event_free(n->nat->tick);
	free(n->nat);
	n->nat = NULL;
}
