/* The daemon's monotonic clock: the one place the shell reads it for
 * deadlines, so the pure core (core/) is handed times, never reads them. */
#include <time.h>

#include "node/base/clock.h"

uint64_t
node_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
