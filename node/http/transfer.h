/* transfer.h: the node's queue of downloads and inserts, Hyphanet's
 * global queue (docs/api.md, "Transfers"): each runs in the node whether
 * or not a client watches, is listed with its progress, and, with
 * persist-transfers = yes (the default), resumes after a restart, its
 * blocks kept in an area of its own (area.h). */
#ifndef WISP_TRANSFER_H
#define WISP_TRANSFER_H

#include <stdint.h>

struct node;
struct xfer;
struct evhttp_request;
struct evbuffer;

/* transfers_quiet answers every batch of blocks in hand (checked and
 * staged first, or refused as the node stops): called before the API's
 * connections go, so that no answer is left for a freed request. */
void transfers_quiet(struct node *n);
/* transfers_start loads the queue (a damaged file is set aside) and
 * resumes what was running; transfers_stop saves it, once the router is
 * gone (no answer can come). */
int transfers_start(struct node *n);
void transfers_stop(struct node *n);

/* The API (docs/api.md). */
void api_transfers_list(struct node *n, struct evhttp_request *req);    /* GET /api/v1/transfers */
void api_transfers_add(struct node *n, struct evhttp_request *req);     /* POST /api/v1/transfers */
void api_transfer_one(struct node *n, struct evhttp_request *req);      /* GET /api/v1/transfer?id=N[&follow=1] */
void api_transfer_cancel(struct node *n, struct evhttp_request *req);   /* DELETE /api/v1/transfer?id=N */
void api_transfer_blocks(struct node *n, struct evhttp_request *req);   /* POST /api/v1/transfer/blocks?id=N */
void api_transfer_finish(struct node *n, struct evhttp_request *req);   /* POST /api/v1/transfer/finish?id=N&uri=U */

/* transfers_test_hold: api_test.c's hold (inserts send at most |blocks|). */
void transfers_test_hold(struct node *n, uint64_t blocks);

/* transfers_html: the home page's list. */
void transfers_html(struct node *n, struct evbuffer *b);

/* For transfer_get.c and transfer_put.c. */
struct xfer *transfers_add(struct node *n, char dir);
struct xfer *transfers_find(struct node *n, uint32_t id);
uint32_t transfers_id(const struct xfer *x);
void transfers_forget(struct xfer *x);
void transfers_save(struct node *n);
int transfers_query_id(struct node *n, struct evhttp_request *req, struct xfer **out);

#endif
