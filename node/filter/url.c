/* Which URLs a filtered page may keep (url.h). */
#include <stdio.h>
#include <string.h>

#include "node/filter/url.h"

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
url_local(const char *s, size_t n)
{
	char buf[8];
	size_t i, a = 0, k = 0;

	/* The first characters that are not tabs or newlines decide, after
	 * the leading C0 controls and spaces the parser trims. */
	for (i = 0; i < n && k < sizeof(buf); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (k == 0 && c <= 0x20)
			continue;
		buf[k++] = (char)c;
	}
	/* "//host", "\\host", "/\host": another host, whatever the scheme. */
	if (k >= 2 && (buf[0] == '/' || buf[0] == '\\') && (buf[1] == '/' || buf[1] == '\\'))
		return 0;
	/* A scheme: a letter, then letters, digits, '+', '-', '.', then ':'
	 * (looked for through the whole value, tabs and newlines skipped). */
	if (k && is_alpha(buf[0])) {
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\t' || c == '\n' || c == '\r' || (a == 0 && c <= 0x20))
				continue;
			if (c == ':')
				return 0;
			if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
				break;
			a++;
		}
	}
	return 1;
}

int
url_outside_link(const char *s, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = strlen(URL_OUTSIDE_PATH), i;

	if (cap <= o)
		return -1;
	memcpy(out, URL_OUTSIDE_PATH, o);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int plain = is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
		if (o + (plain ? 1 : 3) >= cap)
			return -1;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}
