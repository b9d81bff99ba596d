/* wisp get: a document from the node: to standard output as a framed
 * stream, or into a file as a transfer of the node's queue (transfers.c),
 * which the node writes and which outlives this process if need be. */
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
		return cli_fail(CLI_INTEGRITY, "get: integrity failure: %s (a mistyped or truncated URI does this too)",
		    g->reason);
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

/* abs_path: |out| as an absolute name, for the node, which writes it. */
static int
abs_path(const char *out, char *abs, size_t cap)
{
	char cwd[PATH_MAX];

	if (out[0] == '/')
		return (size_t)snprintf(abs, cap, "%s", out) < cap ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return (size_t)snprintf(abs, cap, "%s/%s", cwd, out) < cap ? 0 : -1;
}

/* get_to_file: the node fetches into |out| as a transfer of its queue; we
 * follow it (or, with |bg|, leave it running and print its id). */
static int
get_to_file(struct cli *c, struct api *api, const char *key, const char *out, int bg)
{
	char abs[1000], path[3 * URI_MAX + 3200], *ek = NULL, *ep = NULL, hops[8] = "", where[64];
	struct api_resp r = { 0 };
	uint64_t id = 0, from_net = 1, bytes = 0, ed = 0;
	char edition[24] = "";
	double t0 = now();
	int rc;

	if (abs_path(out, abs, sizeof(abs)) != 0)
		return cli_fail(CLI_USAGE, "get: %s: the name is too long", out);
	if (!(ek = evhttp_encode_uri(key)) || !(ep = evhttp_encode_uri(abs))) {
		rc = cli_fail(CLI_FAIL, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/api/v1/transfers?direction=get&uri=%s&path=%s&background=%d", ek, ep, bg);
	rc = api_request(api, EVHTTP_REQ_POST, path, NULL, 0, &r, NULL, NULL);
	if (rc != CLI_OK || r.code != 201) {
		rc = api_error_exit(&r, "get");
		goto out;
	}
	{
		char body[256] = "";
		size_t n = evbuffer_copyout(r.body, body, sizeof(body) - 1);
		body[n > 0 ? n : 0] = 0;
		(void)api_json_u64(body, "id", &id);
	}
	if (bg) {
		printf("%llu\n", (unsigned long long)id);
		if (!c->quiet)
			fprintf(stderr, "wisp: fetching in the node as transfer %llu: wisp wait %llu follows it, "
			    "wisp transfers lists it\n", (unsigned long long)id, (unsigned long long)id);
		goto out;
	}
	if ((rc = xfer_follow(c, api, (unsigned)id, "get", 1, NULL, 0)) != CLI_OK || !c->verbose)
		goto out;
	api_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/transfer?id=%llu", (unsigned long long)id);
	if (api_request(api, EVHTTP_REQ_GET, path, NULL, 0, &r, NULL, NULL) == CLI_OK && r.code == 200) {
		char body[16384] = "";
		size_t n = evbuffer_copyout(r.body, body, sizeof(body) - 1);
		body[n > 0 ? n : 0] = 0;
		(void)api_json_u64(body, "from_network", &from_net);
		(void)api_json_u64(body, "bytes_done", &bytes);
		if (api_json_u64(body, "edition", &ed) == 0)
			snprintf(edition, sizeof(edition), "%llu", (unsigned long long)ed);
		{
			uint64_t h = 0;
			if (api_json_u64(body, "hops", &h) == 0)
				snprintf(hops, sizeof(hops), "%llu", from_net ? (unsigned long long)h : 0ULL);
		}
	}
	fprintf(stderr, "wisp: %llu bytes in %.3f s, %s%s%s\n", (unsigned long long)bytes, now() - t0,
	    where_found(hops, where, sizeof(where)), edition[0] ? ", edition " : "", edition);
out:
	free(ek);
	free(ep);
	api_resp_free(&r);
	return rc;
}

int
cli_get(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "background", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int bg = 0;
	const char *out = NULL, *why = NULL;
	char *enc = NULL, path[3 * URI_MAX], where[64], key[URI_MAX];
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
		else if (o == 'b')
			bg = 1;
		else
			return cli_fail(CLI_USAGE, "usage: wisp get URI [-o FILE [--background]] [-v]");
	}
	if (optind + 1 != argc)
		return cli_fail(CLI_USAGE, "usage: wisp get URI [-o FILE [--background]] [-v]");
	if (bg && !out)
		return cli_fail(CLI_USAGE, "get: --background needs -o FILE: the node writes the file");
	if (as_pasted(argv[optind], key, sizeof(key)) != 0 || uri_parse(&u, key, strlen(key), &why) != 0)
		return cli_fail(CLI_USAGE, "get: bad URI: %s", why ? why : "too long");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	if (out) {
		rc = get_to_file(c, api, key, out, bg);
		api_close(api);
		return rc;
	}
	if (!(enc = evhttp_encode_uri(key)) || !(g.errbody = evbuffer_new())) {
		rc = cli_fail(CLI_FAIL, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/api/v1/get?uri=%s", enc);
	g.pg = progress_new(!c->quiet, "get", 0);
	rc = api_request(api, EVHTTP_REQ_GET, path, NULL, 0, &r, on_stream, &g);
	g.total = strtoull(r.wisp_length, NULL, 10);
	progress_done(g.pg);
	rc = rc != CLI_OK ? api_error_exit(&r, "get") : finish(&g, &r, key);
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
