/* api.h: the node's HTTP server (the API for wisp, and the gateway
 * behind it), and the endpoint handlers api.c dispatches to in the files
 * beside it (api_peers.c, api_test.c). */
#ifndef WISP_API_H
#define WISP_API_H

struct node;
struct evhttp_request;

/* api_start binds the HTTP API on conf.api and fills api_addr. */
int api_start(struct node *n);
void api_stop(struct node *n);
/* api_free_jobs: at stop, once the router is gone and no answer can come,
 * the parked gateway fetches and the uploads in progress. */
void api_free_jobs(struct node *n);

/* api_peers.c */
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
void api_test_hold(struct node *n, struct evhttp_request *req);

#endif
