/* Noderefs and invites pasted by people (or by an attacker into a chat). */
#include <stdlib.h>
#include <string.h>

#include "crypto/err.h"
#include "crypto/noderef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char again[INVITE_TEXT_MAX];
	struct noderef r, r2;
	struct invite iv;
	const char *why;

	if (wisp_crypto_init() != 0)
		abort();
	if (noderef_parse(&r, (const char *)data, size, &why) == 0) {
		if (noderef_format(&r, again, sizeof(again)) != 0 ||
		    noderef_parse(&r2, again, strlen(again), &why) != 0 || memcmp(&r, &r2, sizeof(r)) != 0)
			abort();
	}
	if (invite_parse(&iv, (const char *)data, size, &why) == 0 && invite_format(&iv, again, sizeof(again)) != 0)
		abort();
	return 0;
}
