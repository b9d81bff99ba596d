#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/block.h"
#include "crypto/chk.h"
#include "crypto/uri.h"
#include "tests/unit/suites.h"
#include "tests/unit/vectors/chk_pins.h"

static uint8_t block[CHK_BLOCK_LEN], out[CHK_PAYLOAD_LEN];

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static const size_t sizes[] = { 0, 1, 32767, 32768 };

START_TEST(test_chk_roundtrip)
{
	size_t n = sizes[_i], got = 99;
	uint8_t *data = malloc(n ? n : 1);
	struct chk_keys k;

	fill(data, n, (uint32_t)n);
	ck_assert_int_eq(chk_encode(block, &k, data, n), 0);
	ck_assert_int_eq(chk_verify(block, sizeof(block), k.routing), 0);
	ck_assert_int_eq(block_verify(block, sizeof(block), k.routing), 0);
	ck_assert_int_eq(chk_decode(out, &got, block, sizeof(block), k.crypto), 0);
	ck_assert_uint_eq(got, n);
	if (n)
		ck_assert_mem_eq(out, data, n);
	free(data);
}
END_TEST

START_TEST(test_chk_too_big)
{
	static uint8_t data[CHK_DATA_MAX + 1];
	struct chk_keys k;

	ck_assert_int_eq(chk_encode(block, &k, data, sizeof(data)), WISP_ERR_TOOBIG);
}
END_TEST

START_TEST(test_chk_convergent_and_same_size)
{
	uint8_t a[100], b2[CHK_BLOCK_LEN];
	struct chk_keys k1, k2, k3;

	fill(a, sizeof(a), 7);
	ck_assert_int_eq(chk_encode(block, &k1, a, sizeof(a)), 0);
	ck_assert_int_eq(chk_encode(b2, &k2, a, sizeof(a)), 0);
	ck_assert_mem_eq(block, b2, CHK_BLOCK_LEN);
	ck_assert_mem_eq(&k1, &k2, sizeof(k1));
	/* A different length of the same prefix is a different block. */
	ck_assert_int_eq(chk_encode(b2, &k3, a, sizeof(a) - 1), 0);
	ck_assert_mem_ne(k1.routing, k3.routing, 32);
	ck_assert_mem_ne(k1.crypto, k3.crypto, 32);
}
END_TEST

START_TEST(test_chk_bitflip_fails_verify)
{
	uint8_t data[5000];
	struct chk_keys k;
	uint32_t s = 12345;
	int i;

	fill(data, sizeof(data), 3);
	ck_assert_int_eq(chk_encode(block, &k, data, sizeof(data)), 0);
	for (i = 0; i < 64; i++) {
		size_t at;
		s = s * 1664525u + 1013904223u;
		at = i == 0 ? 0 : i == 1 ? CHK_BLOCK_LEN - 1 : s % CHK_BLOCK_LEN;
		block[at] ^= (uint8_t)(1u << (i % 8));
		ck_assert_int_ne(chk_verify(block, sizeof(block), k.routing), 0);
		ck_assert_int_ne(chk_decode(out, &(size_t){ 0 }, block, sizeof(block), k.crypto), 0);
		block[at] ^= (uint8_t)(1u << (i % 8));
	}
	ck_assert_int_eq(chk_verify(block, sizeof(block), k.routing), 0);
}
END_TEST

START_TEST(test_chk_wrong_key_and_length)
{
	uint8_t data[10] = "0123456789", bad[32];
	struct chk_keys k;
	size_t n;

	ck_assert_int_eq(chk_encode(block, &k, data, sizeof(data)), 0);
	memcpy(bad, k.crypto, 32);
	bad[31] ^= 1;
	ck_assert_int_eq(chk_decode(out, &n, block, sizeof(block), bad), WISP_ERR_VERIFY);
	ck_assert_int_eq(chk_decode(out, &n, block, sizeof(block) - 1, k.crypto), WISP_ERR_MALFORMED);
	ck_assert_int_eq(chk_verify(block, sizeof(block) - 1, k.routing), WISP_ERR_MALFORMED);
	ck_assert_int_eq(chk_verify(block, sizeof(block), k.crypto), WISP_ERR_VERIFY);
	block[2] = BLOCK_TYPE_SSK;
	ck_assert_int_eq(chk_verify(block, sizeof(block), k.routing), WISP_ERR_MALFORMED);
}
END_TEST

/* A fixed plaintext gives a fixed URI: the format can never drift silently. */
START_TEST(test_chk_pinned_vectors)
{
	static const struct { const char *text; const char *uri; } v[] = {
		{ "", PIN_EMPTY },
		{ "wisp", PIN_WISP },
		{ "The quick brown fox jumps over the lazy dog", PIN_FOX },
	};
	struct uri u;
	struct chk_keys k;
	char s[URI_MAX];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(chk_encode(block, &k, (const uint8_t *)v[i].text, strlen(v[i].text)), 0);
		memset(&u, 0, sizeof(u));
		u.type = URI_CHK;
		u.alg = URI_ALG_V1;
		u.kind = URI_KIND_RAW;
		memcpy(u.key, k.routing, 32);
		memcpy(u.ckey, k.crypto, 32);
		ck_assert_int_eq(uri_format(s, sizeof(s), &u, 0), 0);
		ck_assert_str_eq(s, v[i].uri);
	}
}
END_TEST

Suite *
chk_suite(void)
{
	Suite *s = suite_create("chk");
	TCase *tc = tcase_create("chk");

	tcase_add_loop_test(tc, test_chk_roundtrip, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, test_chk_too_big);
	tcase_add_test(tc, test_chk_convergent_and_same_size);
	tcase_add_test(tc, test_chk_bitflip_fails_verify);
	tcase_add_test(tc, test_chk_wrong_key_and_length);
	tcase_add_test(tc, test_chk_pinned_vectors);
	suite_add_tcase(s, tc);
	return s;
}
