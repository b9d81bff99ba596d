/* gateway.h: the browser's side of wispd (docs/gateway.md). */
#ifndef WISP_GATEWAY_H
#define WISP_GATEWAY_H

struct node;
struct evhttp_request;

/* gateway_handle answers a browser's request for |path| (not /api/). */
void gateway_handle(struct node *n, struct evhttp_request *req, const char *path);

#endif
