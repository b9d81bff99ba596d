#include <stdlib.h>
#include <string.h>

#include "node/filter/html.h"
#include "tests/unit/suites.h"

static char *
filt(const char *in)
{
	static char res[8192];
	uint8_t *out;
	size_t n;

	ck_assert_int_eq(html_filter((const uint8_t *)in, strlen(in), &out, &n), 0);
	ck_assert_uint_lt(n, sizeof(res));
	memcpy(res, out, n);
	res[n] = '\0';
	free(out);
	return res;
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

START_TEST(test_html_outside)
{
	static const char *out[] = {
		"http://evil.example/", "HTTPS://x", "//evil.example", "\\\\evil", "/\\evil", " \t//evil",
		"java\nscript:alert(1)", "jav&#x61;script:x", "http&colon;//x", "http&#58//x", "&#104;ttp://x",
		"mailto:a@b", "data:text/html,hi", "http&unknownref;//x", "wisp:CHK@x", "\x01http://x",
		"/&sol;evil", "&#47;&#47;evil", "&bsol;&bsol;evil",
	};
	static const char *in[] = {
		"/CHK@abc/page.html", "page.html", "../up", "#frag", "?q=1", "", "/", "a/b:c",
		"CHK@x,y/z", "&copyhttp://x", "./http://x", "1http://x", "%2F%2Fevil",
	};
	size_t i;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		ck_assert_msg(html_outside(out[i], strlen(out[i])), "%s should be outside", out[i]);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		ck_assert_msg(!html_outside(in[i], strlen(in[i])), "%s should stay", in[i]);
}
END_TEST

START_TEST(test_html_filter_links)
{
	char *r;

	r = filt("<p><a href=\"http://evil.example/x?a=1\">x</a> <a href='/CHK@k/y'>y</a></p>");
	ck_assert(has(r, "href=\"/outside?url=http%3A%2F%2Fevil.example%2Fx%3Fa%3D1\""));
	ck_assert(has(r, "href='/CHK@k/y'"));
	r = filt("<A HREF=https://e.x>t</A><form action=//e.x><button formaction=http://e.x>");
	ck_assert(!has(r, "=https://") && !has(r, "=//e.x") && !has(r, "=http://"));
	ck_assert(has(r, "HREF=\"/outside?url=https"));
	r = filt("<svg><a xlink:href=\"http://e.x\"/><set attributeName=href to=\"http://e.x\"/></svg>");
	ck_assert(!has(r, "\"http://e.x\""));
	r = filt("<a ping=\"http://track.example\" href=\"/ok\">x</a>");
	ck_assert(!has(r, "ping") && has(r, "href=\"/ok\""));
	/* dropping it must not make "to" take the next value */
	r = filt("<a to ping=x =http://e.x>");
	ck_assert(!has(r, "ping") && has(r, "to data-wisp-removed=\"\" =http"));
	r = filt("<<?xml-stylesheet?>a href=http://e.x>");
	ck_assert(!has(r, "<a href"));
	r = filt("<meta http-equiv=\"Refresh\" content=\"0;url=http://e.x\"><meta http-equiv=\"content-type\" content=\"text/html\">");
	ck_assert(has(r, "data-wisp-removed=\"refresh\"") && has(r, "http-equiv=\"content-type\""));
	r = filt("<a/href=http://e.x>x</a><a\nhref\n=\n'http://e.x'>y</a>");
	ck_assert(!has(r, "=http://e.x") && !has(r, "'http://e.x'"));
}
END_TEST

/* Where the filter's reading could differ from a browser's it must see a
 * tag no later than the browser does. */
START_TEST(test_html_filter_ends_early)
{
	char *r;

	r = filt("<!--><a href=http://e.x>x</a>-->");        /* "<!-->" is a whole comment */
	ck_assert(!has(r, "=http://e.x"));
	r = filt("<!---><a href=http://e.x>x</a>-->");
	ck_assert(!has(r, "=http://e.x"));
	r = filt("<!-- a --!><a href=http://e.x>x</a>");
	ck_assert(!has(r, "=http://e.x"));
	r = filt("<script>var s='</script><a href=http://e.x>x</a>';</script>");
	ck_assert(!has(r, "=http://e.x"));
	r = filt("<title></TITLE ><a href=http://e.x></title>");
	ck_assert(!has(r, "=http://e.x"));
	r = filt("<svg><![CDATA[ ]]><a href=http://e.x>x</a></svg>");
	ck_assert(!has(r, "=http://e.x"));
	r = filt("</x title=\"><a href=http://e.x>\">");
	ck_assert(!has(r, "=http://e.x"));
	r = filt("<?xml-stylesheet href=\"/CHK@s/x.xsl\" type=\"text/xsl\"?><r/>");
	ck_assert(!has(r, "xml-stylesheet"));
	/* inside a quoted value a '>' is not the end of the tag */
	r = filt("<img alt=\"a>b\" src=x><a href=http://e.x>");
	ck_assert(!has(r, "=http://e.x"));
}
END_TEST

START_TEST(test_html_filter_passes_the_rest)
{
	const char *page = "<!doctype html><html><head><title>T &amp; t</title><style>a[href^=\"http\"]{color:red}"
	    "</style></head><body class=x><p>1 < 2 & 3 > 2</p><img src=\"/CHK@i/p.png\" alt=''>"
	    "<!-- note --><a href=\"page2.html#s\">next</a></body></html>";

	ck_assert_str_eq(filt(page), page);
	ck_assert_str_eq(filt(""), "");
	ck_assert_str_eq(filt("<"), "<");
	ck_assert_str_eq(filt("<a href"), "<a href");
}
END_TEST

START_TEST(test_html_decode)
{
	char out[64];
	size_t n;

	ck_assert_int_eq(html_decode_attr("a&amp;b&#x3a;&#58&lt", 20, out, &n), 0);
	ck_assert_str_eq(out, "a&b::<");
	ck_assert_int_eq(html_decode_attr("&#0;&#x110000;", 14, out, &n), 0);
	ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_int_eq(html_decode_attr("&nosuch;", 8, out, &n), -1);
	ck_assert_int_eq(html_decode_attr("&# &x", 5, out, &n), 0);
	ck_assert_str_eq(out, "&# &x");
}
END_TEST

Suite *
html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, test_html_outside);
	tcase_add_test(tc, test_html_filter_links);
	tcase_add_test(tc, test_html_filter_ends_early);
	tcase_add_test(tc, test_html_filter_passes_the_rest);
	tcase_add_test(tc, test_html_decode);
	suite_add_tcase(s, tc);
	return s;
}
