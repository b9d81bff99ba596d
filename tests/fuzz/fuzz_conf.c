/* wispd.conf, line by line, and every setting it accepts writes back. */
#include <stdlib.h>
#include <string.h>

#include "node/core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_conf c;
	char line[CONF_LINE_MAX + 8], why[160], out[2048];
	size_t i = 0;

	conf_defaults(&c);
	while (i < size) {
		size_t n = 0;
		while (i < size && data[i] != '\n' && n < sizeof(line) - 1)
			line[n++] = (char)(data[i] ? data[i] : ' '), i++;
		line[n] = '\0';
		i++;
		if (conf_line(&c, line, why, sizeof(why)) != 0)
			continue; /* refused lines change nothing */
	}
	if (conf_write(&c, out, sizeof(out)) != 0)
		abort();
	return 0;
}
