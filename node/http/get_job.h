/* get_job.h: a document fetch for the HTTP API or the gateway, private to
 * the files that make one, bottom up: get_job.c (the job's life and its
 * network source), get_name.c (SSK and USK names resolved to a CHK root),
 * get_gateway.c (what a browser gets: ranges, filtered pages, parked
 * fetches) and get.c (begins jobs; the API's framed stream; the sink that
 * sends each job's bytes where they go). */
#ifndef WISP_GET_JOB_H
#define WISP_GET_JOB_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#include "crypto/chk.h"
#include "crypto/tree.h"
#include "crypto/uri.h"
#include "node/core/fetch.h"
#include "node/core/window.h"
#include "node/http/pages.h"

struct node;

enum gateway_limits {
	GATEWAY_PATIENCE_MS = 4000,   /* a page shows "still looking" after this */
	GATEWAY_FILTER_MAX = 8 << 20, /* an HTML page larger than this is not shown */
	GATEWAY_PARK_MAX = 16 << 20,  /* a parked fetch keeps at most this much */
	GATEWAY_PARKED_MAX = 4,       /* parked fetches at once */
	GATEWAY_PARK_TTL_S = 120,     /* a parked result waits this long for its reload */
};

/* A job run for a transfer (transfer_get.c) rather than an HTTP answer:
 * the document's bytes go to |sink| (a site's manifest is read first, as
 * for the API), and blocks are looked up in, and kept to, the transfer's
 * own area before and after the network. */
struct job_owner {
	const struct fetch_sink *sink;
	/* held: 0 with the block (checked against |rkey|) in |out| */
	int (*held)(void *ctx, const uint8_t rkey[CHK_KEY_LEN], uint8_t *out, size_t cap, size_t *len);
	/* keep: a block the network gave, from about |hops| links away */
	void (*keep)(void *ctx, const uint8_t rkey[CHK_KEY_LEN], const uint8_t *block, size_t len, unsigned hops);
	/* named: the edition a USK resolved to, before the document's start */
	void (*named)(void *ctx, int64_t edition);
	void *ctx;
	/* keepalive (keep.c): |probe| asks the network only, never this
	 * node's store; |missing| (may be NULL) may then supply a block the
	 * network lacks (0, with it in |out|); |repair| inserts rebuilt
	 * blocks, each told to |rebuilt| (may be NULL). */
	int probe, repair;
	int (*missing)(void *ctx, const uint8_t rkey[CHK_KEY_LEN], uint8_t *out, size_t cap, size_t *len);
	void (*rebuilt)(void *ctx);
};

/* One fetch for the API (framed, get.c) or the gateway (raw bytes and
 * pages, get_gateway.c), of a CHK, or of an SSK or USK name resolved first
 * (get_name.c). */
struct get_job {
	struct node *n;
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
	struct fetch *f;
	struct fetch *old;      /* the fetch a site's manifest was read by, until its last
	                           answer is in (job_next_fetch) */
	const struct fetch_sink *sink; /* where the bytes go: get.c's, set at creation */
	const struct job_owner *owner; /* a transfer's or a check's, or NULL: cleared once it
	                                  is told the end (it may be freed then) */
	int started, paused, done, gone;
	unsigned hops;          /* the farthest any block came from */
	struct window win;      /* requests in flight, from round trips (core/window.h) */
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
	int image, download;    /* asked for as an image; ?download=1: the bytes, saved */
	enum gw_show show;
	char mime[TREE_MIME_MAX + 1];
	struct evbuffer *body;
	struct event *patience;
	int result;             /* parked: 0 running, -1 start afresh, else an HTTP code */
	char rtitle[48], rtext[200];
	struct get_job *pnext;
};

/* get_job.c */
/* job_new: a job of |n|, not yet answering anything; job_free ends it. */
struct get_job *job_new(struct node *n);
void job_free(struct get_job *j);
/* job_finish_later: done; reaped once no block answer is outstanding. */
void job_finish_later(struct get_job *j);
/* job_on_close: the connection's close callback while the job runs. */
void job_on_close(struct evhttp_connection *evcon, void *arg);
/* job_fail answers with an error (a page for the gateway) and ends the job. */
void job_fail(struct get_job *j, int code, const char *kind, const char *reason);
/* job_answer_page: a page now, or kept for a parked job's reload. */
void job_answer_page(struct get_job *j, int code, const char *title, const char *text);
/* job_next_fetch ends j->f to start another: it is freed once no answer
 * to it is outstanding (a finished fetch may still await some: blocks
 * asked for beyond those a rebuild needed). A job moves on once. */
void job_next_fetch(struct get_job *j);
/* job_start_chk fetches the document whose root is |root| into j->sink. */
void job_start_chk(struct get_job *j, const struct chk_keys *root);
/* job_cancel: the owner is done with it; its sink is not called again. */
void job_cancel(struct get_job *j);
/* job_drop frees it at once: only once the router is gone (no answer
 * can come). */
void job_drop(struct get_job *j);

/* get_gateway.c */
void getgw_redirect_slash(struct get_job *j);
int getgw_redirect_edition(struct get_job *j, int64_t edition);
void getgw_serve_body(struct get_job *j, struct evhttp_request *req);
void getgw_start(struct get_job *j, uint64_t total, const char *mime);
void getgw_on_patience(evutil_socket_t fd, short ev, void *arg);
/* getgw_listing answers with the files of a site that has no index.html
 * (the manifest |m|, |n| bytes, already checked whole). */
void getgw_listing(struct get_job *j, const uint8_t *m, size_t n);

/* get_name.c: resolves j->u (an SSK or USK) and calls job_start_chk. */
void getname_start(struct get_job *j);

#endif
