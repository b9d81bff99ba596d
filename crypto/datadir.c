#include <stdio.h>
#include <stdlib.h>

#include "crypto/datadir.h"

int
wisp_datadir(char *out, size_t outlen, const char *flag)
{
	const char *v;
	int n;

	if (flag && *flag)
		n = snprintf(out, outlen, "%s", flag);
	else if ((v = getenv("WISP_HOME")) && *v)
		n = snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_DATA_HOME")) && *v)
		n = snprintf(out, outlen, "%s/wisp", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(out, outlen, "%s/.local/share/wisp", v);
	else
		return WISP_ERR_NOTFOUND;
	return n < 0 || (size_t)n >= outlen ? WISP_ERR_TOOBIG : 0;
}
