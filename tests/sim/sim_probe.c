/* wisp-sim's probes: how far documents are found, and how many are. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/simnet.h"
#include "tests/sim/simnet_int.h"

/* ---- probes ---- */

int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double
quantile(const uint64_t *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;

	return i + 1 < n ? (double)v[i] + (pos - (double)i) * (double)(v[i + 1] - v[i]) : (double)v[i];
}

/* window_first: the first document of the probes' recent window (born
 * is sorted); S.ndocs if none. */
static uint32_t
window_first(void)
{
	uint32_t lo = 0, hi = S.ndocs, since = S.step_now > S.window ? S.step_now - S.window : 0;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (S.born[mid] < since)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* stored_doc: a random document that some live node still holds. Stores
 * are LRU and small (the paper's 50 items), so old documents leave the
 * network; a probe for one of those measures the stores, not routing. */
static uint32_t
stored_doc(int recent)
{
	uint32_t d, lo = 0, tries = 0;

	if (recent && (lo = window_first()) == S.ndocs)
		lo = 0;
	do
		d = lo + rnd_below(S.ndocs - lo);
	while (!S.holders[d] && ++tries < 1000000);
	return d;
}

double
recent_kept(void)
{
	uint32_t d, lo = window_first(), n = 0;

	for (d = lo; d < S.ndocs; d++)
		n += S.holders[d] != 0;
	return S.ndocs > lo ? 100.0 * n / (S.ndocs - lo) : 0;
}

double
stored_share(void)
{
	uint32_t d, n = 0;

	for (d = 0; d < S.ndocs; d++)
		n += S.holders[d] != 0;
	return S.ndocs ? 100.0 * n / S.ndocs : 0;
}

/* probes: |count| requests for random stored documents from random live
 * nodes, with the routers observing only: nothing learnt or cached. A
 * failed probe counts as PROBE_HTL hops (the failure cap). */
struct probe_result
probes(int count, int recent)
{
	uint64_t *len = calloc((size_t)count, sizeof(uint64_t));
	struct probe_result pr;
	int k, ok = 0;

	if (!len)
		die("out of memory");
	set_htl(PROBE_HTL);
	observe(1);
	for (k = 0; k < count; k++) {
		uint64_t sends;
		uint32_t at = random_alive(), doc = stored_doc(recent); /* in this order */
		enum router_status st = op(at, 0, doc, &sends);
		if (st == ROUTER_FOUND) {
			ok++;
			len[k] = sends;
		} else {
			len[k] = PROBE_HTL;
		}
	}
	observe(0);
	set_htl(WORK_HTL);
	qsort(len, (size_t)count, sizeof(uint64_t), cmp_u64);
	pr.q1 = quantile(len, (size_t)count, 0.25);
	pr.median = quantile(len, (size_t)count, 0.5);
	pr.q3 = quantile(len, (size_t)count, 0.75);
	pr.success = 100.0 * ok / count;
	free(len);
	return pr;
}

