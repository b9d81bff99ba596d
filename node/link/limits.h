/* limits.h: how much the node sends and receives (docs/operator.md,
 * "Bandwidth"). bandwidth-out and bandwidth-in cap the node as a whole
 * (libevent's token buckets, one group for every link, 100 ms ticks);
 * with a limit, opennet strangers share at most half of it, each with
 * its own bucket, so friends keep the rest. bandwidth-month slows the
 * output once the month's share so far is spent, down to what is left
 * over the rest of the month but never below LIMITS_FLOOR. Rates are
 * measured each second. */
#ifndef WISP_LIMITS_H
#define WISP_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct link;

enum { LIMITS_FLOOR = 4096 }; /* bytes/s a slowed node still sends */

struct limits_stats {
	uint64_t out_limit, in_limit;  /* configured, bytes/s; 0: none */
	uint64_t out_now;              /* in force (the month may lower it) */
	uint64_t rate_in, rate_out;    /* measured, bytes/s */
	uint64_t month_cap, month_used;
	int slowed;                    /* the month's share is spent */
	uint64_t queued;               /* bytes waiting on every link */
};

int limits_start(struct node *n);
void limits_stop(struct node *n);
/* limits_apply: after a reload, the new limits in force at once. */
int limits_apply(struct node *n);
/* links_drain_ms: how long every link's waiting bytes and |more| would
 * take at the node's output limit; 0 without one. */
uint64_t links_drain_ms(const struct node *n, size_t more);
void limits_stats(const struct node *n, struct limits_stats *st);

#endif
