/* b64.h: base64url without padding (RFC 4648 §5), as every wisp text key uses. */
#ifndef WISP_B64_H
#define WISP_B64_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

/* B64_LEN is the encoded length of |n| bytes, without the NUL. */
#define B64_LEN(n) (((n) * 4 + 2) / 3)

/* b64_encode writes |len| bytes as base64url into |out| (size |outlen|,
 * NUL-terminated). Returns 0 or WISP_ERR_TOOBIG. */
int b64_encode(char *out, size_t outlen, const uint8_t *in, size_t len) WISP_WUR;

/* b64_decode decodes exactly |inlen| characters into exactly |outlen|
 * bytes. Non-canonical encodings (stray bits, padding, other alphabets,
 * any other length) are refused. Returns 0 or WISP_ERR_MALFORMED. */
int b64_decode(uint8_t *out, size_t outlen, const char *in, size_t inlen) WISP_WUR;

#endif
