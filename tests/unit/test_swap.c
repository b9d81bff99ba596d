/* Location swapping (node/core/swap.h): its records, its decision, whole
 * exchanges between a few nodes, and what a hostile friend may try. */
#include <math.h>
#include <string.h>

#include "node/core/swap.h"
#include "tests/unit/suites.h"

static uint64_t rng;

static void
t_rand(void *ctx, void *buf, size_t n)
{
	uint8_t *p = buf;

	(void)ctx;
	while (n--) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		*p++ = (uint8_t)rng;
	}
}

static const struct swap_ops ops = { t_rand };

/* ---- records ---- */

static void
roundtrip(const struct swap_msg *m)
{
	uint8_t buf[SWAP_MSG_MAX];
	struct swap_msg d;
	size_t len;

	ck_assert_int_eq(swap_msg_encode(m, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(swap_msg_decode(&d, buf, len), 0);
	ck_assert_uint_eq(d.kind, m->kind);
	ck_assert_uint_eq(d.uid, m->kind == SWAP_LOCATIONS ? 0 : m->uid);
	ck_assert_uint_eq(d.rv.n, m->rv.n);
	ck_assert_mem_eq(d.rv.locs, m->rv.locs, m->rv.n * sizeof(uint64_t));
	/* every shorter prefix and one more byte are refused */
	while (len--)
		ck_assert_int_eq(swap_msg_decode(&d, buf, len), WISP_ERR_MALFORMED);
}

START_TEST(test_swap_records)
{
	struct swap_msg m;
	uint8_t buf[SWAP_MSG_MAX + 1];
	size_t len;
	unsigned k, i;

	for (k = SWAP_REQUEST; k <= SWAP_LOCATIONS; k++) {
		memset(&m, 0, sizeof(m));
		m.kind = (uint8_t)k;
		m.uid = 0x0102030405060708ull;
		m.htl = 7;
		memset(m.commit, 0xc0, 32);
		memset(m.rv.loc, 0x11, 32);
		memset(m.rv.nonce, 0x22, 32);
		m.rv.n = (k == SWAP_OPEN_A || k == SWAP_LOCATIONS) ? SWAP_FRIENDS_MAX : (k == SWAP_OPEN_B ? 3 : 0);
		for (i = 0; i < m.rv.n; i++)
			m.rv.locs[i] = i * 0x0101010101010101ull;
		roundtrip(&m);
	}
	/* the largest record fits SWAP_MSG_MAX exactly */
	m.kind = SWAP_OPEN_A;
	m.rv.n = SWAP_FRIENDS_MAX;
	ck_assert_int_eq(swap_msg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, SWAP_MSG_MAX);
	buf[len] = 0; /* trailing bytes */
	ck_assert_int_eq(swap_msg_decode(&m, buf, len + 1), WISP_ERR_MALFORMED);
	/* too many friends */
	buf[1 + 8 + 32 + 32] = SWAP_FRIENDS_MAX + 1;
	ck_assert_int_eq(swap_msg_decode(&m, buf, len), WISP_ERR_MALFORMED);
	/* kinds and HTLs out of range */
	memset(&m, 0, sizeof(m));
	m.kind = SWAP_REQUEST;
	m.htl = 1;
	ck_assert_int_eq(swap_msg_encode(&m, buf, sizeof(buf), &len), 0);
	buf[9] = 0;
	ck_assert_int_eq(swap_msg_decode(&m, buf, len), WISP_ERR_MALFORMED);
	buf[9] = SWAP_HTL_MAX + 1;
	ck_assert_int_eq(swap_msg_decode(&m, buf, len), WISP_ERR_MALFORMED);
	buf[9] = SWAP_HTL_MAX;
	ck_assert_int_eq(swap_msg_decode(&m, buf, len), 0);
	buf[0] = 0;
	ck_assert_int_eq(swap_msg_decode(&m, buf, len), WISP_ERR_MALFORMED);
	buf[0] = SWAP_LOCATIONS + 1;
	ck_assert_int_eq(swap_msg_decode(&m, buf, len), WISP_ERR_MALFORMED);
	ck_assert_int_eq(swap_msg_decode(&m, buf, 0), WISP_ERR_MALFORMED);
}
END_TEST

/* ---- the decision ---- */

static void
at(uint8_t loc[32], double x)
{
	uint64_t v = (uint64_t)(x * 18446744073709551616.0);
	int i;

	memset(loc, 0, 32);
	for (i = 0; i < 8; i++)
		loc[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t
at64(double x)
{
	return (uint64_t)(x * 18446744073709551616.0);
}

START_TEST(test_swap_decide)
{
	struct swap_reveal a, b;
	unsigned i, yes = 0, trials = 4000;

	rng = 88172645463325252ull;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	/* a at 0.1 among friends near 0.6; b at 0.6 among friends near 0.1:
	 * exchanging brings both home */
	at(a.loc, 0.1);
	at(b.loc, 0.6);
	a.n = b.n = 2;
	a.locs[0] = at64(0.58), a.locs[1] = at64(0.62);
	b.locs[0] = at64(0.08), b.locs[1] = at64(0.12);
	ck_assert_int_eq(swap_decide(&a, &b), 1);
	/* the other way round it would tear both away: a coin decides, and
	 * at odds of (0.02 * 0.02)^2 / (0.48 * 0.48)^2 it says no */
	at(a.loc, 0.6);
	at(b.loc, 0.1);
	for (i = 0; i < 200; i++) {
		t_rand(NULL, a.nonce, 32);
		ck_assert_int_eq(swap_decide(&a, &b), 0);
	}
	/* a worse exchange is taken with the odds of the products: a at 0.25,
	 * its friend 0.05 away, would be 0.15 away at 0.45; b at 0.45, its
	 * friend at 2/3, would be 5/12 away instead of 13/60 */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	at(a.loc, 0.25);
	at(b.loc, 0.45);
	a.n = 1;
	a.locs[0] = at64(0.30);    /* 0.05 before, 0.15 after */
	b.n = 1;
	b.locs[0] = at64(0.5 + 1.0 / 6); /* 0.2166.. before, 0.4166.. after */
	/* the product grows by 5.77: odds 0.173 */
	for (i = 0; i < trials; i++) {
		t_rand(NULL, a.nonce, 32);
		t_rand(NULL, b.nonce, 32);
		yes += (unsigned)swap_decide(&a, &b);
	}
	ck_assert_msg(fabs(yes / (double)trials - 0.05 * (0.5 + 1.0 / 6 - 0.45) / (0.15 * (0.5 + 1.0 / 6 - 0.25))) < 0.03,
	    "accepted %u of %u", yes, trials);
	/* the partner that is also a friend: its entry moves with it.
	 * a at 0.2 and b at 0.3 are friends; a's other friend is at 0.31:
	 * after the exchange a at 0.3 sits next to it, and b at 0.2 still
	 * has a (now at 0.3) as its only friend: a plain improvement */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	at(a.loc, 0.2);
	at(b.loc, 0.3);
	a.n = 2;
	a.locs[0] = at64(0.3), a.locs[1] = at64(0.31);
	b.n = 1;
	b.locs[0] = at64(0.2);
	ck_assert_int_eq(swap_decide(&a, &b), 1);
	/* both ends compute the same from the same reveals */
	ck_assert_int_eq(swap_decide(&a, &b), swap_decide(&a, &b));
}
END_TEST

/* ---- exchanges between nodes ---- */

enum { NODES = 8 };

static struct swap *sw[NODES];
static uint8_t where[NODES][32];
static int adj[NODES][NODES];
static uint64_t now_ms;
static unsigned moved[NODES], friend_told[NODES];
/* tamper: called with each record before it is delivered; 0 drops it */
static int (*tamper)(uint32_t from, uint32_t to, struct swap_msg *m);

static void
net_new(unsigned n, const struct swap_config *c)
{
	unsigned i;

	rng = 88172645463325252ull;
	now_ms = 1000;
	memset(adj, 0, sizeof(adj));
	memset(moved, 0, sizeof(moved));
	memset(friend_told, 0, sizeof(friend_told));
	tamper = NULL;
	for (i = 0; i < n; i++) {
		at(where[i], (i + 0.5) / 16);
		ck_assert_int_eq(swap_new(&sw[i], c, &ops, NULL, where[i], now_ms), 0);
	}
}

static void
net_link(uint32_t a, uint32_t b)
{
	adj[a][b] = adj[b][a] = 1;
	ck_assert_int_eq(swap_link_up(sw[a], b, where[b], now_ms), 0);
	ck_assert_int_eq(swap_link_up(sw[b], a, where[a], now_ms), 0);
}

static void
net_free(unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		swap_free(sw[i]);
}

/* run delivers every action until the network is quiet. */
static void
run(unsigned n)
{
	const struct swap_action *a;
	int busy = 1;
	unsigned i, rounds = 0;
	struct swap_msg m;

	while (busy) {
		ck_assert_uint_lt(rounds++, 10000);
		busy = 0;
		for (i = 0; i < n; i++)
			while ((a = swap_poll(sw[i]))) {
				busy = 1;
				switch (a->type) {
				case SWAP_ACT_SEND:
					ck_assert_msg(adj[i][a->peer], "%u sent to %u, not a friend", i, a->peer);
					swap_msg_copy(&m, &a->msg);
					if (!tamper || tamper(i, a->peer, &m))
						swap_on_msg(sw[a->peer], i, &m, now_ms);
					break;
				case SWAP_ACT_MOVED:
					memcpy(where[i], a->msg.rv.loc, 32);
					moved[i]++;
					break;
				case SWAP_ACT_FRIEND:
					friend_told[i]++;
					break;
				}
			}
	}
}

static struct swap_config
cfg(uint8_t htl)
{
	struct swap_config c;

	swap_config_default(&c);
	c.htl = htl;
	c.locations_ms = 0;
	return c;
}

static struct swap_stats
stats(unsigned i)
{
	struct swap_stats st;

	swap_stats(sw[i], &st);
	return st;
}

/* A chain 0 - 1 - 2 with HTL 2: a walk from 0 ends at 2, through 1.
 * 0 sits at 0.03, 2 at 0.16, 1 in between: 0 and 2 have the same one
 * friend, so an exchange changes nothing (gain 0): they swap. */
START_TEST(test_swap_exchange_through_a_relay)
{
	struct swap_config c = cfg(2);
	uint8_t l0[32], l2[32];

	net_new(3, &c);
	net_link(0, 1);
	net_link(1, 2);
	run(3);
	memcpy(l0, where[0], 32);
	memcpy(l2, where[2], 32);
	friend_told[1] = 0;
	/* the coin at full HTL may keep it at 2 for a hop: try until a walk
	 * ends at 2 (an end of the chain refuses nothing, it is the end) */
	swap_start(sw[0], now_ms);
	run(3);
	ck_assert_uint_eq(stats(0).attempts, 1);
	ck_assert_uint_eq(stats(1).relayed, 1);
	ck_assert_uint_eq(stats(2).partnered, 1);
	ck_assert_uint_eq(stats(0).swapped, 1);
	ck_assert_uint_eq(stats(2).swapped, 1);
	ck_assert_mem_eq(where[0], l2, 32);
	ck_assert_mem_eq(where[2], l0, 32);
	ck_assert_mem_eq(swap_location(sw[0]), l2, 32);
	ck_assert_uint_eq(moved[0], 1);
	ck_assert_uint_eq(moved[2], 1);
	ck_assert_uint_eq(moved[1], 0);
	/* 1 hears of both moves */
	ck_assert_uint_ge(friend_told[1], 2);
	net_free(3);
}
END_TEST

/* A star: 0 in the middle with 1..4 around it; every walk of HTL 1 from
 * the middle ends at a leaf. Many attempts: the locations stay a
 * permutation of the ones there were, and every node ends with one. */
START_TEST(test_swap_keeps_a_permutation)
{
	struct swap_config c = cfg(1);
	uint8_t before[5][32];
	unsigned i, j, k, found;

	net_new(5, &c);
	for (i = 1; i < 5; i++)
		net_link(0, i);
	run(5);
	memcpy(before, where, sizeof(before));
	for (k = 0; k < 200; k++) {
		swap_start(sw[k % 5], now_ms);
		run(5);
	}
	for (i = 0; i < 5; i++) {
		for (j = 0, found = 0; j < 5; j++)
			found += memcmp(where[i], before[j], 32) == 0;
		ck_assert_uint_eq(found, 1);
		ck_assert_mem_eq(swap_location(sw[i]), where[i], 32);
		for (j = i + 1; j < 5; j++)
			ck_assert(memcmp(where[i], where[j], 32) != 0);
	}
	ck_assert_uint_gt(stats(0).swapped, 0);
	net_free(5);
}
END_TEST

/* A triangle with walks longer than it: a walk passes a node twice, its
 * initiator too, and every record still finds its way to the right end
 * (nothing decided on a wrong reveal, nothing left waiting). */
START_TEST(test_swap_walks_in_circles)
{
	struct swap_config c = cfg(6);
	uint8_t before[3][32];
	unsigned i, j, k, found, partnered = 0, bad = 0;

	net_new(3, &c);
	net_link(0, 1);
	net_link(1, 2);
	net_link(2, 0);
	run(3);
	memcpy(before, where, sizeof(before));
	for (k = 0; k < 300; k++) {
		now_ms += 1000; /* within the friends' rate */
		swap_start(sw[k % 3], now_ms);
		run(3);
	}
	for (i = 0; i < 3; i++) {
		for (j = 0, found = 0; j < 3; j++)
			found += memcmp(where[i], before[j], 32) == 0;
		ck_assert_uint_eq(found, 1);
		partnered += (unsigned)stats(i).partnered;
		bad += (unsigned)stats(i).bad_reveal;
		ck_assert_uint_eq(stats(i).attempts, 100); /* never left locked */
	}
	ck_assert_uint_gt(partnered, 50); /* the rest ended back at their start */
	ck_assert_uint_eq(bad, 0);
	net_free(3);
}
END_TEST

/* tampering friends */

static int
forge_open(uint32_t from, uint32_t to, struct swap_msg *m)
{
	(void)from;
	(void)to;
	if (m->kind == SWAP_OPEN_A)
		m->rv.loc[5] ^= 1; /* another location than committed to */
	return 1;
}

static struct swap_msg replay;
static int have_replay;

static int
keep_open(uint32_t from, uint32_t to, struct swap_msg *m)
{
	(void)from;
	(void)to;
	if (m->kind == SWAP_OPEN_A && !have_replay) {
		swap_msg_copy(&replay, m);
		have_replay = 1;
	}
	return 1;
}

START_TEST(test_swap_refuses_a_broken_commitment)
{
	struct swap_config c = cfg(1);
	uint8_t l0[32], l1[32];

	net_new(2, &c);
	net_link(0, 1);
	run(2);
	memcpy(l0, where[0], 32);
	memcpy(l1, where[1], 32);
	tamper = forge_open;
	swap_start(sw[0], now_ms);
	run(2);
	ck_assert_uint_eq(stats(1).bad_reveal, 1);
	ck_assert_uint_eq(stats(0).refused, 1); /* told so, and free again */
	ck_assert_uint_eq(stats(0).swapped + stats(1).swapped, 0);
	ck_assert_mem_eq(where[0], l0, 32);
	ck_assert_mem_eq(where[1], l1, 32);
	/* a fair one afterwards goes through */
	tamper = NULL;
	swap_start(sw[0], now_ms);
	run(2);
	ck_assert_uint_eq(stats(1).partnered, 2);
	net_free(2);
}
END_TEST

START_TEST(test_swap_ignores_a_replayed_reveal)
{
	struct swap_config c = cfg(1);
	uint8_t l[2][32];
	struct swap_stats st;

	net_new(2, &c);
	net_link(0, 1);
	run(2);
	have_replay = 0;
	tamper = keep_open;
	swap_start(sw[0], now_ms);
	run(2);
	ck_assert(have_replay);
	memcpy(l, where, sizeof(l));
	st = stats(1);
	/* the same OPEN_A again, once the walk is over: nothing moves */
	swap_on_msg(sw[1], 0, &replay, now_ms);
	ck_assert_uint_eq(stats(1).ignored, st.ignored + 1);
	ck_assert_ptr_null(swap_poll(sw[1]));
	/* and a REPLY, an OPEN_B and a REFUSED for a walk no one knows */
	replay.kind = SWAP_OPEN_B;
	swap_on_msg(sw[0], 1, &replay, now_ms);
	replay.kind = SWAP_REPLY;
	swap_on_msg(sw[0], 1, &replay, now_ms);
	replay.kind = SWAP_REFUSED;
	swap_on_msg(sw[0], 1, &replay, now_ms);
	ck_assert_uint_eq(stats(0).ignored, 3);
	run(2);
	ck_assert_mem_eq(where, l, sizeof(l));
	/* from a node that is not a friend: ignored too */
	swap_on_msg(sw[0], 7, &replay, now_ms);
	ck_assert_uint_eq(stats(0).ignored, 4);
	net_free(2);
}
END_TEST

START_TEST(test_swap_wrong_side_is_ignored)
{
	struct swap_config c = cfg(2);
	const struct swap_action *a;
	struct swap_msg m;
	unsigned i;

	net_new(3, &c);
	net_link(0, 1);
	net_link(1, 2);
	run(3);
	swap_start(sw[0], now_ms);
	a = swap_poll(sw[0]);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->msg.kind, SWAP_REQUEST);
	swap_msg_copy(&m, &a->msg);
	swap_on_msg(sw[1], 0, &m, now_ms);
	a = swap_poll(sw[1]);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->peer, 2); /* relayed on */
	/* an answer to it that comes from the side it came from is not one */
	m.kind = SWAP_REPLY;
	swap_on_msg(sw[1], 0, &m, now_ms);
	ck_assert_ptr_null(swap_poll(sw[1]));
	ck_assert_uint_eq(stats(1).ignored, 1);
	/* the same request again: a walk may pass a node a few times (in a
	 * cycle of friends), a replay past that is refused */
	m.kind = SWAP_REQUEST;
	m.htl = 2;
	for (i = 1; i < SWAP_VISITS_MAX; i++) {
		swap_on_msg(sw[1], 0, &m, now_ms);
		a = swap_poll(sw[1]);
		ck_assert_ptr_nonnull(a);
		ck_assert_uint_eq(a->peer, 2);
	}
	swap_on_msg(sw[1], 0, &m, now_ms);
	a = swap_poll(sw[1]);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->peer, 0);
	ck_assert_uint_eq(a->msg.kind, SWAP_REFUSED);
	net_free(3);
}
END_TEST

START_TEST(test_swap_rate_limits_a_flood)
{
	struct swap_config c = cfg(1);
	const struct swap_action *a;
	struct swap_msg m;
	unsigned i, refused = 0, answered = 0;

	c.burst = 4;
	c.refill_ms = 1000;
	net_new(2, &c);
	net_link(0, 1);
	run(2);
	memset(&m, 0, sizeof(m));
	m.kind = SWAP_REQUEST;
	m.htl = 1;
	for (i = 0; i < 20; i++) {
		m.uid = 100 + i;
		swap_on_msg(sw[1], 0, &m, now_ms);
		while ((a = swap_poll(sw[1]))) {
			refused += a->msg.kind == SWAP_REFUSED;
			answered += a->msg.kind == SWAP_REPLY;
		}
	}
	/* one becomes a walk with 1 as its partner; 3 more are within the
	 * burst but find it busy; 16 past the burst are refused unread */
	ck_assert_uint_eq(answered, 1);
	ck_assert_uint_eq(refused, 19);
	ck_assert_uint_eq(stats(1).rate_limited, 16);
	/* a second later, one more is let in */
	m.uid = 500;
	swap_on_msg(sw[1], 0, &m, now_ms + 1000);
	ck_assert_uint_eq(stats(1).rate_limited, 16);
	/* LOCATIONS past the burst are dropped */
	memset(&m, 0, sizeof(m));
	m.kind = SWAP_LOCATIONS;
	for (i = 0; i < 10; i++)
		swap_on_msg(sw[1], 0, &m, now_ms);
	for (i = 0; (a = swap_poll(sw[1])); )
		i += a->type == SWAP_ACT_FRIEND;
	ck_assert_uint_le(i, 4);
	ck_assert_uint_ge(stats(1).rate_limited, 16 + 6);
	net_free(2);
}
END_TEST

/* A relay keeps at most SWAP_RELAYS_MAX walks; past that it refuses. */
START_TEST(test_swap_relay_table_is_bounded)
{
	struct swap_config c = cfg(2);
	const struct swap_action *a;
	struct swap_msg m;
	unsigned i, relayed = 0, refused = 0;

	c.burst = 1000;
	net_new(3, &c);
	net_link(0, 1);
	net_link(1, 2);
	run(3);
	memset(&m, 0, sizeof(m));
	m.kind = SWAP_REQUEST;
	m.htl = 2;
	for (i = 0; i < SWAP_RELAYS_MAX + 6; i++) {
		m.uid = 1000 + i;
		swap_on_msg(sw[1], 0, &m, now_ms);
		while ((a = swap_poll(sw[1]))) {
			relayed += a->peer == 2 && a->msg.kind == SWAP_REQUEST;
			refused += a->peer == 0 && a->msg.kind == SWAP_REFUSED;
		}
	}
	ck_assert_uint_eq(relayed, SWAP_RELAYS_MAX);
	ck_assert_uint_eq(refused, 6);
	/* walks that time out make room again */
	swap_on_timer(sw[1], now_ms + c.timeout_ms);
	while (swap_poll(sw[1]))
		;
	m.uid = 5000;
	swap_on_msg(sw[1], 0, &m, now_ms + c.timeout_ms);
	a = swap_poll(sw[1]);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->peer, 2);
	net_free(3);
}
END_TEST

START_TEST(test_swap_times_out_and_link_loss_ends_walks)
{
	struct swap_config c = cfg(2);
	const struct swap_action *a;
	struct swap_msg m;

	c.timeout_ms = 5000;
	net_new(3, &c);
	net_link(0, 1);
	net_link(1, 2);
	run(3);
	/* 0's walk reaches 1, which relays it to 2; 2 never hears it */
	swap_start(sw[0], now_ms);
	a = swap_poll(sw[0]);
	swap_msg_copy(&m, &a->msg);
	swap_on_msg(sw[1], 0, &m, now_ms);
	a = swap_poll(sw[1]);
	ck_assert_uint_eq(a->peer, 2);
	/* 2's link drops: 1 tells 0 the walk is over */
	swap_link_down(sw[1], 2, now_ms);
	while ((a = swap_poll(sw[1])) && a->msg.kind != SWAP_REFUSED)
		;
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->peer, 0);
	/* 0 on its own: past its deadline it gives up, and says so */
	ck_assert_uint_le(swap_next_deadline(sw[0]), now_ms + 5000);
	swap_on_timer(sw[0], now_ms + 5000);
	ck_assert_uint_eq(stats(0).timeouts, 1);
	while ((a = swap_poll(sw[0])) && !(a->type == SWAP_ACT_SEND && a->msg.kind == SWAP_REFUSED))
		;
	ck_assert_ptr_nonnull(a);
	/* and it may start another */
	swap_start(sw[0], now_ms + 5000);
	ck_assert_uint_eq(stats(0).attempts, 2);
	net_free(3);
}
END_TEST

/* LOCATIONS: a friend is told ours and our other friends' when a link
 * comes up, and again when one of them moves; never its own. */
START_TEST(test_swap_tells_friends_friends)
{
	struct swap_config c = cfg(1);
	const struct swap_action *a;
	struct swap_msg m;
	unsigned n = 0;

	c.locations_ms = 1000;
	net_new(3, &c);
	ck_assert_int_eq(swap_link_up(sw[1], 0, where[0], now_ms), 0);
	ck_assert_int_eq(swap_link_up(sw[1], 2, where[2], now_ms), 0);
	while ((a = swap_poll(sw[1]))) {
		ck_assert_uint_eq(a->msg.kind, SWAP_LOCATIONS);
		ck_assert_mem_eq(a->msg.rv.loc, where[1], 32);
		if (a->peer == 0 && a->msg.rv.n == 1) {
			ck_assert_uint_eq(a->msg.rv.locs[0], router_loc64(where[2]));
			n++;
		}
	}
	/* 0 was told before 2 was up, then again once allowed */
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(swap_next_deadline(sw[1]) <= now_ms + 1000, 1);
	swap_on_timer(sw[1], now_ms + 1000);
	while ((a = swap_poll(sw[1])))
		if (a->type == SWAP_ACT_SEND && a->peer == 0 && a->msg.rv.n == 1 &&
		    a->msg.rv.locs[0] == router_loc64(where[2]))
			n++;
	ck_assert_uint_eq(n, 1);
	/* 2 moves: 1 passes it on to 0 */
	memset(&m, 0, sizeof(m));
	m.kind = SWAP_LOCATIONS;
	at(m.rv.loc, 0.9);
	swap_on_msg(sw[1], 2, &m, now_ms + 3000);
	a = swap_poll(sw[1]);
	ck_assert_uint_eq(a->type, SWAP_ACT_FRIEND);
	ck_assert_uint_eq(a->peer, 2);
	a = swap_poll(sw[1]);
	ck_assert_uint_eq(a->type, SWAP_ACT_SEND);
	ck_assert_uint_eq(a->peer, 0);
	ck_assert_uint_eq(a->msg.rv.locs[0], at64(0.9));
	net_free(3);
}
END_TEST

/* Pitch Black: with reset_ppm every attempt is a fresh random location. */
START_TEST(test_swap_resets_location)
{
	struct swap_config c = cfg(1);
	uint8_t l0[32];

	c.reset_ppm = 1000000;
	net_new(2, &c);
	net_link(0, 1);
	run(2);
	memcpy(l0, where[0], 32);
	swap_start(sw[0], now_ms);
	run(2);
	ck_assert_uint_eq(stats(0).reset, 1);
	ck_assert_uint_eq(stats(0).attempts, 0);
	ck_assert(memcmp(where[0], l0, 32) != 0);
	ck_assert_uint_ge(friend_told[1], 1);
	net_free(2);
}
END_TEST

Suite *
swap_suite(void)
{
	Suite *s = suite_create("swap");
	TCase *tc = tcase_create("swap");

	tcase_add_test(tc, test_swap_records);
	tcase_add_test(tc, test_swap_decide);
	tcase_add_test(tc, test_swap_exchange_through_a_relay);
	tcase_add_test(tc, test_swap_keeps_a_permutation);
	tcase_add_test(tc, test_swap_walks_in_circles);
	tcase_add_test(tc, test_swap_refuses_a_broken_commitment);
	tcase_add_test(tc, test_swap_ignores_a_replayed_reveal);
	tcase_add_test(tc, test_swap_wrong_side_is_ignored);
	tcase_add_test(tc, test_swap_rate_limits_a_flood);
	tcase_add_test(tc, test_swap_relay_table_is_bounded);
	tcase_add_test(tc, test_swap_times_out_and_link_loss_ends_walks);
	tcase_add_test(tc, test_swap_tells_friends_friends);
	tcase_add_test(tc, test_swap_resets_location);
	suite_add_tcase(s, tc);
	return s;
}
