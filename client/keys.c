/* wisp keygen, and publishing under a signed name (put --key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "client/cli.h"
#include "crypto/bytes.h"
#include "crypto/chk.h"
#include "crypto/ssk.h"
#include "crypto/uri.h"

int
cli_keygen(struct cli *c, int argc, char **argv)
{
	struct uri u = { .type = URI_SSK, .alg = URI_ALG_V1, .has_secret = 1 };
	char ins[URI_MAX], req[URI_MAX];

	(void)argv;
	if (argc != 1)
		return cli_fail(CLI_USAGE, "usage: wisp keygen");
	ssk_keygen(u.secret, u.ckey);
	ssk_pubkey_hash(u.key, u.secret + 32);
	if (uri_format(ins, sizeof(ins), &u, 0) != 0 || uri_format(req, sizeof(req), &u, 1) != 0)
		return cli_fail(CLI_FAIL, "keygen: cannot format the keys");
	printf("insert: %s/\nrequest: %s/\n", ins, req);
	if (!c->quiet)
		fprintf(stderr, "wisp: keep the insert URI secret: it lets anyone publish as you. Share the\n"
		    "      request URI. Add a name: put --key SSK@…/NAME, or USK@…/SITE/EDITION.\n");
	sodium_memzero(&u, sizeof(u));
	sodium_memzero(ins, sizeof(ins));
	return CLI_OK;
}

/* ssk_check parses a put --key argument: an insert URI naming one document. */
int
ssk_check(const char *text, struct uri *u)
{
	const char *why;

	if (uri_parse(u, text, strlen(text), &why) != 0)
		return cli_fail(CLI_USAGE, "put: bad --key: %s", why);
	if (u->type == URI_CHK || !u->has_secret)
		return cli_fail(CLI_USAGE, "put: --key needs an insert URI (SSK@<secret>,… as wisp keygen prints)");
	if (u->type == URI_USK && u->latest)
		return cli_fail(CLI_USAGE, "put: a USK edition to publish must be a number, not latest or negative");
	if (u->path[0])
		return cli_fail(CLI_USAGE, "put: --key names one document: no path after it");
	return CLI_OK;
}

/* found_edition: does edition |e| of |u|'s site answer? */
static int
found_edition(struct api *api, const struct uri *u, int64_t e)
{
	char text[URI_MAX], *enc, path[3 * URI_MAX];
	struct uri p = *u;
	struct api_resp r;
	int found = -1;

	p.edition = e;
	p.path[0] = 0;
	if (uri_format(text, sizeof(text), &p, 1) == 0 && (enc = evhttp_encode_uri(text))) {
		snprintf(path, sizeof(path), "/api/v1/get?head=1&uri=%s", enc);
		free(enc);
		if (api_request(api, EVHTTP_REQ_GET, path, NULL, 0, &r, NULL, NULL) == CLI_OK)
			found = r.code == 200 ? 1 : r.code == 404 ? 0 : -1;
		api_resp_free(&r);
	}
	sodium_memzero(&p, sizeof(p));
	return found;
}

/* warn_gap: edition N of a USK published with N-1 missing. Readers'
 * "latest" searches forward and stops at the first gap after an edition
 * it found, and gives up when the first three it tries are missing
 * (docs/keys.md): N would not be found. */
static void
warn_gap(struct api *api, const struct uri *u)
{
	int64_t n = u->edition;

	if (u->type != URI_USK || n < 2 || found_edition(api, u, n - 1) != 0)
		return;
	if (n == 2 && found_edition(api, u, 0) != 1)
		return; /* editions 0 and 1 missing: a search from 0 still reaches 2 */
	fprintf(stderr, "wisp: put: edition %lld of this site is not found: readers looking for the latest stop "
	    "at that gap and will not find edition %lld; publish %lld too\n", (long long)n - 1, (long long)n,
	    (long long)n - 1);
}

/* ssk_publish signs a pointer to |root| under |u|'s name and inserts it.
 * SSK names are write-once: if the name already holds another document,
 * the first stays and this fails. Prints the request URI. */
int
ssk_publish(struct cli *c, struct api *api, const struct uri *u, const struct chk_keys *root)
{
	uint8_t pointer[SSK_POINTER_LEN], rec[36 + SSK_BLOCK_LEN], rkey[32];
	char name[URI_NAME_MAX + 24], req[URI_MAX], mine[URI_MAX], *enc, path[2 * URI_MAX];
	struct uri cu = { .type = URI_CHK, .alg = URI_ALG_V1 };
	struct api_resp r;
	char body[512] = "";
	size_t n;
	int rc;

	(void)c;
	if (uri_ssk_docname(name, sizeof(name), u, u->edition) != 0 || uri_format(req, sizeof(req), u, 1) != 0)
		return cli_fail(CLI_USAGE, "put: name too long");
	ssk_pointer_encode(pointer, root->routing, root->crypto);
	if (ssk_encode(rec + 36, rkey, u->secret, u->ckey, name, strlen(name), pointer, sizeof(pointer)) != 0)
		return cli_fail(CLI_FAIL, "put: cannot sign");
	memcpy(rec, rkey, 32);
	store_u32be(rec + 32, SSK_BLOCK_LEN);
	if ((rc = api_request(api, EVHTTP_REQ_POST, "/api/v1/blocks", rec, sizeof(rec), &r, NULL, NULL)) != CLI_OK ||
	    r.code != 200) {
		rc = api_error_exit(&r, "put");
		api_resp_free(&r);
		return rc;
	}
	n = evbuffer_copyout(r.body, body, sizeof(body) - 1);
	body[n > 0 ? n : 0] = '\0';
	api_resp_free(&r);
	if (!strstr(body, "\"collisions\": 0")) {
		/* Something holds the name: the same document (fine) or another. */
		memcpy(cu.key, root->routing, 32);
		memcpy(cu.ckey, root->crypto, 32);
		if (uri_format(mine, sizeof(mine), &cu, 0) != 0 || !(enc = evhttp_encode_uri(req)))
			return cli_fail(CLI_FAIL, "out of memory");
		snprintf(path, sizeof(path), "/api/v1/get?head=1&uri=%s", enc);
		free(enc);
		rc = api_request(api, EVHTTP_REQ_GET, path, NULL, 0, &r, NULL, NULL);
		n = r.body ? evbuffer_copyout(r.body, body, sizeof(body) - 1) : 0;
		body[n > 0 ? n : 0] = '\0';
		api_resp_free(&r);
		if (rc != CLI_OK || r.code != 200 || !strstr(body, mine))
			return cli_fail(CLI_FAIL, "put: another document is already published under this name; "
			    "names are write-once and the first one stays (publish a new edition instead)");
	}
	printf("%s\n", req);
	warn_gap(api, u);
	return CLI_OK;
}
