/* A fetch's window (node/core/window.h): it opens on a path with no
 * queue, settles where the queueing is the target, shrinks when the delay
 * grows, halves on an overload, and stays in its bounds. A simulated
 * bottleneck stands for the path. */
#include "node/core/window.h"
#include "tests/unit/suites.h"

/* run: a path of |base| ms round trip through a bottleneck passing one
 * block each |per| ms, fed by the window for |ms| (the fluid model: with
 * w blocks in flight a round trip is the path's own, or w blocks' worth
 * of the bottleneck if that is longer); returns the queueing seen at the
 * end. */
static uint32_t
run(struct window *w, uint32_t base, uint32_t per, uint64_t *now, uint64_t ms)
{
	uint64_t end = *now + ms;

	while (*now < end) {
		uint64_t drain = (uint64_t)window_size(w) * per;
		*now += per;
		window_sample(w, (uint32_t)(drain > base ? drain : base), *now);
	}
	return window_queueing(w);
}

START_TEST(test_window_opens_and_settles)
{
	struct window w;
	uint64_t now = 1000000;
	unsigned bdp;

	/* 40 ms round trip, a block each 5 ms (about 50 Mbit/s): a path of
	 * 8 blocks; the target's 50 ms adds 10 */
	window_init(&w, 2, 96, 4);
	run(&w, 40, 5, &now, 60000);
	bdp = 40 / 5 + WINDOW_TARGET_MS / 5;
	ck_assert_msg(window_size(&w) >= bdp - 3 && window_size(&w) <= bdp + 3, "window %u, expected about %u",
	    window_size(&w), bdp);
	ck_assert_uint_le(window_queueing(&w), WINDOW_TARGET_MS + 15);
}
END_TEST

START_TEST(test_window_shrinks_when_the_path_slows)
{
	struct window w;
	uint64_t now = 1000000;
	unsigned before;

	window_init(&w, 2, 96, 4);
	run(&w, 40, 5, &now, 60000);
	before = window_size(&w);
	/* the bottleneck gets ten times slower (another transfer, a shaped
	 * line): the window comes down so that queueing is near the target */
	run(&w, 40, 50, &now, 120000);
	ck_assert_uint_lt(window_size(&w), before);
	ck_assert_uint_le(window_size(&w), 40 / 50 + WINDOW_TARGET_MS / 50 + 3);
}
END_TEST

START_TEST(test_window_fills_a_long_fat_path)
{
	struct window w;
	uint64_t now = 1000000;

	/* 320 ms round trip (4 hops of 40 ms), a block each 5 ms: 64 blocks */
	window_init(&w, 2, 96, 8);
	run(&w, 320, 5, &now, 30000);
	ck_assert_uint_ge(window_size(&w), 64);
}
END_TEST

/* lagged: the path as blocks see it. A request asked at t meets the
 * bottleneck (one block each |per| ms, first come first served) at
 * t + base/2 and is back base/2 - per after it is served: each round trip
 * tells of the window as it was a round trip ago, not as it is now. Runs
 * for |ms| and returns the bottleneck's use, in thousandths. */
static unsigned
lagged(struct window *w, uint32_t base, uint32_t per, uint64_t ms)
{
	enum { MAXF = 128 };
	uint64_t back[MAXF], asked[MAXF], now = 1000000, end = now + ms, busy = 0, served = 0;
	unsigned head = 0, n = 0;

	for (;;) {
		while (n < window_size(w) && n < MAXF) { /* ask up to the window */
			uint64_t at = now + base / 2, done = (at > busy ? at : busy) + per;
			busy = done;
			asked[(head + n) % MAXF] = now;
			back[(head + n) % MAXF] = done + base / 2 - per;
			n++;
		}
		now = back[head];
		if (now > end)
			break;
		window_sample(w, (uint32_t)(now - asked[head]), now);
		head = (head + 1) % MAXF;
		n--;
		served++;
	}
	return (unsigned)(served * per * 1000 / ms);
}

START_TEST(test_window_fills_a_slow_long_path)
{
	struct window w;
	unsigned use;

	/* the lab's 5 Mbit/s chain of 4 hops of 40 ms: a 33 KB block each
	 * 53 ms, 340 ms round trip: a path of 6.4 blocks. A controller that
	 * swings around it leaves the line idle in its troughs. */
	window_init(&w, 2, 96, 8);
	use = lagged(&w, 340, 53, 60000);
	ck_assert_msg(use >= 900, "the bottleneck was busy %u/1000 of the time", use);
	/* and the same path at 50 Mbit/s: 64 blocks */
	window_init(&w, 2, 96, 8);
	use = lagged(&w, 340, 5, 60000);
	ck_assert_msg(use >= 900, "at 50 Mbit/s the bottleneck was busy %u/1000 of the time", use);
}
END_TEST

/* A lower target keeps fewer blocks queued on the same path: a put's
 * inserts (3 ms) yield to fetches (50 ms) on a link both cross. */
START_TEST(test_window_lower_target)
{
	struct window fetch, put;
	uint64_t now = 1000000, now2 = 1000000;
	unsigned bdp = 40 / 5;

	window_init(&fetch, 2, 96, 4);
	window_init(&put, 2, 96, 4);
	window_set_target(&put, 3);
	run(&fetch, 40, 5, &now, 60000);
	run(&put, 40, 5, &now2, 60000);
	ck_assert_uint_lt(window_size(&put), window_size(&fetch));
	/* a long path's target is a quarter of its delay: 10 ms here */
	ck_assert_uint_le(window_queueing(&put), 40 / 4 + 5);
	ck_assert_uint_ge(window_size(&put), bdp - 1); /* the path stays full */
}
END_TEST

/* The store's own answers open the window of a fetch of what this node
 * holds to its bound, in slow start only: once the path has shown its
 * queueing they change nothing, and the path alone sizes the window. */
START_TEST(test_window_local_answers)
{
	struct window w;
	uint64_t now = 1000000;
	unsigned i, settled;

	window_init(&w, 2, 96, 8);
	for (i = 0; i < 200; i++)
		window_local(&w);
	ck_assert_uint_eq(window_size(&w), 96);
	window_init(&w, 2, 96, 8);
	run(&w, 40, 5, &now, 60000); /* the path of test_window_opens_and_settles */
	settled = window_size(&w);
	ck_assert_uint_lt(settled, 96);
	for (i = 0; i < 200; i++)
		window_local(&w);
	ck_assert_uint_eq(window_size(&w), settled);
}
END_TEST

START_TEST(test_window_bounds_and_overload)
{
	struct window w;
	uint64_t now = 1000000;
	int i;

	window_init(&w, 2, 16, 100);
	ck_assert_uint_eq(window_size(&w), 16);
	for (i = 0; i < 1000; i++)
		window_sample(&w, 10, now += 10); /* no queue at all: it stays at its bound */
	ck_assert_uint_eq(window_size(&w), 16);
	window_overload(&w);
	ck_assert_uint_eq(window_size(&w), 8);
	for (i = 0; i < 10; i++)
		window_overload(&w);
	ck_assert_uint_eq(window_size(&w), 2);
	/* huge round trips never take it below its floor */
	for (i = 0; i < 1000; i++)
		window_sample(&w, 100000, now += 10);
	ck_assert_uint_eq(window_size(&w), 2);
}
END_TEST

Suite *
window_suite(void)
{
	Suite *s = suite_create("window");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, test_window_opens_and_settles);
	tcase_add_test(tc, test_window_shrinks_when_the_path_slows);
	tcase_add_test(tc, test_window_fills_a_long_fat_path);
	tcase_add_test(tc, test_window_fills_a_slow_long_path);
	tcase_add_test(tc, test_window_lower_target);
	tcase_add_test(tc, test_window_local_answers);
	tcase_add_test(tc, test_window_bounds_and_overload);
	suite_add_tcase(s, tc);
	return s;
}
