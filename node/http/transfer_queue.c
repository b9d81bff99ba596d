/* transfer_queue.c: the queue of downloads and inserts (transfer.h) at
 * its bottom: the list and its file, the store's guard for the inserts in
 * progress, the JSON, and the clients that follow one transfer. The
 * downloads are transfer_get.c's, the inserts transfer_put.c's, the tick
 * and the start and stop transfer.c's.
 *
 * The file (DATADIR/transfers/queue) is rewritten whole, through a
 * temporary file and a rename, when a transfer changes state and every
 * few seconds while one makes progress; a crash loses at most that much
 * progress, and the areas (area.h) keep the blocks themselves. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "store/area.h"
#include "store/store.h"
#include "node/http/pages.h"
#include "node/http/reply.h"
#include "node/http/transfer.h"
#include "node/http/transfer_int.h"

enum { SAVE_EVERY_S = 2 };

/* A client following one transfer: a line of JSON each second, the last
 * when it ends. */
struct follow {
	struct evhttp_request *req;
	uint32_t id;
	struct follow *next;
};

static void follow_end_all(struct transfers *t, uint32_t id);

int
xq_finished(const struct xfer *x)
{
	return x->r.state == XFER_DONE || x->r.state == XFER_FAILED;
}

/* ---- the file ---- */

void
xfer_area_path(const struct xfer *x, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%u.blocks", x->t->dir, (unsigned)x->r.id);
}

int
xq_save(struct transfers *t)
{
	char line[XFER_LINE_MAX];
	struct xfer *x;
	size_t len;
	FILE *f;
	int ok;

	if (!t->persist)
		return 0;
	if (!(f = vault_fopen(t->n, "transfers/queue", "w"))) {
		log_warnx("transfers: cannot write %s/queue: %s", t->dir, strerror(errno));
		return -1;
	}
	ok = fprintf(f, "%s\n", XFERFILE_MAGIC) > 0;
	for (x = t->list; x && ok; x = x->next) {
		if (xferfile_format(&x->r, line, sizeof(line), &len) == 0)
			ok = fwrite(line, 1, len, f) == len;
		x->dirty = 0;
	}
	/* the vault writes a temporary file, syncs it and renames it */
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		log_warnx("transfers: cannot save %s/queue: %s", t->dir, strerror(errno));
		return -1;
	}
	return 0;
}

static struct xfer *
xfer_new(struct transfers *t)
{
	struct xfer *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->t = t;
	x->fd = -1;
	x->edition = -1;
	return x;
}

static void
link_in(struct transfers *t, struct xfer *x)
{
	struct xfer **p = &t->list;

	while (*p && (*p)->r.id < x->r.id)
		p = &(*p)->next;
	x->next = *p;
	*p = x;
}

/* set_aside keeps a queue file that cannot be read for a person to look
 * at; the node starts with an empty queue. */
static void
set_aside(const char *path, const char *why)
{
	char aside[PATH_MAX + 48];

	snprintf(aside, sizeof(aside), "%s.damaged-%lld", path, (long long)time(NULL));
	log_warnx("transfers: %s is damaged (%s): set aside as %s, starting with no transfers", path, why, aside);
	if (rename(path, aside) != 0)
		log_warnx("transfers: cannot set %s aside: %s", path, strerror(errno));
}

void
xq_free_all(struct transfers *t)
{
	while (t->list) {
		struct xfer *x = t->list;
		t->list = x->next;
		area_close(x->area);
		free(x);
	}
}

void
xq_load(struct transfers *t)
{
	char path[PATH_MAX + 16], line[XFER_LINE_MAX + 2];
	unsigned lineno = 0;
	const char *bad = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/queue", t->dir);
	if (!(f = vault_fopen(t->n, "transfers/queue", "r"))) {
		if (errno == EBADMSG)
			set_aside(path, "it does not open under this node's key");
		else if (errno != ENOENT)
			log_warnx("transfers: cannot read %s: %s", path, strerror(errno));
		return;
	}
	while (!bad && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct xfer *x;
		if (len == 0 || line[len - 1] != '\n') {
			bad = "a line is cut or too long";
			break;
		}
		line[--len] = 0;
		if (lineno++ == 0) {
			if (strcmp(line, XFERFILE_MAGIC) != 0)
				bad = "not a transfer queue of this version";
			continue;
		}
		if (!(x = xfer_new(t))) {
			bad = "out of memory";
			break;
		}
		if (xferfile_parse(&x->r, line, len) != 0) {
			free(x);
			bad = "a line does not parse";
			break;
		}
		for (struct xfer *o = t->list; o; o = o->next)
			if (o->r.id == x->r.id)
				bad = "two transfers have one id";
		link_in(t, x);
		if (x->r.id >= t->next_id)
			t->next_id = x->r.id + 1;
	}
	if (!bad && ferror(f))
		bad = strerror(errno);
	fclose(f);
	if (bad) {
		xq_free_all(t);
		t->next_id = 1;
		set_aside(path, bad);
	}
}

/* sweep removes the areas and partial files no transfer owns: what a
 * cancelled or forgotten transfer, or a run without persistence, left. */
void
xq_sweep(struct transfers *t)
{
	struct dirent *de;
	DIR *d = opendir(t->dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end, path[PATH_MAX + 300];
		unsigned long id = strtoul(de->d_name, &end, 10);
		int owned = 0;
		if (strcmp(end, ".blocks") != 0 || end == de->d_name)
			continue;
		for (struct xfer *x = t->list; x; x = x->next)
			owned |= x->r.id == id && !xq_finished(x);
		if (owned)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* ---- the list ---- */

void
xq_drop_files(struct xfer *x)
{
	char path[PATH_MAX + 16];

	area_close(x->area);
	x->area = NULL;
	xfer_area_path(x, path, sizeof(path));
	unlink(path);
}

void
xq_unlink_x(struct transfers *t, struct xfer *x)
{
	struct xfer **p;

	for (p = &t->list; *p && *p != x; p = &(*p)->next)
		;
	if (*p)
		*p = x->next;
	follow_end_all(t, x->r.id);
	xq_drop_files(x);
	free(x);
	xfer_guard(t->n);
}

/* trim keeps the XFER_KEEP_DONE latest finished transfers. */
void
xq_trim(struct transfers *t)
{
	struct xfer *x, *oldest;
	unsigned nf;

	for (;;) {
		nf = 0;
		oldest = NULL;
		for (x = t->list; x; x = x->next)
			if (xq_finished(x) && (nf++, !oldest || x->r.ended < oldest->r.ended))
				oldest = x;
		if (nf <= XFER_KEEP_DONE)
			return;
		xq_unlink_x(t, oldest);
	}
}

void
xfer_changed(struct xfer *x)
{
	x->dirty = 1;
}

void
xfer_end(struct xfer *x, int code, const char *why)
{
	x->r.state = code == 0 ? XFER_DONE : XFER_FAILED;
	x->r.code = (uint8_t)code;
	x->r.ended = (int64_t)time(NULL);
	snprintf(x->r.why, sizeof(x->r.why), "%s", code == 0 ? "" : why);
	xq_drop_files(x);
	log_info("transfer %u: %s%s%s", (unsigned)x->r.id, code == 0 ? "done" : "failed", code ? ": " : "",
	    code ? why : "");
	follow_end_all(x->t, x->r.id);
	xq_trim(x->t);
	xq_save(x->t);
}

struct xfer *
transfers_add(struct node *n, char dir)
{
	struct transfers *t = n->xfers;
	struct xfer *x;

	if (!t || t->next_id == UINT32_MAX || !(x = xfer_new(t)))
		return NULL;
	x->r.id = t->next_id++;
	x->r.dir = dir;
	x->r.state = XFER_QUEUED;
	x->r.added = (int64_t)time(NULL);
	link_in(t, x);
	return x;
}

uint32_t
transfers_id(const struct xfer *x)
{
	return x->r.id;
}

void
transfers_forget(struct xfer *x)
{
	xq_unlink_x(x->t, x);
}

void
transfers_save(struct node *n)
{
	if (n->xfers)
		xq_save(n->xfers);
}

struct xfer *
transfers_find(struct node *n, uint32_t id)
{
	struct xfer *x;

	for (x = n->xfers ? n->xfers->list : NULL; x; x = x->next)
		if (x->r.id == id)
			return x;
	return NULL;
}

/* xfer_guard: the store keeps every block written since the oldest
 * insert in progress began. */
int
xq_active_put(const struct xfer *x)
{
	return x->r.dir == XFER_PUT && (x->r.state == XFER_STAGING || x->r.state == XFER_RUNNING ||
	    x->r.state == XFER_QUEUED);
}

void
xfer_guard(struct node *n)
{
	uint64_t floor = 0;

	for (struct xfer *x = n->xfers ? n->xfers->list : NULL; x; x = x->next)
		if (xq_active_put(x) && x->r.guard && (!floor || x->r.guard < floor))
			floor = x->r.guard;
	store_guard(n->store, floor);
}

/* ---- JSON ---- */

static const char *
state_name(char s)
{
	switch (s) {
	case XFER_STAGING: return "staging";
	case XFER_QUEUED: return "queued";
	case XFER_RUNNING: return "running";
	case XFER_DONE: return "done";
	default: return "failed";
	}
}

static void
xfer_json(struct evbuffer *b, const struct xfer *x)
{
	double rate = x->r.state == XFER_RUNNING || x->r.state == XFER_STAGING ? x->rate : 0;
	int64_t eta = rate > 1 && x->r.total >= x->r.done ? (int64_t)((double)(x->r.total - x->r.done) / rate) : -1;

	evbuffer_add_printf(b, "{\"id\": %u, \"direction\": \"%s\", \"state\": \"%s\", \"uri\": ",
	    (unsigned)x->r.id, x->r.dir == XFER_GET ? "get" : "put", state_name(x->r.state));
	json_str(b, x->r.uri);
	evbuffer_add_printf(b, ", \"%s\": ", x->r.dir == XFER_GET ? "path" : "name");
	json_str(b, x->r.path);
	evbuffer_add_printf(b, ", \"bytes_done\": %" PRIu64 ", \"bytes_total\": %" PRIu64
	    ", \"blocks\": %" PRIu64 ", \"blocks_done\": %" PRIu64 ", \"rate\": %.0f, \"eta\": %lld"
	    ", \"background\": %s, \"added\": %lld, \"ended\": %lld, \"code\": %u, \"reason\": ",
	    x->r.done, x->r.total, x->r.blocks, x->r.blocks_done, rate, (long long)eta,
	    x->r.background ? "true" : "false", (long long)x->r.added, (long long)x->r.ended,
	    (unsigned)x->r.code);
	json_str(b, x->r.why);
	if (x->r.dir == XFER_GET)
		evbuffer_add_printf(b, ", \"from_area\": %" PRIu64 ", \"from_network\": %" PRIu64 ", \"hops\": %u, \"edition\": %lld}",
		    x->r.from_area, x->r.from_net, x->hops, (long long)x->edition);
	else
		evbuffer_add_printf(b, ", \"accepted\": %" PRIu64 ", \"here\": %" PRIu64 ", \"refused\": %" PRIu64 "}",
		    x->r.accepted + x->above[OUT_ACCEPTED], x->r.here + x->above[OUT_HERE],
		    x->r.refused + x->above[OUT_REFUSED]);
}

void
api_transfers_list(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct xfer *x;

	if (!b) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"persist\": %s, \"transfers\": [", n->xfers && n->xfers->persist ? "true" : "false");
	for (x = n->xfers ? n->xfers->list : NULL; x; x = x->next) {
		if (x != n->xfers->list)
			evbuffer_add(b, ", ", 2);
		xfer_json(b, x);
	}
	evbuffer_add_printf(b, "]}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

void
transfers_html(struct node *n, struct evbuffer *b)
{
	struct xfer *x;

	if (!n->xfers || !n->xfers->list)
		return;
	evbuffer_add_printf(b, "<h2>Transfers</h2><table><tr><th>#</th><th></th><th>state</th><th>done</th>"
	    "<th>file or name</th></tr>");
	for (x = n->xfers->list; x; x = x->next) {
		char pct[16] = "";
		if (x->r.total)
			snprintf(pct, sizeof(pct), "%u%%", (unsigned)(x->r.done * 100 / x->r.total));
		evbuffer_add_printf(b, "<tr><td>%u</td><td>%s</td><td>%s</td><td>%s</td><td>", (unsigned)x->r.id,
		    x->r.dir == XFER_GET ? "get" : "put", state_name(x->r.state), pct);
		gw_html_text(b, x->r.path[0] ? x->r.path : x->r.uri);
		if (x->r.why[0]) {
			evbuffer_add_printf(b, "<br><span class=muted>");
			gw_html_text(b, x->r.why);
			evbuffer_add_printf(b, "</span>");
		}
		evbuffer_add_printf(b, "</td></tr>");
	}
	evbuffer_add_printf(b, "</table><p class=muted><code>wisp transfers</code> lists them too; "
	    "<code>wisp wait N</code> follows one.</p>");
}

/* query_id reads ?id=N; on failure the request is answered. */
int
transfers_query_id(struct node *n, struct evhttp_request *req, struct xfer **out)
{
	char v[16], *end;
	unsigned long id;

	*out = NULL;
	if (query_get(req, "id", v, sizeof(v)) != 0 || !v[0] || (id = strtoul(v, &end, 10), *end) || id == 0 ||
	    id > UINT32_MAX) {
		reply_error(req, 400, "bad_request", "missing or malformed id parameter (a transfer's number)");
		return -1;
	}
	if (!(*out = transfers_find(n, (uint32_t)id))) {
		reply_error(req, 404, "no_such_transfer", "no transfer has this id (wisp transfers lists them)");
		return -1;
	}
	return 0;
}


/* ---- following one transfer ---- */

static void
follow_line(struct follow *f, const struct xfer *x)
{
	struct evbuffer *b = evbuffer_new();

	if (!b)
		return;
	xfer_json(b, x);
	evbuffer_add(b, "\n", 1);
	evhttp_send_reply_chunk(f->req, b);
	evbuffer_free(b);
}

static void
follow_gone(struct evhttp_connection *evcon, void *arg)
{
	struct follow *f = arg;

	(void)evcon;
	f->req = NULL; /* freed by the next tick */
}

static void
follow_free_dead(struct transfers *t)
{
	struct follow **p = &t->follows;

	while (*p) {
		struct follow *f = *p;
		if (!f->req) {
			*p = f->next;
			free(f);
		} else {
			p = &f->next;
		}
	}
}

void
xq_follow_tick(struct transfers *t)
{
	struct follow *f;
	struct xfer *x;

	for (f = t->follows; f; f = f->next)
		if (f->req && (x = transfers_find(t->n, f->id)))
			follow_line(f, x);
	follow_free_dead(t);
}

void
xq_follow_close_all(struct transfers *t)
{
	while (t->follows) {
		struct follow *f = t->follows;
		t->follows = f->next;
		if (f->req)
			evhttp_connection_set_closecb(evhttp_request_get_connection(f->req), NULL, NULL);
		free(f);
	}
}

static void
follow_end_all(struct transfers *t, uint32_t id)
{
	struct follow *f;
	struct xfer *x = NULL;

	for (struct xfer *y = t->list; y; y = y->next)
		if (y->r.id == id)
			x = y;
	for (f = t->follows; f; f = f->next) {
		if (!f->req || f->id != id)
			continue;
		if (x)
			follow_line(f, x);
		evhttp_connection_set_closecb(evhttp_request_get_connection(f->req), NULL, NULL);
		evhttp_send_reply_end(f->req);
		f->req = NULL;
	}
}

void
api_transfer_one(struct node *n, struct evhttp_request *req)
{
	struct xfer *x;
	struct follow *f;
	char v[4] = "";
	struct evbuffer *b;

	if (transfers_query_id(n, req, &x) != 0)
		return;
	if (query_get(req, "follow", v, sizeof(v)) != 0 || strcmp(v, "1") != 0 || xq_finished(x)) {
		if (!(b = evbuffer_new())) {
			reply_error(req, 500, "internal", "out of memory");
			return;
		}
		xfer_json(b, x);
		reply_json(req, 200, b);
		evbuffer_free(b);
		return;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	f->req = req;
	f->id = x->r.id;
	f->next = n->xfers->follows;
	n->xfers->follows = f;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/x-ndjson");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), follow_gone, f);
	follow_line(f, x);
}


void
transfers_test_hold(struct node *n, uint64_t blocks)
{
	if (n->xfers)
		n->xfers->test_hold = blocks;
}

/* ---- the tick: sample rates, start and retry, save ---- */


/* ---- start and stop ---- */


