/* The router alone: scripted events in, the exact actions out.
 *
 * The tests, in order: distances; loops and ids (loop_rejected to
 * no_in_flight_probe); routing (backtracking, friends' friends, HTL);
 * inserts (collision, reverse path, insert path, a keep's probes and
 * repairs); coalescing and overload; limits; the peer table (eviction,
 * link down); announcements and the data source. Helpers come first:
 * up() links a peer, msg() delivers a message, next()/sent()/none()
 * read the actions. */
#include <stdio.h>
#include <string.h>

#include "node/core/router.h"
#include "tests/unit/suites.h"

static struct router *r;
static uint64_t rng;
static int refs[64];

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

static void t_ref(void *ctx, uint64_t blk) { (void)ctx; refs[blk]++; }
static void t_unref(void *ctx, uint64_t blk) { (void)ctx; ck_assert_int_gt(refs[blk], 0); refs[blk]--; }
static const struct router_ops ops = { t_rand, t_ref, t_unref };

static uint8_t K[32], SELF[32];

/* Peer p's location is |p| in the top byte: distance to K = 0x80.. is
 * easy to read off. */
static void
loc(uint8_t out[32], uint8_t top)
{
	memset(out, 0, 32);
	out[0] = top;
}

static void
setup(void)
{
	struct router_config c;

	router_config_default(&c);
	c.inflight_per_peer = 2;
	rng = 88172645463325252ull;
	memset(refs, 0, sizeof(refs));
	loc(K, 0x80);
	loc(SELF, 0x10);
	ck_assert_int_eq(router_new(&r, &c, &ops, NULL, SELF), 0);
}

static void
teardown(void)
{
	struct router_action a;
	int i;

	while (router_poll(r, &a))
		if (a.blk)
			t_unref(NULL, a.blk);
	router_free(r);
	for (i = 0; i < 64; i++)
		ck_assert_msg(refs[i] == 0, "block handle %d still has %d references", i, refs[i]);
}

static void
up(uint32_t peer, uint8_t top)
{
	uint8_t l[32];

	loc(l, top);
	ck_assert_int_eq(router_link_up(r, peer, l, 0), 0);
}

/* next: the next action, which must be of |type|; blk references the
 * test does not keep are released as the driver would. */
static struct router_action
next(enum router_act_type type)
{
	struct router_action a;

	ck_assert_msg(router_poll(r, &a) == 1, "expected an action of type %d, got none", type);
	ck_assert_int_eq(a.type, type);
	if (a.blk)
		t_unref(NULL, a.blk);
	return a;
}

static void
none(void)
{
	struct router_action a;

	ck_assert_int_eq(router_poll(r, &a), 0);
}

static struct router_action
sent(uint32_t peer, uint8_t type)
{
	struct router_action a = next(ROUTER_ACT_SEND);

	ck_assert_uint_eq(a.peer, peer);
	ck_assert_msg(a.msg.type == type, "sent %s, expected %s", wire_type_name(a.msg.type), wire_type_name(type));
	return a;
}

static void
msg(uint32_t peer, uint8_t type, uint64_t id, uint8_t htl, uint64_t blk, uint64_t now)
{
	struct wire_msg m = { .type = type, .id = id, .htl = htl, .blk = blk };

	memcpy(m.key, K, 32);
	ck_assert_int_eq(router_on_msg(r, peer, &m, now), 0);
}

static uint64_t
store_miss(void)
{
	struct router_action a = next(ROUTER_ACT_STORE_GET);

	ck_assert_mem_eq(a.key, K, 32);
	ck_assert_int_eq(router_on_store(r, a.token, 0, 0, 0), 0);
	return a.token;
}

START_TEST(test_router_distance_wraps)
{
	uint8_t t[32] = { 0 }, a[32], b[32] = { 0x02 };

	memset(a, 0xff, 32); /* 2^256 - 1: one step from 0 the other way */
	ck_assert_int_eq(router_distance_cmp(t, a, b), -1);
	ck_assert_int_eq(router_distance_cmp(t, b, a), 1);
	ck_assert_int_eq(router_distance_cmp(t, t, t), 0);
}
END_TEST

START_TEST(test_router_loop_rejected)
{
	struct router_action a;

	up(1, 0x10);
	up(2, 0x7f);
	msg(1, WIRE_REQUEST, 7, 10, 0, 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	ck_assert_uint_eq(a.msg.id, 7); /* below max HTL the id stays */
	ck_assert_uint_eq(a.msg.htl, 9);
	msg(2, WIRE_REQUEST, 7, 8, 0, 0); /* it came round */
	sent(2, WIRE_REJECTED_LOOP);
	none();
}
END_TEST

/* Ids of finished requests are not kept (Tian and Duan's traceback attack
 * used them): only a request in progress makes its id a loop. */
START_TEST(test_router_forgets_finished_ids)
{
	struct router_action a;

	up(1, 0x10);
	up(2, 0x7f);
	msg(1, WIRE_REQUEST, 61, 10, 0, 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	msg(2, WIRE_DATA_NOT_FOUND, a.msg.id, 0, 0, 1);
	sent(1, WIRE_DATA_NOT_FOUND);
	none();
	ck_assert_uint_eq(router_inflight(r), 0);
	msg(1, WIRE_REQUEST, 61, 10, 0, 2); /* the same id, later: a new request */
	store_miss();
	sent(2, WIRE_REQUEST);
	none();
}
END_TEST

/* reply_htl: the HTL field of the DataReply this node sends peer 1 for
 * its request at HTL 10, when it holds the block itself (|held|) or when
 * peer 2 answered with a reply carrying |upstream|. */
static unsigned
reply_htl(int held, uint8_t upstream, unsigned trial)
{
	struct wire_msg m = { .type = WIRE_DATA, .blk = 9 };
	struct router_action a;

	teardown();
	setup();
	rng += 0x9e3779b97f4a7c15ull * (trial + 1); /* each trial its own coins */
	up(1, 0x10);
	up(2, 0x7f);
	msg(1, WIRE_REQUEST, 71, 10, 0, 0);
	a = next(ROUTER_ACT_STORE_GET);
	ck_assert_int_eq(router_on_store(r, a.token, held, held ? 9 : 0, 0), 0);
	if (!held) {
		a = sent(2, WIRE_REQUEST);
		m.id = a.msg.id;
		m.htl = upstream;
		memcpy(m.key, K, 32);
		ck_assert_int_eq(router_on_msg(r, 2, &m, 1), 0);
		next(ROUTER_ACT_DELIVERED);
		next(ROUTER_ACT_STORE_PUT);
	}
	a = sent(1, WIRE_DATA);
	none();
	return a.msg.htl;
}

/* A reply does not tell a hop how far away the holder is: it carried the
 * HTL the data was found at, unchanged, so a node whose neighbour answered
 * with the HTL it had sent knew that neighbour held the block (defeating
 * the data-source rewrite). Now each hop adds a random 0..2 to a count
 * that starts at the holder: a holder and a relay one hop short of it send
 * the same values. */
START_TEST(test_router_reply_hides_holder)
{
	unsigned seen_held[8] = { 0 }, seen_relay[8] = { 0 }, i, v;

	for (i = 0; i < 120; i++) {
		v = reply_htl(1, 0, i);
		ck_assert_uint_ne(v, 10);
		ck_assert_uint_le(v, 2);
		seen_held[v]++;
		v = reply_htl(0, 0, i + 1000);
		ck_assert_uint_le(v, 2);
		seen_relay[v]++;
	}
	for (i = 0; i < 3; i++)
		ck_assert_msg(seen_held[i] && seen_relay[i], "value %u: %u as holder, %u as relay", i, seen_held[i],
		    seen_relay[i]);
	v = reply_htl(0, 254, 7);
	ck_assert_uint_ge(v, 254); /* counted on, saturating */
}
END_TEST

/* Two friends each forwarding the same key to the other must not each
 * join the other's request: that waits-for cycle held both until the hop
 * deadline (issue: a flash crowd stalls). A request joins one in flight
 * only if its (HTL, id) is above the one that went out, so every chain of
 * waits falls and cannot close (docs/routing.md). */
START_TEST(test_router_no_waits_for_cycle)
{
	struct router_action a;

	up(1, 0x10);
	up(2, 0x7f);
	up(3, 0x20);
	msg(1, WIRE_REQUEST, 81, 10, 0, 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	ck_assert_uint_eq(a.msg.htl, 9);
	ck_assert_uint_eq(a.msg.id, 81);
	/* 2's own request for K, sent to us at the same HTL under a lower id:
	 * routed on its own, never back to 2 (2 may join ours: 81 > 80) */
	msg(2, WIRE_REQUEST, 80, 9, 0, 1);
	store_miss();
	a = sent(3, WIRE_REQUEST);
	ck_assert_uint_eq(a.msg.htl, 8);
	none();
	msg(3, WIRE_REQUEST, 83, 12, 0, 2); /* with more HTL it joins, as before */
	none();
	msg(1, WIRE_REQUEST, 90, 9, 0, 3);  /* the same HTL and a higher id: it joins too */
	none();
}
END_TEST

/* probe: what this node does with a neighbour's request for K at HTL 5
 * while its own user's request for K is (|inflight|) or is not in
 * progress. Returns the actions, as "type/peer/msgtype/htl" tokens. */
static void
probe(int inflight, char *out, size_t cap)
{
	struct router_action a;
	uint64_t req;
	size_t n = 0;

	teardown();
	setup();
	up(1, 0x10);
	up(2, 0x7f);
	up(3, 0x20);
	if (inflight) {
		ck_assert_int_eq(router_local_get(r, K, 0, &req), 0);
		store_miss();
		sent(2, WIRE_REQUEST);
		none();
	}
	msg(3, WIRE_REQUEST, 99, 5, 0, 1);
	out[0] = 0;
	while (router_poll(r, &a)) {
		n += (size_t)snprintf(out + n, cap - n, "%d/%u/%u/%u ", a.type, a.type == ROUTER_ACT_SEND ? a.peer : 0,
		    a.type == ROUTER_ACT_SEND ? a.msg.type : 0, a.type == ROUTER_ACT_SEND ? a.msg.htl : 0);
		if (a.blk)
			t_unref(NULL, a.blk);
		if (a.type == ROUTER_ACT_STORE_GET)
			ck_assert_int_eq(router_on_store(r, a.token, 0, 0, 1), 0);
	}
}

/* A neighbour off the path cannot test whether this node is fetching a
 * key: a request with less HTL than ours in flight was refused at once
 * (RejectedLoop), one for a key not in flight was routed. Now both are
 * routed alike. */
START_TEST(test_router_no_in_flight_probe)
{
	char busy[512], idle[512];

	probe(1, busy, sizeof(busy));
	probe(0, idle, sizeof(idle));
	ck_assert_str_eq(busy, idle);
	ck_assert_ptr_null(strstr(busy, "/3/"));     /* nothing back to the prober yet */
}
END_TEST

/* Steepest ascent first, then the next-closest on every kind of failure,
 * never back to the sender, and RouteNotFound when nobody is left. */
START_TEST(test_router_backtracking_order)
{
	struct router_action a;
	uint64_t req;

	up(1, 0x20); /* farthest from K = 0x80.. */
	up(2, 0x7f); /* closest */
	up(3, 0x90); /* next */
	up(4, 0x60);
	ck_assert_int_eq(router_local_get(r, K, 0, &req), 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	ck_assert_uint_eq(a.msg.htl, 18);
	msg(2, WIRE_REJECTED_OVERLOAD, a.msg.id, 18, 0, 1);
	a = sent(3, WIRE_REQUEST);
	msg(3, WIRE_ROUTE_NOT_FOUND, a.msg.id, 5, 0, 2);
	a = sent(4, WIRE_REQUEST);
	ck_assert_uint_eq(a.msg.htl, 5); /* what the branch left */
	ck_assert_uint_eq(router_next_deadline(r), 2 + 2000 * 6);
	ck_assert_int_eq(router_on_timer(r, 2 + 2000 * 6), 0); /* 4 timed out */
	sent(1, WIRE_REQUEST);
	ck_assert_int_eq(router_link_down(r, 1, 3), 0);       /* and 1 is lost */
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_uint_eq(a.req, req);
	ck_assert_int_eq(a.status, ROUTER_ROUTE_NOT_FOUND);
	none();
	ck_assert_uint_eq(router_inflight(r), 0);
}
END_TEST

/* A friend's friend near the key makes the friend the best next hop, as
 * if it were there itself; a list naming this node does not. */
START_TEST(test_router_routes_by_friends_friends)
{
	uint64_t near = (uint64_t)0x81 << 56, self = (uint64_t)0x10 << 56, req;
	uint64_t far[2] = { (uint64_t)0x30 << 56, self };

	up(1, 0x20);
	up(2, 0x70); /* nearest K by its own location */
	up(3, 0x40);
	ck_assert_int_eq(router_peer_foaf(r, 1, &near, 1), 0);
	ck_assert_int_eq(router_peer_foaf(r, 3, far, 2), 0);
	ck_assert_int_eq(router_peer_foaf(r, 9, &near, 1), WISP_ERR_INVAL);
	ck_assert_int_eq(router_local_get(r, K, 0, &req), 0);
	store_miss();
	sent(1, WIRE_REQUEST);
	ck_assert_int_eq(router_link_down(r, 1, 1), 0);
	sent(2, WIRE_REQUEST);
	ck_assert_int_eq(router_link_down(r, 2, 2), 0);
	sent(3, WIRE_REQUEST);
	ck_assert_int_eq(router_peer_foaf(r, 3, NULL, 0), 0);
	ck_assert_int_eq(router_link_down(r, 3, 3), 0);
	next(ROUTER_ACT_ANSWER);
	none();
	/* a node whose key lies next to this node's own: its friends' lists
	 * name this node, which must not draw the request to them */
	loc(K, 0x11);
	up(4, 0x20);
	up(5, 0x60);
	ck_assert_int_eq(router_peer_foaf(r, 5, &self, 1), 0);
	ck_assert_int_eq(router_local_get(r, K, 0, &req), 0);
	store_miss();
	sent(4, WIRE_REQUEST);
}
END_TEST

START_TEST(test_router_htl_exhaustion)
{
	struct router_action a;

	up(1, 0x10);
	up(2, 0x7f);
	msg(1, WIRE_REQUEST, 11, 0, 0, 0); /* nothing left */
	store_miss();
	a = sent(1, WIRE_DATA_NOT_FOUND);
	ck_assert_uint_eq(a.msg.id, 11);
	msg(1, WIRE_REQUEST, 12, 5, 0, 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	ck_assert_uint_eq(a.msg.htl, 4);
	msg(2, WIRE_DATA_NOT_FOUND, 12, 0, 0, 1); /* no backtracking past HTL 0 */
	sent(1, WIRE_DATA_NOT_FOUND);
	none();
}
END_TEST

START_TEST(test_router_collision)
{
	struct router_action a;

	up(1, 0x10);
	msg(1, WIRE_INSERT, 21, 10, 5, 0);
	a = next(ROUTER_ACT_STORE_GET);
	ck_assert_int_eq(router_on_store(r, a.token, 1, 6, 0), 0); /* we hold block 6 */
	a = next(ROUTER_ACT_STORE_PUT);
	ck_assert_int_eq(a.part, ROUTER_PART_STORE);
	a = sent(1, WIRE_COLLISION);
	ck_assert_uint_eq(a.msg.blk, 6);
	none();
}
END_TEST

static uint32_t learnt_peer;

static void
find_k(void *ctx, const uint8_t key[32], uint32_t peer)
{
	(void)ctx;
	if (memcmp(key, K, 32) == 0)
		learnt_peer = peer;
}

/* Data coming back is cached (not next to the requester) and teaches the
 * routing table where the key lives. */
START_TEST(test_router_reverse_path)
{
	struct wire_msg m = { .type = WIRE_DATA, .htl = 6, .blk = 9 };
	struct router_action a;
	uint64_t req;

	up(1, 0x10);
	up(2, 0x7f);
	up(3, 0x20);
	msg(1, WIRE_REQUEST, 31, 10, 0, 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	m.id = a.msg.id;
	memcpy(m.key, K, 32);
	memset(m.source, 0xaa, 32);
	ck_assert_int_eq(router_on_msg(r, 2, &m, 1), 0);
	a = next(ROUTER_ACT_DELIVERED);
	ck_assert_uint_eq(a.peer, 2);
	a = next(ROUTER_ACT_STORE_PUT);
	ck_assert_int_eq(a.part, ROUTER_PART_CACHE);
	ck_assert_uint_eq(a.blk, 9);
	a = sent(1, WIRE_DATA);
	ck_assert_uint_eq(a.msg.id, 31);
	ck_assert_uint_eq(a.msg.blk, 9);
	ck_assert(memcmp(a.msg.source, m.source, 32) == 0 || memcmp(a.msg.source, SELF, 32) == 0);
	none();
	router_rtable_each(r, find_k, NULL);
	ck_assert_uint_eq(learnt_peer, 2);
	/* A local request for K: found through 2, and not cached here, the
	 * requester's own node. */
	ck_assert_int_eq(router_local_get(r, K, 2, &req), 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	m.id = a.msg.id;
	ck_assert_int_eq(router_on_msg(r, 2, &m, 3), 0);
	next(ROUTER_ACT_DELIVERED);
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_int_eq(a.status, ROUTER_FOUND);
	ck_assert_uint_eq(a.blk, 9);
	none();
}
END_TEST

START_TEST(test_router_insert_path)
{
	struct router_action a;
	uint64_t req;

	up(1, 0x10);
	up(2, 0x7f);
	/* Passing through at HTL 10: forwarded, cached on the way back. */
	msg(1, WIRE_INSERT, 41, 10, 3, 0);
	store_miss();
	a = sent(2, WIRE_INSERT);
	ck_assert_uint_eq(a.msg.blk, 3);
	msg(2, WIRE_INSERT_REPLY, a.msg.id, 0, 0, 1);
	a = next(ROUTER_ACT_STORE_PUT);
	ck_assert_int_eq(a.part, ROUTER_PART_CACHE);
	sent(1, WIRE_INSERT_REPLY);
	none();
	/* A local insert routes at once; where no peer is left the path
	 * ends here, in the store partition. */
	ck_assert_int_eq(router_local_put(r, K, 4, 2, &req), 0);
	store_miss();
	a = sent(2, WIRE_INSERT);
	msg(2, WIRE_ROUTE_NOT_FOUND, a.msg.id, 7, 0, 3);
	a = sent(1, WIRE_INSERT);
	msg(1, WIRE_REJECTED_LOOP, a.msg.id, 7, 0, 4);
	a = next(ROUTER_ACT_STORE_PUT);
	ck_assert_int_eq(a.part, ROUTER_PART_STORE);
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_int_eq(a.status, ROUTER_INSERTED);
	none();
}
END_TEST

/* Keepalive's probe and repair go out without asking our own store, and
 * a probe never shares a request with a get that our store may answer;
 * a repair with nowhere to go is kept here, and says so. */
START_TEST(test_router_probe_and_reinsert)
{
	struct router_action a;
	uint64_t req, req2;

	ck_assert_int_eq(router_local_reinsert(r, K, 5, 3, &req), 0);
	a = next(ROUTER_ACT_STORE_PUT);         /* no peer, no store asked: kept here */
	ck_assert_int_eq(a.part, ROUTER_PART_STORE);
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_int_eq(a.status, ROUTER_INSERTED);
	ck_assert_uint_eq(a.htl, ROUTER_HTL_HERE);
	none();
	up(1, 0x10);
	ck_assert_int_eq(router_local_probe(r, K, 4, &req), 0);
	a = sent(1, WIRE_REQUEST);              /* no STORE_GET first */
	ck_assert_int_eq(router_local_get(r, K, 4, &req2), 0);
	next(ROUTER_ACT_STORE_GET);             /* a get is a request of its own */
	msg(1, WIRE_DATA_NOT_FOUND, a.msg.id, 0, 0, 5);
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_uint_eq(a.req, req);
	ck_assert_int_eq(a.status, ROUTER_DATA_NOT_FOUND);
	none();
}
END_TEST

/* A keep's probe or repair that comes back round to this node, under the
 * id replaced on the way: the probe is routed on without our store
 * answering it (it told the keeper the network held what only the keeper
 * held), the repair is refused as a loop (it ended in the store it came
 * from: t_keep's ring of four). */
START_TEST(test_router_own_probe_back)
{
	struct router_action a;
	uint64_t req;

	up(1, 0x10);
	up(2, 0x20);
	ck_assert_int_eq(router_local_probe(r, K, 4, &req), 0);
	a = next(ROUTER_ACT_SEND);
	msg(a.peer == 1 ? 2 : 1, WIRE_REQUEST, a.msg.id ^ 1, 12, 0, 5);
	sent(a.peer, WIRE_REQUEST); /* not asked of our store */
	none();
	ck_assert_int_eq(router_local_reinsert(r, K, 6, 6, &req), 0);
	a = next(ROUTER_ACT_SEND);
	ck_assert_int_eq(a.msg.type, WIRE_INSERT);
	msg(a.peer == 1 ? 2 : 1, WIRE_INSERT, a.msg.id ^ 1, 12, 7, 7);
	sent(a.peer == 1 ? 2 : 1, WIRE_REJECTED_LOOP);
	none();
}
END_TEST

START_TEST(test_router_coalescing)
{
	struct router_action a;
	struct wire_msg m = { .type = WIRE_DATA, .htl = 3, .blk = 8 };
	uint64_t req;

	up(1, 0x10);
	up(2, 0x7f);
	up(3, 0x20);
	msg(1, WIRE_REQUEST, 51, 10, 0, 0);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	msg(3, WIRE_REQUEST, 52, 12, 0, 1); /* same key, another requester */
	ck_assert_int_eq(router_local_get(r, K, 1, &req), 0); /* and our own user */
	none();                             /* one upstream request serves all */
	m.id = a.msg.id;
	memcpy(m.key, K, 32);
	ck_assert_int_eq(router_on_msg(r, 2, &m, 2), 0);
	next(ROUTER_ACT_DELIVERED);
	next(ROUTER_ACT_STORE_PUT);
	sent(1, WIRE_DATA);
	sent(3, WIRE_DATA);
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_int_eq(a.status, ROUTER_FOUND);
	none();
}
END_TEST

START_TEST(test_router_overload)
{
	uint8_t k2[32];
	struct wire_msg m = { .type = WIRE_REQUEST, .htl = 10 };

	up(1, 0x10);
	up(2, 0x7f);
	loc(k2, 0x33);
	for (int i = 0; i < 3; i++) {
		m.id = 60 + (uint64_t)i;
		k2[5] = (uint8_t)i; /* three different keys */
		memcpy(m.key, k2, 32);
		ck_assert_int_eq(router_on_msg(r, 1, &m, 0), 0);
		if (i < 2) {
			next(ROUTER_ACT_STORE_GET);
		} else {
			struct router_action a = sent(1, WIRE_REJECTED_OVERLOAD);
			ck_assert_uint_eq(a.msg.id, 62);
		}
	}
	none();
	ck_assert_uint_eq(router_inflight(r), 2);
}
END_TEST

START_TEST(test_router_unknown_reply_ignored)
{
	up(1, 0x10);
	msg(1, WIRE_DATA, 999, 3, 4, 0); /* never asked: dropped, no reference kept */
	none();
}
END_TEST

static void
count_entry(void *ctx, const uint8_t key[WIRE_KEY_LEN], uint32_t peer)
{
	unsigned *seen = ctx;

	(void)peer;
	seen[key[0]]++;
}

/* A smaller table (SIGHUP) keeps the most recently used entries. */
START_TEST(test_router_set_limits)
{
	unsigned seen[256] = { 0 }, i, total = 0;
	uint8_t k[32];

	for (i = 1; i <= 10; i++) {
		loc(k, (uint8_t)i);
		ck_assert_int_eq(router_rtable_learn(r, k, i), 0);
	}
	loc(k, 2);
	ck_assert_int_eq(router_rtable_learn(r, k, 2), 0); /* 2 is now the newest */
	ck_assert_int_eq(router_set_limits(r, 10, 4), 0);
	router_rtable_each(r, count_entry, seen);
	for (i = 0; i < 256; i++)
		total += seen[i];
	ck_assert_uint_eq(total, 4);
	ck_assert(seen[2] && seen[10] && seen[9] && seen[8]);
	ck_assert_int_eq(router_set_limits(r, 0, 4), WISP_ERR_INVAL);
	ck_assert_int_eq(router_set_limits(r, 10, 0), WISP_ERR_INVAL);
	ck_assert_int_eq(router_set_limits(r, 10, 20), 0); /* and grows again */
	for (i = 11; i <= 30; i++) {
		loc(k, (uint8_t)i);
		ck_assert_int_eq(router_rtable_learn(r, k, i), 0);
	}
	memset(seen, 0, sizeof(seen));
	router_rtable_each(r, count_entry, seen);
	for (total = 0, i = 0; i < 256; i++)
		total += seen[i];
	ck_assert_uint_eq(total, 20);
}
END_TEST

/* A full peer table makes room: a peer that is down goes first, then the
 * one the fewest routing entries name, never one in a request. */
START_TEST(test_router_evicts_least_useful_peer)
{
	unsigned seen[256] = { 0 }, i;
	uint8_t k[32];

	for (i = 1; i <= ROUTER_PEERS_MAX; i++)
		up(i, (uint8_t)i);
	for (i = 1; i <= ROUTER_PEERS_MAX; i++) { /* every peer named twice, 7 once */
		loc(k, (uint8_t)i);
		k[31] = 1;
		ck_assert_int_eq(router_rtable_learn(r, k, i), 0);
	}
	ck_assert_int_eq(router_link_down(r, 200, 0), 0);
	up(1000, 0x55); /* 200 is down: it goes, with its entries */
	router_rtable_each(r, count_entry, seen);
	ck_assert_uint_eq(seen[200], 0);
	ck_assert_uint_eq(seen[199], 1);
	/* now every peer is up: the least named goes (1000 has none) */
	up(1001, 0x56);
	memset(seen, 0, sizeof(seen));
	router_rtable_each(r, count_entry, seen);
	ck_assert_uint_eq(seen[199], 1);
	/* a peer in a request is never forgotten */
	{
		uint64_t req;
		loc(K, 0x56);
		ck_assert_int_eq(router_local_get(r, K, 0, &req), 0);
		store_miss();
		sent(1001, WIRE_REQUEST);
		up(1002, 0x57);
		/* 1001 is still known: losing its link backtracks the request */
		ck_assert_int_eq(router_link_down(r, 1001, 1), 0);
		next(ROUTER_ACT_SEND);
	}
}
END_TEST

/* A lost link with more requests on it than the router has room for
 * actions: link_down says FULL, the driver drains and calls again, and
 * in the end every one of them has backtracked (none left waiting). */
START_TEST(test_router_link_down_resumes)
{
	struct router_action a;
	unsigned i, answered = 0, rounds = 0;
	uint64_t req;
	int rc;

	up(1, 0x40);
	for (i = 0; i < 80; i++) {
		loc(K, (uint8_t)(0x40 + i % 8));
		K[1] = (uint8_t)i; /* 80 different keys */
		ck_assert_int_eq(router_local_get(r, K, 0, &req), 0);
		while (router_poll(r, &a)) {
			if (a.type == ROUTER_ACT_STORE_GET)
				ck_assert_int_eq(router_on_store(r, a.token, 0, 0, 0), 0);
			if (a.blk)
				t_unref(NULL, a.blk);
		}
	}
	ck_assert_uint_eq(router_inflight(r), 80);
	while ((rc = router_link_down(r, 1, 1)) == WISP_ERR_FULL) {
		rounds++;
		while (router_poll(r, &a)) {
			answered += a.type == ROUTER_ACT_ANSWER;
			if (a.blk)
				t_unref(NULL, a.blk);
		}
	}
	ck_assert_int_eq(rc, 0);
	while (router_poll(r, &a)) {
		answered += a.type == ROUTER_ACT_ANSWER;
		if (a.blk)
			t_unref(NULL, a.blk);
	}
	ck_assert_uint_ge(rounds, 1);
	ck_assert_uint_eq(answered, 80);
	ck_assert_uint_eq(router_inflight(r), 0);
}
END_TEST


/* An announcement goes toward the newcomer's location without touching
 * the store, at most announce_htl far; offers come back to its origin
 * while it goes on. */
START_TEST(test_router_announce_relay)
{
	struct wire_msg m = { .type = WIRE_ANNOUNCE_REPLY, .htl = 3, .ref_len = 5 };
	struct router_action a;
	uint64_t id;

	up(1, 0x10);
	up(2, 0x7f);
	up(3, 0x20);
	msg(1, WIRE_ANNOUNCE, 31, 40, 0, 0);
	a = sent(2, WIRE_ANNOUNCE); /* no store lookup: straight on */
	ck_assert_uint_le(a.msg.htl, 10);
	id = a.msg.id;
	none();
	m.id = id;
	memcpy(m.key, K, 32);
	memcpy(m.ref, "offer", 5);
	ck_assert_int_eq(router_on_msg(r, 2, &m, 1), 0);
	a = sent(1, WIRE_ANNOUNCE_REPLY);
	ck_assert_uint_eq(a.msg.id, 31);
	ck_assert_uint_eq(a.msg.ref_len, 5);
	ck_assert_mem_eq(a.msg.ref, "offer", 5);
	none();
	/* No block answers a location: a DataReply is a failure, and the
	 * announcement backtracks to the next peer. */
	m.type = WIRE_DATA;
	m.blk = 7;
	refs[7]++;
	ck_assert_int_eq(router_on_msg(r, 2, &m, 2), 0);
	refs[7]--;
	a = sent(3, WIRE_ANNOUNCE);
	m.type = WIRE_DATA_NOT_FOUND;
	m.blk = 0;
	m.id = a.msg.id;
	ck_assert_int_eq(router_on_msg(r, 3, &m, 3), 0);
	sent(1, WIRE_DATA_NOT_FOUND);
	none();
	/* An AnnounceReply to a request is not an answer to it. */
	msg(1, WIRE_REQUEST, 32, 10, 0, 4);
	store_miss();
	a = sent(2, WIRE_REQUEST);
	m.type = WIRE_ANNOUNCE_REPLY;
	m.id = a.msg.id;
	ck_assert_int_eq(router_on_msg(r, 2, &m, 5), 0);
	a = sent(3, WIRE_REQUEST);
	none();
}
END_TEST

START_TEST(test_router_announce_local)
{
	struct wire_msg m = { .type = WIRE_ANNOUNCE_REPLY, .htl = 8, .ref_len = 3 };
	struct router_action a;
	uint64_t req;

	up(1, 0x70);
	ck_assert_int_eq(router_local_announce(r, K, 0, &req), 0);
	a = sent(1, WIRE_ANNOUNCE);
	ck_assert_uint_eq(a.msg.htl, 10);
	m.id = a.msg.id;
	memcpy(m.key, K, 32);
	memcpy(m.ref, "abc", 3);
	ck_assert_int_eq(router_on_msg(r, 1, &m, 1), 0);
	a = next(ROUTER_ACT_OFFER);
	ck_assert_uint_eq(a.req, req);
	ck_assert_mem_eq(a.msg.ref, "abc", 3);
	ck_assert_int_eq(router_on_msg(r, 1, &m, 2), 0);
	next(ROUTER_ACT_OFFER);
	m.type = WIRE_ROUTE_NOT_FOUND;
	ck_assert_int_eq(router_on_msg(r, 1, &m, 3), 0);
	a = next(ROUTER_ACT_ANSWER);
	ck_assert_uint_eq(a.req, req);
	ck_assert_int_eq(a.status, ROUTER_ROUTE_NOT_FOUND);
	none();
}
END_TEST

/* Path folding: a DataReply names its source's offer; each node tells
 * its driver who delivered and what was offered, and passes the offer
 * on, or its own (none, in a darknet) when it claims to be the source. */
START_TEST(test_router_data_source_ref)
{
	struct wire_msg m = { .type = WIRE_DATA, .htl = 6, .blk = 9, .ref_len = 4 };
	struct router_action a;
	int mine = 0, theirs = 0, i;

	ck_assert_int_eq(router_set_ref(r, (const uint8_t *)"SELF!", 5), 0);
	up(1, 0x10);
	up(2, 0x7f);
	memset(m.source, 0xaa, 32);
	memcpy(m.ref, "HOLD", 4);
	for (i = 0; i < 40; i++) {
		msg(1, WIRE_REQUEST, 100 + (uint64_t)i, 10, 0, (uint64_t)i);
		if (i == 0)
			store_miss();
		else
			ck_assert_int_eq(router_on_store(r, next(ROUTER_ACT_STORE_GET).token, 0, 0, (uint64_t)i), 0);
		a = sent(2, WIRE_REQUEST);
		m.id = a.msg.id;
		memcpy(m.key, K, 32);
		refs[9]++;
		ck_assert_int_eq(router_on_msg(r, 2, &m, (uint64_t)i), 0);
		refs[9]--;
		a = next(ROUTER_ACT_DELIVERED);
		ck_assert_uint_eq(a.peer, 2);
		ck_assert_uint_eq(a.msg.ref_len, 4);
		ck_assert_mem_eq(a.msg.ref, "HOLD", 4);
		next(ROUTER_ACT_STORE_PUT);
		a = sent(1, WIRE_DATA);
		if (memcmp(a.msg.source, SELF, 32) == 0) {
			ck_assert_uint_eq(a.msg.ref_len, 5);
			ck_assert_mem_eq(a.msg.ref, "SELF!", 5);
			mine++;
		} else {
			ck_assert_mem_eq(a.msg.source, m.source, 32);
			ck_assert_uint_eq(a.msg.ref_len, 4);
			ck_assert_mem_eq(a.msg.ref, "HOLD", 4);
			theirs++;
		}
		none();
		K[31]++; /* a new key each time: no coalescing */
	}
	ck_assert_int_gt(mine, 0);
	ck_assert_int_gt(theirs, mine);
	/* Without a ref of our own (a darknet node) a rewrite hides the offer. */
	ck_assert_int_eq(router_set_ref(r, NULL, 0), 0);
	ck_assert_int_eq(router_set_ref(r, (const uint8_t *)"x", WIRE_REF_MAX + 1), WISP_ERR_INVAL);
}
END_TEST

Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("router");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_router_distance_wraps);
	tcase_add_test(tc, test_router_loop_rejected);
	tcase_add_test(tc, test_router_backtracking_order);
	tcase_add_test(tc, test_router_forgets_finished_ids);
	tcase_add_test(tc, test_router_no_in_flight_probe);
	tcase_add_test(tc, test_router_reply_hides_holder);
	tcase_add_test(tc, test_router_no_waits_for_cycle);
	tcase_add_test(tc, test_router_htl_exhaustion);
	tcase_add_test(tc, test_router_collision);
	tcase_add_test(tc, test_router_reverse_path);
	tcase_add_test(tc, test_router_insert_path);
	tcase_add_test(tc, test_router_coalescing);
	tcase_add_test(tc, test_router_probe_and_reinsert);
	tcase_add_test(tc, test_router_own_probe_back);
	tcase_add_test(tc, test_router_overload);
	tcase_add_test(tc, test_router_unknown_reply_ignored);
	tcase_add_test(tc, test_router_set_limits);
	tcase_add_test(tc, test_router_evicts_least_useful_peer);
	tcase_add_test(tc, test_router_link_down_resumes);
	tcase_add_test(tc, test_router_announce_relay);
	tcase_add_test(tc, test_router_announce_local);
	tcase_add_test(tc, test_router_data_source_ref);
	tcase_add_test(tc, test_router_routes_by_friends_friends);
	suite_add_tcase(s, tc);
	return s;
}
