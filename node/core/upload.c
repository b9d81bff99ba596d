#include <stdio.h>

#include "crypto/block.h"
#include "crypto/bytes.h"
#include "node/core/upload.h"

int
upload_parse(const uint8_t *p, size_t len, struct upload *u, size_t max, size_t *count,
    char *why, size_t whylen)
{
	size_t n = 0;

	while (len) {
		uint32_t blen;
		if (n == max) {
			snprintf(why, whylen, "more than %zu blocks in one request", max);
			return -1;
		}
		if (len < 36) {
			snprintf(why, whylen, "record %zu truncated", n);
			return -1;
		}
		blen = load_u32be(p + 32);
		if (blen == 0 || blen > BLOCK_MAX_LEN || len - 36 < blen) {
			snprintf(why, whylen, "record %zu has a bad length", n);
			return -1;
		}
		u[n].rkey = p;
		u[n].block = p + 36;
		u[n].len = blen;
		if (block_verify(u[n].block, blen, u[n].rkey) != 0) {
			snprintf(why, whylen, "block %zu does not verify against its key", n);
			return -1;
		}
		p += 36 + blen;
		len -= 36 + blen;
		n++;
	}
	*count = n;
	return 0;
}

