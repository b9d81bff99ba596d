/* Site manifests come from whoever published the site. */
#include <stdlib.h>
#include <string.h>

#include "crypto/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_entry e;

	if (manifest_find(data, size, "", &e) == 0 && !manifest_path_ok(e.path, strlen(e.path)))
		abort();
	if (manifest_find(data, size, "a/b.html", &e) == 0 && strcmp(e.path, "a/b.html") != 0)
		abort();
	return 0;
}
