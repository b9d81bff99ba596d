/* transfer_int.h: what transfer.c (the queue, its file, the API's list
 * and streams), transfer_get.c (downloads) and transfer_put.c (inserts)
 * share; not for the rest of wisp. */
#ifndef WISP_TRANSFER_INT_H
#define WISP_TRANSFER_INT_H

#include <limits.h>
#include <stdint.h>

#include "crypto/flow.h"
#include "node/core/upload.h"
#include "node/core/window.h"
#include "node/core/xferfile.h"
#include "node/http/get_job.h"

struct node;
struct area;
struct evhttp_request;

enum transfer_limits {
	XFER_KEEP_DONE = 64,     /* finished transfers listed; older ones go */
	XFER_GETS_RUNNING = 4,   /* downloads at once; the rest queue */
	XFER_TRIES = 4,          /* a download that found nothing starts again, this often */
	XFER_RETRY_S = 5,
	XFER_WAIT_PEERS_S = 60,  /* a download waits this long for a link after start */
	PUT_WINDOW = 48,         /* a put's blocks in flight to the network, at most */
	PUT_TARGET_MS = 3,       /* the queueing its window aims at (core/window.h); a fetch's: 50 */
	PUT_WINDOW_HERE = 256,   /* ... and with no peer linked (transfer_put.c, window) */
	PUT_RING = 512,          /* blocks between the oldest unfinished one and the next */
	XFER_BATCHES = 4,        /* a put's batches in hand at once (wisp put's PUT_LANES) */
	PUT_BACKLOG = 256,       /* staged, not inserted: a foreground batch waits past this */
	PUT_BLOCK_TRIES = 3,
};

/* An inserted block's outcome. */
enum { OUT_ACCEPTED = 1, OUT_HERE = 2, OUT_REFUSED = 3 };

struct xfer {
	struct xfer_rec r;
	struct transfers *t;
	struct xfer *next;
	struct area *area;
	int dirty;              /* to be saved */
	/* progress, sampled each second */
	uint64_t last_bytes;
	double rate;            /* bytes/s, smoothed */
	/* a download */
	struct get_job *job;
	struct job_owner owner;
	int fd, tries;
	struct flow flow;       /* fd's, a file written once (flow.h) */
	unsigned hops;          /* the farthest a block came from (0: this node) */
	int64_t edition;        /* of a USK, once resolved; else -1 */
	int64_t retry_at;
	/* an insert */
	uint64_t low, next_i;   /* oldest unfinished block; next to send */
	unsigned inflight;
	struct window win;      /* how many may be (window, transfer_put.c) */
	uint8_t ring[PUT_RING]; /* per block from |low|: tries, high bit set when done */
	uint64_t above[4];      /* outcomes of blocks done above |low|, not yet in r */
	uint64_t retry[PUT_WINDOW_HERE];
	unsigned nretry;
	/* Batches in hand, at most XFER_BATCHES: being checked off the loop,
	 * or kept and held, answered in order once the backlog drains. More
	 * than one, so the client sends while the node checks and keeps. */
	struct evhttp_request *held[XFER_BATCHES];
	unsigned nheld, checking;
	/* While the pump runs for a batch just kept, its blocks in the
	 * request's body: blocks mem_lo.. are sent from there, not read back. */
	const struct upload *mem;
	uint64_t mem_lo;
	size_t mem_n;
	int stopping;
};

struct transfers {
	struct node *n;
	struct xfer *list;      /* by id */
	uint32_t next_id;
	int persist;
	struct event *tick;
	struct follow *follows;
	char dir[PATH_MAX];     /* DATADIR/transfers */
	unsigned ticks;
	uint64_t test_hold;     /* api_test.c: an insert sends at most this many blocks */
	struct offload *checker; /* uploaded batches checked off the loop */
};

/* transfer_queue.c: the list, its file, the JSON, the followers */
void xfer_area_path(const struct xfer *x, char *out, size_t cap);
/* xfer_end: finished (DONE with code 0, else FAILED with |why|). */
void xfer_end(struct xfer *x, int code, const char *why);
void xfer_changed(struct xfer *x);
/* xfer_guard: the store's guard follows the inserts in progress. */
void xfer_guard(struct node *n);
int xq_finished(const struct xfer *x);
int xq_active_put(const struct xfer *x);  /* an insert not yet finished */
int xq_save(struct transfers *t);
void xq_load(struct transfers *t);
void xq_sweep(struct transfers *t);
void xq_trim(struct transfers *t);
void xq_free_all(struct transfers *t);
void xq_drop_files(struct xfer *x);
void xq_unlink_x(struct transfers *t, struct xfer *x);
void xq_follow_tick(struct transfers *t);
void xq_follow_close_all(struct transfers *t);

/* transfer_get.c */
void xget_add(struct node *n, struct evhttp_request *req);
void xget_run(struct xfer *x);
/* xget_stop: cancelled (0), or the node stops (1, the router gone). */
void xget_stop(struct xfer *x, int final);
/* xget_ready: may a queued download start now? */
int xget_ready(struct xfer *x);

/* transfer_put.c */
void xput_add(struct node *n, struct evhttp_request *req);
void xput_pump(struct xfer *x);
void xput_stop(struct xfer *x);
void xput_resume(struct xfer *x);


#endif
