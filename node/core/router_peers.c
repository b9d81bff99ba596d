/* router_peers.c: the router's peers as links come and go (router.h):
 * a link up or down, a friend's friends' locations, this node's own
 * location, and forgetting a peer with its routing entries. The table of
 * peers itself (slots, eviction) is router.c's (router_int.h). */
#include <stdlib.h>
#include <string.h>

#include "node/core/router_int.h"

int
router_link_up(struct router *r, uint32_t id, const uint8_t *loc, uint64_t now)
{
	struct rpeer *p = rtr_peer(r, id);
	int fresh = !p || !p->up;
	uint8_t coin;

	(void)now;
	if (!p && !(p = rtr_peer_add(r, id)))
		return WISP_ERR_FULL;
	p->up = 1;
	p->has_loc = loc != NULL;
	if (loc) /* an up peer may move (location swapping) */
		memcpy(p->loc, loc, WIRE_KEY_LEN);
	if (fresh) {
		r->ops->rand(r->ctx, &coin, 1);
		p->decr_max = coin & 1;          /* probability 1/2 */
		p->decr_min = (coin >> 1 & 3) == 0; /* probability 1/4 */
	}
	return 0;
}

int
router_peer_foaf(struct router *r, uint32_t id, const uint64_t *locs, unsigned n)
{
	struct rpeer *p = rtr_peer(r, id);
	uint64_t *f = NULL;

	if (!p || n > ROUTER_FOAF_MAX)
		return WISP_ERR_INVAL;
	if (n && !(f = malloc(n * sizeof(*f))))
		return WISP_ERR_NOMEM;
	if (n)
		memcpy(f, locs, n * sizeof(*f));
	free(p->foaf);
	p->foaf = f;
	p->nfoaf = (uint8_t)n;
	return 0;
}

void
router_set_location(struct router *r, const uint8_t loc[static WIRE_KEY_LEN])
{
	memcpy(r->self, loc, WIRE_KEY_LEN);
}

int
router_peer_entries(struct router *r, uint32_t id)
{
	struct rpeer *p = rtr_peer(r, id);

	return p ? p->refs : -1;
}

int
router_peer_forget(struct router *r, uint32_t id)
{
	struct rpeer *p = rtr_peer(r, id);
	unsigned slot, last, i;

	if (!p)
		return 0;
	if (rtr_busy(r, id))
		return WISP_ERR_FULL;
	slot = peer_slot(r, p);
	last = r->npeers - 1;
	for (i = 0; i < r->nrt;) {
		if (r->rt[i].slot == slot) {
			r->rt[i] = r->rt[--r->nrt];
			continue;
		}
		if (r->rt[i].slot == last) /* the last peer moves into the hole */
			r->rt[i].slot = (uint16_t)slot;
		i++;
	}
	for (i = 0; i < r->nreq; i++) {
		uint8_t *t = r->reqs[i]->tried;
		int was = t[last / 8] >> (last % 8) & 1;
		t[slot / 8] = (uint8_t)((t[slot / 8] & ~(1u << (slot % 8))) | (unsigned)was << (slot % 8));
		t[last / 8] &= (uint8_t)~(1u << (last % 8));
	}
	free(p->foaf);
	r->peers[slot] = r->peers[last];
	r->npeers--;
	return 0;
}

int
router_link_down(struct router *r, uint32_t id, uint64_t now)
{
	struct rpeer *p = rtr_peer(r, id);
	unsigned i, j;

	if (!p)
		return 0;
	if (!rtr_room(r))
		return WISP_ERR_FULL;
	p->up = 0;
	for (i = 0; i < r->nreq;) {
		struct rreq *q = r->reqs[i];
		/* Requesters behind the lost link no longer wait. */
		for (j = 0; j < q->nwait;) {
			if (q->w[j].peer == id) {
				q->w[j] = q->w[--q->nwait];
				if (p->from_inflight)
					p->from_inflight--;
			} else {
				j++;
			}
		}
		if (q->nwait == 0) {
			rtr_req_end(r, q);
			continue;
		}
		if (q->state == RS_FORWARDED && q->to == id) {
			r->st.backtracks++;
			rtr_route(r, q, now);
			if (!rtr_room(r))
				return WISP_ERR_FULL;
		}
		if (i < r->nreq && r->reqs[i] == q)
			i++;
	}
	return 0;
}
