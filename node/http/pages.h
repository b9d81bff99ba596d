/* pages.h: how the gateway shows things (docs/gateway.md): the headers
 * every answer carries, how a document from the network is shown, and the
 * node's own small pages. Called by the handlers; calls none of them. */
#ifndef WISP_PAGES_H
#define WISP_PAGES_H

#include <stddef.h>

struct evbuffer;
struct evhttp_request;
struct evkeyvalq;

/* How a document from the network is shown: filtered (HTML, XHTML, SVG),
 * as plain text (other XML: a stylesheet could add links), inline, or
 * offered as a download (anything a browser could render with live links
 * that the gateway does not filter, such as PDF). */
enum gw_show { GW_FILTER, GW_TEXT, GW_INLINE, GW_DOWNLOAD };
enum gw_show gw_show_as(const char *mime);
/* gw_html_type: the Content-Type to serve a filtered page with: its
 * charset kept if ASCII-compatible, else utf-8, so the browser reads the
 * bytes as the filter did. */
void gw_html_type(const char *mime, char *out, size_t len);

/* Headers: network content is sandboxed (no script, no outside loads);
 * the node's own pages may use their own script and are never framed. */
void gw_content_headers(struct evkeyvalq *h);
void gw_ui_headers(struct evkeyvalq *h);

/* gw_page answers with one of the node's small pages. */
void gw_page(struct evhttp_request *req, int code, const char *title, const char *text);
/* gw_still_looking: the page that reloads itself while a fetch goes on. */
void gw_still_looking(struct evhttp_request *req, const char *addr);
/* The pieces of a page: escaped text, the head with the node's style,
 * and the answer with the UI's headers. */
void gw_html_text(struct evbuffer *b, const char *s);
void gw_page_head(struct evbuffer *b, const char *title, const char *extra);
void gw_send_page(struct evhttp_request *req, int code, struct evbuffer *b);

#endif
