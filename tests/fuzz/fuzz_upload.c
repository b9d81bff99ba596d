/* POST /api/v1/blocks bodies: records of key, length, block. */
#include <stdlib.h>

#include "crypto/err.h"
#include "node/core/upload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct upload u[64];
	char why[128];
	size_t n, i;

	if (wisp_crypto_init() != 0)
		abort();
	if (upload_parse(data, size, u, 64, &n, why, sizeof(why)) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (u[i].block < data || u[i].block + u[i].len > data + size)
			abort();
	return 0;
}
