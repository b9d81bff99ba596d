/* textrec.h: the fields of a line of the node's small text files (the
 * transfer queue, the kept documents): space-separated; numbers in
 * decimal, no sign, no leading zero; strings with spaces, '%' and control
 * bytes written %XX (upper-case hex), "-" for the empty string. Each
 * value has one spelling, so a line that reads formats back the same, and
 * no byte of a path or a reason can break a line. Pure. */
#ifndef WISP_TEXTREC_H
#define WISP_TEXTREC_H

#include <stddef.h>
#include <stdint.h>

/* textrec_put_str appends ' ' and |s| at *p (before |end|). 0 or -1. */
int textrec_put_str(char **p, char *end, const char *s);
/* textrec_field: the next field at *p (up to a space or |end|), which
 * moves past it. 0, or -1 at the end or on an empty field. */
int textrec_field(const char **p, const char *end, const char **f, size_t *flen);
int textrec_u64(const char *f, size_t n, uint64_t *v);
/* textrec_str decodes a string field into |out|; control bytes are
 * refused. */
int textrec_str(const char *f, size_t n, char *out, size_t cap);

#endif
