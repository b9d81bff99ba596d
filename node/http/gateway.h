/* gateway.h: the browser's side of wispd (docs/gateway.md): the node's own
 * pages (home, warnings, progress) and the headers every answer carries. */
#ifndef WISP_GATEWAY_H
#define WISP_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct evhttp_request;
struct evkeyvalq;

enum gateway_limits {
	GATEWAY_PATIENCE_MS = 4000,   /* a page shows "still looking" after this */
	GATEWAY_FILTER_MAX = 8 << 20, /* an HTML page larger than this is not shown */
	GATEWAY_PARK_MAX = 16 << 20,  /* a parked fetch keeps at most this much */
	GATEWAY_PARKED_MAX = 4,       /* parked fetches at once */
	GATEWAY_PARK_TTL_S = 120,     /* a parked result waits this long for its reload */
};

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

/* get.c: a gateway fetch of |addr| ("CHK@…/path"); |slash| if the path
 * ended in '/'. gateway_parked answers from a parked fetch of |addr| if
 * there is one (1), else 0. */
void gateway_get(struct node *n, struct evhttp_request *req, const char *addr, int slash);
int gateway_parked(struct node *n, struct evhttp_request *req, const char *addr, int slash);
void gateway_parked_free_all(struct node *n);

/* ingest.c: the home page's uploads. */
void ingest_handle(struct node *n, struct evhttp_request *req, const char *path);
void ingest_free_all(struct node *n);

#endif
