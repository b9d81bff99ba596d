/* offload.h: work taken off the event loop.
 *
 * A piece of work that costs milliseconds of one core (checking a batch
 * of uploaded blocks against their keys) runs on a thread of its own, so
 * that the loop goes on serving friends meanwhile; its completion runs on
 * the loop, in the order the work was handed over. */
#ifndef WISP_OFFLOAD_H
#define WISP_OFFLOAD_H

struct event_base;
struct offload;

typedef void (*offload_fn)(void *arg);

/* offload_new starts the worker thread. 0 or -1. */
int offload_new(struct offload **out, struct event_base *base);
/* offload_run runs work(arg) on the worker, then done(arg) on the loop.
 * |work| must touch nothing the loop uses. 0, or -1 (out of memory: run
 * neither). */
int offload_run(struct offload *o, offload_fn work, offload_fn done, void *arg);
/* offload_free finishes the work handed over and runs its completions
 * (in the caller, the loop's thread), then stops the worker. NULL is fine. */
void offload_free(struct offload *o);

#endif
