/* api.h: endpoint handlers shared between api.c (dispatch) and the
 * files that implement them. */
#ifndef WISP_API_H
#define WISP_API_H

struct node;
struct evhttp_request;

void api_noderef(struct node *n, struct evhttp_request *req);
void api_peers(struct node *n, struct evhttp_request *req);
void api_peer_add(struct node *n, struct evhttp_request *req);
void api_peer_remove(struct node *n, struct evhttp_request *req);
void api_invite(struct node *n, struct evhttp_request *req);
void api_seeds(struct node *n, struct evhttp_request *req);
void api_seed_add(struct node *n, struct evhttp_request *req);
/* api_test.c: only when api_test_enabled() */
int api_test_enabled(void);
void api_test_blocks(struct node *n, struct evhttp_request *req);
void api_test_drop(struct node *n, struct evhttp_request *req);
/* get.c */
void api_get(struct node *n, struct evhttp_request *req);
void gateway_handle(struct node *n, struct evhttp_request *req, const char *path);

#endif
