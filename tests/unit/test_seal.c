/* The master key's file and sealed files (crypto/seal.h): what a hostile
 * hand or a rotting disk does to them is refused, never read as a key;
 * and the reader of such small files (crypto/datadir.h). */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/datadir.h"
#include "crypto/seal.h"
#include "tests/unit/suites.h"

/* The least Argon2id allows: the format is what is tested here, not the cost. */
static const struct seal_cost CHEAP = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
static const uint8_t MASTER[32] = { 0x11, 0x22, 0x33 };

START_TEST(test_keyfile_plain)
{
	uint8_t f[SEAL_KEYFILE_MAX], m[32];
	size_t len;

	ck_assert_int_eq(seal_keyfile_make(f, &len, MASTER, NULL, 0, NULL), 0);
	ck_assert_uint_eq(len, SEAL_KEYFILE_PLAIN_LEN);
	ck_assert_int_eq(seal_keyfile_wrapped(f, len), 0);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, NULL, 0), 0);
	ck_assert_mem_eq(m, MASTER, 32);
	/* a rotted key byte is told, not read as another node's key */
	f[12] ^= 1;
	ck_assert_int_eq(seal_keyfile_open(m, f, len, NULL, 0), WISP_ERR_VERIFY);
	f[12] ^= 1;
	ck_assert_int_eq(seal_keyfile_wrapped(f, len - 1), WISP_ERR_MALFORMED);
	f[8] = 2;
	ck_assert_int_eq(seal_keyfile_open(m, f, len, NULL, 0), WISP_ERR_VERSION);
	memcpy(f, "not-akey", 8);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, NULL, 0), WISP_ERR_MALFORMED);
}
END_TEST

START_TEST(test_keyfile_wrapped)
{
	uint8_t f[SEAL_KEYFILE_MAX], g[SEAL_KEYFILE_MAX], m[32];
	struct seal_cost c, bad = { 0, 0 };
	size_t len, glen, i;

	ck_assert_int_eq(seal_keyfile_make(f, &len, MASTER, "open sesame", 11, &CHEAP), 0);
	ck_assert_uint_eq(len, SEAL_KEYFILE_WRAPPED_LEN);
	ck_assert_int_eq(seal_keyfile_wrapped(f, len), 1);
	ck_assert_ptr_null(memmem(f, len, MASTER, 8)); /* the key is not in it */
	ck_assert_int_eq(seal_keyfile_cost(f, len, &c), 0);
	ck_assert_uint_eq(c.ops, CHEAP.ops);
	ck_assert_uint_eq(c.mem, CHEAP.mem);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, "open sesame", 11), 0);
	ck_assert_mem_eq(m, MASTER, 32);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, "open sesamE", 11), WISP_ERR_VERIFY);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, "open sesame", 10), WISP_ERR_VERIFY);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, NULL, 0), WISP_ERR_INVAL);
	/* salt, nonce, box: any byte changed and it does not open */
	for (i = 26; i < len; i += 7) {
		f[i] ^= 0x40;
		ck_assert_int_eq(seal_keyfile_open(m, f, len, "open sesame", 11), WISP_ERR_VERIFY);
		f[i] ^= 0x40;
	}
	/* the same key and passphrase wrap differently each time (salt, nonce) */
	ck_assert_int_eq(seal_keyfile_make(g, &glen, MASTER, "open sesame", 11, &CHEAP), 0);
	ck_assert_int_ne(memcmp(f, g, len), 0);
	/* an impossible cost, written or asked for, is refused */
	memset(f + 10, 0xff, 8);
	ck_assert_int_eq(seal_keyfile_open(m, f, len, "open sesame", 11), WISP_ERR_MALFORMED);
	ck_assert_int_eq(seal_keyfile_make(g, &glen, MASTER, "x", 1, &bad), WISP_ERR_INVAL);
	ck_assert_int_eq(seal_cost_named("moderate", &c), 0);
	ck_assert_int_eq(seal_cost_named("fast", &c), WISP_ERR_INVAL);
}
END_TEST

START_TEST(test_box)
{
	static const uint8_t key[32] = { 5 }, other[32] = { 6 };
	const char *text = "wisp1:friend-noderef 203.0.113.4:4000";
	uint8_t box[256], out[256];
	size_t n = strlen(text), len;
	char name[SEAL_NAME_MAX + 2];

	ck_assert_int_eq(seal_box(box, key, "seeds", (const uint8_t *)text, n), 0);
	ck_assert(seal_is_box(box, n + SEAL_OVERHEAD));
	ck_assert_ptr_null(memmem(box, n + SEAL_OVERHEAD, "203.0.113.4", 11));
	ck_assert_int_eq(seal_open(out, &len, key, "seeds", box, n + SEAL_OVERHEAD), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, text, n);
	/* another key, another name (one file standing in for another), a
	 * byte changed, a byte lost: refused */
	ck_assert_int_eq(seal_open(out, &len, other, "seeds", box, n + SEAL_OVERHEAD), WISP_ERR_VERIFY);
	ck_assert_int_eq(seal_open(out, &len, key, "keep", box, n + SEAL_OVERHEAD), WISP_ERR_VERIFY);
	box[20] ^= 1;
	ck_assert_int_eq(seal_open(out, &len, key, "seeds", box, n + SEAL_OVERHEAD), WISP_ERR_VERIFY);
	box[20] ^= 1;
	ck_assert_int_eq(seal_open(out, &len, key, "seeds", box, n + SEAL_OVERHEAD - 1), WISP_ERR_VERIFY);
	ck_assert_int_eq(seal_open(out, &len, key, "seeds", box, SEAL_OVERHEAD - 1), WISP_ERR_MALFORMED);
	box[8] = 9;
	ck_assert_int_eq(seal_open(out, &len, key, "seeds", box, n + SEAL_OVERHEAD), WISP_ERR_VERSION);
	/* an empty file seals and opens */
	ck_assert_int_eq(seal_box(box, key, "keep", NULL, 0), 0);
	ck_assert_int_eq(seal_open(out, &len, key, "keep", box, SEAL_OVERHEAD), 0);
	ck_assert_uint_eq(len, 0);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ck_assert_int_eq(seal_box(box, key, name, (const uint8_t *)"x", 1), WISP_ERR_INVAL);
}
END_TEST

START_TEST(test_subkeys)
{
	uint8_t a[32], b[32], c[32];

	seal_subkey(a, MASTER, SEAL_USE_FILES);
	seal_subkey(b, MASTER, SEAL_USE_STORE);
	seal_subkey(c, MASTER, SEAL_USE_FILES);
	ck_assert_int_ne(memcmp(a, b, 32), 0);
	ck_assert_mem_eq(a, c, 32);
	ck_assert_int_ne(memcmp(a, MASTER, 32), 0);
}
END_TEST

/* read_small_file: whole, cut at the cap, an empty file, a missing one */
START_TEST(test_read_small_file)
{
	char dir[] = "/tmp/wisp-small-XXXXXX", path[64], buf[16];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	ck_assert_int_eq(read_small_file(path, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	ck_assert_int_eq(read_small_file(path, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("0123456789abcdefXYZ", f);
	fclose(f);
	ck_assert_int_eq(read_small_file(path, buf, 5), 5);
	ck_assert_int_eq(memcmp(buf, "01234", 5), 0);
	ck_assert_int_eq(read_small_file(path, buf, sizeof(buf)), 16);
	ck_assert_int_eq(memcmp(buf, "0123456789abcdef", 16), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *
seal_suite(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("seal");

	tcase_add_test(tc, test_keyfile_plain);
	tcase_add_test(tc, test_keyfile_wrapped);
	tcase_add_test(tc, test_box);
	tcase_add_test(tc, test_subkeys);
	tcase_add_test(tc, test_read_small_file);
	suite_add_tcase(s, tc);
	return s;
}
