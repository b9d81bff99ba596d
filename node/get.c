/* get.c: fetching documents for the API (framed streams) and for the
 * gateway (raw bytes for a browser): names resolved (SSK, USK editions),
 * sites' manifests read, the file streamed with flow control. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/block.h"
#include "crypto/manifest.h"
#include "crypto/ssk.h"
#include "crypto/uri.h"
#include "node/api.h"
#include "node/fetch.h"
#include "node/http_util.h"
#include "node/log.h"
#include "node/node.h"
#include "node/upload.h"
#include "store/store.h"


enum { STREAM_HIGH_WATER = 1 << 20 };

/* ---- GET /api/v1/get?uri=…: a document as a framed stream ---- */

/* Frames: 'D' u32be length, data; then one 'E' u32be length, status
 * byte, reason text. docs/api.md has the details. */
struct get_job {
	struct node *n;
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
	struct fetch *f;
	int started, paused, done, gone;
	unsigned hops;          /* the farthest any block came from */
	struct event *reap;
	/* SSK/USK: the name is resolved to a CHK root first */
	struct uri u;
	int head, raw;
	int64_t lo, hi, step, probe, edition;
	int misses, pending_ssk;
	struct chk_keys lo_root;
	/* Sites: a manifest is read whole, then the path's file fetched. */
	char site_path[URI_NAME_MAX + URI_PATH_MAX + 2];
	int stage, collecting, answered;
	/* The gateway: raw bytes for a browser, not frames for wisp. */
	int gateway, slash;
	char range[64], etag[48];
	struct evbuffer *mbuf;
	struct event *restart;
	struct chk_keys next_root;
};

static void
frame(struct evbuffer *b, char type, const void *p, size_t len, int status)
{
	uint8_t h[5] = { (uint8_t)type, (uint8_t)((len + (status >= 0)) >> 24),
		(uint8_t)((len + (status >= 0)) >> 16), (uint8_t)((len + (status >= 0)) >> 8),
		(uint8_t)(len + (status >= 0)) };

	evbuffer_add(b, h, 5);
	if (status >= 0) {
		uint8_t s = (uint8_t)status;
		evbuffer_add(b, &s, 1);
	}
	evbuffer_add(b, p, len);
}

static void job_reap(evutil_socket_t fd, short ev, void *arg);

static void
job_finish_later(struct get_job *j)
{
	j->done = 1;
	event_active(j->reap, 0, 0);
}

static size_t
conn_backlog(struct get_job *j)
{
	struct bufferevent *bev = j->evcon ? evhttp_connection_get_bufferevent(j->evcon) : NULL;

	return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

static void
on_drained(struct evhttp_connection *evcon, void *arg)
{
	struct get_job *j = arg;

	(void)evcon;
	if (j->paused && !j->done) {
		j->paused = 0;
		fetch_resume(j->f);
	}
}

static void job_fail(struct get_job *j, int code, const char *kind, const char *reason);

/* ---- the gateway: documents for a browser ---- */

/* Everything a page may load comes from this node, and it may send
 * nothing anywhere (no fetch, XHR or WebSocket: connect-src 'none'), so a
 * page can neither unmask its reader nor reach the API. */
static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self'; font-src 'self'; connect-src 'none'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'";

static void
safety_headers(struct evkeyvalq *h)
{
	evhttp_add_header(h, "Content-Security-Policy", CSP);
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Cache-Control", "private, no-transform");
}

static void
html_text(struct evbuffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': evbuffer_add(b, "&lt;", 4); break;
		case '>': evbuffer_add(b, "&gt;", 4); break;
		case '&': evbuffer_add(b, "&amp;", 5); break;
		case '"': evbuffer_add(b, "&quot;", 6); break;
		default: evbuffer_add(b, s, 1);
		}
	}
}

#define PAGE_HEAD "<!doctype html><html><head><meta charset=utf-8><title>wisp</title>" \
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}" \
    "input{font-family:ui-monospace,monospace}input[type=text]{width:100%;padding:.4em}" \
    "h1{font-size:1.4em}.muted{color:#666}</style></head><body>"

static void
gateway_page(struct evhttp_request *req, int code, const char *title, const char *text)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add(b, PAGE_HEAD, sizeof(PAGE_HEAD) - 1);
	evbuffer_add_printf(b, "<h1>");
	html_text(b, title);
	evbuffer_add_printf(b, "</h1><p>");
	html_text(b, text);
	evbuffer_add_printf(b, "</p><p><a href=\"/\">wisp home</a></p></body></html>\n");
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	safety_headers(h);
	evhttp_send_reply(req, code, code == 404 ? "Not Found" : code == 416 ? "Range Not Satisfiable" :
	    code == 400 ? "Bad Request" : "Error", b);
	evbuffer_free(b);
}

static void job_finish_later(struct get_job *j);

static void
gateway_redirect_slash(struct get_job *j)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(j->req));
	struct evkeyvalq *h = evhttp_request_get_output_headers(j->req);
	char loc[URI_MAX + 8];

	j->answered = 1;
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	if (!j->gone) {
		snprintf(loc, sizeof(loc), "%s/", path ? path : "/");
		evhttp_add_header(h, "Location", loc);
		safety_headers(h);
		evhttp_send_reply(j->req, 301, "Moved Permanently", NULL);
		j->req = NULL;
	}
	job_finish_later(j);
}

/* parse_range reads "bytes=A-B", "bytes=A-" or "bytes=-N" against a
 * document of |total| bytes. 1: a range; 0: none asked; -1: unsatisfiable. */
static int
parse_range(const char *r, uint64_t total, uint64_t *first, uint64_t *last)
{
	unsigned long long a, b;
	char tail;

	if (!r[0])
		return 0;
	if (total == 0)
		return -1;
	if (sscanf(r, "bytes=-%llu%c", &a, &tail) == 1) {
		if (a == 0)
			return -1;
		*first = a >= total ? 0 : total - a;
		*last = total - 1;
		return 1;
	}
	if (sscanf(r, "bytes=%llu-%llu%c", &a, &b, &tail) == 2 && a <= b) {
		if (a >= total)
			return -1;
		*first = a;
		*last = b >= total ? total - 1 : b;
		return 1;
	}
	if (sscanf(r, "bytes=%llu-%c", &a, &tail) == 1 && r[strlen(r) - 1] == '-') {
		if (a >= total)
			return -1;
		*first = a;
		*last = total - 1;
		return 1;
	}
	return -1; /* several ranges or nonsense: we serve single ranges only */
}

static void
gateway_start(struct get_job *j, uint64_t total, const char *mime)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(j->req);
	uint64_t first = 0, last = total ? total - 1 : 0;
	char v[96];
	int r = parse_range(j->range, total, &first, &last);

	if (r < 0) {
		j->answered = 1;
		snprintf(v, sizeof(v), "bytes */%" PRIu64, total);
		evhttp_add_header(h, "Content-Range", v);
		job_fail(j, 416, "range", "the requested range is not in this document");
		return;
	}
	fetch_range(j->f, first, last);
	evhttp_add_header(h, "Content-Type", mime);
	snprintf(v, sizeof(v), "%" PRIu64, total ? last - first + 1 : 0);
	evhttp_add_header(h, "Content-Length", v);
	evhttp_add_header(h, "Accept-Ranges", "bytes");
	evhttp_add_header(h, "ETag", j->etag);
	evhttp_add_header(h, "Connection", "close");
	safety_headers(h);
	if (r > 0) {
		snprintf(v, sizeof(v), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, total);
		evhttp_add_header(h, "Content-Range", v);
	}
	evhttp_send_reply_start(j->req, r > 0 ? 206 : 200, r > 0 ? "Partial Content" : "OK");
	j->started = 1;
}

static void
sink_start(void *ctx, uint64_t length, const char *mime)
{
	struct get_job *j = ctx;
	struct evkeyvalq *h;
	char len[32];

	if (j->gone || j->answered)
		return;
	if (j->stage == 0 && strcmp(mime, MANIFEST_MIME) == 0) {
		if (j->gateway && !j->site_path[0] && !j->slash) {
			gateway_redirect_slash(j); /* so the site's relative links work */
			return;
		}
		j->collecting = 1; /* a site: read its manifest, then the path */
		return;
	}
	if (j->stage == 0 && j->site_path[0] && (j->u.type != URI_CHK || j->u.path[0])) {
		j->answered = 1;
		job_fail(j, 404, "not_found", "this document is not a site: there is no path inside it");
		return;
	}
	if (j->gateway) {
		gateway_start(j, length, mime);
		return;
	}
	h = evhttp_request_get_output_headers(j->req);
	snprintf(len, sizeof(len), "%" PRIu64, length);
	evhttp_add_header(h, "Content-Type", "application/x-wisp-stream");
	evhttp_add_header(h, "X-Wisp-Length", len);
	evhttp_add_header(h, "X-Wisp-Mime", mime);
	if (j->edition >= 0) {
		snprintf(len, sizeof(len), "%lld", (long long)j->edition);
		evhttp_add_header(h, "X-Wisp-Edition", len);
	}
	snprintf(len, sizeof(len), "%u", j->hops);
	evhttp_add_header(h, "X-Wisp-Hops", len);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply_start(j->req, 200, "OK");
	j->started = 1;
}

static int
sink_data(void *ctx, const uint8_t *p, size_t len)
{
	struct get_job *j = ctx;
	struct evbuffer *b;

	if (j->gone || j->answered)
		return 1;
	if (j->collecting) {
		if (evbuffer_get_length(j->mbuf) + len > MANIFEST_BYTES_MAX) {
			j->answered = 1;
			job_fail(j, 502, "integrity", "the site's manifest is too large");
			return 1;
		}
		evbuffer_add(j->mbuf, p, len);
		return 0;
	}
	if (!(b = evbuffer_new()))
		return 1;
	if (j->gateway)
		evbuffer_add(b, p, len);
	else
		frame(b, 'D', p, len, -1);
	j->n->traffic.api_out += len;
	evhttp_send_reply_chunk_with_cb(j->req, b, on_drained, j);
	evbuffer_free(b);
	if (conn_backlog(j) > STREAM_HIGH_WATER) {
		j->paused = 1;
		return 1;
	}
	return 0;
}

static void
sink_end(void *ctx, enum fetch_status st, const char *reason)
{
	struct get_job *j = ctx;
	struct evbuffer *b;

	if (j->answered)
		return;
	if (j->collecting && st == FETCH_OK) {
		struct manifest_entry e;
		size_t n = evbuffer_get_length(j->mbuf);
		const uint8_t *m = evbuffer_pullup(j->mbuf, -1);
		int rc = m || n == 0 ? manifest_find(m, n, j->site_path, &e) : WISP_ERR_NOMEM;
		if (rc == 0) {
			memcpy(j->next_root.routing, e.rk, 32);
			memcpy(j->next_root.crypto, e.ck, 32);
			event_active(j->restart, 0, 0); /* not from inside the fetch */
		} else {
			j->answered = 1;
			job_fail(j, rc == WISP_ERR_NOTFOUND ? 404 : 502, rc == WISP_ERR_NOTFOUND ? "not_found" : "integrity",
			    rc == WISP_ERR_NOTFOUND ? "no such path in this site" : "the site's manifest is malformed");
		}
		return;
	}
	if (!j->gone && !j->started) {
		static const char *kinds[] = { "ok", "failed", "", "", "not_found", "integrity" };
		int code = st == FETCH_NOTFOUND ? 404 : st == FETCH_INTEGRITY ? 502 : 500;
		if (j->gateway)
			gateway_page(j->req, code, st == FETCH_NOTFOUND ? "Not found in the network" : "Could not fetch this",
			    reason);
		else
			reply_error(j->req, code, kinds[st], reason);
	} else if (!j->gone && j->gateway) {
		/* A body cut short by a failure ends with the connection
		 * ("Connection: close" was sent), so the browser sees it fail. */
		evhttp_send_reply_end(j->req);
	} else if (!j->gone && (b = evbuffer_new())) {
		frame(b, 'E', reason, strlen(reason), st);
		evhttp_send_reply_chunk(j->req, b);
		evbuffer_free(b);
		evhttp_send_reply_end(j->req);
	}
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	if (!j->gone)
		j->req = NULL; /* answered; if gone, job_reap frees it */
	job_finish_later(j);
}

static void
on_close(struct evhttp_connection *evcon, void *arg)
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
	if ((j->f && fetch_pending(j->f) > 0) || j->pending_ssk)
		return; /* an outstanding answer re-arms us */
	if (j->req) /* the client went away mid-stream: free the request */
		evhttp_send_reply_end(j->req);
	fetch_free(j->f);
	sodium_memzero(&j->u, sizeof(j->u));
	if (j->mbuf)
		evbuffer_free(j->mbuf);
	if (j->restart)
		event_free(j->restart);
	event_free(j->reap);
	j->n->fetches--;
	free(j);
}

static const struct fetch_sink http_sink = { sink_start, sink_data, sink_end };

/* The source of a fetch is the network (the router asks this node's
 * store first). Each answer goes back to the fetch with its tag. */
struct want {
	struct get_job *j;
	struct fetch *f;
	uint32_t tag;
};

static void
got_block(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct want *w = cookie;
	struct get_job *j = w->j;

	if (st == ROUTER_FOUND && j->hops < hops)
		j->hops = hops;
	fetch_block_done(w->f, w->tag, st == ROUTER_FOUND ? FETCH_OK
	    : st == ROUTER_OVERLOADED ? FETCH_FAILED : st == NODE_BLOCK_CORRUPT ? FETCH_INTEGRITY
	    : FETCH_NOTFOUND, block, len);
	free(w);
	if (j->done && fetch_pending(j->f) == 0)
		event_active(j->reap, 0, 0);
}

static void
net_get(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	struct get_job *j = ctx;
	struct want *w = malloc(sizeof(*w));

	if (!w) {
		fetch_block_done(f, tag, FETCH_FAILED, NULL, 0);
		return;
	}
	*w = (struct want){ j, f, tag };
	j->n->traffic.blocks_served++;
	if (node_fetch_block(j->n, rkey, got_block, w) != 0) {
		free(w);
		fetch_block_done(f, tag, FETCH_FAILED, NULL, 0);
	}
}

static const struct fetch_source net_source = { net_get };

static void
job_fail(struct get_job *j, int code, const char *kind, const char *reason)
{
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	if (!j->gone) {
		if (j->gateway)
			gateway_page(j->req, code, code == 404 ? "Not found" : "Could not fetch this", reason);
		else
			reply_error(j->req, code, kind, reason);
		j->req = NULL; /* answered; if gone, job_reap frees it */
	}
	job_finish_later(j);
}

/* start_chk fetches the document whose root is |root|. */
static void
start_chk(struct get_job *j, const struct chk_keys *root)
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
	if (fetch_new(&j->f, root, j->raw, 0, UINT64_MAX, &net_source, j, &http_sink, j) != 0) {
		job_fail(j, 500, "internal", "out of memory");
		return;
	}
	fetch_start(j->f);
}

static void usk_step(struct get_job *j);

/* on_restart: the manifest named the file; fetch it. */
static void
on_restart(evutil_socket_t fd, short ev, void *arg)
{
	struct get_job *j = arg;

	(void)fd;
	(void)ev;
	fetch_free(j->f);
	j->f = NULL;
	j->collecting = 0;
	j->stage = 1;
	evbuffer_drain(j->mbuf, evbuffer_get_length(j->mbuf));
	if (j->gone) {
		job_finish_later(j);
		return;
	}
	start_chk(j, &j->next_root);
}

static int
ssk_name(const struct get_job *j, int64_t edition, char *name, size_t len, uint8_t rkey[32])
{
	if (uri_ssk_docname(name, len, &j->u, edition) != 0)
		return -1;
	ssk_request_key(rkey, j->u.key, j->u.ckey, name, strlen(name));
	return 0;
}

/* got_ssk: the signed block of one name (an SSK, or one USK edition). */
static void
got_ssk(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct get_job *j = cookie;
	uint8_t plain[SSK_PAYLOAD_LEN], rk[32];
	char name[URI_NAME_MAX + 24];
	struct chk_keys root;
	size_t n;
	int ok = 0;

	j->pending_ssk = 0;
	if (j->gone) {
		job_finish_later(j);
		return;
	}
	if (st == ROUTER_FOUND && ssk_name(j, j->probe, name, sizeof(name), rk) == 0 &&
	    ssk_decode(plain, &n, block, len, j->u.ckey, name, strlen(name)) == 0 &&
	    ssk_pointer_decode(plain, n, root.routing, root.crypto) == 0)
		ok = 1;
	else if (st == ROUTER_FOUND) {
		job_fail(j, 502, "integrity", "the signed block does not decode with this key and name");
		return;
	}
	if (ok && j->hops < hops)
		j->hops = hops;
	if (j->u.type == URI_USK && j->u.latest) {
		if (ok) {
			j->lo = j->probe;
			j->lo_root = root;
			j->step *= 2;
		} else if (j->lo < 0 && j->misses < 2) {
			j->misses++;
		} else {
			j->hi = j->probe;
		}
		usk_step(j);
		return;
	}
	if (!ok) {
		job_fail(j, 404, "not_found", st == ROUTER_OVERLOADED ? "the node is overloaded" : "no document under this name");
		return;
	}
	j->edition = j->u.type == URI_USK ? j->probe : -1;
	start_chk(j, &root);
}

static void
probe(struct get_job *j, int64_t edition)
{
	char name[URI_NAME_MAX + 24];
	uint8_t rk[32];

	j->probe = edition;
	if (ssk_name(j, edition, name, sizeof(name), rk) != 0) {
		job_fail(j, 400, "bad_uri", "name too long");
		return;
	}
	j->pending_ssk = 1;
	if (node_fetch_block(j->n, rk, got_ssk, j) != 0) {
		j->pending_ssk = 0;
		job_fail(j, 503, "overload", "the node is overloaded; try again");
	}
}

/* usk_step: the newest edition, searched forward from the hint: probe
 * hint, hint+1, … doubling the step while editions are found, then halve
 * the gap between the newest found and the first missing. About
 * 2·log2(editions since the hint) requests. */
static void
usk_step(struct get_job *j)
{
	if (j->hi == INT64_MAX) {
		if (j->lo < 0)
			probe(j, j->u.edition + j->misses);
		else
			probe(j, j->lo + j->step);
		return;
	}
	if (j->lo < 0) {
		job_fail(j, 404, "not_found", "no edition of this site was found");
		return;
	}
	if (j->hi - j->lo > 1) {
		probe(j, j->lo + (j->hi - j->lo) / 2);
		return;
	}
	j->edition = j->lo;
	start_chk(j, &j->lo_root);
}

/* get_begin starts a fetch of |text| for the API (framed) or the gateway
 * (raw bytes, errors as pages). */
static void
get_begin(struct node *n, struct evhttp_request *req, const char *text, int gateway, int slash)
{
	const char *why = NULL;
	struct chk_keys root;
	struct get_job *j;
	char head[4] = "";

	if (n->fetches >= NODE_FETCHES_MAX) {
		if (gateway)
			gateway_page(req, 503, "Busy", "Too many fetches in progress; reload in a moment.");
		else
			reply_error(req, 503, "overload", "too many fetches in progress; try again");
		return;
	}
	if (!(j = calloc(1, sizeof(*j))) || !(j->reap = event_new(n->base, -1, 0, job_reap, j))) {
		free(j);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	if (uri_parse(&j->u, text, strlen(text), &why) != 0) {
		event_free(j->reap);
		free(j);
		if (gateway)
			gateway_page(req, 400, "Not a wisp address", why);
		else
			reply_error(req, 400, "bad_uri", why);
		return;
	}
	j->n = n;
	j->req = req;
	j->evcon = evhttp_request_get_connection(req);
	j->gateway = gateway;
	j->slash = slash;
	j->head = !gateway && query_get(req, "head", head, sizeof(head)) == 0 && strcmp(head, "1") == 0;
	if (gateway) {
		const char *r = evhttp_find_header(evhttp_request_get_input_headers(req), "Range");
		uint8_t h[16];
		char hex[33];
		snprintf(j->range, sizeof(j->range), "%s", r && strlen(r) < sizeof(j->range) ? r : r ? "bad" : "");
		/* The same address always names the same bytes: a strong ETag. */
		crypto_generichash(h, sizeof(h), (const uint8_t *)text, strlen(text), NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(j->etag, sizeof(j->etag), "\"%s\"", hex);
	}
	if (!(j->mbuf = evbuffer_new()) || !(j->restart = event_new(n->base, -1, 0, on_restart, j))) {
		reply_error(req, 500, "internal", "out of memory");
		j->req = NULL;
		n->fetches++;
		job_finish_later(j);
		return;
	}
	/* The path inside a site: a CHK's name and rest, an SSK's or USK's rest. */
	if (j->u.type == URI_CHK && j->u.name[0])
		snprintf(j->site_path, sizeof(j->site_path), "%s%s%s", j->u.name, j->u.path[0] ? "/" : "", j->u.path);
	else
		snprintf(j->site_path, sizeof(j->site_path), "%s", j->u.path);
	j->raw = j->u.kind == URI_KIND_RAW;
	j->edition = -1;
	n->fetches++;
	evhttp_connection_set_closecb(j->evcon, on_close, j);
	if (j->u.type == URI_CHK) {
		memcpy(root.routing, j->u.key, 32);
		memcpy(root.crypto, j->u.ckey, 32);
		start_chk(j, &root);
	} else if (j->u.type == URI_USK && j->u.latest) {
		j->lo = -1;
		j->hi = INT64_MAX;
		j->step = 1;
		usk_step(j);
	} else {
		probe(j, j->u.type == URI_USK ? j->u.edition : 0);
	}
}

void
api_get(struct node *n, struct evhttp_request *req)
{
	char text[URI_MAX + 1];

	if (query_get(req, "uri", text, sizeof(text)) != 0) {
		reply_error(req, 400, "bad_request", "missing or over-long uri parameter");
		return;
	}
	get_begin(n, req, text, 0, 0);
}

/* The home page: small, no script, no outside assets. */
static void
gateway_home(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct store_stats st;
	char key[URI_MAX + 1];

	if (query_get(req, "key", key, sizeof(key)) == 0 && key[0]) {
		char loc[URI_MAX + 2];
		snprintf(loc, sizeof(loc), "/%s", strncmp(key, "wisp:", 5) == 0 ? key + 5 : key);
		evhttp_add_header(h, "Location", loc);
		safety_headers(h);
		evhttp_send_reply(req, 302, "Found", NULL);
		evbuffer_free(b);
		return;
	}
	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	store_stats(n->store, &st);
	evbuffer_add(b, PAGE_HEAD, sizeof(PAGE_HEAD) - 1);
	evbuffer_add_printf(b, "<h1>wisp</h1><form method=get action=\"/\"><p><label>Open a key:<br>"
	    "<input type=text name=key placeholder=\"CHK@… SSK@… USK@…\"></label></p>"
	    "<p><input type=submit value=Open></p></form>"
	    "<p class=muted>%u of %u friends connected · store %" PRIu64 " blocks, %" PRIu64 " of %" PRIu64
	    " MiB · %u fetches running</p>"
	    "<p class=muted>Insert files and sites with <code>wisp put</code> and <code>wisp put --dir</code>.</p>"
	    "</body></html>\n", node_peers_connected(n), node_peers_known(n), st.blocks, st.bytes >> 20,
	    st.capacity >> 20, n->fetches);
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	safety_headers(h);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* gateway_handle serves "/", and "/CHK@…", "/SSK@…", "/USK@…" paths. */
void
gateway_handle(struct node *n, struct evhttp_request *req, const char *path)
{
	char *dec;
	size_t len;
	int slash = 0;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET && evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		gateway_page(req, 405, "Not allowed", "The gateway only reads.");
		return;
	}
	if (strcmp(path, "/") == 0) {
		gateway_home(n, req);
		return;
	}
	if (!(dec = evhttp_uridecode(path + 1, 0, &len))) {
		gateway_page(req, 400, "Not a wisp address", "bad escapes in the address");
		return;
	}
	if (len && dec[len - 1] == '/') { /* a site's root, as a directory */
		dec[--len] = '\0';
		slash = 1;
	}
	if (strlen(dec) != len || (strncmp(dec, "CHK@", 4) && strncmp(dec, "SSK@", 4) && strncmp(dec, "USK@", 4)))
		gateway_page(req, 404, "No such page", "Addresses here look like /CHK@…, /SSK@… or /USK@….");
	else
		get_begin(n, req, dec, 1, slash);
	free(dec);
}

