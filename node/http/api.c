/* The HTTP API under /api/v1/ (docs/api.md), on loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/block.h"
#include "crypto/manifest.h"
#include "crypto/ssk.h"
#include "crypto/uri.h"
#include "node/base/addr.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/fetch.h"
#include "node/core/swap.h"
#include "node/core/upload.h"
#include "node/http/api.h"
#include "node/link/limits.h"
#include "node/http/panic.h"
#include "node/http/gateway.h"
#include "node/http/get.h"
#include "node/http/ingest.h"
#include "node/http/reply.h"
#include "node/http/keep.h"
#include "node/http/transfer.h"
#include "node/link/nat.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "node/route/opennet.h"
#include "node/route/swapper.h"
#include "store/store.h"

#define WISP_VERSION "0.1.0"

/* ---- access control ---- */

/* host_ok refuses DNS rebinding: a page on evil.example whose name
 * resolves to 127.0.0.1 still sends "Host: evil.example". */
static int
host_ok(const struct node *n, struct evhttp_request *req)
{
	const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	const char *port = strrchr(n->api_addr, ':');
	char want[CONF_ADDR_MAX + 16];
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]" };
	size_t i;

	if (!host || !port)
		return 0;
	if (strcmp(host, n->api_addr) == 0)
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(want, sizeof(want), "%s%s", names[i], port);
		if (strcmp(host, want) == 0)
			return 1;
	}
	return 0;
}

static int
token_ok(const struct node *n, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	size_t len = strlen(n->token);

	if (!h || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != len)
		return 0;
	return sodium_memcmp(h + 7, n->token, len) == 0;
}

/* ---- GET /api/v1/status ---- */

static void
part_json(struct evbuffer *b, const char *name, const struct store_part_stats *p)
{
	evbuffer_add_printf(b, "\"%s\": {\"blocks\": %" PRIu64 ", \"bytes\": %" PRIu64
	    ", \"capacity\": %" PRIu64 ", \"hits\": %" PRIu64 ", \"evicted\": %" PRIu64 "}", name, p->blocks, p->bytes,
	    p->capacity, p->hits, p->evicted);
}

static int
is_public(const struct node *n, const struct noderef_addr *a)
{
	unsigned i;

	for (i = 0; i < n->npublic; i++)
		if (!memcmp(&n->public_addr[i], a, sizeof(*a)))
			return 1;
	return 0;
}

/* reach_json: the addresses in this node's noderef and where each came
 * from, and when a link from outside last came up. */
static void
reach_json(struct node *n, struct evbuffer *b)
{
	struct noderef ref, conf;
	uint64_t now = node_now_ms();
	char a[64];
	unsigned i;

	peers_self(n, &ref);
	evbuffer_add_printf(b, ", \"reach\": {\"addresses\": [");
	for (i = 0; i < ref.naddr; i++) {
		unsigned seen = nat_voters(n, &ref.addr[i]);
		const char *src = "interface";
		if (noderef_addr_format(&ref.addr[i], a, sizeof(a)) != 0)
			continue;
		if (*n->conf.public_addr && noderef_addr_parse(&conf.addr[0], n->conf.public_addr) == 0 &&
		    !memcmp(&conf.addr[0], &ref.addr[i], sizeof(conf.addr[0])))
			src = "configured";
		else if (is_public(n, &ref.addr[i]))
			src = "observed";
		evbuffer_add_printf(b, "%s{\"address\": \"%s\", \"source\": \"%s\", \"seen_by\": %u}",
		    i ? ", " : "", a, src, seen);
	}
	evbuffer_add_printf(b, "], \"reached_from_outside\": %lld}",
	    n->reached_outside ? (long long)((now - n->reached_outside) / 1000) : -1LL);
}

static void
api_status(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct store_stats st;
	char id[B64_LEN(32) + 1];

	if (!b || b64_encode(id, sizeof(id), n->id_public, 32) != 0) {
		evbuffer_free(b);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	store_stats(n->store, &st);
	evbuffer_add_printf(b, "{\"version\": \"%s\", \"identity\": \"%s\", \"uptime\": %lld, \"protect\": \"%s\", ",
	    WISP_VERSION, id, (long long)(time(NULL) - n->started), vault_protect_name(vault_protect(n)));
	evbuffer_add_printf(b, "\"peers\": {\"known\": %u, \"connected\": %u}, ",
	    peers_known(n), peers_connected(n));
	evbuffer_add_printf(b, "\"store\": {\"blocks\": %" PRIu64 ", \"bytes\": %" PRIu64
	    ", \"capacity\": %" PRIu64 ", \"evicted\": %" PRIu64 ", ", st.blocks, st.bytes,
	    st.capacity, st.evicted);
	part_json(b, "store", &st.part[STORE_PART_STORE]);
	evbuffer_add(b, ", ", 2);
	part_json(b, "cache", &st.part[STORE_PART_CACHE]);
	evbuffer_add_printf(b, "}, \"traffic\": {\"api_in\": %" PRIu64 ", \"api_out\": %" PRIu64
	    ", \"blocks_stored\": %" PRIu64 ", \"blocks_served\": %" PRIu64
	    ", \"verify_failed\": %" PRIu64 ", \"blocks_healed\": %" PRIu64 "}, \"fetches\": %u",
	    n->traffic.api_in, n->traffic.api_out, n->traffic.blocks_stored,
	    n->traffic.blocks_served, n->traffic.verify_failed, n->traffic.blocks_healed, n->fetches);
	{
		struct router_stats rs;
		node_route_stats(n, &rs);
		evbuffer_add_printf(b, ", \"routing\": {\"requests\": %" PRIu64 ", \"inserts\": %" PRIu64
		    ", \"found_here\": %" PRIu64 ", \"forwarded\": %" PRIu64 ", \"backtracks\": %" PRIu64
		    ", \"timeouts\": %" PRIu64 ", \"rejected_loop\": %" PRIu64 ", \"rejected_overload\": %" PRIu64
		    ", \"coalesced\": %" PRIu64 ", \"announces\": %" PRIu64 ", \"inflight\": %u}", rs.requests, rs.inserts, rs.found_local,
		    rs.forwarded, rs.backtracks, rs.timeouts, rs.rejected_loop, rs.rejected_overload, rs.coalesced,
		    rs.announces, router_inflight_of(n));
	}
	{
		struct limits_stats ls;
		uint64_t load, full;
		limits_stats(n, &ls);
		node_route_load(n, &load, &full);
		evbuffer_add_printf(b, ", \"bandwidth\": {\"out_limit\": %" PRIu64 ", \"in_limit\": %" PRIu64
		    ", \"out_in_force\": %" PRIu64 ", \"rate_out\": %" PRIu64 ", \"rate_in\": %" PRIu64
		    ", \"month_cap\": %" PRIu64 ", \"month_used\": %" PRIu64 ", \"slowed\": %s, \"queued\": %" PRIu64
		    ", \"rejected_load\": %" PRIu64 ", \"dropped_full\": %" PRIu64 ", \"replies_ahead\": %" PRIu64 "}",
		    ls.out_limit, ls.in_limit, ls.out_now, ls.rate_out, ls.rate_in, ls.month_cap, ls.month_used,
		    ls.slowed ? "true" : "false", ls.queued, load, full, n->pstats.replies_ahead);
	}
	{
		struct swap_stats ss;
		char loc[65];
		memset(&ss, 0, sizeof(ss));
		(void)swapper_stats(n, &ss);
		sodium_bin2hex(loc, sizeof(loc), node_route_location(n), 32);
		evbuffer_add_printf(b, ", \"swap\": {\"on\": %s, \"location\": \"%s\", \"attempts\": %" PRIu64
		    ", \"swapped\": %" PRIu64 ", \"reset\": %" PRIu64 ", \"refused\": %" PRIu64 ", \"timeouts\": %" PRIu64
		    ", \"relayed\": %" PRIu64 ", \"partnered\": %" PRIu64 ", \"bad_reveal\": %" PRIu64
		    ", \"ignored\": %" PRIu64 ", \"rate_limited\": %" PRIu64 "}",
		    swapper_on(n) ? "true" : "false", loc, ss.attempts, ss.swapped, ss.reset, ss.refused,
		    ss.timeouts, ss.relayed, ss.partnered, ss.bad_reveal, ss.ignored, ss.rate_limited);
	}
	reach_json(n, b);
	{
		struct openlink_stats os;
		unsigned peers, transient, nseeds;
		const struct noderef *seeds;
		int on;
		openlink_stats(n, &os, &on, &peers, &transient);
		nseeds = openlink_seeds(n, &seeds);
		evbuffer_add_printf(b, ", \"opennet\": {\"on\": %s, \"peers\": %u, \"transient\": %u, "
		    "\"limit\": %u, \"seeds\": %u, \"announces\": %" PRIu64 ", \"announces_relayed\": %" PRIu64
		    ", \"announces_refused\": %" PRIu64 ", \"offers_made\": %" PRIu64 ", \"offers_taken\": %" PRIu64
		    ", \"folds\": %" PRIu64 ", \"admitted\": %" PRIu64 ", \"refused\": %" PRIu64 "}}",
		    on ? "true" : "false", peers, transient, n->conf.opennet_peers, nseeds, os.announces,
		    os.announces_relayed, os.announces_refused, os.offers_made, os.offers_taken, os.folds,
		    os.admitted, os.refused);
	}
	reply_json(req, 200, b);
	evbuffer_free(b);
}

/* ---- POST /api/v1/blocks: a batch of encoded blocks to insert ---- */


/* An upload batch: every block is inserted into the network at once (the
 * batch is the parallel window) and the reply waits for all of them. */
struct batch {
	struct node *n;
	struct evhttp_request *req;
	size_t pending, count, failed, collisions, unstored;
	int gone;
};

static void
batch_close(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	((struct batch *)arg)->gone = 1;
}

static void
batch_done(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct batch *b = cookie;
	struct evbuffer *out;

	(void)block;
	(void)len;
	(void)hops;
	if (st == ROUTER_COLLISION)
		b->collisions++;
	else if (st == NODE_STORE_FAILED)
		b->unstored++;
	else if (st != ROUTER_INSERTED)
		b->failed++;
	if (--b->pending)
		return;
	if (!b->gone && evhttp_request_get_connection(b->req))
		evhttp_connection_set_closecb(evhttp_request_get_connection(b->req), NULL, NULL);
	if (b->unstored) {
		reply_error(b->req, 507, "store", "the node's store could not write the blocks (disk full or failing; "
		    "see its log)");
	} else if (b->failed) {
		reply_error(b->req, 503, "overload", "the node is overloaded; try again");
	} else if ((out = evbuffer_new())) {
		evbuffer_add_printf(out, "{\"stored\": %zu, \"collisions\": %zu}", b->count, b->collisions);
		reply_json(b->req, 200, out);
		evbuffer_free(out);
	} else {
		reply_error(b->req, 500, "internal", "out of memory");
	}
	free(b);
}

static void
api_blocks(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in), count = 0, i;
	static struct upload u[NODE_UPLOAD_BLOCKS];
	struct batch *b;
	char why[128];
	const uint8_t *p;

	n->traffic.api_in += len;
	if (len == 0) {
		reply_error(req, 400, "bad_request", "empty body");
		return;
	}
	if (!(p = evbuffer_pullup(in, -1)) || !(b = calloc(1, sizeof(*b)))) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	if (upload_parse(p, len, u, NODE_UPLOAD_BLOCKS, &count, why, sizeof(why)) != 0) {
		free(b);
		n->traffic.verify_failed++;
		reply_error(req, 400, "bad_block", why);
		return;
	}
	b->n = n;
	b->req = req;
	b->count = count;
	b->pending = count + 1; /* held until every insert has started */
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), batch_close, b);
	node_route_hold(n);
	for (i = 0; i < count; i++)
		if (node_insert_block(n, u[i].rkey, u[i].block, u[i].len, batch_done, b) != 0)
			batch_done(b, ROUTER_OVERLOADED, NULL, 0, 0);
	node_route_release(n);
	batch_done(b, ROUTER_INSERTED, NULL, 0, 0);
}

/* ---- POST /api/v1/stop and /api/v1/reload ---- */

static void
api_stop_node(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	if (!b || stop_after_reply(n) != 0) {
		evbuffer_free(b);
		reply_error(req, 500, "internal", "cannot stop from here; send SIGTERM");
		return;
	}
	evbuffer_add_printf(b, "{\"stopping\": true}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

static void
api_reload(struct node *n, struct evhttp_request *req)
{
	char err[PATH_MAX + 256];
	struct evbuffer *b;

	if (!n->reload) {
		reply_error(req, 500, "internal", "cannot reload from here; send SIGHUP");
		return;
	}
	if (n->reload(n, err, sizeof(err)) != 0) {
		reply_error(req, 400, "bad_conf", err);
		return;
	}
	if (!(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"reloaded\": true}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

/* ---- dispatch ---- */

struct route {
	enum evhttp_cmd_type method;
	const char *path;
	void (*fn)(struct node *, struct evhttp_request *);
};

static const struct route routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/status", api_status },
	{ EVHTTP_REQ_POST, "/api/v1/blocks", api_blocks },
	{ EVHTTP_REQ_GET, "/api/v1/get", api_get },
	{ EVHTTP_REQ_POST, "/api/v1/stop", api_stop_node },
	{ EVHTTP_REQ_POST, "/api/v1/reload", api_reload },
	{ EVHTTP_REQ_POST, "/api/v1/panic", api_panic },
	{ EVHTTP_REQ_GET, "/api/v1/keep", api_keep_list },
	{ EVHTTP_REQ_POST, "/api/v1/keep", api_keep_add },
	{ EVHTTP_REQ_DELETE, "/api/v1/keep", api_keep_remove },
	{ EVHTTP_REQ_POST, "/api/v1/check", api_check },
	{ EVHTTP_REQ_GET, "/api/v1/transfers", api_transfers_list },
	{ EVHTTP_REQ_POST, "/api/v1/transfers", api_transfers_add },
	{ EVHTTP_REQ_GET, "/api/v1/transfer", api_transfer_one },
	{ EVHTTP_REQ_DELETE, "/api/v1/transfer", api_transfer_cancel },
	{ EVHTTP_REQ_POST, "/api/v1/transfer/blocks", api_transfer_blocks },
	{ EVHTTP_REQ_POST, "/api/v1/transfer/finish", api_transfer_finish },
	{ EVHTTP_REQ_GET, "/api/v1/noderef", api_noderef },
	{ EVHTTP_REQ_GET, "/api/v1/peers", api_peers },
	{ EVHTTP_REQ_POST, "/api/v1/peers", api_peer_add },
	{ EVHTTP_REQ_DELETE, "/api/v1/peers", api_peer_remove },
	{ EVHTTP_REQ_POST, "/api/v1/invite", api_invite },
	{ EVHTTP_REQ_GET, "/api/v1/seeds", api_seeds },
	{ EVHTTP_REQ_POST, "/api/v1/seeds", api_seed_add },
};

static const struct route test_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/test/blocks", api_test_blocks },
	{ EVHTTP_REQ_POST, "/api/v1/test/drop", api_test_drop },
	{ EVHTTP_REQ_POST, "/api/v1/test/hold", api_test_hold },
};

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct node *n = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	int path_known = 0;
	size_t i;

	if (!host_ok(n, req)) {
		reply_error(req, 403, "forbidden", "Host header is not this node's loopback address");
		return;
	}
	if (!path || strncmp(path, "/api/", 5) != 0) {
		gateway_handle(n, req, path ? path : "/");
		return;
	}
	if (!token_ok(n, req)) {
		reply_error(req, 401, "unauthorized", "missing or wrong API token (see <datadir>/api.token)");
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]) + sizeof(test_routes) / sizeof(test_routes[0]); i++) {
		const struct route *r = i < sizeof(routes) / sizeof(routes[0]) ? &routes[i]
		    : n->test_admin ? &test_routes[i - sizeof(routes) / sizeof(routes[0])] : NULL;
		if (!r || strcmp(path, r->path) != 0)
			continue;
		path_known = 1;
		if (evhttp_request_get_command(req) == r->method) {
			r->fn(n, req);
			return;
		}
	}
	if (path_known)
		reply_error(req, 405, "method_not_allowed", "wrong method for this endpoint");
	else
		reply_error(req, 404, "not_found", "no such API endpoint");
}

int
api_start(struct node *n)
{
	struct evconnlistener *l;
	struct sockaddr_storage ss;
	socklen_t gl = sizeof(ss);
	unsigned sl;

	if (node_parse_addr(n->conf.api, &ss, &sl) != 0) {
		fprintf(stderr, "wispd: bad API address %s\n", n->conf.api);
		return -1;
	}
	if (get_opener_start(n) != 0 || !(n->http = evhttp_new(n->base)))
		return -1;
	n->test_admin = api_test_enabled();
	evhttp_set_max_body_size(n->http, NODE_UPLOAD_MAX);
	evhttp_set_max_headers_size(n->http, 16384);
	evhttp_set_timeout(n->http, 120);
	evhttp_set_allowed_methods(n->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_DELETE);
	evhttp_set_gencb(n->http, dispatch, n);
	l = evconnlistener_new_bind(n->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 128,
	    (struct sockaddr *)&ss, (int)sl);
	if (!l || !evhttp_bind_listener(n->http, l)) {
		fprintf(stderr, "wispd: cannot listen for the API on %s: %s\n", n->conf.api, strerror(errno));
		if (l)
			evconnlistener_free(l);
		return -1;
	}
	if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &gl) != 0 ||
	    node_format_addr(&ss, n->api_addr, sizeof(n->api_addr)) != 0)
		return -1;
	return 0;
}

void
api_stop(struct node *n)
{
	get_opener_stop(n); /* its fetches answer their requests first */
	if (n->http)
		evhttp_free(n->http);
	n->http = NULL;
}

void
api_free_jobs(struct node *n)
{
	gateway_parked_free_all(n);
	ingest_free_all(n);
}
