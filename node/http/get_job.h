/* get_job.h: a document fetch for the HTTP API or the gateway, shared by
 * get.c (the job, the API's framed stream, the network source),
 * get_gateway.c (what a browser gets: ranges, filtered pages, parked
 * fetches) and get_name.c (SSK and USK names resolved to a CHK root).
 * Private to those three. */
#ifndef WISP_GET_JOB_H
#define WISP_GET_JOB_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#include "crypto/chk.h"
#include "crypto/tree.h"
#include "crypto/uri.h"
#include "node/core/fetch.h"
#include "node/http/gateway.h"

struct node;

/* One fetch for the API (framed, get.c) or the gateway (raw bytes and
 * pages, get_gateway.c), of a CHK, or of an SSK or USK name resolved first
 * (get_name.c). */
struct get_job {
	struct node *n;
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
	struct fetch *f;
	int started, paused, done, gone;
	unsigned hops;          /* the farthest any block came from */
	struct event *reap;
	/* SSK/USK: the name is resolved to a CHK root first */
	struct uri u;
	int head, raw;
	int64_t lo, hi, step, probe, edition;
	int misses, pending_ssk;
	struct chk_keys lo_root;
	/* Sites: a manifest is read whole, then the path's file fetched. */
	char site_path[URI_NAME_MAX + URI_PATH_MAX + 2];
	int stage, collecting, answered;
	/* The gateway: raw bytes for a browser, not frames for wisp. */
	int gateway, slash;
	char range[64], etag[48];
	struct evbuffer *mbuf;
	struct event *restart;
	struct chk_keys next_root;
	/* A browser's page load that takes long is answered "still looking"
	 * and parked: the fetch goes on into |body|, and the page's reload
	 * gets the outcome (gateway.h). Filtered pages are buffered too. */
	char addr[URI_MAX + 2];
	int nav, buffering, parked, counted;
	enum gw_show show;
	char mime[TREE_MIME_MAX + 1];
	struct evbuffer *body;
	struct event *patience;
	int result;             /* parked: 0 running, -1 start afresh, else an HTTP code */
	char rtitle[48], rtext[200];
	struct get_job *pnext;
};

/* get.c */
void job_finish_later(struct get_job *j);
/* job_fail answers with an error (a page for the gateway) and ends the job. */
void job_fail(struct get_job *j, int code, const char *kind, const char *reason);
/* start_chk fetches the document whose root is |root|. */
void start_chk(struct get_job *j, const struct chk_keys *root);
void job_free(struct get_job *j);

/* get_gateway.c */
void getgw_redirect_slash(struct get_job *j);
void getgw_serve_body(struct get_job *j, struct evhttp_request *req);
void getgw_answer_page(struct get_job *j, int code, const char *title, const char *text);
void getgw_start(struct get_job *j, uint64_t total, const char *mime);
void getgw_on_patience(evutil_socket_t fd, short ev, void *arg);

/* get_name.c: resolves j->u (an SSK or USK) and calls start_chk. */
void getname_start(struct get_job *j);

#endif
