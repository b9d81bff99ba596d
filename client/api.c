#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "client/cli.h"
#include "crypto/datadir.h"

struct api {
	struct event_base *base;   /* a lane's is its root's */
	struct evhttp_connection *evcon;
	char host[80], auth[128];
	char addr[64];             /* to connect to, without the port */
	uint16_t port;
	struct api *root, *lane;   /* api_lane: a lane's root; the next lane of a root's chain */
	/* the request in flight */
	int busy, done;
	struct api_resp *resp, pending;
	api_chunk_fn chunk;
	void *ctx;
	struct evhttp_request *req;
	struct event *sigint;   /* api_catch_interrupt */
	int interrupted;
};

static int
read_line(const char *path, char *out, size_t outlen)
{
	long n = read_small_file(path, out, outlen - 1);

	if (n <= 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return out[0] ? 0 : -1;
}

/* wide_writes: a put's batch (2 MiB) leaves in as few writes as the
 * socket takes, not libevent's 16 KiB a turn: the encoder turns the
 * loop once per block, so each turn must move a block or more. A 512
 * MiB put: 15.4 -> 12.5 s (means of two); 256 MiB: 33,175 writev calls
 * -> 261. */
static void
wide_writes(struct evhttp_connection *evcon)
{
	(void)bufferevent_set_max_single_write(evhttp_connection_get_bufferevent(evcon), 4 << 20);
}

int
api_open(struct api **out, const char *datadir)
{
	char path[PATH_MAX + 16], token[100] = "", host[64], rt[PATH_MAX];
	struct api *a;
	char *colon;
	long port;

	snprintf(path, sizeof(path), "%s/api.addr", datadir);
	if (read_line(path, host, sizeof(host)) != 0)
		return cli_fail(CLI_UNREACHABLE, "no node running at %s (no api.addr; start wispd)", datadir);
	/* a protected node keeps its token in RAM (crypto/datadir.h) */
	snprintf(path, sizeof(path), "%s/api.token", datadir);
	if (read_line(path, token, sizeof(token)) != 0 && errno == ENOENT &&
	    wisp_runtime_dir(rt, sizeof(rt), datadir, 0) == 0) {
		snprintf(path, sizeof(path), "%s/api.token", rt);
		(void)read_line(path, token, sizeof(token));
	}
	if (!token[0])
		return cli_fail(CLI_UNREACHABLE, "cannot read %s: %s", path, strerror(errno));
	if (!(colon = strrchr(host, ':')) || (port = strtol(colon + 1, NULL, 10)) <= 0 || port > 65535)
		return cli_fail(CLI_UNREACHABLE, "%s/api.addr is malformed", datadir);
	if (!(a = calloc(1, sizeof(*a))) || !(a->base = event_base_new())) {
		free(a);
		return cli_fail(CLI_FAIL, "out of memory");
	}
	snprintf(a->host, sizeof(a->host), "%s", host);
	snprintf(a->auth, sizeof(a->auth), "Bearer %s", token);
	*colon = '\0';
	if (host[0] == '[') { /* evhttp wants a bare v6 address */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	a->evcon = evhttp_connection_base_new(a->base, NULL, host, (uint16_t)port);
	if (!a->evcon) {
		api_close(a);
		return cli_fail(CLI_FAIL, "out of memory");
	}
	evhttp_connection_set_timeout(a->evcon, 600);
	wide_writes(a->evcon);
	snprintf(a->addr, sizeof(a->addr), "%s", host);
	a->port = (uint16_t)port;
	*out = a;
	return CLI_OK;
}

int
api_lane(struct api *a, struct api **out)
{
	struct api *l;

	if (a->root || !(l = calloc(1, sizeof(*l))))
		return cli_fail(CLI_FAIL, "out of memory");
	*l = (struct api){ .base = a->base, .root = a, .lane = a->lane, .port = a->port };
	memcpy(l->host, a->host, sizeof(l->host));
	memcpy(l->auth, a->auth, sizeof(l->auth));
	memcpy(l->addr, a->addr, sizeof(l->addr));
	if (!(l->evcon = evhttp_connection_base_new(a->base, NULL, l->addr, l->port))) {
		free(l);
		return cli_fail(CLI_FAIL, "out of memory");
	}
	evhttp_connection_set_timeout(l->evcon, 600);
	wide_writes(l->evcon);
	a->lane = l;
	*out = l;
	return CLI_OK;
}

void
api_close(struct api *a)
{
	if (!a)
		return;
	if (a->root) { /* a lane: the root's base stays */
		struct api **pp = &a->root->lane;
		while (*pp != a)
			pp = &(*pp)->lane;
		*pp = a->lane;
		evhttp_connection_free(a->evcon);
		free(a);
		return;
	}
	while (a->lane)
		api_close(a->lane);
	if (a->sigint)
		event_free(a->sigint);
	if (a->evcon)
		evhttp_connection_free(a->evcon);
	if (a->base)
		event_base_free(a->base);
	free(a);
}

void
api_resp_free(struct api_resp *r)
{
	if (r->body)
		evbuffer_free(r->body);
	r->body = NULL;
}

static void
copy_headers(struct evhttp_request *req, struct api_resp *r)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *v;

	if ((v = evhttp_find_header(h, "X-Wisp-Length")))
		snprintf(r->wisp_length, sizeof(r->wisp_length), "%s", v);
	if ((v = evhttp_find_header(h, "X-Wisp-Edition")))
		snprintf(r->wisp_edition, sizeof(r->wisp_edition), "%s", v);
	if ((v = evhttp_find_header(h, "X-Wisp-Hops")))
		snprintf(r->wisp_hops, sizeof(r->wisp_hops), "%s", v);
	if ((v = evhttp_find_header(h, "X-Wisp-Mime")))
		snprintf(r->wisp_mime, sizeof(r->wisp_mime), "%s", v);
}

static void
on_chunk(struct evhttp_request *req, void *arg)
{
	struct api *a = arg;
	struct api_resp *r = a->resp;

	r->code = evhttp_request_get_response_code(req);
	copy_headers(req, r);
	if (a->chunk && a->chunk(a->ctx, evhttp_request_get_input_buffer(req), r->code) != 0)
		a->done = 1, event_base_loopbreak(a->base); /* the caller gives up and exits */
}

static void
on_done(struct evhttp_request *req, void *arg)
{
	struct api *a = arg;
	struct api_resp *r = a->resp;

	a->done = 1;
	a->req = NULL;
	if (!req || evhttp_request_get_response_code(req) == 0) {
		r->code = 0;
	} else {
		r->code = evhttp_request_get_response_code(req);
		copy_headers(req, r);
		if (a->chunk)
			(void)a->chunk(a->ctx, evhttp_request_get_input_buffer(req), r->code);
		else if ((r->body = evbuffer_new()))
			evbuffer_add_buffer(r->body, evhttp_request_get_input_buffer(req));
	}
	event_base_loopbreak(a->base);
}

static int
start(struct api *a, int method, const char *path, const void *body, size_t len,
    struct api_resp *r, api_chunk_fn chunk, void *ctx)
{
	struct evhttp_request *req;
	struct evkeyvalq *h;

	memset(r, 0, sizeof(*r));
	a->resp = r;
	a->chunk = chunk;
	a->ctx = ctx;
	a->done = 0;
	if (!(req = evhttp_request_new(on_done, a)))
		return CLI_FAIL;
	if (chunk)
		evhttp_request_set_chunked_cb(req, on_chunk);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", a->host);
	evhttp_add_header(h, "Authorization", a->auth);
	if (body && len) {
		evhttp_add_header(h, "Content-Type", "application/octet-stream");
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	}
	if (evhttp_make_request(a->evcon, req, (enum evhttp_cmd_type)method, path) != 0)
		return CLI_UNREACHABLE;
	a->req = req;
	a->busy = 1;
	return CLI_OK;
}

static int
wait_done(struct api *a)
{
	while (!a->done)
		if (event_base_dispatch(a->base) < 0)
			break;
	a->busy = 0;
	return a->resp->code == 0 ? CLI_UNREACHABLE : CLI_OK;
}

int
api_request(struct api *a, int method, const char *path, const void *body, size_t len,
    struct api_resp *r, api_chunk_fn chunk, void *ctx)
{
	int rc = start(a, method, path, body, len, r, chunk, ctx);

	return rc ? rc : wait_done(a);
}

int
api_send(struct api *a, int method, const char *path, const void *body, size_t len)
{
	return start(a, method, path, body, len, &a->pending, NULL, NULL);
}

void
api_progress(struct api *a)
{
	if (a && a->busy && !a->done)
		(void)event_base_loop(a->base, EVLOOP_NONBLOCK);
}

int
api_wait(struct api *a, struct api_resp *r)
{
	int rc;

	if (!a->busy) {
		memset(r, 0, sizeof(*r));
		r->code = 200;
		return CLI_OK;
	}
	rc = wait_done(a);
	*r = a->pending;
	memset(&a->pending, 0, sizeof(a->pending));
	return rc;
}

static void
cancel(struct api *a)
{
	if (a->req)
		evhttp_cancel_request(a->req);
	a->req = NULL;
	a->done = 1;
	if (a->resp)
		a->resp->code = 0;
}

static void
on_sigint(evutil_socket_t fd, short ev, void *arg)
{
	struct api *a = arg;

	(void)fd;
	(void)ev;
	a->interrupted = 1;
	cancel(a);
	for (struct api *l = a->lane; l; l = l->lane)
		l->interrupted = 1, cancel(l);
	event_base_loopbreak(a->base);
}

int
api_catch_interrupt(struct api *a)
{
	if (!a->sigint && (!(a->sigint = evsignal_new(a->base, SIGINT, on_sigint, a)) ||
	    event_add(a->sigint, NULL) != 0))
		return -1;
	return 0;
}

int
api_interrupted(struct api *a)
{
	int i = a->interrupted;

	a->interrupted = 0;
	return i;
}

/* json_field copies a string field of a flat JSON error object. */
static void
json_field(const char *json, const char *key, char *out, size_t outlen)
{
	char pat[64];
	const char *p, *e;
	size_t n;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	if (!(p = strstr(json, pat)))
		return;
	p += strlen(pat);
	for (e = p; *e && *e != '"'; e++)
		if (*e == '\\' && e[1])
			e++;
	n = (size_t)(e - p) < outlen - 1 ? (size_t)(e - p) : outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

void
api_json_str(const char *json, const char *key, char *out, size_t outlen)
{
	json_field(json, key, out, outlen);
}

int
api_json_u64(const char *json, const char *key, uint64_t *v)
{
	char pat[64], *end;
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	if (!(p = strstr(json, pat)))
		return -1;
	p += strlen(pat);
	if (*p < '0' || *p > '9')
		return -1;
	*v = strtoull(p, &end, 10);
	return 0;
}

int
api_error_exit(const struct api_resp *r, const char *what)
{
	char body[2048] = "", kind[64], reason[512];
	size_t n = 0;

	if (r->code == 0)
		return cli_fail(CLI_UNREACHABLE, "%s: the node cannot be reached", what);
	if (r->body) {
		n = evbuffer_copyout(r->body, body, sizeof(body) - 1);
		body[n > 0 ? n : 0] = '\0';
	}
	json_field(body, "error", kind, sizeof(kind));
	json_field(body, "reason", reason, sizeof(reason));
	if (!reason[0])
		snprintf(reason, sizeof(reason), "HTTP %d", r->code);
	if (r->code == 404 && strcmp(kind, "not_found") == 0)
		return cli_fail(CLI_NOTFOUND, "%s: not found: %s", what, reason);
	if (strcmp(kind, "integrity") == 0)
		return cli_fail(CLI_INTEGRITY, "%s: integrity failure: %s (a mistyped or truncated URI does this too)",
		    what, reason);
	if (strcmp(kind, "bad_block") == 0)
		return cli_fail(CLI_INTEGRITY, "%s: integrity failure: %s", what, reason);
	if (r->code == 400 || strcmp(kind, "no_such_transfer") == 0 || strcmp(kind, "not_kept") == 0)
		return cli_fail(CLI_USAGE, "%s: %s", what, reason);
	if (r->code == 401)
		return cli_fail(CLI_UNREACHABLE, "%s: the node refused our API token: %s", what, reason);
	return cli_fail(CLI_FAIL, "%s: %s", what, reason);
}
