/* get_job.c: a document fetch's life for the API and the gateway (get_job.h):
 * made, answered when it fails, fetched from the network, its blocks
 * opened on another thread, reaped once no block answer is outstanding.
 * get.c, get_gateway.c and get_name.c build on it; it calls none of them
 * (the fetch's sink is the job's creator's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sodium.h>

#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/offload.h"
#include "node/http/get.h"
#include "node/http/get_job.h"
#include "node/http/pages.h"
#include "node/http/reply.h"
#include "node/route/driver.h"


void
job_finish_later(struct get_job *j)
{
	j->done = 1;
	event_active(j->reap, 0, 0);
}

void
job_on_close(struct evhttp_connection *evcon, void *arg)
{
	struct get_job *j = arg;

	(void)evcon;
	j->gone = 1;
	j->evcon = NULL;
	job_finish_later(j);
}

static void
job_reap(evutil_socket_t fd, short ev, void *arg)
{
	struct get_job *j = arg;

	(void)fd;
	(void)ev;
	if ((j->f && fetch_pending(j->f) > 0) || j->old || j->pending_ssk)
		return; /* an outstanding answer re-arms us */
	if (j->req) /* the client went away mid-stream: free the request */
		evhttp_send_reply_end(j->req);
	j->req = NULL;
	fetch_free(j->f);
	j->f = NULL;
	if (j->counted) {
		j->counted = 0;
		j->n->fetches--;
	}
	if (j->parked) {
		/* The outcome waits for the page's reload, for a while. */
		struct timeval tv = { GATEWAY_PARK_TTL_S, 0 };
		if (!j->result)
			j->result = -1;
		event_add(j->patience, &tv);
		return;
	}
	job_free(j);
}

struct get_job *
job_new(struct node *n)
{
	struct get_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	if (!(j->reap = event_new(n->base, -1, 0, job_reap, j))) {
		free(j);
		return NULL;
	}
	j->n = n;
	return j;
}

void
job_next_fetch(struct get_job *j)
{
	if (j->f && fetch_pending(j->f) > 0 && !j->old)
		j->old = j->f;
	else
		fetch_free(j->f);
	j->f = NULL;
}

/* answered: an answer went to |f|. The fetch the job moved on from goes
 * with its last; the job is reaped once nothing is outstanding. */
static void
answered(struct get_job *j, struct fetch *f)
{
	if (f == j->old && fetch_pending(f) == 0) {
		fetch_free(f);
		j->old = NULL;
	}
	if (j->done && (!j->f || fetch_pending(j->f) == 0) && !j->old)
		event_active(j->reap, 0, 0);
}

void
job_free(struct get_job *j)
{
	sodium_memzero(&j->u, sizeof(j->u));
	if (j->mbuf)
		evbuffer_free(j->mbuf);
	if (j->body)
		evbuffer_free(j->body);
	if (j->restart)
		event_free(j->restart);
	if (j->patience)
		event_free(j->patience);
	event_free(j->reap);
	free(j);
}

/* The source of a fetch is the network (the router asks this node's
 * store first). Each answer goes back to the fetch with its tag. */
struct want {
	struct get_job *j;
	struct fetch *f;
	uint32_t tag;
	uint64_t asked;         /* monotonic ms */
	uint8_t rkey[CHK_KEY_LEN];
};

/* pace: a block's round trip, or an overload on its way, sizes the
 * fetch's window. Only blocks that crossed the network are round trips:
 * the store's own answers say nothing of the path (core/window.h). */
static void
pace(struct get_job *j, const struct want *w, enum router_status st, unsigned hops)
{
	if (j->gone || !j->f)
		return;
	if (st == ROUTER_FOUND && hops > 0)
		window_sample(&j->win, (uint32_t)(node_now_ms() - w->asked), node_now_ms());
	else if (st == ROUTER_FOUND)
		window_local(&j->win);
	else if (st == ROUTER_OVERLOADED)
		window_overload(&j->win);
	else
		return;
	fetch_set_window(j->f, window_size(&j->win));
}

/* Opening blocks. Decrypting a fetched block and checking it against its
 * key is most of the processor time of a fetch from this node's store (a
 * local get: 66% of the loop's, under perf). A found block is opened on
 * the opener's thread, so that a get uses two cores and the loop goes on
 * serving friends meanwhile; the fetch gets the plaintext back on the
 * loop. Past OPENINGS_MAX out, node-wide, the loop opens the next one
 * itself: that bounds their memory (64 KiB each, 6 MiB). */
enum { OPENINGS_MAX = 96 };

struct opening {
	struct get_job *j;
	struct fetch *f;
	uint32_t tag;
	int rc;
	size_t len;
	uint8_t ckey[CHK_KEY_LEN];
	uint8_t block[CHK_BLOCK_LEN];
	uint8_t plain[CHK_PAYLOAD_LEN];
};

int
get_opener_start(struct node *n)
{
	return offload_new(&n->opener, n->base);
}

void
get_opener_stop(struct node *n)
{
	offload_free(n->opener); /* the openings still out come back first */
	n->opener = NULL;
}

static void
open_work(void *arg)
{
	struct opening *o = arg;

	o->rc = chk_decode(o->plain, &o->len, o->block, sizeof(o->block), o->ckey);
}

static void
open_done(void *arg)
{
	struct opening *o = arg;
	struct get_job *j = o->j;

	j->n->openings--;
	fetch_block_open(o->f, o->tag, o->rc, o->plain, o->len);
	sodium_memzero(o->plain, sizeof(o->plain));
	sodium_memzero(o->ckey, sizeof(o->ckey));
	answered(j, o->f);
	free(o);
}

/* open_later hands the opening of a found block to the opener: 0, or -1
 * if it is to be opened now (no opener, enough out, a stale answer, no
 * memory). Until it comes back the fetch counts the block as pending, so
 * the job and its fetch stay. */
static int
open_later(struct get_job *j, struct fetch *f, uint32_t tag, const uint8_t *block, size_t len)
{
	struct node *n = j->n;
	struct opening *o;

	if (!n->opener || n->openings >= OPENINGS_MAX || len != CHK_BLOCK_LEN || !(o = malloc(sizeof(*o))))
		return -1;
	o->j = j;
	o->f = f;
	o->tag = tag;
	memcpy(o->block, block, len); /* the fetch may ask for more now, reusing |block| */
	if (fetch_block_opening(f, tag, o->ckey) != 0) {
		free(o);
		return -1;
	}
	n->openings++;
	if (offload_run(n->opener, open_work, open_done, o) != 0) {
		open_work(o); /* out of memory: here, then */
		open_done(o);
	}
	return 0;
}

static void
got_block(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct want *w = cookie;
	struct get_job *j = w->j;

	if (st == ROUTER_FOUND && j->hops < hops)
		j->hops = hops;
	if (w->f == j->f)
		pace(j, w, st, hops);
	/* An owner's answers stop at the end (j->gone): it may be freed. */
	if (st == ROUTER_FOUND && !j->gone && j->owner)
		j->owner->keep(j->owner->ctx, w->rkey, block, len, hops);
	if (st != ROUTER_FOUND && !j->gone && j->owner && j->owner->missing) {
		static uint8_t b[CHK_BLOCK_LEN];
		size_t blen;
		if (j->owner->missing(j->owner->ctx, w->rkey, b, sizeof(b), &blen) == 0) {
			fetch_block_done(w->f, w->tag, FETCH_OK, b, blen);
			answered(j, w->f);
			free(w);
			return;
		}
	}
	if (st == ROUTER_FOUND && open_later(j, w->f, w->tag, block, len) == 0) {
		free(w);
		return;
	}
	fetch_block_done(w->f, w->tag, st == ROUTER_FOUND ? FETCH_OK
	    : st == ROUTER_OVERLOADED ? FETCH_FAILED : st == NODE_BLOCK_CORRUPT ? FETCH_INTEGRITY
	    : FETCH_NOTFOUND, block, len);
	answered(j, w->f);
	free(w);
}

static void
net_get(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	struct get_job *j = ctx;
	struct want *w;

	if (j->owner && !j->gone) {
		static uint8_t b[CHK_BLOCK_LEN];
		size_t len;
		if (j->owner->held(j->owner->ctx, rkey, b, sizeof(b), &len) == 0) {
			fetch_block_done(f, tag, FETCH_OK, b, len);
			return;
		}
	}
	if (!(w = malloc(sizeof(*w)))) {
		fetch_block_done(f, tag, FETCH_FAILED, NULL, 0);
		return;
	}
	*w = (struct want){ j, f, tag, node_now_ms(), { 0 } };
	memcpy(w->rkey, rkey, CHK_KEY_LEN);
	j->n->traffic.blocks_served++;
	if (node_get_block(j->n, rkey, !j->gone && j->owner && j->owner->probe, got_block, w) != 0) {
		free(w);
		fetch_block_done(f, tag, FETCH_FAILED, NULL, 0);
	}
}

static void
healed(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct node *n = cookie;

	(void)block;
	(void)len;
	(void)hops;
	if (st == ROUTER_INSERTED || st == ROUTER_COLLISION)
		n->traffic.blocks_healed++;
}

/* net_heal inserts a rebuilt block like any upload; the fetch goes on. A
 * keep's repair goes out as its probes did, past this node's store, so
 * that coming round again it does not end in this store, the one store
 * the keeper's check does not count. */
static void
net_heal(void *ctx, const uint8_t *block, const uint8_t rkey[CHK_KEY_LEN])
{
	struct get_job *j = ctx;
	const struct job_owner *o = j->gone ? NULL : j->owner;

	if (o && o->rebuilt)
		o->rebuilt(o->ctx);
	if (node_put_block(j->n, rkey, block, CHK_BLOCK_LEN, o && o->probe, healed, j->n) != 0)
		log_debug("heal: a rebuilt block could not be inserted (overloaded)");
}

static const struct fetch_source net_source = { net_get, net_heal };
static const struct fetch_source net_source_noheal = { net_get, NULL };

/* job_answer_page: a page for the browser now, or, for a parked job,
 * kept for the reload. */
void
job_answer_page(struct get_job *j, int code, const char *title, const char *text)
{
	if (j->parked) {
		j->result = code;
		snprintf(j->rtitle, sizeof(j->rtitle), "%s", title);
		snprintf(j->rtext, sizeof(j->rtext), "%s", text);
		return;
	}
	if (!j->gone)
		gw_page(j->req, code, title, text);
}

void
job_fail(struct get_job *j, int code, const char *kind, const char *reason)
{
	if (j->owner) {
		if (!j->gone)
			j->owner->sink->end(j->owner->ctx, code == 404 ? FETCH_NOTFOUND : code == 502 ? FETCH_INTEGRITY
			    : FETCH_FAILED, reason);
		j->gone = 1;
		j->owner = NULL; /* it may be freed now */
		job_finish_later(j);
		return;
	}
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	if (j->parked) {
		job_answer_page(j, code, code == 404 ? "Not found" : "Could not fetch this", reason);
	} else if (!j->gone) {
		if (j->gateway)
			gw_page(j->req, code, code == 404 ? "Not found" : "Could not fetch this", reason);
		else
			reply_error(j->req, code, kind, reason);
		j->req = NULL; /* answered; if gone, job_reap frees it */
	}
	job_finish_later(j);
}

/* job_start_chk fetches the document whose root is |root|. */
void
job_start_chk(struct get_job *j, const struct chk_keys *root)
{
	if (j->head) {
		/* Only what the name points at: the publisher's collision check. */
		char text[URI_MAX];
		struct uri c = { .type = URI_CHK, .alg = URI_ALG_V1 };
		struct evbuffer *b = evbuffer_new();
		memcpy(c.key, root->routing, 32);
		memcpy(c.ckey, root->crypto, 32);
		if (j->evcon)
			evhttp_connection_set_closecb(j->evcon, NULL, NULL);
		if (!j->gone && b && uri_format(text, sizeof(text), &c, 0) == 0) {
			evbuffer_add_printf(b, "{\"root\": \"%s\", \"edition\": %lld}", text, (long long)j->edition);
			reply_json(j->req, 200, b);
		} else if (!j->gone) {
			reply_error(j->req, 500, "internal", "out of memory");
		}
		evbuffer_free(b);
		if (!j->gone)
			j->req = NULL;
		job_finish_later(j);
		return;
	}
	if (fetch_new(&j->f, root, j->raw, 0, UINT64_MAX,
	    (j->owner ? j->owner->repair : j->n->conf.heal) ? &net_source : &net_source_noheal, j, j->sink, j) != 0) {
		job_fail(j, 500, "internal", "out of memory");
		return;
	}
	/* a few blocks at first; round trips open it up (core/window.h) */
	window_init(&j->win, 2, FETCH_WINDOW, 8);
	fetch_set_window(j->f, window_size(&j->win));
	fetch_start(j->f);
}

void
job_cancel(struct get_job *j)
{
	j->gone = 1;
	j->owner = NULL; /* it may be freed now */
	job_finish_later(j);
}

void
job_drop(struct get_job *j)
{
	fetch_free(j->f);
	fetch_free(j->old);
	j->f = j->old = NULL;
	job_free(j);
}
