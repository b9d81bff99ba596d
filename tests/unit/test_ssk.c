#include <string.h>

#include <sodium.h>

#include "crypto/block.h"
#include "crypto/ssk.h"
#include "tests/unit/suites.h"

static uint8_t secret[SSK_SECRET_LEN], ckey[SSK_KEY_LEN], blk[SSK_BLOCK_LEN], out[SSK_PAYLOAD_LEN];

static void
setup(void)
{
	ssk_keygen(secret, ckey);
}

START_TEST(test_ssk_sign_verify_decode)
{
	static const size_t lens[] = { 0, 1, 500, SSK_DATA_MAX };
	uint8_t data[SSK_DATA_MAX], rkey[32], want[32], pkh[32];
	size_t i, n;

	randombytes_buf(data, sizeof(data));
	ck_assert_int_eq(ssk_secret_check(secret), 0);
	ssk_pubkey_hash(pkh, secret + 32);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(ssk_encode(blk, rkey, secret, ckey, "doc", 3, data, lens[i]), 0);
		ssk_request_key(want, pkh, ckey, "doc", 3);
		ck_assert_mem_eq(rkey, want, 32);
		ck_assert_int_eq(ssk_verify(blk, sizeof(blk), rkey), 0);
		ck_assert_int_eq(block_verify(blk, sizeof(blk), rkey), 0);
		ck_assert_int_eq(ssk_decode(out, &n, blk, sizeof(blk), ckey, "doc", 3), 0);
		ck_assert_uint_eq(n, lens[i]);
		if (n)
			ck_assert_mem_eq(out, data, n);
	}
}
END_TEST

START_TEST(test_ssk_refusals)
{
	uint8_t rkey[32], data[SSK_DATA_MAX + 1] = { 0 };
	size_t n;

	ck_assert_int_eq(ssk_encode(blk, rkey, secret, ckey, "doc", 3, data, sizeof(data)), WISP_ERR_TOOBIG);
	ck_assert_int_eq(ssk_encode(blk, rkey, secret, ckey, "", 0, data, 1), WISP_ERR_INVAL);
	ck_assert_int_eq(ssk_encode(blk, rkey, secret, ckey, "doc", 3, data, 10), 0);
	/* The wrong name or crypto key does not decode. */
	ck_assert_int_eq(ssk_decode(out, &n, blk, sizeof(blk), ckey, "dog", 3), WISP_ERR_VERIFY);
	ckey[0] ^= 1;
	ck_assert_int_eq(ssk_decode(out, &n, blk, sizeof(blk), ckey, "doc", 3), WISP_ERR_VERIFY);
	ckey[0] ^= 1;
	ck_assert_int_eq(ssk_verify(blk, sizeof(blk) - 1, rkey), WISP_ERR_MALFORMED);
	/* A corrupted secret (seed and public half disagree) is detected. */
	secret[40] ^= 1;
	ck_assert_int_eq(ssk_secret_check(secret), WISP_ERR_VERIFY);
	secret[40] ^= 1;
}
END_TEST

START_TEST(test_ssk_forged_signature)
{
	uint8_t rkey[32], rkey2[32], other[SSK_SECRET_LEN], ck2[32], blk2[SSK_BLOCK_LEN];
	uint8_t data[20] = "genuine";
	size_t i;

	ck_assert_int_eq(ssk_encode(blk, rkey, secret, ckey, "doc", 3, data, sizeof(data)), 0);
	/* Tampering with any part of the signed block is caught. */
	for (i = 0; i < SSK_BLOCK_LEN; i += 37) {
		blk[i] ^= 0x20;
		ck_assert_int_ne(ssk_verify(blk, sizeof(blk), rkey), 0);
		blk[i] ^= 0x20;
	}
	/* Another key signing the same name lands elsewhere, and transplanting
	 * its signature or public key onto our slot fails. */
	ssk_keygen(other, ck2);
	ck_assert_int_eq(ssk_encode(blk2, rkey2, other, ckey, "doc", 3, data, sizeof(data)), 0);
	ck_assert_mem_ne(rkey, rkey2, 32);
	ck_assert_int_eq(ssk_verify(blk2, sizeof(blk2), rkey), WISP_ERR_VERIFY);
	memcpy(blk2 + SSK_OFF_PUB, blk + SSK_OFF_PUB, SSK_PUB_LEN);
	ck_assert_int_eq(ssk_verify(blk2, sizeof(blk2), rkey), WISP_ERR_VERIFY);
}
END_TEST

START_TEST(test_ssk_deterministic)
{
	uint8_t rkey[32], rkey2[32], blk2[SSK_BLOCK_LEN], data[3] = "abc";

	ck_assert_int_eq(ssk_encode(blk, rkey, secret, ckey, "n", 1, data, 3), 0);
	ck_assert_int_eq(ssk_encode(blk2, rkey2, secret, ckey, "n", 1, data, 3), 0);
	ck_assert_mem_eq(blk, blk2, SSK_BLOCK_LEN);
	data[0] = 'x';
	ck_assert_int_eq(ssk_encode(blk2, rkey2, secret, ckey, "n", 1, data, 3), 0);
	ck_assert_mem_eq(rkey, rkey2, 32); /* same name, same slot */
	ck_assert_mem_ne(blk + SSK_OFF_NONCE, blk2 + SSK_OFF_NONCE, SSK_NONCE_LEN);
}
END_TEST

Suite *
ssk_suite(void)
{
	Suite *s = suite_create("ssk");
	TCase *tc = tcase_create("ssk");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_ssk_sign_verify_decode);
	tcase_add_test(tc, test_ssk_refusals);
	tcase_add_test(tc, test_ssk_forged_signature);
	tcase_add_test(tc, test_ssk_deterministic);
	suite_add_tcase(s, tc);
	return s;
}
