/* uri.h: parse and format wisp URIs.
 *
 *   CHK@<routing key>,<crypto key>[,<flags>][/<name>[/<path>]]
 *   SSK@<pubkey hash | secret>,<crypto key>[,<flags>]/<docname>[/<path>]
 *   USK@<pubkey hash | secret>,<crypto key>[,<flags>]/<site>/<edition>[/<path>]
 *
 * Keys are base64url without padding. An SSK or USK whose first key is the
 * 64-byte secret is an insert URI; with the 32-byte public-key hash it is a
 * request URI. docs/keys.md describes every field. */
#ifndef WISP_URI_H
#define WISP_URI_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum uri_type { URI_CHK = 1, URI_SSK = 2, URI_USK = 3 };

enum uri_limits {
	URI_MAX = 4096,      /* longest URI accepted, in characters */
	URI_NAME_MAX = 255,  /* one path segment */
	URI_PATH_MAX = 2048, /* everything after the name (and edition) */
};

/* Flags byte 1: what the CHK names. */
enum uri_kind { URI_KIND_DOC = 0, URI_KIND_RAW = 1 };
#define URI_ALG_V1 1

struct uri {
	enum uri_type type;
	uint8_t key[32];    /* CHK: routing key; SSK/USK: public-key hash */
	uint8_t ckey[32];   /* crypto key */
	uint8_t secret[64]; /* SSK/USK insert URIs only */
	int has_secret;
	uint8_t alg, kind;  /* from flags; URI_ALG_V1, URI_KIND_DOC by default */
	char name[URI_NAME_MAX + 1]; /* CHK file name, SSK docname, USK site; may be "" for CHK */
	int64_t edition;    /* USK; with |latest|, the hint to search from */
	int latest;         /* USK edition was negative or "latest" */
	char path[URI_PATH_MAX + 1]; /* the rest, without the leading '/' */
};

/* uri_parse reads |len| characters of |s| (an optional "wisp:" prefix is
 * allowed). On failure |*why| points to a static reason. Returns 0 or
 * WISP_ERR_MALFORMED. */
int uri_parse(struct uri *u, const char *s, size_t len, const char **why) WISP_WUR;

/* uri_format writes |u| as text; with |public_only| an insert URI is
 * written as its request URI. Returns 0 or WISP_ERR_TOOBIG. */
int uri_format(char *out, size_t outlen, const struct uri *u, int public_only) WISP_WUR;

/* uri_ssk_docname gives the SSK document name a URI maps to: the docname
 * of an SSK, "<site>-<edition>" for a USK edition. */
int uri_ssk_docname(char *out, size_t outlen, const struct uri *u, int64_t edition) WISP_WUR;

/* uri_name_encode writes a file name as a URI's path segment: bytes other
 * than RFC 3986's unreserved and sub-delims, ':' and '@' become %XX (each
 * byte of UTF-8 too), so "my file ü.txt" is "my%20file%20%C3%BC.txt"
 * (docs/keys.md). With |out| NULL it only checks that the result fits a
 * segment (URI_NAME_MAX). Returns 0 or -1. */
int uri_name_encode(const char *name, char *out, size_t cap);

#endif
