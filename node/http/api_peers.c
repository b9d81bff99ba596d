/* API endpoints for friends: noderef, peers, invites. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/http/api.h"
#include "node/http/reply.h"
#include "store/store.h"
#include "node/link/link.h"
#include "node/link/peers.h"
#include "node/route/opennet.h"

void
api_noderef(struct node *n, struct evhttp_request *req)
{
	char text[NODEREF_TEXT_MAX];
	struct evbuffer *b = evbuffer_new();
	struct noderef ref;

	peers_self(n, &ref);
	if (!b || noderef_format(&ref, text, sizeof(text)) != 0) {
		evbuffer_free(b);
		reply_error(req, 500, "internal", "cannot format the noderef");
		return;
	}
	evbuffer_add_printf(b, "{\"noderef\": \"%s\"}", text);
	reply_json(req, 200, b);
	evbuffer_free(b);
}

/* peer_why: why |p| is not linked, as peer list says it. */
static const char *
peer_why(const struct peer *p)
{
	if (p->link)
		return "";
	if (p->meet_failed && p->relay_refused)
		return "met through a mutual friend, but no dial got through (a router that changes ports "
		    "for every connection: symmetric NAT), and the mutual friend does not relay "
		    "(relay = on in its wispd.conf would let it)";
	if (p->meet_failed)
		return "met through a mutual friend, but no dial got through: a router that changes ports "
		    "for every connection (symmetric NAT) on one side or both; asking it to relay";
	if (p->why_down)
		return p->why_down;
	return p->ever_linked ? "dialling it again" : "never reached yet";
}

void
api_peers(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	char id[B64_LEN(32) + 1], addr[64];
	unsigned i;

	if (!b) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"peers\": [");
	for (i = 0; i < n->npeers; i++) {
		struct peer *p = n->peers[i];
		if (b64_encode(id, sizeof(id), p->pub, 32) != 0)
			continue;
		if (p->link)
			snprintf(addr, sizeof(addr), "%s", link_addr(p->link));
		else if (p->ref.naddr == 0 || noderef_addr_format(&p->ref.addr[0], addr, sizeof(addr)) != 0)
			snprintf(addr, sizeof(addr), "-");
		evbuffer_add_printf(b, "%s{\"id\": \"%s\", \"address\": \"%s\", \"connected\": %s, "
		    "\"since\": %lld, \"bytes_in\": %" PRIu64 ", \"bytes_out\": %" PRIu64 ", \"queued\": %zu"
		    ", \"invite_pending\": %s, \"kind\": \"%s\", \"why\": \"%s\", \"name\": ", i ? ", " : "", id, addr,
		    p->link ? "true" : "false", (long long)p->since, p->bytes_in, p->bytes_out, p->link ? link_queued(p->link) : (size_t)0,
		    p->has_secret ? "true" : "false", openlink_kind(n, p), peer_why(p));
		json_str(b, p->name);
		evbuffer_add(b, "}", 1);
	}
	evbuffer_add_printf(b, "], \"handshakes_refused\": %" PRIu64 ", \"bad_records\": %" PRIu64 "}",
	    n->pstats.handshakes_refused, n->pstats.frames_bad);
	reply_json(req, 200, b);
	evbuffer_free(b);
}

/* POST /api/v1/peers with a noderef or an invite as the body. */
void
api_peer_add(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *b;
	char text[INVITE_TEXT_MAX + 16], id[B64_LEN(32) + 1], name[256] = "";
	size_t len = evbuffer_get_length(in);
	const char *why = NULL;
	struct invite iv;
	struct peer *p;
	int is_invite;

	if (len == 0 || len >= sizeof(text)) {
		reply_error(req, 400, "bad_noderef", "expected a noderef (wisp1:…) or an invite (wisp1i:…)");
		return;
	}
	evbuffer_copyout(in, text, len);
	text[len] = '\0';
	is_invite = strstr(text, "wisp1i:") != NULL;
	if (is_invite ? invite_parse(&iv, text, len, &why) != 0 : noderef_parse(&iv.ref, text, len, &why) != 0) {
		reply_error(req, 400, "bad_noderef", why);
		return;
	}
	if (sodium_memcmp(iv.ref.pub, n->id_public, 32) == 0) {
		reply_error(req, 400, "bad_noderef", "that is this node's own noderef");
		return;
	}
	if (is_invite && iv.expiry < (uint64_t)time(NULL)) {
		reply_error(req, 400, "bad_noderef", "the invite has expired; ask for a new one");
		return;
	}
	if ((query_get(req, "name", name, sizeof(name)) == 0 && name[0] && peer_name_ok(name) != 0) ||
	    (!name[0] && strstr(evhttp_request_get_uri(req), "name="))) {
		reply_error(req, 400, "bad_name", "a friend's name is 1 to 32 bytes, without control characters, '\"' or '\\'");
		return;
	}
	if (!(p = peers_add(n, &iv.ref, is_invite ? iv.secret : NULL))) {
		reply_error(req, 507, "full", "the peer list is full");
		return;
	}
	if (name[0]) {
		snprintf(p->name, sizeof(p->name), "%.*s", PEER_NAME_MAX, name); /* checked: at most that */
		if (peers_save(n, p) != 0)
			log_warnx("saving a friend's name: %s", store_errmsg(n->store));
	}
	sodium_memzero(&iv, sizeof(iv));
	if (!(b = evbuffer_new()) || b64_encode(id, sizeof(id), p->pub, 32) != 0) {
		evbuffer_free(b);
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"id\": \"%s\"}", id);
	reply_json(req, 200, b);
	evbuffer_free(b);
}

void
api_peer_remove(struct node *n, struct evhttp_request *req)
{
	char id[64];
	struct peer *p;
	struct evbuffer *b;

	if (query_get(req, "id", id, sizeof(id)) != 0) {
		reply_error(req, 400, "bad_request", "missing id parameter");
		return;
	}
	if (!(p = peers_find_prefix(n, id))) {
		reply_error(req, 404, "no_such_peer", "no peer (or more than one) has that id");
		return;
	}
	peers_remove(n, p);
	if ((b = evbuffer_new())) {
		evbuffer_add_printf(b, "{\"removed\": true}");
		reply_json(req, 200, b);
		evbuffer_free(b);
	}
}

void
api_seeds(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	const struct noderef *seeds;
	char text[NODEREF_TEXT_MAX];
	unsigned i, k = openlink_seeds(n, &seeds);

	if (!b) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"seeds\": [");
	for (i = 0; i < k; i++)
		if (noderef_format(&seeds[i], text, sizeof(text)) == 0)
			evbuffer_add_printf(b, "%s\"%s\"", i ? ", " : "", text);
	evbuffer_add_printf(b, "]}");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

/* POST /api/v1/seeds with a noderef: an opennet node to join through. */
void
api_seed_add(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *b;
	char text[NODEREF_TEXT_MAX + 16];
	size_t len = evbuffer_get_length(in);
	const char *why = NULL;
	struct noderef ref;
	int rc;

	if (len == 0 || len >= sizeof(text)) {
		reply_error(req, 400, "bad_noderef", "expected a noderef (wisp1:…)");
		return;
	}
	evbuffer_copyout(in, text, len);
	text[len] = '\0';
	if (noderef_parse(&ref, text, len, &why) != 0) {
		reply_error(req, 400, "bad_noderef", why);
		return;
	}
	if (sodium_memcmp(ref.pub, n->id_public, 32) == 0) {
		reply_error(req, 400, "bad_noderef", "that is this node's own noderef");
		return;
	}
	if (ref.naddr == 0) {
		reply_error(req, 400, "bad_noderef", "a seed needs an address");
		return;
	}
	if ((rc = openlink_seed_add(n, &ref)) != 0) {
		if (rc == WISP_ERR_FULL)
			reply_error(req, 507, "full", "the seed list is full");
		else
			reply_error(req, 500, "internal", "cannot write the seeds file");
		return;
	}
	if ((b = evbuffer_new())) {
		evbuffer_add_printf(b, "{\"added\": true, \"opennet\": %s}", n->conf.opennet ? "true" : "false");
		reply_json(req, 200, b);
		evbuffer_free(b);
	}
}

void
api_invite(struct node *n, struct evhttp_request *req)
{
	char text[INVITE_TEXT_MAX];
	struct evbuffer *b;
	struct invite iv;

	if (invites_new(n, &iv) != 0 || invite_format(&iv, text, sizeof(text)) != 0 || !(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "cannot make an invite");
		return;
	}
	evbuffer_add_printf(b, "{\"invite\": \"%s\", \"expires\": %" PRIu64 "}", text, iv.expiry);
	sodium_memzero(&iv, sizeof(iv));
	sodium_memzero(text, sizeof(text));
	reply_json(req, 200, b);
	evbuffer_free(b);
}
