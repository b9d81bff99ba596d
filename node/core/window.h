/* window.h: how many block requests a fetch keeps in flight, sans-I/O.
 *
 * Enough to fill the path (its bandwidth-delay product), and no more, or
 * the extra blocks only wait in queues on the way, where every other
 * request across those links waits behind them (docs/routing.md,
 * "Windows"). The control is LEDBAT's (RFC 6817) on block round trips:
 * the least round trip seen in the last minute is the path's own delay;
 * what a block takes beyond it is queueing. Below the target the window
 * grows (doubling each round trip at first, as TCP's slow start, until
 * the queueing reaches the target, then by up to 1/WINDOW_SHARE of itself
 * a round trip), above it it shrinks in proportion, as fast at most, and
 * an overload answer halves it. The caller feeds round trips of blocks
 * that crossed the network; the store's own answers, which say nothing of
 * the path, only open the window while it is in slow start
 * (window_local). */
#ifndef WISP_WINDOW_H
#define WISP_WINDOW_H

#include <stdint.h>

enum {
	WINDOW_TARGET_MS = 50,  /* queueing a window may add on its path (a quarter of a longer path's delay) */
	WINDOW_BASE_SLOTS = 6,  /* the path's delay: minima of 10 s each, for a minute */
	WINDOW_RECENT = 4,      /* a round trip is the least of the last four: noise filtered */
	WINDOW_SHARE = 4,       /* past slow start, it moves by at most a quarter of itself a round trip */
};

struct window {
	double w;
	unsigned lo, hi;
	uint32_t target;        /* ms of queueing it aims at (WINDOW_TARGET_MS unless set) */
	int slow_start;
	uint32_t base[WINDOW_BASE_SLOTS];
	uint64_t base_slot;     /* the 10 s period base[base_slot % SLOTS] holds */
	uint32_t recent[WINDOW_RECENT];
	unsigned nrecent;
};

/* window_init: |start| blocks at first, kept within [lo, hi]. */
void window_init(struct window *w, unsigned lo, unsigned hi, unsigned start);
/* window_set_target: aim at |ms| of queueing (at least; a long path's is
 * a quarter of its delay): a put's inserts aim lower than fetches, so
 * that they yield to them on a link both cross. */
void window_set_target(struct window *w, uint32_t ms);
/* window_sample: a block came back |rtt_ms| after it was asked. */
void window_sample(struct window *w, uint32_t rtt_ms, uint64_t now_ms);
/* window_local: a block this node's store answered. In slow start it
 * counts as a round trip without queueing, so a fetch of what this node
 * holds soon keeps |hi| blocks in flight (they wait on the thread that
 * opens them, not on a link); after, it changes nothing. */
void window_local(struct window *w);
/* window_overload: a request was refused for load on the way. */
void window_overload(struct window *w);
unsigned window_size(const struct window *w);
/* window_queueing: the queueing delay the window sees now, in ms. */
uint32_t window_queueing(const struct window *w);

#endif
