/* html.c: the gateway's link filter (html.h). A small tokenizer after the
 * HTML standard's: text, comments, tags with their attributes, and the
 * raw text of script, style, textarea and title. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/filter/html.h"

/* The named references that stand for ASCII characters a URL's scheme
 * or authority could be spelled with; any other name followed by ';'
 * makes the value undecidable, which counts as outside. */
static const struct { const char *name; char c; } named[] = {
	{ "Tab", '\t' }, { "NewLine", '\n' }, { "excl", '!' }, { "quot", '"' }, { "QUOT", '"' },
	{ "num", '#' }, { "dollar", '$' }, { "percnt", '%' }, { "amp", '&' }, { "AMP", '&' },
	{ "apos", '\'' }, { "lpar", '(' }, { "rpar", ')' }, { "ast", '*' }, { "plus", '+' },
	{ "comma", ',' }, { "period", '.' }, { "sol", '/' }, { "colon", ':' }, { "semi", ';' },
	{ "lt", '<' }, { "LT", '<' }, { "equals", '=' }, { "gt", '>' }, { "GT", '>' },
	{ "quest", '?' }, { "commat", '@' }, { "lsqb", '[' }, { "bsol", '\\' }, { "rsqb", ']' },
	{ "Hat", '^' }, { "lowbar", '_' }, { "grave", '`' }, { "lcub", '{' }, { "verbar", '|' },
	{ "rcub", '}' }, { "hyphen", '-' }, { "dash", '-' },
};

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static size_t
put_utf8(char *o, unsigned long cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int
html_decode_attr(const char *v, size_t len, char *out, size_t *outlen)
{
	size_t i = 0, o = 0, k;

	while (i < len) {
		if (v[i] != '&') {
			out[o++] = v[i++];
			continue;
		}
		if (i + 1 < len && v[i + 1] == '#') {
			int hex = i + 2 < len && (v[i + 2] == 'x' || v[i + 2] == 'X');
			size_t j = i + 2 + (size_t)hex, start = j;
			unsigned long cp = 0;
			for (; j < len; j++) {
				int c = v[j], d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
				    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
				if (d < 0)
					break;
				if (cp <= 0x10ffff) /* saturate: anything larger is U+FFFD */
					cp = cp * (hex ? 16 : 10) + (unsigned long)d;
			}
			if (j == start) { /* "&#" with no digits is text */
				out[o++] = v[i++];
				continue;
			}
			if (j < len && v[j] == ';')
				j++;
			/* A reference is never shorter than what it decodes to. */
			o += put_utf8(out + o, cp);
			i = j;
			continue;
		}
		for (k = i + 1; k < len && is_alnum(v[k]); k++)
			;
		if (k == i + 1) {
			out[o++] = v[i++];
			continue;
		}
		{
			size_t n = k - i - 1, m;
			int found = 0;
			for (m = 0; m < sizeof(named) / sizeof(named[0]); m++) {
				if (strlen(named[m].name) == n && memcmp(named[m].name, v + i + 1, n) == 0) {
					out[o++] = named[m].c;
					i = k + (k < len && v[k] == ';');
					found = 1;
					break;
				}
			}
			if (found)
				continue;
			if (k < len && v[k] == ';')
				return -1;
			/* Without ';' an unknown name is either text or a legacy
			 * reference to a non-ASCII letter: neither can form a
			 * scheme, a slash or a colon. Keep it as text. */
			out[o++] = v[i++];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

int
html_outside(const char *v, size_t len)
{
	char *d = malloc(len + 1);
	size_t n, i, a, b;
	int outside = 1;

	if (!d)
		return 1;
	if (html_decode_attr(v, len, d, &n) != 0)
		goto out;
	/* The URL parser drops tabs and newlines anywhere and trims C0
	 * controls and spaces at both ends. */
	for (i = a = 0; i < n; i++)
		if (d[i] != '\t' && d[i] != '\n' && d[i] != '\r')
			d[a++] = d[i];
	n = a;
	for (a = 0; a < n && (unsigned char)d[a] <= 0x20; a++)
		;
	for (b = n; b > a && (unsigned char)d[b - 1] <= 0x20; b--)
		;
	/* "//host", "\\host", "/\host": another host, whatever the scheme. */
	if (b - a >= 2 && (d[a] == '/' || d[a] == '\\') && (d[a + 1] == '/' || d[a + 1] == '\\'))
		goto out;
	/* A scheme: a letter, then letters, digits, '+', '-', '.', then ':'. */
	if (b > a && is_alpha(d[a])) {
		for (i = a + 1; i < b && (is_alnum(d[i]) || d[i] == '+' || d[i] == '-' || d[i] == '.'); i++)
			;
		if (i < b && d[i] == ':')
			goto out;
	}
	outside = 0;
out:
	free(d);
	return outside;
}

/* ---- output ---- */

struct obuf {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

static void
emit(struct obuf *o, const void *p, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		uint8_t *np;
		while (cap < o->len + n)
			cap *= 2;
		if (!(np = realloc(o->p, cap))) {
			o->oom = 1;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
emit_s(struct obuf *o, const char *s)
{
	emit(o, s, strlen(s));
}

/* emit_outside writes the warning page's address for the raw value |v|:
 * its decoded text, percent-encoded, so it survives any quoting. */
static void
emit_outside(struct obuf *o, const char *v, size_t len)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *d = malloc(len + 1);
	size_t n, i;

	if (!d) {
		o->oom = 1;
		return;
	}
	if (html_decode_attr(v, len, d, &n) != 0) { /* undecidable: pass it on raw */
		memcpy(d, v, len);
		n = len;
	}
	emit_s(o, HTML_OUTSIDE_PATH);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];
		if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			emit(o, &c, 1);
		} else {
			char e[3] = { '%', hexd[c >> 4], hexd[c & 15] };
			emit(o, e, 3);
		}
	}
	free(d);
}

/* ---- the tokenizer ---- */

static int
name_is(const uint8_t *p, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp((const char *)p, s, n) == 0;
}

/* A navigating attribute: following it leaves the page. "to", "from",
 * "values" and "by" because SVG animation can set an href with them. */
static int
navigates(const uint8_t *name, size_t n)
{
	const uint8_t *colon = memchr(name, ':', n);

	if (colon) { /* xlink:href and any other namespace's href */
		n -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	return name_is(name, n, "href") || name_is(name, n, "action") || name_is(name, n, "formaction") ||
	    name_is(name, n, "to") || name_is(name, n, "from") || name_is(name, n, "values") ||
	    name_is(name, n, "by");
}

/* find: the offset of |s| at or after |i|, case-insensitive; |len| if none. */
static size_t
find(const uint8_t *p, size_t len, size_t i, const char *s)
{
	size_t n = strlen(s);

	for (; i + n <= len; i++)
		if (strncasecmp((const char *)p + i, s, n) == 0)
			return i;
	return len;
}

/* comment_end: the end of a comment whose "<!--" ends at |i|, where a
 * browser could first end it: "<!-->" and "<!--->" end at once. */
static size_t
comment_end(const uint8_t *p, size_t len, size_t i)
{
	size_t a, b;

	if (i < len && p[i] == '>')
		return i + 1;
	if (i + 1 < len && p[i] == '-' && p[i + 1] == '>')
		return i + 2;
	a = find(p, len, i, "-->");
	b = find(p, len, i, "--!>");
	if (a < b)
		return a + 3;
	return b < len ? b + 4 : len;
}

/* tag reads the start tag at |i| (just past '<'), writing it filtered;
 * returns where it ends and, in |raw|, whether raw text follows. */
static size_t
tag(struct obuf *o, const uint8_t *p, size_t len, size_t i, int *raw, size_t *name_at, size_t *name_len)
{
	size_t s = i;
	int meta = 0;

	while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>')
		i++;
	*name_at = s;
	*name_len = i - s;
	emit(o, p + s, i - s);
	meta = name_is(p + s, i - s, "meta");
	*raw = name_is(p + s, i - s, "script") || name_is(p + s, i - s, "style") ||
	    name_is(p + s, i - s, "textarea") || name_is(p + s, i - s, "title");
	while (i < len) {
		size_t an, al, vs = 0, vl = 0, start;
		int has_value = 0;
		if (is_space(p[i]) || p[i] == '/') {
			emit(o, p + i, 1);
			i++;
			continue;
		}
		if (p[i] == '>') {
			emit(o, ">", 1);
			return i + 1;
		}
		start = an = i;
		i++; /* the first character belongs to the name, even '=' */
		while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>' && p[i] != '=')
			i++;
		al = i - an;
		{
			size_t j = i;
			while (j < len && is_space(p[j]))
				j++;
			if (j < len && p[j] == '=') {
				j++;
				while (j < len && is_space(p[j]))
					j++;
				has_value = 1;
				if (j < len && (p[j] == '"' || p[j] == '\'')) {
					uint8_t q = p[j++];
					vs = j;
					while (j < len && p[j] != q)
						j++;
					vl = j - vs;
					if (j < len)
						j++;
				} else {
					vs = j;
					while (j < len && !is_space(p[j]) && p[j] != '>')
						j++;
					vl = j - vs;
				}
				i = j;
			}
		}
		/* Every change keeps the attribute's shape (a name, or a name
		 * and a value), so the markup around it reads as before. */
		if (name_is(p + an, al, "ping")) { /* a click would report itself there */
			emit_s(o, has_value ? "data-wisp-removed=\"\"" : "data-wisp-removed");
			continue;
		}
		if (has_value && navigates(p + an, al) && html_outside((const char *)p + vs, vl)) {
			emit(o, p + an, al);
			emit_s(o, "=\"");
			emit_outside(o, (const char *)p + vs, vl);
			emit_s(o, "\"");
			continue;
		}
		if (has_value && meta && name_is(p + an, al, "http-equiv")) {
			char d[64];
			size_t dl;
			if (vl >= sizeof(d) || html_decode_attr((const char *)p + vs, vl, d, &dl) != 0 ||
			    find((const uint8_t *)d, dl, 0, "refresh") < dl) {
				emit_s(o, "data-wisp-removed=\"refresh\"");
				continue;
			}
		}
		emit(o, p + start, i - start);
	}
	return i;
}

int
html_filter(const uint8_t *p, size_t len, uint8_t **out, size_t *outlen)
{
	struct obuf o = { 0 };
	size_t i = 0, t;

	while (i < len) {
		if (p[i] != '<') {
			t = i;
			while (i < len && p[i] != '<')
				i++;
			emit(&o, p + t, i - t);
			continue;
		}
		if (i + 3 < len && memcmp(p + i, "<!--", 4) == 0) {
			t = comment_end(p, len, i + 4);
			emit(&o, p + i, t - i);
			i = t;
		} else if (find(p, i + 16 <= len ? i + 16 : len, i, "<?xml-stylesheet") == i) {
			/* A stylesheet could rewrite the page after us: replaced by
			 * an empty comment, which cannot join what is around it
			 * into a new tag as plain removal could ("<" + "a href…"). */
			t = find(p, len, i + 1, ">");
			i = t < len ? t + 1 : len;
			emit_s(&o, "<!---->");
		} else if (i + 1 < len && (p[i + 1] == '!' || p[i + 1] == '?' ||
		    (p[i + 1] == '/' && !(i + 2 < len && is_alpha(p[i + 2]))))) {
			/* bogus comments and doctypes run to the first '>' */
			t = find(p, len, i + 1, ">");
			t = t < len ? t + 1 : len;
			emit(&o, p + i, t - i);
			i = t;
		} else if (i + 1 < len && p[i + 1] == '/') {
			/* an end tag: browsers ignore its attributes */
			t = find(p, len, i + 2, ">");
			t = t < len ? t + 1 : len;
			emit(&o, p + i, t - i);
			i = t;
		} else if (i + 1 < len && is_alpha(p[i + 1])) {
			size_t na, nl;
			int raw;
			emit(&o, "<", 1);
			i = tag(&o, p, len, i + 1, &raw, &na, &nl);
			if (raw) {
				/* The earliest "</name" ends it; a browser may end it
				 * later, so at worst text gets filtered needlessly. */
				char end[16] = "</";
				memcpy(end + 2, p + na, nl < 12 ? nl : 12);
				end[2 + (nl < 12 ? nl : 12)] = '\0';
				t = find(p, len, i, end);
				emit(&o, p + i, t - i);
				i = t;
			}
		} else {
			emit(&o, p + i, 1);
			i++;
		}
	}
	if (o.oom) {
		free(o.p);
		return WISP_ERR_NOMEM;
	}
	if (!o.p && !(o.p = malloc(1)))
		return WISP_ERR_NOMEM;
	*out = o.p;
	*outlen = o.len;
	return 0;
}
