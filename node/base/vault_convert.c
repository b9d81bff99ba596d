/* vault_convert.c: the copying of a data directory in the clear into its
 * sealed form (vault_int.h), on paths and keys it is given: vault.c
 * decides when, names what, and commits. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "node/base/vault_int.h"
#include "store/area.h"
#include "store/store.h"

int
vlt_rm_tree(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub) || vlt_rm_tree(sub) != 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return rmdir(path);
}

struct copy { struct store *to; unsigned n; int rc; };

static int
copy_block(void *ctx, const uint8_t rkey[STORE_KEY_LEN], const uint8_t *block, size_t len, enum store_part part)
{
	struct copy *c = ctx;

	if ((c->rc = store_put(c->to, rkey, block, len, part)) != 0)
		return 1;
	if (++c->n % 256 == 0 && ((c->rc = store_commit(c->to)) != 0 || (c->rc = store_begin(c->to)) != 0))
		return 1;
	return 0;
}

struct copy_kv { struct store *to; enum store_table t; int rc; };

static int
copy_rec(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
	struct copy_kv *c = ctx;

	return (c->rc = store_kv_put(c->to, c->t, key, klen, val, vlen)) != 0;
}

int
vlt_seal_store(const char *from, const char *to, const struct store_config *sc)
{
	char data[PATH_MAX + 16], err[1024];
	struct store_config wide = { 0, 50, sc->map_budget, NULL };
	struct store *old = NULL, *neu = NULL;
	struct copy c = { NULL, 0, 0 };
	struct stat st;
	int t, rc = -1;

	if (vlt_rm_tree(to) != 0)
		return -1;
	if (stat(from, &st) != 0)
		return errno == ENOENT ? 0 : -1; /* no store yet: nothing to seal */
	/* A budget so wide that opening it evicts nothing: each partition
	 * gets at least the whole file. */
	if (snprintf(data, sizeof(data), "%s/data.mdb", from) >= (int)sizeof(data))
		return -1;
	wide.capacity = 2 * (uint64_t)(stat(data, &st) == 0 ? st.st_size : 0) + (64u << 20);
	if (store_open(&old, from, &wide, err, sizeof(err)) != 0 || store_open(&neu, to, sc, err, sizeof(err)) != 0) {
		fprintf(stderr, "wispd: converting the store: %s\n", err);
		goto out;
	}
	c.to = neu;
	if (store_begin(neu) != 0 || store_each(old, copy_block, &c) != 0 || c.rc != 0 || store_commit(neu) != 0) {
		fprintf(stderr, "wispd: converting the store: %s\n", c.rc ? store_errmsg(neu) : store_errmsg(old));
		goto out;
	}
	for (t = 0; t < STORE_NTABLES; t++) {
		struct copy_kv ck = { neu, (enum store_table)t, 0 };
		if (store_kv_each(old, (enum store_table)t, copy_rec, &ck) != 0 || ck.rc != 0) {
			fprintf(stderr, "wispd: converting the store's state: %s\n", store_errmsg(neu));
			goto out;
		}
	}
	rc = 0;
out:
	store_close(old);
	store_close(neu); /* synced */
	return rc;
}

int
vlt_seal_areas(const char *dir, const uint8_t *key)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (de = readdir(d))) {
		char path[PATH_MAX + 300], tmp[PATH_MAX + 310], rkey[32];
		struct area *old = NULL, *neu = NULL;
		uint8_t blk[32792];
		size_t len = strlen(de->d_name), bl;
		uint64_t i;
		int orc;
		if (len < 8 || strcmp(de->d_name + len - 7, ".blocks") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		if ((orc = area_open(&old, path, key, 0, NULL)) == 0) {
			area_close(old);
			continue; /* sealed already */
		}
		if (orc != WISP_ERR_VERSION || area_open(&old, path, NULL, 0, NULL) != 0)
			continue; /* damaged: the transfer's own start sets it aside */
		unlink(tmp);
		rc = area_open(&neu, tmp, key, 1, NULL);
		for (i = 0; rc == 0 && i < area_count(old); i++)
			if (area_at(old, i, (uint8_t *)rkey, blk, sizeof(blk), &bl) == 0)
				rc = area_add(neu, (uint8_t *)rkey, blk, bl);
		if (rc == 0)
			rc = area_sync(neu);
		area_close(old);
		area_close(neu);
		if (rc == 0 && rename(tmp, path) != 0)
			rc = -1;
		if (rc != 0)
			fprintf(stderr, "wispd: cannot seal %s: %s\n", path, strerror(errno));
	}
	closedir(d);
	return rc;
}
