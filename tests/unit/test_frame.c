#include <string.h>

#include <sodium.h>

#include "crypto/noderef.h"
#include "node/core/ark.h"
#include "node/core/frame.h"
#include "node/core/natmsg.h"
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

static struct noderef_addr
addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct noderef_addr x = { .family = 4, .port = port };

	x.addr[0] = a, x.addr[1] = b, x.addr[2] = c, x.addr[3] = d;
	return x;
}

/* The second handshake payload says where the initiator's link came
 * from; an old responder's (version byte, zeros) says nothing. */
START_TEST(test_hs2_observed_address)
{
	uint8_t p[HS2_PAYLOAD] = { 1 };
	struct noderef_addr a = addr4(203, 0, 113, 11, 4000), back;

	ck_assert_int_eq(hs2_decode(&back, p, sizeof(p)), 0);
	ck_assert_uint_eq(back.family, 0);
	ck_assert_int_eq(hs2_encode(&a, p), 0);
	ck_assert_int_eq(hs2_decode(&back, p, sizeof(p)), 0);
	ck_assert_mem_eq(&back, &a, sizeof(a));
	ck_assert_int_ne(hs2_decode(&back, p, sizeof(p) - 1), 0);
	p[1] = 5; /* no such family */
	ck_assert_int_ne(hs2_decode(&back, p, sizeof(p)), 0);
	p[0] = 2;
	ck_assert_int_ne(hs2_decode(&back, p, sizeof(p)), 0);
}
END_TEST

START_TEST(test_hs1_dialled_address)
{
	struct hs1 h = { 0 }, back;
	uint8_t p[HS1_PAYLOAD];

	randombytes_buf(h.ref.pub, 32);
	h.ref.naddr = 1;
	h.ref.addr[0] = addr4(10, 1, 0, 2, 4000);
	h.seen = addr4(198, 51, 100, 10, 5000);
	ck_assert_int_eq(hs1_encode(&h, p), 0);
	ck_assert_int_eq(hs1_decode(&back, p, sizeof(p)), 0);
	ck_assert_mem_eq(&back.seen, &h.seen, sizeof(h.seen));
	memset(&h.seen, 0, sizeof(h.seen)); /* not said: as an older node sends it */
	ck_assert_int_eq(hs1_encode(&h, p), 0);
	ck_assert_int_eq(hs1_decode(&back, p, sizeof(p)), 0);
	ck_assert_uint_eq(back.seen.family, 0);
}
END_TEST

START_TEST(test_natmsg_roundtrip_and_refusals)
{
	struct nat_msg m = { .kind = NAT_GO, .naddr = 1 }, back;
	uint8_t buf[NAT_MSG_MAX + 8];
	size_t len;
	unsigned k;

	randombytes_buf(m.key, 32);
	m.addr[0] = addr4(203, 0, 113, 12, 40000);
	ck_assert_int_eq(natmsg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 1 + 32 + 19);
	ck_assert_int_eq(natmsg_decode(&back, buf, len), 0);
	ck_assert_mem_eq(&back, &m, sizeof(m));
	for (k = 0; k < len; k++) /* every truncation is refused */
		ck_assert_int_ne(natmsg_decode(&back, buf, k), 0);
	ck_assert_int_ne(natmsg_decode(&back, buf, len + 1), 0); /* trailing byte */
	buf[1 + 32 + 17] = buf[1 + 32 + 18] = 0; /* port 0 */
	ck_assert_int_ne(natmsg_decode(&back, buf, len), 0);
	ck_assert_int_eq(natmsg_encode(&m, buf, sizeof(buf), &len), 0);
	buf[1 + 32 + 1 + 5] = 1; /* an IPv4 address with bytes past its 4 */
	ck_assert_int_ne(natmsg_decode(&back, buf, len), 0);
	buf[0] = 9;
	ck_assert_int_ne(natmsg_decode(&back, buf, len), 0);

	memset(&m, 0, sizeof(m));
	m.kind = NAT_ADDRS;
	ck_assert_int_ne(natmsg_encode(&m, buf, sizeof(buf), &len), 0); /* none */
	for (k = 0; k < NODEREF_ADDRS_MAX; k++)
		m.addr[m.naddr++] = addr4(10, 0, 0, (uint8_t)k, 4000);
	ck_assert_int_eq(natmsg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(natmsg_decode(&back, buf, len), 0);
	ck_assert_uint_eq(back.naddr, NODEREF_ADDRS_MAX);
	buf[1] = NODEREF_ADDRS_MAX + 1;
	ck_assert_int_ne(natmsg_decode(&back, buf, len), 0);
}
END_TEST

/* Relay records: a circuit number, and data of 1 to NAT_DATA_MAX bytes or
 * a count that is not zero. */
START_TEST(test_natmsg_relay)
{
	static uint8_t buf[NAT_DATA_MSG_MAX + 1], bytes[NAT_DATA_MAX + 1];
	struct nat_msg m = { .kind = NAT_DATA, .circuit = 0x01020304, .data = bytes, .dlen = NAT_DATA_MAX }, back;
	size_t len;

	randombytes_buf(bytes, sizeof(bytes));
	ck_assert_int_eq(natmsg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, NAT_DATA_MSG_MAX);
	ck_assert_int_eq(natmsg_decode(&back, buf, len), 0);
	ck_assert_uint_eq(back.circuit, 0x01020304);
	ck_assert_uint_eq(back.dlen, NAT_DATA_MAX);
	ck_assert_mem_eq(back.data, bytes, NAT_DATA_MAX);
	buf[len] = 0;
	ck_assert_int_ne(natmsg_decode(&back, buf, len + 1), 0); /* one byte too many */
	ck_assert_int_ne(natmsg_decode(&back, buf, 5), 0);       /* no data */
	m.dlen = NAT_DATA_MAX + 1;
	ck_assert_int_ne(natmsg_encode(&m, buf, sizeof(buf), &len), 0);

	memset(&m, 0, sizeof(m));
	m.kind = NAT_ACK;
	m.circuit = 7;
	ck_assert_int_ne(natmsg_encode(&m, buf, sizeof(buf), &len), 0); /* count 0 */
	m.count = RELAY_WINDOW;
	ck_assert_int_eq(natmsg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_int_eq(natmsg_decode(&back, buf, len), 0);
	ck_assert_uint_eq(back.count, RELAY_WINDOW);
	memset(buf + 5, 0, 4);
	ck_assert_int_ne(natmsg_decode(&back, buf, len), 0);

	memset(&m, 0, sizeof(m));
	m.kind = NAT_CARRY;
	m.circuit = 9;
	randombytes_buf(m.key, 32);
	ck_assert_int_eq(natmsg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 1 + 32 + 4);
	ck_assert_int_eq(natmsg_decode(&back, buf, len), 0);
	ck_assert_mem_eq(back.key, m.key, 32);
	buf[0] = NAT_CLOSE + 1;
	ck_assert_int_ne(natmsg_decode(&back, buf, len), 0);
}
END_TEST

/* An address record: derived keys are the same every time and differ per
 * identity; a record reads back; one signed by another key does not
 * verify at the friend's key; a replayed edition has another name. */
START_TEST(test_ark_record)
{
	static struct ark_keys k, k2, other;
	uint8_t id[32], id2[32], arec[ARK_REC_MAX], block[SSK_BLOCK_LEN], rkey[32], fkey[32], apl[SSK_PAYLOAD_LEN];
	struct noderef ref = { .naddr = 2 }, back;
	char name[ARK_NAME_MAX];
	uint64_t ed;
	size_t rl, nl, pl;

	randombytes_buf(id, 32);
	randombytes_buf(id2, 32);
	ark_derive(&k, id);
	ark_derive(&k2, id);
	ark_derive(&other, id2);
	ck_assert_mem_eq(&k, &k2, sizeof(k));
	ck_assert_int_ne(memcmp(k.pkh, other.pkh, 32), 0);
	randombytes_buf(ref.pub, 32);
	ref.addr[0] = addr4(198, 51, 100, 40, 4000);
	ref.addr[1] = addr4(10, 7, 0, 2, 4000);
	ck_assert_int_eq(ark_encode(&ref, 2, arec, &rl), 0);
	ck_assert_int_eq(ark_decode(&back, &ed, arec, rl), 0);
	ck_assert_uint_eq(ed, 2);
	ck_assert_mem_eq(&back, &ref, sizeof(ref));
	ck_assert_int_ne(ark_decode(&back, &ed, arec, rl - 1), 0);
	ck_assert_int_ne(ark_encode(&ref, 0, arec, &rl), 0); /* editions start at 1 */
	ck_assert_int_eq(ark_encode(&ref, 2, arec, &rl), 0);

	nl = ark_name(name, 2);
	ck_assert_str_eq(name, "wisp-ark/2");
	ck_assert_int_eq(ssk_encode(block, rkey, k.secret, k.ckey, name, nl, arec, rl), 0);
	ssk_request_key(fkey, k.pkh, k.ckey, name, nl); /* what the friend asks for */
	ck_assert_mem_eq(rkey, fkey, 32);
	ck_assert_int_eq(ssk_verify(block, sizeof(block), fkey), 0);
	ck_assert_int_eq(ssk_decode(apl, &pl, block, sizeof(block), k.ckey, name, nl), 0);
	ck_assert_int_eq(ark_decode(&back, &ed, apl, pl), 0);
	ck_assert_mem_eq(&back, &ref, sizeof(ref));
	/* forged: the same record signed by another namespace */
	ck_assert_int_eq(ssk_encode(block, rkey, other.secret, k.ckey, name, nl, arec, rl), 0);
	ck_assert_int_ne(ssk_verify(block, sizeof(block), fkey), 0);
	/* an old edition lives under another name, so at another key */
	nl = ark_name(name, 1);
	ssk_request_key(rkey, k.pkh, k.ckey, name, nl);
	ck_assert_int_ne(memcmp(rkey, fkey, 32), 0);
}
END_TEST

/* What a node may be told it is at: a public address only. */
START_TEST(test_addr_scope)
{
	struct noderef_addr a;
	static const struct { uint8_t a[4]; enum addr_scope s; } v4[] = {
		{ { 203, 0, 113, 5 }, SCOPE_GLOBAL }, { { 8, 8, 8, 8 }, SCOPE_GLOBAL },
		{ { 127, 0, 0, 1 }, SCOPE_LOOPBACK }, { { 10, 1, 0, 2 }, SCOPE_PRIVATE },
		{ { 172, 31, 1, 1 }, SCOPE_PRIVATE }, { { 172, 32, 1, 1 }, SCOPE_GLOBAL },
		{ { 192, 168, 1, 1 }, SCOPE_PRIVATE }, { { 100, 64, 0, 1 }, SCOPE_PRIVATE },
		{ { 169, 254, 1, 1 }, SCOPE_LINK }, { { 224, 0, 0, 1 }, SCOPE_NONE },
		{ { 255, 255, 255, 255 }, SCOPE_NONE }, { { 0, 0, 0, 0 }, SCOPE_NONE },
	};
	unsigned i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		a = addr4(v4[i].a[0], v4[i].a[1], v4[i].a[2], v4[i].a[3], 4000);
		ck_assert_int_eq(addr_scope(&a), v4[i].s);
	}
	a.port = 0;
	ck_assert_int_eq(addr_scope(&a), SCOPE_NONE);
	memset(&a, 0, sizeof(a));
	a.family = 6;
	a.port = 4000;
	a.addr[15] = 1;
	ck_assert_int_eq(addr_scope(&a), SCOPE_LOOPBACK);
	a.addr[0] = 0x20, a.addr[1] = 0x01, a.addr[2] = 0x0d, a.addr[3] = 0xb8;
	ck_assert_int_eq(addr_scope(&a), SCOPE_GLOBAL);
	a.addr[0] = 0xfd;
	ck_assert_int_eq(addr_scope(&a), SCOPE_PRIVATE);
	a.addr[0] = 0xfe, a.addr[1] = 0x80;
	ck_assert_int_eq(addr_scope(&a), SCOPE_LINK);
	a.addr[0] = 0xff;
	ck_assert_int_eq(addr_scope(&a), SCOPE_NONE);
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
	tcase_add_test(tc, test_hs2_observed_address);
	tcase_add_test(tc, test_hs1_dialled_address);
	tcase_add_test(tc, test_natmsg_roundtrip_and_refusals);
	tcase_add_test(tc, test_addr_scope);
	tcase_add_test(tc, test_natmsg_relay);
	tcase_add_test(tc, test_ark_record);
	suite_add_tcase(s, tc);
	return s;
}
