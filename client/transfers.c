/* wisp transfers, wait, cancel: the node's queue of downloads and
 * inserts (docs/api.md, "Transfers"), and following one of them, which
 * foreground get -o and put do too. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "client/cli.h"
#include "crypto/uri.h"

enum { LINE_MAX_ = 16384 };

struct follow {
	struct progress *pg;
	struct evbuffer *err;
	char state[16], reason[600], uri[URI_MAX], hops[8];
	uint64_t code, total, done, blocks, refused, accepted, here;
	int seen, totalled;
};

static int
on_lines(void *ctx, struct evbuffer *in, int code)
{
	struct follow *f = ctx;
	size_t n;
	char *line;

	if (code != 200) {
		evbuffer_add_buffer(f->err, in);
		return 0;
	}
	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF))) {
		if (n < LINE_MAX_) {
			f->seen = 1;
			api_json_str(line, "state", f->state, sizeof(f->state));
			api_json_str(line, "reason", f->reason, sizeof(f->reason));
			api_json_str(line, "uri", f->uri, sizeof(f->uri));
			(void)api_json_u64(line, "code", &f->code);
			(void)api_json_u64(line, "bytes_total", &f->total);
			(void)api_json_u64(line, "bytes_done", &f->done);
			(void)api_json_u64(line, "blocks_done", &f->blocks);
			(void)api_json_u64(line, "refused", &f->refused);
			(void)api_json_u64(line, "accepted", &f->accepted);
			(void)api_json_u64(line, "here", &f->here);
			if (f->total && !f->totalled) {
				progress_total(f->pg, f->total);
				f->totalled = 1;
			}
			progress_update(f->pg, f->done, f->blocks);
		}
		free(line);
	}
	return 0;
}

/* keep_going asks on a terminal whether an interrupted transfer goes on. */
static int
keep_going(unsigned id)
{
	char ans[16];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return 0;
	fprintf(stderr, "\nwisp: keep transfer %u running in the background? [Y/n] ", id);
	fflush(stderr);
	if (!fgets(ans, sizeof(ans), stdin))
		return 0;
	return ans[0] != 'n' && ans[0] != 'N';
}

static int
cancel(struct api *api, unsigned id)
{
	struct api_resp r;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/api/v1/transfer?id=%u", id);
	rc = api_request(api, EVHTTP_REQ_DELETE, path, NULL, 0, &r, NULL, NULL);
	rc = rc == CLI_OK && r.code == 200 ? CLI_OK : api_error_exit(&r, "cancel");
	api_resp_free(&r);
	return rc;
}

int
xfer_follow(struct cli *c, struct api *api, unsigned id, const char *verb, int ask, char *uri, size_t cap)
{
	struct follow f = { 0 };
	struct api_resp r = { 0 };
	char path[64];
	int rc, tries;

	if (!(f.err = evbuffer_new()))
		return cli_fail(CLI_FAIL, "out of memory");
	f.pg = progress_new(!c->quiet, verb, 0);
	if (api_catch_interrupt(api) != 0) {
		rc = cli_fail(CLI_FAIL, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/api/v1/transfer?id=%u&follow=1", id);
	/* The stream ends with the transfer; one cut by the node's timeout
	 * is taken up again. */
	for (tries = 0; tries < 1000; tries++) {
		rc = api_request(api, EVHTTP_REQ_GET, path, NULL, 0, &r, on_lines, &f);
		if (api_interrupted(api)) {
			progress_done(f.pg);
			f.pg = NULL;
			api_resp_free(&r);
			if (ask && keep_going(id)) {
				fprintf(stderr, "wisp: transfer %u goes on in the node: wisp wait %u follows it, wisp cancel %u "
				    "stops it\n", id, id, id);
				rc = CLI_OK;
			} else {
				rc = cancel(api, id) == CLI_OK ? cli_fail(CLI_INTERRUPTED, "%s: interrupted: transfer %u "
				    "cancelled", verb, id) : CLI_INTERRUPTED;
			}
			goto out;
		}
		if (rc != CLI_OK || r.code != 200) {
			struct api_resp er = r;
			er.body = f.err;
			rc = api_error_exit(&er, verb);
			er.body = NULL;
			goto out;
		}
		api_resp_free(&r);
		if (!strcmp(f.state, "done") || !strcmp(f.state, "failed"))
			break;
	}
	progress_done(f.pg);
	f.pg = NULL;
	if (!strcmp(f.state, "done")) {
		if (uri && cap)
			snprintf(uri, cap, "%s", f.uri);
		rc = CLI_OK;
	} else if (f.code == CLI_NOTFOUND) {
		rc = cli_fail(CLI_NOTFOUND, "%s: not found: %s", verb, f.reason);
	} else if (f.code == CLI_INTEGRITY) {
		rc = cli_fail(CLI_INTEGRITY, "%s: integrity failure: %s (a mistyped or truncated URI does this too)",
		    verb, f.reason);
	} else {
		rc = cli_fail(f.code > 0 && f.code < 10 ? (int)f.code : CLI_FAIL, "%s: %s", verb,
		    f.reason[0] ? f.reason : "the transfer failed");
	}
out:
	progress_done(f.pg);
	api_resp_free(&r);
	evbuffer_free(f.err);
	return rc;
}

static int
parse_id(const char *s, unsigned *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 0xffffffffUL || *s == '-' || *s == '+')
		return -1;
	*id = (unsigned)v;
	return 0;
}

int
cli_wait(struct cli *c, int argc, char **argv)
{
	char uri[URI_MAX] = "";
	struct api *api = NULL;
	unsigned id;
	int rc;

	if (argc != 2 || parse_id(argv[1], &id) != 0)
		return cli_fail(CLI_USAGE, "usage: wisp wait ID (wisp transfers lists them)");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	rc = xfer_follow(c, api, id, "wait", 1, uri, sizeof(uri));
	if (rc == CLI_OK && uri[0] && strncmp(uri, "CHK@", 4) == 0)
		printf("%s\n", uri);
	api_close(api);
	return rc;
}

int
cli_cancel(struct cli *c, int argc, char **argv)
{
	struct api *api = NULL;
	unsigned id;
	int rc;

	if (argc != 2 || parse_id(argv[1], &id) != 0)
		return cli_fail(CLI_USAGE, "usage: wisp cancel ID (wisp transfers lists them)");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	if ((rc = cancel(api, id)) == CLI_OK && !c->quiet)
		fprintf(stderr, "wisp: transfer %u cancelled\n", id);
	api_close(api);
	return rc;
}

/* One row of the list, from one object of the JSON array. */
static void
row(const char *o)
{
	char dir[8], state[16], what[1100], reason[600], done[24], total[24], rate[24], eta[32] = "";
	uint64_t id = 0, bd = 0, bt = 0, r = 0, e = 0;
	int has_eta;

	api_json_str(o, "direction", dir, sizeof(dir));
	api_json_str(o, "state", state, sizeof(state));
	api_json_str(o, dir[0] == 'g' ? "path" : "name", what, sizeof(what));
	if (!what[0])
		api_json_str(o, "uri", what, sizeof(what));
	api_json_str(o, "reason", reason, sizeof(reason));
	(void)api_json_u64(o, "id", &id);
	(void)api_json_u64(o, "bytes_done", &bd);
	(void)api_json_u64(o, "bytes_total", &bt);
	(void)api_json_u64(o, "rate", &r);
	has_eta = api_json_u64(o, "eta", &e) == 0;
	human_bytes(done, sizeof(done), (double)bd);
	human_bytes(total, sizeof(total), (double)bt);
	human_bytes(rate, sizeof(rate), (double)r);
	if (has_eta && !strcmp(state, "running"))
		human_secs(eta, sizeof(eta), (double)e);
	printf("%4" PRIu64 "  %-3s  %-8s %10s of %-10s %10s/s %8s  %s\n", id, dir, state, done, total, rate, eta, what);
	if (reason[0])
		printf("      %s\n", reason);
}

int
cli_transfers(struct cli *c, int argc, char **argv)
{
	struct api *api = NULL;
	struct api_resp r;
	int json = argc == 2 && !strcmp(argv[1], "--json"), rc;
	size_t n;
	char *body, *p;

	if (argc > 2 || (argc == 2 && !json))
		return cli_fail(CLI_USAGE, "usage: wisp transfers [--json]");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	rc = api_request(api, EVHTTP_REQ_GET, "/api/v1/transfers", NULL, 0, &r, NULL, NULL);
	if (rc != CLI_OK || r.code != 200) {
		rc = api_error_exit(&r, "transfers");
		goto out;
	}
	n = evbuffer_get_length(r.body);
	if (!(body = malloc(n + 1))) {
		rc = cli_fail(CLI_FAIL, "out of memory");
		goto out;
	}
	evbuffer_copyout(r.body, body, n);
	body[n] = 0;
	if (json) {
		printf("%s\n", body);
	} else if (!strstr(body, "{\"id\": ")) {
		printf("no transfers\n");
	} else {
		printf("  ID  DIR  STATE          DONE of TOTAL            RATE      ETA  FILE OR NAME\n");
		/* each transfer is a flat object beginning {"id": */
		for (p = strstr(body, "{\"id\": "); p; p = strstr(p + 1, "{\"id\": ")) {
			char *end = strstr(p + 1, "{\"id\": "), save = 0;
			if (end)
				save = *end, *end = 0;
			row(p);
			if (end)
				*end = save;
		}
	}
	free(body);
out:
	api_resp_free(&r);
	api_close(api);
	return rc;
}
