/* seek: does any file under DIR hold any of the needles? For the test of
 * a seized disk (t_seized.sh): each secret is sought as its raw bytes, as
 * hex (both cases), and as base64url and base64 at each of the three
 * alignments it can have inside a longer encoding.
 *   seek DIR NEEDLES   NEEDLES: lines "hex LABEL HEX", "b64 LABEL B64URL",
 *                      "text LABEL TEXT" (the rest of the line, raw only)
 * Prints "found LABEL as FORM in FILE" for each hit and a summary line;
 * exits 1 if anything was found, 2 on a usage or I/O error. */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "crypto/b64.h"

enum { NEEDLES_MAX = 4096, FORMS = 10 };

struct needle {
	char label[64];
	struct { char form[16]; uint8_t *b; size_t len; } f[FORMS];
	int nf;
};

static struct needle nd[NEEDLES_MAX];
static int nn, hits;
static long files;

static void
add_form(struct needle *n, const char *form, const void *b, size_t len)
{
	if (len < 6 || n->nf == FORMS)
		return; /* too short to mean anything */
	snprintf(n->f[n->nf].form, sizeof(n->f[n->nf].form), "%s", form);
	n->f[n->nf].b = malloc(len);
	memcpy(n->f[n->nf].b, b, len);
	n->f[n->nf].len = len;
	n->nf++;
}

/* b64_cores adds the base64 text of |raw| as it appears inside any longer
 * encoding: for each alignment, only the characters that depend on the
 * needle's bytes alone. */
static void
b64_cores(struct needle *n, const uint8_t *raw, size_t len, int url)
{
	uint8_t buf[512];
	char enc[800];
	size_t shift;

	for (shift = 0; shift < 3 && len + 2 < sizeof(buf); shift++) {
		size_t skip = (shift * 4 + 2) / 3, elen, keep;
		memset(buf, 0, shift);
		memcpy(buf + shift, raw, len);
		if (url) {
			if (b64_encode(enc, sizeof(enc), buf, len + shift) != 0)
				continue;
		} else {
			sodium_bin2base64(enc, sizeof(enc), buf, len + shift, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
		}
		elen = strlen(enc);
		keep = elen > skip + 2 ? elen - skip - 2 : 0; /* the last may mix with what follows */
		add_form(n, url ? "base64url" : "base64", enc + skip, keep);
	}
}

static void
add_raw(struct needle *n, const uint8_t *raw, size_t len)
{
	char hex[1025];
	size_t i;

	if (len > 512)
		return;
	add_form(n, "raw", raw, len);
	sodium_bin2hex(hex, sizeof(hex), raw, len);
	add_form(n, "hex", hex, 2 * len);
	for (i = 0; hex[i]; i++)
		if (hex[i] >= 'a' && hex[i] <= 'f')
			hex[i] = (char)(hex[i] - 'a' + 'A');
	add_form(n, "HEX", hex, 2 * len);
	b64_cores(n, raw, len, 1);
	b64_cores(n, raw, len, 0);
}

static int
load(const char *path)
{
	char line[4096], kind[8], label[64];
	uint8_t raw[512];
	size_t len;
	FILE *f = fopen(path, "r");
	int off;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && nn < NEEDLES_MAX) {
		struct needle *n = &nd[nn];
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%7s %63s %n", kind, label, &off) != 2)
			continue;
		snprintf(n->label, sizeof(n->label), "%s", label);
		if (!strcmp(kind, "text")) {
			add_form(n, "text", line + off, strlen(line + off));
		} else if (!strcmp(kind, "hex")) {
			if (sodium_hex2bin(raw, sizeof(raw), line + off, strlen(line + off), NULL, &len, NULL) != 0)
				continue;
			add_raw(n, raw, len);
		} else if (!strcmp(kind, "b64")) {
			len = strlen(line + off) * 3 / 4;
			if (len > sizeof(raw) || b64_decode(raw, len, line + off, strlen(line + off)) != 0)
				continue;
			add_raw(n, raw, len);
		} else {
			continue;
		}
		nn++;
	}
	fclose(f);
	return 0;
}

static void
seek_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long size;
	int i, j;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	if (size <= 0 || !(b = malloc((size_t)size))) {
		fclose(f);
		return;
	}
	if (fread(b, 1, (size_t)size, f) == (size_t)size) {
		files++;
		for (i = 0; i < nn; i++)
			for (j = 0; j < nd[i].nf; j++)
				if (memmem(b, (size_t)size, nd[i].f[j].b, nd[i].f[j].len)) {
					printf("found %s as %s in %s\n", nd[i].label, nd[i].f[j].form, path);
					hits++;
				}
	}
	free(b);
	fclose(f);
}

static void
walk(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path);
		else if (S_ISREG(st.st_mode))
			seek_file(path);
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	if (argc != 3 || sodium_init() < 0 || load(argv[2]) != 0)
		return fprintf(stderr, "usage: seek DIR NEEDLES\n"), 2;
	walk(argv[1]);
	printf("sought %d secrets in %ld files: %d found\n", nn, files, hits);
	return hits ? 1 : 0;
}
