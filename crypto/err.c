#include <sodium.h>

#include "crypto/err.h"

const char *
wisp_strerror(int err)
{
	switch (err) {
	case WISP_OK: return "success";
	case WISP_ERR_NOMEM: return "out of memory";
	case WISP_ERR_TRUNCATED: return "truncated input";
	case WISP_ERR_MALFORMED: return "malformed input";
	case WISP_ERR_VERIFY: return "verification failed";
	case WISP_ERR_NOTFOUND: return "not found";
	case WISP_ERR_FULL: return "full";
	case WISP_ERR_IO: return "I/O error";
	case WISP_ERR_OVERLOAD: return "overloaded";
	case WISP_ERR_TOOBIG: return "too big";
	case WISP_ERR_VERSION: return "unknown format version";
	case WISP_ERR_INVAL: return "invalid argument";
	case WISP_ERR_CRYPTO: return "libsodium failed to initialise";
	}
	return "unknown error";
}

int
wisp_crypto_init(void)
{
	/* sodium_init is idempotent and thread-safe: 1 means already done. */
	return sodium_init() < 0 ? WISP_ERR_CRYPTO : WISP_OK;
}
