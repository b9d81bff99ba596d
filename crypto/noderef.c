#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/bytes.h"
#include "crypto/noderef.h"

#define FAIL(reason) do { if (why) *why = (reason); return WISP_ERR_MALFORMED; } while (0)
enum { VERSION = 1 };
static const uint8_t PERS[16] = "wisp-noderef-v1";

static void
checksum(uint8_t out[4], const uint8_t *p, size_t len)
{
	uint8_t h[32];

	crypto_generichash_blake2b_salt_personal(h, 32, p, len, NULL, 0, NULL, PERS);
	memcpy(out, h, 4);
}

int
noderef_encode(const struct noderef *r, uint8_t *out, size_t cap, size_t *len)
{
	struct wr w;
	unsigned i;

	if (r->naddr > NODEREF_ADDRS_MAX)
		return WISP_ERR_INVAL;
	wr_init(&w, out, cap);
	wr_u8(&w, VERSION);
	wr_bytes(&w, r->pub, 32);
	wr_u8(&w, (uint8_t)r->naddr);
	for (i = 0; i < r->naddr; i++) {
		const struct noderef_addr *a = &r->addr[i];
		if (a->family != 4 && a->family != 6)
			return WISP_ERR_INVAL;
		wr_u8(&w, a->family);
		wr_bytes(&w, a->addr, a->family == 4 ? 4 : 16);
		wr_u16be(&w, a->port);
	}
	if (w.err || w.left < 4)
		return WISP_ERR_TOOBIG;
	checksum(w.p, out, cap - w.left);
	*len = cap - w.left + 4;
	return 0;
}

int
noderef_decode(struct noderef *r, const uint8_t *p, size_t len)
{
	uint8_t ver, n, sum[4];
	struct rd c;
	unsigned i;

	memset(r, 0, sizeof(*r));
	if (len < 1 + 32 + 1 + 4 || len > NODEREF_BIN_MAX)
		return WISP_ERR_MALFORMED;
	checksum(sum, p, len - 4);
	if (sodium_memcmp(sum, p + len - 4, 4) != 0)
		return WISP_ERR_VERIFY;
	rd_init(&c, p, len - 4);
	if (rd_u8(&c, &ver) || ver != VERSION || rd_bytes(&c, r->pub, 32) || rd_u8(&c, &n) ||
	    n > NODEREF_ADDRS_MAX)
		return WISP_ERR_MALFORMED;
	for (i = 0; i < n; i++) {
		struct noderef_addr *a = &r->addr[i];
		if (rd_u8(&c, &a->family) || (a->family != 4 && a->family != 6) ||
		    rd_bytes(&c, a->addr, a->family == 4 ? 4 : 16) || rd_u16be(&c, &a->port) || a->port == 0)
			return WISP_ERR_MALFORMED;
	}
	r->naddr = n;
	return rd_end(&c);
}

/* b64 with a length only known from the text. */
static int
b64_var(uint8_t *out, size_t cap, const char *in, size_t inlen, size_t *outlen)
{
	size_t n = inlen * 3 / 4;

	if (n > cap || inlen != B64_LEN(n))
		return WISP_ERR_MALFORMED;
	*outlen = n;
	return b64_decode(out, n, in, inlen);
}

int
noderef_format(const struct noderef *r, char *out, size_t cap)
{
	uint8_t bin[NODEREF_BIN_MAX];
	size_t len;
	int rc;

	if ((rc = noderef_encode(r, bin, sizeof(bin), &len)) != 0)
		return rc;
	if (cap < 7)
		return WISP_ERR_TOOBIG;
	memcpy(out, "wisp1:", 6);
	return b64_encode(out + 6, cap - 6, bin, len);
}

static int
trimmed(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r'))
		(*s)++, (*len)--;
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\n' || (*s)[*len - 1] == '\r' ||
	    (*s)[*len - 1] == '\t'))
		(*len)--;
	return 0;
}

int
noderef_parse(struct noderef *r, const char *s, size_t len, const char **why)
{
	uint8_t bin[NODEREF_BIN_MAX];
	size_t n;
	int rc;

	trimmed(&s, &len);
	if (len < 6 || memcmp(s, "wisp1:", 6) != 0)
		FAIL("not a noderef: it should start with wisp1:");
	if (len > NODEREF_TEXT_MAX)
		FAIL("noderef too long");
	if (b64_var(bin, sizeof(bin), s + 6, len - 6, &n) != 0)
		FAIL("noderef is damaged (bad base64): was it copied whole?");
	rc = noderef_decode(r, bin, n);
	if (rc == WISP_ERR_VERIFY)
		FAIL("noderef is damaged (checksum mismatch): was it copied whole?");
	if (rc)
		FAIL("noderef is malformed or of a newer version");
	return 0;
}

int
invite_format(const struct invite *iv, char *out, size_t cap)
{
	uint8_t bin[NODEREF_BIN_MAX + INVITE_SECRET_LEN + 8 + 4];
	size_t len;
	struct wr w;
	int rc;

	if ((rc = noderef_encode(&iv->ref, bin + 1, NODEREF_BIN_MAX, &len)) != 0)
		return rc;
	bin[0] = (uint8_t)len;
	wr_init(&w, bin + 1 + len, sizeof(bin) - 1 - len);
	wr_bytes(&w, iv->secret, INVITE_SECRET_LEN);
	wr_u64be(&w, iv->expiry);
	if (w.err || w.left < 4)
		return WISP_ERR_TOOBIG;
	len = sizeof(bin) - w.left;
	checksum(bin + len, bin, len);
	len += 4;
	if (cap < 8)
		return WISP_ERR_TOOBIG;
	memcpy(out, "wisp1i:", 7);
	rc = b64_encode(out + 7, cap - 7, bin, len);
	sodium_memzero(bin, sizeof(bin));
	return rc;
}

int
invite_parse(struct invite *iv, const char *s, size_t len, const char **why)
{
	uint8_t bin[1 + NODEREF_BIN_MAX + INVITE_SECRET_LEN + 8 + 4], sum[4];
	size_t n, rl;
	struct rd c;

	trimmed(&s, &len);
	memset(iv, 0, sizeof(*iv));
	if (len < 7 || memcmp(s, "wisp1i:", 7) != 0)
		FAIL("not an invite: it should start with wisp1i:");
	if (len > INVITE_TEXT_MAX || b64_var(bin, sizeof(bin), s + 7, len - 7, &n) != 0 || n < 5)
		FAIL("invite is damaged (bad base64): was it copied whole?");
	checksum(sum, bin, n - 4);
	if (sodium_memcmp(sum, bin + n - 4, 4) != 0)
		FAIL("invite is damaged (checksum mismatch): was it copied whole?");
	rl = bin[0];
	if (1 + rl + INVITE_SECRET_LEN + 8 + 4 != n || noderef_decode(&iv->ref, bin + 1, rl) != 0)
		FAIL("invite is malformed or of a newer version");
	rd_init(&c, bin + 1 + rl, INVITE_SECRET_LEN + 8);
	if (rd_bytes(&c, iv->secret, INVITE_SECRET_LEN) || rd_u64be(&c, &iv->expiry))
		FAIL("invite is malformed");
	sodium_memzero(bin, sizeof(bin));
	return 0;
}

int
noderef_addr_format(const struct noderef_addr *a, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, host, sizeof(host)))
		return WISP_ERR_INVAL;
	n = snprintf(out, cap, a->family == 4 ? "%s:%u" : "[%s]:%u", host, a->port);
	return n < 0 || (size_t)n >= cap ? WISP_ERR_TOOBIG : 0;
}

int
noderef_addr_parse(struct noderef_addr *a, const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t hl;
	long port;
	char *end;

	memset(a, 0, sizeof(*a));
	if (!colon || (hl = (size_t)(colon - s)) == 0 || hl >= sizeof(host))
		return WISP_ERR_MALFORMED;
	port = strtol(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || port <= 0 || port > 65535)
		return WISP_ERR_MALFORMED;
	if (s[0] == '[' && s[hl - 1] == ']' && hl > 2) {
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
		a->family = 6;
	} else {
		memcpy(host, s, hl);
		host[hl] = '\0';
		a->family = 4;
	}
	if (inet_pton(a->family == 4 ? AF_INET : AF_INET6, host, a->addr) != 1)
		return WISP_ERR_MALFORMED;
	a->port = (uint16_t)port;
	return 0;
}
