/* Sealed records and handshake payloads from peers. The first byte picks
 * what to parse; records are opened with a fixed key, so the fuzzer can
 * only reach what an attacker without the key can. */
#include <stdlib.h>
#include <string.h>

#include "crypto/err.h"
#include "node/core/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t plain[FRAME_BUCKET_L];
	struct noise_cipher c = { .has_key = 1 };
	const uint8_t *p;
	struct hs1 h;
	size_t plen, total;
	uint8_t type;

	if (wisp_crypto_init() != 0)
		abort();
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (hs1_decode(&h, data + 1, size - 1) == 0 && h.ref.naddr > NODEREF_ADDRS_MAX)
			abort();
		return 0;
	}
	if (size >= 3)
		if (frame_wire_len(data + 1, &total) == 0 && total > FRAME_WIRE_MAX)
			abort();
	if (frame_open(&c, data + 1, size - 1, plain, &type, &p, &plen) == 0 && plen > FRAME_PAYLOAD_MAX)
		abort();
	return 0;
}
