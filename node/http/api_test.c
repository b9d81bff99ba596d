/* Test-only endpoints, present only when wispd starts with
 * WISP_TEST_ADMIN=1 in its environment: they let a test network lose
 * blocks on purpose (docs/api.md). Never enable them on a real node:
 * they tell whoever holds the API token what the store holds. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "crypto/chk.h"
#include "node/base/node.h"
#include "node/http/api.h"
#include "node/http/reply.h"
#include "node/http/transfer.h"
#include "store/store.h"

int
api_test_enabled(void)
{
	const char *v = getenv("WISP_TEST_ADMIN");

	return v && strcmp(v, "1") == 0;
}

struct listing {
	struct evbuffer *b;
	int chk_only;
};

static int
list_one(void *ctx, const uint8_t rkey[STORE_KEY_LEN], const uint8_t *block, size_t len, enum store_part part)
{
	struct listing *ls = ctx;
	char hex[STORE_KEY_LEN * 2 + 1];

	(void)block;
	(void)part;
	if (ls->chk_only && len != CHK_BLOCK_LEN)
		return 0;
	sodium_bin2hex(hex, sizeof(hex), rkey, STORE_KEY_LEN);
	return evbuffer_add_printf(ls->b, "%s\n", hex) < 0;
}

/* GET /api/v1/test/blocks: the routing key of every stored block, in
 * hex, a line each; with ?kind=chk only content blocks (not the signed
 * ones, such as the nodes' address records). */
void
api_test_blocks(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct listing ls = { b, strstr(evhttp_request_get_uri(req), "kind=chk") != NULL };

	if (!b || store_each(n->store, list_one, &ls) != 0) {
		evbuffer_free(b);
		reply_error(req, 500, "internal", "cannot list the store");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* POST /api/v1/test/drop: remove the blocks whose hex routing keys the
 * body lists, a line each; answers how many this store held. */
void
api_test_drop(struct node *n, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *out;
	uint8_t key[STORE_KEY_LEN];
	size_t dropped = 0, klen;
	char *line;

	while ((line = evbuffer_readln(in, NULL, EVBUFFER_EOL_LF))) {
		int bad = sodium_hex2bin(key, sizeof(key), line, strlen(line), NULL, &klen, NULL) != 0 ||
		    klen != sizeof(key);
		free(line);
		if (bad) {
			reply_error(req, 400, "bad_request", "expected 64 hex digits a line");
			return;
		}
		if (store_remove(n->store, key) == 0)
			dropped++;
	}
	if (!(out = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(out, "{\"dropped\": %zu}", dropped);
	reply_json(req, 200, out);
	evbuffer_free(out);
}

/* POST /api/v1/test/hold?blocks=N: each insert of the queue sends at most
 * its first N blocks, until the node restarts (0: no limit), so a test
 * can stop a node in the middle of one. */
void
api_test_hold(struct node *n, struct evhttp_request *req)
{
	char v[24], *end;
	unsigned long long blocks;
	struct evbuffer *b;

	if (query_get(req, "blocks", v, sizeof(v)) != 0 || !v[0] || (blocks = strtoull(v, &end, 10), *end)) {
		reply_error(req, 400, "bad_request", "blocks=N is needed");
		return;
	}
	transfers_test_hold(n, blocks);
	if (!(b = evbuffer_new())) {
		reply_error(req, 500, "internal", "out of memory");
		return;
	}
	evbuffer_add_printf(b, "{\"hold\": %llu}", blocks);
	reply_json(req, 200, b);
	evbuffer_free(b);
}
