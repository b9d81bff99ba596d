/* Decoding a page to UTF-8 (charset.h), with the C library's iconv. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/filter/charset.h"

static int is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

int
mime_param(const char *mime, const char *name, char *out, size_t cap)
{
	const char *p = strchr(mime, ';');
	size_t nl = strlen(name);
	int found = -1;

	while (p && *p == ';') {
		const char *k, *ke;
		size_t o = 0;
		int over = 0;
		p++;
		while (is_ws(*p))
			p++;
		for (k = p; *p && *p != '=' && *p != ';'; p++)
			;
		for (ke = p; ke > k && is_ws(ke[-1]); ke--)
			;
		if (*p != '=')
			continue;
		p++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (o + 1 < cap)
					out[o++] = *p;
				else
					over = 1;
			}
			if (*p == '"')
				p++;
			while (*p && *p != ';')
				p++;
		} else {
			for (; *p && *p != ';'; p++) {
				if (o + 1 < cap)
					out[o++] = *p;
				else
					over = 1;
			}
			while (o && is_ws(out[o - 1]))
				o--;
		}
		if ((size_t)(ke - k) == nl && strncasecmp(k, name, nl) == 0) {
			out[o] = '\0';
			found = over ? -1 : 0;
		}
	}
	return found;
}

/* The WHATWG Encoding Standard's labels this node decodes, as iconv
 * names them. ASCII and Latin-1 labels mean windows-1252 there. */
static const struct { const char *label, *iconv; } encodings[] = {
	{ "utf-8", "UTF-8" }, { "utf8", "UTF-8" }, { "unicode-1-1-utf-8", "UTF-8" },
	{ "us-ascii", "WINDOWS-1252" }, { "ascii", "WINDOWS-1252" }, { "iso-8859-1", "WINDOWS-1252" },
	{ "iso8859-1", "WINDOWS-1252" }, { "iso_8859-1", "WINDOWS-1252" }, { "latin1", "WINDOWS-1252" },
	{ "l1", "WINDOWS-1252" }, { "cp1252", "WINDOWS-1252" }, { "windows-1252", "WINDOWS-1252" },
	{ "x-cp1252", "WINDOWS-1252" }, { "cp819", "WINDOWS-1252" },
	{ "iso-8859-2", "ISO-8859-2" }, { "iso-8859-3", "ISO-8859-3" }, { "iso-8859-4", "ISO-8859-4" },
	{ "iso-8859-5", "ISO-8859-5" }, { "iso-8859-6", "ISO-8859-6" }, { "iso-8859-7", "ISO-8859-7" },
	{ "iso-8859-8", "ISO-8859-8" }, { "iso-8859-10", "ISO-8859-10" }, { "iso-8859-13", "ISO-8859-13" },
	{ "iso-8859-14", "ISO-8859-14" }, { "iso-8859-15", "ISO-8859-15" }, { "iso-8859-16", "ISO-8859-16" },
	{ "windows-1250", "WINDOWS-1250" }, { "windows-1251", "WINDOWS-1251" }, { "windows-1253", "WINDOWS-1253" },
	{ "windows-1254", "WINDOWS-1254" }, { "windows-1255", "WINDOWS-1255" }, { "windows-1256", "WINDOWS-1256" },
	{ "windows-1257", "WINDOWS-1257" }, { "windows-1258", "WINDOWS-1258" }, { "koi8-r", "KOI8-R" },
	{ "koi8-u", "KOI8-U" }, { "utf-16le", "UTF-16LE" }, { "utf-16", "UTF-16LE" }, { "utf-16be", "UTF-16BE" },
	{ "shift_jis", "CP932" }, { "sjis", "CP932" }, { "windows-31j", "CP932" }, { "euc-jp", "EUC-JP" },
	{ "iso-2022-jp", "ISO-2022-JP" }, { "gbk", "GB18030" }, { "gb2312", "GB18030" }, { "gb18030", "GB18030" },
	{ "big5", "BIG5-HKSCS" }, { "euc-kr", "CP949" }, { "windows-874", "CP874" },
};

static const char *
iconv_name(const char *label)
{
	size_t i, n;

	while (is_ws(*label))
		label++;
	for (n = strlen(label); n && is_ws(label[n - 1]); n--)
		;
	for (i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++)
		if (strlen(encodings[i].label) == n && strncasecmp(encodings[i].label, label, n) == 0)
			return encodings[i].iconv;
	return NULL;
}

static int
valid_utf8(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (k == 9 || (k && (c == 0xc0 || c == 0xc1 || c > 0xf4)) || i + k >= n + (k ? 0 : 1))
			return 0;
		for (i++; k; k--, i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* meta_charset: the HTML standard's prescan, in short: a charset= in a
 * <meta> tag within the first 1024 bytes. */
static int
meta_charset(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, lim = n < 1024 ? n : 1024;

	for (i = 0; i + 5 < lim; i++) {
		size_t j, k = 0;
		if (p[i] != '<' || strncasecmp((const char *)p + i + 1, "meta", 4) != 0 || !(is_ws(p[i + 5]) || p[i + 5] == '/'))
			continue;
		for (j = i + 5; j + 8 < lim && p[j] != '>'; j++)
			if (strncasecmp((const char *)p + j, "charset", 7) == 0) {
				j += 7;
				while (j < lim && is_ws(p[j]))
					j++;
				if (j >= lim || p[j] != '=')
					continue;
				j++;
				while (j < lim && (is_ws(p[j]) || p[j] == '"' || p[j] == '\''))
					j++;
				while (j < lim && k + 1 < cap && !is_ws(p[j]) && p[j] != '"' && p[j] != '\'' && p[j] != ';' &&
				    p[j] != '>' && p[j] != '/')
					out[k++] = (char)p[j++];
				out[k] = '\0';
				return k ? 0 : -1;
			}
	}
	return -1;
}

static int
convert(const char *from, const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = len * 3 + 16, used = 0, il = len;
	char *buf, *ip = (char *)(uintptr_t)in;

	if (cd == (iconv_t)-1)
		return WISP_ERR_VERSION;
	if (!(buf = malloc(cap))) {
		iconv_close(cd);
		return WISP_ERR_NOMEM;
	}
	while (il > 0) {
		char *o = buf + used;
		size_t left = cap - used, r = iconv(cd, &ip, &il, &o, &left);
		int e = errno;
		used = (size_t)(o - buf);
		if (r != (size_t)-1)
			break;
		if (e == E2BIG || cap - used < 3) {
			/* more room, then go on (or put the U+FFFD below) */
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				iconv_close(cd);
				return WISP_ERR_NOMEM;
			}
			buf = nb;
			cap *= 2;
			if (e == E2BIG)
				continue;
		}
		/* a byte that does not decode (or a cut sequence): U+FFFD */
		memcpy(buf + used, "\xef\xbf\xbd", 3);
		used += 3;
		ip++;
		il--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	*out = (uint8_t *)buf;
	*outlen = used;
	return 0;
}

int
charset_to_utf8(const uint8_t *in, size_t len, const char *label, uint8_t **out, size_t *outlen)
{
	char meta[64];
	const char *enc = NULL;

	*out = NULL;
	*outlen = 0;
	if (len >= 3 && in[0] == 0xef && in[1] == 0xbb && in[2] == 0xbf)
		return convert("UTF-8", in + 3, len - 3, out, outlen);
	if (len >= 2 && in[0] == 0xff && in[1] == 0xfe)
		return convert("UTF-16LE", in + 2, len - 2, out, outlen);
	if (len >= 2 && in[0] == 0xfe && in[1] == 0xff)
		return convert("UTF-16BE", in + 2, len - 2, out, outlen);
	if (label && !(enc = iconv_name(label)))
		return WISP_ERR_VERSION;
	if (!enc && meta_charset(in, len, meta, sizeof(meta)) == 0) {
		enc = iconv_name(meta);
		/* a page cannot say it is UTF-16 from inside itself: UTF-8 then */
		if (enc && !strncmp(enc, "UTF-16", 6))
			enc = "UTF-8";
	}
	if (!enc)
		enc = valid_utf8(in, len) ? "UTF-8" : "WINDOWS-1252";
	return convert(enc, in, len, out, outlen);
}
