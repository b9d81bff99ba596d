/* panic.h: the node's panic, asked through the API (wisp panic) or the
 * home page's form: the master key is destroyed at once and the node
 * stops a moment later (docs/operator.md, "Protection"). */
#ifndef WISP_PANIC_H
#define WISP_PANIC_H

struct node;
struct evhttp_request;

/* POST /api/v1/panic?confirm=destroy (behind the API's token) */
void api_panic(struct node *n, struct evhttp_request *req);
/* POST /panic from the home page: its form token and confirm=destroy */
void gateway_panic(struct node *n, struct evhttp_request *req);

#endif
