/* ingest.c: documents handed to the node in the clear by the home page: a
 * file, or a site as a .zip of its folder. The browser sends the bytes in
 * pieces to a temporary file (unlinked at once); the node then encodes
 * them as `wisp put` would and inserts the blocks, a bounded window at a
 * time, while the page polls for progress.
 *
 *   POST /upload/new?name=N&size=S&kind=file|zip   → {"id": …}
 *   POST /upload/ID?offset=O   (body: the next piece) → {"received": …}
 *   GET  /upload/ID                                   → progress, then the URI
 *
 * Every call needs the header X-Wisp-Form: the token only the home page
 * carries. Network pages run no script and so cannot send it; other web
 * sites cannot send custom headers here without a CORS preflight, which
 * the node never grants. docs/gateway.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>
#include <zip.h>

#include "crypto/fec.h"
#include "crypto/manifest.h"
#include "crypto/mime.h"
#include "crypto/pool.h"
#include "crypto/split.h"
#include "crypto/tree.h"
#include "crypto/uri.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/http/ingest.h"
#include "node/http/pages.h"
#include "node/http/reply.h"
#include "node/route/driver.h"

enum {
	INGESTS_MAX = 4,
	INGEST_FILE_MAX = 1 << 30,     /* larger: wisp put */
	INGEST_ZIP_MAX = 256 << 20,
	INGEST_SITE_MAX = 1 << 30,     /* a zip's contents, uncompressed */
	INGEST_WINDOW = 64,            /* blocks being inserted at once */
	INGEST_CHUNK = 256 << 10,
	INGEST_IDLE_S = 600,           /* silent uploads and unread results go */
};

enum ingest_state { IN_RECEIVING, IN_INSERTING, IN_DONE, IN_FAILED };
static const char *const state_names[] = { "receiving", "inserting", "done", "failed" };

struct ingest {
	struct node *n;
	struct ingest *next;
	char id[33];
	enum ingest_state state;
	int zip, fd;
	char name[URI_NAME_MAX + 1];
	uint64_t size, received, rd;
	struct tree_enc *enc;
	/* a site */
	zip_t *za;
	zip_file_t *zf;
	zip_uint64_t zi, zn;
	size_t strip;              /* a common top folder, left out of the paths */
	struct manifest_entry *e;
	size_t ne;
	uint64_t entry_len, site_bytes;
	int sniff;
	/* inserting */
	uint64_t blocks_total, blocks_done, blocks_failed, blocks_unstored, inflight;
	struct event *pump, *expire;
	uint8_t *buf;
	char uri[URI_MAX], reason[160];
};

static int emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k);

/* new_enc starts an encoder on the node's pool, as wisp put's: every
 * core, the same blocks. */
static int
new_enc(struct ingest *g, const char *mime)
{
	if (tree_enc_new_fec(&g->enc, mime, FEC_K_DEFAULT, FEC_M_DEFAULT, emit, g) != 0)
		return -1;
	if (!g->n->ingest_pool && pool_new(&g->n->ingest_pool, 0) != 0)
		g->n->ingest_pool = NULL; /* then on the loop's thread alone */
	if (g->n->ingest_pool)
		tree_enc_set_pool(g->enc, g->n->ingest_pool);
	return 0;
}

static void
ingest_free(struct ingest *g)
{
	struct ingest **pp;

	for (pp = &g->n->ingests; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			g->n->ningests--;
			break;
		}
	}
	if (g->zf)
		zip_fclose(g->zf);
	if (g->za)
		zip_discard(g->za);
	if (g->fd >= 0)
		close(g->fd);
	tree_enc_free(g->enc);
	free(g->e);
	free(g->buf);
	if (g->pump)
		event_free(g->pump);
	if (g->expire)
		event_free(g->expire);
	free(g);
}

static void
touch(struct ingest *g)
{
	struct timeval tv = { INGEST_IDLE_S, 0 };

	event_add(g->expire, &tv);
}

static void
on_expire(evutil_socket_t fd, short ev, void *arg)
{
	struct ingest *g = arg;

	(void)fd;
	(void)ev;
	if (g->inflight) { /* inserts still answering: look again later */
		touch(g);
		return;
	}
	ingest_free(g);
}

static void fail(struct ingest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct ingest *g, const char *fmt, ...)
{
	va_list ap;

	if (g->state == IN_FAILED)
		return;
	g->state = IN_FAILED;
	va_start(ap, fmt);
	vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
	va_end(ap);
	log_info("upload %.8s failed: %s", g->id, g->reason);
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	if (g->zf)
		zip_fclose(g->zf);
	g->zf = NULL;
	if (g->za)
		zip_discard(g->za);
	g->za = NULL;
}

/* ---- inserting ---- */

static void
block_done(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct ingest *g = cookie;

	(void)block;
	(void)len;
	(void)hops;
	g->inflight--;
	if (st == ROUTER_INSERTED || st == ROUTER_COLLISION)
		g->blocks_done++;
	else if (st == NODE_STORE_FAILED)
		g->blocks_unstored++;
	else
		g->blocks_failed++;
	event_active(g->pump, 0, 0);
}

static int
emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct ingest *g = ctx;

	g->inflight++;
	if (node_insert_block(g->n, k->routing, block, CHK_BLOCK_LEN, block_done, g) != 0) {
		g->inflight--;
		return WISP_ERR_NOMEM;
	}
	return 0;
}

static void
finish(struct ingest *g, const struct chk_keys *root)
{
	struct uri u = { .type = URI_CHK, .alg = URI_ALG_V1, .kind = URI_KIND_DOC };

	memcpy(u.key, root->routing, 32);
	memcpy(u.ckey, root->crypto, 32);
	if (!g->zip && g->name[0])
		snprintf(u.name, sizeof(u.name), "%s", g->name);
	if (uri_format(g->uri, sizeof(g->uri), &u, 0) != 0)
		fail(g, "cannot format the URI");
	tree_enc_free(g->enc);
	g->enc = NULL;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->rd = g->size; /* nothing more to read */
}

/* file_step encodes the next piece of a single file. 1: more to do. */
static int
file_step(struct ingest *g)
{
	struct chk_keys root;
	ssize_t r;

	if (g->rd >= g->size) {
		if (tree_enc_finish(g->enc, &root) != 0) {
			fail(g, "encoding failed (out of memory?)");
			return 0;
		}
		finish(g, &root);
		return 0;
	}
	r = pread(g->fd, g->buf, INGEST_CHUNK, (off_t)g->rd);
	if (r <= 0) {
		fail(g, "reading the upload back: %s", r < 0 ? strerror(errno) : "short file");
		return 0;
	}
	if (g->sniff) {
		g->sniff = 0;
		if (tree_enc_set_mime(g->enc, mime_sniff(g->buf, (size_t)r)) != 0)
			abort(); /* mime_sniff returns only valid types */
	}
	if (tree_enc_write(g->enc, g->buf, (size_t)r) != 0) {
		fail(g, "encoding failed (out of memory?)");
		return 0;
	}
	g->rd += (uint64_t)r;
	return 1;
}

static int
site_manifest(struct ingest *g)
{
	uint8_t *man = NULL;
	size_t size = 9, len, i;
	struct chk_keys root;
	int ok;

	for (i = 0; i < g->ne; i++)
		size += manifest_entry_size(&g->e[i]);
	ok = size <= MANIFEST_BYTES_MAX && (man = malloc(size)) && manifest_encode(g->e, g->ne, man, size, &len) == 0 &&
	    new_enc(g, MANIFEST_MIME) == 0 && tree_enc_write(g->enc, man, len) == 0 &&
	    tree_enc_finish(g->enc, &root) == 0;
	free(man);
	if (!ok) {
		fail(g, "the site's manifest cannot be built (too many or too long paths?)");
		return 0;
	}
	finish(g, &root);
	return 0;
}

/* site_step encodes the next piece of the zip's current file. */
static int
site_step(struct ingest *g)
{
	struct manifest_entry *e;
	struct chk_keys root;
	zip_int64_t r;

	if (!g->zf) {
		if (g->zi == g->zn)
			return site_manifest(g);
		e = &g->e[g->zi];
		if (!(g->zf = zip_fopen_index(g->za, e->length, 0))) { /* length holds the index until read */
			fail(g, "cannot read %s from the zip (encrypted or an unknown compression?)", e->path);
			return 0;
		}
		g->entry_len = 0;
		g->sniff = mime_from_name(e->path) == NULL;
		if (new_enc(g, g->sniff ? NULL : mime_from_name(e->path)) != 0) {
			fail(g, "out of memory");
			return 0;
		}
	}
	e = &g->e[g->zi];
	r = zip_fread(g->zf, g->buf, INGEST_CHUNK);
	if (r < 0) {
		fail(g, "the zip is damaged at %s", e->path);
		return 0;
	}
	if (g->sniff) {
		g->sniff = 0;
		if (tree_enc_set_mime(g->enc, mime_sniff(g->buf, (size_t)r)) != 0)
			abort();
	}
	if (r > 0) {
		g->entry_len += (uint64_t)r;
		g->site_bytes += (uint64_t)r;
		if (g->site_bytes > INGEST_SITE_MAX) {
			fail(g, "the site is larger than 1 GiB unpacked; use wisp put --dir");
			return 0;
		}
		if (tree_enc_write(g->enc, g->buf, (size_t)r) != 0) {
			fail(g, "encoding failed (out of memory?)");
			return 0;
		}
		return 1;
	}
	zip_fclose(g->zf);
	g->zf = NULL;
	if (tree_enc_finish(g->enc, &root) != 0) {
		fail(g, "encoding failed (out of memory?)");
		return 0;
	}
	tree_enc_free(g->enc);
	g->enc = NULL;
	memcpy(e->rk, root.routing, 32);
	memcpy(e->ck, root.crypto, 32);
	snprintf(e->mime, sizeof(e->mime), "%s", mime_from_name(e->path) ? mime_from_name(e->path)
	    : "application/octet-stream");
	e->length = g->entry_len;
	g->zi++;
	return 1;
}

static void
on_pump(evutil_socket_t fd, short ev, void *arg)
{
	struct ingest *g = arg;
	int more = 1;

	(void)fd;
	(void)ev;
	if (g->state != IN_INSERTING)
		return;
	node_route_hold(g->n);
	while (more && g->state == IN_INSERTING && g->inflight < INGEST_WINDOW && !g->uri[0])
		more = g->zip ? site_step(g) : file_step(g);
	node_route_release(g->n);
	if (g->state == IN_INSERTING && g->uri[0] && g->inflight == 0) {
		if (g->blocks_unstored) {
			fail(g, "the node's store could not write %" PRIu64 " blocks (disk full or failing)",
			    g->blocks_unstored);
		} else if (g->blocks_failed) {
			fail(g, "%" PRIu64 " blocks could not be inserted (the node is overloaded); try again",
			    g->blocks_failed);
		} else {
			g->state = IN_DONE;
			log_info("upload %.8s inserted: %" PRIu64 " blocks", g->id, g->blocks_done);
		}
	}
	touch(g);
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path, ((const struct manifest_entry *)b)->path);
}

/* site_open reads the zip's directory: every file's path checked, a
 * folder the whole site sits in left out, sizes bounded. */
static int
site_open(struct ingest *g)
{
	int err = 0, fd = dup(g->fd);
	zip_int64_t n;
	zip_uint64_t i;
	uint64_t total = 0;
	const char *first = NULL;
	size_t k;

	if (fd < 0 || !(g->za = zip_fdopen(fd, ZIP_RDONLY, &err))) {
		if (fd >= 0)
			close(fd);
		fail(g, "this is not a zip file");
		return -1;
	}
	if ((n = zip_get_num_entries(g->za, 0)) <= 0 || n > MANIFEST_ENTRIES_MAX ||
	    !(g->e = calloc((size_t)n, sizeof(*g->e)))) {
		fail(g, "%s", n <= 0 ? "the zip is empty" : "the zip has too many files");
		return -1;
	}
	/* The common top folder, if every entry has it. */
	for (i = 0; i < (zip_uint64_t)n; i++) {
		const char *name = zip_get_name(g->za, i, ZIP_FL_ENC_GUESS), *s;
		if (!name) {
			fail(g, "the zip's directory is damaged");
			return -1;
		}
		s = strchr(name, '/');
		if (i == 0) {
			first = name;
			g->strip = s ? (size_t)(s - name) + 1 : 0;
		} else if (g->strip && (strncmp(name, first, g->strip) != 0)) {
			g->strip = 0;
		}
	}
	for (i = 0; i < (zip_uint64_t)n; i++) {
		const char *name = zip_get_name(g->za, i, ZIP_FL_ENC_GUESS);
		zip_stat_t st;
		size_t len = strlen(name);
		if (len && name[len - 1] == '/')
			continue; /* a folder */
		if (zip_stat_index(g->za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
			fail(g, "the zip's directory is damaged");
			return -1;
		}
		name += g->strip;
		len = strlen(name);
		if (len == 0 || len > MANIFEST_PATH_MAX || !manifest_path_ok(name, len) || name[0] == '/' ||
		    strstr(name, "../") || strcmp(name, "..") == 0 || (len >= 3 && strcmp(name + len - 3, "/..") == 0)) {
			fail(g, "cannot publish '%.100s': spaces, control characters, '\\', '?', '#' and '..' are not "
			    "allowed in site paths", name);
			return -1;
		}
		total += st.size;
		if (total > INGEST_SITE_MAX) {
			fail(g, "the site is larger than 1 GiB unpacked; use wisp put --dir");
			return -1;
		}
		memcpy(g->e[g->ne].path, name, len + 1);
		g->e[g->ne].length = i; /* the entry's index, until its real length is known */
		g->ne++;
		g->blocks_total += tree_blocks_for(st.size, 32);
	}
	if (g->ne == 0) {
		fail(g, "the zip holds no files");
		return -1;
	}
	qsort(g->e, g->ne, sizeof(*g->e), by_path);
	for (k = 1; k < g->ne; k++) {
		if (strcmp(g->e[k - 1].path, g->e[k].path) == 0) {
			fail(g, "the zip holds %s twice", g->e[k].path);
			return -1;
		}
	}
	g->zn = g->ne;
	g->blocks_total += 1 + (g->ne * 100) / (32 << 10);
	return 0;
}

static void
start_inserting(struct ingest *g)
{
	g->state = IN_INSERTING;
	if (!(g->buf = malloc(INGEST_CHUNK))) {
		fail(g, "out of memory");
		return;
	}
	if (g->zip) {
		if (site_open(g) != 0)
			return;
	} else {
		const char *mime = mime_from_name(g->name);
		g->sniff = mime == NULL;
		g->blocks_total = split_blocks_for(g->size, mime ? strlen(mime) : 32, FEC_K_DEFAULT, FEC_M_DEFAULT);
		if (new_enc(g, mime) != 0) {
			fail(g, "out of memory");
			return;
		}
	}
	event_active(g->pump, 0, 0);
}

/* ---- the HTTP side ---- */

static struct ingest *
find(struct node *n, const char *id)
{
	struct ingest *g;

	for (g = n->ingests; g; g = g->next)
		if (strlen(id) == 32 && sodium_memcmp(g->id, id, 32) == 0)
			return g;
	return NULL;
}

static int
form_ok(const struct node *n, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *t = evhttp_find_header(h, "X-Wisp-Form"), *site = evhttp_find_header(h, "Sec-Fetch-Site");

	if (site && strcmp(site, "same-origin") != 0)
		return 0;
	return t && strlen(t) == 32 && sodium_memcmp(t, n->form_token, 32) == 0;
}

static void
ingest_new(struct node *n, struct evhttp_request *req)
{
	char name[256] = "", size[24] = "", kind[8] = "", path[PATH_MAX + 16], *end;
	struct evbuffer *b;
	struct ingest *g;
	unsigned long long sz;
	uint8_t rnd[16];
	const char *base;

	if (query_get(req, "size", size, sizeof(size)) != 0 || query_get(req, "kind", kind, sizeof(kind)) != 0 ||
	    (strcmp(kind, "file") && strcmp(kind, "zip"))) {
		reply_error(req, 400, "bad_request", "size and kind (file or zip) are needed");
		return;
	}
	errno = 0;
	sz = strtoull(size, &end, 10);
	if (errno || *end || !size[0] || size[0] == '-') {
		reply_error(req, 400, "bad_request", "size is not a number");
		return;
	}
	if (sz > (strcmp(kind, "zip") == 0 ? INGEST_ZIP_MAX : INGEST_FILE_MAX)) {
		reply_error(req, 413, "too_large", strcmp(kind, "zip") == 0 ? "a zip up to 256 MiB here; larger sites: "
		    "wisp put --dir" : "files up to 1 GiB here; larger: wisp put");
		return;
	}
	if (n->ningests >= INGESTS_MAX) {
		reply_error(req, 503, "overload", "other uploads are in progress; try again when they end");
		return;
	}
	if (!(g = calloc(1, sizeof(*g))))
		goto oom;
	g->n = n;
	g->fd = -1;
	g->zip = strcmp(kind, "zip") == 0;
	g->size = sz;
	(void)query_get(req, "name", name, sizeof(name));
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	/* The name goes into the URI, percent-encoded, when it fits. */
	if (*base && strcmp(base, ".") && strcmp(base, "..") && uri_name_encode(base, g->name, sizeof(g->name)) != 0)
		g->name[0] = 0;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(g->id, sizeof(g->id), rnd, sizeof(rnd));
	snprintf(path, sizeof(path), "%s/upload-XXXXXX", n->datadir);
	if ((g->fd = mkstemp(path)) < 0) {
		log_warn("upload: cannot create a temporary file: %s", strerror(errno));
		free(g);
		reply_error(req, 507, "store", "cannot create a temporary file in the data directory");
		return;
	}
	unlink(path); /* gone with the descriptor, whatever happens */
	if (!(g->pump = event_new(n->base, -1, 0, on_pump, g)) ||
	    !(g->expire = event_new(n->base, -1, 0, on_expire, g)) || !(b = evbuffer_new())) {
		g->next = NULL;
		ingest_free(g);
		goto oom;
	}
	g->next = n->ingests;
	n->ingests = g;
	n->ningests++;
	touch(g);
	if (sz == 0)
		start_inserting(g);
	evbuffer_add_printf(b, "{\"id\": \"%s\"}", g->id);
	reply_json(req, 200, b);
	evbuffer_free(b);
	return;
oom:
	reply_error(req, 500, "internal", "out of memory");
}

static void
ingest_piece(struct ingest *g, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *b;
	size_t len = evbuffer_get_length(in);
	char off[24] = "";
	const uint8_t *p;

	if (g->state != IN_RECEIVING) {
		reply_error(req, 409, "conflict", "this upload is complete");
		return;
	}
	if (query_get(req, "offset", off, sizeof(off)) != 0 || strtoull(off, NULL, 10) != g->received) {
		reply_error(req, 409, "conflict", "pieces must come in order");
		return;
	}
	if (len == 0 || len > g->size - g->received) {
		reply_error(req, 400, "bad_request", "the piece is empty or goes past the announced size");
		return;
	}
	if (!(p = evbuffer_pullup(in, -1))) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	if (pwrite(g->fd, p, len, (off_t)g->received) != (ssize_t)len) {
		fail(g, "cannot write the upload: %s", strerror(errno));
		reply_error(req, 507, "store", g->reason);
		return;
	}
	g->received += len;
	g->n->traffic.api_in += len;
	touch(g);
	if (g->received == g->size)
		start_inserting(g);
	if (!(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"received\": %" PRIu64 "}", g->received);
	reply_json(req, 200, b);
	evbuffer_free(b);
}

static void
ingest_status(struct ingest *g, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"state\": \"%s\", \"size\": %" PRIu64 ", \"received\": %" PRIu64
	    ", \"blocks_total\": %" PRIu64 ", \"blocks_done\": %" PRIu64, state_names[g->state], g->size,
	    g->received, g->blocks_total > g->blocks_done ? g->blocks_total : g->blocks_done, g->blocks_done);
	if (g->state == IN_DONE) {
		evbuffer_add_printf(b, ", \"uri\": ");
		json_str(b, g->uri);
	}
	if (g->state == IN_FAILED) {
		evbuffer_add_printf(b, ", \"reason\": ");
		json_str(b, g->reason);
	}
	evbuffer_add_printf(b, "}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

void
ingest_handle(struct node *n, struct evhttp_request *req, const char *rest)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct ingest *g;

	if (!form_ok(n, req)) {
		reply_error(req, 403, "forbidden", "uploads come only from this node's home page");
		return;
	}
	if (strcmp(rest, "new") == 0) {
		if (cmd == EVHTTP_REQ_POST)
			ingest_new(n, req);
		else
			reply_error(req, 405, "method_not_allowed", "POST to start an upload");
		return;
	}
	if (!(g = find(n, rest))) {
		reply_error(req, 404, "not_found", "no such upload (finished uploads are kept 10 minutes)");
		return;
	}
	if (cmd == EVHTTP_REQ_POST)
		ingest_piece(g, req);
	else if (cmd == EVHTTP_REQ_GET)
		ingest_status(g, req);
	else
		reply_error(req, 405, "method_not_allowed", "GET the progress or POST the next piece");
}

void
ingest_free_all(struct node *n)
{
	while (n->ingests)
		ingest_free(n->ingests);
	pool_free(n->ingest_pool);
	n->ingest_pool = NULL;
}
