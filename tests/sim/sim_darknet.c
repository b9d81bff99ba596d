/* wisp-sim's darknet model: a fixed friend graph (Kleinberg's small world
 * on a ring), with wispd's location swapping and friend-of-a-friend
 * routing (node/core/swap.c; docs/sim.md, "Darknet"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"
#include "tests/sim/simnet_int.h"

static int foaf_on;
static void swaps_start(int active);

/* ---- the darknet: a fixed friend graph ---- */

static void
friend_add(uint32_t a, uint32_t b)
{
	uint32_t i;

	if (a == b)
		return;
	for (i = 0; i < S.deg[a]; i++)
		if (S.adj[a][i] == b)
			return;
	S.adj[a] = xrealloc(S.adj[a], (S.deg[a] + 1) * sizeof(uint32_t));
	S.adj[a][S.deg[a]++] = b;
	S.adj[b] = xrealloc(S.adj[b], (S.deg[b] + 1) * sizeof(uint32_t));
	S.adj[b][S.deg[b]++] = a;
	link_both(a, b);
}

/* darknet: N nodes on a ring, each with (degree - 2) / 2 more friends at
 * ring distance d drawn with probability proportional to 1/d (Kleinberg's
 * small world, which greedy routing can use once locations follow the
 * ring). Locations start random: nothing about the graph is in them. */
void
darknet(uint32_t n, unsigned degree, unsigned flags)
{
	uint32_t i, k;
	double hn = 0;

	S.hooks = NULL; /* friends only: the driver's rules as they are */
	S.adj = calloc(n, sizeof(*S.adj));
	S.deg = calloc(n, sizeof(*S.deg));
	if (!S.adj || !S.deg)
		die("out of memory");
	for (i = 0; i < n; i++)
		(void)node_new();
	for (i = 1; i <= n / 2; i++)
		hn += 1.0 / i;
	for (i = 0; i < n; i++)
		friend_add(i, (i + 1) % n);
	for (i = 0; i < n; i++) {
		for (k = 0; k + 2 < degree; k += 2) {
			/* d from the harmonic distribution on 1..n/2 */
			double u = rnd_unit() * hn, c = 0;
			uint32_t d = 1;
			for (d = 1; d < n / 2; d++) {
				c += 1.0 / d;
				if (c >= u)
					break;
			}
			friend_add(i, (uint32_t)((i + (rnd_below(2) ? d : n - d)) % n));
		}
	}
	foaf_on = (flags & DARK_FOAF) != 0;
	if (flags)
		swaps_start((flags & DARK_SWAP) != 0);
}

/* ---- swapping: wispd's swap.c, its messages delivered at once ---- */

static void sw_rand(void *ctx, void *buf, size_t n) { (void)ctx; rnd_bytes(buf, n); }
static const struct swap_ops sw_ops = { sw_rand };

/* Nodes with swap actions to carry out, in order (a ring of S.n). */
static uint32_t *work;
static uint8_t *queued;
static uint32_t work_head, work_n;

static void
wake(uint32_t x)
{
	if (queued[x])
		return;
	queued[x] = 1;
	work[(work_head + work_n++) % S.n] = x;
}

/* pump carries out |x|'s swap actions and those they cause, until the
 * network is quiet: a message reaches its friend as soon as it is sent. */
static void
pump(uint32_t x)
{
	const struct swap_action *a;

	wake(x);
	while (work_n) {
		x = work[work_head];
		work_head = (work_head + 1) % S.n;
		work_n--;
		queued[x] = 0;
		while ((a = swap_poll(S.nodes[x].sw))) {
			uint32_t to = a->peer;
			switch (a->type) {
			case SWAP_ACT_SEND:
				S.swap_messages++;
				swap_on_msg(S.nodes[to].sw, x, &a->msg, S.now);
				wake(to);
				break;
			case SWAP_ACT_MOVED:
				memcpy(S.nodes[x].loc, a->msg.rv.loc, WIRE_KEY_LEN);
				router_set_location(S.nodes[x].r, a->msg.rv.loc);
				break;
			case SWAP_ACT_FRIEND:
				if (router_link_up(S.nodes[x].r, to, a->msg.rv.loc, S.now) != 0 ||
				    (foaf_on && router_peer_foaf(S.nodes[x].r, to, a->msg.rv.locs, a->msg.rv.n) != 0))
					die("router_link_up failed");
				break;
			}
		}
	}
}

/* swaps_start gives every node wispd's swapping (|active|: attempts, when
 * swap_once says; else only the friends' lists), at the simulator's
 * pace: no rate limits. */
static void
swaps_start(int active)
{
	struct swap_config c;
	uint32_t x, i;

	free(work);
	free(queued);
	work = xrealloc(NULL, S.n * sizeof(*work));
	queued = xrealloc(NULL, S.n);
	memset(queued, 0, S.n);
	work_head = work_n = 0;
	swap_config_default(&c);
	c.locations_ms = 0;
	c.refill_ms = 0;
	c.active = (uint8_t)active;
	for (x = 0; x < S.n; x++)
		if (swap_new(&S.nodes[x].sw, &c, &sw_ops, NULL, S.nodes[x].loc, S.now) != 0)
			die("swap_new failed");
	for (x = 0; x < S.n; x++)
		for (i = 0; i < S.deg[x]; i++)
			if (swap_link_up(S.nodes[x].sw, S.adj[x][i], S.nodes[S.adj[x][i]].loc, S.now) != 0)
				die("swap_link_up failed");
	for (x = 0; x < S.n; x++)
		pump(x);
}

/* swap_once: a random node's attempt, carried to its end. Returns 1 if
 * it swapped. */
int
swap_once(void)
{
	uint32_t a = rnd_below(S.n);
	struct swap_stats before, after;

	swap_stats(S.nodes[a].sw, &before);
	swap_start(S.nodes[a].sw, S.now);
	pump(a);
	swap_stats(S.nodes[a].sw, &after);
	return after.swapped > before.swapped;
}

