/* get.h: fetching documents for the API (a framed stream, GET
 * /api/v1/get) and for a browser (raw bytes and pages). */
#ifndef WISP_GET_H
#define WISP_GET_H

struct node;
struct evhttp_request;

struct job_owner;
struct get_job;

void api_get(struct node *n, struct evhttp_request *req);
/* get_start_owned starts a fetch of |text| whose bytes go to |o| (a
 * transfer's, get_job.h); NULL with |why| on a bad URI or no memory. The
 * owner's sink may end before this returns. */
struct get_job *get_start_owned(struct node *n, const char *text, const struct job_owner *o,
    const char **why);
/* gateway_get: a browser's fetch of |addr| ("CHK@…/path"); |slash| if
 * the path ended in '/'. */
void gateway_get(struct node *n, struct evhttp_request *req, const char *addr, int slash);
/* gateway_parked answers from a parked fetch of |addr| if there is one
 * (1), else 0. gateway_parked_free_all: at stop, once the router is gone. */
int gateway_parked(struct node *n, struct evhttp_request *req, const char *addr, int slash);
void gateway_parked_free_all(struct node *n);
/* get_opener_start starts the thread that opens fetched blocks (0 or
 * -1, get_job.c); get_opener_stop hands back what it was given, to the
 * fetches, all still there, and from then on blocks are opened on the
 * loop. */
int get_opener_start(struct node *n);
void get_opener_stop(struct node *n);

#endif
