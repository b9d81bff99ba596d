/* settle.h: a filter's output must read back as itself. A parser can
 * build trees that do not survive being written out and read again (an
 * <option> the HTML tree builder left inside another; CSS tokens that
 * glue), so a filter runs again on its own output until it is a fixed
 * point: what the browser parses is exactly what was written. Pure. */
#ifndef WISP_SETTLE_H
#define WISP_SETTLE_H

#include <stddef.h>

#include "crypto/err.h"

enum { SETTLE_ROUNDS = 4 };

/* One pass: |in| to a malloc'd |*out|; 0 or an error, which settle returns. */
typedef int (*settle_pass)(void *ctx, const char *in, size_t len, char **out, size_t *outlen);

/* settle runs |pass| on |in|, then on each output, until an output equals
 * its input; WISP_ERR_MALFORMED if none does within SETTLE_ROUNDS more
 * passes. */
int settle(settle_pass pass, void *ctx, const char *in, size_t len, char **out, size_t *outlen) WISP_WUR;

#endif
