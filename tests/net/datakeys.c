/* datakeys: the routing key, in hex, of each data block wisp put makes
 * of FILE (its 32 KiB pieces: convergent, so the same as in the network),
 * for tests that need to tell a file's data blocks from its check and
 * index blocks.
 *   datakeys FILE */
#include <stdio.h>

#include <sodium.h>

#include "crypto/chk.h"

int
main(int argc, char **argv)
{
	static uint8_t buf[CHK_DATA_MAX], block[CHK_BLOCK_LEN];
	char hex[2 * CHK_KEY_LEN + 1];
	struct chk_keys k;
	size_t n;
	FILE *f;

	if (argc != 2 || sodium_init() < 0 || !(f = fopen(argv[1], "rb")))
		return fprintf(stderr, "usage: datakeys FILE\n"), 2;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (chk_encode(block, &k, buf, n) != 0)
			return 1;
		printf("%s\n", sodium_bin2hex(hex, sizeof(hex), k.routing, CHK_KEY_LEN));
	}
	fclose(f);
	return 0;
}
