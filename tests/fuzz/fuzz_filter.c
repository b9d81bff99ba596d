/* Pages come from whoever published them; the gateway filters each one
 * before a browser sees it. The filter must be a fixed point: filtering its
 * output again changes nothing, since the browser parses the output as the
 * second pass does. The first byte picks HTML or CSS. */
#include <stdlib.h>
#include <string.h>

#include "node/filter/css.h"
#include "node/filter/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 'C') {
		char *a, *b;
		size_t na, nb;
		if (css_filter((const char *)data + 1, size - 1, size > 1 && data[1] == 'd', &a, &na) != 0)
			return 0;
		if (memchr(a, '<', na))
			abort(); /* must be able to stand inside <style> */
		if (css_filter(a, na, size > 1 && data[1] == 'd', &b, &nb) == 0) {
			if (nb != na || memcmp(a, b, na) != 0)
				abort();
			free(b);
		}
		free(a);
		return 0;
	}
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
	}
	return 0;
}
