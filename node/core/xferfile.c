/* xferfile.c: a transfer's line in the queue file (xferfile.h). Numbers
 * in decimal, strings with spaces, '%' and control bytes as %XX ("-" when
 * empty), so no byte of a path or reason can break a line. */
#include <stdio.h>
#include <string.h>

#include "node/core/xferfile.h"

enum { NUMS = 12 };

/* A byte that would break a line or a field, or that cannot be read
 * back the same: written as %XX (upper-case hex). */
static int
needs_escape(unsigned char c)
{
	return c <= 0x20 || c == '%' || c == 0x7f;
}

static int
put_str(char **p, char *end, const char *s)
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

int
xferfile_format(const struct xfer_rec *r, char *out, size_t cap, size_t *len)
{
	char *p = out, *end = out + cap;
	int n = snprintf(out, cap, "%u %c %c %u %u %lld %lld %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
	    (unsigned)r->id, r->dir, r->state, r->background, r->code, (long long)r->added,
	    (long long)r->ended, (unsigned long long)r->total, (unsigned long long)r->done,
	    (unsigned long long)r->blocks, (unsigned long long)r->blocks_done,
	    (unsigned long long)r->from_area, (unsigned long long)r->from_net,
	    (unsigned long long)r->accepted, (unsigned long long)r->here,
	    (unsigned long long)r->refused, (unsigned long long)r->guard);

	if (n < 0 || (size_t)n >= cap)
		return WISP_ERR_TOOBIG;
	p += n;
	if (put_str(&p, end, r->uri) || put_str(&p, end, r->path) || put_str(&p, end, r->why) ||
	    (size_t)(end - p) < 2)
		return WISP_ERR_TOOBIG;
	*p++ = '\n';
	*p = 0;
	*len = (size_t)(p - out);
	return 0;
}

/* next_field: the field at *p up to a space or the end; moves past it. */
static int
next_field(const char **p, const char *end, const char **f, size_t *flen)
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

static int
get_u64(const char *f, size_t n, uint64_t *v)
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
static int
get_str(const char *f, size_t n, char *out, size_t cap)
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

int
xferfile_parse(struct xfer_rec *r, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *f;
	uint64_t v[NUMS];
	size_t n, i;
	uint64_t id, bg, code;

	memset(r, 0, sizeof(*r));
	if (next_field(&p, end, &f, &n) || get_u64(f, n, &id) || id == 0 || id > UINT32_MAX)
		return WISP_ERR_MALFORMED;
	r->id = (uint32_t)id;
	if (next_field(&p, end, &f, &n) || n != 1 || (f[0] != XFER_GET && f[0] != XFER_PUT))
		return WISP_ERR_MALFORMED;
	r->dir = f[0];
	if (next_field(&p, end, &f, &n) || n != 1 || !strchr("sqrdf", f[0]) ||
	    (f[0] == XFER_STAGING && r->dir != XFER_PUT))
		return WISP_ERR_MALFORMED;
	r->state = f[0];
	if (next_field(&p, end, &f, &n) || get_u64(f, n, &bg) || bg > 1 ||
	    next_field(&p, end, &f, &n) || get_u64(f, n, &code) || code > 9)
		return WISP_ERR_MALFORMED;
	r->background = (uint8_t)bg;
	r->code = (uint8_t)code;
	for (i = 0; i < NUMS; i++)
		if (next_field(&p, end, &f, &n) || get_u64(f, n, &v[i]))
			return WISP_ERR_MALFORMED;
	/* a download learns its block count only as it goes: no total */
	if (v[0] > INT64_MAX || v[1] > INT64_MAX || v[3] > v[2] || (r->dir == XFER_PUT && v[5] > v[4]))
		return WISP_ERR_MALFORMED;
	r->added = (int64_t)v[0];
	r->ended = (int64_t)v[1];
	r->total = v[2];
	r->done = v[3];
	r->blocks = v[4];
	r->blocks_done = v[5];
	r->from_area = v[6];
	r->from_net = v[7];
	r->accepted = v[8];
	r->here = v[9];
	r->refused = v[10];
	r->guard = v[11];
	if (next_field(&p, end, &f, &n) || get_str(f, n, r->uri, sizeof(r->uri)) ||
	    next_field(&p, end, &f, &n) || get_str(f, n, r->path, sizeof(r->path)) ||
	    next_field(&p, end, &f, &n) || get_str(f, n, r->why, sizeof(r->why)) || f + n != end ||
	    (r->dir == XFER_GET && !r->uri[0]) || (r->dir == XFER_GET && r->path[0] != '/'))
		return WISP_ERR_MALFORMED;
	return 0;
}
