/* CHK encode / verify / decode throughput against libsodium's raw AEAD
 * and BLAKE2b over the same bytes, in the same run. */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "crypto/chk.h"
#include "tests/bench/bench.h"

enum { ROUNDS = 2000 };

int
bench_crypto(void)
{
	static uint8_t data[CHK_DATA_MAX], block[CHK_BLOCK_LEN], out[CHK_PAYLOAD_LEN];
	static uint8_t raw[CHK_DATA_MAX + 16];
	uint8_t key[32] = { 1 }, nonce[24] = { 0 }, h[32];
	unsigned long long clen;
	struct chk_keys k;
	double t0, enc, raw_s;
	size_t len;
	int i;

	randombytes_buf(data, sizeof(data));
	t0 = bench_now();
	for (i = 0; i < ROUNDS; i++) {
		data[0] = (uint8_t)i;
		if (chk_encode(block, &k, data, sizeof(data)) || chk_verify(block, sizeof(block), k.routing) ||
		    chk_decode(out, &len, block, sizeof(block), k.crypto))
			return 1;
	}
	enc = bench_now() - t0;
	/* The floor: the hashes and AEAD passes CHK needs, without our code. */
	t0 = bench_now();
	for (i = 0; i < ROUNDS; i++) {
		data[0] = (uint8_t)i;
		crypto_generichash(key, 32, data, sizeof(data), NULL, 0);
		crypto_aead_xchacha20poly1305_ietf_encrypt(raw, &clen, data, sizeof(data), NULL, 0, NULL, nonce, key);
		crypto_generichash(h, 32, raw, sizeof(raw), NULL, 0);
		crypto_generichash(h, 32, raw, sizeof(raw), NULL, 0);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &clen, NULL, raw, sizeof(raw), NULL, 0, nonce, key))
			return 1;
		crypto_generichash(h, 32, out, sizeof(data), NULL, 0);
	}
	raw_s = bench_now() - t0;
	printf("bench chk_roundtrip: %.1f MiB/s (raw libsodium %.1f MiB/s, ratio %.2f)\n",
	    ROUNDS * 32768.0 / enc / 1048576, ROUNDS * 32768.0 / raw_s / 1048576, raw_s / enc);
	return 0;
}
