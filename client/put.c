/* wisp put: encode a file into blocks here, stream them to the node in
 * batches (PUT_LANES in flight, on as many connections, while the next
 * is encoded: the node checks and keeps some while the others arrive),
 * print the URI.
 * The node never sees the plaintext, and neither side holds the whole
 * file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "client/cli.h"
#include "crypto/mime.h"
#include "crypto/split.h"
#include "crypto/bytes.h"
#include "crypto/fec.h"
#include "crypto/manifest.h"
#include "crypto/pool.h"
#include "crypto/tree.h"
#include "crypto/uri.h"

/* PUT_NICE: the encoding is bulk work; it takes the cores that the node
 * (the friends it serves, the blocks it checks and stores for this very
 * put) and the rest of the machine leave. A friend's 1 KiB fetches from
 * the node during a 512 MiB put: median 32 -> 16-22 ms; the put's own speed
 * did not move (36 and 35 MiB/s, medians of three). */
/* PUT_LANES: batches in flight, as many as the node takes in hand
 * (docs/api.md, POST /api/v1/transfer/blocks). */
enum { BATCH_BLOCKS = 64, READ_CHUNK = 1 << 20, PUT_NICE = 10, PUT_LANES = 4 };

struct put {
	struct api *api;      /* NULL with --key-only */
	struct api *lanes[PUT_LANES]; /* api and more connections: the batches go round them */
	unsigned lane;        /* the next batch's, whose last batch is the oldest in flight */
	struct pool *pool;    /* the encoding's threads, one per core */
	uint8_t *buf;         /* one read's worth of input */
	uint8_t *batch;       /* evhttp copies it when sent, so one suffices */
	size_t fill, nblocks;
	uint64_t blocks;
	unsigned checks;      /* of a full segment of FEC_K_DEFAULT: --redundancy */
	int rc, said;         /* said: a failure was already reported */
	/* the node's transfer, opened with the first batch */
	unsigned xid;
	uint64_t est_bytes, est_blocks;
	const char *name;
	int background, finished; /* finished: the node has every block */
};

/* est_blocks: about how many blocks a file of |len| bytes becomes. */
static uint64_t
est_blocks(uint64_t len, unsigned checks)
{
	return checks ? split_blocks_for(len, 24, FEC_K_DEFAULT, checks) : tree_blocks_for(len, 24);
}

static void
cancel_transfer(struct put *p)
{
	struct api_resp r;
	char path[64];

	if (!p->xid)
		return;
	snprintf(path, sizeof(path), "/api/v1/transfer?id=%u", p->xid);
	(void)api_request(p->api, EVHTTP_REQ_DELETE, path, NULL, 0, &r, NULL, NULL);
	api_resp_free(&r);
	p->xid = 0;
}

/* open_transfer asks the node for an insert of about est_blocks blocks:
 * it refuses one that cannot fit when the document would end there. */
static int
open_transfer(struct put *p)
{
	char path[3 * 1100 + 200], *en = NULL, body[512] = "";
	struct api_resp r;
	uint64_t id = 0, evicts = 0;
	size_t n;

	if (p->name && !(en = evhttp_encode_uri(p->name)))
		return p->said = 1, p->rc = cli_fail(CLI_FAIL, "out of memory"), -1;
	snprintf(path, sizeof(path), "/api/v1/transfers?direction=put&bytes=%llu&blocks=%llu&background=%d%s%s",
	    (unsigned long long)p->est_bytes, (unsigned long long)p->est_blocks, p->background,
	    en ? "&name=" : "", en ? en : "");
	free(en);
	if (api_request(p->api, EVHTTP_REQ_POST, path, NULL, 0, &r, NULL, NULL) != CLI_OK || r.code != 201) {
		p->rc = api_error_exit(&r, "put");
		p->said = 1;
		api_resp_free(&r);
		return -1;
	}
	n = evbuffer_copyout(r.body, body, sizeof(body) - 1);
	body[n > 0 ? n : 0] = 0;
	api_resp_free(&r);
	if (api_json_u64(body, "id", &id) != 0 || id == 0 || id > 0xffffffffULL) {
		p->said = 1;
		p->rc = cli_fail(CLI_FAIL, "put: the node's answer has no transfer id");
		return -1;
	}
	p->xid = (unsigned)id;
	if (api_json_u64(body, "evicts", &evicts) == 0 && evicts > 0)
		fprintf(stderr, "wisp: put: this node has no peer, and keeping this file pushes %.1f MiB of older "
		    "inserts out of its store\n", (double)evicts / (1 << 20));
	return 0;
}

/* open_lanes: the connections besides p->api that batches go on */
static int
open_lanes(struct put *p)
{
	for (unsigned i = 1; i < PUT_LANES; i++)
		if (api_lane(p->api, &p->lanes[i]) != CLI_OK)
			return CLI_FAIL;
	return CLI_OK;
}

/* settle waits for whatever a lane still has in flight, and forgets it. */
static void
settle(struct put *p)
{
	struct api_resp r;

	for (unsigned i = 0; i < PUT_LANES; i++)
		if (p->lanes[i]) {
			(void)api_wait(p->lanes[i], &r);
			api_resp_free(&r);
		}
}

/* progress moves both batches in flight on. */
static void
progress(struct put *p)
{
	for (unsigned i = 0; i < PUT_LANES; i++)
		api_progress(p->lanes[i]);
}

/* wait_batch waits for the batch |a| carries; on a failure (or Ctrl-C,
 * which cancels the transfer) it says why. */
static int
wait_batch(struct put *p, struct api *a)
{
	struct api_resp r;

	if (api_wait(a, &r) == CLI_OK && r.code == 200) {
		api_resp_free(&r);
		return 0;
	}
	settle(p);
	p->said = 1;
	if (api_interrupted(a) | api_interrupted(p->api)) {
		cancel_transfer(p);
		p->rc = cli_fail(CLI_INTERRUPTED, "put: interrupted before the node had every block: cancelled");
	} else {
		p->rc = api_error_exit(&r, "put");
	}
	api_resp_free(&r);
	return -1;
}

static int
flush_batch(struct put *p)
{
	struct api *a = p->lanes[p->lane];
	char path[64];

	if (!p->api || p->nblocks == 0)
		return 0;
	if (!p->xid && open_transfer(p) != 0)
		return -1;
	if (wait_batch(p, a) != 0) /* the one this lane carried, PUT_LANES batches ago */
		return -1;
	snprintf(path, sizeof(path), "/api/v1/transfer/blocks?id=%u", p->xid);
	if (api_send(a, EVHTTP_REQ_POST, path, p->batch, p->fill) != CLI_OK) {
		settle(p);
		p->rc = cli_fail(CLI_UNREACHABLE, "put: the node cannot be reached");
		p->said = 1;
		return -1;
	}
	p->lane = (p->lane + 1) % PUT_LANES;
	p->fill = 0;
	p->nblocks = 0;
	progress(p);
	return 0;
}

static int
emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct put *p = ctx;
	uint8_t *b = p->batch + p->fill;

	p->blocks++;
	if (!p->api)
		return 0;
	memcpy(b, k->routing, 32);
	store_u32be(b + 32, CHK_BLOCK_LEN);
	memcpy(b + 36, block, CHK_BLOCK_LEN);
	p->fill += 36 + CHK_BLOCK_LEN;
	progress(p); /* the batches before this one, on their way */
	if (++p->nblocks == BATCH_BLOCKS)
		return flush_batch(p);
	return 0;
}

static int
finish_uploads(struct put *p)
{
	if (flush_batch(p) != 0)
		return -1;
	if (!p->api)
		return 0;
	/* the oldest first: the node answers them in order */
	for (unsigned i = 0; i < PUT_LANES; i++)
		if (wait_batch(p, p->lanes[(p->lane + i) % PUT_LANES]) != 0)
			return -1;
	return 0;
}

/* finish_transfer: every block is with the node; the insert goes on
 * there. Foreground, we follow it until the network has them all. */
static int
finish_transfer(struct cli *c, struct put *p, const char *uri)
{
	char path[3 * URI_MAX + 64], *eu = evhttp_encode_uri(uri);
	struct api_resp r;
	int rc;

	if (!eu)
		return cli_fail(CLI_FAIL, "out of memory");
	snprintf(path, sizeof(path), "/api/v1/transfer/finish?id=%u&uri=%s", p->xid, eu);
	free(eu);
	rc = api_request(p->api, EVHTTP_REQ_POST, path, NULL, 0, &r, NULL, NULL);
	rc = rc == CLI_OK && r.code == 200 ? CLI_OK : api_error_exit(&r, "put");
	api_resp_free(&r);
	p->finished = rc == CLI_OK;
	if (rc != CLI_OK || p->background)
		return rc;
	return xfer_follow(c, p->api, p->xid, "insert", 1, NULL, 0);
}

static void
put_usage(void)
{
	fprintf(stderr, "usage: wisp put [FILE|-] [--name NAME] [--key-only | --key SSK@…/NAME | --key USK@…/SITE/N]\n"
	    "                [--redundancy PERCENT] [--background] [-v]\n"
	    "       wisp put --dir DIR [--key-only | --key USK@…/SITE/N] [--redundancy PERCENT]\n");
}

/* put_stream encodes what |fd| yields as one document, uploading its
 * blocks as they come. |mime| NULL: sniffed from the first bytes. */
static int
put_stream(struct put *p, int fd, const char *mime, struct chk_keys *root, uint64_t *bytes,
    struct progress *pg, uint64_t *done)
{
	struct tree_enc *e = NULL;
	int sniffed = mime != NULL, rc = CLI_FAIL;

	*bytes = 0;
	if (tree_enc_new_fec(&e, mime, FEC_K_DEFAULT, p->checks, emit, p) != 0)
		return cli_fail(CLI_FAIL, "put: out of memory");
	tree_enc_set_pool(e, p->pool);
	for (;;) {
		ssize_t n = read(fd, p->buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = cli_fail(CLI_FAIL, "put: reading: %s", strerror(errno));
			goto out;
		}
		if (!sniffed) {
			sniffed = 1; /* the first read decides the type */
			if (tree_enc_set_mime(e, mime_sniff(p->buf, (size_t)n)) != 0)
				abort(); /* mime_sniff returns only valid types */
		}
		if (n == 0)
			break;
		if (tree_enc_write(e, p->buf, (size_t)n) != 0)
			goto failed;
		*bytes += (uint64_t)n;
		*done += (uint64_t)n;
		progress_update(pg, *done, p->blocks);
	}
	if (tree_enc_finish(e, root) != 0)
		goto failed;
	rc = CLI_OK;
	goto out;
failed:
	/* An emit failure has said why already; anything else is memory. */
	rc = p->said ? p->rc : cli_fail(CLI_FAIL, "put: encoding failed (out of memory?)");
out:
	tree_enc_free(e);
	return rc;
}

/* A directory becomes a site: every file a document, then a manifest. */
struct site {
	struct manifest_entry *e;
	size_t n, cap;
	uint64_t total;
};

static int
collect(struct site *s, const char *root, const char *rel)
{
	char path[PATH_MAX], sub[MANIFEST_PATH_MAX + 2];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = CLI_OK;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(d = opendir(path)))
		return cli_fail(CLI_USAGE, "put: cannot read directory %s: %s", path, strerror(errno));
	while (rc == CLI_OK && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= sizeof(sub)) {
			rc = cli_fail(CLI_USAGE, "put: path too long under %s", path);
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = collect(s, root, sub);
		} else if (S_ISREG(st.st_mode)) {
			if (!manifest_path_ok(sub, strlen(sub))) {
				rc = cli_fail(CLI_USAGE, "put: cannot publish '%s': spaces, control characters, "
				    "'\\', '?' and '#' are not allowed in site paths", sub);
				break;
			}
			if (s->n == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 32;
				struct manifest_entry *ne = s->n >= MANIFEST_ENTRIES_MAX ? NULL
				    : realloc(s->e, cap * sizeof(*ne));
				if (!ne) {
					rc = cli_fail(CLI_FAIL, "put: too many files");
					break;
				}
				s->e = ne;
				s->cap = cap;
			}
			memset(&s->e[s->n], 0, sizeof(s->e[0]));
			memcpy(s->e[s->n].path, sub, strlen(sub) + 1);
			s->e[s->n++].length = (uint64_t)st.st_size;
			s->total += (uint64_t)st.st_size;
		}
		/* links and devices are skipped: a site holds what is in it */
	}
	closedir(d);
	return rc;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path, ((const struct manifest_entry *)b)->path);
}

/* put_buffer encodes and uploads a document held in memory (a manifest). */
static int
put_buffer(struct put *p, const uint8_t *data, size_t len, const char *mime, struct chk_keys *root)
{
	struct tree_enc *e = NULL;
	int rc;

	if (tree_enc_new_fec(&e, mime, FEC_K_DEFAULT, p->checks, emit, p) != 0)
		return cli_fail(CLI_FAIL, "put: out of memory");
	tree_enc_set_pool(e, p->pool);
	rc = tree_enc_write(e, data, len) == 0 && tree_enc_finish(e, root) == 0 ? CLI_OK
	    : p->said ? p->rc : cli_fail(CLI_FAIL, "put: encoding the manifest failed");
	tree_enc_free(e);
	return rc;
}

static int
put_dir(struct put *p, const char *dir, struct chk_keys *root, uint64_t *total, int quiet)
{
	struct site s = { 0 };
	struct progress *pg = NULL;
	uint8_t *man = NULL;
	size_t i, size = 9, len;
	uint64_t done = 0, bytes;
	int rc;

	if ((rc = collect(&s, dir, "")) != CLI_OK)
		goto out;
	if (s.n == 0) {
		rc = cli_fail(CLI_USAGE, "put: %s has no files", dir);
		goto out;
	}
	qsort(s.e, s.n, sizeof(s.e[0]), by_path);
	p->est_bytes = s.total;
	p->est_blocks = 2 + s.n * 2; /* the manifest */
	for (i = 0; i < s.n; i++)
		p->est_blocks += est_blocks(s.e[i].length, p->checks);
	pg = progress_new(!quiet, "put", s.total);
	for (i = 0; i < s.n; i++) {
		char path[PATH_MAX + MANIFEST_PATH_MAX + 2];
		struct chk_keys k;
		const char *mime = mime_from_name(s.e[i].path);
		int fd;
		snprintf(path, sizeof(path), "%s/%s", dir, s.e[i].path);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			rc = cli_fail(CLI_USAGE, "put: cannot open %s: %s", path, strerror(errno));
			goto out;
		}
		rc = put_stream(p, fd, mime, &k, &bytes, pg, &done);
		close(fd);
		if (rc != CLI_OK)
			goto out;
		if (!mime)
			mime = "application/octet-stream";
		snprintf(s.e[i].mime, sizeof(s.e[i].mime), "%s", mime);
		memcpy(s.e[i].rk, k.routing, 32);
		memcpy(s.e[i].ck, k.crypto, 32);
		s.e[i].length = bytes;
		size += manifest_entry_size(&s.e[i]);
	}
	if (size > MANIFEST_BYTES_MAX || !(man = malloc(size)) ||
	    manifest_encode(s.e, s.n, man, size, &len) != 0) {
		rc = cli_fail(CLI_FAIL, "put: the site's manifest cannot be built (too large?)");
		goto out;
	}
	rc = put_buffer(p, man, len, MANIFEST_MIME, root);
	*total = done;
out:
	progress_done(pg);
	free(man);
	free(s.e);
	return rc;
}

/* parse_redundancy: check blocks per full segment for PERCENT (0: a
 * plain tree, as before erasure coding). */
static int
parse_redundancy(const char *s, unsigned *checks)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 100 || *s == '-' || *s == '+')
		return -1;
	*checks = (unsigned)((v * FEC_K_DEFAULT + 50) / 100);
	return 0;
}

int
cli_put(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "key-only", no_argument, NULL, 'k' },
		{ "key", required_argument, NULL, 'K' },
		{ "dir", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "redundancy", required_argument, NULL, 'r' },
		{ "background", no_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "-", *name = NULL, *mime = NULL, *key = NULL, *dir = NULL;
	struct uri ku, u = { .type = URI_CHK, .alg = URI_ALG_V1, .kind = URI_KIND_DOC };
	struct put p = { .rc = CLI_FAIL, .checks = FEC_M_DEFAULT };
	struct progress *pg = NULL;
	struct chk_keys root;
	char text[URI_MAX];
	uint64_t total = 0, done = 0, bytes;
	int key_only = 0, fd = -1, o;
	struct stat st;

	optind = 1;
	while ((o = getopt_long(argc, argv, "n:kqv", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else if (o == 'k')
			key_only = 1;
		else if (o == 'K')
			key = optarg;
		else if (o == 'D')
			dir = optarg;
		else if (o == 'q')
			c->quiet = 1;
		else if (o == 'v')
			c->verbose = 1;
		else if (o == 'b')
			p.background = 1;
		else if (o == 'r' && parse_redundancy(optarg, &p.checks) != 0)
			return cli_fail(CLI_USAGE, "put: --redundancy is a percentage from 0 to 100");
		else if (o != 'r')
			return put_usage(), CLI_USAGE;
	}
	if (optind < argc && !dir)
		file = argv[optind++];
	if (optind != argc || (dir && name))
		return put_usage(), CLI_USAGE;
	if (key && (key_only || ssk_check(key, &ku) != CLI_OK))
		return key_only ? cli_fail(CLI_USAGE, "put: --key and --key-only do not go together") : CLI_USAGE;
	if (dir && key && ku.type != URI_USK)
		return cli_fail(CLI_USAGE, "put: a site is published as a USK edition: --key USK@…/SITE/N");
	if (p.background && (key || key_only))
		return cli_fail(CLI_USAGE, "put: --background does not go with --key or --key-only: a signed name "
		    "is published by wisp itself, once the insert is done");
	if (name && (strchr(name, '/') || !*name || !strcmp(name, ".") || !strcmp(name, "..") ||
	    uri_name_encode(name, NULL, 0) != 0))
		return cli_fail(CLI_USAGE, "put: --name must be one path segment (no '/', at most %d bytes written "
		    "as the URI writes them)", URI_NAME_MAX);
	if (!dir) {
		fd = STDIN_FILENO;
		if (strcmp(file, "-") != 0 && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
			return cli_fail(CLI_USAGE, "put: cannot open %s: %s", file, strerror(errno));
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return cli_fail(CLI_USAGE, "put: %s is a directory: use wisp put --dir %s", file, file);
		}
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			total = (uint64_t)st.st_size;
		if (fd == STDIN_FILENO && isatty(fd) && !c->quiet)
			fprintf(stderr, "wisp: put: reading the document from the terminal; Ctrl-D ends it\n");
		if (name)
			mime = mime_from_name(name);
		if (!mime && strcmp(file, "-") != 0)
			mime = mime_from_name(file);
	}
	if (!key_only && (api_open(&p.api, c->datadir) != CLI_OK || api_catch_interrupt(p.api) != 0 ||
	    open_lanes(&p) != CLI_OK)) {
		p.rc = CLI_UNREACHABLE;
		goto out;
	}
	p.lanes[0] = p.api;
	p.name = dir ? NULL : name ? name : strcmp(file, "-") ? file : NULL;
	if (!dir) {
		p.est_bytes = total;
		p.est_blocks = total ? est_blocks(total, p.checks) : 0; /* a pipe: not known */
	}
	/* before the pool: its threads inherit it (a thread's own on Linux) */
	errno = 0;
	if (nice(PUT_NICE) == -1 && errno != 0 && c->verbose)
		fprintf(stderr, "wisp: put: cannot lower its priority: %s\n", strerror(errno));
	if (!(p.buf = malloc(READ_CHUNK)) || !(p.batch = malloc(BATCH_BLOCKS * (36 + CHK_BLOCK_LEN))) ||
	    pool_new(&p.pool, 0) != 0) {
		p.rc = cli_fail(CLI_FAIL, "put: out of memory");
		goto out;
	}
	if (dir) {
		if ((p.rc = put_dir(&p, dir, &root, &done, c->quiet)) != CLI_OK)
			goto out;
	} else {
		pg = progress_new(!c->quiet, "put", total);
		if ((p.rc = put_stream(&p, fd, mime, &root, &bytes, pg, &done)) != CLI_OK)
			goto out;
		done = bytes;
	}
	p.rc = CLI_FAIL;
	if (finish_uploads(&p) != 0) {
		if (p.rc == CLI_FAIL && !p.said)
			p.rc = cli_fail(CLI_FAIL, "put: upload failed");
		goto out;
	}
	progress_done(pg);
	pg = NULL;
	memcpy(u.key, root.routing, 32);
	memcpy(u.ckey, root.crypto, 32);
	if (name && !key && uri_name_encode(name, u.name, sizeof(u.name)) != 0)
		abort(); /* checked above */
	if (uri_format(text, sizeof(text), &u, 0) != 0) {
		p.rc = cli_fail(CLI_FAIL, "put: cannot format the URI");
		goto out;
	}
	if (p.api && (p.rc = finish_transfer(c, &p, text)) != CLI_OK)
		goto out;
	if (key) {
		p.rc = ssk_publish(c, p.api, &ku, &root);
		sodium_memzero(&ku, sizeof(ku));
		goto out;
	}
	printf("%s\n", text);
	if (p.background && !c->quiet)
		fprintf(stderr, "wisp: inserting in the node as transfer %u: wisp wait %u follows it\n", p.xid, p.xid);
	if (c->verbose)
		fprintf(stderr, "wisp: %llu bytes, %llu blocks\n", (unsigned long long)done,
		    (unsigned long long)p.blocks);
	p.rc = CLI_OK;
out:
	progress_done(pg);
	if (p.rc != CLI_OK && p.xid && !p.finished)
		cancel_transfer(&p); /* what it was handed cannot become a document */
	if (p.buf)
		sodium_memzero(p.buf, READ_CHUNK);
	free(p.buf);
	free(p.batch);
	pool_free(p.pool);
	api_close(p.api);
	if (fd > STDIN_FILENO)
		close(fd);
	return p.rc;
}
