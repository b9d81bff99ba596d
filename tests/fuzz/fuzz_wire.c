/* Routing messages from peers: decode, and what decodes encodes back to
 * the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "node/core/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[WIRE_MSG_MAX];
	struct wire_msg m;
	size_t n;

	if (wire_decode(&m, data, size) != 0)
		return 0;
	if (wire_encode(&m, out, sizeof(out), &n) != 0 || n != size || memcmp(out, data, n) != 0)
		abort();
	return 0;
}
