#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/ssk.h"
#include "crypto/uri.h"

#define FAIL(reason) do { *why = (reason); return WISP_ERR_MALFORMED; } while (0)

/* Segments are printable, never "." or "..", and never hide a separator. */
static int
segment_ok(const char *s, size_t len, const char **why)
{
	size_t i;

	if (len == 0)
		FAIL("empty path segment");
	if (len > URI_NAME_MAX)
		FAIL("path segment too long");
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		FAIL("'.' and '..' are not allowed as path segments");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '\\' || c == '?' || c == '#')
			FAIL("control character, space, '\\', '?' or '#' in path");
	}
	return 0;
}

/* next_segment splits off the segment at |*p| up to '/' or |end|. */
static void
next_segment(const char **p, const char *end, const char **seg, size_t *len)
{
	const char *slash = memchr(*p, '/', (size_t)(end - *p));

	*seg = *p;
	*len = (size_t)((slash ? slash : end) - *p);
	*p = slash ? slash + 1 : end;
}

static int
parse_edition(struct uri *u, const char *s, size_t len, const char **why)
{
	int neg = 0;
	uint64_t v = 0;
	size_t i = 0;

	if (len == 6 && memcmp(s, "latest", 6) == 0) {
		u->latest = 1;
		u->edition = 0;
		return 0;
	}
	if (len && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len || len > 19)
		FAIL("edition is not a number");
	if (len - i > 1 && s[i] == '0')
		FAIL("edition has leading zeros");
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			FAIL("edition is not a number");
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > INT64_MAX)
		FAIL("edition out of range");
	u->latest = neg;
	u->edition = (int64_t)v;
	return 0;
}

static int
parse_keys(struct uri *u, const char **p, const char *end, const char **why)
{
	const char *comma, *stop = memchr(*p, '/', (size_t)(end - *p));
	size_t klen;
	uint8_t flags[2];

	if (!stop)
		stop = end;
	comma = memchr(*p, ',', (size_t)(stop - *p));
	if (!comma)
		FAIL("missing ',' between the two keys");
	klen = (size_t)(comma - *p);
	if (u->type != URI_CHK && klen == B64_LEN(SSK_SECRET_LEN)) {
		if (b64_decode(u->secret, SSK_SECRET_LEN, *p, klen) != 0)
			FAIL("bad base64url in the secret key");
		if (ssk_secret_check(u->secret) != 0)
			FAIL("secret key is inconsistent");
		ssk_pubkey_hash(u->key, u->secret + 32);
		u->has_secret = 1;
	} else if (klen != B64_LEN(32)) {
		FAIL("first key has the wrong length");
	} else if (b64_decode(u->key, 32, *p, klen) != 0) {
		FAIL("bad base64url in the first key");
	}
	*p = comma + 1;
	comma = memchr(*p, ',', (size_t)(stop - *p));
	klen = (size_t)((comma ? comma : stop) - *p);
	if (klen != B64_LEN(32))
		FAIL("crypto key has the wrong length");
	if (b64_decode(u->ckey, 32, *p, klen) != 0)
		FAIL("bad base64url in the crypto key");
	u->alg = URI_ALG_V1;
	u->kind = URI_KIND_DOC;
	if (comma) {
		*p = comma + 1;
		if ((size_t)(stop - *p) != B64_LEN(2) || b64_decode(flags, 2, *p, B64_LEN(2)) != 0)
			FAIL("bad flags field");
		if (flags[0] != URI_ALG_V1)
			FAIL("unknown crypto algorithm in flags");
		if (flags[1] > URI_KIND_RAW || (u->type != URI_CHK && flags[1] != URI_KIND_DOC))
			FAIL("unknown kind in flags");
		u->kind = flags[1];
	}
	*p = stop;
	return 0;
}

static int
parse_path(struct uri *u, const char *p, const char *end, const char **why)
{
	const char *seg, *rest;
	size_t len;
	int rc;

	if (p == end) {
		if (u->type != URI_CHK)
			FAIL(u->type == URI_SSK ? "SSK needs a document name" : "USK needs a site and an edition");
		return 0;
	}
	p++; /* the '/' parse_keys stopped at */
	next_segment(&p, end, &seg, &len);
	if ((rc = segment_ok(seg, len, why)) != 0)
		return rc;
	memcpy(u->name, seg, len);
	u->name[len] = '\0';
	if (u->type == URI_USK) {
		if (p == seg + len)
			FAIL("USK needs an edition after the site");
		next_segment(&p, end, &seg, &len);
		if ((rc = parse_edition(u, seg, len, why)) != 0)
			return rc;
		if (p == seg + len)
			return 0;
	} else if (p == seg + len) {
		return 0; /* no '/' after the name */
	}
	/* Every later segment is checked; a trailing '/' makes an empty one. */
	rest = p;
	if ((size_t)(end - rest) > URI_PATH_MAX)
		FAIL("path too long");
	while (1) {
		next_segment(&p, end, &seg, &len);
		if ((rc = segment_ok(seg, len, why)) != 0)
			return rc;
		if (p == seg + len)
			break;
	}
	memcpy(u->path, rest, (size_t)(end - rest));
	u->path[end - rest] = '\0';
	return 0;
}

int
uri_parse(struct uri *u, const char *s, size_t len, const char **why)
{
	const char *p = s, *end = s + len;
	static const char *dummy;

	if (!why)
		why = &dummy;
	memset(u, 0, sizeof(*u));
	if (len > URI_MAX)
		FAIL("URI too long");
	if (memchr(s, '\0', len))
		FAIL("NUL byte in URI");
	if (len >= 5 && memcmp(p, "wisp:", 5) == 0)
		p += 5;
	if (end - p < 4)
		FAIL("not a wisp URI: expected CHK@, SSK@ or USK@");
	if (memcmp(p, "CHK@", 4) == 0)
		u->type = URI_CHK;
	else if (memcmp(p, "SSK@", 4) == 0)
		u->type = URI_SSK;
	else if (memcmp(p, "USK@", 4) == 0)
		u->type = URI_USK;
	else
		FAIL("not a wisp URI: expected CHK@, SSK@ or USK@");
	p += 4;
	if (parse_keys(u, &p, end, why) != 0 || parse_path(u, p, end, why) != 0) {
		sodium_memzero(u->secret, sizeof(u->secret));
		return WISP_ERR_MALFORMED;
	}
	return 0;
}

int
uri_format(char *out, size_t outlen, const struct uri *u, int public_only)
{
	static const char *prefix[] = { "", "CHK@", "SSK@", "USK@" };
	char k1[B64_LEN(64) + 1], k2[B64_LEN(32) + 1], fl[B64_LEN(2) + 2] = "";
	uint8_t flags[2] = { u->alg, u->kind };
	int n, rc = 0;

	if (u->type < URI_CHK || u->type > URI_USK)
		return WISP_ERR_INVAL;
	if (u->has_secret && !public_only)
		rc |= b64_encode(k1, sizeof(k1), u->secret, 64);
	else
		rc |= b64_encode(k1, sizeof(k1), u->key, 32);
	rc |= b64_encode(k2, sizeof(k2), u->ckey, 32);
	if (u->alg != URI_ALG_V1 || u->kind != URI_KIND_DOC) {
		fl[0] = ',';
		rc |= b64_encode(fl + 1, sizeof(fl) - 1, flags, 2);
	}
	if (rc)
		return WISP_ERR_TOOBIG;
	if (u->type == URI_USK) {
		char ed[24];
		if (u->latest && u->edition == 0)
			snprintf(ed, sizeof(ed), "latest");
		else
			snprintf(ed, sizeof(ed), "%s%" PRId64, u->latest ? "-" : "", u->edition);
		n = snprintf(out, outlen, "USK@%s,%s%s/%s/%s%s%s", k1, k2, fl, u->name, ed,
		    u->path[0] ? "/" : "", u->path);
	} else {
		n = snprintf(out, outlen, "%s%s,%s%s%s%s%s%s", prefix[u->type], k1, k2, fl,
		    u->name[0] ? "/" : "", u->name, u->path[0] ? "/" : "", u->path);
	}
	sodium_memzero(k1, sizeof(k1));
	return n < 0 || (size_t)n >= outlen ? WISP_ERR_TOOBIG : 0;
}

int
uri_ssk_docname(char *out, size_t outlen, const struct uri *u, int64_t edition)
{
	int n;

	if (u->type == URI_USK)
		n = snprintf(out, outlen, "%s-%" PRId64, u->name, edition);
	else
		n = snprintf(out, outlen, "%s", u->name);
	return n < 0 || (size_t)n >= outlen ? WISP_ERR_TOOBIG : 0;
}

int
uri_name_encode(const char *name, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~!$&'()*+,;=:@", c) != NULL;
		size_t need = plain ? 1 : 3;
		if (o + need > URI_NAME_MAX || (out && o + need >= cap))
			return -1;
		if (out && plain) {
			out[o] = (char)c;
		} else if (out) {
			out[o] = '%';
			out[o + 1] = hex[c >> 4];
			out[o + 2] = hex[c & 15];
		}
		o += need;
	}
	if (out)
		out[o] = 0;
	return 0;
}

