/* window.c: a fetch's window, by delay (window.h). */
#include <string.h>

#include "node/core/window.h"

void
window_init(struct window *w, unsigned lo, unsigned hi, unsigned start)
{
	memset(w, 0, sizeof(*w));
	w->lo = lo ? lo : 1;
	w->hi = hi < w->lo ? w->lo : hi;
	w->w = start < w->lo ? w->lo : start > w->hi ? w->hi : start;
	w->slow_start = 1;
	w->target = WINDOW_TARGET_MS;
	memset(w->base, 0xff, sizeof(w->base));
}

void
window_set_target(struct window *w, uint32_t ms)
{
	w->target = ms ? ms : 1;
}

static uint32_t
least(const uint32_t *v, unsigned n)
{
	uint32_t m = UINT32_MAX;
	unsigned i;

	for (i = 0; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static void
clamp(struct window *w)
{
	if (w->w < w->lo)
		w->w = w->lo;
	if (w->w > w->hi)
		w->w = w->hi;
}

uint32_t
window_queueing(const struct window *w)
{
	uint32_t base = least(w->base, WINDOW_BASE_SLOTS), cur;

	if (!w->nrecent || base == UINT32_MAX)
		return 0;
	cur = least(w->recent, w->nrecent < WINDOW_RECENT ? w->nrecent : WINDOW_RECENT);
	return cur > base ? cur - base : 0;
}

void
window_sample(struct window *w, uint32_t rtt_ms, uint64_t now_ms)
{
	uint64_t slot = now_ms / 10000;
	double off;
	uint32_t q, base, target;

	/* a new 10 s period forgets the oldest: a path that got longer is
	 * the path's own delay within a minute, not queueing for ever */
	if (slot != w->base_slot) {
		uint64_t s;
		for (s = w->base_slot + 1; s <= slot && s <= w->base_slot + WINDOW_BASE_SLOTS; s++)
			w->base[s % WINDOW_BASE_SLOTS] = UINT32_MAX;
		if (slot > w->base_slot + WINDOW_BASE_SLOTS)
			memset(w->base, 0xff, sizeof(w->base));
		w->base_slot = slot;
	}
	if (rtt_ms < w->base[slot % WINDOW_BASE_SLOTS])
		w->base[slot % WINDOW_BASE_SLOTS] = rtt_ms;
	w->recent[w->nrecent++ % WINDOW_RECENT] = rtt_ms;
	q = window_queueing(w);
	/* a long path tolerates more: a quarter of its own delay, at least
	 * the target (its jitter alone would shrink the window otherwise) */
	base = least(w->base, WINDOW_BASE_SLOTS);
	target = base / 4 > w->target ? base / 4 : w->target;
	if (w->slow_start) {
		if (q <= target) {
			w->w += 1; /* one more for each block back: doubling each round trip */
			clamp(w);
			return;
		}
		w->slow_start = 0;
	}
	off = ((double)target - (double)q) / target;
	/* a share of the window a round trip, not a number of blocks: on a
	 * path of 7 blocks, 4 blocks a round trip swung it from 2 to 13,
	 * and the line idled in the troughs (tests/unit/test_window.c) */
	if (off < -1)
		off = -1;
	w->w += off / WINDOW_SHARE;
	clamp(w);
}

void
window_local(struct window *w)
{
	if (!w->slow_start)
		return;
	w->w += 1;
	clamp(w);
}

void
window_overload(struct window *w)
{
	w->slow_start = 0;
	w->w /= 2;
	clamp(w);
}

unsigned
window_size(const struct window *w)
{
	return (unsigned)w->w;
}
