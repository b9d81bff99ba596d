/* The data directory: lock, config, identity, API token, address files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/datadir.h"
#include "crypto/err.h"
#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "store/store.h"

static int
read_small(const char *path, char *buf, size_t cap)
{
	long n = read_small_file(path, buf, cap - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static int
mkdirs(const char *dir)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(p))
		return -1;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -1;
		p[i] = i == n ? '\0' : '/';
	}
	return 0;
}

static int
take_lock(struct node *n, int *lock_fd)
{
	char path[PATH_MAX + 16], pid[32];
	int fd;

	snprintf(path, sizeof(path), "%s/wispd.lock", n->datadir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "wispd: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t r = read(fd, pid, sizeof(pid) - 1);
		pid[r > 0 ? r : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "wispd: data directory %s is in use by another wispd%s%s%s\n", n->datadir,
		    pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
		close(fd);
		return -1;
	}
	*lock_fd = fd;
	return 0;
}

int
datadir_read_conf(const struct node *n, struct node_conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], why[160], *buf, *line, *save = NULL;
	int len, lineno = 0, rc = 0;

	snprintf(path, sizeof(path), "%s/wispd.conf", n->datadir);
	if (!(buf = malloc(65536))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((len = read_small(path, buf, 65536)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (conf_line(c, line, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			rc = -1;
			break;
		}
	}
	free(buf);
	return rc;
}

static int
load_conf(struct node *n)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/wispd.conf", n->datadir);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		/* First start: a random peer port, kept from now on, so no one
		 * well-known port marks wisp traffic. */
		char text[1024];
		snprintf(n->conf.listen, sizeof(n->conf.listen), "[::]:%u",
		    20000 + randombytes_uniform(40000));
		if (conf_write(&n->conf, text, sizeof(text)) != 0 ||
		    write_file_atomic(path, text, strlen(text), 0600) != 0) {
			fprintf(stderr, "wispd: cannot write %s: %s\n", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (datadir_read_conf(n, &n->conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "wispd: %s\n", err);
		return -1;
	}
	return 0;
}

int
datadir_prepare(struct node *n, int *lock_fd)
{
	uint8_t tok[32];

	if (mkdirs(n->datadir) != 0) {
		fprintf(stderr, "wispd: cannot create data directory %s: %s\n", n->datadir, strerror(errno));
		return -1;
	}
	if (take_lock(n, lock_fd) != 0 || load_conf(n) != 0)
		return -1;
	/* The home page's upload token: fresh each start, known only to the
	 * node's own pages (docs/gateway.md). */
	randombytes_buf(tok, 16);
	sodium_bin2hex(n->form_token, sizeof(n->form_token), tok, 16);
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

int
datadir_write_addr(const struct node *n, const char *name, const char *addr)
{
	char path[PATH_MAX + 16], line[CONF_ADDR_MAX + 2];
	int len = snprintf(line, sizeof(line), "%s\n", addr);

	snprintf(path, sizeof(path), "%s/%s", n->datadir, name);
	return write_file_atomic(path, line, (size_t)len, 0644);
}

void
datadir_remove_addrs(const struct node *n)
{
	static const char *names[] = { "node.addr", "api.addr", "wispd.pid" };
	char path[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", n->datadir, names[i]);
		unlink(path);
	}
}

int
datadir_open_store(struct node *n)
{
	struct store_config sc = {
		.capacity = n->conf.store_size,
		.cache_percent = n->conf.cache_percent,
		.map_budget = n->conf.map_budget,
		.seal = vault_key(n, SEAL_USE_STORE),
	};
	char sdir[sizeof(n->datadir) + 16], aside[sizeof(sdir) + 32], err[1024];
	int k = snprintf(sdir, sizeof(sdir), "%s/store", n->datadir), rc;

	if (k < 0 || (size_t)k >= sizeof(sdir))
		fatalx("data directory path too long");
	rc = store_open(&n->store, sdir, &sc, err, sizeof(err));
	if (rc == WISP_ERR_MALFORMED) {
		/* A damaged store is set aside, not deleted, and the node
		 * starts with an empty one: it keeps routing. */
		snprintf(aside, sizeof(aside), "%s.damaged-%lld", sdir, (long long)time(NULL));
		log_warnx("%s; moved to %s, starting with an empty store", err, aside);
		if (rename(sdir, aside) != 0 || mkdir(sdir, 0700) != 0) {
			fprintf(stderr, "wispd: cannot set the damaged store aside: %s\n", strerror(errno));
			return -1;
		}
		rc = store_open(&n->store, sdir, &sc, err, sizeof(err));
	}
	if (rc != 0) {
		fprintf(stderr, "wispd: %s\n", err);
		return -1;
	}
	return 0;
}
