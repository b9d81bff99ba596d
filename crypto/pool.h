/* pool.h: a fixed set of worker threads for data-parallel loops.
 *
 * The encoder's work (hashing, sealing and erasure coding 32 KiB blocks)
 * splits into independent pieces whose results must come back in order:
 * pool_for runs one loop on every core and returns when all of it is
 * done, so the caller's order, and every byte it produces, is the same
 * with one thread or many. No callback runs after pool_for returns. */
#ifndef WISP_POOL_H
#define WISP_POOL_H

#include <stddef.h>

#include "crypto/err.h"

struct pool;

typedef void (*pool_fn)(void *ctx, size_t i);

/* pool_new starts |threads| - 1 workers (the caller of pool_for is the
 * last); 0 means one per online core. Returns 0 or WISP_ERR_NOMEM; a
 * machine that cannot start a thread gets a pool of one. */
int pool_new(struct pool **out, unsigned threads) WISP_WUR;
/* pool_free stops and joins the workers. NULL is fine. */
void pool_free(struct pool *p);
/* pool_threads: how many threads a loop runs on (1 for NULL). */
unsigned pool_threads(const struct pool *p);
/* pool_for calls fn(ctx, i) once for each i < n, spread over the pool's
 * threads and the caller's, in no particular order. A NULL pool runs the
 * loop in the caller. Not re-entrant: one loop at a time per pool. */
void pool_for(struct pool *p, size_t n, pool_fn fn, void *ctx);

#endif
