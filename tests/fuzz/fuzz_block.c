/* Blocks from peers and disks: verification and decryption never trust
 * the bytes. The first 64 bytes are a routing key and a crypto key. */
#include <stdlib.h>

#include "crypto/block.h"
#include "crypto/chk.h"
#include "crypto/err.h"
#include "crypto/ssk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[CHK_PAYLOAD_LEN];
	size_t n;

	if (wisp_crypto_init() != 0)
		abort();
	if (size < 64)
		return 0;
	if (block_verify(data + 64, size - 64, data) == 0 && size - 64 > BLOCK_MAX_LEN)
		abort();
	if (chk_decode(out, &n, data + 64, size - 64, data + 32) == 0 && n > CHK_DATA_MAX)
		abort();
	if (ssk_decode(out, &n, data + 64, size - 64, data + 32, "doc", 3) == 0 && n > SSK_DATA_MAX)
		abort();
	return 0;
}
