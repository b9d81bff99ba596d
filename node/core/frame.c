#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "node/core/frame.h"

static const size_t buckets[] = { FRAME_BUCKET_S, FRAME_BUCKET_M, FRAME_BUCKET_L };
enum { HS_VERSION = 2, HS_FLAG_INVITE = 1 };

int
frame_wire_len(const uint8_t hdr[2], size_t *total)
{
	size_t n = (size_t)hdr[0] << 8 | hdr[1], i;

	for (i = 0; i < 3; i++)
		if (n == buckets[i] + NOISE_MAC_LEN) {
			*total = 2 + n;
			return 0;
		}
	return WISP_ERR_MALFORMED;
}

size_t
frame_record_len(size_t len)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (len + 3 <= buckets[i])
			return 2 + buckets[i] + NOISE_MAC_LEN;
	return 0;
}

/* The record is built where it will be sent and encrypted in place (the
 * AEAD reads each byte before it writes it): no plaintext copy to wipe. */
int
frame_seal(struct noise_cipher *c, uint8_t type, const uint8_t *p, size_t len, uint8_t *out,
    size_t *outlen)
{
	size_t n = frame_record_len(len), b;
	uint8_t *plain = out + 2;
	int rc;

	if (n == 0)
		return WISP_ERR_TOOBIG;
	b = n - 2 - NOISE_MAC_LEN;
	plain[0] = type;
	plain[1] = (uint8_t)(len >> 8);
	plain[2] = (uint8_t)len;
	if (len && p != plain + 3)
		memmove(plain + 3, p, len);
	memset(plain + 3 + len, 0, b - 3 - len);
	out[0] = (uint8_t)((b + NOISE_MAC_LEN) >> 8);
	out[1] = (uint8_t)(b + NOISE_MAC_LEN);
	if ((rc = noise_encrypt(c, NULL, 0, plain, b, plain)) != 0)
		return rc;
	*outlen = n;
	return 0;
}

int
frame_open(struct noise_cipher *c, const uint8_t *rec, size_t len, uint8_t *plain, uint8_t *type,
    const uint8_t **payload, size_t *plen)
{
	size_t total, b, n, i;
	uint8_t acc = 0;
	int rc;

	if (len < 2 || frame_wire_len(rec, &total) != 0 || total != len)
		return WISP_ERR_MALFORMED;
	b = len - 2 - NOISE_MAC_LEN;
	if ((rc = noise_decrypt(c, NULL, 0, rec + 2, len - 2, plain)) != 0)
		return rc;
	n = (size_t)plain[1] << 8 | plain[2];
	if (n > b - 3)
		return WISP_ERR_MALFORMED;
	for (i = 3 + n; i < b; i++)
		acc |= plain[i];
	/* Padding is zeros and the bucket the smallest that fits: one
	 * encoding per record, nothing hidden in the slack. */
	if (acc || (b > FRAME_BUCKET_S && n + 3 <= (b == FRAME_BUCKET_M ? FRAME_BUCKET_S : FRAME_BUCKET_M)))
		return WISP_ERR_MALFORMED;
	*type = plain[0];
	*payload = plain + 3;
	*plen = n;
	return 0;
}

void
hs1_stamp(uint8_t out[HS1_STAMP_LEN], uint64_t sec, uint32_t nsec)
{
	uint64_t t = sec + ((uint64_t)1 << 62);
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(t >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}

/* An address in a handshake: family (0, 4 or 6), 16 bytes, port. */
static void
wr_seen(struct wr *w, const struct noderef_addr *a)
{
	uint8_t z[16] = { 0 };

	if (a->family == 4 || a->family == 6)
		memcpy(z, a->addr, a->family == 4 ? 4 : 16);
	wr_u8(w, a->family == 4 || a->family == 6 ? a->family : 0);
	wr_bytes(w, z, 16);
	wr_u16be(w, a->family == 4 || a->family == 6 ? a->port : 0);
}

static int
rd_seen(struct rd *r, struct noderef_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (rd_u8(r, &a->family) || rd_bytes(r, a->addr, 16) || rd_u16be(r, &a->port))
		return WISP_ERR_MALFORMED;
	if (a->family != 0 && a->family != 4 && a->family != 6)
		return WISP_ERR_MALFORMED;
	if (a->family == 0 || a->port == 0)
		memset(a, 0, sizeof(*a)); /* not said */
	else if (a->family == 4)
		memset(a->addr + 4, 0, 12);
	return 0;
}

int
hs2_encode(const struct noderef_addr *seen, uint8_t out[HS2_PAYLOAD])
{
	struct wr w;

	wr_init(&w, out, HS2_PAYLOAD);
	wr_u8(&w, 1);
	wr_seen(&w, seen);
	if (w.err)
		return w.err;
	memset(w.p, 0, w.left);
	return 0;
}

int
hs2_decode(struct noderef_addr *seen, const uint8_t *p, size_t len)
{
	struct rd r;
	uint8_t ver;

	memset(seen, 0, sizeof(*seen));
	if (len != HS2_PAYLOAD)
		return WISP_ERR_MALFORMED;
	rd_init(&r, p, len);
	if (rd_u8(&r, &ver) || ver != 1)
		return WISP_ERR_MALFORMED;
	return rd_seen(&r, seen);
}

int
hs1_encode(const struct hs1 *h, uint8_t out[HS1_PAYLOAD])
{
	uint8_t ref[NODEREF_BIN_MAX];
	size_t rl;
	struct wr w;
	int rc;

	if ((rc = noderef_encode(&h->ref, ref, sizeof(ref), &rl)) != 0)
		return rc;
	wr_init(&w, out, HS1_PAYLOAD);
	wr_u8(&w, HS_VERSION);
	wr_u8(&w, h->has_secret ? HS_FLAG_INVITE : 0);
	wr_bytes(&w, h->stamp, HS1_STAMP_LEN);
	if (h->has_secret)
		wr_bytes(&w, h->secret, INVITE_SECRET_LEN);
	else
		wr_zero(&w, INVITE_SECRET_LEN);
	wr_u16be(&w, (uint16_t)rl);
	wr_bytes(&w, ref, rl);
	wr_seen(&w, &h->seen);
	if (w.err)
		return w.err;
	memset(w.p, 0, w.left);
	return 0;
}

int
hs1_decode(struct hs1 *h, const uint8_t *p, size_t len)
{
	uint8_t ver, flags;
	uint16_t rl;
	const uint8_t *ref;
	struct rd c;

	memset(h, 0, sizeof(*h));
	if (len != HS1_PAYLOAD)
		return WISP_ERR_MALFORMED;
	rd_init(&c, p, len);
	if (rd_u8(&c, &ver) || ver != HS_VERSION || rd_u8(&c, &flags) || (flags & ~HS_FLAG_INVITE) ||
	    rd_bytes(&c, h->stamp, HS1_STAMP_LEN) || rd_bytes(&c, h->secret, INVITE_SECRET_LEN) || rd_u16be(&c, &rl) || rd_ref(&c, &ref, rl) ||
	    noderef_decode(&h->ref, ref, rl) != 0 || rd_seen(&c, &h->seen) != 0)
		return WISP_ERR_MALFORMED;
	h->has_secret = flags & HS_FLAG_INVITE;
	return 0;
}
