/* The opennet policy alone, and the wire fields it adds. */
#include <string.h>

#include "node/core/opennet_policy.h"
#include "node/core/wire.h"
#include "tests/unit/suites.h"

static struct opennet *o;
static struct opennet_config c;

static void
setup(void)
{
	opennet_config_default(&c);
	c.peers = 4;
	c.low = 3;
	ck_assert_int_eq(opennet_new(&o, &c), 0);
}

static void teardown(void) { opennet_free(o); }

/* admit_n: admit and bring up strangers 1..n at |now|. */
static void
admit_n(uint32_t first, unsigned n, uint64_t now)
{
	uint32_t victim;
	int transient;
	unsigned i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(opennet_admit(o, now, &transient, &victim), 1);
		ck_assert_int_eq(transient, 0);
		ck_assert_uint_eq(victim, OPENNET_NONE);
		ck_assert_int_eq(opennet_up(o, first + i, 0, now), 0);
	}
}

START_TEST(test_opennet_full_of_young_peers)
{
	uint32_t victim;
	int transient, i;

	admit_n(1, 4, 0);
	ck_assert_uint_eq(opennet_count(o), 4);
	ck_assert_uint_eq(opennet_victim(o, 1000), OPENNET_NONE); /* all in their grace */
	ck_assert_int_eq(opennet_want(o, 1000), 0);
	/* Newcomers still get in, to announce, up to a bound. */
	for (i = 0; i < OPENNET_TRANSIENT_MAX; i++) {
		ck_assert_int_eq(opennet_admit(o, 1000, &transient, &victim), 1);
		ck_assert_int_eq(transient, 1);
		ck_assert_int_eq(opennet_up(o, 100 + (uint32_t)i, 1, 1000), 0);
	}
	ck_assert_int_eq(opennet_admit(o, 1000, &transient, &victim), 0);
	ck_assert_uint_eq(opennet_count(o), 4);
	ck_assert_uint_eq(opennet_transient(o), OPENNET_TRANSIENT_MAX);
	/* Their time runs out while there is no room... */
	ck_assert_uint_eq(opennet_expired(o, 1000 + c.transient_ms - 1), OPENNET_NONE);
	victim = opennet_expired(o, 1000 + c.transient_ms);
	ck_assert_uint_ge(victim, 100);
	opennet_down(o, victim);
	/* ...and one stays once a kept peer is gone; the others still go. */
	opennet_down(o, 2);
	victim = opennet_expired(o, 1000 + c.transient_ms);
	ck_assert_uint_ge(victim, 100);
	ck_assert_uint_eq(opennet_count(o), 4);
	ck_assert_uint_eq(opennet_transient(o), OPENNET_TRANSIENT_MAX - 2);
	opennet_down(o, victim);
	ck_assert_uint_eq(opennet_transient(o), OPENNET_TRANSIENT_MAX - 3);
}
END_TEST

START_TEST(test_opennet_drops_least_recently_useful)
{
	uint64_t t = c.grace_ms + 10;
	uint32_t victim;
	int transient;

	admit_n(1, 4, 0);
	opennet_useful(o, 1, 5);
	opennet_useful(o, 2, 9);
	opennet_useful(o, 4, 7);
	ck_assert_uint_eq(opennet_victim(o, t), 3); /* useful never since it came */
	opennet_useful(o, 3, 8);
	ck_assert_uint_eq(opennet_victim(o, t), 1);
	ck_assert_int_eq(opennet_want(o, t), 1);
	ck_assert_int_eq(opennet_admit(o, t, &transient, &victim), 1);
	ck_assert_int_eq(transient, 0);
	ck_assert_uint_eq(victim, 1);
	opennet_down(o, 1);
	ck_assert_int_eq(opennet_up(o, 9, 0, t), 0);
	ck_assert_int_eq(opennet_has(o, 9), 1);
	ck_assert_int_eq(opennet_has(o, 1), 0);
	/* The newcomer has its grace; the next victim is the oldest useful. */
	ck_assert_uint_eq(opennet_victim(o, t), 4);
	opennet_useful(o, 77, t); /* not ours: ignored */
}
END_TEST

/* More links came up than there was room for: the least useful old one
 * goes, or, all young, the newcomer is held as a transient. */
START_TEST(test_opennet_joined)
{
	uint64_t t = c.grace_ms + 1;
	uint32_t drop;

	admit_n(1, 4, 0);
	ck_assert_int_eq(opennet_joined(o, 5, 0, 10, &drop), 0);
	ck_assert_uint_eq(drop, OPENNET_NONE);
	ck_assert_int_eq(opennet_kept(o, 5), 0);
	ck_assert_int_eq(opennet_has(o, 5), 1);
	opennet_useful(o, 1, 50);
	ck_assert_int_eq(opennet_joined(o, 6, 0, t, &drop), 0);
	ck_assert_uint_eq(drop, 2); /* 2, 3, 4 useful at 0, 1 at 50: 2 comes first */
	ck_assert_int_eq(opennet_has(o, 2), 0);
	ck_assert_int_eq(opennet_kept(o, 6), 1);
	ck_assert_uint_eq(opennet_count(o), 4);
	/* joined again (a duplicate link): nothing moves */
	ck_assert_int_eq(opennet_joined(o, 6, 0, t, &drop), 0);
	ck_assert_uint_eq(drop, OPENNET_NONE);
	ck_assert_uint_eq(opennet_count(o), 4);
}
END_TEST

START_TEST(test_opennet_link_rate)
{
	unsigned i, got = 0;

	opennet_free(o);
	c.peers = 100;
	ck_assert_int_eq(opennet_new(&o, &c), 0);
	for (i = 0; i < 100; i++)
		got += (unsigned)opennet_take(o, 0);
	ck_assert_uint_eq(got, c.links_per_min);
	ck_assert_int_eq(opennet_want(o, 0), 0);
	ck_assert_int_eq(opennet_take(o, 60000 / c.links_per_min - 1), 0);
	ck_assert_int_eq(opennet_take(o, 60000 / c.links_per_min), 1);
	ck_assert_int_eq(opennet_take(o, 60000 / c.links_per_min), 0);
}
END_TEST

START_TEST(test_opennet_announce_backoff)
{
	uint64_t t;

	ck_assert_int_eq(opennet_announce_due(o, 0), 1);
	ck_assert_int_eq(opennet_announce_due(o, c.announce_min_ms - 1), 0);
	ck_assert_int_eq(opennet_announce_due(o, c.announce_min_ms), 1);
	t = c.announce_min_ms + 2 * c.announce_min_ms;
	ck_assert_int_eq(opennet_announce_due(o, t - 1), 0);
	ck_assert_int_eq(opennet_announce_due(o, t), 1);
	/* enough peers: no more */
	admit_n(1, 3, t);
	ck_assert_int_eq(opennet_announce_due(o, t + 1000000), 0);
	/* one lost: soon again */
	opennet_down(o, 1);
	ck_assert_int_eq(opennet_announce_due(o, t + 1000000), 1);
	ck_assert_int_eq(opennet_announce_due(o, t + 1000000 + c.announce_min_ms), 1);
}
END_TEST

START_TEST(test_opennet_relay_rate)
{
	unsigned i, got = 0;

	for (i = 0; i < 50; i++)
		got += (unsigned)opennet_relay_ok(o, 7, 1000);
	ck_assert_uint_eq(got, c.relay_per_min);
	ck_assert_int_eq(opennet_relay_ok(o, 8, 1000), 1); /* another source has its own */
	ck_assert_int_eq(opennet_relay_ok(o, 7, 1000 + 60000 / c.relay_per_min), 1);
	/* As many sources as a node has peers are tracked: a crowd of them
	 * does not push this one out and start its bucket afresh. */
	for (i = 0; i < OPENNET_RELAY_SOURCES - 2; i++)
		ck_assert_int_eq(opennet_relay_ok(o, 1000 + i, 2000), 1);
	ck_assert_int_eq(opennet_relay_ok(o, 7, 2000), 0);
}
END_TEST

START_TEST(test_opennet_zero_and_clamp)
{
	uint32_t victim;
	int transient;

	opennet_free(o);
	c.peers = 1000;
	c.low = 2000;
	ck_assert_int_eq(opennet_new(&o, &c), 0);
	admit_n(1, 30, 0);
	c.peers = 0;
	opennet_configure(o, &c);
	ck_assert_int_eq(opennet_admit(o, 0, &transient, &victim), 0);
	ck_assert_int_eq(opennet_want(o, 0), 0);
}
END_TEST

START_TEST(test_wire_refs)
{
	uint8_t buf[WIRE_MSG_MAX], blk[40] = { 1 };
	struct wire_msg m = { .type = WIRE_DATA, .id = 5, .htl = 3, .block = blk, .block_len = sizeof(blk) }, d;
	size_t len;

	m.ref_len = WIRE_REF_MAX;
	memset(m.ref, 0x5a, WIRE_REF_MAX);
	ck_assert_int_eq(wire_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, WIRE_HEADER_LEN + 32 + 1 + WIRE_REF_MAX + 4 + sizeof(blk));
	ck_assert_int_eq(wire_decode(&d, buf, len), 0);
	ck_assert_uint_eq(d.ref_len, WIRE_REF_MAX);
	ck_assert_mem_eq(d.ref, m.ref, WIRE_REF_MAX);
	ck_assert_uint_eq(d.block_len, sizeof(blk));
	ck_assert_int_eq(wire_decode(&d, buf, len - 1), WISP_ERR_TRUNCATED);
	buf[WIRE_HEADER_LEN + 32] = WIRE_REF_MAX + 1; /* a ref longer than any */
	ck_assert_int_eq(wire_decode(&d, buf, len), WISP_ERR_MALFORMED);
	/* An offer without a ref means nothing: refused both ways. */
	m.type = WIRE_ANNOUNCE_REPLY;
	m.ref_len = 0;
	ck_assert_int_eq(wire_encode(&m, buf, sizeof(buf), &len), WISP_ERR_INVAL);
	m.ref_len = 3;
	ck_assert_int_eq(wire_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, WIRE_HEADER_LEN + 1 + 3);
	buf[WIRE_HEADER_LEN] = 0;
	ck_assert_int_eq(wire_decode(&d, buf, WIRE_HEADER_LEN + 1), WISP_ERR_MALFORMED);
	/* An announcement is a bare header; anything after it is refused. */
	m.type = WIRE_ANNOUNCE;
	ck_assert_int_eq(wire_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, WIRE_HEADER_LEN);
	ck_assert_int_eq(wire_decode(&d, buf, len), 0);
	ck_assert_int_ne(wire_decode(&d, buf, len + 1), 0);
	buf[0] = WIRE_TYPE_MAX + 1;
	ck_assert_int_eq(wire_decode(&d, buf, len), WISP_ERR_MALFORMED);
}
END_TEST

Suite *
opennet_suite(void)
{
	Suite *s = suite_create("opennet");
	TCase *tc = tcase_create("opennet");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_opennet_full_of_young_peers);
	tcase_add_test(tc, test_opennet_drops_least_recently_useful);
	tcase_add_test(tc, test_opennet_joined);
	tcase_add_test(tc, test_opennet_link_rate);
	tcase_add_test(tc, test_opennet_announce_backoff);
	tcase_add_test(tc, test_opennet_relay_rate);
	tcase_add_test(tc, test_opennet_zero_and_clamp);
	tcase_add_test(tc, test_wire_refs);
	suite_add_tcase(s, tc);
	return s;
}
