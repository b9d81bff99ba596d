/* manifest.h: a site, as a document listing paths and their files.
 *
 * A manifest is an ordinary document (a CHK tree) of MIME type
 * MANIFEST_MIME whose bytes are "WSPM", version 1, a u32 entry count and
 * the entries sorted by path: path length (u16), path, MIME length (u8),
 * MIME type, the file's root routing and crypto keys, its length (u64).
 * Pure. */
#ifndef WISP_MANIFEST_H
#define WISP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

#define MANIFEST_MIME "application/x-wisp-manifest"
#define MANIFEST_DEFAULT "index.html"

enum manifest_limits {
	MANIFEST_PATH_MAX = 1024,
	MANIFEST_ENTRIES_MAX = 100000,
	MANIFEST_BYTES_MAX = 16 << 20,
};

struct manifest_entry {
	char path[MANIFEST_PATH_MAX + 1];
	char mime[128];
	uint8_t rk[32], ck[32];
	uint64_t length;
};

/* manifest_size: bytes an encoding of |n| entries with these paths and
 * types needs (the caller sums per entry: manifest_entry_size). */
size_t manifest_entry_size(const struct manifest_entry *e);
/* manifest_encode writes |n| entries, which must be sorted by path
 * (strcmp) and unique. Returns 0, WISP_ERR_INVAL or WISP_ERR_TOOBIG. */
int manifest_encode(const struct manifest_entry *e, size_t n, uint8_t *out, size_t cap,
    size_t *len) WISP_WUR;
/* manifest_find checks the whole manifest and looks |path| up ("" means
 * the default document). Returns 0, WISP_ERR_NOTFOUND,
 * WISP_ERR_MALFORMED or WISP_ERR_VERSION. */
int manifest_find(const uint8_t *p, size_t len, const char *path, struct manifest_entry *out) WISP_WUR;
/* manifest_each checks the whole manifest, calling |fn| for each entry in
 * path order as it goes (a caller keeps nothing until it returns 0).
 * Returns 0, WISP_ERR_MALFORMED or WISP_ERR_VERSION. */
typedef void (*manifest_each_fn)(void *ctx, const struct manifest_entry *e);
int manifest_each(const uint8_t *p, size_t len, manifest_each_fn fn, void *ctx) WISP_WUR;
/* manifest_path_ok: a relative path of non-empty segments, none "." or
 * "..", printable, no '\\', '?' or '#'. */
int manifest_path_ok(const char *path, size_t len);

#endif
