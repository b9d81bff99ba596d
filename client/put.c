/* wisp put: encode a file into blocks here, stream them to the node in
 * batches (one in flight while the next is encoded), print the URI. The
 * node never sees the plaintext, and neither side holds the whole file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "client/cli.h"
#include "crypto/bytes.h"
#include "crypto/tree.h"
#include "crypto/uri.h"

enum { BATCH_BLOCKS = 64, READ_CHUNK = 1 << 20 };

struct put {
	struct api *api;      /* NULL with --key-only */
	uint8_t *batch;       /* evhttp copies it when sent, so one suffices */
	size_t fill, nblocks;
	uint64_t blocks;
	int rc, said;         /* said: a failure was already reported */
};

static int
flush_batch(struct put *p)
{
	struct api_resp r;

	if (!p->api || p->nblocks == 0)
		return 0;
	/* Wait for the batch in flight, then send this one. */
	if (api_wait(p->api, &r) != CLI_OK || r.code != 200) {
		p->rc = api_error_exit(&r, "put");
		p->said = 1;
		api_resp_free(&r);
		return -1;
	}
	api_resp_free(&r);
	if (api_send(p->api, EVHTTP_REQ_POST, "/api/v1/blocks", p->batch, p->fill) != CLI_OK) {
		p->rc = cli_fail(CLI_UNREACHABLE, "put: the node cannot be reached");
		p->said = 1;
		return -1;
	}
	p->fill = 0;
	p->nblocks = 0;
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
	if (++p->nblocks == BATCH_BLOCKS)
		return flush_batch(p);
	return 0;
}

static int
finish_uploads(struct put *p)
{
	struct api_resp r;

	if (flush_batch(p) != 0)
		return -1;
	if (p->api && (api_wait(p->api, &r) != CLI_OK || r.code != 200)) {
		p->rc = api_error_exit(&r, "put");
		p->said = 1;
		api_resp_free(&r);
		return -1;
	}
	if (p->api)
		api_resp_free(&r);
	return 0;
}

static void
put_usage(void)
{
	fprintf(stderr, "usage: wisp put [FILE|-] [--name NAME] [--key-only | --key SSK@…/NAME | --key USK@…/SITE/N]\n");
}

int
cli_put(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "key-only", no_argument, NULL, 'k' },
		{ "key", required_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "-", *name = NULL, *mime = NULL, *key = NULL;
	struct uri ku;
	struct put p = { .rc = CLI_FAIL };
	struct tree_enc *e = NULL;
	struct progress *pg = NULL;
	struct chk_keys root;
	struct uri u = { .type = URI_CHK, .alg = URI_ALG_V1, .kind = URI_KIND_DOC };
	char text[URI_MAX];
	uint8_t *buf = NULL;
	uint64_t total = 0, done = 0;
	int key_only = 0, fd = STDIN_FILENO, o, sniffed = 0;
	struct stat st;

	optind = 1;
	while ((o = getopt_long(argc, argv, "n:kq", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else if (o == 'k')
			key_only = 1;
		else if (o == 'K')
			key = optarg;
		else if (o == 'q')
			c->quiet = 1;
		else
			return put_usage(), CLI_USAGE;
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind != argc)
		return put_usage(), CLI_USAGE;
	if (key && (key_only || ssk_check(key, &ku) != CLI_OK))
		return key_only ? cli_fail(CLI_USAGE, "put: --key and --key-only do not go together") : CLI_USAGE;
	if (name && (strchr(name, '/') || !*name || strlen(name) > URI_NAME_MAX))
		return cli_fail(CLI_USAGE, "put: --name must be one path segment");
	if (strcmp(file, "-") != 0 && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_fail(CLI_USAGE, "put: cannot open %s: %s", file, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	if (name)
		mime = mime_from_name(name);
	if (!mime && strcmp(file, "-") != 0)
		mime = mime_from_name(file);
	if (!key_only && api_open(&p.api, c->datadir) != CLI_OK) {
		p.rc = CLI_UNREACHABLE;
		goto out;
	}
	if (!(buf = malloc(READ_CHUNK)) || !(p.batch = malloc(BATCH_BLOCKS * (36 + CHK_BLOCK_LEN))) ||
	    tree_enc_new(&e, mime, emit, &p) != 0) {
		p.rc = cli_fail(CLI_FAIL, "put: out of memory");
		goto out;
	}
	pg = progress_new(!c->quiet, "put", total);
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			p.rc = cli_fail(CLI_FAIL, "put: reading %s: %s", file, strerror(errno));
			goto out;
		}
		if (!mime && !sniffed) {
			sniffed = 1; /* the first read decides the type */
			if (tree_enc_set_mime(e, mime_sniff(buf, (size_t)n)) != 0)
				abort(); /* mime_sniff returns only valid types */
		}
		if (n == 0)
			break;
		if (tree_enc_write(e, buf, (size_t)n) != 0)
			goto encode_failed;
		done += (uint64_t)n;
		progress_update(pg, done, p.blocks);
	}
	if (tree_enc_finish(e, &root) != 0)
		goto encode_failed;
	if (finish_uploads(&p) != 0)
		goto out;
	progress_update(pg, done, p.blocks);
	if (key) {
		progress_done(pg);
		pg = NULL;
		p.rc = ssk_publish(c, p.api, &ku, &root);
		sodium_memzero(&ku, sizeof(ku));
		goto out;
	}
	memcpy(u.key, root.routing, 32);
	memcpy(u.ckey, root.crypto, 32);
	if (name)
		snprintf(u.name, sizeof(u.name), "%s", name);
	if (uri_format(text, sizeof(text), &u, 0) != 0)
		goto encode_failed;
	progress_done(pg);
	pg = NULL;
	printf("%s\n", text);
	if (c->verbose)
		fprintf(stderr, "wisp: %llu bytes, %llu blocks\n", (unsigned long long)done,
		    (unsigned long long)p.blocks);
	p.rc = CLI_OK;
	goto out;
encode_failed:
	/* An emit failure has said why already; anything else is memory. */
	if (!p.said)
		p.rc = cli_fail(CLI_FAIL, "put: encoding failed (out of memory?)");
out:
	progress_done(pg);
	tree_enc_free(e);
	if (buf)
		sodium_memzero(buf, READ_CHUNK);
	free(buf);
	free(p.batch);
	api_close(p.api);
	if (fd != STDIN_FILENO)
		close(fd);
	return p.rc;
}
