/* textrec.c: the fields of a line of a small text file (textrec.h). */
#include <string.h>

#include "node/core/textrec.h"

/* A byte that would break a line or a field, or that cannot be read
 * back the same: written as %XX (upper-case hex). */
static int
needs_escape(unsigned char c)
{
	return c <= 0x20 || c == '%' || c == 0x7f;
}

int
textrec_put_str(char **p, char *end, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *o = *p;

	if (end - o < 3)
		return -1;
	*o++ = ' ';
	if (!*s || !strcmp(s, "-")) { /* "-" alone means empty */
		if (*s)
			memcpy(o, "%2D", 3), o += 3;
		else
			*o++ = '-';
	} else {
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (end - o < 4)
				return -1;
			if (needs_escape(c)) {
				*o++ = '%';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			} else {
				*o++ = (char)c;
			}
		}
	}
	*p = o;
	return 0;
}

/* next_field: the field at *p up to a space or the end; moves past it. */
int
textrec_field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *s = *p;

	if (s >= end)
		return -1;
	*f = s;
	while (s < end && *s != ' ')
		s++;
	*flen = (size_t)(s - *f);
	*p = s < end ? s + 1 : s;
	return *flen ? 0 : -1;
}

int
textrec_u64(const char *f, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && f[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9' || x > (UINT64_MAX - (uint64_t)(f[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(f[i] - '0');
	}
	*v = x;
	return 0;
}

static int
unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* get_str reads what put_str wrote, and only that: every escape needed
 * and none that was not, so a string has one spelling. */
int
textrec_str(const char *f, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	if (n == 1 && f[0] == '-') {
		out[0] = 0;
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];
		if (o + 1 >= cap)
			return -1;
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			if ((hi = unhex(f[i + 1])) < 0 || (lo = unhex(f[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			if (!needs_escape(c) && !(c == '-' && n == 3))
				return -1;
			if (c < 0x20 || c == 0x7f)
				return -1; /* no control bytes in a path, a URI or a reason */
			i += 2;
		} else if (needs_escape(c)) {
			return -1;
		}
		out[o++] = (char)c;
	}
	out[o] = 0;
	return 0;
}

