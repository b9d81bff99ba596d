#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/ssk.h"
#include "crypto/uri.h"
#include "tests/unit/suites.h"

/* 43 base64url characters each: two valid 32-byte keys. */
#define K1 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define K2 "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"

static const char *good[] = {
	"CHK@" K1 "," K2,
	"CHK@" K1 "," K2 "/report.pdf",
	"CHK@" K1 "," K2 "/site/index.html",
	"CHK@" K1 "," K2 ",AQE",
	"SSK@" K1 "," K2 "/doc",
	"SSK@" K1 "," K2 "/doc/img/a.png",
	"USK@" K1 "," K2 "/site/0",
	"USK@" K1 "," K2 "/site/42/index.html",
	"USK@" K1 "," K2 "/site/latest",
	"USK@" K1 "," K2 "/site/-7",
};

START_TEST(test_uri_good_roundtrip)
{
	struct uri u;
	const char *why = NULL;
	char s[URI_MAX];

	ck_assert_msg(uri_parse(&u, good[_i], strlen(good[_i]), &why) == 0, "%s: %s", good[_i], why);
	ck_assert_int_eq(uri_format(s, sizeof(s), &u, 0), 0);
	ck_assert_str_eq(s, good[_i]);
}
END_TEST

START_TEST(test_uri_prefix_and_fields)
{
	struct uri u;
	const char *s = "wisp:USK@" K1 "," K2 "/blog/12/posts/1.html";

	ck_assert_int_eq(uri_parse(&u, s, strlen(s), NULL), 0);
	ck_assert_int_eq(u.type, URI_USK);
	ck_assert_str_eq(u.name, "blog");
	ck_assert_int_eq(u.edition, 12);
	ck_assert_int_eq(u.latest, 0);
	ck_assert_str_eq(u.path, "posts/1.html");
	ck_assert_uint_eq(u.key[1], 1);
	ck_assert_uint_eq(u.ckey[0], 32);
}
END_TEST

START_TEST(test_uri_insert_uri)
{
	uint8_t secret[64], ckey[32], pkh[32];
	char ks[B64_LEN(64) + 1], kc[B64_LEN(32) + 1], s[URI_MAX], pub[URI_MAX];
	struct uri u;

	ssk_keygen(secret, ckey);
	ck_assert_int_eq(b64_encode(ks, sizeof(ks), secret, 64), 0);
	ck_assert_int_eq(b64_encode(kc, sizeof(kc), ckey, 32), 0);
	snprintf(s, sizeof(s), "SSK@%s,%s/doc", ks, kc);
	ck_assert_int_eq(uri_parse(&u, s, strlen(s), NULL), 0);
	ck_assert_int_eq(u.has_secret, 1);
	ssk_pubkey_hash(pkh, secret + 32);
	ck_assert_mem_eq(u.key, pkh, 32);
	ck_assert_int_eq(uri_format(pub, sizeof(pub), &u, 0), 0);
	ck_assert_str_eq(pub, s);
	ck_assert_int_eq(uri_format(pub, sizeof(pub), &u, 1), 0);
	ck_assert_int_eq(uri_parse(&u, pub, strlen(pub), NULL), 0);
	ck_assert_int_eq(u.has_secret, 0);
	ck_assert_mem_eq(u.key, pkh, 32);
	/* A secret whose halves disagree is refused. */
	secret[63] ^= 1;
	ck_assert_int_eq(b64_encode(ks, sizeof(ks), secret, 64), 0);
	snprintf(s, sizeof(s), "SSK@%s,%s/doc", ks, kc);
	ck_assert_int_eq(uri_parse(&u, s, strlen(s), NULL), WISP_ERR_MALFORMED);
}
END_TEST

static const char *bad[] = {
	"",
	"CHK",
	"chk@" K1 "," K2,                       /* prefix is case-sensitive */
	"KSK@" K1 "," K2,                       /* unknown key type */
	"http://example.org/",
	"CHK@",
	"CHK@" K1,                              /* no crypto key */
	"CHK@" K1 ",",                          /* empty crypto key */
	"CHK@," K2,                             /* empty routing key */
	"CHK@" K1 "A," K2,                      /* routing key too long */
	"CHK@" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh," K2, /* too short */
	"CHK@" K1 "," K2 "A",                   /* crypto key too long */
	"CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+," K2, /* '+' is not base64url */
	"CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/," K2, /* '/' inside a key */
	"CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=," K2, /* padding */
	"CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHhf," K2, /* stray low bits */
	"CHK@" K1 "," K2 ",",                   /* empty flags */
	"CHK@" K1 "," K2 ",AQ",                 /* flags too short */
	"CHK@" K1 "," K2 ",AgA",                /* unknown algorithm */
	"CHK@" K1 "," K2 ",AQk",                /* unknown kind */
	"CHK@" K1 "," K2 ",AQE,AQE",            /* trailing garbage after flags */
	"CHK@" K1 "," K2 "/",                   /* empty name segment */
	"CHK@" K1 "," K2 "//x",                 /* empty name segment */
	"CHK@" K1 "," K2 "/a//b",               /* empty inner segment */
	"CHK@" K1 "," K2 "/a/",                 /* trailing slash */
	"CHK@" K1 "," K2 "/../etc/passwd",      /* traversal */
	"CHK@" K1 "," K2 "/a/./b",
	"CHK@" K1 "," K2 "/a b",                /* space */
	"CHK@" K1 "," K2 "/a\tb",               /* control character */
	"CHK@" K1 "," K2 "/a?b=c",              /* query */
	"CHK@" K1 "," K2 "/a#frag",
	"CHK@" K1 "," K2 "/a\\b",
	"SSK@" K1 "," K2,                       /* SSK without docname */
	"SSK@" K1 "," K2 "/",
	"USK@" K1 "," K2 "/site",               /* no edition */
	"USK@" K1 "," K2 "/site/",              /* empty edition */
	"USK@" K1 "," K2 "/site/abc",           /* edition not a number */
	"USK@" K1 "," K2 "/site/1x",
	"USK@" K1 "," K2 "/site/-",
	"USK@" K1 "," K2 "/site/007",           /* leading zeros */
	"USK@" K1 "," K2 "/site/99999999999999999999", /* out of range */
	"USK@" K1 "," K2 "/site/9223372036854775808",
	"USK@" K1 "," K2 "/site/1/",            /* trailing slash */
	"SSK@" K1 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AA," K2 "/d", /* 89 chars */
	"wisp:",
	"wisp:wisp:CHK@" K1 "," K2,
	" CHK@" K1 "," K2,                      /* leading space */
};

START_TEST(test_uri_bad_rejected)
{
	struct uri u;
	const char *why = NULL;

	ck_assert_msg(uri_parse(&u, bad[_i], strlen(bad[_i]), &why) == WISP_ERR_MALFORMED,
	    "accepted: %s", bad[_i]);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_gt((int)strlen(why), 5);
}
END_TEST

START_TEST(test_uri_too_long_and_nul)
{
	static char s[URI_MAX + 100];
	struct uri u;
	const char *why = NULL;
	size_t n;

	n = (size_t)snprintf(s, sizeof(s), "CHK@%s,%s/", K1, K2);
	memset(s + n, 'a', sizeof(s) - n - 1);
	ck_assert_int_eq(uri_parse(&u, s, sizeof(s) - 1, &why), WISP_ERR_MALFORMED);
	ck_assert_str_eq(why, "URI too long");
	/* A long name segment alone is refused, too. */
	ck_assert_int_eq(uri_parse(&u, s, n + 300, &why), WISP_ERR_MALFORMED);
	n = (size_t)snprintf(s, sizeof(s), "CHK@%s,%s/a", K1, K2);
	ck_assert_int_eq(uri_parse(&u, s, n + 1, &why), WISP_ERR_MALFORMED); /* includes the NUL */
}
END_TEST

START_TEST(test_uri_name_encode)
{
	char out[URI_NAME_MAX + 1], big[300];
	struct uri u;
	const char *why;
	char text[URI_MAX];

	ck_assert_int_eq(uri_name_encode("my file \xc3\xbc (1).txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "my%20file%20%C3%BC%20(1).txt");
	ck_assert_int_eq(uri_name_encode("a%b#c?d\\e", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a%25b%23c%3Fd%5Ce");
	/* what it writes is a segment the parser takes */
	snprintf(text, sizeof(text), "CHK@%s,%s/%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", out);
	ck_assert_int_eq(uri_parse(&u, text, strlen(text), &why), 0);
	ck_assert_str_eq(u.name, out);
	/* 255 bytes as written, not as given */
	memset(big, 'a', 255);
	big[255] = 0;
	ck_assert_int_eq(uri_name_encode(big, NULL, 0), 0);
	big[0] = ' ';
	ck_assert_int_eq(uri_name_encode(big, NULL, 0), -1);
	ck_assert_int_eq(uri_name_encode("abc", out, 3), -1); /* no room for the NUL */
}
END_TEST

Suite *
uri_suite(void)
{
	Suite *s = suite_create("uri");
	TCase *tc = tcase_create("uri");

	tcase_add_loop_test(tc, test_uri_good_roundtrip, 0, (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_loop_test(tc, test_uri_bad_rejected, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_uri_prefix_and_fields);
	tcase_add_test(tc, test_uri_insert_uri);
	tcase_add_test(tc, test_uri_too_long_and_nul);
	tcase_add_test(tc, test_uri_name_encode);
	suite_add_tcase(s, tc);
	return s;
}
