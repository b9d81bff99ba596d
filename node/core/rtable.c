/* The routing table: learnt key → peer entries, evicted least recently
 * used, and the closest-peer search over them by circular distance on
 * 256-bit keys (docs/routing.md, "Keys, locations, closeness"). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "node/core/router_int.h"

void
router_location(uint8_t loc[static WIRE_KEY_LEN], const uint8_t pub[static 32])
{
	crypto_generichash(loc, WIRE_KEY_LEN, pub, 32, (const uint8_t *)"wisp-location-v1", 16);
}

/* ---- distance on the circle of 256-bit numbers ---- */

/* dist writes |a - b| mod 2^256 and the other way round, keeping the
 * smaller: the circular distance. */
static void
dist(uint8_t out[WIRE_KEY_LEN], const uint8_t a[WIRE_KEY_LEN], const uint8_t b[WIRE_KEY_LEN])
{
	uint8_t d1[WIRE_KEY_LEN], d2[WIRE_KEY_LEN];
	int i, borrow1 = 0, borrow2 = 0;

	for (i = WIRE_KEY_LEN - 1; i >= 0; i--) {
		int x = a[i] - b[i] - borrow1, y = b[i] - a[i] - borrow2;
		borrow1 = x < 0;
		borrow2 = y < 0;
		d1[i] = (uint8_t)(x + (borrow1 << 8));
		d2[i] = (uint8_t)(y + (borrow2 << 8));
	}
	memcpy(out, memcmp(d1, d2, WIRE_KEY_LEN) < 0 ? d1 : d2, WIRE_KEY_LEN);
}

int
router_distance_cmp(const uint8_t t[WIRE_KEY_LEN], const uint8_t a[WIRE_KEY_LEN], const uint8_t b[WIRE_KEY_LEN])
{
	uint8_t da[WIRE_KEY_LEN], db[WIRE_KEY_LEN];
	int c;

	dist(da, t, a);
	dist(db, t, b);
	c = memcmp(da, db, WIRE_KEY_LEN);
	return c < 0 ? -1 : c > 0;
}

/* ---- routing table ---- */

static void
peer_refs(struct router *r, unsigned slot, int delta)
{
	struct rpeer *p = &r->peers[slot];

	if (delta > 0 || p->refs)
		p->refs = (uint16_t)(p->refs + delta);
}

static int
by_stamp(const void *a, const void *b)
{
	uint32_t x = ((const struct rentry *)a)->stamp, y = ((const struct rentry *)b)->stamp;

	return x < y ? -1 : x > y;
}

/* next_stamp: recency numbers stay 32-bit; before they wrap, the table
 * is renumbered 1..n in its current order. */
static uint32_t
next_stamp(struct router *r)
{
	unsigned i;

	if (r->stamp == UINT32_MAX) {
		qsort(r->rt, r->nrt, sizeof(*r->rt), by_stamp);
		for (i = 0; i < r->nrt; i++)
			r->rt[i].stamp = i + 1;
		r->stamp = r->nrt;
	}
	return ++r->stamp;
}

int
rt_learn(struct router *r, const uint8_t *key, const struct rpeer *p)
{
	unsigned i, oldest = 0, peer = peer_slot(r, p);

	for (i = 0; i < r->nrt; i++) {
		if (memcmp(r->rt[i].key, key, WIRE_KEY_LEN) == 0) {
			if (r->rt[i].slot != peer) {
				peer_refs(r, r->rt[i].slot, -1);
				peer_refs(r, peer, 1);
			}
			r->rt[i].slot = (uint16_t)peer;
			r->rt[i].stamp = next_stamp(r);
			return 0;
		}
		if (r->rt[i].stamp < r->rt[oldest].stamp)
			oldest = i;
	}
	if (r->nrt < r->cfg.rtable_max) {
		if (r->nrt == r->caprt) { /* grown as used: most tables stay small */
			unsigned cap = r->caprt ? r->caprt * 2 : 16;
			struct rentry *n;
			if (cap > r->cfg.rtable_max)
				cap = r->cfg.rtable_max;
			if (!(n = realloc(r->rt, cap * sizeof(*n))))
				return WISP_ERR_NOMEM;
			r->rt = n;
			r->caprt = cap;
		}
		oldest = r->nrt++;
	} else {
		peer_refs(r, r->rt[oldest].slot, -1);
	}
	memcpy(r->rt[oldest].key, key, WIRE_KEY_LEN);
	r->rt[oldest].slot = (uint16_t)peer;
	r->rt[oldest].stamp = next_stamp(r);
	peer_refs(r, peer, 1);
	return 0;
}

static int
by_stamp_desc(const void *a, const void *b)
{
	return by_stamp(b, a);
}

int
router_set_limits(struct router *r, uint8_t htl_max, uint32_t rtable_max)
{
	struct rentry *rt;
	unsigned i;

	if (!htl_max || htl_max > WIRE_HTL_MAX || !rtable_max)
		return WISP_ERR_INVAL;
	if (r->nrt > rtable_max) { /* keep the most recently used */
		qsort(r->rt, r->nrt, sizeof(*r->rt), by_stamp_desc);
		for (i = rtable_max; i < r->nrt; i++)
			peer_refs(r, r->rt[i].slot, -1);
		r->nrt = rtable_max;
	}
	if (r->caprt > rtable_max) {
		if (!(rt = realloc(r->rt, rtable_max * sizeof(*rt))))
			return WISP_ERR_NOMEM;
		r->rt = rt;
		r->caprt = rtable_max;
	}
	r->cfg.htl_max = htl_max;
	r->cfg.rtable_max = rtable_max;
	return 0;
}

void
router_set_observe(struct router *r, int on)
{
	r->observe = on;
}

void
router_rtable_each(const struct router *r, router_entry_fn fn, void *ctx)
{
	unsigned i;

	for (i = 0; i < r->nrt; i++)
		fn(ctx, r->rt[i].key, r->peers[r->rt[i].slot].id);
}

uint64_t
router_loc64(const uint8_t loc[static WIRE_KEY_LEN])
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | loc[i];
	return x;
}

/* cdist64: the circular distance of two 64-bit locations. */
static uint64_t
cdist64(uint64_t a, uint64_t b)
{
	return a - b < b - a ? a - b : b - a;
}

/* The distance of |k| to |t| to 64 bits is cdist64 of their top 64 bits,
 * within one (the borrow from the bits below is ignored). nearer: is key
 * |a| (approximate distance |da|) nearer |t| than |b|? The approximations
 * decide unless they are within one; then the whole 256 bits do, when
 * both are whole keys (a friend's friend is known by 64 bits only). */
static int
nearer(const uint8_t *t, const uint8_t *a, uint64_t da, const uint8_t *b, uint64_t db)
{
	if (a && b && (da + 1 < da || db + 1 < db || (da > db ? da - db : db - da) <= 1))
		return router_distance_cmp(t, a, b) < 0;
	return da < db;
}

/* closest: the up, untried peer whose best routing-table key, own
 * location or friend's location is nearest |key|. Steepest ascent:
 * always the best first. A friend's list names this node too, which is
 * no reason to go there. */
struct rpeer *
rt_closest(struct router *r, const struct rreq *q)
{
	const uint8_t *best[ROUTER_PEERS_MAX];
	uint64_t bd[ROUTER_PEERS_MAX], t = router_loc64(q->key), self = router_loc64(r->self);
	struct rpeer *pick = NULL;
	unsigned i, j, s, ps = 0;

	for (i = 0; i < r->npeers; i++) {
		const struct rpeer *p = &r->peers[i];
		best[i] = p->has_loc ? p->loc : NULL; /* without: only its entries count */
		bd[i] = best[i] ? cdist64(t, router_loc64(best[i])) : UINT64_MAX;
		for (j = 0; j < p->nfoaf; j++) {
			uint64_t d = cdist64(t, p->foaf[j]);
			if (p->foaf[j] != self && d < bd[i]) {
				best[i] = NULL;
				bd[i] = d;
			}
		}
	}
	for (i = 0; i < r->nrt; i++) {
		uint64_t d;
		s = r->rt[i].slot;
		if (!r->peers[s].up || tried(q, s))
			continue;
		d = cdist64(t, router_loc64(r->rt[i].key));
		if (bd[s] == UINT64_MAX || nearer(q->key, r->rt[i].key, d, best[s], bd[s])) {
			best[s] = r->rt[i].key;
			bd[s] = d;
		}
	}
	for (i = 0; i < r->npeers; i++) {
		if (!r->peers[i].up || tried(q, i) || bd[i] == UINT64_MAX)
			continue;
		if (!pick || nearer(q->key, best[i], bd[i], best[ps], bd[ps])) {
			pick = &r->peers[i];
			ps = i;
		}
	}
	return pick;
}
