#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "node/base/node.h"
#include "node/http/reply.h"

void
json_str(struct evbuffer *b, const char *s)
{
	evbuffer_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			evbuffer_add_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			evbuffer_add_printf(b, "\\u%04x", c);
		else
			evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

static const char *
reason_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 416: return "Range Not Satisfiable";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	}
	return "Error";
}

void
reply_json(struct evhttp_request *req, int code, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evbuffer_add(body, "\n", 1);
	evhttp_send_reply(req, code, reason_phrase(code), body);
}

void
reply_error(struct evhttp_request *req, int code, const char *kind, const char *reason)
{
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add_printf(b, "{\"error\": ");
	json_str(b, kind);
	evbuffer_add_printf(b, ", \"reason\": ");
	json_str(b, reason);
	evbuffer_add(b, "}", 1);
	reply_json(req, code, b);
	evbuffer_free(b);
}

int
query_get(struct evhttp_request *req, const char *key, char *out, size_t outlen)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq args;
	const char *v;
	int rc = -1;

	if (!q)
		return -1;
	TAILQ_INIT(&args);
	if (evhttp_parse_query_str(q, &args) != 0)
		return -1;
	if ((v = evhttp_find_header(&args, key)) && strlen(v) < outlen) {
		memcpy(out, v, strlen(v) + 1);
		rc = 0;
	}
	evhttp_clear_headers(&args);
	return rc;
}

static void
stop_now(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;

	(void)fd;
	(void)ev;
	n->stop(n);
}

int
stop_after_reply(struct node *n)
{
	struct timeval soon = { 0, 100000 };

	return n->stop && event_base_once(n->base, -1, EV_TIMEOUT, stop_now, n, &soon) == 0 ? 0 : -1;
}
