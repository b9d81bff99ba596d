/* flow.c: a file written once (flow.h). */
#define _GNU_SOURCE /* sync_file_range */
#include <fcntl.h>
#include <string.h>

#include "crypto/flow.h"

void
flow_init(struct flow *f, int fd)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
}

/* send starts the pending run's writing and drops the chunk two back,
 * whose writing has had two chunks' time to end (pages still being
 * written are left cached: the call drops only clean ones). */
static void
send(struct flow *f)
{
	if (f->end == f->start)
		return;
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(f->fd, (off_t)f->start, (off_t)(f->end - f->start), SYNC_FILE_RANGE_WRITE);
#endif
#ifdef POSIX_FADV_DONTNEED
	if (f->sent[1][1])
		(void)posix_fadvise(f->fd, (off_t)f->sent[1][0], (off_t)f->sent[1][1], POSIX_FADV_DONTNEED);
#endif
	memcpy(f->sent[1], f->sent[0], sizeof(f->sent[0]));
	f->sent[0][0] = f->start;
	f->sent[0][1] = f->end - f->start;
	f->start = f->end;
}

void
flow_wrote(struct flow *f, uint64_t off, uint64_t len)
{
	if (off != f->end) {
		send(f);
		f->start = f->end = off;
	}
	f->end += len;
	if (f->end - f->start >= FLOW_CHUNK)
		send(f);
}
