/* css.h: the gateway's CSS filter (docs/gateway.md). Pure.
 *
 * The stylesheet is read as a browser reads it (CSS Syntax Level 3's
 * tokenizer), and a new one is written from its tokens: a declaration,
 * rule or at-rule that names a URL not on this node (url(), @import,
 * image-set(), src() and @font-face's src) or that holds a bad string or
 * URL is dropped whole, with a rule's block; comments go; every '<' is
 * written escaped, so the output can stand inside <style>. */
#ifndef WISP_CSS_H
#define WISP_CSS_H

#include <stddef.h>

#include "crypto/err.h"

/* css_filter filters |len| bytes of UTF-8 CSS into a fresh NUL-ended
 * buffer |*out| (the caller frees it) of |*outlen| bytes: a stylesheet, or
 * with |decls| a declaration list (a style="" attribute). 0 or
 * WISP_ERR_NOMEM. The output filtered again is the same (a sheet whose
 * output would not read back as itself is dropped whole). */
int css_filter(const char *in, size_t len, int decls, char **out, size_t *outlen) WISP_WUR;

#endif
