/* clock.h: the daemon's one clock. */
#ifndef WISP_CLOCK_H
#define WISP_CLOCK_H

#include <stdint.h>

/* node_now_ms: monotonic milliseconds, for deadlines and rates; never a
 * date (those are time(NULL), where a file or a peer needs one). */
uint64_t node_now_ms(void);
/* node_wall_clock: the date, to the nanosecond, for what must be ordered
 * across restarts (the handshake's stamp, link/link.c). */
void node_wall_clock(uint64_t *sec, uint32_t *nsec);

#endif
