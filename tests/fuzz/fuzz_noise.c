/* Handshake messages from strangers: message 1 at a responder, message 2
 * at an initiator, with fixed keys. */
#include <stdlib.h>
#include <string.h>

#include "crypto/err.h"
#include "crypto/noise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t s[32] = { 1, 2, 3 }, rs[32] = { 9 }, e[32] = { 7 };
	uint8_t payload[1024], m1[256];
	struct noise_hs hs;
	size_t plen, n;

	if (wisp_crypto_init() != 0)
		abort();
	noise_ik_init(&hs, 0, (const uint8_t *)"p", 1, s, NULL);
	if (noise_ik_read_msg1(&hs, data, size, payload, sizeof(payload), &plen) == 0 && plen > sizeof(payload))
		abort();
	noise_ik_init(&hs, 1, (const uint8_t *)"p", 1, s, rs);
	if (noise_ik_write_msg1(&hs, e, NULL, 0, m1, sizeof(m1), &n) != 0)
		abort();
	if (noise_ik_read_msg2(&hs, data, size, payload, sizeof(payload), &plen) == 0 && plen > sizeof(payload))
		abort();
	return 0;
}
