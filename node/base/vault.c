/* vault.c: the master key, sealed files, the conversion of an older data
 * directory, and the panic (vault.h). */
#define _GNU_SOURCE /* fopencookie */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/askpass.h"
#include "crypto/b64.h"
#include "crypto/datadir.h"
#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/base/vault_int.h"
#include "store/store.h"

/* The small files sealed, by their names in the data directory (which
 * are their associated data too); the transfers' areas are handled apart. */
static const char *const SEALED_FILES[] = {
	"identity", "seeds", "opennet.peers", "ark.edition", "keep", "transfers/queue", "bandwidth",
};
enum { NSEALED = sizeof(SEALED_FILES) / sizeof(SEALED_FILES[0]), FILE_MAX = 16 << 20, TRIES = 3 };

struct vault {
	int protect;
	int dead;                     /* after vault_panic: nothing more is written */
	uint8_t *keys;                /* sodium_malloc'd: master, files, store, area */
	char runtime[PATH_MAX];
};

#define MASTER(v) ((v)->keys)

static int
path_of(const struct node *n, const char *name, char *out, size_t cap)
{
	int k = snprintf(out, cap, "%s/%s", n->datadir, name);

	if (k < 0 || (size_t)k >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* read_whole reads a file of at most FILE_MAX bytes into a fresh buffer
 * (NUL-terminated). -1 with errno (ENOENT: none). */
static int
read_whole(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *b;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size > FILE_MAX || !(b = malloc((size_t)st.st_size + 1))) {
		if (st.st_size > FILE_MAX)
			errno = EFBIG;
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	b[got] = 0;
	*out = b;
	*len = got;
	return 0;
}

static void
free_secret(uint8_t *b, size_t len)
{
	if (b) {
		sodium_memzero(b, len);
		free(b);
	}
}

/* sync_dir makes renames in the data directory durable. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static void
derive(struct vault *v)
{
	seal_subkey(v->keys + 32, MASTER(v), SEAL_USE_FILES);
	seal_subkey(v->keys + 64, MASTER(v), SEAL_USE_STORE);
	seal_subkey(v->keys + 96, MASTER(v), SEAL_USE_AREA);
}

const uint8_t *
vault_key(const struct node *n, enum seal_use use)
{
	return n->vault->keys + 32 * (unsigned)use;
}

int vault_protect(const struct node *n) { return n->vault ? n->vault->protect : PROTECT_NONE; }
int vault_dead(const struct node *n) { return n->vault && n->vault->dead; }
const char *vault_runtime(const struct node *n) { return n->vault ? n->vault->runtime : ""; }

const char *
vault_shown(const struct node *n, const char *addr)
{
	return vault_protect(n) == PROTECT_NONE ? addr : "an address not logged (protect)";
}

const char *
vault_protect_name(int protect)
{
	return protect == PROTECT_PASSPHRASE ? "passphrase" : protect == PROTECT_MEMORY ? "memory" : "none";
}

/* ---- sealed files ---- */

/* seal_write seals |len| bytes as DATADIR/|name|. */
static int
seal_write(const struct node *n, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX + 32];
	uint8_t *box;
	int rc;

	if (path_of(n, name, path, sizeof(path)) != 0 || !(box = malloc(len + SEAL_OVERHEAD)))
		return -1;
	if (seal_box(box, vault_key(n, SEAL_USE_FILES), name, data, len) != 0) {
		free(box);
		errno = EINVAL;
		return -1;
	}
	rc = write_file_atomic(path, box, len + SEAL_OVERHEAD, 0600);
	free(box);
	return rc;
}

/* seal_read opens DATADIR/|name|. -1 with errno ENOENT (none) or EBADMSG
 * (it does not open under this node's key: logged with |why|). */
static int
seal_read(const struct node *n, const char *name, uint8_t **out, size_t *len, int why)
{
	char path[PATH_MAX + 32];
	uint8_t *box, *plain;
	size_t blen;
	int rc;

	if (path_of(n, name, path, sizeof(path)) != 0 || read_whole(path, &box, &blen) != 0)
		return -1;
	if (!(plain = malloc(blen + 1))) {
		free(box);
		return -1;
	}
	rc = seal_open(plain, len, vault_key(n, SEAL_USE_FILES), name, box, blen);
	free(box);
	if (rc != 0) {
		if (why)
			log_warnx("%s does not open under this node's key (%s)", path,
			    rc == WISP_ERR_MALFORMED ? "not sealed" : "damaged, or another node's");
		free(plain);
		errno = EBADMSG;
		return -1;
	}
	plain[*len] = 0;
	*out = plain;
	return 0;
}

/* A sealed file as a stdio stream: read whole and decrypted at open, or
 * gathered in memory and sealed at close. */
struct vstream {
	const struct node *n;
	char name[SEAL_NAME_MAX + 1];
	uint8_t *buf;
	size_t len, cap, pos;
	int writing;
};

static ssize_t
vs_read(void *c, char *out, size_t size)
{
	struct vstream *s = c;
	size_t k = s->len - s->pos < size ? s->len - s->pos : size;

	memcpy(out, s->buf + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

static ssize_t
vs_write(void *c, const char *in, size_t size)
{
	struct vstream *s = c;

	if (s->len + size > FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (s->len + size > s->cap) {
		size_t cap = (s->len + size) * 2;
		uint8_t *b = malloc(cap);
		if (!b)
			return -1;
		if (s->buf)
			memcpy(b, s->buf, s->len);
		free_secret(s->buf, s->cap);
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, in, size);
	s->len += size;
	return (ssize_t)size;
}

static int
vs_close(void *c)
{
	struct vstream *s = c;
	int rc = 0;

	if (s->writing && vault_protect(s->n) != PROTECT_MEMORY && !vault_dead(s->n))
		rc = seal_write(s->n, s->name, s->buf ? s->buf : (const uint8_t *)"", s->len);
	free_secret(s->buf, s->writing ? s->cap : s->len);
	free(s);
	return rc;
}

FILE *
vault_fopen(const struct node *n, const char *name, const char *mode)
{
	cookie_io_functions_t io = { vs_read, vs_write, NULL, vs_close };
	struct vstream *s;
	FILE *f;

	if (strlen(name) > SEAL_NAME_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	s->n = n;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->writing = mode[0] == 'w';
	if (!s->writing) {
		if (vault_protect(n) == PROTECT_MEMORY || vault_dead(n)) {
			free(s);
			errno = ENOENT;
			return NULL;
		}
		if (seal_read(n, name, &s->buf, &s->len, 1) != 0) {
			free(s);
			return NULL;
		}
	}
	if (!(f = fopencookie(s, s->writing ? "w" : "r", io)))
		vs_close(s);
	return f;
}

/* ---- passphrases ---- */

static int
cost_of(const struct vault_ask *ask, struct seal_cost *c)
{
	if (seal_cost_named(ask->cost ? ask->cost : "moderate", c) != 0) {
		fprintf(stderr, "wispd: unknown passphrase cost '%s' (interactive, moderate, sensitive)\n", ask->cost);
		return -1;
	}
	return 0;
}

/* make_keyfile formats the key file of |v|'s master key for |protect|. */
static int
make_keyfile(struct vault *v, const struct node *n, const struct vault_ask *ask, int protect, uint8_t *file,
    size_t *len)
{
	char pass[ASKPASS_MAX];
	struct seal_cost c;
	int k, rc;

	if (protect != PROTECT_PASSPHRASE)
		return seal_keyfile_make(file, len, MASTER(v), NULL, 0, NULL) == 0 ? 0 : -1;
	if (cost_of(ask, &c) != 0 || (k = askpass_new(ask->fd, "wispd: ", n->datadir, pass, sizeof(pass))) < 0)
		return -1;
	rc = seal_keyfile_make(file, len, MASTER(v), pass, (size_t)k, &c);
	sodium_memzero(pass, sizeof(pass));
	if (rc != 0)
		fprintf(stderr, "wispd: cannot derive a key from the passphrase: %s\n", wisp_strerror(rc));
	return rc == 0 ? 0 : -1;
}

/* unwrap opens a wrapped key file: up to three tries on a terminal, one
 * otherwise, each failure followed by a pause that doubles. */
static int
unwrap(struct vault *v, const struct node *n, const struct vault_ask *ask, const uint8_t *file, size_t len,
    const char *path)
{
	char pass[ASKPASS_MAX], prompt[PATH_MAX + 64];
	int tries, tty = 0, k, rc = WISP_ERR_VERIFY;

	snprintf(prompt, sizeof(prompt), "wispd: passphrase for %s: ", n->datadir);
	for (tries = 0; tries < TRIES; tries++) {
		if ((k = askpass_get(ask->fd, prompt, pass, sizeof(pass), &tty)) < 0) {
			fprintf(stderr, "wispd: %s is protected by a passphrase: run on a terminal, or give "
			    "--passphrase-fd N or the systemd credential wisp-passphrase\n", n->datadir);
			return 1;
		}
		rc = seal_keyfile_open(MASTER(v), file, len, pass, (size_t)k);
		sodium_memzero(pass, sizeof(pass));
		if (rc == 0)
			return 0;
		if (rc != WISP_ERR_VERIFY)
			break;
		sleep(1u << tries); /* a guesser at the keyboard waits too */
		if (!tty)
			break;
		fprintf(stderr, "wispd: wrong passphrase\n");
	}
	if (rc == WISP_ERR_VERIFY) {
		fprintf(stderr, "wispd: wrong passphrase for %s (nothing was changed)\n", path);
		return 3;
	}
	fprintf(stderr, "wispd: %s: %s\n", path, wisp_strerror(rc));
	return 1;
}

/* ---- the conversion of an older data directory (the copying: vault_convert.c) ---- */

/* seal_plain_file seals DATADIR/|name| in place if it is in the clear. */
static int
seal_plain_file(const struct node *n, const char *name)
{
	char path[PATH_MAX + 32];
	uint8_t *b, raw[32];
	size_t len;
	int rc;

	if (path_of(n, name, path, sizeof(path)) != 0)
		return -1;
	if (read_whole(path, &b, &len) != 0)
		return errno == ENOENT ? 0 : -1;
	if (seal_is_box(b, len)) {
		free(b);
		return 0;
	}
	if (strcmp(name, "identity") == 0) {
		/* base64url text in the clear; 32 raw bytes sealed */
		rc = len < B64_LEN(32) || b64_decode(raw, 32, (char *)b, B64_LEN(32)) != 0 ? -1 :
		    seal_write(n, name, raw, 32);
		sodium_memzero(raw, sizeof(raw));
	} else {
		rc = seal_write(n, name, b, len);
	}
	free_secret(b, len);
	if (rc != 0)
		fprintf(stderr, "wispd: cannot seal %s: %s\n", path, errno ? strerror(errno) : "damaged");
	return rc;
}

/* roll_forward finishes a conversion past its commit: it runs at every
 * start and does nothing once all is sealed. */
static int
roll_forward(const struct node *n)
{
	char store[PATH_MAX + 16], neu[PATH_MAX + 16];
	struct stat st;
	size_t i;

	if (path_of(n, "store", store, sizeof(store)) || path_of(n, "store.new", neu, sizeof(neu)))
		return -1;
	if (stat(neu, &st) == 0) {
		if (vlt_rm_tree(store) != 0 || rename(neu, store) != 0) {
			fprintf(stderr, "wispd: cannot put the sealed store in place of %s: %s\n", store, strerror(errno));
			return -1;
		}
		sync_dir(n->datadir);
	}
	for (i = 0; i < NSEALED; i++)
		if (seal_plain_file(n, SEALED_FILES[i]) != 0)
			return -1;
	if (path_of(n, "transfers", neu, sizeof(neu)) != 0)
		return -1;
	return vlt_seal_areas(neu, vault_key(n, SEAL_USE_AREA));
}

/* seal_store copies DATADIR/store, in the clear, into a sealed
 * DATADIR/store.new (vlt_seal_store). */
static int
seal_store(const struct node *n)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	struct store_config sc = { n->conf.store_size, n->conf.cache_percent, n->conf.map_budget,
		vault_key(n, SEAL_USE_STORE) };

	if (path_of(n, "store", from, sizeof(from)) || path_of(n, "store.new", to, sizeof(to)))
		return -1;
	return vlt_seal_store(from, to, &sc);
}

/* convert makes the master key of a data directory in the clear and
 * seals its store beside it; the rename of master.key.new commits. */
static int
convert(struct vault *v, struct node *n, const struct vault_ask *ask, int protect)
{
	char kpath[PATH_MAX + 16], knew[PATH_MAX + 16];
	uint8_t file[SEAL_KEYFILE_MAX];
	size_t flen;

	fprintf(stderr, "wispd: sealing the data directory %s (protect = %s)\n", n->datadir, vault_protect_name(protect));
	randombytes_buf(MASTER(v), 32);
	derive(v);
	if (path_of(n, "master.key", kpath, sizeof(kpath)) || path_of(n, "master.key.new", knew, sizeof(knew)) ||
	    make_keyfile(v, n, ask, protect, file, &flen) != 0)
		return -1;
	if (seal_store(n) != 0)
		return -1;
	if (write_file_atomic(knew, file, flen, 0600) != 0 || rename(knew, kpath) != 0) {
		fprintf(stderr, "wispd: cannot write %s: %s\n", kpath, strerror(errno));
		return -1;
	}
	sync_dir(n->datadir);
	return 0;
}

/* ---- the identity and the API token ---- */

static int
load_identity(struct node *n, int make)
{
	char path[PATH_MAX + 16];
	uint8_t *b;
	size_t len;

	if (!(n->id_secret = sodium_malloc(32)))
		return -1;
	path_of(n, "identity", path, sizeof(path));
	if (n->vault->protect != PROTECT_MEMORY && seal_read(n, "identity", &b, &len, 0) == 0) {
		int ok = len == 32;
		if (ok)
			memcpy(n->id_secret, b, 32);
		free_secret(b, len);
		if (!ok) {
			fprintf(stderr, "wispd: %s is damaged\n", path);
			return -1;
		}
	} else if (n->vault->protect != PROTECT_MEMORY && (errno != ENOENT || !make)) {
		fprintf(stderr, "wispd: cannot read %s: %s\n", path,
		    errno == EBADMSG ? "it does not open under this node's key (damaged, or another node's)" :
		    strerror(errno));
		return -1;
	} else {
		randombytes_buf(n->id_secret, 32);
		n->id_secret[0] &= 248, n->id_secret[31] &= 127, n->id_secret[31] |= 64;
		if (n->vault->protect != PROTECT_MEMORY && seal_write(n, "identity", n->id_secret, 32) != 0) {
			fprintf(stderr, "wispd: cannot write %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	crypto_scalarmult_base(n->id_public, n->id_secret);
	return 0;
}

/* load_token: under protect = none the token is kept, in the clear, in
 * DATADIR/api.token as before; a protected node draws one each start and
 * writes it only to its directory in RAM. */
static int
load_token(struct node *n)
{
	char path[PATH_MAX + 32], text[64];
	uint8_t tok[32];
	uint8_t *b;
	size_t len;
	int k;

	path_of(n, "api.token", path, sizeof(path));
	if (n->vault->protect == PROTECT_NONE && read_whole(path, &b, &len) == 0) {
		k = len >= B64_LEN(32) && b64_decode(tok, 32, (char *)b, B64_LEN(32)) == 0;
		free_secret(b, len);
		if (!k) {
			fprintf(stderr, "wispd: %s is corrupt\n", path);
			return -1;
		}
	} else {
		randombytes_buf(tok, 32);
	}
	if (b64_encode(n->token, sizeof(n->token), tok, 32) != 0)
		return -1;
	sodium_memzero(tok, sizeof(tok));
	k = snprintf(text, sizeof(text), "%s\n", n->token);
	if (n->vault->protect == PROTECT_NONE)
		return access(path, F_OK) == 0 || write_file_atomic(path, text, (size_t)k, 0600) == 0 ? 0 : -1;
	unlink(path); /* one left from before the passphrase */
	snprintf(path, sizeof(path), "%s/api.token", n->vault->runtime);
	if (write_file_atomic(path, text, (size_t)k, 0600) != 0) {
		fprintf(stderr, "wispd: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	sodium_memzero(text, sizeof(text));
	return 0;
}

/* ---- opening ---- */

/* after_panic removes what a panic set aside, and every sealed file
 * left: without the key they are noise, and the node starts anew. */
static void
after_panic(const struct node *n)
{
	static const char *const aside[] = { "store.dead", "transfers.dead", "store.new", "master.key.new", "panicked" };
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < NSEALED; i++)
		if (path_of(n, SEALED_FILES[i], path, sizeof(path)) == 0)
			unlink(path);
	for (i = 0; i < sizeof(aside) / sizeof(aside[0]); i++)
		if (path_of(n, aside[i], path, sizeof(path)) == 0)
			(void)vlt_rm_tree(path);
	sync_dir(n->datadir);
}

/* forget_all: protect = memory keeps nothing from one run to the next. */
static int
forget_all(const struct node *n)
{
	static const char *const gone[] = { "store", "transfers", "store.new", "api.token" };
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (path_of(n, gone[i], path, sizeof(path)) != 0 || vlt_rm_tree(path) != 0) {
			fprintf(stderr, "wispd: cannot remove %s: %s\n", path, strerror(errno));
			return -1;
		}
	return 0;
}

static int
exists(const struct node *n, const char *name)
{
	char path[PATH_MAX + 32];

	return path_of(n, name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

/* open_keyfile reads DATADIR/master.key, unwrapping it as need be, and
 * wraps a key in the clear when a passphrase is now wanted. */
static int
open_keyfile(struct vault *v, struct node *n, const struct vault_ask *ask, int *made)
{
	char kpath[PATH_MAX + 16];
	uint8_t *file = NULL, made_file[SEAL_KEYFILE_MAX];
	size_t len, mlen;
	int wrapped, rc;

	*made = 0;
	path_of(n, "master.key", kpath, sizeof(kpath));
	if (read_whole(kpath, &file, &len) != 0) {
		if (errno != ENOENT) {
			fprintf(stderr, "wispd: cannot read %s: %s\n", kpath, strerror(errno));
			return 1;
		}
		return -1; /* no key file */
	}
	if ((wrapped = seal_keyfile_wrapped(file, len)) < 0) {
		fprintf(stderr, "wispd: %s is not a key file of this wisp (%s)\n", kpath, wisp_strerror(wrapped));
		free_secret(file, len);
		return 1;
	}
	if (wrapped)
		rc = unwrap(v, n, ask, file, len, kpath);
	else if ((rc = seal_keyfile_open(MASTER(v), file, len, NULL, 0)) != 0) {
		fprintf(stderr, "wispd: %s is damaged\n", kpath);
		rc = 1;
	}
	free_secret(file, len);
	if (rc != 0)
		return rc;
	derive(v);
	v->protect = wrapped ? PROTECT_PASSPHRASE : PROTECT_NONE;
	if (!wrapped && ask->protect == PROTECT_PASSPHRASE) {
		/* protect = passphrase on a node without one: wrap its key */
		if (make_keyfile(v, n, ask, PROTECT_PASSPHRASE, made_file, &mlen) != 0 ||
		    write_file_atomic(kpath, made_file, mlen, 0600) != 0) {
			fprintf(stderr, "wispd: cannot protect %s with a passphrase\n", kpath);
			return 1;
		}
		sync_dir(n->datadir);
		v->protect = PROTECT_PASSPHRASE;
		*made = 1;
	} else if (wrapped && ask->protect == PROTECT_NONE) {
		log_warnx("protect = none, but %s is protected by a passphrase: kept (wisp passphrase --remove "
		    "removes it)", kpath);
	}
	return 0;
}

/* plain_identity: is DATADIR/identity a key in the clear (the layout
 * before December 2026)? -1 if there is none. */
static int
plain_identity(const struct node *n)
{
	char path[PATH_MAX + 16];
	uint8_t *b;
	size_t len;
	int plain;

	path_of(n, "identity", path, sizeof(path));
	if (read_whole(path, &b, &len) != 0)
		return -1;
	plain = !seal_is_box(b, len);
	free_secret(b, len);
	return plain;
}

static int
refuse_conf_peers(const struct node *n, int protect)
{
	if (protect == PROTECT_NONE || !n->conf.npeers)
		return 0;
	fprintf(stderr, "wispd: %s/wispd.conf names %u friends in the clear ('peer' lines); with protect = %s add "
	    "them with wisp peer add and remove the lines\n", n->datadir, n->conf.npeers, vault_protect_name(protect));
	return 1;
}

/* append_protect records a mode chosen by a flag in wispd.conf, so the
 * next start without the flag keeps it. */
static void
append_protect(const struct node *n, int protect)
{
	char path[PATH_MAX + 16], line[128];
	int fd, k;

	path_of(n, "wispd.conf", path, sizeof(path));
	k = snprintf(line, sizeof(line), "# set at first start (docs/operator.md, \"Protection\")\nprotect = %s\n",
	    vault_protect_name(protect));
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) >= 0) {
		if (write(fd, line, (size_t)k) != k || fsync(fd) != 0)
			log_warn("writing %s", path);
		close(fd);
	}
}

int
vault_open(struct node *n, const struct vault_ask *ask)
{
	int want = ask->protect == PROTECT_UNSET ? PROTECT_NONE : ask->protect, rc, made = 0, fresh = 0, plain;
	struct vault *v = calloc(1, sizeof(*v));

	if (!v || !(v->keys = sodium_malloc(128))) {
		fprintf(stderr, "wispd: out of memory\n");
		return 1;
	}
	n->vault = v;
	v->protect = want;
	if (exists(n, "panicked"))
		after_panic(n); /* a panic interrupted before it could tidy up */
	if (want == PROTECT_MEMORY) {
		if (exists(n, "master.key") || exists(n, "identity")) {
			fprintf(stderr, "wispd: protect = memory, but %s holds a node's keys: wisp panic forgets them "
			    "first\n", n->datadir);
			return 1;
		}
		if (refuse_conf_peers(n, want) || forget_all(n) != 0)
			return 1;
		randombytes_buf(MASTER(v), 32);
		derive(v);
		fresh = 1;
	} else if ((rc = open_keyfile(v, n, ask, &made)) > 0) {
		return rc;
	} else if (rc < 0) {
		/* no master.key: a new node, or one of the older layout */
		plain = plain_identity(n);
		if (plain == 0) {
			fprintf(stderr, "wispd: %s/identity is sealed, but %s/master.key is missing: this node's keys "
			    "are gone; move the directory aside to start a new node\n", n->datadir, n->datadir);
			return 1;
		}
		if (refuse_conf_peers(n, want))
			return 1;
		if (plain == 1) {
			if (convert(v, n, ask, want) != 0)
				return 1;
		} else {
			char kpath[PATH_MAX + 16];
			uint8_t file[SEAL_KEYFILE_MAX];
			size_t flen;
			randombytes_buf(MASTER(v), 32);
			derive(v);
			path_of(n, "master.key", kpath, sizeof(kpath));
			if (make_keyfile(v, n, ask, want, file, &flen) != 0)
				return 1;
			if (write_file_atomic(kpath, file, flen, 0600) != 0) {
				fprintf(stderr, "wispd: cannot write %s: %s\n", kpath, strerror(errno));
				return 1;
			}
			fresh = 1;
		}
		v->protect = want;
		made = 1;
	}
	if (refuse_conf_peers(n, v->protect))
		return 1;
	if (made && ask->protect != PROTECT_UNSET && ask->protect != n->conf.protect)
		append_protect(n, v->protect);
	if (v->protect != PROTECT_NONE && wisp_runtime_dir(v->runtime, sizeof(v->runtime), n->datadir, 1) != 0) {
		fprintf(stderr, "wispd: protect = %s keeps the API token in RAM, but there is no directory of this user's "
		    "in $XDG_RUNTIME_DIR or /dev/shm\n", vault_protect_name(v->protect));
		return 1;
	}
	if (v->protect != PROTECT_MEMORY && roll_forward(n) != 0)
		return 1;
	if (load_identity(n, fresh) != 0 || load_token(n) != 0)
		return 1;
	return 0;
}

/* ---- the end ---- */

/* destroy overwrites a file with noise before it goes, so the blocks
 * that held it on a simple disk hold noise (an SSD may keep old copies:
 * docs/threat-model.md). */
static int
destroy(const char *path)
{
	uint8_t noise[512];
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= (off_t)sizeof(noise)) {
		randombytes_buf(noise, sizeof(noise));
		if (pwrite(fd, noise, (size_t)st.st_size, 0) != st.st_size || fsync(fd) != 0)
			rc = -1;
	}
	close(fd);
	return unlink(path) == 0 ? rc : -1;
}

int
vault_panic(struct node *n)
{
	static const char *const keyfiles[] = { "master.key", "master.key.new", "master.key.tmp" };
	char path[PATH_MAX + 32], aside[PATH_MAX + 32];
	struct vault *v = n->vault;
	size_t i;
	int fd, rc = 0;

	/* the marker first: an interrupted panic is finished at the next start */
	if (path_of(n, "panicked", path, sizeof(path)) == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	for (i = 0; i < sizeof(keyfiles) / sizeof(keyfiles[0]); i++)
		if (path_of(n, keyfiles[i], path, sizeof(path)) == 0 && destroy(path) != 0)
			rc = -1;
	sync_dir(n->datadir);
	sodium_memzero(v->keys, 128);
	sodium_memzero(n->id_secret, 32);
	v->dead = 1;
	/* Without the key the rest is noise; set it aside now, remove it at
	 * the next start (a large store takes a while to unlink). */
	for (i = 0; i < NSEALED; i++)
		if (path_of(n, SEALED_FILES[i], path, sizeof(path)) == 0)
			unlink(path);
	if (path_of(n, "api.token", path, sizeof(path)) == 0)
		(void)destroy(path);
	if (*v->runtime && snprintf(path, sizeof(path), "%s/api.token", v->runtime) < (int)sizeof(path))
		unlink(path);
	if (path_of(n, "store", path, sizeof(path)) == 0 && path_of(n, "store.dead", aside, sizeof(aside)) == 0)
		(void)rename(path, aside);
	if (path_of(n, "transfers", path, sizeof(path)) == 0 && path_of(n, "transfers.dead", aside, sizeof(aside)) == 0)
		(void)rename(path, aside);
	sync_dir(n->datadir);
	log_warnx("panic: the master key is destroyed; this node stops and starts as a new one");
	return rc;
}

void
vault_close(struct node *n)
{
	struct vault *v = n->vault;
	char path[PATH_MAX + 32];

	if (!v)
		return;
	if (v->protect == PROTECT_MEMORY && !v->dead)
		(void)forget_all(n);
	if (*v->runtime) {
		snprintf(path, sizeof(path), "%s/api.token", v->runtime);
		unlink(path);
	}
	sodium_free(v->keys);
	free(v);
	n->vault = NULL;
}
