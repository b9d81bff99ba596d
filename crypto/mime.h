/* mime.h: a document's MIME type, from its name or its first bytes, for
 * `wisp put` and the gateway's uploads alike. Pure. */
#ifndef WISP_MIME_H
#define WISP_MIME_H

#include <stddef.h>
#include <stdint.h>

/* mime_from_name: the type for |name|'s extension, or NULL if unknown. */
const char *mime_from_name(const char *name);
/* mime_sniff: a type from the first bytes; always a valid tree MIME type. */
const char *mime_sniff(const uint8_t *p, size_t len);

#endif
