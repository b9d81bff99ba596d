/* err.h: the one project-wide error enum and its strings. */
#ifndef WISP_ERR_H
#define WISP_ERR_H

#if defined(__GNUC__) || defined(__clang__)
#define WISP_WUR __attribute__((warn_unused_result))
#else
#define WISP_WUR
#endif

enum wisp_err {
	WISP_OK = 0,
	WISP_ERR_NOMEM = -1,     /* allocation failed */
	WISP_ERR_TRUNCATED = -2, /* input ends early: wait for more, or reject */
	WISP_ERR_MALFORMED = -3, /* input is not of the format */
	WISP_ERR_VERIFY = -4,    /* a hash, MAC or signature does not match */
	WISP_ERR_NOTFOUND = -5,  /* no such key */
	WISP_ERR_FULL = -6,      /* capacity or queue exhausted */
	WISP_ERR_IO = -7,        /* the disk or the OS failed */
	WISP_ERR_OVERLOAD = -8,  /* refused to protect the node */
	WISP_ERR_TOOBIG = -9,    /* input larger than the format allows */
	WISP_ERR_VERSION = -10,  /* a format version we do not know */
	WISP_ERR_INVAL = -11,    /* a caller passed a bad argument */
	WISP_ERR_CRYPTO = -12,   /* libsodium could not be initialised */
};

/* wisp_strerror returns a static, human-readable string for |err|. */
const char *wisp_strerror(int err);

/* wisp_crypto_init initialises libsodium once. Returns 0 or WISP_ERR_CRYPTO. */
int wisp_crypto_init(void) WISP_WUR;

#endif
