/* wisp-sim's opennet model: wispd's own, bounded peers under the pure
 * policy of node/core/opennet_policy.c, grown from one seed by
 * announcement and path folding (docs/sim.md, "Opennet"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"
#include "tests/sim/simnet_int.h"

/* ---- the opennet ---- */

struct opennet_config ocfg;
uint32_t open_seed;          /* the one seed every newcomer knows */

static const struct sim_hooks opennet_hooks;

static int linked(uint32_t a, uint32_t b) { return router_peer_entries(S.nodes[a].r, b) >= 0; }

void
open_node(uint32_t id)
{
	S.hooks = &opennet_hooks;
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

/* open_arrive: an announcement meets the policy before the router. */
static int
open_arrive(const struct ev *e)
{
	return e->m.type == WIRE_ANNOUNCE && open_announced(e->to, e->from, &e->m) != 0;
}

static const struct sim_hooks opennet_hooks = { .arrive = open_arrive, .op_end = dials_run };

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

