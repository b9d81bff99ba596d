/* charset.h: a page's bytes as the browser would read them, in UTF-8, for
 * the filters (docs/gateway.md). Pure. */
#ifndef WISP_CHARSET_H
#define WISP_CHARSET_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

/* mime_param copies the value of parameter |name| of the Content-Type
 * |mime| into |out| (RFC 9110 section 8.3.1: parameters split at ';'
 * outside quoted strings, names without case, the last one wins); 0 if it
 * is there, -1 if not or too long. */
int mime_param(const char *mime, const char *name, char *out, size_t cap);

/* charset_to_utf8 decodes |in| as the HTML standard picks its encoding:
 * a byte-order mark, else the Content-Type's |label| (NULL: none), else a
 * <meta> charset in the first 1024 bytes, else UTF-8 if the bytes are
 * valid UTF-8 and windows-1252 if not. Bytes that do not decode become
 * U+FFFD, as in a browser. The result |*out| (the caller frees it) has no
 * byte-order mark. 0, WISP_ERR_NOMEM, or WISP_ERR_VERSION for an
 * encoding this node cannot decode (the page is then not shown). */
int charset_to_utf8(const uint8_t *in, size_t len, const char *label, uint8_t **out, size_t *outlen) WISP_WUR;

#endif
