/* URIs from users and pages: parse, and a parsed URI formats and parses
 * back to itself. */
#include <stdlib.h>
#include <string.h>

#include "crypto/err.h"
#include "crypto/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uri u, v;
	static char out[URI_MAX + 600];
	const char *why;

	if (wisp_crypto_init() != 0)
		abort();
	if (uri_parse(&u, (const char *)data, size, &why) != 0)
		return 0;
	if (uri_format(out, sizeof(out), &u, 0) != 0)
		abort();
	if (uri_parse(&v, out, strlen(out), &why) != 0)
		abort();
	if (memcmp(u.key, v.key, 32) || memcmp(u.ckey, v.ckey, 32) || strcmp(u.name, v.name) ||
	    strcmp(u.path, v.path) || u.edition != v.edition || u.latest != v.latest)
		abort();
	return 0;
}
