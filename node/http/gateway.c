/* gateway.c: what a browser asks of the node: the home page, the warning
 * before leaving wisp, and documents by address (get.h), dispatched from
 * the HTTP server (api.c). Its pages are drawn by pages.c. */
#include <inttypes.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "crypto/uri.h"
#include "node/base/node.h"
#include "node/http/panic.h"
#include "node/http/gateway.h"
#include "node/http/get.h"
#include "node/http/ingest.h"
#include "node/http/pages.h"
#include "node/http/reply.h"
#include "node/http/transfer.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "store/store.h"

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
	gw_page_head(b, "Leaving wisp", NULL);
	evbuffer_add_printf(b, "<h1>This link leads out of wisp</h1><p>The page you were reading links to an "
	    "address on the ordinary web:</p><p class=url>");
	gw_html_text(b, url);
	evbuffer_add_printf(b, "</p><p><strong>Opening it connects your browser directly to that site, "
	    "which then sees your IP address</strong>, and whoever watches your connection sees which site you "
	    "visit. Nothing in wisp protects you there. A page that links outside may be trying to find out who "
	    "reads it.</p>");
	if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0) {
		evbuffer_add_printf(b, "<p>If you accept that: <a rel=\"noreferrer noopener\" href=\"");
		gw_html_text(b, url);
		evbuffer_add_printf(b, "\">open it anyway</a>.</p>");
	} else {
		evbuffer_add_printf(b, "<p>This kind of address is not opened from the gateway.</p>");
	}
	evbuffer_add_printf(b, "<p><a href=\"/\">wisp home</a></p></body></html>\n");
	gw_send_page(req, 200, b);
	evbuffer_free(b);
}

/* key_of: the key in what a reader pasted into "open a key" (trimmed; a
 * "wisp:" prefix or a whole gateway URL understood), or NULL if it is not
 * a CHK@, SSK@ or USK@ key. */
static const char *
key_of(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'); e--)
		;
	*e = '\0';
	if (strncmp(s, "wisp:", 5) == 0)
		s += 5;
	else if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) {
		char *slash = strchr(s + (s[4] == ':' ? 7 : 8), '/');
		if (!slash)
			return NULL;
		s = slash + 1;
	}
	if (strncmp(s, "CHK@", 4) && strncmp(s, "SSK@", 4) && strncmp(s, "USK@", 4))
		return NULL;
	return s;
}

/* unescape_path undoes evhttp_uriencode for '/', '@', ',' and '~', which
 * a key's path keeps as they are, and for a '%' that begins an escape
 * already ("my%20file.txt" stays so). */
static void
unescape_path(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '%' && !strncmp(s + 1, "25", 2) && isxdigit((unsigned char)s[3]) &&
		    isxdigit((unsigned char)s[4])) {
			*o++ = '%';
			s += 3;
		} else if (s[0] == '%' && (!strncmp(s + 1, "2F", 2) || !strncmp(s + 1, "40", 2) || !strncmp(s + 1, "2C", 2) ||
		    !strncmp(s + 1, "7E", 2))) {
			*o++ = s[1] == '2' && s[2] == 'F' ? '/' : s[1] == '4' ? '@' : s[1] == '2' ? ',' : '~';
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
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
		char loc[3 * URI_MAX + 2];
		const char *k = key_of(key);
		char *enc;
		if (!k) {
			gw_page(req, 400, "Not a wisp key", "A key starts with CHK@, SSK@ or USK@ (a gateway address "
			    "http://127.0.0.1:PORT/CHK@… works too).");
			return;
		}
		/* percent-encoded but for the characters of a key and a path:
		 * nothing in Location can name another host */
		if (!(enc = evhttp_uriencode(k, -1, 0))) {
			evhttp_send_error(req, 500, NULL);
			return;
		}
		unescape_path(enc);
		snprintf(loc, sizeof(loc), "/%s", enc);
		free(enc);
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
	gw_page_head(b, "wisp", NULL);
	evbuffer_add_printf(b, "<h1>wisp</h1><form method=get action=\"/\"><p><label>Open a key:<br>"
	    "<input type=text name=key placeholder=\"CHK@… SSK@… USK@…\"></label></p>"
	    "<p><input type=submit value=Open></p></form>"
	    "<p class=muted>%u of %u friends connected · store %" PRIu64 " blocks, %" PRIu64 " of %" PRIu64
	    " MiB · %u fetches running</p><p class=muted>evicted since start: %" PRIu64 " blocks of inserts, %" PRIu64
	    " of the cache</p>", peers_connected(n), peers_known(n), st.blocks,
	    st.bytes >> 20, st.capacity >> 20, n->fetches, st.part[STORE_PART_STORE].evicted,
	    st.part[STORE_PART_CACHE].evicted);
	transfers_html(n, b);
	evbuffer_add_printf(b, "<h2>Insert</h2><form id=up data-form=\"%s\"><p><label><input type=radio name=kind "
	    "value=file checked> a file</label> &nbsp; <label><input type=radio name=kind value=zip> a site, as a "
	    ".zip of its folder (index.html at its top)</label></p><p><input type=file name=file required></p>"
	    "<p><input type=submit value=Insert></p><p id=state class=muted></p><progress id=bar max=1 value=0 "
	    "hidden></progress><p id=result class=url hidden></p></form>"
	    "<noscript><p class=muted>Inserting from this page needs JavaScript (this page's own, from this node); "
	    "or use <code>wisp put</code>.</p></noscript>"
	    "<p class=muted>Your browser hands the file to your own node, which encodes it: the network sees only "
	    "encrypted blocks. Larger files and sites: <code>wisp put</code> and <code>wisp put --dir</code>.</p>"
	    "<h2>Panic</h2><form method=post action=\"/panic\"><input type=hidden name=form value=\"%s\">"
	    "<p class=muted>Destroys this node's master key at once and stops it: nothing in its data directory "
	    "can be read after that, not its friends, not its store; it starts again as a new node.</p>"
	    "<p><label>Type <b>destroy</b> to confirm: <input type=text name=confirm autocomplete=off required "
	    "pattern=destroy></label> <input type=submit value=\"Destroy this node's keys\"></p></form>"
	    "<script src=\"/wisp-home.js\"></script></body></html>\n", n->form_token, n->form_token);
	gw_send_page(req, 200, b);
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
	if (strcmp(path, "/panic") == 0 && cmd == EVHTTP_REQ_POST) {
		gateway_panic(n, req);
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
	/* Decoded only to check it: the address stays percent-encoded, as a
	 * URI writes a name ("my%20file.txt", docs/keys.md); a site's paths
	 * are decoded where the manifest is read (get.c). */
	if (!(dec = evhttp_uridecode(path + 1, 0, &len)) || strlen(dec) != len) {
		free(dec);
		gw_page(req, 400, "Not a wisp address", "bad escapes in the address");
		return;
	}
	free(dec);
	if (!(dec = strdup(path + 1))) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	len = strlen(dec);
	if (len && dec[len - 1] == '/') { /* a site's root, as a directory */
		dec[--len] = '\0';
		slash = 1;
	}
	if (strncmp(dec, "CHK@", 4) && strncmp(dec, "SSK@", 4) && strncmp(dec, "USK@", 4))
		gw_page(req, 404, "No such page", "Addresses here look like /CHK@…, /SSK@… or /USK@….");
	else if (!gateway_parked(n, req, dec, slash))
		gateway_get(n, req, dec, slash);
	free(dec);
}
