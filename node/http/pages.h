/* pages.h: how the gateway shows things (docs/gateway.md): the headers
 * every answer carries, how a document from the network is shown, and the
 * node's own small pages. Called by the handlers; calls none of them. */
#ifndef WISP_PAGES_H
#define WISP_PAGES_H

#include <stddef.h>

struct evbuffer;
struct evhttp_request;
struct evkeyvalq;

/* How a document from the network is shown: an HTML page or a style
 * sheet filtered (filter/html.h, filter/css.h) and served as UTF-8, as
 * plain text (XML: a stylesheet or DTD could add loads), inline (media the
 * browser loads nothing from), or not rendered at all but offered as a
 * download behind a page that says why (SVG and XHTML opened directly,
 * PDF, and every type the filter does not know). |image|: the browser asks
 * for an image (Sec-Fetch-Dest), where an SVG loads nothing and may show. */
enum gw_show { GW_FILTER, GW_CSS, GW_TEXT, GW_INLINE, GW_DOWNLOAD };
enum gw_show gw_show_as(const char *mime, int image);

/* Headers: network content is sandboxed (no script, no outside loads);
 * the node's own pages may use their own script and are never framed. */
void gw_content_headers(struct evkeyvalq *h);
void gw_ui_headers(struct evkeyvalq *h);

/* gw_page answers with one of the node's small pages. */
void gw_page(struct evhttp_request *req, int code, const char *title, const char *text);
/* gw_download_page: why a document is not shown, and a link to save it. */
void gw_download_page(struct evhttp_request *req, const char *mime);
/* gw_still_looking: the page that reloads itself while a fetch goes on. */
void gw_still_looking(struct evhttp_request *req, const char *addr);
/* The pieces of a page: escaped text, the head with the node's style,
 * and the answer with the UI's headers. */
void gw_html_text(struct evbuffer *b, const char *s);
void gw_page_head(struct evbuffer *b, const char *title, const char *extra);
void gw_send_page(struct evhttp_request *req, int code, struct evbuffer *b);

#endif
