/* url.h: which URLs a page from the network may use (docs/gateway.md).
 * Pure. A URL is given decoded: no character references (HTML) or escapes
 * (CSS) left, as the browser will resolve it. */
#ifndef WISP_FILTER_URL_H
#define WISP_FILTER_URL_H

#include <stddef.h>

#define URL_OUTSIDE_PATH "/outside?url="

/* url_local: would a browser resolve |s| to this node, the origin it was
 * served from? Relative references and absolute paths do; a scheme
 * (http:, data:, javascript:, …) or a host ("//h", "\\h", "/\h") does
 * not. Tabs and newlines anywhere and C0 controls and spaces at the ends
 * are ignored, as the URL parser does. */
int url_local(const char *s, size_t n);

/* url_outside_link writes the warning page's address for |s| ("/outside?url="
 * and |s| percent-encoded) into |out|; -1 if it does not fit. */
int url_outside_link(const char *s, size_t n, char *out, size_t cap);

#endif
