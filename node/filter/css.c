/* The CSS filter (css.h): a tokenizer after CSS Syntax Level 3, section 4,
 * then a writer that keeps what names only this node. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/filter/css.h"
#include "node/filter/settle.h"
#include "node/filter/url.h"

enum tok {
	T_WS, T_IDENT, T_FUNC, T_AT, T_HASH, T_STRING, T_BADSTR, T_URL, T_BADURL, T_DELIM, T_NUM, T_PCT,
	T_DIM, T_CDO, T_CDC, T_COLON, T_SEMI, T_COMMA, T_LBRK, T_RBRK, T_LPAR, T_RPAR, T_LBRC, T_RBRC,
};

struct token {
	enum tok t;
	size_t v, vlen;   /* the decoded value (name, string, URL, unit) in the value buffer */
	size_t n, nlen;   /* a number's source text */
	unsigned delim;   /* T_DELIM: the code point */
};

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *q;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(q = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void putc1(struct buf *b, char c) { put(b, &c, 1); }

static void
put_utf8(struct buf *b, unsigned long cp)
{
	char o[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		put(b, o, 1);
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		put(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		put(b, o, 3);
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		put(b, o, 4);
	}
}

/* ---- the tokenizer ---- */

struct lex {
	const unsigned char *s;
	size_t n, i;
	struct buf val;   /* decoded values of all tokens */
	struct token *t;
	size_t nt, capt;
	int oom;
};

static int at(const struct lex *x, size_t k) { return x->i + k < x->n ? x->s[x->i + k] : -1; }
static int is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_nstart(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
static int is_name(int c) { return is_nstart(c) || is_digit(c) || c == '-'; }
static int is_nl(int c) { return c == '\n' || c == '\r' || c == '\f'; }

static int
valid_escape(int a, int b)
{
	return a == '\\' && b != -1 && !is_nl(b);
}

static int
starts_ident(int a, int b, int c)
{
	if (a == '-')
		return is_nstart(b) || b == '-' || valid_escape(b, c);
	return is_nstart(a) || valid_escape(a, b);
}

static int
starts_number(int a, int b, int c)
{
	if (a == '+' || a == '-')
		return is_digit(b) || (b == '.' && is_digit(c));
	if (a == '.')
		return is_digit(b);
	return is_digit(a);
}

/* escape consumes an escape after its backslash into the value buffer. */
static void
escape(struct lex *x)
{
	unsigned long cp = 0;
	int k = 0;

	if (x->i >= x->n) {
		put_utf8(&x->val, 0xfffd);
		return;
	}
	if (!is_hex(x->s[x->i])) {
		/* one whole UTF-8 character, as it is */
		size_t start = x->i++;
		while (x->i < x->n && (x->s[x->i] & 0xc0) == 0x80)
			x->i++;
		put(&x->val, x->s + start, x->i - start);
		return;
	}
	while (k < 6 && x->i < x->n && is_hex(x->s[x->i])) {
		int c = x->s[x->i++];
		cp = cp * 16 + (unsigned long)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
		k++;
	}
	if (x->i < x->n && is_ws(x->s[x->i])) {
		if (x->s[x->i] == '\r' && x->i + 1 < x->n && x->s[x->i + 1] == '\n')
			x->i++;
		x->i++;
	}
	put_utf8(&x->val, cp);
}

static void
name(struct lex *x)
{
	for (;;) {
		int c = at(x, 0);
		if (c != -1 && is_name(c)) {
			putc1(&x->val, (char)c);
			x->i++;
		} else if (valid_escape(c, at(x, 1))) {
			x->i++;
			escape(x);
		} else {
			return;
		}
	}
}

static struct token *
add(struct lex *x, enum tok t)
{
	struct token *k;

	if (x->nt == x->capt) {
		size_t cap = x->capt ? x->capt * 2 : 64;
		struct token *nt = realloc(x->t, cap * sizeof(*nt));
		if (!nt) {
			x->oom = 1;
			return NULL;
		}
		x->t = nt;
		x->capt = cap;
	}
	k = &x->t[x->nt++];
	memset(k, 0, sizeof(*k));
	k->t = t;
	k->v = x->val.len;
	return k;
}

static void
string(struct lex *x, int q)
{
	struct token *k = add(x, T_STRING);

	if (!k)
		return;
	x->i++;
	for (;;) {
		int c = at(x, 0);
		if (c == -1 || c == q) {
			x->i += c == q;
			break;
		}
		if (is_nl(c)) {
			k->t = T_BADSTR; /* the newline is left for the next token */
			break;
		}
		x->i++;
		if (c == '\\') {
			int d = at(x, 0);
			if (d == -1)
				continue;
			if (is_nl(d)) {
				x->i += (d == '\r' && at(x, 1) == '\n') ? 2 : 1;
				continue;
			}
			escape(x);
			continue;
		}
		putc1(&x->val, (char)c);
	}
	k = &x->t[x->nt - 1];
	k->vlen = x->val.len - k->v;
}

/* url consumes a url token's body (after "url("), section 4.3.6. */
static void
url(struct lex *x)
{
	struct token *k = add(x, T_URL);

	if (!k)
		return;
	while (is_ws(at(x, 0)))
		x->i++;
	for (;;) {
		int c = at(x, 0);
		if (c == -1)
			break;
		x->i++;
		if (c == ')')
			break;
		if (is_ws(c)) {
			while (is_ws(at(x, 0)))
				x->i++;
			if (at(x, 0) == ')' || at(x, 0) == -1) {
				x->i += at(x, 0) == ')';
				break;
			}
			goto bad;
		}
		if (c == '"' || c == '\'' || c == '(' || c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f)
			goto bad;
		if (c == '\\') {
			if (!valid_escape(c, at(x, 0)))
				goto bad;
			escape(x);
			continue;
		}
		putc1(&x->val, (char)c);
	}
	k = &x->t[x->nt - 1];
	k->vlen = x->val.len - k->v;
	return;
bad:
	/* the remnants of a bad url, to its ')' */
	while (at(x, 0) != -1) {
		int c = x->s[x->i++];
		if (c == ')')
			break;
		if (valid_escape(c, at(x, 0)))
			x->i++;
	}
	x->t[x->nt - 1].t = T_BADURL;
}

static void
ident_like(struct lex *x)
{
	size_t v = x->val.len, n;
	struct token *k;

	name(x);
	n = x->val.len - v;
	if (n == 3 && strncasecmp(x->val.p + v, "url", 3) == 0 && at(x, 0) == '(') {
		size_t j = x->i + 1;
		while (j < x->n && is_ws(x->s[j]))
			j++;
		x->i++;
		if (j < x->n && (x->s[j] == '"' || x->s[j] == '\'')) {
			x->val.len = v;
			put(&x->val, "url", 3);
			if ((k = add(x, T_FUNC))) {
				k->v = v;
				k->vlen = 3;
			}
			return;
		}
		x->val.len = v;
		url(x);
		return;
	}
	if ((k = add(x, at(x, 0) == '(' ? T_FUNC : T_IDENT))) {
		k->v = v;
		k->vlen = n;
	}
	if (at(x, 0) == '(')
		x->i++;
}

static void
number(struct lex *x)
{
	size_t start = x->i, numend;
	struct token *k;

	if (at(x, 0) == '+' || at(x, 0) == '-')
		x->i++;
	while (is_digit(at(x, 0)))
		x->i++;
	if (at(x, 0) == '.' && is_digit(at(x, 1))) {
		x->i++;
		while (is_digit(at(x, 0)))
			x->i++;
	}
	if ((at(x, 0) == 'e' || at(x, 0) == 'E') &&
	    (is_digit(at(x, 1)) || ((at(x, 1) == '+' || at(x, 1) == '-') && is_digit(at(x, 2))))) {
		x->i += 2;
		while (is_digit(at(x, 0)))
			x->i++;
	}
	numend = x->i;
	if (starts_ident(at(x, 0), at(x, 1), at(x, 2))) {
		size_t v = x->val.len;
		name(x);
		if ((k = add(x, T_DIM))) {
			k->v = v;
			k->vlen = x->val.len - v;
		}
	} else if (at(x, 0) == '%') {
		x->i++;
		k = add(x, T_PCT);
	} else {
		k = add(x, T_NUM);
	}
	if (k) {
		k->n = start;
		k->nlen = numend - start;
	}
}

static int
tokenize(struct lex *x)
{
	while (x->i < x->n && !x->oom && !x->val.oom) {
		int c = x->s[x->i], c1 = at(x, 1), c2 = at(x, 2);
		struct token *k;
		if (c == '/' && c1 == '*') {
			const unsigned char *e = NULL;
			size_t j;
			for (j = x->i + 2; j + 1 < x->n; j++)
				if (x->s[j] == '*' && x->s[j + 1] == '/') {
					e = x->s + j;
					break;
				}
			x->i = e ? (size_t)(e - x->s) + 2 : x->n;
			continue;
		}
		if (is_ws(c)) {
			while (is_ws(at(x, 0)))
				x->i++;
			add(x, T_WS);
			continue;
		}
		switch (c) {
		case '"':
		case '\'':
			string(x, c);
			continue;
		case '#':
			if ((c1 != -1 && is_name(c1)) || valid_escape(c1, c2)) {
				size_t v = x->val.len;
				x->i++;
				name(x);
				if ((k = add(x, T_HASH))) {
					k->v = v;
					k->vlen = x->val.len - v;
				}
				continue;
			}
			break;
		case '(': x->i++; add(x, T_LPAR); continue;
		case ')': x->i++; add(x, T_RPAR); continue;
		case '[': x->i++; add(x, T_LBRK); continue;
		case ']': x->i++; add(x, T_RBRK); continue;
		case '{': x->i++; add(x, T_LBRC); continue;
		case '}': x->i++; add(x, T_RBRC); continue;
		case ',': x->i++; add(x, T_COMMA); continue;
		case ':': x->i++; add(x, T_COLON); continue;
		case ';': x->i++; add(x, T_SEMI); continue;
		case '+':
		case '.':
			if (starts_number(c, c1, c2)) {
				number(x);
				continue;
			}
			break;
		case '-':
			if (starts_number(c, c1, c2)) {
				number(x);
				continue;
			}
			if (c1 == '-' && c2 == '>') {
				x->i += 3;
				add(x, T_CDC);
				continue;
			}
			if (starts_ident(c, c1, c2)) {
				ident_like(x);
				continue;
			}
			break;
		case '<':
			if (c1 == '!' && c2 == '-' && at(x, 3) == '-') {
				x->i += 4;
				add(x, T_CDO);
				continue;
			}
			break;
		case '@':
			if (starts_ident(c1, c2, at(x, 3))) {
				size_t v = x->val.len;
				x->i++;
				name(x);
				if ((k = add(x, T_AT))) {
					k->v = v;
					k->vlen = x->val.len - v;
				}
				continue;
			}
			break;
		case '\\':
			if (valid_escape(c, c1)) {
				ident_like(x);
				continue;
			}
			break;
		default:
			if (is_digit(c)) {
				number(x);
				continue;
			}
			if (is_nstart(c)) {
				ident_like(x);
				continue;
			}
		}
		/* a delimiter: one whole UTF-8 character */
		{
			unsigned long cp = (unsigned char)c;
			x->i++;
			if (cp >= 0x80)
				while (x->i < x->n && (x->s[x->i] & 0xc0) == 0x80)
					x->i++;
			if ((k = add(x, T_DELIM)))
				k->delim = (unsigned)cp;
		}
	}
	return x->oom || x->val.oom ? WISP_ERR_NOMEM : 0;
}

/* ---- the writer ---- */

static const char *
val(const struct lex *x, const struct token *k)
{
	return x->val.p ? x->val.p + k->v : "";
}

/* write_name writes a name escaped so it reads back the same: |ident|
 * for an identifier's rules at its start. */
static void
write_name(struct buf *b, const char *s, size_t n, int ident)
{
	size_t i;

	if (ident && n == 1 && s[0] == '-') {
		put(b, "\\-", 2);
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = c >= 0x80 || is_name(c);
		if (ident && (i == 0 || (i == 1 && s[0] == '-')) && is_digit(c))
			ok = 0;
		if (ok) {
			putc1(b, (char)c);
		} else {
			static const char hex[] = "0123456789abcdef";
			char e[5] = { '\\', hex[c >> 4], hex[c & 15], ' ', 0 };
			if (c < 16)
				put(b, "\\", 1), putc1(b, hex[c]), putc1(b, ' ');
			else
				put(b, e, 4);
		}
	}
}

static void
write_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	putc1(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c == '<' || c < 0x20 || c == 0x7f) {
			putc1(b, '\\');
			if (c >= 16)
				putc1(b, hex[c >> 4]);
			putc1(b, hex[c & 15]);
			putc1(b, ' ');
		} else {
			putc1(b, (char)c);
		}
	}
	putc1(b, '"');
}

/* Two tokens that would read back as one need a comment between them. */
static int
glued(const struct token *a, const struct token *b)
{
	int name_end = a->t == T_IDENT || a->t == T_AT || a->t == T_HASH || a->t == T_DIM ||
	    (a->t == T_DELIM && (a->delim == '#' || a->delim == '@' || a->delim == '-' || a->delim == '\\' ||
	    a->delim == '<')); /* "\3c " goes on as a name if a name character follows */
	int num_end = a->t == T_NUM;
	int name_start = b->t == T_IDENT || b->t == T_FUNC || b->t == T_URL || b->t == T_BADURL ||
	    b->t == T_NUM || b->t == T_PCT || b->t == T_DIM || b->t == T_CDC ||
	    (b->t == T_DELIM && (b->delim == '-' || b->delim == '\\' || b->delim == '<')); /* '<' is written \3c */

	if (a->t == T_DELIM && a->delim == '/' && b->t == T_DELIM && b->delim == '*')
		return 1;
	if ((a->t == T_DELIM && (a->delim == '+' || a->delim == '.' || a->delim == '-')) &&
	    (b->t == T_NUM || b->t == T_PCT || b->t == T_DIM))
		return 1;
	if (num_end && (name_start || (b->t == T_DELIM && (b->delim == '%' || b->delim == '.'))))
		return 1;
	if (b->t == T_LPAR && (a->t == T_IDENT || a->t == T_DIM))
		return 1;
	return name_end && name_start;
}

static void
write_token(struct buf *b, const struct lex *x, const struct token *k)
{
	const char *v = val(x, k);

	switch (k->t) {
	case T_WS: putc1(b, ' '); break;
	case T_IDENT: write_name(b, v, k->vlen, 1); break;
	case T_FUNC: write_name(b, v, k->vlen, 1); putc1(b, '('); break;
	case T_AT: putc1(b, '@'); write_name(b, v, k->vlen, 1); break;
	case T_HASH: putc1(b, '#'); write_name(b, v, k->vlen, 0); break;
	case T_STRING: write_string(b, v, k->vlen); break;
	case T_URL: put(b, "url(", 4); write_string(b, v, k->vlen); putc1(b, ')'); break;
	case T_NUM: put(b, x->s + k->n, k->nlen); break;
	case T_PCT: put(b, x->s + k->n, k->nlen); putc1(b, '%'); break;
	case T_DIM:
		put(b, x->s + k->n, k->nlen);
		/* a unit that starts like an exponent must not read as one */
		if (k->vlen && (v[0] == 'e' || v[0] == 'E') && k->vlen > 1 && (is_digit((unsigned char)v[1]) || v[1] == '-' || v[1] == '+'))
			put(b, "\\65 ", 4), write_name(b, v + 1, k->vlen - 1, 0);
		else
			write_name(b, v, k->vlen, 1);
		break;
	case T_DELIM:
		if (k->delim == '<')
			put(b, "\\3c ", 4);
		else
			put_utf8(b, k->delim);
		break;
	case T_COLON: putc1(b, ':'); break;
	case T_SEMI: putc1(b, ';'); break;
	case T_COMMA: putc1(b, ','); break;
	case T_LBRK: putc1(b, '['); break;
	case T_RBRK: putc1(b, ']'); break;
	case T_LPAR: putc1(b, '('); break;
	case T_RPAR: putc1(b, ')'); break;
	case T_LBRC: putc1(b, '{'); break;
	case T_RBRC: putc1(b, '}'); break;
	case T_CDO: case T_CDC: case T_BADSTR: case T_BADURL: break;
	}
}

static int
name_is(const struct lex *x, const struct token *k, const char *s)
{
	return k->vlen == strlen(s) && strncasecmp(val(x, k), s, k->vlen) == 0;
}

/* bad_chunk: do tokens [a, e) name a URL off this node, or hold a bad
 * string or URL? */
static int
bad_chunk(const struct lex *x, size_t a, size_t e)
{
	size_t i, first = a;
	int depth = 0, imgdepth = -1, urlfn = -1, import;

	while (first < e && x->t[first].t == T_WS)
		first++;
	import = first < e && x->t[first].t == T_AT && name_is(x, &x->t[first], "import");
	for (i = a; i < e; i++) {
		const struct token *k = &x->t[i];
		switch (k->t) {
		case T_BADSTR:
		case T_BADURL:
			return 1;
		case T_DELIM:
			/* a stray backslash (before a newline or the end): no
			 * construct takes it, and it cannot be written back alone */
			if (k->delim == '\\')
				return 1;
			break;
		case T_URL:
			if (!url_local(val(x, k), k->vlen))
				return 1;
			break;
		case T_FUNC:
			depth++;
			if (name_is(x, k, "url") || name_is(x, k, "src"))
				urlfn = depth;
			else if (imgdepth < 0 && (name_is(x, k, "image-set") || name_is(x, k, "-webkit-image-set") ||
			    name_is(x, k, "image") || name_is(x, k, "cross-fade") || name_is(x, k, "-webkit-cross-fade")))
				imgdepth = depth;
			break;
		case T_LPAR:
		case T_LBRK:
			depth++;
			break;
		case T_RPAR:
		case T_RBRK:
			if (depth == urlfn)
				urlfn = -1;
			if (depth == imgdepth)
				imgdepth = -1;
			if (depth > 0)
				depth--;
			break;
		case T_STRING:
			/* a string is a URL in url() and src(), in image-set() and
			 * its kin, and as @import's first argument */
			if ((urlfn > 0 && depth == urlfn) || (imgdepth > 0 && depth >= imgdepth) || (import && depth == 0))
				if (!url_local(val(x, k), k->vlen))
					return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* write_range writes tokens [a, e), dropping leading whitespace. */
static void
write_range(struct buf *b, const struct lex *x, size_t a, size_t e, const struct token **last)
{
	size_t i;

	for (i = a; i < e; i++) {
		const struct token *k = &x->t[i];
		if (k->t == T_CDO || k->t == T_CDC)
			continue;
		if (k->t == T_WS && (!*last || (*last)->t == T_WS || (*last)->t == T_LBRC || (*last)->t == T_SEMI ||
		    (*last)->t == T_RBRC))
			continue;
		if (*last && glued(*last, k))
			put(b, "/**/", 4);
		write_token(b, x, k);
		*last = k;
	}
}

static int
filter_once(const char *in, size_t len, int decls, char **out, size_t *outlen)
{
	struct lex x = { .s = (const unsigned char *)in, .n = len };
	struct buf b = { 0 };
	const struct token *last = NULL;
	size_t i, start = 0;
	int depth = 0, rc, open = 0, tail = 0;
	struct buf closers = { 0 }; /* the ')' and ']' the current chunk still owes */

	char *copy = NULL;

	(void)decls; /* a declaration list splits at ';' like a block's body */
	*out = NULL;
	*outlen = 0;
	if (memchr(in, '\0', len)) {
		/* the input stream's preprocessing: U+0000 is U+FFFD */
		size_t k, o = 0;
		if (!(copy = malloc(len * 3 + 1)))
			return WISP_ERR_NOMEM;
		for (k = 0; k < len; k++) {
			if (in[k])
				copy[o++] = in[k];
			else
				memcpy(copy + o, "\xef\xbf\xbd", 3), o += 3;
		}
		x.s = (const unsigned char *)copy;
		x.n = o;
	}
	if ((rc = tokenize(&x)) != 0)
		goto done;
	put(&b, "", 0);
	for (i = 0; i <= x.nt; i++) {
		enum tok t = i < x.nt ? x.t[i].t : T_SEMI;
		if (t == T_LPAR || t == T_LBRK || t == T_FUNC) {
			depth++;
			putc1(&closers, t == T_LBRK ? ']' : ')');
		} else if ((t == T_RPAR || t == T_RBRK) && depth > 0) {
			depth--;
			closers.len--;
		}
		if (depth > 0 && i < x.nt)
			continue;
		if (t != T_SEMI && t != T_LBRC && t != T_RBRC)
			continue;
		/* a chunk [start, i) ends at a boundary */
		if (bad_chunk(&x, start, i)) {
			if (t == T_LBRC) {
				/* a rule or at-rule that names a URL: its block goes too */
				int braces = 1;
				size_t j = i + 1;
				for (; j < x.nt && braces; j++)
					braces += x.t[j].t == T_LBRC ? 1 : x.t[j].t == T_RBRC ? -1 : 0;
				i = j - 1; /* on past the block's '}' */
				start = j;
				depth = 0;
				closers.len = 0;
				continue;
			}
			if (t == T_SEMI) { /* a dropped declaration or at-rule, with its ';' */
				start = i + 1;
				depth = 0;
				closers.len = 0;
				continue;
			}
		} else {
			write_range(&b, &x, start, i, &last);
			tail = i == x.nt;
		}
		if (i < x.nt && !(t == T_RBRC && open == 0)) {
			if (last && last->t == T_WS && b.len && b.p[b.len - 1] == ' ')
				b.len--; /* no space before a boundary */
			write_token(&b, &x, &x.t[i]);
			last = &x.t[i];
			open += t == T_LBRC ? 1 : t == T_RBRC ? -1 : 0;
		}
		start = i + 1;
		if (i < x.nt) {
			depth = 0;
			closers.len = 0;
		}
	}
	/* the end of the sheet closes what is open, as it does for a browser:
	 * written out, so that the output reads back the same */
	if ((open > 0 || (tail && closers.len)) && b.len && b.p[b.len - 1] == ' ' && last && last->t == T_WS)
		b.p[--b.len] = '\0'; /* no space before what closes, as at a boundary */
	while (tail && closers.len)
		putc1(&b, closers.p[--closers.len]);
	while (open-- > 0)
		putc1(&b, '}');
	free(closers.p);
	rc = b.oom ? WISP_ERR_NOMEM : 0;
done:
	free(x.t);
	free(x.val.p);
	free(copy);
	if (rc != 0) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	*outlen = b.len;
	return 0;
}

static int
css_pass(void *ctx, const char *in, size_t len, char **out, size_t *outlen)
{
	return filter_once(in, len, *(const int *)ctx, out, outlen);
}

/* A sheet that does not settle (settle.h) is dropped whole: an empty one. */
int
css_filter(const char *in, size_t len, int decls, char **out, size_t *outlen)
{
	int rc = settle(css_pass, &decls, in, len, out, outlen);

	if (rc != WISP_ERR_MALFORMED)
		return rc;
	if (!(*out = calloc(1, 1)))
		return WISP_ERR_NOMEM;
	*outlen = 0;
	return 0;
}
