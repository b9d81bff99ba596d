/* flow.h: a file written once, front to back, and seldom read back soon:
 * a transfer's area, a fetched file. What is written is sent to the disk
 * as it comes, a chunk at a time, and leaves the page cache once two
 * more chunks have followed it, written by then: a 4 GiB file neither
 * fills the cache (pushing out what the machine reads) nor leaves a
 * whole file's writing to its last sync, and its writes reuse the pages
 * the earlier chunks left, which on this project's machines costs a
 * fraction of taking fresh ones (issue 28: a 512 MiB put, 12.7 -> 8.0 s).
 *
 * Advisory only: where the system has no such calls, or a filesystem
 * ignores them, the file is written as ever. Durability is still the
 * caller's fdatasync. */
#ifndef WISP_FLOW_H
#define WISP_FLOW_H

#include <stdint.h>

enum { FLOW_CHUNK = 1 << 20 };

struct flow {
	int fd;
	uint64_t start, end;    /* written, not yet sent: [start, end) */
	uint64_t sent[2][2];    /* the last two chunks sent, newest first: offset, length */
};

void flow_init(struct flow *f, int fd);
/* flow_wrote: |len| bytes were written at |off|. A write that does not
 * follow the last one starts a new run (what was pending is sent). */
void flow_wrote(struct flow *f, uint64_t off, uint64_t len);

#endif
