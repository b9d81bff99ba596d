/* Location swapping's records (swap.h) and its state machine: whatever
 * decodes encodes back the same, and a node fed any sequence of records
 * from its two friends stays within its bounds. Input: records, each a
 * byte naming the friend (its low bit), a length byte and that many
 * bytes; a friend byte of 0xff advances the clock a second instead. */
#include <stdlib.h>
#include <string.h>

#include "node/core/swap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng;

static void
f_rand(void *ctx, void *buf, size_t n)
{
	uint8_t *p = buf;

	(void)ctx;
	while (n--) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		*p++ = (uint8_t)rng;
	}
}

static const struct swap_ops ops = { f_rand };

static void
roundtrip(const uint8_t *data, size_t size)
{
	uint8_t again[SWAP_MSG_MAX];
	struct swap_msg m, m2;
	size_t len;

	if (swap_msg_decode(&m, data, size) != 0)
		return;
	if (swap_msg_encode(&m, again, sizeof(again), &len) != 0 || len != size || memcmp(again, data, size) != 0 ||
	    swap_msg_decode(&m2, again, len) != 0 || m2.rv.n != m.rv.n ||
	    memcmp(m2.rv.locs, m.rv.locs, m.rv.n * sizeof(m.rv.locs[0])) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t loc[32] = { 0x40 }, l1[32] = { 0x20 }, l2[32] = { 0x80 };
	const struct swap_action *a;
	struct swap_config c;
	struct swap_msg m;
	struct swap *s;
	uint64_t now = 1000;
	size_t off = 0;

	roundtrip(data, size);
	rng = 88172645463325252ull;
	swap_config_default(&c);
	if (swap_new(&s, &c, &ops, NULL, loc, now) != 0)
		abort();
	if (swap_link_up(s, 1, l1, now) != 0 || swap_link_up(s, 2, l2, now) != 0)
		abort();
	while (off + 2 <= size) {
		uint8_t who = data[off], len = data[off + 1];
		off += 2;
		if (who == 0xff) {
			now += 1000;
			swap_on_timer(s, now);
		} else {
			if (len > size - off)
				break;
			if (swap_msg_decode(&m, data + off, len) == 0)
				swap_on_msg(s, 1 + (who & 1), &m, now);
			off += len;
		}
		while ((a = swap_poll(s)))
			if (a->type == SWAP_ACT_SEND && a->peer != 1 && a->peer != 2)
				abort(); /* only to friends */
	}
	swap_free(s);
	return 0;
}
