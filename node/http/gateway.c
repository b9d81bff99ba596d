/* gateway.c: the node's own pages and the rules for showing documents
 * from the network to a browser (gateway.h, docs/gateway.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "crypto/uri.h"
#include "node/http/api.h"
#include "node/http/gateway.h"
#include "node/http/reply.h"
#include "node/base/node.h"
#include "store/store.h"

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
gw_show_as(const char *mime)
{
	const char *semi = strchr(mime, ';');
	size_t n = semi ? (size_t)(semi - mime) : strlen(mime);

	if (type_is(mime, "text/html") || type_is(mime, "application/xhtml+xml") || type_is(mime, "image/svg+xml"))
		return GW_FILTER;
	if (type_is(mime, "text/xml") || type_is(mime, "application/xml") ||
	    (n > 4 && strncasecmp(mime + n - 4, "+xml", 4) == 0) || type_is(mime, "text/xsl"))
		return GW_TEXT;
	if ((strncasecmp(mime, "image/", 6) == 0 && !strchr(mime, '+')) || strncasecmp(mime, "audio/", 6) == 0 ||
	    strncasecmp(mime, "video/", 6) == 0 || strncasecmp(mime, "font/", 5) == 0 ||
	    type_is(mime, "text/plain") || type_is(mime, "text/css") || type_is(mime, "text/javascript") ||
	    type_is(mime, "text/markdown") || type_is(mime, "text/csv") || type_is(mime, "application/json") ||
	    type_is(mime, "application/wasm"))
		return GW_INLINE;
	return GW_DOWNLOAD;
}

void
gw_html_type(const char *mime, char *out, size_t len)
{
	static const char *const safe[] = { "utf-8", "us-ascii", "iso-8859-", "windows-125", "latin1" };
	const char *semi = strchr(mime, ';'), *cs = NULL, *q;
	size_t n = semi ? (size_t)(semi - mime) : strlen(mime), i;

	for (q = mime; *q && !cs; q++)
		if (strncasecmp(q, "charset=", 8) == 0)
			cs = q;
	if (cs) {
		cs += 8;
		if (*cs == '"')
			cs++;
		for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
			if (strncasecmp(cs, safe[i], strlen(safe[i])) == 0) {
				snprintf(out, len, "%s", mime);
				return;
			}
		}
	}
	snprintf(out, len, "%.*s; charset=utf-8", (int)n, mime);
}

/* ---- the node's pages ---- */

static void
html_text(struct evbuffer *b, const char *s)
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

static void
page_head(struct evbuffer *b, const char *title, const char *extra)
{
	evbuffer_add_printf(b, "<!doctype html><html lang=en><head><meta charset=utf-8>"
	    "<meta name=viewport content=\"width=device-width\"><title>");
	html_text(b, title);
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

static void
send_page(struct evhttp_request *req, int code, struct evbuffer *b)
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
	page_head(b, title, NULL);
	evbuffer_add_printf(b, "<h1>");
	html_text(b, title);
	evbuffer_add_printf(b, "</h1><p>");
	html_text(b, text);
	evbuffer_add_printf(b, "</p><p><a href=\"/\">wisp home</a></p></body></html>\n");
	send_page(req, code, b);
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
	page_head(b, "Still looking…", "<meta http-equiv=refresh content=3>");
	evbuffer_add_printf(b, "<h1>Still looking…</h1><p>The network has not answered yet. The node keeps "
	    "searching and this page reloads itself every few seconds until the document arrives or the "
	    "network says it is not there.</p><p class=url>");
	html_text(b, addr);
	evbuffer_add_printf(b, "</p><p><a href=\"/\">wisp home</a></p></body></html>\n");
	send_page(req, 202, b);
	evbuffer_free(b);
}

/* The warning before leaving wisp for the web. The address is shown as
 * text; only http(s) addresses become a link, and that link sends no
 * referrer, so the site learns nothing of which wisp page led there. */
static void
gateway_outside(struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	char url[4096];

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	if (query_get(req, "url", url, sizeof(url)) != 0)
		snprintf(url, sizeof(url), "(missing or too long)");
	page_head(b, "Leaving wisp", NULL);
	evbuffer_add_printf(b, "<h1>This link leads out of wisp</h1><p>The page you were reading links to an "
	    "address on the ordinary web:</p><p class=url>");
	html_text(b, url);
	evbuffer_add_printf(b, "</p><p><strong>Opening it connects your browser directly to that site, "
	    "which then sees your IP address</strong>, and whoever watches your connection sees which site you "
	    "visit. Nothing in wisp protects you there. A page that links outside may be trying to find out who "
	    "reads it.</p>");
	if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0) {
		evbuffer_add_printf(b, "<p>If you accept that: <a rel=\"noreferrer noopener\" href=\"");
		html_text(b, url);
		evbuffer_add_printf(b, "\">open it anyway</a>.</p>");
	} else {
		evbuffer_add_printf(b, "<p>This kind of address is not opened from the gateway.</p>");
	}
	evbuffer_add_printf(b, "<p><a href=\"/\">wisp home</a></p></body></html>\n");
	send_page(req, 200, b);
	evbuffer_free(b);
}

/* The home page: fetching works without script; uploading uses the
 * node's own small script for its progress (/wisp-home.js). */
static void
gateway_home(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct store_stats st;
	char key[URI_MAX + 1];

	if (query_get(req, "key", key, sizeof(key)) == 0 && key[0]) {
		char loc[URI_MAX + 2];
		const char *k = key;
		while (*k == ' ')
			k++;
		snprintf(loc, sizeof(loc), "/%s", strncmp(k, "wisp:", 5) == 0 ? k + 5 : k);
		evhttp_add_header(h, "Location", loc);
		gw_ui_headers(h);
		evhttp_send_reply(req, 302, "Found", NULL);
		return;
	}
	if (!(b = evbuffer_new())) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	store_stats(n->store, &st);
	page_head(b, "wisp", NULL);
	evbuffer_add_printf(b, "<h1>wisp</h1><form method=get action=\"/\"><p><label>Open a key:<br>"
	    "<input type=text name=key placeholder=\"CHK@… SSK@… USK@…\"></label></p>"
	    "<p><input type=submit value=Open></p></form>"
	    "<p class=muted>%u of %u friends connected · store %" PRIu64 " blocks, %" PRIu64 " of %" PRIu64
	    " MiB · %u fetches running</p>", node_peers_connected(n), node_peers_known(n), st.blocks,
	    st.bytes >> 20, st.capacity >> 20, n->fetches);
	evbuffer_add_printf(b, "<h2>Insert</h2><form id=up data-form=\"%s\"><p><label><input type=radio name=kind "
	    "value=file checked> a file</label> &nbsp; <label><input type=radio name=kind value=zip> a site, as a "
	    ".zip of its folder (index.html at its top)</label></p><p><input type=file name=file required></p>"
	    "<p><input type=submit value=Insert></p><p id=state class=muted></p><progress id=bar max=1 value=0 "
	    "hidden></progress><p id=result class=url hidden></p></form>"
	    "<noscript><p class=muted>Inserting from this page needs JavaScript (this page's own, from this node); "
	    "or use <code>wisp put</code>.</p></noscript>"
	    "<p class=muted>Your browser hands the file to your own node, which encodes it: the network sees only "
	    "encrypted blocks. Larger files and sites: <code>wisp put</code> and <code>wisp put --dir</code>.</p>"
	    "<script src=\"/wisp-home.js\"></script></body></html>\n", n->form_token);
	send_page(req, 200, b);
	evbuffer_free(b);
}

/* The home page's script: sends the file in 1 MiB pieces, then follows
 * the insert until the node has the key. */
static const char HOME_JS[] =
    "'use strict';\n"
    "(function () {\n"
    "const f = document.getElementById('up'), st = document.getElementById('state'),\n"
    "  bar = document.getElementById('bar'), res = document.getElementById('result');\n"
    "const hdr = { 'X-Wisp-Form': f.dataset.form };\n"
    "const say = (t) => { st.textContent = t; };\n"
    "async function call(method, url, body) {\n"
    "  const r = await fetch(url, { method, headers: hdr, body });\n"
    "  const j = await r.json();\n"
    "  if (!r.ok) throw new Error(j.reason || r.statusText);\n"
    "  return j;\n"
    "}\n"
    "f.addEventListener('submit', async (e) => {\n"
    "  e.preventDefault();\n"
    "  const file = f.file.files[0];\n"
    "  if (!file) return;\n"
    "  const zip = f.kind.value === 'zip';\n"
    "  res.hidden = true; bar.hidden = false; bar.value = 0; f.querySelector('[type=submit]').disabled = true;\n"
    "  try {\n"
    "    const q = new URLSearchParams({ name: file.name, size: file.size, kind: zip ? 'zip' : 'file' });\n"
    "    const s = await call('POST', '/upload/new?' + q, null);\n"
    "    const piece = 1 << 20;\n"
    "    for (let off = 0; off < file.size || off === 0; off += piece) {\n"
    "      say('Sending to your node: ' + Math.round(100 * off / Math.max(file.size, 1)) + '%');\n"
    "      bar.value = file.size ? off / file.size / 2 : 0;\n"
    "      await call('POST', '/upload/' + s.id + '?offset=' + off, file.slice(off, off + piece));\n"
    "      if (file.size === 0) break;\n"
    "    }\n"
    "    for (;;) {\n"
    "      const p = await call('GET', '/upload/' + s.id, undefined);\n"
    "      if (p.state === 'failed') throw new Error(p.reason);\n"
    "      if (p.state === 'done') {\n"
    "        bar.value = 1; say('Inserted: ' + p.blocks_done + ' blocks.');\n"
    "        res.textContent = ''; const a = document.createElement('a');\n"
    "        a.href = '/' + p.uri + (zip ? '/' : ''); a.textContent = p.uri; res.append(a); res.hidden = false;\n"
    "        break;\n"
    "      }\n"
    "      say('Inserting into the network: ' + p.blocks_done + ' of ' + (p.blocks_total || '?') + ' blocks');\n"
    "      bar.value = 0.5 + (p.blocks_total ? p.blocks_done / p.blocks_total / 2 : 0);\n"
    "      await new Promise((ok) => setTimeout(ok, 400));\n"
    "    }\n"
    "  } catch (err) {\n"
    "    say('Failed: ' + err.message); bar.hidden = true;\n"
    "  }\n"
    "  f.querySelector('[type=submit]').disabled = false;\n"
    "});\n"
    "})();\n";

static void
gateway_script(struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add(b, HOME_JS, sizeof(HOME_JS) - 1);
	evhttp_add_header(h, "Content-Type", "text/javascript; charset=utf-8");
	gw_ui_headers(h);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* gateway_handle serves "/", the node's pages, uploads, and "/CHK@…",
 * "/SSK@…", "/USK@…" addresses. */
void
gateway_handle(struct node *n, struct evhttp_request *req, const char *path)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char *dec;
	size_t len;
	int slash = 0;

	if (strncmp(path, "/upload/", 8) == 0) {
		ingest_handle(n, req, path + 8);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		gw_page(req, 405, "Not allowed", "The gateway only reads.");
		return;
	}
	if (strcmp(path, "/") == 0) {
		gateway_home(n, req);
		return;
	}
	if (strcmp(path, "/outside") == 0) {
		gateway_outside(req);
		return;
	}
	if (strcmp(path, "/wisp-home.js") == 0) {
		gateway_script(req);
		return;
	}
	if (!(dec = evhttp_uridecode(path + 1, 0, &len))) {
		gw_page(req, 400, "Not a wisp address", "bad escapes in the address");
		return;
	}
	if (len && dec[len - 1] == '/') { /* a site's root, as a directory */
		dec[--len] = '\0';
		slash = 1;
	}
	if (strlen(dec) != len || (strncmp(dec, "CHK@", 4) && strncmp(dec, "SSK@", 4) && strncmp(dec, "USK@", 4)))
		gw_page(req, 404, "No such page", "Addresses here look like /CHK@…, /SSK@… or /USK@….");
	else if (!gateway_parked(n, req, dec, slash))
		gateway_get(n, req, dec, slash);
	free(dec);
}
