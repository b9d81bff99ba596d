/* Reaching friends behind home routers (docs/protocol.md, "Reaching
 * friends behind routers"): this node's public address, learnt from what
 * its peers see; its addresses told to friends when a link comes up or
 * they change; and meetings, where a peer linked to two friends that
 * cannot dial each other tells each where the other's link comes from,
 * and both dial at once through their routers. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "node/base/addr.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
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

struct nat_state {
	struct vote votes[VOTES_MAX];
	struct meeting meet[MEETINGS_MAX];
	struct event *tick;
};

static struct log_rate claim_rate, ask_rate;

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

/* tell_addrs sends |p| where this node can be dialled now. */
static void
tell_addrs(struct node *n, struct peer *p)
{
	struct nat_msg m = { .kind = NAT_ADDRS };
	struct noderef ref;
	unsigned i;

	peers_self(n, &ref);
	for (i = 0; i < ref.naddr; i++)
		m.addr[m.naddr++] = ref.addr[i];
	if (m.naddr)
		(void)send_nat(p, &m);
}

static void
tell_friends(struct node *n)
{
	unsigned i;

	for (i = 0; i < n->npeers; i++)
		if (!n->peers[i]->opennet)
			tell_addrs(n, n->peers[i]);
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
	log_info("this node's public address is %s (seen by %u peers): telling friends", s, voters);
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
	log_info("a friend's addresses changed: %s first, %u in all", s, ref.naddr);
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
	if (up && !p->opennet)
		tell_addrs(n, p);
}

static const struct peer_hooks hooks = {
	.nat = nat_record,
	.observed = nat_observed,
	.linked = nat_linked,
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
	if (!n->nat)
		return;
	if (n->nat->tick)
		event_free(n->nat->tick);
	free(n->nat);
	n->nat = NULL;
}
