/* The gateway's filters (node/filter/): HTML on libgumbo, CSS, URLs,
 * charsets. Each bypass a reader's browser could be led through has a
 * case; the output of the allowed constructs is checked exactly; and every
 * output is a fixed point: filtering it again changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "node/filter/charset.h"
#include "node/filter/css.h"
#include "node/filter/html.h"
#include "node/filter/url.h"
#include "tests/unit/suites.h"

static char *
filt(const char *in)
{
	static char res[16384];
	uint8_t *out, *again;
	size_t n, n2;

	ck_assert_int_eq(html_filter((const uint8_t *)in, strlen(in), &out, &n), 0);
	ck_assert_uint_lt(n, sizeof(res));
	memcpy(res, out, n);
	res[n] = '\0';
	ck_assert_int_eq(html_filter(out, n, &again, &n2), 0);
	ck_assert_msg(n2 == n && memcmp(out, again, n) == 0, "not a fixed point:\n%s\nthen\n%.*s", res, (int)n2,
	    (const char *)again);
	free(out);
	free(again);
	return res;
}

static char *
cfilt(const char *in, int decls)
{
	static char res[8192];
	char *out, *again;
	size_t n, n2;

	ck_assert_int_eq(css_filter(in, strlen(in), decls, &out, &n), 0);
	ck_assert_uint_lt(n, sizeof(res));
	memcpy(res, out, n + 1);
	ck_assert_int_eq(css_filter(out, n, decls, &again, &n2), 0);
	ck_assert_msg(n2 == n && memcmp(out, again, n) == 0, "CSS not a fixed point:\n%s\nthen\n%s", out, again);
	free(out);
	free(again);
	return res;
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

START_TEST(test_url_local)
{
	static const char *out[] = {
		"http://evil.example/", "HTTPS://x", "//evil.example", "\\\\evil", "/\\evil", " \t//evil",
		"java\nscript:alert(1)", "mailto:a@b", "data:text/html,hi", "wisp:CHK@x", "\x01http://x",
		"\x01//x", "ja\tva\rscript:x",
	};
	static const char *in[] = {
		"/CHK@abc/page.html", "page.html", "../up", "#frag", "?q=1", "", "/", "a/b:c",
		"CHK@x,y/z", "./http://x", "1http://x", "%2F%2Fevil", "/CHK@k/a b.png",
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		ck_assert_msg(!url_local(out[i], strlen(out[i])), "%s should be outside", out[i]);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		ck_assert_msg(url_local(in[i], strlen(in[i])), "%s should be local", in[i]);
	ck_assert_int_eq(url_outside_link("http://e.x/?a=1", 15, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/outside?url=http%3A%2F%2Fe.x%2F%3Fa%3D1");
}
END_TEST

/* Every bypass of the hand-written filter the issue lists, and the ways
 * markup makes a browser load a URL with no click. */
START_TEST(test_html_bypasses)
{
	char *r;

	r = filt("<iframe srcdoc=\"&lt;link rel=preconnect href=http://H/&gt;\"></iframe><p>x");
	ck_assert(!has(r, "iframe") && !has(r, "srcdoc") && !has(r, "http://H"));
	r = filt("</x y=\"><b c=\">x<link rel=preconnect href=http://H/>");
	ck_assert(!has(r, "preconnect") && !has(r, "http://H"));
	r = filt("<style></stylex><link rel=preconnect href=http://H/></style><p>x");
	ck_assert(!has(r, "<link"));
	ck_assert(has(r, "<style>\\3c /stylex>\\3c /**/link"));
	r = filt("<xmp><link rel=preconnect href=http://H/></xmp><noembed><link rel=preconnect href=http://H/></noembed>"
	    "<iframe><link rel=preconnect href=http://H/></iframe>");
	ck_assert(!has(r, "<link") && !has(r, "noembed") && !has(r, "iframe"));
	ck_assert(has(r, "<pre>&lt;link rel=preconnect href=http://H/&gt;</pre>"));
	r = filt("<script><!--<script></script><link rel=preconnect href=http://H/>--></script>");
	ck_assert(!has(r, "script") && !has(r, "http://H"));
	r = filt("<svg><![CDATA[<link rel=preconnect href=http://H/>]]></svg>");
	ck_assert(!has(r, "<link"));
	r = filt("<link rel=preconnect href=http://H/><link rel=dns-prefetch href=//H><link rel=prefetch href=http://H/p>"
	    "<link rel=preload as=image href=http://H/i><link rel=prerender href=http://H/><link rel=modulepreload "
	    "href=http://H/m.js><link rel=stylesheet href=http://H/s.css><link rel=icon href=//H/i.png>"
	    "<link rel=manifest href=/CHK@k/m.json>");
	ck_assert(!has(r, "<link"));
	r = filt("<base href=http://H/><meta http-equiv=refresh content=\"0;url=http://H/\"><img src=x.png>");
	ck_assert(!has(r, "<base") && !has(r, "refresh") && has(r, "<img src=\"x.png\">"));
	r = filt("<img src=http://H/a.png srcset=\"/CHK@k/a.png 1x, http://H/b.png 2x\" ping=http://H/><a href=x ping=http://H>");
	ck_assert(!has(r, "http://H") || has(r, "/outside?url="));
	ck_assert(!has(r, "src=") && !has(r, "ping"));
	r = filt("<video poster=http://H/p.png src=http://H/v.mp4><track src=http://H/t.vtt></video>"
	    "<audio src=//H/a.ogg></audio><object data=http://H/o></object><embed src=http://H/e>");
	ck_assert(!has(r, "H/") && !has(r, "object") && !has(r, "embed"));
	r = filt("<svg><image href=http://H/i.png /><use href=http://H/u.svg#x /><feImage href=http://H/f />"
	    "<rect fill=\"url(http://H/#p)\" style=\"fill:url(http://H/#q)\" width=1 height=1 /></svg>");
	ck_assert(!has(r, "H/") && !has(r, "image") && has(r, "<rect width=\"1\" height=\"1\"></rect>"));
	r = filt("<form action=http://H/f><input type=image src=http://H/i><button formaction=http://H/b>x</button></form>");
	ck_assert(!has(r, "H/"));
	r = filt("<body background=http://H/bg.png onload=\"location='http://H/'\"><table background=//H/t><td style="
	    "\"background:url(http://H/c)\">x");
	ck_assert(!has(r, "H/") && !has(r, "onload"));
	r = filt("<div style=\"background-image:image-set('http://H/a.png' 1x)\">x</div><style>@import 'http://H/i.css';"
	    "@font-face{font-family:f;src:url(//H/f.woff)}p{background:u\\72 l(http://H/e)}</style>");
	ck_assert(!has(r, "H/") && !has(r, "@import"));
	r = filt("<a href=\"jav&#x61;script:alert(1)\">j</a><a href=\"  //H/\">s</a><a href=\"/CHK@k/ok\">ok</a>");
	ck_assert(!has(r, "href=\"jav") && !has(r, "href=\"  //H"));
	ck_assert(has(r, "href=\"/CHK@k/ok\""));
	ck_assert(has(r, "/outside?url=javascript%3Aalert%281%29"));
	r = filt("<math><mtext><table><mglyph><style><img src=http://H/m></style></mglyph></table></mtext></math>");
	ck_assert(!has(r, "H/"));
	r = filt("<noscript><p title=\"</noscript><img src=http://H/n>\"></noscript>");
	ck_assert(!has(r, "<img")); /* the markup in the value stays text */
}
END_TEST

START_TEST(test_html_exact)
{
	ck_assert_str_eq(filt("<!doctype html><title>T &amp; t</title><p class=x>1 < 2 & 3 > 2<img src=/CHK@i/p.png alt=''>"
	    "<!-- note --><a href=\"page2.html#s\" onclick=x>next</a>"),
	    "<!DOCTYPE html><html><head><title>T &amp; t</title></head><body><p class=\"x\">1 &lt; 2 &amp; 3 &gt; 2"
	    "<img src=\"/CHK@i/p.png\" alt=\"\"><a href=\"page2.html#s\">next</a></p></body></html>");
	ck_assert_str_eq(filt("<a href=http://e.x/?a=1>out</a>"),
	    "<html><head></head><body><a href=\"/outside?url=http%3A%2F%2Fe.x%2F%3Fa%3D1\">out</a></body></html>");
	ck_assert_str_eq(filt("<link rel=stylesheet href=s.css><style>a{color:red}</style><div style='color: blue'>"
	    "<custom-el>kept text</custom-el></div>"),
	    "<html><head><link rel=\"stylesheet\" href=\"s.css\"><style>a{color:red}</style></head><body>"
	    "<div style=\"color: blue\">kept text</div></body></html>");
	ck_assert_str_eq(filt("<svg viewBox='0 0 10 10'><circle cx=5 cy=5 r=4 fill=url(#g) /></svg>"),
	    "<html><head></head><body><svg viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"url(#g)\">"
	    "</circle></svg></body></html>");
	ck_assert_str_eq(filt("<pre>\n\nx</pre><textarea>a</textarea>"),
	    "<html><head></head><body><pre>\n\nx</pre><textarea>a</textarea></body></html>");
	ck_assert_str_eq(filt(""), "<html><head></head><body></body></html>");
}
END_TEST

START_TEST(test_css_filter)
{
	ck_assert_str_eq(cfilt("a{color:red;background:url(http://e.x/a.png)}b{c:d}", 0), "a{color:red;}b{c:d}");
	ck_assert_str_eq(cfilt("@import \"http://e.x/a.css\"; @import url(/CHK@k/a.css); p{x:y}", 0),
	    "@import url(\"/CHK@k/a.css\");p{x:y}");
	ck_assert_str_eq(cfilt("@media screen{a{background:url(//e.x)}b{c:d}}", 0), "@media screen{a{}b{c:d}}");
	ck_assert_str_eq(cfilt("div{background:image-set(\"http://e.x/a.png\" 1x)}x{y:z}", 0), "div{}x{y:z}");
	ck_assert_str_eq(cfilt("a{content:\"</style>\"}", 0), "a{content:\"\\3c /style>\"}");
	ck_assert_str_eq(cfilt("a/**/b{c:1e3em}", 0), "a/**/b{c:1e3em}");
	ck_assert_str_eq(cfilt(".x{background:u\\72l(http://e.x)}", 0), ".x{}");
	ck_assert_str_eq(cfilt("a{x:url(http://e.x", 0), "a{}");
	ck_assert_str_eq(cfilt("color: red; background: url('/CHK@k/b.png')", 1), "color: red;background: url(\"/CHK@k/b.png\")");
	ck_assert_str_eq(cfilt("a{b:src(\"http://e.x\")}", 0), "a{}");
	ck_assert(!has(cfilt("@font-face{src:url(http://e.x/f.woff)}", 0), "e.x"));
}
END_TEST

START_TEST(test_charset)
{
	char v[64];
	uint8_t *o;
	size_t n;

	ck_assert_int_eq(mime_param("text/html;a=charset=utf-8;charset=utf-16le", "charset", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "utf-16le");
	ck_assert_int_eq(mime_param("text/html; charset=\"iso-8859-2\"", "charset", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "iso-8859-2");
	ck_assert_int_eq(mime_param("text/html; x=\";charset=utf-7\"", "charset", v, sizeof(v)), -1);
	/* UTF-16 as the header says: decoded, never judged as UTF-8 */
	ck_assert_int_eq(charset_to_utf8((const uint8_t *)"<\0a\0>\0", 6, "utf-16le", &o, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert(memcmp(o, "<a>", 3) == 0);
	free(o);
	ck_assert_int_eq(charset_to_utf8((const uint8_t *)"\xe9t\xe9", 3, NULL, &o, &n), 0); /* not UTF-8: 1252 */
	ck_assert(n == 5 && memcmp(o, "\xc3\xa9t\xc3\xa9", 5) == 0);
	free(o);
	ck_assert_int_eq(charset_to_utf8((const uint8_t *)"\xef\xbb\xbfok", 5, "iso-8859-2", &o, &n), 0); /* BOM wins */
	ck_assert(n == 2 && memcmp(o, "ok", 2) == 0);
	free(o);
	ck_assert_int_eq(charset_to_utf8((const uint8_t *)"x", 1, "utf-7", &o, &n), WISP_ERR_VERSION);
}
END_TEST

Suite *
html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, test_url_local);
	tcase_add_test(tc, test_html_bypasses);
	tcase_add_test(tc, test_html_exact);
	tcase_add_test(tc, test_css_filter);
	tcase_add_test(tc, test_charset);
	suite_add_tcase(s, tc);
	return s;
}
