/* html.h: the gateway's page filter (docs/gateway.md). Pure.
 *
 * A page is parsed as a browser parses it (libgumbo: the HTML standard's
 * tokenizer and tree builder), the tree is walked against an allow-list of
 * elements and attributes, and a new document is written from what is
 * kept: every attribute double-quoted and escaped, style sheets re-written
 * by the CSS filter (css.h), comments and processing instructions gone.
 * What the browser then parses is exactly what the filter decided: no
 * second reading of the markup can differ from it. Links out of the node
 * go to the warning page (url.h); every other URL that is not on this node
 * is dropped with its attribute. */
#ifndef WISP_HTML_H
#define WISP_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "node/filter/url.h"

#define HTML_OUTSIDE_PATH URL_OUTSIDE_PATH

/* html_filter writes |len| bytes of HTML in UTF-8 (charset.h decodes
 * others first) as a new document into a fresh buffer |*out| (the caller
 * frees it) of |*outlen| bytes. Filtering the output again gives the same
 * bytes. 0, WISP_ERR_NOMEM, or WISP_ERR_MALFORMED for markup whose output
 * does not read back as itself (not shown). */
int html_filter(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen) WISP_WUR;

#endif
