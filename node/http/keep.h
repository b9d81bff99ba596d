/* keep.h: documents this node keeps alive, Hyphanet's Keepalive (docs/
 * api.md, "Keeping documents alive"): every keep-interval (randomised)
 * each kept document is read through the network only, never from this
 * node's store; a block the network lacks is sent out again from this
 * store if it is here, or rebuilt from the check blocks and inserted. wisp
 * check runs one such read now, without repairing anything. */
#ifndef WISP_KEEP_H
#define WISP_KEEP_H

struct node;
struct evhttp_request;

int keep_start(struct node *n);
void keep_stop(struct node *n);

void api_keep_list(struct node *n, struct evhttp_request *req);   /* GET /api/v1/keep */
void api_keep_add(struct node *n, struct evhttp_request *req);    /* POST /api/v1/keep?uri=U */
void api_keep_remove(struct node *n, struct evhttp_request *req); /* DELETE /api/v1/keep?uri=U */
void api_check(struct node *n, struct evhttp_request *req);       /* POST /api/v1/check?uri=U */

#endif
