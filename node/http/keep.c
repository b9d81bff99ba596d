/* keep.c: kept documents and their checks (keep.h). A check is a fetch
 * of the document for no one (get_start_owned) whose blocks come from the
 * network only: each block asked counts, each one found counts, and with
 * repair a missing block is sent out again from this node's store when it
 * is here, or rebuilt by the fetch from the check blocks and inserted.
 * One scheduled check runs at a time; wisp check's run beside them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sodium.h>

#include "crypto/block.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/keepfile.h"
#include "node/http/get.h"
#include "node/http/get_job.h"
#include "node/http/keep.h"
#include "node/http/reply.h"
#include "node/route/driver.h"
#include "store/store.h"

enum { KEEP_MAX = 1024, CHECKS_MAX = 4, TICK_S = 5 };

struct check;

struct kept {
	struct keep_rec r;
	struct check *running;
	struct kept *next;
};

struct keeper {
	struct node *n;
	struct kept *list;
	unsigned count, checks;
	struct event *tick;
	char path[PATH_MAX + 8];
};

struct check {
	struct keeper *k;
	struct kept *kd;             /* NULL: wisp check's */
	struct evhttp_request *req;  /* wisp check's progress stream */
	struct get_job *job;
	struct job_owner owner;
	uint64_t asked, found, healed, bytes, total;
	int ended, starting;
	struct event *line;          /* a progress line a second */
};

/* ---- the file ---- */

static void
save(struct keeper *k)
{
	char line[KEEP_LINE_MAX];
	struct kept *e;
	size_t len;
	FILE *f;
	int ok;

	if (!(f = vault_fopen(k->n, "keep", "w"))) {
		log_warnx("keep: cannot write %s: %s", k->path, strerror(errno));
		return;
	}
	ok = fprintf(f, "%s\n", KEEPFILE_MAGIC) > 0;
	for (e = k->list; e && ok; e = e->next)
		if (keepfile_format(&e->r, line, sizeof(line), &len) == 0)
			ok = fwrite(line, 1, len, f) == len;
	ok = fclose(f) == 0 && ok; /* sealed, synced and renamed into place */
	if (!ok)
		log_warnx("keep: cannot save %s: %s", k->path, strerror(errno));
}

static void
add_rec(struct keeper *k, const struct keep_rec *r)
{
	struct kept *e = calloc(1, sizeof(*e)), **p;

	if (!e)
		return;
	e->r = *r;
	for (p = &k->list; *p; p = &(*p)->next)
		;
	*p = e;
	k->count++;
}

static void
load(struct keeper *k)
{
	static char line[KEEP_LINE_MAX + 2];
	struct keep_rec r;
	unsigned no = 0;
	FILE *f = vault_fopen(k->n, "keep", "r");

	if (!f) {
		if (errno == EBADMSG) {
			char aside[sizeof(k->path) + 32];
			snprintf(aside, sizeof(aside), "%s.damaged-%lld", k->path, (long long)time(NULL));
			log_warnx("keep: %s does not open under this node's key: set aside as %s", k->path, aside);
			if (rename(k->path, aside) != 0)
				log_warnx("keep: cannot set %s aside: %s", k->path, strerror(errno));
		}
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n' || (no++ == 0 && strncmp(line, KEEPFILE_MAGIC "\n", len)) ||
		    (no > 1 && (keepfile_parse(&r, line, len - 1) != 0 || k->count >= KEEP_MAX))) {
			char aside[sizeof(k->path) + 32];
			snprintf(aside, sizeof(aside), "%s.damaged-%lld", k->path, (long long)time(NULL));
			log_warnx("keep: %s is damaged (line %u): set aside as %s", k->path, no, aside);
			while (k->list) {
				struct kept *e = k->list;
				k->list = e->next;
				free(e);
			}
			k->count = 0;
			fclose(f);
			if (rename(k->path, aside) != 0)
				log_warnx("keep: cannot set %s aside: %s", k->path, strerror(errno));
			return;
		}
		if (no > 1)
			add_rec(k, &r);
	}
	fclose(f);
}

/* ---- a check ---- */

static int64_t
jittered(const struct keeper *k, int64_t now)
{
	/* 75% to 125% of the interval, so checks of many nodes do not
	 * arrive together and a watcher cannot tie them to one schedule */
	uint64_t iv = k->n->conf.keep_interval;

	return now + (int64_t)(iv * 3 / 4 + randombytes_uniform((uint32_t)(iv / 2 + 1)));
}

static void
check_json(struct evbuffer *b, const struct check *c, const char *state, int ok, const char *why)
{
	evbuffer_add_printf(b, "{\"state\": \"%s\", \"asked\": %" PRIu64 ", \"found\": %" PRIu64
	    ", \"healed\": %" PRIu64 ", \"bytes_done\": %" PRIu64 ", \"bytes_total\": %" PRIu64, state, c->asked,
	    c->found, c->healed, c->bytes, c->total);
	if (ok >= 0) {
		evbuffer_add_printf(b, ", \"retrievable\": %s, \"reason\": ", ok ? "true" : "false");
		json_str(b, why);
	}
	evbuffer_add_printf(b, "}\n");
}

static void
stream_line(struct check *c, const char *state, int ok, const char *why)
{
	struct evbuffer *b;

	if (!c->req || !(b = evbuffer_new()))
		return;
	check_json(b, c, state, ok, why);
	evhttp_send_reply_chunk(c->req, b);
	evbuffer_free(b);
}

static void
on_line(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	stream_line(arg, "running", -1, NULL);
}

static void
req_gone(struct evhttp_connection *evcon, void *arg)
{
	struct check *c = arg;

	(void)evcon;
	c->req = NULL; /* the check ends by itself */
}

static void
check_free(struct check *c)
{
	if (c->line)
		event_free(c->line);
	free(c);
}

static void
s_start(void *ctx, uint64_t length, const char *mime)
{
	(void)mime;
	((struct check *)ctx)->total = length;
}

static int
s_data(void *ctx, const uint8_t *p, size_t len)
{
	(void)p;
	((struct check *)ctx)->bytes += len;
	return 0;
}

static void
s_end(void *ctx, enum fetch_status st, const char *reason)
{
	struct check *c = ctx;
	struct keeper *k = c->k;

	c->job = NULL;
	c->ended = 1;
	k->checks--;
	if (c->kd) {
		struct keep_rec *r = &c->kd->r;
		r->last = (int64_t)time(NULL);
		r->next = jittered(k, r->last);
		r->asked = c->asked;
		r->found = c->found < c->asked ? c->found : c->asked;
		r->healed = c->healed < c->asked ? c->healed : c->asked;
		r->ok = st == FETCH_OK;
		c->kd->running = NULL;
		log_info("keep: a document checked: %s, %" PRIu64 " of %" PRIu64 " blocks found, %" PRIu64
		    " sent out again", st == FETCH_OK ? "retrievable" : "not retrievable", r->found, r->asked, r->healed);
		save(k);
	}
	if (c->req) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(c->req), NULL, NULL);
		stream_line(c, "done", st == FETCH_OK, st == FETCH_OK ? "" : reason);
		evhttp_send_reply_end(c->req);
		c->req = NULL;
	}
	if (!c->starting)
		check_free(c); /* else check_begin does, once get_start_owned returns */
}

static const struct fetch_sink check_sink = { s_start, s_data, s_end };

static int
c_held(void *ctx, const uint8_t rkey[CHK_KEY_LEN], uint8_t *out, size_t cap, size_t *len)
{
	(void)rkey;
	(void)out;
	(void)cap;
	(void)len;
	((struct check *)ctx)->asked++;
	return WISP_ERR_NOTFOUND; /* every block is asked of the network */
}

static void
c_keep(void *ctx, const uint8_t rkey[CHK_KEY_LEN], const uint8_t *block, size_t len, unsigned hops)
{
	(void)rkey;
	(void)block;
	(void)len;
	(void)hops;
	((struct check *)ctx)->found++;
}

static void
resent(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	(void)cookie;
	(void)st;
	(void)block;
	(void)len;
	(void)hops;
}

/* c_missing: the network lacks a block this store holds: send it out. */
static int
c_missing(void *ctx, const uint8_t rkey[CHK_KEY_LEN], uint8_t *out, size_t cap, size_t *len)
{
	struct check *c = ctx;
	struct node *n = c->k->n;

	if (store_get(n->store, rkey, out, cap, len) != 0 ||
	    (!store_sealed(n->store) && block_verify(out, *len, rkey) != 0))
		return -1;
	if (node_put_block(n, rkey, out, *len, 1, resent, NULL) == 0)
		c->healed++;
	return 0;
}

static void
c_rebuilt(void *ctx)
{
	((struct check *)ctx)->healed++;
}

/* check_begin starts a check of |uri|: 0, or -1 with nothing begun
 * (out of memory). A URI that cannot be fetched ends it at once. */
static int
check_begin(struct keeper *k, const char *uri, int repair, struct kept *kd, struct evhttp_request *req)
{
	struct check *c = calloc(1, sizeof(*c));
	struct timeval one = { 1, 0 };
	const char *why = NULL;
	struct get_job *j;

	if (!c || !(c->line = event_new(k->n->base, -1, EV_PERSIST, on_line, c))) {
		free(c);
		return -1;
	}
	c->k = k;
	c->kd = kd;
	c->req = req;
	c->owner = (struct job_owner){ .sink = &check_sink, .held = c_held, .keep = c_keep, .ctx = c, .probe = 1,
		.repair = repair, .missing = repair ? c_missing : NULL, .rebuilt = repair ? c_rebuilt : NULL };
	if (req) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/x-ndjson");
		evhttp_send_reply_start(req, 200, "OK");
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), req_gone, c);
		event_add(c->line, &one);
	}
	if (kd)
		kd->running = c;
	k->checks++;
	c->starting = 1;
	j = get_start_owned(k->n, uri, &c->owner, &why);
	c->starting = 0;
	if (!j && !c->ended)
		s_end(c, FETCH_FAILED, why ? why : "out of memory"); /* frees it */
	else if (c->ended)
		check_free(c);
	else
		c->job = j;
	return 0;
}

/* ---- the schedule ---- */

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct keeper *k = arg;
	int64_t now = (int64_t)time(NULL);
	struct kept *e, *due = NULL;

	(void)fd;
	(void)ev;
	for (e = k->list; e; e = e->next) {
		if (e->running)
			return; /* one scheduled check at a time */
		if (e->r.next <= now && (!due || e->r.next < due->r.next))
			due = e;
	}
	if (due && k->checks < CHECKS_MAX && check_begin(k, due->r.uri, 1, due, NULL) != 0)
		due->r.next = jittered(k, now); /* try again later */
}

int
keep_start(struct node *n)
{
	struct keeper *k = calloc(1, sizeof(*k));
	struct timeval tv = { TICK_S, 0 };

	if (!k)
		return -1;
	k->n = n;
	snprintf(k->path, sizeof(k->path), "%.*s/keep", PATH_MAX - 8, n->datadir);
	load(k);
	n->keep = k;
	if (!(k->tick = event_new(n->base, -1, EV_PERSIST, on_tick, k)) || event_add(k->tick, &tv) != 0)
		return -1;
	return 0;
}

void
keep_stop(struct node *n)
{
	struct keeper *k = n->keep;

	if (!k)
		return;
	save(k);
	if (k->tick)
		event_free(k->tick);
	while (k->list) {
		struct kept *e = k->list;
		k->list = e->next;
		free(e);
	}
	free(k);
	n->keep = NULL; /* checks still running end with the router */
}

/* ---- the API ---- */

static struct kept *
find(struct keeper *k, const char *uri)
{
	struct kept *e;

	for (e = k->list; e; e = e->next)
		if (!strcmp(e->r.uri, uri))
			return e;
	return NULL;
}

static int
uri_arg(struct evhttp_request *req, char *uri, size_t cap)
{
	const char *why = NULL;
	struct uri u;

	if (query_get(req, "uri", uri, cap) != 0 || uri_parse(&u, uri, strlen(uri), &why) != 0) {
		reply_error(req, 400, "bad_uri", why ? why : "missing or over-long uri parameter");
		return -1;
	}
	sodium_memzero(&u, sizeof(u));
	return 0;
}

void
api_keep_list(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct kept *e;

	if (!b) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"interval\": %u, \"kept\": [", n->conf.keep_interval);
	for (e = n->keep->list; e; e = e->next) {
		evbuffer_add_printf(b, "%s{\"uri\": ", e == n->keep->list ? "" : ", ");
		json_str(b, e->r.uri);
		evbuffer_add_printf(b, ", \"added\": %lld, \"last\": %lld, \"next\": %lld, \"asked\": %" PRIu64
		    ", \"found\": %" PRIu64 ", \"healed\": %" PRIu64 ", \"retrievable\": %s, \"checking\": %s}",
		    (long long)e->r.added, (long long)e->r.last, (long long)e->r.next, e->r.asked, e->r.found,
		    e->r.healed, e->r.ok < 0 ? "null" : e->r.ok ? "true" : "false", e->running ? "true" : "false");
	}
	evbuffer_add_printf(b, "]}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

void
api_keep_add(struct node *n, struct evhttp_request *req)
{
	struct keeper *k = n->keep;
	struct keep_rec r = { 0 };
	struct evbuffer *b;
	int had;

	if (uri_arg(req, r.uri, sizeof(r.uri)) != 0)
		return;
	if (!(had = find(k, r.uri) != NULL)) {
		if (k->count >= KEEP_MAX) {
			reply_error(req, 507, "full", "this node keeps 1024 documents already: wisp keep remove some");
			return;
		}
		r.added = (int64_t)time(NULL);
		r.next = r.added; /* a first check now */
		r.ok = -1;
		add_rec(k, &r);
		save(k);
		log_info("keep: a document added");
	}
	if (!(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"kept\": true, \"already\": %s}", had ? "true" : "false");
	reply_json(req, had ? 200 : 201, b);
	evbuffer_free(b);
	if (!had)
		on_tick(-1, 0, k);
}

void
api_keep_remove(struct node *n, struct evhttp_request *req)
{
	struct keeper *k = n->keep;
	char uri[URI_MAX + 1];
	struct kept **p, *e;
	struct evbuffer *b;

	if (uri_arg(req, uri, sizeof(uri)) != 0)
		return;
	for (p = &k->list; *p && strcmp((*p)->r.uri, uri); p = &(*p)->next)
		;
	if (!(e = *p)) {
		reply_error(req, 404, "not_kept", "this node does not keep this URI (wisp keep list)");
		return;
	}
	if (e->running)
		e->running->kd = NULL; /* it ends for no one */
	*p = e->next;
	free(e);
	k->count--;
	save(k);
	if (!(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"removed\": true}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

void
api_check(struct node *n, struct evhttp_request *req)
{
	char uri[URI_MAX + 1];

	if (uri_arg(req, uri, sizeof(uri)) != 0)
		return;
	if (n->keep->checks >= CHECKS_MAX) {
		reply_error(req, 503, "overload", "too many checks in progress; try again");
		return;
	}
	if (check_begin(n->keep, uri, 0, NULL, req) != 0)
		reply_error(req, 500, "internal", "out of memory");
}
