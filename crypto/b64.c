#include <string.h>

#include <sodium.h>

#include "crypto/b64.h"

int
b64_encode(char *out, size_t outlen, const uint8_t *in, size_t len)
{
	const int v = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

	if (outlen < sodium_base64_ENCODED_LEN(len, v))
		return WISP_ERR_TOOBIG;
	sodium_bin2base64(out, outlen, in, len, v);
	return 0;
}

int
b64_decode(uint8_t *out, size_t outlen, const char *in, size_t inlen)
{
	const int v = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	char again[512];
	size_t got = 0;
	const char *end = NULL;

	/* Exact length first: a key is a fixed size and anything else is wrong. */
	if (inlen != B64_LEN(outlen) || inlen >= sizeof(again))
		return WISP_ERR_MALFORMED;
	if (sodium_base642bin(out, outlen, in, inlen, NULL, &got, &end, v) != 0 ||
	    got != outlen || end != in + inlen)
		return WISP_ERR_MALFORMED;
	/* Re-encode to refuse stray low bits: one key, one spelling. */
	sodium_bin2base64(again, sizeof(again), out, outlen, v);
	if (memcmp(again, in, inlen) != 0)
		return WISP_ERR_MALFORMED;
	return 0;
}
