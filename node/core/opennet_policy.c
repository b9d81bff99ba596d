/* The opennet policy: bounded peers, dropped least-recently-useful
 * first, and rates on what strangers may make us do. */
#include <stdlib.h>
#include <string.h>

#include "node/core/opennet_policy.h"

struct onpeer {
	uint32_t id;
	uint8_t transient;
	uint64_t since, useful;     /* link up; last data it brought (or since) */
};

/* A token bucket. A token is 60000 units, so |per_min| tokens a minute
 * refill exactly |per_min| units a millisecond: nothing lost to rounding. */
enum { TOKEN = 60000 };
struct bucket {
	uint64_t units, at;
	uint8_t started;
};

struct relay {
	uint32_t id;
	struct bucket b;
};

struct opennet {
	struct opennet_config c;
	struct onpeer p[OPENNET_PEERS_MAX + OPENNET_TRANSIENT_MAX];
	unsigned n;
	struct bucket links;
	struct relay relay[OPENNET_RELAY_SOURCES];
	unsigned nrelay, relay_next;
	uint64_t announce_at;
	uint32_t announce_wait;
};

void
opennet_config_default(struct opennet_config *c)
{
	c->peers = 20;
	c->low = 15;
	c->grace_ms = 120000;
	c->transient_ms = 30000;
	c->links_per_min = 30;
	c->relay_per_min = 12;
	c->announce_min_ms = 5000;
	c->announce_max_ms = 60000;
}

static void
clamp(struct opennet_config *c)
{
	if (c->peers > OPENNET_PEERS_MAX)
		c->peers = OPENNET_PEERS_MAX;
	if (c->low > c->peers)
		c->low = c->peers;
	if (c->announce_min_ms == 0)
		c->announce_min_ms = 1;
	if (c->announce_max_ms < c->announce_min_ms)
		c->announce_max_ms = c->announce_min_ms;
}

int
opennet_new(struct opennet **out, const struct opennet_config *c)
{
	struct opennet *o = calloc(1, sizeof(*o));

	if (!o)
		return WISP_ERR_NOMEM;
	o->c = *c;
	clamp(&o->c);
	o->announce_wait = o->c.announce_min_ms;
	*out = o;
	return 0;
}

void opennet_free(struct opennet *o) { free(o); }

void
opennet_configure(struct opennet *o, const struct opennet_config *c)
{
	o->c = *c;
	clamp(&o->c);
	if (o->announce_wait < o->c.announce_min_ms || o->announce_wait > o->c.announce_max_ms)
		o->announce_wait = o->c.announce_min_ms;
}

/* bucket_fill: whole tokens after refilling at |per_min| a minute. */
static uint64_t
bucket_fill(struct bucket *b, unsigned per_min, uint64_t now)
{
	uint64_t cap = (uint64_t)per_min * TOKEN;

	if (!b->started) {
		b->started = 1;
		b->units = cap;
	} else if (now > b->at) {
		b->units += (now - b->at) * per_min;
	}
	if (b->units > cap)
		b->units = cap;
	b->at = now > b->at ? now : b->at;
	return b->units / TOKEN;
}

static int
bucket_take(struct bucket *b, unsigned per_min, uint64_t now)
{
	if (bucket_fill(b, per_min, now) < 1)
		return 0;
	b->units -= TOKEN;
	return 1;
}

static int
find_at(const struct opennet *o, uint32_t id)
{
	unsigned i;

	for (i = 0; i < o->n; i++)
		if (o->p[i].id == id)
			return (int)i;
	return -1;
}

static struct onpeer *
find(struct opennet *o, uint32_t id)
{
	int i = find_at(o, id);

	return i < 0 ? NULL : &o->p[i];
}

int opennet_has(const struct opennet *o, uint32_t peer) { return find_at(o, peer) >= 0; }

int
opennet_kept(const struct opennet *o, uint32_t peer)
{
	int i = find_at(o, peer);

	return i >= 0 && !o->p[i].transient;
}

unsigned
opennet_count(const struct opennet *o)
{
	unsigned i, k = 0;

	for (i = 0; i < o->n; i++)
		k += !o->p[i].transient;
	return k;
}

unsigned opennet_transient(const struct opennet *o) { return o->n - opennet_count(o); }

int
opennet_up(struct opennet *o, uint32_t peer, int transient, uint64_t now)
{
	struct onpeer *p = find(o, peer);

	if (!p) {
		if (o->n == sizeof(o->p) / sizeof(o->p[0]))
			return WISP_ERR_FULL;
		p = &o->p[o->n++];
		p->id = peer;
		p->since = p->useful = now;
	}
	p->transient = transient != 0;
	return 0;
}

int
opennet_joined(struct opennet *o, uint32_t peer, int transient, uint64_t now, uint32_t *drop)
{
	*drop = OPENNET_NONE;
	if (!transient && !opennet_has(o, peer) && opennet_count(o) >= o->c.peers &&
	    (*drop = opennet_victim(o, now)) == OPENNET_NONE)
		transient = 1; /* more links came up than there is room for */
	if (*drop != OPENNET_NONE)
		opennet_down(o, *drop);
	return opennet_up(o, peer, transient, now);
}

void
opennet_down(struct opennet *o, uint32_t peer)
{
	struct onpeer *p = find(o, peer);

	if (!p)
		return;
	if (!p->transient) /* lost one: look for another soon */
		o->announce_wait = o->c.announce_min_ms;
	*p = o->p[--o->n];
}

void
opennet_useful(struct opennet *o, uint32_t peer, uint64_t now)
{
	struct onpeer *p = find(o, peer);

	if (p)
		p->useful = now;
}

uint32_t
opennet_victim(const struct opennet *o, uint64_t now)
{
	const struct onpeer *v = NULL;
	unsigned i;

	for (i = 0; i < o->n; i++) {
		const struct onpeer *p = &o->p[i];
		if (p->transient || now - p->since < o->c.grace_ms)
			continue;
		if (!v || p->useful < v->useful)
			v = p;
	}
	return v ? v->id : OPENNET_NONE;
}

static int
room(const struct opennet *o, uint64_t now)
{
	return opennet_count(o) < o->c.peers || opennet_victim(o, now) != OPENNET_NONE;
}

int
opennet_want(const struct opennet *o, uint64_t now)
{
	struct bucket b = o->links;

	return o->c.peers > 0 && room(o, now) && bucket_fill(&b, o->c.links_per_min, now) >= 1;
}

int
opennet_take(struct opennet *o, uint64_t now)
{
	return bucket_take(&o->links, o->c.links_per_min, now);
}

int
opennet_admit(struct opennet *o, uint64_t now, int *transient, uint32_t *victim)
{
	*transient = 0;
	*victim = OPENNET_NONE;
	if (o->c.peers == 0 || o->n == sizeof(o->p) / sizeof(o->p[0]))
		return 0;
	if (opennet_count(o) >= o->c.peers && (*victim = opennet_victim(o, now)) == OPENNET_NONE) {
		/* Full of young peers: a newcomer may still come in to announce
		 * (it knows no one else), for a while. */
		if (opennet_transient(o) >= OPENNET_TRANSIENT_MAX)
			return 0;
		*transient = 1;
	}
	if (!opennet_take(o, now)) {
		*transient = 0;
		*victim = OPENNET_NONE;
		return 0;
	}
	return 1;
}

uint32_t
opennet_expired(struct opennet *o, uint64_t now)
{
	unsigned i;

	for (i = 0; i < o->n; i++) {
		struct onpeer *p = &o->p[i];
		if (!p->transient)
			continue;
		if (opennet_count(o) < o->c.peers) {
			p->transient = 0; /* room now: it stays */
			p->since = p->useful = now;
			continue;
		}
		if (now - p->since >= o->c.transient_ms)
			return p->id;
	}
	return OPENNET_NONE;
}

int
opennet_announce_due(struct opennet *o, uint64_t now)
{
	if (opennet_count(o) >= o->c.low || now < o->announce_at)
		return 0;
	o->announce_at = now + o->announce_wait;
	o->announce_wait = o->announce_wait * 2 > o->c.announce_max_ms ? o->c.announce_max_ms : o->announce_wait * 2;
	return 1;
}

int
opennet_relay_ok(struct opennet *o, uint32_t peer, uint64_t now)
{
	struct relay *r = NULL;
	unsigned i;

	for (i = 0; i < o->nrelay; i++)
		if (o->relay[i].id == peer)
			r = &o->relay[i];
	if (!r) {
		/* As many sources as a node has peers; the oldest entry, most
		 * likely a peer gone, makes room. */
		if (o->nrelay < OPENNET_RELAY_SOURCES)
			r = &o->relay[o->nrelay++];
		else
			r = &o->relay[o->relay_next++ % OPENNET_RELAY_SOURCES];
		memset(r, 0, sizeof(*r));
		r->id = peer;
	}
	return bucket_take(&r->b, o->c.relay_per_min, now);
}
