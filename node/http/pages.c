/* pages.c: the headers every gateway answer carries, the rules for showing
 * a document from the network to a browser, and the node's small pages
 * (pages.h, docs/gateway.md). The handlers call it; it calls none of them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "node/http/pages.h"

/* Network content: everything it may load comes from this node, it may
 * send nothing anywhere (connect-src 'none'), and it runs sandboxed
 * without script: no JavaScript at all, no meta refresh, no popups that
 * escape. Links out are rewritten by the filter (html.h). */
static const char CSP_CONTENT[] = "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self'; font-src 'self'; connect-src 'none'; object-src 'none'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "sandbox allow-forms allow-same-origin allow-popups allow-downloads";

/* The node's own pages: their one script is served by the node, they talk
 * only to the node, and no page (least of all a network page) frames them. */
static const char CSP_UI[] = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static void
common_headers(struct evkeyvalq *h)
{
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Cache-Control", "private, no-transform");
	evhttp_add_header(h, "X-DNS-Prefetch-Control", "off");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(h, "Cross-Origin-Resource-Policy", "same-origin");
}

void
gw_content_headers(struct evkeyvalq *h)
{
	evhttp_add_header(h, "Content-Security-Policy", CSP_CONTENT);
	common_headers(h);
}

void
gw_ui_headers(struct evkeyvalq *h)
{
	evhttp_add_header(h, "Content-Security-Policy", CSP_UI);
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	common_headers(h);
}

static int
type_is(const char *mime, const char *t)
{
	size_t n = strlen(t);

	return strncasecmp(mime, t, n) == 0 && (mime[n] == '\0' || mime[n] == ';' || mime[n] == ' ');
}

enum gw_show
gw_show_as(const char *mime, int image)
{
	const char *semi = strchr(mime, ';');
	size_t n = semi ? (size_t)(semi - mime) : strlen(mime);

	if (type_is(mime, "text/html"))
		return GW_FILTER;
	if (type_is(mime, "text/css"))
		return GW_CSS;
	if (type_is(mime, "image/svg+xml"))
		return image ? GW_INLINE : GW_DOWNLOAD;
	if (type_is(mime, "application/xhtml+xml"))
		return GW_DOWNLOAD;
	if (type_is(mime, "text/xml") || type_is(mime, "application/xml") ||
	    (n > 4 && strncasecmp(mime + n - 4, "+xml", 4) == 0) || type_is(mime, "text/xsl"))
		return GW_TEXT;
	if ((strncasecmp(mime, "image/", 6) == 0 && !strchr(mime, '+')) || strncasecmp(mime, "audio/", 6) == 0 ||
	    strncasecmp(mime, "video/", 6) == 0 || strncasecmp(mime, "font/", 5) == 0 ||
	    type_is(mime, "text/plain") || type_is(mime, "text/javascript") ||
	    type_is(mime, "text/markdown") || type_is(mime, "text/csv") || type_is(mime, "application/json") ||
	    type_is(mime, "application/wasm"))
		return GW_INLINE;
	return GW_DOWNLOAD;
}

/* ---- the node's pages ---- */

void
gw_html_text(struct evbuffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': evbuffer_add(b, "&lt;", 4); break;
		case '>': evbuffer_add(b, "&gt;", 4); break;
		case '&': evbuffer_add(b, "&amp;", 5); break;
		case '"': evbuffer_add(b, "&quot;", 6); break;
		case '\'': evbuffer_add(b, "&#39;", 5); break;
		default: evbuffer_add(b, s, 1);
		}
	}
}

#define PAGE_STYLE "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}" \
    "input{font-family:ui-monospace,monospace}input[type=text]{width:100%;padding:.4em;box-sizing:border-box}" \
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}.muted{color:#666}code{font-family:ui-monospace,monospace;white-space:nowrap}.url{font-family:ui-monospace,monospace;" \
    "word-break:break-all}.url{background:#f4f4f4;padding:.5em}progress{width:100%}</style>"

void
gw_page_head(struct evbuffer *b, const char *title, const char *extra)
{
	evbuffer_add_printf(b, "<!doctype html><html lang=en><head><meta charset=utf-8>"
	    "<meta name=viewport content=\"width=device-width\"><title>");
	gw_html_text(b, title);
	evbuffer_add_printf(b, "</title>%s", extra ? extra : "");
	evbuffer_add(b, PAGE_STYLE "</head><body>", sizeof(PAGE_STYLE "</head><body>") - 1);
}

static const char *
reason_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

void
gw_send_page(struct evhttp_request *req, int code, struct evbuffer *b)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	gw_ui_headers(h);
	evhttp_send_reply(req, code, reason_phrase(code), b);
}

void
gw_page(struct evhttp_request *req, int code, const char *title, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	gw_page_head(b, title, NULL);
	evbuffer_add_printf(b, "<h1>");
	gw_html_text(b, title);
	evbuffer_add_printf(b, "</h1><p>");
	gw_html_text(b, text);
	evbuffer_add_printf(b, "</p>");
	{
		/* A document not found now may be found later (another route,
		 * a friend back online): the same address again, no script. */
		const char *uri = evhttp_request_get_uri(req);
		if (code == 404 && uri && (!strncmp(uri, "/CHK@", 5) || !strncmp(uri, "/SSK@", 5) || !strncmp(uri, "/USK@", 5))) {
			evbuffer_add_printf(b, "<p><a href=\"");
			gw_html_text(b, uri);
			evbuffer_add_printf(b, "\">Try again</a></p>");
		}
	}
	evbuffer_add_printf(b, "<p><a href=\"/\">wisp home</a></p></body></html>\n");
	gw_send_page(req, code, b);
	evbuffer_free(b);
}

void
gw_download_page(struct evhttp_request *req, const char *mime)
{
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	gw_page_head(b, "Not shown: download it", NULL);
	evbuffer_add_printf(b, "<h1>This document is not shown here</h1><p>It is of type <code>");
	gw_html_text(b, mime);
	evbuffer_add_printf(b, "</code>. The gateway shows only what it can check for links and loads out of "
	    "wisp (HTML, CSS, images, sound, video, plain text). A document like this one can make the program "
	    "that opens it connect to the outside web, which would show your IP address to whoever wrote it.</p>"
	    "<p><a href=\"?download=1\">Save it</a>, and open it only with a program you trust not to "
	    "connect anywhere (or offline).</p><p><a href=\"/\">wisp home</a></p></body></html>\n");
	gw_send_page(req, 200, b);
	evbuffer_free(b);
}

void
gw_still_looking(struct evhttp_request *req, const char *addr)
{
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	/* Our own page, not sandboxed: its refresh works without script. */
	gw_page_head(b, "Still looking…", "<meta http-equiv=refresh content=3>");
	evbuffer_add_printf(b, "<h1>Still looking…</h1><p>The network has not answered yet. The node keeps "
	    "searching and this page reloads itself every few seconds until the document arrives or the "
	    "network says it is not there.</p><p class=url>");
	gw_html_text(b, addr);
	evbuffer_add_printf(b, "</p><p><a href=\"/\">wisp home</a></p></body></html>\n");
	gw_send_page(req, 202, b);
	evbuffer_free(b);
}
