/* http_util.h: small helpers for evhttp replies. */
#ifndef WISP_HTTP_UTIL_H
#define WISP_HTTP_UTIL_H

#include <stddef.h>

struct evbuffer;
struct evhttp_request;

/* json_str appends |s| as a JSON string literal. */
void json_str(struct evbuffer *b, const char *s);
/* reply_json sends |body| (consumed) with |code|. */
void reply_json(struct evhttp_request *req, int code, struct evbuffer *body);
/* reply_error sends {"error": kind, "reason": reason} with |code|. */
void reply_error(struct evhttp_request *req, int code, const char *kind, const char *reason);
/* query_get copies the decoded value of |key| from the request's query. */
int query_get(struct evhttp_request *req, const char *key, char *out, size_t outlen);
struct node;
/* stop_after_reply stops |n| (n->stop) in a moment, once the answer just
 * sent has left; -1 if it cannot. */
int stop_after_reply(struct node *n);

#endif
