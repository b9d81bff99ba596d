/* The gateway's side of a fetch: a document for a browser, with ranges,
 * filtered HTML, redirects into sites, and fetches parked while the page
 * says "still looking" (get.h). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sodium.h>
#include <event2/keyvalq_struct.h>

#include "crypto/manifest.h"
#include "node/base/node.h"
#include "node/filter/charset.h"
#include "node/filter/css.h"
#include "node/filter/html.h"
#include "node/http/get.h"
#include "node/http/get_job.h"
#include "node/http/pages.h"

void
getgw_redirect_slash(struct get_job *j)
{
	char loc[URI_MAX + 8];
	const char *path;
	struct evkeyvalq *h;

	j->answered = 1;
	if (j->parked) {
		j->result = 301;
		job_finish_later(j);
		return;
	}
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	if (!j->gone) {
		path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(j->req));
		h = evhttp_request_get_output_headers(j->req);
		snprintf(loc, sizeof(loc), "%s/", path ? path : "/");
		evhttp_add_header(h, "Location", loc);
		gw_content_headers(h);
		evhttp_send_reply(j->req, 301, "Moved Permanently", NULL);
		j->req = NULL;
	}
	job_finish_later(j);
}


/* getgw_redirect_edition: a browser asked for a USK's latest edition,
 * found to be |edition|: it is sent to that edition's own address, so the
 * address bar says which edition it reads (302: latest moves on). 0 if
 * answered, -1 to serve it here (a parked fetch, or no memory). */
int
getgw_redirect_edition(struct get_job *j, int64_t edition)
{
	char text[URI_MAX], loc[URI_MAX + 8];
	struct uri u = j->u;
	struct evkeyvalq *h;

	if (j->parked || j->gone)
		return -1;
	u.latest = 0;
	u.edition = edition;
	if (uri_format(text, sizeof(text), &u, 0) != 0)
		return -1;
	sodium_memzero(&u, sizeof(u));
	j->answered = 1;
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	h = evhttp_request_get_output_headers(j->req);
	snprintf(loc, sizeof(loc), "/%s%s", text, j->slash ? "/" : "");
	evhttp_add_header(h, "Location", loc);
	evhttp_add_header(h, "Cache-Control", "no-store");
	gw_content_headers(h);
	evhttp_send_reply(j->req, 302, "Found", NULL);
	j->req = NULL;
	job_finish_later(j);
	return 0;
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


/* attachment: Content-Disposition for a download, with the name the
 * address ends in (RFC 6266): filename*= in UTF-8, percent-encoded as RFC
 * 8187 wants, and an ASCII filename= for old clients. */
static void
attachment(struct evkeyvalq *h, const char *site_path)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *seg = strrchr(site_path, '/') ? strrchr(site_path, '/') + 1 : site_path;
	char v[3 * URI_NAME_MAX + 3 * URI_NAME_MAX + 64], plain[URI_NAME_MAX + 1], star[3 * URI_NAME_MAX + 1];
	size_t np = 0, ns = 0;

	for (const char *p = seg; *p && np < sizeof(plain) - 1 && ns + 3 < sizeof(star); p++) {
		unsigned c = (unsigned char)*p;
		if (c == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			sscanf(p + 1, "%2x", &c);
			p += 2;
		}
		if (c == 0 || c == '/')
			return; /* not a name to offer */
		if ((c & 0xc0) != 0x80) /* one '_' for a whole UTF-8 letter */
			plain[np++] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? '_' : (char)c;
		if (isalnum((int)c) || strchr("!#$&+-.^_`|~", (int)c))
			star[ns++] = (char)c;
		else
			star[ns++] = '%', star[ns++] = hex[c >> 4], star[ns++] = hex[c & 15];
	}
	plain[np] = star[ns] = 0;
	if (!np) {
		evhttp_add_header(h, "Content-Disposition", "attachment");
		return;
	}
	snprintf(v, sizeof(v), "attachment; filename=\"%s\"; filename*=UTF-8''%s", plain, star);
	evhttp_add_header(h, "Content-Disposition", v);
}

/* content_headers: what every document from the network is served with. */
static void
content_headers(struct evkeyvalq *h, const struct get_job *j, const char *mime)
{
	evhttp_add_header(h, "Content-Type", j->show == GW_TEXT ? "text/plain; charset=utf-8" : mime);
	if (j->show == GW_DOWNLOAD)
		attachment(h, j->site_path);
	evhttp_add_header(h, "ETag", j->etag);
	gw_content_headers(h);
}


/* getgw_serve_body answers |req| with a document held whole in |j->body|:
 * a filtered page, or a parked fetch's bytes (ranges honoured). */
void
getgw_serve_body(struct get_job *j, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	const char *rh = evhttp_find_header(evhttp_request_get_input_headers(req), "Range");
	size_t len = evbuffer_get_length(j->body);
	const uint8_t *p = evbuffer_pullup(j->body, -1);
	uint64_t first = 0, last = len ? len - 1 : 0;
	struct evbuffer *out = evbuffer_new();
	char v[TREE_MIME_MAX + 32];
	int r;

	if (!out || (!p && len)) {
		evbuffer_free(out);
		gw_page(req, 500, "Could not show this", "out of memory");
		return;
	}
	if (j->show == GW_FILTER || j->show == GW_CSS) {
		char cs[64];
		uint8_t *u, *f = NULL;
		size_t ul, fl = 0;
		int rc = charset_to_utf8(p, len, mime_param(j->mime, "charset", cs, sizeof(cs)) == 0 ? cs : NULL, &u, &ul);
		if (rc == WISP_ERR_VERSION) {
			gw_page(req, 415, "Not shown", "This document is in a character encoding the gateway cannot read, "
			    "so it cannot check it for links out of wisp. Fetch it with wisp get.");
			evbuffer_free(out);
			return;
		}
		if (rc == 0)
			rc = j->show == GW_CSS ? css_filter((const char *)u, ul, 0, (char **)&f, &fl) : html_filter(u, ul, &f, &fl);
		free(u);
		if (rc == WISP_ERR_MALFORMED) {
			gw_page(req, 422, "Not shown", "The markup of this page does not settle into a form the gateway "
			    "can check for links out of wisp. Fetch it with wisp get.");
			evbuffer_free(out);
			return;
		}
		if (rc != 0) {
			gw_page(req, 500, "Could not show this", "out of memory");
			evbuffer_free(out);
			return;
		}
		evbuffer_add(out, f, fl);
		free(f);
		evhttp_add_header(h, "Content-Type", j->show == GW_CSS ? "text/css; charset=utf-8" : "text/html; charset=utf-8");
		evhttp_add_header(h, "ETag", j->etag);
		gw_content_headers(h);
		evhttp_send_reply(req, 200, "OK", out);
		evbuffer_free(out);
		return;
	}
	r = parse_range(rh && strlen(rh) < sizeof(j->range) ? rh : rh ? "bad" : "", len, &first, &last);
	if (r < 0) {
		snprintf(v, sizeof(v), "bytes */%zu", len);
		evhttp_add_header(h, "Content-Range", v);
		gw_page(req, 416, "Not in this document", "the requested range is not in this document");
		evbuffer_free(out);
		return;
	}
	if (len)
		evbuffer_add(out, p + first, (size_t)(last - first + 1));
	content_headers(h, j, j->mime);
	evhttp_add_header(h, "Accept-Ranges", "bytes");
	if (r > 0) {
		snprintf(v, sizeof(v), "bytes %" PRIu64 "-%" PRIu64 "/%zu", first, last, len);
		evhttp_add_header(h, "Content-Range", v);
	}
	evhttp_send_reply(req, r > 0 ? 206 : 200, r > 0 ? "Partial Content" : "OK", out);
	evbuffer_free(out);
}




void
getgw_start(struct get_job *j, uint64_t total, const char *mime)
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
	content_headers(h, j, mime);
	snprintf(v, sizeof(v), "%" PRIu64, total ? last - first + 1 : 0);
	evhttp_add_header(h, "Content-Length", v);
	evhttp_add_header(h, "Accept-Ranges", "bytes");
	evhttp_add_header(h, "Connection", "close");
	if (r > 0) {
		snprintf(v, sizeof(v), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, total);
		evhttp_add_header(h, "Content-Range", v);
	}
	evhttp_send_reply_start(j->req, r > 0 ? 206 : 200, r > 0 ? "Partial Content" : "OK");
	j->started = 1;
}


static void
unpark(struct get_job *j)
{
	struct get_job **pp;

	for (pp = &j->n->parked; *pp; pp = &(*pp)->pnext) {
		if (*pp == j) {
			*pp = j->pnext;
			j->n->nparked--;
			break;
		}
	}
	j->parked = 0;
}


/* getgw_on_patience: the page load has waited long enough for a first byte;
 * or, once parked and settled, the outcome was never collected. */
void
getgw_on_patience(evutil_socket_t fd, short ev, void *arg)
{
	struct get_job *j = arg;
	struct node *n = j->n;

	(void)fd;
	(void)ev;
	if (j->parked) { /* expired */
		unpark(j);
		job_free(j);
		return;
	}
	if (j->gone || j->answered || j->started || j->done || n->nparked >= GATEWAY_PARKED_MAX)
		return; /* too many parked already: this one simply waits */
	gw_still_looking(j->req, j->addr);
	if (j->evcon)
		evhttp_connection_set_closecb(j->evcon, NULL, NULL);
	j->req = NULL;
	j->evcon = NULL;
	j->parked = 1;
	j->pnext = n->parked;
	n->parked = j;
	n->nparked++;
}


int
gateway_parked(struct node *n, struct evhttp_request *req, const char *addr, int slash)
{
	struct get_job *j;
	struct evkeyvalq *h;
	char loc[URI_MAX + 4];

	for (j = n->parked; j; j = j->pnext)
		if (j->slash == slash && strcmp(j->addr, addr) == 0)
			break;
	if (!j)
		return 0;
	if (j->result == 0) {
		gw_still_looking(req, addr);
		return 1;
	}
	if (j->result == -1) {
		unpark(j);
		job_free(j);
		return 0;
	}
	if (j->result == 200) {
		getgw_serve_body(j, req);
	} else if (j->result == 301) {
		h = evhttp_request_get_output_headers(req);
		snprintf(loc, sizeof(loc), "/%s/", addr);
		evhttp_add_header(h, "Location", loc);
		gw_content_headers(h);
		evhttp_send_reply(req, 301, "Moved Permanently", NULL);
	} else {
		gw_page(req, j->result, j->rtitle, j->rtext);
	}
	unpark(j);
	job_free(j);
	return 1;
}


void
gateway_parked_free_all(struct node *n)
{
	struct get_job *j, *next;

	for (j = n->parked; j; j = next) {
		next = j->pnext;
		if (!j->f && !j->old && !j->pending_ssk) { /* settled; running ones end with the router */
			unpark(j);
			job_free(j);
		}
	}
}


/* ---- a site without index.html: its files, listed ---- */

static void
list_one(void *ctx, const struct manifest_entry *e)
{
	struct evbuffer *b = ctx;
	char size[32], *href = evhttp_uriencode(e->path, -1, 0);
	double v = (double)e->length;
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	snprintf(size, sizeof(size), i ? "%.1f %s" : "%.0f %s", v, u[i]);
	evbuffer_add_printf(b, "<li><a href=\"");
	if (href) {
		/* slashes stay: a relative link into the site */
		for (char *p = href; *p; p++) {
			if (p[0] == '%' && p[1] == '2' && p[2] == 'F') {
				evbuffer_add(b, "/", 1);
				p += 2;
			} else {
				evbuffer_add(b, p, 1);
			}
		}
		free(href);
	}
	evbuffer_add_printf(b, "\">");
	gw_html_text(b, e->path);
	evbuffer_add_printf(b, "</a> <span class=muted>%s, ", size);
	gw_html_text(b, e->mime);
	evbuffer_add_printf(b, "</span></li>");
}

void
getgw_listing(struct get_job *j, const uint8_t *m, size_t n)
{
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		evhttp_send_error(j->req, 500, NULL);
		return;
	}
	gw_page_head(b, "Files of this site", NULL);
	evbuffer_add_printf(b, "<h1>Files of this site</h1><p class=muted>It has no index.html, so here is what it "
	    "holds.</p><ul>");
	if (manifest_each(m, n, list_one, b) != 0) {
		evbuffer_free(b);
		gw_page(j->req, 502, "Could not fetch this", "the site's manifest is malformed");
		return;
	}
	evbuffer_add_printf(b, "</ul><p><a href=\"/\">wisp home</a></p></body></html>\n");
	gw_send_page(j->req, 200, b);
	evbuffer_free(b);
}
