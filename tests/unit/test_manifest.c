#include <stdlib.h>
#include <string.h>

#include "crypto/manifest.h"
#include "tests/unit/suites.h"

static struct manifest_entry es[3];
static uint8_t buf[4096];
static size_t len;

static void
setup(void)
{
	const char *paths[] = { "a/b.html", "css/x.css", "index.html" };
	size_t i;

	memset(es, 0, sizeof(es));
	for (i = 0; i < 3; i++) {
		strcpy(es[i].path, paths[i]);
		strcpy(es[i].mime, "text/html");
		memset(es[i].rk, (int)i + 1, 32);
		es[i].length = i * 100;
	}
	ck_assert_int_eq(manifest_encode(es, 3, buf, sizeof(buf), &len), 0);
}

START_TEST(test_manifest_roundtrip)
{
	struct manifest_entry e;

	ck_assert_int_eq(manifest_find(buf, len, "css/x.css", &e), 0);
	ck_assert_uint_eq(e.rk[0], 2);
	ck_assert_int_eq(manifest_find(buf, len, "", &e), 0); /* the default document */
	ck_assert_str_eq(e.path, "index.html");
	ck_assert_int_eq(manifest_find(buf, len, "nope", &e), WISP_ERR_NOTFOUND);
}
END_TEST

START_TEST(test_manifest_refusals)
{
	struct manifest_entry e, bad[2];
	size_t i, n;

	for (i = 0; i < len; i++) /* every truncation */
		ck_assert_int_ne(manifest_find(buf, i, "index.html", &e), 0);
	ck_assert_int_ne(manifest_find(buf, len + 1, "index.html", &e), 0);
	buf[4] = 2;
	ck_assert_int_eq(manifest_find(buf, len, "index.html", &e), WISP_ERR_VERSION);
	buf[4] = 1;
	/* Unsorted, duplicate or unsafe paths are refused when written. */
	bad[0] = es[2];
	bad[1] = es[0];
	ck_assert_int_eq(manifest_encode(bad, 2, buf, sizeof(buf), &n), WISP_ERR_INVAL);
	bad[1] = es[2];
	ck_assert_int_eq(manifest_encode(bad, 2, buf, sizeof(buf), &n), WISP_ERR_INVAL);
	strcpy(bad[0].path, "../x");
	ck_assert_int_eq(manifest_encode(bad, 1, buf, sizeof(buf), &n), WISP_ERR_INVAL);
	ck_assert_int_eq(manifest_path_ok("a//b", 4), 0);
	ck_assert_int_eq(manifest_path_ok("a/./b", 5), 0);
	ck_assert_int_eq(manifest_path_ok("a b", 3), 0);
	ck_assert_int_eq(manifest_path_ok("a/b.html", 8), 1);
}
END_TEST

Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_manifest_roundtrip);
	tcase_add_test(tc, test_manifest_refusals);
	suite_add_tcase(s, tc);
	return s;
}
