/* wisp-sim's darknet model: a fixed friend graph (Kleinberg's small world
 * on a ring), with Sandberg's location swapping (docs/sim.md, "Darknet"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"
#include "tests/sim/simnet_int.h"

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
darknet(uint32_t n, unsigned degree)
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
}

static double
loc_pos(const uint8_t loc[WIRE_KEY_LEN])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | loc[i];
	return (double)v / 18446744073709551616.0;
}

static double
circ(double a, double b)
{
	double d = fabs(a - b);

	return d < 0.5 ? d : 1 - d;
}

/* log of the product of a node's distances to its friends, were it at |at| */
static double
log_dist(uint32_t x, double at, uint32_t skip)
{
	double s = 0;
	uint32_t i;

	for (i = 0; i < S.deg[x]; i++) {
		uint32_t f = S.adj[x][i];
		double d = circ(at, loc_pos(S.nodes[f == skip ? x : f].loc));
		s += log(d > 1e-12 ? d : 1e-12);
	}
	return s;
}

/* swap_once: Sandberg's Metropolis-Hastings step. A node finds a partner
 * by a random walk of 6 friends; they exchange locations if that brings
 * their friends closer (the product of distances falls), or else with
 * the ratio of the products as the probability. Every friend's router
 * learns the new locations. Returns 1 on a swap. */
int
swap_once(void)
{
	uint32_t a = rnd_below(S.n), b = a, i;
	uint8_t t[WIRE_KEY_LEN];
	double before, after;

	for (i = 0; i < 6; i++)
		b = S.adj[b][rnd_below(S.deg[b])];
	if (a == b)
		return 0;
	before = log_dist(a, loc_pos(S.nodes[a].loc), UINT32_MAX) + log_dist(b, loc_pos(S.nodes[b].loc), UINT32_MAX);
	after = log_dist(a, loc_pos(S.nodes[b].loc), b) + log_dist(b, loc_pos(S.nodes[a].loc), a);
	if (after > before && rnd_unit() >= exp(before - after))
		return 0;
	memcpy(t, S.nodes[a].loc, WIRE_KEY_LEN);
	memcpy(S.nodes[a].loc, S.nodes[b].loc, WIRE_KEY_LEN);
	memcpy(S.nodes[b].loc, t, WIRE_KEY_LEN);
	for (i = 0; i < S.deg[a]; i++)
		link_one(S.adj[a][i], a);
	for (i = 0; i < S.deg[b]; i++)
		link_one(S.adj[b][i], b);
	return 1;
}


