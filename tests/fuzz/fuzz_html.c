/* Pages come from whoever published them; the gateway filters each one
 * before a browser sees it. The filter must be idempotent: a second pass
 * reads the output as a browser would, so anything it still rewrites is
 * a link the first pass let through (or made, by joining text). */
#include <stdlib.h>
#include <string.h>

#include "node/filter/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *a, *b;
	size_t na, nb;

	if (html_filter(data, size, &a, &na) != 0)
		return 0;
	if (html_filter(a, na, &b, &nb) == 0) {
		if (nb != na || memcmp(a, b, na) != 0)
			abort();
		free(b);
	}
	free(a);
	(void)html_outside((const char *)data, size);
	return 0;
}
