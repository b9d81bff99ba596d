/* xferfile.c: a transfer's line in the queue file (xferfile.h), its
 * fields as textrec.h writes them. */
#include <stdio.h>
#include <string.h>

#include "node/core/textrec.h"
#include "node/core/xferfile.h"

enum { NUMS = 12 };

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
	if (textrec_put_str(&p, end, r->uri) || textrec_put_str(&p, end, r->path) || textrec_put_str(&p, end, r->why) ||
	    (size_t)(end - p) < 2)
		return WISP_ERR_TOOBIG;
	*p++ = '\n';
	*p = 0;
	*len = (size_t)(p - out);
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
	if (textrec_field(&p, end, &f, &n) || textrec_u64(f, n, &id) || id == 0 || id > UINT32_MAX)
		return WISP_ERR_MALFORMED;
	r->id = (uint32_t)id;
	if (textrec_field(&p, end, &f, &n) || n != 1 || (f[0] != XFER_GET && f[0] != XFER_PUT))
		return WISP_ERR_MALFORMED;
	r->dir = f[0];
	if (textrec_field(&p, end, &f, &n) || n != 1 || !f[0] || !strchr("sqrdf", f[0]) ||
	    (f[0] == XFER_STAGING && r->dir != XFER_PUT))
		return WISP_ERR_MALFORMED;
	r->state = f[0];
	if (textrec_field(&p, end, &f, &n) || textrec_u64(f, n, &bg) || bg > 1 ||
	    textrec_field(&p, end, &f, &n) || textrec_u64(f, n, &code) || code > 9)
		return WISP_ERR_MALFORMED;
	r->background = (uint8_t)bg;
	r->code = (uint8_t)code;
	for (i = 0; i < NUMS; i++)
		if (textrec_field(&p, end, &f, &n) || textrec_u64(f, n, &v[i]))
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
	if (textrec_field(&p, end, &f, &n) || textrec_str(f, n, r->uri, sizeof(r->uri)) ||
	    textrec_field(&p, end, &f, &n) || textrec_str(f, n, r->path, sizeof(r->path)) ||
	    textrec_field(&p, end, &f, &n) || textrec_str(f, n, r->why, sizeof(r->why)) || f + n != end ||
	    (r->dir == XFER_GET && !r->uri[0]) || (r->dir == XFER_GET && r->path[0] != '/'))
		return WISP_ERR_MALFORMED;
	return 0;
}
