#include <string.h>

#include "crypto/bytes.h"
#include "crypto/manifest.h"
#include "crypto/tree.h"

static const uint8_t MAGIC[4] = { 'W', 'S', 'P', 'M' };

int
manifest_path_ok(const char *p, size_t len)
{
	size_t i, seg = 0;

	if (len == 0 || len > MANIFEST_PATH_MAX)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)p[i] : '/';
		if (c == '/') {
			if (i == seg || (i - seg == 1 && p[seg] == '.') ||
			    (i - seg == 2 && p[seg] == '.' && p[seg + 1] == '.'))
				return 0;
			seg = i + 1;
		} else if (c <= 0x20 || c == 0x7f || c == '\\' || c == '?' || c == '#') {
			return 0;
		}
	}
	return 1;
}

size_t
manifest_entry_size(const struct manifest_entry *e)
{
	return 2 + strlen(e->path) + 1 + strlen(e->mime) + 64 + 8;
}

int
manifest_encode(const struct manifest_entry *e, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	struct wr w;
	size_t i;

	if (n > MANIFEST_ENTRIES_MAX)
		return WISP_ERR_TOOBIG;
	wr_init(&w, out, cap);
	wr_bytes(&w, MAGIC, 4);
	wr_u8(&w, 1);
	wr_u32be(&w, (uint32_t)n);
	for (i = 0; i < n; i++) {
		size_t pl = strlen(e[i].path), ml = strlen(e[i].mime);
		if (!manifest_path_ok(e[i].path, pl) || !tree_mime_ok(e[i].mime) ||
		    (i && strcmp(e[i - 1].path, e[i].path) >= 0))
			return WISP_ERR_INVAL;
		wr_u16be(&w, (uint16_t)pl);
		wr_bytes(&w, e[i].path, pl);
		wr_u8(&w, (uint8_t)ml);
		wr_bytes(&w, e[i].mime, ml);
		wr_bytes(&w, e[i].rk, 32);
		wr_bytes(&w, e[i].ck, 32);
		wr_u64be(&w, e[i].length);
	}
	if (w.err)
		return w.err;
	*len = cap - w.left;
	return 0;
}

int
manifest_each(const uint8_t *p, size_t len, manifest_each_fn fn, void *ctx)
{
	uint8_t magic[4], ver, ml;
	char prev[MANIFEST_PATH_MAX + 1] = "";
	uint32_t n, i;
	uint16_t pl;
	struct rd c;

	rd_init(&c, p, len);
	if (len > MANIFEST_BYTES_MAX || rd_bytes(&c, magic, 4) || memcmp(magic, MAGIC, 4) || rd_u8(&c, &ver))
		return WISP_ERR_MALFORMED;
	if (ver != 1)
		return WISP_ERR_VERSION;
	if (rd_u32be(&c, &n) || n > MANIFEST_ENTRIES_MAX)
		return WISP_ERR_MALFORMED;
	/* Every entry is checked, not only up to a match: a manifest is
	 * valid as a whole or not at all. */
	for (i = 0; i < n; i++) {
		struct manifest_entry e;
		if (rd_u16be(&c, &pl) || pl > MANIFEST_PATH_MAX || rd_bytes(&c, e.path, pl))
			return WISP_ERR_MALFORMED;
		e.path[pl] = '\0';
		if (rd_u8(&c, &ml) || ml >= sizeof(e.mime) || rd_bytes(&c, e.mime, ml))
			return WISP_ERR_MALFORMED;
		e.mime[ml] = '\0';
		if (rd_bytes(&c, e.rk, 32) || rd_bytes(&c, e.ck, 32) || rd_u64be(&c, &e.length))
			return WISP_ERR_MALFORMED;
		if (!manifest_path_ok(e.path, pl) || memchr(e.path, '\0', pl) || !tree_mime_ok(e.mime) ||
		    (i && strcmp(prev, e.path) >= 0))
			return WISP_ERR_MALFORMED;
		memcpy(prev, e.path, (size_t)pl + 1);
		fn(ctx, &e);
	}
	return rd_end(&c) ? WISP_ERR_MALFORMED : 0;
}

struct finding {
	const char *path;
	struct manifest_entry *out;
	int found;
};

static void
find_one(void *ctx, const struct manifest_entry *e)
{
	struct finding *f = ctx;

	if (!f->found && strcmp(e->path, f->path) == 0) {
		*f->out = *e;
		f->found = 1;
	}
}

int
manifest_find(const uint8_t *p, size_t len, const char *path, struct manifest_entry *out)
{
	struct finding f = { *path ? path : MANIFEST_DEFAULT, out, 0 };
	int rc = manifest_each(p, len, find_one, &f);

	return rc ? rc : f.found ? 0 : WISP_ERR_NOTFOUND;
}
