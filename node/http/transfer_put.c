/* transfer_put.c: an insert of the queue (transfer.h). The client encodes
 * the file (the node never sees the plaintext) and hands the blocks over
 * in batches; each batch is kept in the transfer's area before it is
 * answered, and a pump inserts the area's blocks into the network in
 * order, a window at a time, whether or not the client still watches.
 * After a restart the pump goes on from the oldest block not yet done.
 *
 * A document that ends here (no peer) must fit the store's partition for
 * inserts: the put is refused before a block is written when it cannot,
 * and while it runs the store may not evict its blocks (store_guard). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "crypto/chk.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/offload.h"
#include "node/base/vault.h"
#include "node/core/upload.h"
#include "store/area.h"
#include "node/http/reply.h"
#include "node/http/transfer.h"
#include "node/http/transfer_int.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "store/store.h"

/* A block's slot in the ring, from |low| on: its tries, and once done
 * (DONE_BIT) its outcome (transfer_int.h). */
enum { TRIES_MASK = 0x0f, OUT_SHIFT = 4, DONE_BIT = 0x80 };

struct put_cookie {
	struct node *n;
	uint32_t id;
	uint64_t i;
	uint64_t asked;         /* monotonic ms */
};


static uint64_t
mib10(uint64_t bytes)
{
	return (bytes * 10 + (1u << 19)) >> 20;
}

static uint64_t
staged(const struct xfer *x)
{
	return x->area ? area_count(x->area) : 0;
}

/* answer_held answers the batches held, in the order they came. */
static void
answer_held(struct xfer *x, int code, const char *kind, const char *why)
{
	struct evhttp_request *req;
	struct evbuffer *b;
	unsigned i, k = x->nheld;

	x->nheld = 0;
	for (i = 0; i < k; i++) {
		req = x->held[i];
		x->held[i] = NULL;
		if (code != 200) {
			reply_error(req, code, kind, why);
		} else if ((b = evbuffer_new())) {
			evbuffer_add_printf(b, "{\"staged\": %" PRIu64 "}", staged(x));
			reply_json(req, 200, b);
			evbuffer_free(b);
		} else {
			reply_error(req, 500, "internal", "out of memory");
		}
	}
}

/* drained: a foreground batch held is answered once the backlog is this
 * short; a background one at once. */
static int
drained(const struct xfer *x)
{
	return x->r.background || staged(x) - x->low <= PUT_BACKLOG;
}

static void
finish(struct xfer *x)
{
	char why[XFER_WHY_MAX];

	if (x->r.refused == 0) {
		xfer_end(x, 0, "");
	} else {
		snprintf(why, sizeof(why), "%" PRIu64 " of %" PRIu64 " blocks were refused (%.150s); %" PRIu64
		    " accepted by the network, %" PRIu64 " kept here: the document may not be found",
		    x->r.refused, x->r.blocks, x->r.why[0] ? x->r.why : "no reason given", x->r.accepted, x->r.here);
		xfer_end(x, 1, why);
	}
	xfer_guard(x->t->n);
}

static void put_done(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops);

/* send_one inserts block |i| of the area: from the batch in memory when
 * it is that batch's (checked, and kept in the area, already). */
static int
send_one(struct xfer *x, uint64_t i)
{
	static uint8_t area_b[CHK_BLOCK_LEN], area_rkey[32];
	const uint8_t *b = area_b, *rkey = area_rkey;
	struct put_cookie *c;
	size_t len;
	int rc = 0;

	if (x->mem && i >= x->mem_lo && i - x->mem_lo < x->mem_n) {
		const struct upload *u = &x->mem[i - x->mem_lo];
		rkey = u->rkey;
		b = u->block;
		len = u->len;
	} else {
		rc = area_at(x->area, i, area_rkey, area_b, sizeof(area_b), &len);
	}
	if (rc != 0) {
		/* the disk rotted under it: the block cannot be sent */
		snprintf(x->r.why, sizeof(x->r.why), "a kept block does not verify (the disk?)");
		x->ring[i % PUT_RING] = DONE_BIT | OUT_REFUSED << OUT_SHIFT;
		x->above[OUT_REFUSED]++;
		return 0;
	}
	if (!(c = malloc(sizeof(*c))))
		return -1;
	*c = (struct put_cookie){ x->t->n, x->r.id, i, node_now_ms() };
	x->inflight++;
	if (node_insert_block(x->t->n, rkey, b, len, put_done, c) != 0)
		put_done(c, ROUTER_OVERLOADED, NULL, 0, 0);
	return 0;
}

/* advance moves |low| past the blocks done, counting them for good. */
static void
advance(struct xfer *x)
{
	while (x->low < x->next_i && (x->ring[x->low % PUT_RING] & DONE_BIT)) {
		uint8_t s = x->ring[x->low % PUT_RING];
		unsigned out = (s >> OUT_SHIFT) & 3;
		x->above[out]--;
		if (out == OUT_ACCEPTED)
			x->r.accepted++;
		else if (out == OUT_HERE)
			x->r.here++;
		else
			x->r.refused++;
		x->ring[x->low % PUT_RING] = 0;
		x->low++;
	}
	x->r.blocks_done = x->low;
	if (x->r.blocks < x->low)
		x->r.blocks = x->low;
	x->r.done = x->r.blocks ? (uint64_t)((double)x->r.total * (double)x->low / (double)x->r.blocks) : 0;
	xfer_changed(x);
}

/* window: the blocks a put keeps in flight. To the network, as many as
 * the path carries with PUT_TARGET_MS of queueing, as a fetch's window
 * (core/window.h) but aiming lower: a fixed 48 kept 1.5 MiB of inserts
 * queued on the link, and a friend's fetch across it waited behind them
 * (a 256 MiB put on loopback: the fetches' median 25 ms; aiming at 10 ms,
 * 27; at 3 ms, 18, with about 18 blocks in flight and the put as fast).
 * With no peer linked they end in this store, one transaction and one
 * disk sync for each run of the router: the window is how many share
 * one, and while it is at least the batches in hand, each batch goes in
 * from the request's body (mem), none read back from the area. */
static unsigned
window(struct xfer *x)
{
	if (!peers_connected(x->t->n))
		return PUT_WINDOW_HERE;
	if (!x->win.hi) {
		window_init(&x->win, 2, PUT_WINDOW, 8);
		window_set_target(&x->win, PUT_TARGET_MS);
	}
	return window_size(&x->win);
}

/* pace: an insert's round trip, or an overload on its way, sizes the
 * window; one that ended in this store says nothing of the path. */
static void
pace(struct xfer *x, const struct put_cookie *c, enum router_status st, unsigned hops)
{
	uint64_t now = node_now_ms();

	if (!x->win.hi)
		return;
	if ((st == ROUTER_INSERTED || st == ROUTER_COLLISION) && hops > 0)
		window_sample(&x->win, (uint32_t)(now - c->asked), now);
	else if (st == ROUTER_INSERTED || st == ROUTER_COLLISION)
		window_local(&x->win);
	else if (st == ROUTER_OVERLOADED)
		window_overload(&x->win);
}

void
xput_pump(struct xfer *x)
{
	struct node *n = x->t->n;
	unsigned w = window(x);

	if (x->stopping || !x->area)
		return;
	/* Just started, with friends not linked yet: wait for them rather
	 * than keep everything here. */
	if (peers_connected(n) == 0 && peers_known(n) > 0 && (int64_t)time(NULL) - n->started < XFER_WAIT_PEERS_S)
		return;
	node_route_hold(x->t->n);
	while (x->inflight < w && x->nretry > 0)
		if (send_one(x, x->retry[--x->nretry]) != 0)
			break;
	while (x->inflight < w && x->next_i < staged(x) && x->next_i - x->low < PUT_RING &&
	    (!x->t->test_hold || x->next_i < x->t->test_hold)) {
		x->ring[x->next_i % PUT_RING] = 0;
		if (send_one(x, x->next_i++) != 0)
			break;
	}
	node_route_release(x->t->n);
	/* the pump may have ended the transfer: look again */
}

static void
put_done(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct put_cookie *c = cookie;
	struct xfer *x = transfers_find(c->n, c->id);
	uint8_t *slot;

	(void)block;
	(void)len;
	if (!x || x->stopping || x->r.state == XFER_DONE || x->r.state == XFER_FAILED || c->i < x->low) {
		free(c);
		return;
	}
	x->inflight--;
	pace(x, c, st, hops);
	slot = &x->ring[c->i % PUT_RING];
	if (st == ROUTER_INSERTED || st == ROUTER_COLLISION) {
		*slot = DONE_BIT | (hops == 0 ? OUT_HERE : OUT_ACCEPTED) << OUT_SHIFT;
	} else if (st == NODE_STORE_FAILED) {
		snprintf(x->r.why, sizeof(x->r.why), "%s", store_errmsg(c->n->store));
		*slot = DONE_BIT | OUT_REFUSED << OUT_SHIFT;
	} else if ((*slot & TRIES_MASK) + 1 < PUT_BLOCK_TRIES && x->nretry < PUT_WINDOW_HERE) {
		(*slot)++; /* tried again on the next tick */
		x->retry[x->nretry++] = c->i;
	} else {
		snprintf(x->r.why, sizeof(x->r.why), "%s", st == ROUTER_OVERLOADED ? "the network is overloaded"
		    : "no peer took them");
		*slot = DONE_BIT | OUT_REFUSED << OUT_SHIFT;
	}
	free(c);
	if (*slot & DONE_BIT)
		x->above[(*slot >> OUT_SHIFT) & 3]++;
	advance(x);
	if (x->nheld && drained(x))
		answer_held(x, 200, NULL, NULL);
	if (x->r.state == XFER_RUNNING && x->low == staged(x) && x->inflight == 0) {
		x->r.blocks = x->low;
		finish(x);
		return;
	}
	if (st == ROUTER_INSERTED || st == ROUTER_COLLISION || st == NODE_STORE_FAILED)
		xput_pump(x);
}

void
xput_stop(struct xfer *x)
{
	x->stopping = 1;
	answer_held(x, 410, "cancelled", "the transfer was cancelled, or the node is stopping");
	xfer_guard(x->t->n);
}

void
xput_resume(struct xfer *x)
{
	char path[PATH_MAX + 16], why[XFER_WHY_MAX];
	uint64_t cut;

	xfer_area_path(x, path, sizeof(path));
	if (area_open(&x->area, path, vault_key(x->t->n, SEAL_USE_AREA), 0, &cut) != 0 || area_count(x->area) < x->r.blocks_done) {
		snprintf(why, sizeof(why), "its blocks (%.120s) are gone or damaged: wisp put the file again", path);
		area_close(x->area);
		x->area = NULL;
		xfer_end(x, 1, why);
		return;
	}
	x->low = x->next_i = x->r.blocks_done;
	x->r.state = XFER_RUNNING;
	log_info("transfer %u: insert resumed at block %" PRIu64 " of %" PRIu64, (unsigned)x->r.id, x->low,
	    area_count(x->area));
	xfer_guard(x->t->n);
}

/* ---- the API ---- */

static int
query_u64(struct evhttp_request *req, const char *key, uint64_t *v)
{
	char s[24], *end;

	*v = 0;
	if (query_get(req, key, s, sizeof(s)) != 0)
		return 0; /* absent: unknown */
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

/* POST /api/v1/transfers?direction=put&bytes=B&blocks=N&name=NAME&background=0|1 */
void
xput_add(struct node *n, struct evhttp_request *req)
{
	char name[XFER_PATH_MAX] = "", bg[4] = "0", why[300], apath[PATH_MAX + 16];
	uint64_t bytes, blocks, need, cap, held = 0, evicts = 0;
	struct store_stats st;
	struct evbuffer *b;
	struct xfer *x;
	int here = peers_connected(n) == 0;

	if (query_u64(req, "bytes", &bytes) != 0 || query_u64(req, "blocks", &blocks) != 0 ||
	    blocks > (UINT64_MAX >> 20)) {
		reply_error(req, 400, "bad_request", "bytes and blocks must be whole numbers");
		return;
	}
	(void)query_get(req, "name", name, sizeof(name));
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			reply_error(req, 400, "bad_request", "name has a control character");
			return;
		}
	(void)query_get(req, "background", bg, sizeof(bg));
	store_stats(n->store, &st);
	need = blocks * store_cost(n->store, CHK_BLOCK_LEN);
	cap = st.part[STORE_PART_STORE].capacity;
	for (x = n->xfers->list; x; x = x->next)
		if (xq_active_put(x) && x->r.blocks > x->r.blocks_done)
			held += (x->r.blocks - x->r.blocks_done) * store_cost(n->store, CHK_BLOCK_LEN);
	if (here && need > cap) {
		snprintf(why, sizeof(why), "this file needs %" PRIu64 ".%" PRIu64 " MiB of blocks; this node's store "
		    "keeps %" PRIu64 ".%" PRIu64 " MiB for inserts and it has no peer to pass them to: start wispd "
		    "with a larger --store-size", mib10(need) / 10, mib10(need) % 10, mib10(cap) / 10, mib10(cap) % 10);
		reply_error(req, 507, "store", why);
		return;
	}
	if (here && need + held > cap) {
		snprintf(why, sizeof(why), "this file needs %" PRIu64 ".%" PRIu64 " MiB of blocks and the inserts "
		    "in progress hold %" PRIu64 ".%" PRIu64 " MiB of the %" PRIu64 ".%" PRIu64 " MiB this node's store "
		    "keeps for inserts: wait for them (wisp transfers)", mib10(need) / 10, mib10(need) % 10,
		    mib10(held) / 10, mib10(held) % 10, mib10(cap) / 10, mib10(cap) % 10);
		reply_error(req, 507, "store", why);
		return;
	}
	if (here && need > cap - st.part[STORE_PART_STORE].bytes)
		evicts = need - (cap - st.part[STORE_PART_STORE].bytes);
	if (!(x = transfers_add(n, XFER_PUT)) || !(b = evbuffer_new())) {
		if (x)
			transfers_forget(x);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	x->r.state = XFER_STAGING;
	x->r.total = bytes;
	x->r.blocks = blocks;
	x->r.background = strcmp(bg, "1") == 0;
	x->r.guard = store_seq(n->store) + 1;
	snprintf(x->r.path, sizeof(x->r.path), "%s", name);
	xfer_area_path(x, apath, sizeof(apath));
	if (area_open(&x->area, apath, vault_key(n, SEAL_USE_AREA), 1, NULL) != 0) {
		snprintf(why, sizeof(why), "cannot create %.120s: %s", apath, strerror(errno));
		transfers_forget(x);
		evbuffer_free(b);
		reply_error(req, 500, "store", why);
		return;
	}
	xfer_guard(n);
	log_info("transfer %u: insert of %" PRIu64 " blocks begun", (unsigned)x->r.id, blocks);
	transfers_save(n);
	evbuffer_add_printf(b, "{\"id\": %u, \"need\": %" PRIu64 ", \"ends_here\": %s, \"evicts\": %" PRIu64 "}",
	    (unsigned)x->r.id, need, here ? "true" : "false", evicts);
	reply_json(req, 201, b);
	evbuffer_free(b);
}

/* staging: the transfer of |req|'s id, taking blocks, with fewer than
 * |most| batches in hand; else |req| is answered why not. */
static struct xfer *
staging(struct node *n, struct evhttp_request *req, unsigned most)
{
	struct xfer *x;

	if (transfers_query_id(n, req, &x) != 0)
		return NULL;
	if (x->r.dir != XFER_PUT || x->r.state != XFER_STAGING) {
		reply_error(req, 409, "not_staging", "this transfer takes no more blocks");
		return NULL;
	}
	if (x->nheld + x->checking >= most) {
		reply_error(req, 409, "busy", most == 1 ? "a batch is still being kept" : "four batches at a time");
		return NULL;
	}
	return x;
}

/* A batch on its way into a transfer's area. Its blocks are checked
 * against their keys, and sealed as the area keeps them, on the
 * checker's thread, reading the request's body in place: libevent leaves
 * a request its handler has not answered alone, even when the client
 * goes (it is freed by the answer). The loop only writes the records. */
struct batch {
	struct node *n;
	uint32_t id;
	struct evhttp_request *req;
	const uint8_t *body;
	size_t len, count;
	int bad;
	char why[160];
	struct area_sealer seal; /* the area's keys: the area may go meanwhile */
	struct upload u[NODE_UPLOAD_BLOCKS];
	struct area_rec r[NODE_UPLOAD_BLOCKS];
	uint8_t *recs;
};

_Static_assert((int)NODE_UPLOAD_BLOCKS <= (int)AREA_BATCH_MAX, "a batch is written whole");

static void
batch_free(struct batch *b)
{
	area_sealer_wipe(&b->seal);
	free(b->recs);
	free(b);
}

static void
check_batch(void *arg)
{
	struct batch *b = arg;
	size_t i, step = area_rec_len(&b->seal, CHK_BLOCK_LEN);

	b->bad = upload_parse(b->body, b->len, b->u, NODE_UPLOAD_BLOCKS, &b->count, b->why, sizeof(b->why)) != 0;
	for (i = 0; !b->bad && i < b->count; i++) {
		uint8_t *rec = b->recs + i * step;
		if (b->u[i].len > CHK_BLOCK_LEN || area_seal(&b->seal, b->u[i].rkey, b->u[i].block, b->u[i].len, rec)) {
			b->bad = 1;
			snprintf(b->why, sizeof(b->why), "block %zu is longer than a CHK block", i);
		}
		b->r[i] = (struct area_rec){ b->u[i].rkey, rec, b->u[i].len };
	}
}

/* stage_batch, on the loop: a checked batch goes into the area, and is
 * answered as a batch always was. */
static void
stage_batch(void *arg)
{
	struct batch *b = arg;
	struct xfer *x = transfers_find(b->n, b->id);
	char why[160];
	uint64_t first;
	int rc;

	if (x)
		x->checking--;
	if (!x || x->stopping || x->r.state != XFER_STAGING) {
		reply_error(b->req, 410, "cancelled", "the transfer was cancelled, or the node is stopping");
		goto out;
	}
	if (b->bad) {
		b->n->traffic.verify_failed++;
		reply_error(b->req, 400, "bad_block", b->why);
		goto out;
	}
	first = staged(x);
	if ((rc = area_add_sealed(x->area, b->r, b->count)) != 0) {
		snprintf(why, sizeof(why), "cannot keep the blocks: %s", rc == WISP_ERR_NOMEM ? "out of memory"
		    : errno == ENOSPC ? "the disk is full" : strerror(errno));
		reply_error(b->req, 507, "store", why);
		goto out;
	}
	/* held only after the pump: the batches it answers meanwhile are
	 * older ones, and this body stays while the pump reads it */
	if (staged(x) - first == b->count) { /* else some were there already */
		x->mem = b->u;
		x->mem_lo = first;
		x->mem_n = b->count;
	}
	xput_pump(x);
	if (!(x = transfers_find(b->n, b->id))) {
		reply_error(b->req, 410, "cancelled", "the transfer was cancelled, or the node is stopping");
		goto out;
	}
	x->mem = NULL;
	x->mem_n = 0;
	x->held[x->nheld++] = b->req;
	if (drained(x))
		answer_held(x, 200, NULL, NULL);
out:
	batch_free(b);
}

/* POST /api/v1/transfer/blocks?id=N: a batch as for POST /api/v1/blocks. */
void
api_transfer_blocks(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	struct xfer *x = staging(n, req, XFER_BATCHES);
	const uint8_t *p;
	struct batch *b;

	if (!x)
		return;
	if (!n->xfers->checker || !x->area) { /* transfers_quiet: the node is stopping */
		reply_error(req, 503, "stopping", "the node is stopping");
		return;
	}
	n->traffic.api_in += len;
	if (len == 0 || !(p = evbuffer_pullup(in, -1))) {
		reply_error(req, 400, "bad_request", "empty body");
		return;
	}
	if (!(b = malloc(sizeof(*b)))) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	*b = (struct batch){ .n = n, .id = x->r.id, .req = req, .body = p, .len = len };
	area_sealer_get(x->area, &b->seal);
	if (!(b->recs = malloc(NODE_UPLOAD_BLOCKS * area_rec_len(&b->seal, CHK_BLOCK_LEN))) ||
	    offload_run(n->xfers->checker, check_batch, stage_batch, b) != 0) {
		batch_free(b);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	x->checking++;
}

/* A finish's sync of the area, on the checker's thread: on the loop, the
 * last of a big put's file still to reach the disk held the loop, and the
 * friend's fetch of bench put_latency's scenario last before the put
 * ended took 59-124 ms (5 runs of 256 MiB); 8-10 ms since. */
struct finishing {
	struct node *n;
	uint32_t id;
	struct evhttp_request *req;
	int fd, rc;
	char uri[URI_MAX + 1];
};

static void
sync_area(void *arg)
{
	struct finishing *f = arg;

	f->rc = fdatasync(f->fd);
	close(f->fd);
}

/* synced, on the loop: the blocks are kept; the insert begins. */
static void
synced(void *arg)
{
	struct finishing *f = arg;
	struct xfer *x = transfers_find(f->n, f->id);
	struct evbuffer *b;

	if (x)
		x->checking--;
	if (!x || x->stopping || x->r.state != XFER_STAGING) {
		reply_error(f->req, 410, "cancelled", "the transfer was cancelled, or the node is stopping");
	} else if (f->rc != 0) {
		reply_error(f->req, 507, "store", "cannot keep the blocks: the disk failed");
	} else if (!(b = evbuffer_new())) {
		reply_error(f->req, 500, "internal", "out of memory");
	} else {
		snprintf(x->r.uri, sizeof(x->r.uri), "%s", f->uri);
		x->r.state = XFER_RUNNING;
		x->r.blocks = staged(x);
		evbuffer_add_printf(b, "{\"id\": %u, \"blocks\": %" PRIu64 "}", (unsigned)x->r.id, x->r.blocks);
		reply_json(f->req, 200, b);
		evbuffer_free(b);
		transfers_save(f->n);
		xput_pump(x);
		if (x->low == x->r.blocks && x->inflight == 0)
			finish(x);
	}
	free(f);
}

/* POST /api/v1/transfer/finish?id=N&uri=URI: every block was handed over. */
void
api_transfer_finish(struct node *n, struct evhttp_request *req)
{
	char uri[URI_MAX + 1];
	const char *why = NULL;
	struct finishing *f;
	struct uri u;
	struct xfer *x = staging(n, req, 1);

	if (!x)
		return;
	if (!n->xfers->checker) { /* transfers_quiet: the node is stopping */
		reply_error(req, 503, "stopping", "the node is stopping");
		return;
	}
	if (query_get(req, "uri", uri, sizeof(uri)) != 0 || uri_parse(&u, uri, strlen(uri), &why) != 0) {
		reply_error(req, 400, "bad_uri", why ? why : "missing or over-long uri parameter");
		return;
	}
	memset(&u, 0, sizeof(u));
	if (!(f = malloc(sizeof(*f)))) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	*f = (struct finishing){ n, x->r.id, req, area_sync_fd(x->area), 0, { 0 } };
	memcpy(f->uri, uri, sizeof(uri));
	if (f->fd < 0) {
		reply_error(req, 507, "store", "cannot keep the blocks: the disk failed");
		free(f);
		return;
	}
	if (offload_run(n->xfers->checker, sync_area, synced, f) != 0) {
		close(f->fd);
		free(f);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	x->checking++; /* no other batch or finish meanwhile (staging) */
}

