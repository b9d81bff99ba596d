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
static void liar_on_msg(uint32_t x, uint32_t from, const struct swap_msg *m);
static void liars_free(void);

uint32_t dark_reset_ppm;

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
				if (S.nodes[to].evil) {
					struct swap_msg m; /* the answer goes to x's queue, where a is */
					swap_msg_copy(&m, &a->msg);
					liar_on_msg(to, x, &m);
				} else {
					swap_on_msg(S.nodes[to].sw, x, &a->msg, S.now);
					wake(to);
				}
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
static uint8_t liar_htl = 10; /* swap_config_default's, set in swaps_start */

static void
swaps_start(int active)
{
	struct swap_config c;
	uint32_t x, i;

	liars_free();
	free(work);
	free(queued);
	work = xrealloc(NULL, S.n * sizeof(*work));
	queued = xrealloc(NULL, S.n);
	memset(queued, 0, S.n);
	work_head = work_n = 0;
	swap_config_default(&c);
	liar_htl = c.htl; /* a liar's walks are as long as an honest node's */
	c.locations_ms = 0;
	c.refill_ms = 0;
	c.active = (uint8_t)active;
	c.reset_ppm = dark_reset_ppm;
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

/* ---- Pitch Black (Evans, GauthierDickey and Grothoff, 2007) ----
 *
 * An attacker speaks the swap records but lies in every reveal: its
 * location is near the target point, its friends are 64 locations at the
 * point opposite, so that its side of the decision always gains and an
 * honest partner is drawn to the point. It never moves: the honest
 * location it was given is dropped, and the next reveal lies again. It
 * ends every walk that reaches it, starts LIAR_RATE walks for each
 * honest one (friends' rate limits allow 16), and routes and stores
 * honestly (the attack is on locations alone). Commit-reveal does not
 * stop it: it never needs to see the other's reveal. */
enum { LIAR_RATE = 4, LIARS_MAX = 4096 };

struct lie {
	uint64_t uid;
	uint32_t at, peer;           /* the liar, the friend the walk goes through */
	uint8_t initiator;
	struct swap_reveal rv;       /* committed to, revealed later */
};

static struct lie *lies;
static unsigned nlies;
static uint64_t pitch_at; /* the target point's top 64 bits */

static void
liars_free(void)
{
	free(lies);
	lies = NULL;
	nlies = 0;
}

static void
near_point(uint8_t loc[WIRE_KEY_LEN], uint64_t p)
{
	/* within 2^-20 of the circle, in integers: a double holds 53 bits */
	uint64_t v = p - ((uint64_t)1 << 43) + (uint64_t)rnd_below(1u << 22) * ((uint64_t)1 << 22);
	unsigned i;

	rnd_bytes(loc, WIRE_KEY_LEN);
	for (i = 0; i < 8; i++)
		loc[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void
lie_reveal(struct swap_reveal *rv)
{
	unsigned i;

	near_point(rv->loc, pitch_at);
	rnd_bytes(rv->nonce, sizeof(rv->nonce));
	rv->n = SWAP_FRIENDS_MAX;
	for (i = 0; i < rv->n; i++)
		rv->locs[i] = pitch_at + ((uint64_t)1 << 63) + (uint64_t)rnd_below(1u << 20) * (1u << 20);
}

/* liar_send: to honest friend |to|, carried out by the pump under way
 * (or the next). */
static void
liar_send(uint32_t x, uint32_t to, const struct swap_msg *m)
{
	S.swap_messages++;
	swap_on_msg(S.nodes[to].sw, x, m, S.now);
	wake(to);
}

static struct lie *
lie_new(uint32_t x, uint32_t peer, uint64_t uid, int initiator)
{
	struct lie *l;

	if (nlies == LIARS_MAX)
		return NULL;
	if (!lies)
		lies = xrealloc(NULL, LIARS_MAX * sizeof(*lies));
	l = &lies[nlies++];
	l->uid = uid;
	l->at = x;
	l->peer = peer;
	l->initiator = (uint8_t)initiator;
	lie_reveal(&l->rv);
	return l;
}

static struct lie *
lie_get(uint32_t x, uint32_t peer, uint64_t uid)
{
	unsigned i;

	for (i = 0; i < nlies; i++)
		if (lies[i].at == x && lies[i].peer == peer && lies[i].uid == uid)
			return &lies[i];
	return NULL;
}

static void
lie_drop(struct lie *l)
{
	*l = lies[--nlies];
}

static void
liar_start(uint32_t x)
{
	struct swap_msg m;
	struct lie *l;

	if (!S.deg[x])
		return;
	memset(&m, 0, sizeof(m));
	m.kind = SWAP_REQUEST;
	m.htl = liar_htl;
	rnd_bytes(&m.uid, sizeof(m.uid));
	if (!(l = lie_new(x, S.adj[x][rnd_below(S.deg[x])], m.uid, 1)))
		return;
	swap_commitment(m.commit, m.uid, &l->rv);
	liar_send(x, l->peer, &m);
	pump(l->peer);
}

/* liar_on_msg: a record reaches attacker |x| from friend |from|. */
static void
liar_on_msg(uint32_t x, uint32_t from, const struct swap_msg *m)
{
	struct lie *l = lie_get(x, from, m->uid);
	struct swap_msg out;

	memset(&out, 0, sizeof(out));
	out.uid = m->uid;
	switch (m->kind) {
	case SWAP_REQUEST: /* every walk that comes here ends here */
		if (l || !(l = lie_new(x, from, m->uid, 0)))
			return;
		out.kind = SWAP_REPLY;
		swap_commitment(out.commit, m->uid, &l->rv);
		liar_send(x, from, &out);
		return;
	case SWAP_REPLY:
	case SWAP_OPEN_A:
		if (!l || (m->kind == SWAP_REPLY) != l->initiator)
			return;
		out.kind = l->initiator ? SWAP_OPEN_A : SWAP_OPEN_B;
		out.rv = l->rv;
		if (!l->initiator)
			lie_drop(l);
		liar_send(x, from, &out);
		return;
	case SWAP_OPEN_B:
	case SWAP_REFUSED:
		if (l)
			lie_drop(l);
		return;
	}
}

/* pitch_black: |count| random nodes turn attacker, aiming at |at|; their
 * friends hear of their new location at once. */
void
pitch_black(uint32_t count, const uint8_t at[WIRE_KEY_LEN])
{
	struct swap_msg m;
	uint32_t x, i, k;

	pitch_at = router_loc64(at);
	for (i = 0; i < count;) {
		x = rnd_below(S.n);
		if (S.nodes[x].evil)
			continue;
		S.nodes[x].evil = 1;
		i++;
		near_point(S.nodes[x].loc, pitch_at);
		router_set_location(S.nodes[x].r, S.nodes[x].loc);
		memset(&m, 0, sizeof(m));
		m.kind = SWAP_LOCATIONS;
		memcpy(m.rv.loc, S.nodes[x].loc, WIRE_KEY_LEN);
		for (k = 0; k < S.deg[x]; k++) {
			liar_send(x, S.adj[x][k], &m);
			pump(S.adj[x][k]);
		}
	}
}

/* circle64: the distance of a and b on the circle of 2^64. */
static uint64_t
circle64(uint64_t a, uint64_t b)
{
	return a - b < b - a ? a - b : b - a;
}

/* dark_near: the share of honest nodes within |arc| (of 2^64) of |at|, in percent. */
double
dark_near(const uint8_t at[WIRE_KEY_LEN], uint64_t arc)
{
	uint64_t p = router_loc64(at), n = 0, h = 0;
	uint32_t x;

	for (x = 0; x < S.n; x++) {
		uint64_t d = circle64(router_loc64(S.nodes[x].loc), p);
		if (S.nodes[x].evil)
			continue;
		h++;
		n += d <= arc;
	}
	return h ? 100.0 * (double)n / (double)h : 0;
}

/* dark_links: the median distance between friends on the circle, in
 * spacings (1/N of it): near 0.5·N/2 for random locations, a few once
 * the locations follow the graph. */
double
dark_links(void)
{
	uint64_t *d = NULL, m = 0;
	uint32_t x, i;
	double r;

	for (x = 0; x < S.n; x++)
		m += S.deg[x];
	if (!m)
		return 0;
	d = xrealloc(NULL, m * sizeof(*d));
	m = 0;
	for (x = 0; x < S.n; x++)
		for (i = 0; i < S.deg[x]; i++)
			if (x < S.adj[x][i])
				d[m++] = circle64(router_loc64(S.nodes[x].loc), router_loc64(S.nodes[S.adj[x][i]].loc));
	qsort(d, m, sizeof(*d), cmp_u64);
	r = (double)d[m / 2] * 0x1p-64 * S.n;
	free(d);
	return r;
}

/* dark_edges: the friend graph, a line "a b" for each pair, a < b. */
int
dark_edges(const char *path)
{
	FILE *f = fopen(path, "w");
	uint32_t x, i;

	if (!f)
		return -1;
	for (x = 0; x < S.n; x++)
		for (i = 0; i < S.deg[x]; i++)
			if (x < S.adj[x][i])
				fprintf(f, "%u %u\n", x, S.adj[x][i]);
	return fclose(f);
}

/* swap_once: a random node's attempt, carried to its end. Returns 1 if
 * it swapped. */
int
swap_once(void)
{
	uint32_t a = rnd_below(S.n), k;
	struct swap_stats before, after;

	if (S.nodes[a].evil) {
		for (k = 0; k < LIAR_RATE; k++)
			liar_start(a);
		return 0;
	}
	swap_stats(S.nodes[a].sw, &before);
	swap_start(S.nodes[a].sw, S.now);
	pump(a);
	swap_stats(S.nodes[a].sw, &after);
	return after.swapped > before.swapped;
}

