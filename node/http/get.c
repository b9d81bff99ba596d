/* get.c: fetching documents for the API (framed streams) and for the
 * gateway (get_gateway.c): a job begun (get_job.c), sites' manifests
 * read, the file streamed with flow control. Names are resolved first by
 * get_name.c. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "crypto/manifest.h"
#include "node/base/node.h"
#include "node/http/get.h"
#include "node/http/get_job.h"
#include "node/http/pages.h"
#include "node/http/reply.h"


enum { STREAM_HIGH_WATER = 1 << 20 };

/* ---- GET /api/v1/get?uri=…: a document as a framed stream ---- */

/* Frames: 'D' u32be length, data; then one 'E' u32be length, status
 * byte, reason text. docs/api.md has the details. */

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


/* pct_decode: a site's path as the manifest has it ("caf%C3%A9.html" is
 * "café.html"); -1 on a bad escape or a NUL. */
static int
pct_decode(char *out, const char *in)
{
	for (; *in; in++) {
		if (*in == '%') {
			unsigned v;
			if (!isxdigit((unsigned char)in[1]) || !isxdigit((unsigned char)in[2]) ||
			    sscanf(in + 1, "%2x", &v) != 1 || v == 0)
				return -1;
			*out++ = (char)v;
			in += 2;
		} else {
			*out++ = *in;
		}
	}
	*out = 0;
	return 0;
}

/* ---- the gateway: documents for a browser ---- */


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
			getgw_redirect_slash(j); /* so the site's relative links work */
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
	if (j->owner) {
		j->started = 1;
		if (j->owner->named)
			j->owner->named(j->owner->ctx, j->edition);
		j->owner->sink->start(j->owner->ctx, length, mime);
		return;
	}
	if (j->gateway) {
		j->show = gw_show_as(mime, j->image);
		snprintf(j->mime, sizeof(j->mime), "%s", mime);
		if (j->show == GW_DOWNLOAD && j->nav && !j->download && !j->range[0]) {
			/* not rendered: a page says why, and links to the bytes */
			j->answered = 1;
			if (j->evcon)
				evhttp_connection_set_closecb(j->evcon, NULL, NULL);
			if (j->parked) {
				j->result = -1; /* its reload shows the page */
			} else if (!j->gone) {
				gw_download_page(j->req, mime);
				j->req = NULL;
			}
			job_finish_later(j);
			return;
		}
		if (j->show == GW_FILTER || j->show == GW_CSS || j->parked) {
			j->buffering = 1;
			return;
		}
		getgw_start(j, length, mime);
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
	if (j->buffering) {
		size_t cap = j->show == GW_FILTER || j->show == GW_CSS ? GATEWAY_FILTER_MAX : GATEWAY_PARK_MAX;
		if (evbuffer_get_length(j->body) + len <= cap) {
			evbuffer_add(j->body, p, len);
			return 0;
		}
		j->answered = 1;
		if (j->show == GW_FILTER || j->show == GW_CSS)
			job_answer_page(j, 413, "Too large to show", "This page is larger than the gateway checks for links "
			    "out of wisp (8 MiB). Fetch it with wisp get.");
		else
			j->result = -1; /* too big to keep: its reload streams it afresh */
		if (!j->parked && j->evcon)
			evhttp_connection_set_closecb(j->evcon, NULL, NULL);
		if (!j->parked && !j->gone)
			j->req = NULL;
		job_finish_later(j);
		return 1;
	}
	if (j->owner)
		return j->owner->sink->data(j->owner->ctx, p, len);
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
		int rc = m || n == 0 ? WISP_ERR_NOTFOUND : WISP_ERR_NOMEM;
		char want[sizeof(j->site_path)];
		if (rc != WISP_ERR_NOMEM && pct_decode(want, j->site_path) == 0)
			rc = manifest_find(m, n, want, &e);
		if (rc == 0) {
			memcpy(j->next_root.routing, e.rk, 32);
			memcpy(j->next_root.crypto, e.ck, 32);
			event_active(j->restart, 0, 0); /* not from inside the fetch */
		} else if (rc == WISP_ERR_NOTFOUND && j->gateway && !j->site_path[0] && !j->parked && !j->gone) {
			/* a site without index.html: a directory, shown as one */
			j->answered = 1;
			if (j->evcon)
				evhttp_connection_set_closecb(j->evcon, NULL, NULL);
			getgw_listing(j, m, n);
			j->req = NULL;
			job_finish_later(j);
		} else {
			j->answered = 1;
			job_fail(j, rc == WISP_ERR_NOTFOUND ? 404 : 502, rc == WISP_ERR_NOTFOUND ? "not_found" : "integrity",
			    rc == WISP_ERR_NOTFOUND ? "no such path in this site" : "the site's manifest is malformed");
		}
		return;
	}
	if (j->owner) {
		if (!j->gone)
			j->owner->sink->end(j->owner->ctx, st, reason);
		j->gone = 1;
		j->owner = NULL; /* it may be freed now */
		job_finish_later(j);
		return;
	}
	if (j->buffering && st == FETCH_OK) {
		if (j->parked)
			j->result = 200;
		else if (!j->gone)
			getgw_serve_body(j, j->req);
	} else if (j->parked || (!j->gone && !j->started)) {
		static const char *kinds[] = { "ok", "failed", "", "", "not_found", "integrity" };
		int code = st == FETCH_NOTFOUND ? 404 : st == FETCH_INTEGRITY ? 502 : 500;
		if (j->gateway)
			job_answer_page(j, code, st == FETCH_NOTFOUND ? "Not found in the network" : "Could not fetch this",
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
	if (!j->gone && !j->parked)
		j->req = NULL; /* answered; if gone, job_reap frees it */
	job_finish_later(j);
}

static const struct fetch_sink http_sink = { sink_start, sink_data, sink_end };

/* on_restart: the manifest named the file; fetch it. */
static void
on_restart(evutil_socket_t fd, short ev, void *arg)
{
	struct get_job *j = arg;

	(void)fd;
	(void)ev;
	job_next_fetch(j);
	j->collecting = 0;
	j->stage = 1;
	evbuffer_drain(j->mbuf, evbuffer_get_length(j->mbuf));
	if (j->gone) {
		job_finish_later(j);
		return;
	}
	job_start_chk(j, &j->next_root);
}

/* start_parsed starts the fetch of j->u: a CHK at once, a name once
 * resolved (get_name.c). */
static void
start_parsed(struct get_job *j)
{
	struct chk_keys root;

	/* The path inside a site: a CHK's name and rest, an SSK's or USK's rest. */
	if (j->u.type == URI_CHK && j->u.name[0])
		snprintf(j->site_path, sizeof(j->site_path), "%s%s%s", j->u.name, j->u.path[0] ? "/" : "", j->u.path);
	else
		snprintf(j->site_path, sizeof(j->site_path), "%s", j->u.path);
	j->raw = j->u.kind == URI_KIND_RAW;
	j->edition = -1;
	if (j->u.type == URI_CHK) {
		memcpy(root.routing, j->u.key, 32);
		memcpy(root.crypto, j->u.ckey, 32);
		job_start_chk(j, &root);
	} else {
		getname_start(j);
	}
}

/* get_begin starts a fetch of |text| for the API (framed) or the gateway
 * (raw bytes, errors as pages). */
static void
get_begin(struct node *n, struct evhttp_request *req, const char *text, int gateway, int slash)
{
	const char *why = NULL;
	struct get_job *j;
	char head[4] = "";

	if (n->fetches >= NODE_FETCHES_MAX) {
		if (gateway)
			gw_page(req, 503, "Busy", "Too many fetches in progress; reload in a moment.");
		else
			reply_error(req, 503, "overload", "too many fetches in progress; try again");
		return;
	}
	if (!(j = job_new(n))) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	if (uri_parse(&j->u, text, strlen(text), &why) != 0) {
		job_free(j);
		if (gateway)
			gw_page(req, 400, "Not a wisp address", why);
		else
			reply_error(req, 400, "bad_uri", why);
		return;
	}
	j->req = req;
	j->sink = &http_sink;
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
		snprintf(j->addr, sizeof(j->addr), "%s", text);
		j->show = GW_INLINE;
		{
			const char *dest = evhttp_find_header(evhttp_request_get_input_headers(req), "Sec-Fetch-Dest");
			const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
			const char *acc = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
			j->image = dest && strcmp(dest, "image") == 0;
			j->nav = dest ? strcmp(dest, "document") == 0 || strcmp(dest, "iframe") == 0
			    : acc && strstr(acc, "text/html") != NULL;
			j->download = q && strstr(q, "download=1") != NULL;
		}
	}
	n->fetches++;
	j->counted = 1;
	if (!(j->mbuf = evbuffer_new()) || !(j->restart = event_new(n->base, -1, 0, on_restart, j)) ||
	    !(j->body = evbuffer_new()) || !(j->patience = event_new(n->base, -1, 0, getgw_on_patience, j))) {
		reply_error(req, 500, "internal", "out of memory");
		j->req = NULL;
		job_finish_later(j);
		return;
	}
	if (gateway && !j->range[0] && evhttp_request_get_command(req) == EVHTTP_REQ_GET) {
		/* A browser loading a page (not an image, not a seek) may be
		 * told "still looking" rather than kept waiting. */
		struct evkeyvalq *ih = evhttp_request_get_input_headers(req);
		const char *dest = evhttp_find_header(ih, "Sec-Fetch-Dest"), *acc = evhttp_find_header(ih, "Accept");
		if ((dest && strcmp(dest, "document") == 0) || (!dest && acc && strstr(acc, "text/html"))) {
			struct timeval tv = { GATEWAY_PATIENCE_MS / 1000, (GATEWAY_PATIENCE_MS % 1000) * 1000 };
			event_add(j->patience, &tv);
		}
	}
	evhttp_connection_set_closecb(j->evcon, job_on_close, j);
	start_parsed(j);
}

/* get_start_owned starts a fetch of |text| for a transfer: no request,
 * the bytes to |o|. NULL with |why| on a bad URI or no memory. */
struct get_job *
get_start_owned(struct node *n, const char *text, const struct job_owner *o, const char **why)
{
	struct get_job *j = job_new(n);

	*why = "out of memory";
	if (!j)
		return NULL;
	if (uri_parse(&j->u, text, strlen(text), why) != 0) {
		job_free(j);
		return NULL;
	}
	j->sink = &http_sink;
	j->owner = o;
	if (!(j->mbuf = evbuffer_new()) || !(j->restart = event_new(n->base, -1, 0, on_restart, j))) {
		*why = "out of memory";
		job_free(j);
		return NULL;
	}
	start_parsed(j);
	return j;
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


void
gateway_get(struct node *n, struct evhttp_request *req, const char *addr, int slash)
{
	get_begin(n, req, addr, 1, slash);
}
