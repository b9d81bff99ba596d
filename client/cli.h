/* cli.h: the wisp command-line client. */
#ifndef WISP_CLI_H
#define WISP_CLI_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes: the contract of DESIGN.md. */
enum cli_exit {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,       /* usage error or malformed input */
	CLI_UNREACHABLE = 3, /* the node cannot be reached */
	CLI_NOTFOUND = 4,    /* not found in the network */
	CLI_INTEGRITY = 5,   /* a block does not verify */
	CLI_INTERRUPTED = 130, /* Ctrl-C, the transfer cancelled */
};

struct cli {
	char datadir[PATH_MAX];
	int quiet, verbose;
};

/* cli_fail prints "wisp: <message>" on stderr and returns |code|. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cli_put(struct cli *c, int argc, char **argv);
int cli_get(struct cli *c, int argc, char **argv);
int cli_status(struct cli *c, int argc, char **argv);
int cli_noderef(struct cli *c, int argc, char **argv);
int cli_invite(struct cli *c, int argc, char **argv);
int cli_peer(struct cli *c, int argc, char **argv);
int cli_seed(struct cli *c, int argc, char **argv);
int cli_keygen(struct cli *c, int argc, char **argv);
int cli_transfers(struct cli *c, int argc, char **argv);
int cli_wait(struct cli *c, int argc, char **argv);
int cli_cancel(struct cli *c, int argc, char **argv);
int cli_keep(struct cli *c, int argc, char **argv);
int cli_stop(struct cli *c, int argc, char **argv);
int cli_reload(struct cli *c, int argc, char **argv);
int cli_passphrase(struct cli *c, int argc, char **argv);
int cli_panic(struct cli *c, int argc, char **argv);
/* cli_wait_stopped waits up to 30 s for the node of |datadir| to be gone
 * (its api.addr removed and its lock free). 0 or -1. */
int cli_wait_stopped(const char *datadir);
int cli_check(struct cli *c, int argc, char **argv);

/* ---- transfers.c: following a transfer of the node's queue ---- */
struct api;
/* xfer_follow shows transfer |id|'s progress until it ends and returns
 * its exit code; a put's URI is copied to |uri|. With |ask|, Ctrl-C asks
 * (on a terminal) whether to keep it running; else it cancels it. */
int xfer_follow(struct cli *c, struct api *api, unsigned id, const char *verb, int ask, char *uri,
    size_t cap);
struct uri;
struct chk_keys;
int ssk_check(const char *text, struct uri *u);
struct api;
int ssk_publish(struct cli *c, struct api *api, const struct uri *u, const struct chk_keys *root);

/* ---- api.c: a synchronous HTTP client for the node's API ---- */

struct api;
struct evbuffer;

/* api_chunk_fn sees streamed response bytes; non-zero stops the request. */
typedef int (*api_chunk_fn)(void *ctx, struct evbuffer *in, int code);

struct api_resp {
	int code;               /* HTTP status, 0 if the node could not be reached */
	struct evbuffer *body;  /* unless streamed */
	char wisp_length[24], wisp_mime[128], wisp_hops[8], wisp_edition[24];
};

/* api_open finds the node of |datadir| (api.addr, api.token). Returns
 * CLI_OK or CLI_UNREACHABLE with a message printed. */
int api_open(struct api **out, const char *datadir);
/* api_lane opens another connection to |a|'s node on |a|'s event loop,
 * for a request in flight beside |a|'s; api_close(a) closes its lanes
 * too, and Ctrl-C caught on |a| cancels them all. */
int api_lane(struct api *a, struct api **out);
void api_close(struct api *a);
/* api_request sends a request and waits for the whole answer (or streams
 * it through |chunk|). Returns CLI_OK, or CLI_UNREACHABLE. */
int api_request(struct api *a, int method, const char *path, const void *body, size_t len,
    struct api_resp *r, api_chunk_fn chunk, void *ctx);
/* api_send starts a request without waiting; api_wait waits for it. At
 * most one is outstanding. */
int api_send(struct api *a, int method, const char *path, const void *body, size_t len);
/* api_progress moves the request in flight on as far as the socket
 * allows now, without waiting: a caller busy between api_send and
 * api_wait calls it so that the node is not kept waiting for the body. */
void api_progress(struct api *a);
int api_wait(struct api *a, struct api_resp *r);
void api_resp_free(struct api_resp *r);
/* api_catch_interrupt: from now on Ctrl-C cancels the request in flight
 * (it returns CLI_UNREACHABLE) and api_interrupted says so, once. */
int api_catch_interrupt(struct api *a);
int api_interrupted(struct api *a);
/* api_json_str, api_json_u64: a field of a flat JSON object (a string's
 * escapes are kept; -1 or "" when absent). */
void api_json_str(const char *json, const char *key, char *out, size_t outlen);
int api_json_u64(const char *json, const char *key, uint64_t *v);
/* api_error_exit maps an error response to an exit code and prints its
 * reason. */
int api_error_exit(const struct api_resp *r, const char *what);

/* ---- progress.c ---- */
struct progress;
struct progress *progress_new(int enabled, const char *verb, uint64_t total);
void progress_update(struct progress *p, uint64_t bytes, uint64_t blocks);
void progress_total(struct progress *p, uint64_t total);
/* human_bytes: "1.2 GiB"; human_secs: "52 s", past 90 s minutes, past 90
 * minutes hours and minutes, as a person reads them. */
void human_bytes(char *out, size_t n, double v);
void human_secs(char *out, size_t n, double s);
void progress_done(struct progress *p);

#endif
