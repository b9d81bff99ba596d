/* wisp keep and wisp check: documents this node keeps alive, and one
 * check of a document now (docs/api.md, "Keeping documents alive"). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "client/cli.h"
#include "crypto/uri.h"

static int
with_uri(struct api *api, int method, const char *what, const char *uri, struct api_resp *r)
{
	char path[3 * URI_MAX + 32], *e = evhttp_encode_uri(uri);
	int rc;

	if (!e)
		return cli_fail(CLI_FAIL, "out of memory");
	snprintf(path, sizeof(path), "/api/v1/%s?uri=%s", what, e);
	free(e);
	rc = api_request(api, method, path, NULL, 0, r, NULL, NULL);
	return rc;
}

static char *
body_of(const struct api_resp *r)
{
	size_t n = r->body ? evbuffer_get_length(r->body) : 0;
	char *b = malloc(n + 1);

	if (b) {
		if (n)
			evbuffer_copyout(r->body, b, n);
		b[n] = 0;
	}
	return b;
}

static void
ago(char *out, size_t cap, int64_t t)
{
	int64_t d = (int64_t)time(NULL) - t;

	if (t == 0)
		snprintf(out, cap, "never");
	else if (d < 0)
		snprintf(out, cap, "in %lld min", (long long)(-d + 59) / 60);
	else if (d < 5400)
		snprintf(out, cap, "%lld min ago", (long long)(d + 30) / 60);
	else
		snprintf(out, cap, "%lld h ago", (long long)(d + 1800) / 3600);
}

static int
keep_list(struct api *api)
{
	struct api_resp r;
	char *body, *p;
	int rc = api_request(api, EVHTTP_REQ_GET, "/api/v1/keep", NULL, 0, &r, NULL, NULL);

	if (rc != CLI_OK || r.code != 200) {
		rc = api_error_exit(&r, "keep");
		api_resp_free(&r);
		return rc;
	}
	if (!(body = body_of(&r))) {
		api_resp_free(&r);
		return cli_fail(CLI_FAIL, "out of memory");
	}
	if (!strstr(body, "{\"uri\": "))
		printf("no document is kept\n");
	for (p = strstr(body, "{\"uri\": "); p; p = strstr(p + 1, "{\"uri\": ")) {
		char uri[URI_MAX], last[32], next[32], ok[8];
		uint64_t asked = 0, found = 0, healed = 0, l = 0, nx = 0;
		char *end = strstr(p + 1, "{\"uri\": "), save = 0;
		if (end)
			save = *end, *end = 0;
		api_json_str(p, "uri", uri, sizeof(uri));
		(void)api_json_u64(p, "asked", &asked);
		(void)api_json_u64(p, "found", &found);
		(void)api_json_u64(p, "healed", &healed);
		(void)api_json_u64(p, "last", &l);
		(void)api_json_u64(p, "next", &nx);
		snprintf(ok, sizeof(ok), "%s", strstr(p, "\"retrievable\": true") ? "yes" : strstr(p, "\"retrievable\": false")
		    ? "NO" : "-");
		ago(last, sizeof(last), (int64_t)l);
		ago(next, sizeof(next), (int64_t)nx);
		printf("%s\n  last check %s: retrievable %s, %" PRIu64 " of %" PRIu64 " blocks found, %" PRIu64
		    " sent out again; next %s%s\n", uri, last, ok, found, asked, healed, next,
		    strstr(p, "\"checking\": true") ? " (checking now)" : "");
		if (end)
			*end = save;
	}
	free(body);
	api_resp_free(&r);
	return CLI_OK;
}

int
cli_keep(struct cli *c, int argc, char **argv)
{
	struct api *api = NULL;
	struct api_resp r = { 0 };
	int rc, rm = argc == 3 && !strcmp(argv[1], "remove");

	if (argc != 2 && !rm)
		return cli_fail(CLI_USAGE, "usage: wisp keep URI | list | remove URI");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	if (argc == 2 && !strcmp(argv[1], "list")) {
		rc = keep_list(api);
	} else {
		rc = with_uri(api, rm ? EVHTTP_REQ_DELETE : EVHTTP_REQ_POST, "keep", argv[rm ? 2 : 1], &r);
		if (rc != CLI_OK || (r.code != 200 && r.code != 201))
			rc = api_error_exit(&r, "keep");
		else if (!c->quiet)
			fprintf(stderr, "wisp: %s\n", rm ? "no longer kept" : r.code == 201 ? "kept: this node checks it now, "
			    "then about once every keep-interval, and repairs what the network lost (wisp keep list)"
			    : "already kept (wisp keep list)");
	}
	api_resp_free(&r);
	api_close(api);
	return rc;
}

struct checkf {
	struct progress *pg;
	char state[16], reason[600];
	uint64_t asked, found, done, total;
	int ok, totalled;
};

static int
on_line(void *ctx, struct evbuffer *in, int code)
{
	struct checkf *f = ctx;
	size_t n;
	char *line;

	if (code != 200)
		return 0;
	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF))) {
		api_json_str(line, "state", f->state, sizeof(f->state));
		api_json_str(line, "reason", f->reason, sizeof(f->reason));
		(void)api_json_u64(line, "asked", &f->asked);
		(void)api_json_u64(line, "found", &f->found);
		(void)api_json_u64(line, "bytes_done", &f->done);
		(void)api_json_u64(line, "bytes_total", &f->total);
		f->ok = strstr(line, "\"retrievable\": true") != NULL;
		if (f->total && !f->totalled)
			progress_total(f->pg, f->total), f->totalled = 1;
		progress_update(f->pg, f->done, f->found);
		free(line);
	}
	return 0;
}

int
cli_check(struct cli *c, int argc, char **argv)
{
	char path[3 * URI_MAX + 32], *e;
	struct checkf f = { 0 };
	struct api *api = NULL;
	struct api_resp r = { 0 };
	int rc;

	if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: wisp check URI");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	if (!(e = evhttp_encode_uri(argv[1]))) {
		api_close(api);
		return cli_fail(CLI_FAIL, "out of memory");
	}
	snprintf(path, sizeof(path), "/api/v1/check?uri=%s", e);
	free(e);
	f.pg = progress_new(!c->quiet, "check", 0);
	rc = api_request(api, EVHTTP_REQ_POST, path, NULL, 0, &r, on_line, &f);
	progress_done(f.pg);
	if (rc != CLI_OK || r.code != 200) {
		/* the error's body went to the chunk callback: ask again for it */
		api_resp_free(&r);
		rc = api_request(api, EVHTTP_REQ_POST, path, NULL, 0, &r, NULL, NULL);
		rc = api_error_exit(&r, "check");
	} else if (strcmp(f.state, "done") != 0) {
		rc = cli_fail(CLI_FAIL, "check: the node stopped before the check ended");
	} else {
		printf("%s: %" PRIu64 " of %" PRIu64 " blocks asked were found in the network%s%s\n",
		    f.ok ? "retrievable" : "NOT retrievable", f.found, f.asked, f.ok ? "" : ": ", f.ok ? "" : f.reason);
		rc = f.ok ? CLI_OK : CLI_NOTFOUND;
	}
	api_resp_free(&r);
	api_close(api);
	return rc;
}
