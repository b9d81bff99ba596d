/* html.h: the gateway's link filter. A page from the network is served
 * with its links to the outside web pointed at the node's warning page
 * (/outside?url=…), so following one is the reader's informed choice,
 * never an accident that unmasks them. Pure; docs/gateway.md.
 *
 * The filter errs one way only: where its reading of the markup could
 * differ from a browser's, it ends comments and raw text at the earliest
 * point a browser could, so it may rewrite text a browser would not treat
 * as a link, but never leaves a link a browser would follow. */
#ifndef WISP_HTML_H
#define WISP_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

#define HTML_OUTSIDE_PATH "/outside?url="

/* html_outside: would a browser resolve the attribute value |v| (raw,
 * with its character references) outside this origin? */
int html_outside(const char *v, size_t len);

/* html_filter rewrites |len| bytes of HTML (or SVG/XHTML) into a fresh
 * buffer |*out| (the caller frees it) of |*outlen| bytes: outside links
 * in navigating attributes go to the warning page, ping attributes are
 * dropped and meta refreshes disarmed. */
int html_filter(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen) WISP_WUR;

/* html_decode_attr decodes the character references of an attribute value
 * as a browser would, for the values the filter can judge: 0, or -1 when
 * a named reference is one it does not know (the caller then assumes the
 * worst). |out| holds at least |len| + 1 bytes; the result is NUL-ended. */
int html_decode_attr(const char *v, size_t len, char *out, size_t *outlen);

#endif
