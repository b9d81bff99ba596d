/* panic.c: wisp panic through the API, and the home page's panic form:
 * the master key destroyed (base/vault.c), then the node stopped. */
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/http/pages.h"
#include "node/http/panic.h"
#include "node/http/reply.h"

/* panic_now destroys the key, and stops the node once the answer left. */
static int
panic_now(struct node *n)
{
	struct timeval soon = { 0, 100000 };
	int rc = vault_panic(n);

	if (stop_after_reply(n) != 0)
		event_base_loopexit(n->base, &soon);
	return rc;
}

/* ---- POST /api/v1/panic?confirm=destroy ---- */

void
api_panic(struct node *n, struct evhttp_request *req)
{
	char confirm[16];
	struct evbuffer *b;

	if (query_get(req, "confirm", confirm, sizeof(confirm)) != 0 || strcmp(confirm, "destroy") != 0) {
		reply_error(req, 400, "bad_request", "a panic destroys this node's keys: ask with confirm=destroy");
		return;
	}
	if (!(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"panicked\": true, \"key_removed\": %s}", panic_now(n) == 0 ? "true" : "false");
	reply_json(req, 200, b);
	evbuffer_free(b);
}

/* gateway_panic: the home page's panic form (form token and the typed
 * word, from the node's own page only). */
void
gateway_panic(struct node *n, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req), q;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *site = evhttp_find_header(h, "Sec-Fetch-Site"), *tok, *confirm;
	char body[256];
	size_t len = evbuffer_get_length(in);
	int ok;

	if (len >= sizeof(body) || (site && strcmp(site, "same-origin") != 0)) {
		gw_page(req, 403, "Refused", "A panic is asked from this node's own home page.");
		return;
	}
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	if (evhttp_parse_query_str(body, &q) != 0) {
		gw_page(req, 400, "Refused", "The form did not read.");
		return;
	}
	tok = evhttp_find_header(&q, "form");
	confirm = evhttp_find_header(&q, "confirm");
	ok = tok && strlen(tok) == 32 && sodium_memcmp(tok, n->form_token, 32) == 0;
	if (!ok || !confirm || strcmp(confirm, "destroy") != 0) {
		evhttp_clear_headers(&q);
		gw_page(req, ok ? 400 : 403, "Nothing was destroyed", ok ? "Type destroy to confirm." :
		    "A panic is asked from this node's own home page.");
		return;
	}
	evhttp_clear_headers(&q);
	ok = panic_now(n) == 0;
	gw_page(req, 200, "Done", ok ? "This node's master key is destroyed and the node stops. Its data directory "
	    "cannot be read any more; it starts again as a new node." : "The node stops, but its key file could "
	    "not be removed: remove DATADIR/master.key by hand.");
}
