/* MIME types: from a file name's extension, else from the first bytes. */
#include <string.h>
#include <strings.h>

#include "crypto/mime.h"

static const struct { const char *ext, *type; } table[] = {
	{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
	{ "css", "text/css" }, { "js", "text/javascript" }, { "mjs", "text/javascript" },
	{ "json", "application/json" }, { "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" }, { "xml", "application/xml" },
	{ "svg", "image/svg+xml" }, { "png", "image/png" }, { "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" }, { "gif", "image/gif" }, { "webp", "image/webp" },
	{ "ico", "image/x-icon" }, { "avif", "image/avif" }, { "pdf", "application/pdf" },
	{ "zip", "application/zip" }, { "gz", "application/gzip" }, { "tar", "application/x-tar" },
	{ "mp4", "video/mp4" }, { "webm", "video/webm" }, { "mkv", "video/x-matroska" },
	{ "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" }, { "opus", "audio/ogg" },
	{ "flac", "audio/flac" }, { "wav", "audio/wav" }, { "woff2", "font/woff2" },
	{ "woff", "font/woff" }, { "wasm", "application/wasm" }, { "epub", "application/epub+zip" },
};

const char *
mime_from_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(dot + 1, table[i].ext) == 0)
			return table[i].type;
	return NULL;
}

static int
utf8_text(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (n == 9 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f'))
			return 0;
		if (i + n >= len && n)
			return 1; /* a sequence cut by the sample's end */
		for (i++; n; n--, i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

const char *
mime_sniff(const uint8_t *p, size_t len)
{
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return "application/zip";
	if (len >= 2 && memcmp(p, "\x1f\x8b", 2) == 0)
		return "application/gzip";
	if (len == 0)
		return "application/octet-stream";
	if (utf8_text(p, len < 4096 ? len : 4096)) {
		if ((len >= 15 && strncasecmp((const char *)p, "<!doctype html", 14) == 0) ||
		    (len >= 6 && strncasecmp((const char *)p, "<html", 5) == 0))
			return "text/html; charset=utf-8";
		return "text/plain; charset=utf-8";
	}
	return "application/octet-stream";
}
