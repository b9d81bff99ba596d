#include <string.h>

#include <sodium.h>

#include "crypto/noderef.h"
#include "node/core/frame.h"
#include "tests/unit/suites.h"

static struct noise_cipher tx, rx;
static uint8_t rec[FRAME_WIRE_MAX], plain[FRAME_BUCKET_L], data[FRAME_PAYLOAD_MAX + 1];

static void
setup(void)
{
	memset(&tx, 0, sizeof(tx));
	randombytes_buf(tx.k, sizeof(tx.k));
	tx.has_key = 1;
	rx = tx;
	randombytes_buf(data, sizeof(data));
}

static const struct { size_t len, wire; } sizes[] = {
	{ 0, 2 + 256 + 16 }, { 253, 2 + 256 + 16 }, { 254, 2 + 2048 + 16 }, { 2045, 2 + 2048 + 16 },
	{ 2046, 2 + 33280 + 16 }, { 32792 + 64, 2 + 33280 + 16 }, { FRAME_PAYLOAD_MAX, 2 + 33280 + 16 },
};

START_TEST(test_frame_buckets)
{
	const uint8_t *p;
	size_t n, plen, total;
	uint8_t type;

	ck_assert_int_eq(frame_seal(&tx, FRAME_ROUTE, data, sizes[_i].len, rec, &n), 0);
	ck_assert_uint_eq(n, sizes[_i].wire);
	ck_assert_int_eq(frame_wire_len(rec, &total), 0);
	ck_assert_uint_eq(total, n);
	ck_assert_int_eq(frame_open(&rx, rec, n, plain, &type, &p, &plen), 0);
	ck_assert_uint_eq(type, FRAME_ROUTE);
	ck_assert_uint_eq(plen, sizes[_i].len);
	if (plen)
		ck_assert_mem_eq(p, data, plen);
}
END_TEST

START_TEST(test_frame_refusals)
{
	const uint8_t *p;
	size_t n, plen, total;
	uint8_t type, hdr[2] = { 0x01, 0x00 };
	struct noise_cipher saved;

	ck_assert_int_eq(frame_seal(&tx, FRAME_ROUTE, data, FRAME_PAYLOAD_MAX + 1, rec, &n), WISP_ERR_TOOBIG);
	ck_assert_int_eq(frame_wire_len(hdr, &total), WISP_ERR_MALFORMED);
	ck_assert_int_eq(frame_seal(&tx, FRAME_KEEPALIVE, NULL, 0, rec, &n), 0);
	saved = rx;
	/* Truncated, forged, replayed. */
	ck_assert_int_eq(frame_open(&rx, rec, n - 1, plain, &type, &p, &plen), WISP_ERR_MALFORMED);
	rec[40] ^= 1;
	ck_assert_int_eq(frame_open(&rx, rec, n, plain, &type, &p, &plen), WISP_ERR_VERIFY);
	rec[40] ^= 1;
	ck_assert_int_eq(frame_open(&rx, rec, n, plain, &type, &p, &plen), 0);
	ck_assert_int_eq(frame_open(&rx, rec, n, plain, &type, &p, &plen), WISP_ERR_VERIFY);
	/* Reordered: the second record first. */
	rx = saved;
	tx = saved;
	ck_assert_int_eq(frame_seal(&tx, FRAME_KEEPALIVE, NULL, 0, rec, &n), 0);
	ck_assert_int_eq(frame_seal(&tx, FRAME_KEEPALIVE, NULL, 0, rec, &n), 0);
	ck_assert_int_eq(frame_open(&rx, rec, n, plain, &type, &p, &plen), WISP_ERR_VERIFY);
}
END_TEST

START_TEST(test_frame_noncanonical_padding)
{
	uint8_t pt[FRAME_BUCKET_M] = { FRAME_ROUTE, 0, 5 };
	const uint8_t *p;
	size_t plen;
	uint8_t type;
	struct noise_cipher t2 = tx;

	/* A 5-byte payload in the middle bucket: valid AEAD, refused layout. */
	rec[0] = (uint8_t)((FRAME_BUCKET_M + 16) >> 8);
	rec[1] = (uint8_t)(FRAME_BUCKET_M + 16);
	ck_assert_int_eq(noise_encrypt(&t2, NULL, 0, pt, sizeof(pt), rec + 2), 0);
	ck_assert_int_eq(frame_open(&rx, rec, 2 + FRAME_BUCKET_M + 16, plain, &type, &p, &plen), WISP_ERR_MALFORMED);
}
END_TEST

START_TEST(test_noderef_roundtrip_and_damage)
{
	struct noderef r = { .naddr = 2 }, back;
	struct invite iv, iv2;
	char text[INVITE_TEXT_MAX], addr[64];
	const char *why;
	uint8_t payload[HS1_PAYLOAD];
	struct hs1 h = { 0 }, h2;
	size_t i;

	randombytes_buf(r.pub, 32);
	ck_assert_int_eq(noderef_addr_parse(&r.addr[0], "127.0.0.1:4000"), 0);
	ck_assert_int_eq(noderef_addr_parse(&r.addr[1], "[::1]:65535"), 0);
	ck_assert_int_eq(noderef_addr_format(&r.addr[1], addr, sizeof(addr)), 0);
	ck_assert_str_eq(addr, "[::1]:65535");
	ck_assert_int_eq(noderef_format(&r, text, sizeof(text)), 0);
	ck_assert_int_eq(noderef_parse(&back, text, strlen(text), &why), 0);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	/* Every single-character change is caught. */
	for (i = 6; i < strlen(text); i++) {
		char c = text[i];
		text[i] = c == 'A' ? 'B' : 'A';
		ck_assert_int_ne(noderef_parse(&back, text, strlen(text), &why), 0);
		text[i] = c;
	}
	ck_assert_int_ne(noderef_parse(&back, text, strlen(text) - 1, &why), 0);
	ck_assert_int_ne(noderef_addr_parse(&r.addr[0], "127.0.0.1:0"), 0);
	ck_assert_int_ne(noderef_addr_parse(&r.addr[0], "localhost:80"), 0);
	ck_assert_int_ne(noderef_addr_parse(&r.addr[0], "1.2.3.4"), 0);
	iv.ref = back;
	randombytes_buf(iv.secret, sizeof(iv.secret));
	iv.expiry = 1234567890;
	ck_assert_int_eq(invite_format(&iv, text, sizeof(text)), 0);
	ck_assert_int_eq(invite_parse(&iv2, text, strlen(text), &why), 0);
	ck_assert_mem_eq(iv2.secret, iv.secret, sizeof(iv.secret));
	ck_assert_uint_eq(iv2.expiry, iv.expiry);
	ck_assert_int_ne(noderef_parse(&back, text, strlen(text), &why), 0);
	text[20] ^= 1;
	ck_assert_int_ne(invite_parse(&iv2, text, strlen(text), &why), 0);
	/* The handshake payload carries both. */
	h.ref = back;
	h.has_secret = 1;
	memcpy(h.secret, iv.secret, sizeof(h.secret));
	hs1_stamp(h.stamp, 1796160000, 123456789);
	ck_assert_int_eq(hs1_encode(&h, payload), 0);
	ck_assert_int_eq(hs1_decode(&h2, payload, sizeof(payload)), 0);
	ck_assert_int_eq(h2.has_secret, 1);
	ck_assert_mem_eq(h2.stamp, h.stamp, HS1_STAMP_LEN);
	{
		/* stamps order as their bytes: a later time, a later stamp */
		uint8_t a[HS1_STAMP_LEN], b[HS1_STAMP_LEN];
		hs1_stamp(a, 1796160000, 999999999);
		hs1_stamp(b, 1796160001, 0);
		ck_assert_int_lt(memcmp(h.stamp, a, HS1_STAMP_LEN), 0);
		ck_assert_int_lt(memcmp(a, b, HS1_STAMP_LEN), 0);
		ck_assert_uint_eq(a[0], 0x40); /* TAI64: 2^62 + seconds */
	}
	ck_assert_mem_eq(&h2.ref, &back, sizeof(back));
	ck_assert_int_ne(hs1_decode(&h2, payload, sizeof(payload) - 1), 0);
	payload[0] = 9;
	ck_assert_int_ne(hs1_decode(&h2, payload, sizeof(payload)), 0);
}
END_TEST

Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("frame");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_frame_buckets, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, test_frame_refusals);
	tcase_add_test(tc, test_frame_noncanonical_padding);
	tcase_add_test(tc, test_noderef_roundtrip_and_damage);
	suite_add_tcase(s, tc);
	return s;
}
