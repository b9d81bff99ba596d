/* The fixed point of a filter (settle.h). */
#include <stdlib.h>
#include <string.h>

#include "node/filter/settle.h"

int
settle(settle_pass pass, void *ctx, const char *in, size_t len, char **out, size_t *outlen)
{
	char *cur, *next;
	size_t n, nn;
	int rc, i;

	if ((rc = pass(ctx, in, len, &cur, &n)) != 0)
		return rc;
	for (i = 0; i < SETTLE_ROUNDS; i++) {
		if ((rc = pass(ctx, cur, n, &next, &nn)) != 0) {
			free(cur);
			return rc;
		}
		if (nn == n && memcmp(next, cur, n) == 0) {
			free(next);
			*out = cur;
			*outlen = n;
			return 0;
		}
		free(cur);
		cur = next;
		n = nn;
	}
	free(cur);
	return WISP_ERR_MALFORMED;
}
