/* Location swapping and friends' locations (swap.h, docs/routing.md). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "node/core/swap.h"

/* ---- records ---- */

static int
has_commit(uint8_t kind)
{
	return kind == SWAP_REQUEST || kind == SWAP_REPLY;
}

static int
has_reveal(uint8_t kind)
{
	return kind == SWAP_OPEN_A || kind == SWAP_OPEN_B || kind == SWAP_LOCATIONS;
}

static void
wr_reveal(struct wr *w, const struct swap_reveal *rv, int nonce)
{
	unsigned i;

	wr_bytes(w, rv->loc, WIRE_KEY_LEN);
	if (nonce)
		wr_bytes(w, rv->nonce, sizeof(rv->nonce));
	wr_u8(w, rv->n);
	for (i = 0; i < rv->n; i++)
		wr_u64be(w, rv->locs[i]);
}

int
swap_msg_encode(const struct swap_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	struct wr w;

	if (m->kind < SWAP_REQUEST || m->kind > SWAP_LOCATIONS || m->rv.n > SWAP_FRIENDS_MAX ||
	    (m->kind == SWAP_REQUEST && (m->htl == 0 || m->htl > SWAP_HTL_MAX)))
		return WISP_ERR_MALFORMED;
	wr_init(&w, out, cap);
	wr_u8(&w, m->kind);
	if (m->kind != SWAP_LOCATIONS)
		wr_u64be(&w, m->uid);
	if (m->kind == SWAP_REQUEST)
		wr_u8(&w, m->htl);
	if (has_commit(m->kind))
		wr_bytes(&w, m->commit, sizeof(m->commit));
	if (has_reveal(m->kind))
		wr_reveal(&w, &m->rv, m->kind != SWAP_LOCATIONS);
	if (w.err)
		return w.err;
	*len = cap - w.left;
	return 0;
}

int
swap_msg_decode(struct swap_msg *m, const uint8_t *p, size_t len)
{
	struct rd r;
	unsigned i;

	memset(m, 0, offsetof(struct swap_msg, rv.locs));
	rd_init(&r, p, len);
	if (rd_u8(&r, &m->kind) || m->kind < SWAP_REQUEST || m->kind > SWAP_LOCATIONS)
		return WISP_ERR_MALFORMED;
	if (m->kind != SWAP_LOCATIONS && rd_u64be(&r, &m->uid))
		return WISP_ERR_MALFORMED;
	if (m->kind == SWAP_REQUEST && (rd_u8(&r, &m->htl) || m->htl == 0 || m->htl > SWAP_HTL_MAX))
		return WISP_ERR_MALFORMED;
	if (has_commit(m->kind) && rd_bytes(&r, m->commit, sizeof(m->commit)))
		return WISP_ERR_MALFORMED;
	if (has_reveal(m->kind)) {
		if (rd_bytes(&r, m->rv.loc, WIRE_KEY_LEN) ||
		    (m->kind != SWAP_LOCATIONS && rd_bytes(&r, m->rv.nonce, sizeof(m->rv.nonce))) ||
		    rd_u8(&r, &m->rv.n) || m->rv.n > SWAP_FRIENDS_MAX)
			return WISP_ERR_MALFORMED;
		for (i = 0; i < m->rv.n; i++)
			if (rd_u64be(&r, &m->rv.locs[i]))
				return WISP_ERR_MALFORMED;
	}
	return rd_end(&r) ? WISP_ERR_MALFORMED : 0;
}

void
swap_msg_copy(struct swap_msg *dst, const struct swap_msg *src)
{
	memcpy(dst, src, offsetof(struct swap_msg, rv.locs));
	memcpy(dst->rv.locs, src->rv.locs, src->rv.n * sizeof(src->rv.locs[0]));
}

/* ---- the decision ---- */

/* lg: log2 of |x| (at least 1) in units of 2^-16, by integers only, so
 * two nodes on any machines agree: the exponent, then sixteen squarings
 * of the mantissa (kept in [1, 2) as a 31-bit fraction). */
static int64_t
lg(uint64_t x)
{
	int e = 63;
	uint64_t m;
	int64_t frac = 0;
	int i;

	while (!(x >> e))
		e--;
	m = e >= 31 ? x >> (e - 31) : x << (31 - e);
	for (i = 15; i >= 0; i--) {
		m = (m * m) >> 31;
		if (m >> 32) {
			m >>= 1;
			frac |= (int64_t)1 << i;
		}
	}
	return (int64_t)e << 16 | frac;
}

static uint64_t
cdist(uint64_t a, uint64_t b)
{
	uint64_t d = a - b < b - a ? a - b : b - a;

	return d ? d : 1;
}

/* cost: the log of the product of |x|'s distances to its friends, were it
 * at |at|, its entry for its partner (at |was|) moved to |now|. */
static int64_t
cost(const struct swap_reveal *x, uint64_t at, uint64_t was, uint64_t now)
{
	int64_t c = 0;
	unsigned i;

	for (i = 0; i < x->n; i++)
		c += lg(cdist(at, x->locs[i] == was ? now : x->locs[i]));
	return c;
}

int
swap_decide(const struct swap_reveal *a, const struct swap_reveal *b)
{
	uint64_t la = router_loc64(a->loc), lb = router_loc64(b->loc), u;
	int64_t gain = cost(a, la, lb, lb) + cost(b, lb, la, la) - cost(a, lb, lb, la) - cost(b, la, la, lb);
	crypto_generichash_state h;
	uint8_t coin[8];

	if (gain >= 0)
		return 1;
	crypto_generichash_init(&h, NULL, 0, sizeof(coin));
	crypto_generichash_update(&h, (const uint8_t *)"wisp-swap-coin-v1", 17);
	crypto_generichash_update(&h, a->nonce, sizeof(a->nonce));
	crypto_generichash_update(&h, b->nonce, sizeof(b->nonce));
	crypto_generichash_final(&h, coin, sizeof(coin));
	u = load_u64be(coin);
	/* accept with probability 2^gain: when u / 2^64 < 2^gain */
	return u == 0 || lg(u) - ((int64_t)64 << 16) < gain;
}

/* the hash of the walk's uid and the reveal */
void
swap_commitment(uint8_t out[32], uint64_t uid, const struct swap_reveal *rv)
{
	uint8_t buf[SWAP_MSG_MAX];
	crypto_generichash_state h;
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	wr_u64be(&w, uid);
	wr_reveal(&w, rv, 1);
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)"wisp-swap-commit-v1", 19);
	crypto_generichash_update(&h, buf, sizeof(buf) - w.left);
	crypto_generichash_final(&h, out, 32);
}

/* ---- the state ---- */

struct friend {
	uint32_t id;
	uint8_t up, dirty, told;        /* dirty: it has not been told our latest */
	uint64_t tat_req, tat_loc;      /* rate limits (GCRA's theoretical arrival times) */
	uint64_t told_at;
	uint8_t loc[WIRE_KEY_LEN];
};

/* What of a walk has passed a relay: the REQUEST out, the REPLY back,
 * the OPEN_A out (the OPEN_B back ends it). */
enum { R_ASKED, R_REPLIED, R_OPENED };

struct relay {
	uint64_t uid, deadline;
	uint32_t from, to;
	uint8_t stage;
};

enum { ROLE_NONE, ROLE_INITIATOR, ROLE_PARTNER };
enum { W_REPLY = 1, W_OPEN_B, W_OPEN_A };

/* The one walk this node is an end of: swapping changes its location,
 * so it takes part in one at a time. */
struct end {
	int role, wait;
	uint64_t uid, deadline;
	uint32_t peer;
	uint8_t theirs[32];
	struct swap_reveal mine;
};

struct swap {
	struct swap_config cfg;
	const struct swap_ops *ops;
	void *ctx;
	uint8_t self[WIRE_KEY_LEN];
	struct friend *fr;
	unsigned nfr, capfr;
	struct relay *relay;            /* grown as walks pass, up to SWAP_RELAYS_MAX */
	unsigned nrelay, caprelay;
	struct end lk;
	uint64_t next_attempt;
	struct swap_action *act;
	unsigned act_n, act_head, act_cap;
	struct swap_stats st;
};

void
swap_config_default(struct swap_config *c)
{
	memset(c, 0, sizeof(*c));
	c->period_ms = 4000;
	c->timeout_ms = 30000;
	c->locations_ms = 1000;
	c->burst = 16;
	c->refill_ms = 250;
	c->htl = 10;
	c->active = 1;
	c->reset_ppm = 0;
}

static void
rnd(struct swap *s, void *buf, size_t n)
{
	s->ops->rand(s->ctx, buf, n);
}

static uint32_t
rnd_below(struct swap *s, uint32_t n)
{
	uint32_t x;

	rnd(s, &x, sizeof(x));
	return (uint32_t)(((uint64_t)x * n) >> 32);
}

static void
schedule(struct swap *s, uint64_t now)
{
	s->next_attempt = now + s->cfg.period_ms / 2 + rnd_below(s, s->cfg.period_ms + 1);
}

int
swap_new(struct swap **out, const struct swap_config *cfg, const struct swap_ops *ops, void *ctx,
    const uint8_t loc[static WIRE_KEY_LEN], uint64_t now)
{
	struct swap *s;

	if (!cfg->htl || cfg->htl > SWAP_HTL_MAX || !cfg->period_ms || !cfg->timeout_ms || !cfg->burst)
		return WISP_ERR_INVAL;
	if (!(s = calloc(1, sizeof(*s))))
		return WISP_ERR_NOMEM;
	s->cfg = *cfg;
	s->ops = ops;
	s->ctx = ctx;
	memcpy(s->self, loc, WIRE_KEY_LEN);
	schedule(s, now);
	*out = s;
	return 0;
}

void
swap_free(struct swap *s)
{
	if (!s)
		return;
	free(s->fr);
	free(s->relay);
	free(s->act);
	free(s);
}

/* push: a new action at the queue's end (NULL without memory: the
 * action is lost, as a message on a failing link would be). */
static struct swap_action *
push(struct swap *s, enum swap_act_type type, uint32_t peer)
{
	struct swap_action *a;

	if (s->act_head == s->act_n)
		s->act_head = s->act_n = 0;
	if (s->act_n == s->act_cap) {
		unsigned cap = s->act_cap ? s->act_cap * 2 : 8;
		if (!(a = realloc(s->act, cap * sizeof(*a))))
			return NULL;
		s->act = a;
		s->act_cap = cap;
	}
	a = &s->act[s->act_n++];
	a->type = type;
	a->peer = peer;
	return a;
}

/* swap_poll: a drained queue is freed (a simulation holds 100,000 of
 * them, and most are empty most of the time). */
const struct swap_action *
swap_poll(struct swap *s)
{
	if (s->act_head < s->act_n)
		return &s->act[s->act_head++];
	free(s->act);
	s->act = NULL;
	s->act_n = s->act_head = s->act_cap = 0;
	return NULL;
}

static void
send_msg(struct swap *s, uint32_t peer, const struct swap_msg *m)
{
	struct swap_action *a = push(s, SWAP_ACT_SEND, peer);

	if (a)
		swap_msg_copy(&a->msg, m);
}

static void
send_short(struct swap *s, uint32_t peer, uint8_t kind, uint64_t uid, const uint8_t *commit)
{
	struct swap_action *a = push(s, SWAP_ACT_SEND, peer);

	if (!a)
		return;
	memset(&a->msg, 0, offsetof(struct swap_msg, rv.locs));
	a->msg.kind = kind;
	a->msg.uid = uid;
	if (commit)
		memcpy(a->msg.commit, commit, 32);
}

static struct friend *
friend_get(struct swap *s, uint32_t id)
{
	unsigned i;

	for (i = 0; i < s->nfr; i++)
		if (s->fr[i].id == id)
			return &s->fr[i];
	return NULL;
}

/* allow: GCRA, a burst of cfg.burst, then one per cfg.refill_ms. */
static int
allow(const struct swap *s, uint64_t *tat, uint64_t now)
{
	uint64_t t = *tat > now ? *tat : now;

	if (t - now > (uint64_t)(s->cfg.burst - 1) * s->cfg.refill_ms)
		return 0;
	*tat = t + s->cfg.refill_ms;
	return 1;
}

/* list: the locations of the up friends but |skip|, at most max. */
static uint8_t
list(const struct swap *s, uint64_t *out, uint32_t skip, int has_skip)
{
	unsigned i, n = 0;

	for (i = 0; i < s->nfr && n < SWAP_FRIENDS_MAX; i++)
		if (s->fr[i].up && !(has_skip && s->fr[i].id == skip))
			out[n++] = router_loc64(s->fr[i].loc);
	return (uint8_t)n;
}

static void
all_dirty(struct swap *s, const struct friend *but)
{
	unsigned i;

	for (i = 0; i < s->nfr; i++)
		if (&s->fr[i] != but)
			s->fr[i].dirty = 1;
}

/* flush tells every friend not told our latest, as often as allowed. */
static void
flush(struct swap *s, uint64_t now)
{
	struct swap_action *a;
	unsigned i;

	for (i = 0; i < s->nfr; i++) {
		struct friend *f = &s->fr[i];
		if (!f->up || !f->dirty || (f->told && now < f->told_at + s->cfg.locations_ms))
			continue;
		if (!(a = push(s, SWAP_ACT_SEND, f->id)))
			return;
		a->msg.kind = SWAP_LOCATIONS;
		memcpy(a->msg.rv.loc, s->self, WIRE_KEY_LEN);
		a->msg.rv.n = list(s, a->msg.rv.locs, f->id, 1);
		f->dirty = 0;
		f->told = 1;
		f->told_at = now;
	}
}

static void
move_to(struct swap *s, const uint8_t loc[WIRE_KEY_LEN])
{
	struct swap_action *a;

	memcpy(s->self, loc, WIRE_KEY_LEN);
	if ((a = push(s, SWAP_ACT_MOVED, 0)))
		memcpy(a->msg.rv.loc, loc, WIRE_KEY_LEN);
	all_dirty(s, NULL);
}

static void
reveal(struct swap *s, struct swap_reveal *rv)
{
	memcpy(rv->loc, s->self, WIRE_KEY_LEN);
	rnd(s, rv->nonce, sizeof(rv->nonce));
	rv->n = list(s, rv->locs, 0, 0);
}

/* pick: a random up friend other than |but|; NULL if none. */
static struct friend *
pick(struct swap *s, const uint32_t *but)
{
	unsigned i, n = 0, k;

	for (i = 0; i < s->nfr; i++)
		n += s->fr[i].up && !(but && s->fr[i].id == *but);
	if (!n)
		return NULL;
	k = rnd_below(s, n);
	for (i = 0; i < s->nfr; i++)
		if (s->fr[i].up && !(but && s->fr[i].id == *but) && k-- == 0)
			return &s->fr[i];
	return NULL;
}

/* relay_find: the entry of walk |uid| a record of |kind| from |peer|
 * belongs to. A walk may pass a node more than once (a small network, a
 * cycle of friends), so one uid may have several entries, kept in the
 * order of the visits: records come back in the reverse order (the
 * latest visit first), go out in the same order (the earliest first),
 * and each entry takes the next record of its stage only. */
static struct relay *
relay_find(struct swap *s, uint64_t uid, uint32_t peer, uint8_t kind)
{
	int back = kind != SWAP_OPEN_A, i;
	uint8_t stage = kind == SWAP_REPLY ? R_ASKED : kind == SWAP_OPEN_A ? R_REPLIED : R_OPENED;

	for (i = (int)s->nrelay - 1; back && i >= 0; i--) {
		struct relay *r = &s->relay[i];
		if (r->uid == uid && r->to == peer && (kind == SWAP_REFUSED || r->stage == stage))
			return r;
	}
	for (i = 0; (!back || kind == SWAP_REFUSED) && i < (int)s->nrelay; i++) {
		struct relay *r = &s->relay[i];
		if (r->uid == uid && r->from == peer && (kind == SWAP_REFUSED || r->stage == stage))
			return r;
	}
	return NULL;
}

/* visits: how often walk |uid| passes here now. */
static unsigned
visits(const struct swap *s, uint64_t uid)
{
	unsigned i, n = 0;

	for (i = 0; i < s->nrelay; i++)
		n += s->relay[i].uid == uid;
	return n;
}

static int
relay_room(struct swap *s)
{
	struct relay *r;
	unsigned cap;

	if (s->nrelay < s->caprelay)
		return 1;
	if (s->nrelay == SWAP_RELAYS_MAX)
		return 0;
	cap = s->caprelay ? s->caprelay * 2 : 4;
	if (!(r = realloc(s->relay, cap * sizeof(*r))))
		return 0;
	s->relay = r;
	s->caprelay = cap;
	return 1;
}

static void
relay_drop(struct swap *s, struct relay *r)
{
	size_t i = (size_t)(r - s->relay);

	memmove(r, r + 1, (s->nrelay - i - 1) * sizeof(*r)); /* the order of visits stays */
	s->nrelay--;
}

static void
unlock(struct swap *s)
{
	sodium_memzero(&s->lk, sizeof(s->lk));
}

void
swap_start(struct swap *s, uint64_t now)
{
	uint8_t loc[WIRE_KEY_LEN];
	struct friend *f;
	uint32_t coin;
	struct swap_msg m;

	if (!s->cfg.active || s->lk.role || !(f = pick(s, NULL)))
		return;
	rnd(s, &coin, sizeof(coin));
	if (s->cfg.reset_ppm && coin % 1000000 < s->cfg.reset_ppm) {
		/* Pitch Black: now and then a fresh location undoes what
		 * swapping with liars pulled together (docs/routing.md) */
		rnd(s, loc, sizeof(loc));
		move_to(s, loc);
		s->st.reset++;
		flush(s, now);
		return;
	}
	s->st.attempts++;
	s->lk.role = ROLE_INITIATOR;
	s->lk.wait = W_REPLY;
	rnd(s, &s->lk.uid, sizeof(s->lk.uid));
	s->lk.peer = f->id;
	s->lk.deadline = now + s->cfg.timeout_ms;
	reveal(s, &s->lk.mine);
	memset(&m, 0, offsetof(struct swap_msg, rv.locs));
	m.kind = SWAP_REQUEST;
	m.uid = s->lk.uid;
	m.htl = s->cfg.htl;
	swap_commitment(m.commit, m.uid, &s->lk.mine);
	send_msg(s, f->id, &m);
}

/* on_request: relay the walk on, or end it here as its partner. At the
 * walk's full length a hop passes it on unshortened half the time, so
 * the first friend cannot tell the sender started it. */
static void
on_request(struct swap *s, struct friend *from, const struct swap_msg *m, uint64_t now)
{
	uint8_t htl = m->htl < s->cfg.htl ? m->htl : s->cfg.htl, coin;
	struct friend *to;
	struct swap_msg fwd;

	if (!allow(s, &from->tat_req, now)) {
		s->st.rate_limited++;
		send_short(s, from->id, SWAP_REFUSED, m->uid, NULL);
		return;
	}
	if (visits(s, m->uid) >= SWAP_VISITS_MAX) {
		s->st.ignored++; /* a replay, or a walk in circles */
		send_short(s, from->id, SWAP_REFUSED, m->uid, NULL);
		return;
	}
	rnd(s, &coin, 1);
	if (!(htl == s->cfg.htl && (coin & 1)))
		htl--;
	if (htl > 0 && (to = pick(s, &from->id))) {
		if (!relay_room(s)) {
			send_short(s, from->id, SWAP_REFUSED, m->uid, NULL);
			return;
		}
		s->relay[s->nrelay++] = (struct relay){ m->uid, now + s->cfg.timeout_ms, from->id, to->id, R_ASKED };
		swap_msg_copy(&fwd, m);
		fwd.htl = htl;
		send_msg(s, to->id, &fwd);
		s->st.relayed++;
		return;
	}
	if (!s->cfg.active || s->lk.role) { /* busy, or back at its start */
		send_short(s, from->id, SWAP_REFUSED, m->uid, NULL);
		return;
	}
	s->st.partnered++;
	s->lk.role = ROLE_PARTNER;
	s->lk.wait = W_OPEN_A;
	s->lk.uid = m->uid;
	s->lk.peer = from->id;
	s->lk.deadline = now + s->cfg.timeout_ms;
	memcpy(s->lk.theirs, m->commit, 32);
	reveal(s, &s->lk.mine);
	swap_commitment(fwd.commit, m->uid, &s->lk.mine);
	send_short(s, from->id, SWAP_REPLY, m->uid, fwd.commit);
}

/* relayed: a record of a walk passing through goes on to the other
 * side: REPLY and OPEN_B back from the partner's, OPEN_A out from the
 * initiator's, REFUSED either way. 1 if it was one. */
static int
relayed(struct swap *s, uint32_t from, const struct swap_msg *m)
{
	struct relay *r = relay_find(s, m->uid, from, m->kind);
	int back;

	if (!r)
		return 0;
	back = r->to == from && (m->kind != SWAP_OPEN_A);
	send_msg(s, back ? r->from : r->to, m);
	if (m->kind == SWAP_REFUSED || m->kind == SWAP_OPEN_B)
		relay_drop(s, r);
	else
		r->stage = m->kind == SWAP_REPLY ? R_REPLIED : R_OPENED;
	return 1;
}

/* at_end: a record of our own walk, from the friend it goes through. */
static void
at_end(struct swap *s, uint32_t from, const struct swap_msg *m)
{
	struct end *e = &s->lk;
	struct swap_msg out;
	uint8_t c[32];
	int want = m->kind == SWAP_REPLY ? W_REPLY : m->kind == SWAP_OPEN_A ? W_OPEN_A : W_OPEN_B;

	if (!e->role || e->uid != m->uid || e->peer != from || (m->kind != SWAP_REFUSED && e->wait != want)) {
		s->st.ignored++;
		return;
	}
	switch (m->kind) {
	case SWAP_REFUSED:
		s->st.refused++;
		unlock(s);
		return;
	case SWAP_REPLY:
		memcpy(e->theirs, m->commit, 32);
		e->wait = W_OPEN_B;
		memset(&out, 0, offsetof(struct swap_msg, rv));
		out.kind = SWAP_OPEN_A;
		out.uid = e->uid;
		out.rv = e->mine;
		send_msg(s, from, &out);
		return;
	}
	swap_commitment(c, m->uid, &m->rv);
	if (sodium_memcmp(c, e->theirs, 32) != 0) {
		s->st.bad_reveal++;
		if (e->role == ROLE_PARTNER)
			send_short(s, from, SWAP_REFUSED, e->uid, NULL);
		unlock(s);
		return;
	}
	if (e->role == ROLE_PARTNER) {
		memset(&out, 0, offsetof(struct swap_msg, rv));
		out.kind = SWAP_OPEN_B;
		out.uid = e->uid;
		out.rv = e->mine;
		send_msg(s, from, &out);
	}
	if (e->role == ROLE_PARTNER ? swap_decide(&m->rv, &e->mine) : swap_decide(&e->mine, &m->rv)) {
		s->st.swapped++;
		move_to(s, m->rv.loc);
	}
	unlock(s);
}

static void
on_locations(struct swap *s, struct friend *f, const struct swap_msg *m, uint64_t now)
{
	struct swap_action *a;

	if (!allow(s, &f->tat_loc, now)) {
		s->st.rate_limited++;
		return;
	}
	if (router_loc64(f->loc) != router_loc64(m->rv.loc))
		all_dirty(s, f); /* our friends' list changed */
	memcpy(f->loc, m->rv.loc, WIRE_KEY_LEN);
	if ((a = push(s, SWAP_ACT_FRIEND, f->id)))
		swap_msg_copy(&a->msg, m);
}

void
swap_on_msg(struct swap *s, uint32_t peer, const struct swap_msg *m, uint64_t now)
{
	struct friend *f = friend_get(s, peer);

	if (!f || !f->up) {
		s->st.ignored++;
		return;
	}
	switch (m->kind) {
	case SWAP_REQUEST:
		on_request(s, f, m, now);
		break;
	case SWAP_LOCATIONS:
		on_locations(s, f, m, now);
		break;
	default:
		if (!relayed(s, peer, m))
			at_end(s, peer, m);
	}
	flush(s, now);
}

int
swap_link_up(struct swap *s, uint32_t peer, const uint8_t loc[static WIRE_KEY_LEN], uint64_t now)
{
	struct friend *f = friend_get(s, peer);

	if (!f) {
		if (s->nfr == SWAP_PEERS_MAX)
			return WISP_ERR_FULL;
		if (s->nfr == s->capfr) {
			unsigned cap = s->capfr ? s->capfr * 2 : 8;
			struct friend *n = realloc(s->fr, cap * sizeof(*n));
			if (!n)
				return WISP_ERR_NOMEM;
			s->fr = n;
			s->capfr = cap;
		}
		f = &s->fr[s->nfr++];
		memset(f, 0, sizeof(*f));
		f->id = peer;
		memcpy(f->loc, loc, WIRE_KEY_LEN);
	}
	f->up = 1;
	f->told = 0;
	all_dirty(s, NULL); /* it learns ours, the others that our list grew */
	flush(s, now);
	return 0;
}

/* end_walks: walks through |peer| are over; the other side is told. */
static void
end_walks(struct swap *s, uint32_t peer)
{
	unsigned i;

	for (i = 0; i < s->nrelay;) {
		struct relay *r = &s->relay[i];
		if (r->from == peer || r->to == peer) {
			send_short(s, r->from == peer ? r->to : r->from, SWAP_REFUSED, r->uid, NULL);
			relay_drop(s, r);
			continue;
		}
		i++;
	}
	if (s->lk.role && s->lk.peer == peer)
		unlock(s);
}

void
swap_link_down(struct swap *s, uint32_t peer, uint64_t now)
{
	struct friend *f = friend_get(s, peer);

	if (!f || !f->up)
		return;
	f->up = 0;
	end_walks(s, peer);
	all_dirty(s, f);
	flush(s, now);
}

void
swap_forget(struct swap *s, uint32_t peer, uint64_t now)
{
	struct friend *f = friend_get(s, peer);

	if (!f)
		return;
	swap_link_down(s, peer, now);
	*f = s->fr[--s->nfr];
}

void
swap_on_timer(struct swap *s, uint64_t now)
{
	unsigned i;

	if (s->lk.role && now >= s->lk.deadline) {
		s->st.timeouts++;
		send_short(s, s->lk.peer, SWAP_REFUSED, s->lk.uid, NULL);
		unlock(s);
	}
	for (i = 0; i < s->nrelay;)
		if (now >= s->relay[i].deadline)
			relay_drop(s, &s->relay[i]);
		else
			i++;
	if (now >= s->next_attempt) {
		schedule(s, now);
		swap_start(s, now);
	}
	flush(s, now);
}

uint64_t
swap_next_deadline(const struct swap *s)
{
	uint64_t t = s->cfg.active ? s->next_attempt : UINT64_MAX;
	unsigned i;

	if (s->lk.role && s->lk.deadline < t)
		t = s->lk.deadline;
	for (i = 0; i < s->nrelay; i++)
		if (s->relay[i].deadline < t)
			t = s->relay[i].deadline;
	for (i = 0; i < s->nfr; i++)
		if (s->fr[i].up && s->fr[i].dirty) {
			uint64_t at = s->fr[i].told ? s->fr[i].told_at + s->cfg.locations_ms : 0;
			t = at < t ? at : t;
		}
	return t;
}

const uint8_t *
swap_location(const struct swap *s)
{
	return s->self;
}

void
swap_set_location(struct swap *s, const uint8_t loc[static WIRE_KEY_LEN], uint64_t now)
{
	if (s->lk.role)
		send_short(s, s->lk.peer, SWAP_REFUSED, s->lk.uid, NULL);
	unlock(s);
	move_to(s, loc);
	flush(s, now);
}

void
swap_set_active(struct swap *s, int on)
{
	s->cfg.active = (uint8_t)(on != 0);
}

void
swap_stats(const struct swap *s, struct swap_stats *st)
{
	*st = s->st;
}
