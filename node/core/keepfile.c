/* keepfile.c: a kept document's line (keepfile.h). */
#include <stdio.h>
#include <string.h>

#include "node/core/keepfile.h"
#include "node/core/textrec.h"

int
keepfile_format(const struct keep_rec *r, char *out, size_t cap, size_t *len)
{
	char *p, *end = out + cap;
	int n;

	if (r->added < 0 || r->next < 0 || r->last < 0 || r->ok < -1 || r->ok > 1 || !r->uri[0])
		return WISP_ERR_INVAL;
	n = snprintf(out, cap, "%lld %lld %lld %llu %llu %llu %c", (long long)r->added, (long long)r->next,
	    (long long)r->last, (unsigned long long)r->asked, (unsigned long long)r->found,
	    (unsigned long long)r->healed, r->ok < 0 ? 'n' : r->ok ? 'y' : 'x');
	if (n < 0 || (size_t)n >= cap)
		return WISP_ERR_TOOBIG;
	p = out + n;
	if (textrec_put_str(&p, end, r->uri) != 0 || end - p < 2)
		return WISP_ERR_TOOBIG;
	*p++ = '\n';
	*p = 0;
	*len = (size_t)(p - out);
	return 0;
}

int
keepfile_parse(struct keep_rec *r, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *f;
	uint64_t v[6];
	size_t n;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 6; i++)
		if (textrec_field(&p, end, &f, &n) || textrec_u64(f, n, &v[i]))
			return WISP_ERR_MALFORMED;
	if (v[0] > INT64_MAX || v[1] > INT64_MAX || v[2] > INT64_MAX || v[4] > v[3] || v[5] > v[3])
		return WISP_ERR_MALFORMED;
	r->added = (int64_t)v[0];
	r->next = (int64_t)v[1];
	r->last = (int64_t)v[2];
	r->asked = v[3];
	r->found = v[4];
	r->healed = v[5];
	if (textrec_field(&p, end, &f, &n) || n != 1 || !f[0] || !strchr("nyx", f[0]))
		return WISP_ERR_MALFORMED;
	r->ok = f[0] == 'n' ? -1 : f[0] == 'y';
	if (textrec_field(&p, end, &f, &n) || textrec_str(f, n, r->uri, sizeof(r->uri)) || !r->uri[0] ||
	    f + n != end)
		return WISP_ERR_MALFORMED;
	return 0;
}
