/* The master key's file and a sealed file, as read from a hostile disk:
 * nothing opens that was not made with the key, and nothing crashes. */
#include <stdlib.h>
#include <string.h>

#include "crypto/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 1 };
	static uint8_t out[1 << 16];
	struct seal_cost c;
	uint8_t master[32];
	size_t len;

	if (seal_keyfile_wrapped(data, size) == 0 && seal_keyfile_open(master, data, size, NULL, 0) == 0 &&
	    size != SEAL_KEYFILE_PLAIN_LEN)
		abort();
	/* a wrapped file is only parsed: Argon2id at a cost the input names
	 * would make the fuzzer slow, not wiser */
	if (seal_keyfile_cost(data, size, &c) == 0 && (c.ops == 0 || c.mem == 0))
		abort(); /* a cost it accepts is one Argon2id takes */
	if (size <= sizeof(out) && seal_open(out, &len, key, "keep", data, size) == 0)
		abort(); /* no forgery without the key */
	return 0;
}
