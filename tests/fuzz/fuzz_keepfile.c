/* A line of the kept documents' file (node/core/keepfile.h): whatever
 * parses formats back to the same bytes and parses again the same. */
#include <stdlib.h>
#include <string.h>

#include "node/core/keepfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keep_rec r, r2;
	static char line[KEEP_LINE_MAX];
	size_t len;

	if (keepfile_parse(&r, (const char *)data, size) != 0)
		return 0;
	if (keepfile_format(&r, line, sizeof(line), &len) != 0 || len != size + 1 || memcmp(line, data, size) != 0 ||
	    keepfile_parse(&r2, line, len - 1) != 0 || memcmp(&r, &r2, sizeof(r)) != 0)
		abort();
	return 0;
}
