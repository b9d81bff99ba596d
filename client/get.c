/* wisp get: stream a document from the node into a file or stdout. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "client/cli.h"
#include "crypto/bytes.h"
#include "crypto/uri.h"

enum { FRAME_DATA_MAX = 1 << 20, FRAME_END_MAX = 1024 };

struct get {
	int fd;
	uint64_t got, total;
	uint64_t blocks;
	int ended, status, bad, werr;
	char reason[FRAME_END_MAX + 1];
	struct evbuffer *errbody;
	struct progress *pg;
};

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* on_stream parses frames as they arrive; anything off the format is a
 * protocol failure, never trusted as data. */
static int
on_stream(void *ctx, struct evbuffer *in, int code)
{
	struct get *g = ctx;
	uint8_t h[5];

	if (code != 200) {
		evbuffer_add_buffer(g->errbody, in);
		return 0;
	}
	while (!g->bad && evbuffer_copyout(in, h, 5) == 5) {
		uint32_t len = load_u32be(h + 1);
		if (g->ended || (h[0] != 'D' && h[0] != 'E') ||
		    (h[0] == 'D' && len > FRAME_DATA_MAX) || (h[0] == 'E' && (len < 1 || len > FRAME_END_MAX))) {
			g->bad = 1;
			return 1;
		}
		if (evbuffer_get_length(in) < 5 + (size_t)len)
			return 0;
		evbuffer_drain(in, 5);
		if (h[0] == 'E') {
			uint8_t st;
			evbuffer_remove(in, &st, 1);
			evbuffer_remove(in, g->reason, len - 1);
			g->reason[len - 1] = '\0';
			g->status = st;
			g->ended = 1;
			continue;
		}
		while (len) {
			struct evbuffer_iovec v;
			size_t n;
			if (evbuffer_peek(in, len, NULL, &v, 1) < 1)
				return 1;
			n = v.iov_len < len ? v.iov_len : len;
			if (write_all(g->fd, v.iov_base, n) != 0) {
				g->werr = errno;
				return 1;
			}
			evbuffer_drain(in, n);
			len -= (uint32_t)n;
			g->got += n;
		}
		g->blocks++;
		progress_update(g->pg, g->got, g->blocks);
	}
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
finish(struct get *g, const struct api_resp *r, const char *uri_text)
{
	(void)uri_text;
	if (r->code != 200) {
		struct api_resp er = *r;
		er.body = g->errbody;
		return api_error_exit(&er, "get");
	}
	if (g->werr)
		return cli_fail(CLI_FAIL, "get: writing output: %s", strerror(g->werr));
	if (g->bad)
		return cli_fail(CLI_FAIL, "get: the node sent a malformed stream");
	if (!g->ended)
		return cli_fail(CLI_FAIL, "get: the stream ended early (node stopped?)");
	if (g->status == 4)
		return cli_fail(CLI_NOTFOUND, "get: not found: %s", g->reason);
	if (g->status == 5)
		return cli_fail(CLI_INTEGRITY, "get: integrity failure: %s", g->reason);
	if (g->status != 0)
		return cli_fail(CLI_FAIL, "get: %s", g->reason);
	if (g->total != g->got)
		return cli_fail(CLI_INTEGRITY, "get: got %llu bytes, expected %llu",
		    (unsigned long long)g->got, (unsigned long long)g->total);
	return CLI_OK;
}

/* where_found words the node's X-Wisp-Hops: 0 is this node's own store;
 * anything else is the reply's distance count, which each hop randomises
 * so that no hop learns where the holder is (docs/routing.md): an
 * estimate. */
static const char *
where_found(const char *hops, char *buf, size_t cap)
{
	if (strcmp(hops, "0") == 0)
		return "found in this node";
	if (!hops[0])
		return "found in the network";
	snprintf(buf, cap, "found about %s %s away", hops, strcmp(hops, "1") == 0 ? "hop" : "hops");
	return buf;
}

/* as_pasted turns a key as people paste it into the URI itself: a whole
 * gateway URL (http://127.0.0.1:8484/CHK@…) and a trailing '/' (the form
 * the gateway redirects to). Returns 0, or -1 if it does not fit. */
static int
as_pasted(const char *in, char *out, size_t cap)
{
	static const char *kinds[] = { "CHK@", "SSK@", "USK@" };
	const char *p = in, *k;
	size_t n = 0, i;
	struct uri u;
	const char *why;

	if (!strncmp(in, "http://", 7) || !strncmp(in, "https://", 8)) {
		const char *best = NULL;
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if ((k = strstr(in, kinds[i])) && (!best || k < best))
				best = k;
		if (best && best[-1] == '/')
			p = best;
	}
	if ((n = strlen(p)) >= cap)
		return -1;
	memcpy(out, p, n + 1);
	if (n > 1 && out[n - 1] == '/' && uri_parse(&u, out, n, &why) != 0 && uri_parse(&u, out, n - 1, &why) == 0)
		out[n - 1] = '\0';
	return 0;
}

int
cli_get(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *why = NULL;
	char part[PATH_MAX + 8], *enc = NULL, path[3 * URI_MAX], where[64], key[URI_MAX];
	struct get g = { .fd = STDOUT_FILENO };
	struct api *api = NULL;
	struct api_resp r = { 0 };
	struct uri u;
	double t0 = now();
	int o, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "o:vq", opts, NULL)) != -1) {
		if (o == 'o')
			out = optarg;
		else if (o == 'v')
			c->verbose = 1;
		else if (o == 'q')
			c->quiet = 1;
		else
			return cli_fail(CLI_USAGE, "usage: wisp get URI [-o FILE] [-v]");
	}
	if (optind + 1 != argc)
		return cli_fail(CLI_USAGE, "usage: wisp get URI [-o FILE] [-v]");
	if (as_pasted(argv[optind], key, sizeof(key)) != 0 || uri_parse(&u, key, strlen(key), &why) != 0)
		return cli_fail(CLI_USAGE, "get: bad URI: %s", why ? why : "too long");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	if (!(enc = evhttp_encode_uri(key)) || !(g.errbody = evbuffer_new())) {
		rc = cli_fail(CLI_FAIL, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/api/v1/get?uri=%s", enc);
	if (out) {
		snprintf(part, sizeof(part), "%s.part", out);
		if ((g.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
			rc = cli_fail(CLI_USAGE, "get: cannot write %s: %s", part, strerror(errno));
			goto out;
		}
	}
	g.pg = progress_new(!c->quiet, "get", 0);
	rc = api_request(api, EVHTTP_REQ_GET, path, NULL, 0, &r, on_stream, &g);
	g.total = strtoull(r.wisp_length, NULL, 10);
	progress_done(g.pg);
	rc = rc != CLI_OK ? api_error_exit(&r, "get") : finish(&g, &r, key);
	if (out && g.fd >= 0) {
		if (close(g.fd) != 0 && rc == CLI_OK)
			rc = cli_fail(CLI_FAIL, "get: writing %s: %s", out, strerror(errno));
		if (rc == CLI_OK && rename(part, out) != 0)
			rc = cli_fail(CLI_FAIL, "get: cannot rename %s: %s", part, strerror(errno));
		if (rc != CLI_OK)
			unlink(part);
	}
	if (rc == CLI_OK && c->verbose)
		fprintf(stderr, "wisp: %llu bytes in %.3f s, %s%s%s\n", (unsigned long long)g.got, now() - t0,
		    where_found(r.wisp_hops, where, sizeof(where)), r.wisp_edition[0] ? ", edition " : "", r.wisp_edition);
out:
	free(enc);
	if (g.errbody)
		evbuffer_free(g.errbody);
	api_resp_free(&r);
	api_close(api);
	return rc;
}
