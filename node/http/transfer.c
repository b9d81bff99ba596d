/* transfer.c: the node's queue of downloads and inserts at its top
 * (transfer.h): started and stopped with the node, the one-second tick
 * that starts downloads, pumps inserts and tells followers, and the API
 * calls that reach both kinds. Below it: transfer_get.c and
 * transfer_put.c, and transfer_queue.c (the list, its file, the JSON). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "node/base/log.h"
#include "node/base/offload.h"
#include "node/base/node.h"
#include "node/http/reply.h"
#include "node/http/transfer.h"
#include "node/http/transfer_int.h"
#include "store/area.h"

enum { SAVE_EVERY_S = 2 };

void
api_transfers_add(struct node *n, struct evhttp_request *req)
{
	char dir[8];

	if (query_get(req, "direction", dir, sizeof(dir)) != 0 || (strcmp(dir, "get") && strcmp(dir, "put"))) {
		reply_error(req, 400, "bad_request", "direction=get or direction=put is needed");
		return;
	}
	if (dir[0] == 'g')
		xget_add(n, req);
	else
		xput_add(n, req);
}

void
api_transfer_cancel(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct xfer *x;
	int was;

	if (!b) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	if (transfers_query_id(n, req, &x) != 0) {
		evbuffer_free(b);
		return;
	}
	was = !xq_finished(x);
	if (x->r.dir == XFER_GET)
		xget_stop(x, 0);
	else
		xput_stop(x);
	log_info("transfer %u: %s", (unsigned)x->r.id, was ? "cancelled" : "removed");
	xq_unlink_x(n->xfers, x);
	xq_save(n->xfers);
	evbuffer_add_printf(b, "{\"cancelled\": %s, \"removed\": true}", was ? "true" : "false");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct transfers *t = arg;
	unsigned running = 0;
	struct xfer *x;
	int dirty = 0;

	(void)fd;
	(void)ev;
	for (x = t->list; x; x = x->next) {
		double now = (double)(x->r.done - (x->r.done >= x->last_bytes ? x->last_bytes : x->r.done));
		x->rate = x->rate == 0 ? now : 0.7 * x->rate + 0.3 * now;
		x->last_bytes = x->r.done;
		dirty |= x->dirty;
		if (x->r.dir == XFER_GET && x->r.state == XFER_RUNNING)
			running++;
	}
	for (x = t->list; x; x = x->next) {
		if (x->r.dir == XFER_PUT && (x->r.state == XFER_RUNNING || x->r.state == XFER_STAGING))
			xput_pump(x);
		if (x->r.dir == XFER_GET && x->r.state == XFER_QUEUED && running < XFER_GETS_RUNNING && xget_ready(x)) {
			running++;
			xget_run(x);
		}
	}
	xq_follow_tick(t);
	if (dirty && ++t->ticks % SAVE_EVERY_S == 0)
		xq_save(t);
}

int
transfers_start(struct node *n)
{
	struct timeval one = { 1, 0 };
	struct transfers *t = calloc(1, sizeof(*t));
	struct xfer *x;

	if (!t)
		return -1;
	t->n = n;
	t->next_id = 1;
	t->persist = n->conf.persist_transfers;
	if ((size_t)snprintf(t->dir, sizeof(t->dir), "%.*s/transfers", PATH_MAX - 16, n->datadir) >= sizeof(t->dir)) {
		free(t);
		return -1;
	}
	if (mkdir(t->dir, 0700) != 0 && errno != EEXIST) {
		log_warnx("transfers: cannot create %s: %s", t->dir, strerror(errno));
		free(t);
		return -1;
	}
	if (offload_new(&t->checker, n->base) != 0) {
		free(t);
		return -1;
	}
	n->xfers = t;
	if (t->persist) {
		xq_load(t);
	} else {
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/queue", t->dir);
		unlink(path); /* what an earlier run with persist-transfers = yes kept */
	}
	xq_sweep(t);
	for (x = t->list; x; x = x->next) {
		if (xq_finished(x))
			continue;
		if (x->r.dir == XFER_GET) {
			x->r.state = XFER_QUEUED; /* the tick starts it, once linked */
		} else if (x->r.state == XFER_STAGING) {
			x->r.state = XFER_FAILED;
			x->r.code = 1;
			x->r.ended = (int64_t)time(NULL);
			snprintf(x->r.why, sizeof(x->r.why), "the node stopped while the file's blocks were being handed "
			    "to it: wisp put the file again (it gets the same URI)");
			xq_drop_files(x);
		} else {
			xput_resume(x);
		}
	}
	xq_trim(t);
	if (!(t->tick = event_new(n->base, -1, EV_PERSIST, on_tick, t)) || event_add(t->tick, &one) != 0)
		return -1;
	xq_save(t);
	return 0;
}

void
transfers_quiet(struct node *n)
{
	struct transfers *t = n->xfers;
	struct xfer *x;

	if (!t)
		return;
	offload_free(t->checker);
	t->checker = NULL;
	for (x = t->list; x; x = x->next)
		if (x->r.dir == XFER_PUT)
			xput_stop(x);
}

void
transfers_stop(struct node *n)
{
	struct transfers *t = n->xfers;
	struct xfer *x;

	if (!t)
		return;
	transfers_quiet(n); /* the inserts stopped there */
	for (x = t->list; x; x = x->next)
		if (x->r.dir == XFER_GET)
			xget_stop(x, 1);
	xq_save(t);
	if (t->tick)
		event_free(t->tick);
	xq_follow_close_all(t);
	xq_free_all(t);
	free(t);
	n->xfers = NULL;
}
