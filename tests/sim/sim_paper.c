/* wisp-sim's open model, the Freenet paper's (Clarke et al., 2000): any
 * node may contact any other, a reply's data source becomes a contact,
 * newcomers join by announcement. E1, E2 and E3 run on it (docs/sim.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"
#include "tests/sim/simnet_int.h"


/* ---- the model's rules in the driver ---- */

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

/* Open network: a node may be contacted by any other; the contact makes
 * them peers (as a connection would) until the operation is over, unless
 * a routing entry keeps it. */
static int
paper_arrive(const struct ev *e)
{
	if ((e->m.type == WIRE_REQUEST || e->m.type == WIRE_INSERT) &&
	    router_peer_entries(S.nodes[e->to].r, e->from) < 0) {
		link_one(e->to, e->from);
		contact_add(e->to, e->from);
	}
	return 0;
}

/* The paper's rule: a reply teaches where the data came from, and the
 * node may contact that source directly from now on. */
static void
paper_arrived(const struct ev *e)
{
	uint32_t src;

	if (e->m.type != WIRE_DATA)
		return;
	src = hash_get(&S.lhash, prefix(e->m.source));
	if (src && src - 1 != e->to && S.nodes[src - 1].alive) {
		link_one(e->to, src - 1);
		if (router_rtable_learn(S.nodes[e->to].r, e->m.key, src - 1) != 0)
			die("learn failed");
	}
}

/* The paper's insert: every node the insert reached also files the key
 * under the inserter and may contact it directly: Freenet (2000) carried
 * the inserter as the insert's data source. (wisp's wire format does not:
 * a darknet insert names no one.) */
static void
paper_inserted(uint32_t at, uint32_t doc)
{
	size_t i;

	for (i = 0; i < S.nreached; i++) {
		uint32_t y = S.reached[i];
		if (y == at || !S.nodes[y].alive)
			continue;
		link_one(y, at);
		if (router_rtable_learn(S.nodes[y].r, S.keys[doc], at) != 0)
			die("learn failed");
	}
}

static const struct sim_hooks paper_hooks = {
	.arrive = paper_arrive,
	.arrived = paper_arrived,
	.op_end = contacts_close,
	.inserted = paper_inserted,
};

/* ---- building the network ---- */

/* ring: the paper's start, each node knowing two neighbours each side. */
void
ring(uint32_t n)
{
	uint32_t i, k;

	S.hooks = &paper_hooks;
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

	S.hooks = &paper_hooks;
	id = node_new();
	announce_from(seed, id);
	for (p = 1; p < announce_paths; p++) {
		do
			seed = random_alive();
		while (seed == id);
		announce_from(seed, id);
	}
}

