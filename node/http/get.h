/* get.h: fetching documents for the API (a framed stream, GET
 * /api/v1/get) and for a browser (raw bytes and pages). */
#ifndef WISP_GET_H
#define WISP_GET_H

struct node;
struct evhttp_request;

void api_get(struct node *n, struct evhttp_request *req);
/* gateway_get: a browser's fetch of |addr| ("CHK@…/path"); |slash| if
 * the path ended in '/'. */
void gateway_get(struct node *n, struct evhttp_request *req, const char *addr, int slash);
/* gateway_parked answers from a parked fetch of |addr| if there is one
 * (1), else 0. gateway_parked_free_all: at stop, once the router is gone. */
int gateway_parked(struct node *n, struct evhttp_request *req, const char *addr, int slash);
void gateway_parked_free_all(struct node *n);

#endif
