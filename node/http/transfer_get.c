/* transfer_get.c: a download of the queue (transfer.h) into a file the
 * user named. Its bytes go to FILE.part, renamed to FILE once the whole
 * document was read and checked, so no partial file looks whole. Every
 * block fetched is kept in the transfer's area first; a download that
 * starts again (after a restart, or a retry when blocks were not found)
 * reads them from there and asks the network only for the rest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "store/area.h"
#include "node/http/get.h"
#include "node/http/reply.h"
#include "node/http/transfer.h"
#include "node/http/transfer_int.h"
#include "node/link/peers.h"

static void
part_path(const struct xfer *x, char *out, size_t cap)
{
	snprintf(out, cap, "%s.part", x->r.path);
}

static void
close_part(struct xfer *x, int keep)
{
	char part[XFER_PATH_MAX + 8];

	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	if (!keep) {
		part_path(x, part, sizeof(part));
		unlink(part);
	}
}

/* fail_now ends the download; the job is told to stop. */
static void
fail_now(struct xfer *x, int code, const char *why)
{
	if (x->job) {
		job_cancel(x->job);
		x->job = NULL;
	}
	close_part(x, 0);
	xfer_end(x, code, why);
}

static void
sink_start(void *ctx, uint64_t length, const char *mime)
{
	struct xfer *x = ctx;

	(void)mime;
	x->r.total = length;
	x->r.done = 0;
	x->last_bytes = 0;
	xfer_changed(x);
}

static int
sink_data(void *ctx, const uint8_t *p, size_t len)
{
	struct xfer *x = ctx;
	size_t put = 0;

	while (put < len) {
		ssize_t w = write(x->fd, p + put, len - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			char why[XFER_WHY_MAX];
			snprintf(why, sizeof(why), "%s writing %.120s.part", errno == ENOSPC ? "the disk is full"
			    : strerror(errno), x->r.path);
			fail_now(x, 1, why);
			return 1;
		}
		put += (size_t)w;
	}
	flow_wrote(&x->flow, x->r.done, len);
	x->r.done += len;
	return 0;
}

static void
sink_end(void *ctx, enum fetch_status st, const char *reason)
{
	struct xfer *x = ctx;
	char part[XFER_PATH_MAX + 8];

	x->job = NULL; /* it is reaped by itself */
	if (st == FETCH_OK) {
		part_path(x, part, sizeof(part));
		if (fsync(x->fd) != 0 || rename(part, x->r.path) != 0) {
			char why[XFER_WHY_MAX];
			snprintf(why, sizeof(why), "cannot finish %.120s: %s", x->r.path, strerror(errno));
			close_part(x, 0);
			xfer_end(x, 1, why);
			return;
		}
		close_part(x, 1);
		xfer_end(x, 0, "");
		return;
	}
	if (x->r.background && st != FETCH_INTEGRITY && ++x->tries < XFER_TRIES) {
		/* Blocks not found now may be found later, by another route:
		 * what was fetched stays in the area. One in the foreground
		 * fails at once, as its user waits. */
		log_info("transfer %u: %s; trying again in %d s (%d of %d)", (unsigned)x->r.id, reason, XFER_RETRY_S,
		    x->tries + 1, XFER_TRIES);
		close_part(x, 0);
		x->r.state = XFER_QUEUED;
		x->retry_at = (int64_t)time(NULL) + XFER_RETRY_S;
		transfers_save(x->t->n); /* what it fetched is counted as the area holds it */
		return;
	}
	close_part(x, 0);
	xfer_end(x, (int)st, reason);
}

static const struct fetch_sink xget_sink = { sink_start, sink_data, sink_end };

static int
held(void *ctx, const uint8_t rkey[CHK_KEY_LEN], uint8_t *out, size_t cap, size_t *len)
{
	struct xfer *x = ctx;
	int rc = x->area ? area_get(x->area, rkey, out, cap, len) : WISP_ERR_NOTFOUND;

	if (rc == 0) {
		x->r.from_area++;
		x->r.blocks_done++;
	}
	else if (rc == WISP_ERR_VERIFY)
		log_warnx("transfer %u: a kept block does not verify (the disk?): fetching it again", (unsigned)x->r.id);
	return rc;
}

static void
keep(void *ctx, const uint8_t rkey[CHK_KEY_LEN], const uint8_t *block, size_t len, unsigned hops)
{
	struct xfer *x = ctx;

	if (x->hops < hops)
		x->hops = hops;
	x->r.from_net++;
	x->r.blocks_done++;
	/* a block this node's store answered (hops 0) is kept there; the
	 * area keeps what came from the network, which a resume would
	 * otherwise fetch again */
	if (x->area && hops > 0 && area_add(x->area, rkey, block, len) != 0) {
		/* the download goes on; only a resume would fetch it again */
		log_warnx("transfer %u: cannot keep a block: %s", (unsigned)x->r.id, strerror(errno));
	}
}

static void
named(void *ctx, int64_t edition)
{
	((struct xfer *)ctx)->edition = edition;
}

static unsigned
running_gets(const struct transfers *t)
{
	unsigned k = 0;

	for (const struct xfer *x = t->list; x; x = x->next)
		k += x->r.dir == XFER_GET && x->r.state == XFER_RUNNING;
	return k;
}

int
xget_ready(struct xfer *x)
{
	struct node *n = x->t->n;

	if (x->retry_at && (int64_t)time(NULL) < x->retry_at)
		return 0;
	/* After a start, wait for a link (or a while) before asking. */
	return peers_connected(n) > 0 || peers_known(n) == 0 ||
	    (int64_t)time(NULL) - n->started >= XFER_WAIT_PEERS_S;
}

void
xget_run(struct xfer *x)
{
	char part[XFER_PATH_MAX + 8], apath[PATH_MAX + 16], why[XFER_WHY_MAX];
	const char *err = NULL;
	struct get_job *j;
	uint64_t cut;

	part_path(x, part, sizeof(part));
	x->retry_at = 0;
	if (!x->area) {
		xfer_area_path(x, apath, sizeof(apath));
		if (area_open(&x->area, apath, vault_key(x->t->n, SEAL_USE_AREA), 1, &cut) != 0) {
			snprintf(why, sizeof(why), "cannot open %.120s: %s", apath, strerror(errno));
			xfer_end(x, 1, why);
			return;
		}
		if (cut)
			log_warnx("transfer %u: %llu damaged bytes cut from the end of %s", (unsigned)x->r.id,
			    (unsigned long long)cut, apath);
	}
	if ((x->fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, sizeof(why), "cannot write %.120s: %s", part, strerror(errno));
		xfer_end(x, 1, why);
		return;
	}
	flow_init(&x->flow, x->fd);
	x->r.state = XFER_RUNNING;
	x->r.done = 0;
	x->r.blocks_done = 0;
	x->owner = (struct job_owner){ .sink = &xget_sink, .held = held, .keep = keep, .named = named, .ctx = x,
		.repair = x->t->n->conf.heal };
	x->edition = -1;
	x->job = NULL;
	j = get_start_owned(x->t->n, x->r.uri, &x->owner, &err);
	if (!j) {
		close_part(x, 0);
		xfer_end(x, 2, err);
		return;
	}
	if (x->r.state == XFER_RUNNING && x->fd >= 0)
		x->job = j; /* unless it ended already */
	xfer_changed(x);
}

void
xget_stop(struct xfer *x, int final)
{
	if (x->job) {
		if (final)
			job_drop(x->job);
		else
			job_cancel(x->job);
		x->job = NULL;
	}
	/* at a stop the partial file stays: the resumed download rewrites it */
	close_part(x, final);
}

/* POST /api/v1/transfers?direction=get&uri=URI&path=/ABS/FILE */
void
xget_add(struct node *n, struct evhttp_request *req)
{
	char uri[URI_MAX + 1], path[XFER_PATH_MAX], part[XFER_PATH_MAX + 8], bg[4] = "0";
	const char *why = NULL;
	struct evbuffer *b;
	struct uri u;
	struct xfer *x;
	int fd;

	if (query_get(req, "uri", uri, sizeof(uri)) != 0 || uri_parse(&u, uri, strlen(uri), &why) != 0) {
		reply_error(req, 400, "bad_uri", why ? why : "missing or over-long uri parameter");
		return;
	}
	memset(&u, 0, sizeof(u));
	if (query_get(req, "path", path, sizeof(path)) != 0 || path[0] != '/' || strlen(path) + 6 > sizeof(path)) {
		reply_error(req, 400, "bad_request", "path must be an absolute file name (at most 1000 bytes)");
		return;
	}
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			reply_error(req, 400, "bad_request", "path has a control character");
			return;
		}
	(void)query_get(req, "background", bg, sizeof(bg));
	snprintf(part, sizeof(part), "%s.part", path);
	/* Say now, not later, when the file cannot be written. */
	if ((fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		char msg[XFER_PATH_MAX + 80];
		snprintf(msg, sizeof(msg), "cannot write %s: %s", part, strerror(errno));
		reply_error(req, 400, "not_writable", msg);
		return;
	}
	close(fd);
	if (!(x = transfers_add(n, XFER_GET)) || !(b = evbuffer_new())) {
		if (x)
			transfers_forget(x);
		unlink(part);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	snprintf(x->r.uri, sizeof(x->r.uri), "%s", uri);
	snprintf(x->r.path, sizeof(x->r.path), "%s", path);
	x->r.background = strcmp(bg, "1") == 0;
	log_info("transfer %u: download queued", (unsigned)x->r.id);
	transfers_save(n);
	evbuffer_add_printf(b, "{\"id\": %u}", (unsigned)x->r.id);
	reply_json(req, 201, b);
	evbuffer_free(b);
	if (running_gets(n->xfers) < XFER_GETS_RUNNING && xget_ready(x))
		xget_run(x); /* now, not at the next tick */
}
