/* wisp noderef | invite | peer add|list|remove | seed add|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "client/cli.h"
#include "crypto/noderef.h"

/* body_text copies a response body into a NUL-terminated string. */
static char *
body_text(const struct api_resp *r)
{
	size_t len = r->body ? evbuffer_get_length(r->body) : 0;
	char *s = malloc(len + 1);

	if (s) {
		if (len)
			evbuffer_copyout(r->body, s, len);
		s[len] = '\0';
	}
	return s;
}

/* str_field copies "key": "value" found at or after |from|. */
static int
str_field(const char *from, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	if (!(p = strstr(from, pat)))
		return -1;
	p += strlen(pat);
	if (!(e = strchr(p, '"')) || (size_t)(e - p) >= cap)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static unsigned long long
num_field(const char *from, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	return (p = strstr(from, pat)) ? strtoull(p + strlen(pat), NULL, 10) : 0;
}

/* call makes one request and hands back the body text, or exits. */
static int
call(struct cli *c, int method, const char *path, const char *body, char **text, const char *what)
{
	struct api *api = NULL;
	struct api_resp r = { 0 };
	int rc;

	*text = NULL;
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	rc = api_request(api, method, path, body, body ? strlen(body) : 0, &r, NULL, NULL);
	if (rc != CLI_OK || r.code != 200)
		rc = api_error_exit(&r, what);
	else if (!(*text = body_text(&r)))
		rc = cli_fail(CLI_FAIL, "out of memory");
	api_resp_free(&r);
	api_close(api);
	return rc;
}

int
cli_noderef(struct cli *c, int argc, char **argv)
{
	char *t, ref[NODEREF_TEXT_MAX];
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_fail(CLI_USAGE, "usage: wisp noderef");
	if ((rc = call(c, EVHTTP_REQ_GET, "/api/v1/noderef", NULL, &t, "noderef")) != CLI_OK)
		return rc;
	rc = str_field(t, "noderef", ref, sizeof(ref)) == 0 ? (printf("%s\n", ref), CLI_OK)
	    : cli_fail(CLI_FAIL, "noderef: the node's answer is malformed");
	free(t);
	return rc;
}

int
cli_invite(struct cli *c, int argc, char **argv)
{
	char *t, inv[INVITE_TEXT_MAX], when[64];
	time_t exp;
	int rc;

	if (argc == 2 && strcmp(argv[1], "-q") == 0)
		c->quiet = 1;
	else if (argc != 1)
		return cli_fail(CLI_USAGE, "usage: wisp invite [-q]");
	if ((rc = call(c, EVHTTP_REQ_POST, "/api/v1/invite", NULL, &t, "invite")) != CLI_OK)
		return rc;
	if (str_field(t, "invite", inv, sizeof(inv)) != 0) {
		free(t);
		return cli_fail(CLI_FAIL, "invite: the node's answer is malformed");
	}
	exp = (time_t)num_field(t, "expires");
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&exp));
	printf("%s\n", inv);
	if (!c->quiet)
		fprintf(stderr, "wisp: single use, valid until %s; the friend runs: wisp peer add <invite>\n", when);
	free(t);
	return CLI_OK;
}

static int
peer_list(struct cli *c)
{
	char *t, *p, id[64], addr[64], since[40], kind[16], why[256], name[64];
	int rc;

	if ((rc = call(c, EVHTTP_REQ_GET, "/api/v1/peers", NULL, &t, "peer list")) != CLI_OK)
		return rc;
	for (p = strstr(t, "{\"id\""); p; p = strstr(p + 1, "{\"id\"")) {
		time_t s = (time_t)num_field(p, "since");
		if (str_field(p, "id", id, sizeof(id)) || str_field(p, "address", addr, sizeof(addr)))
			break;
		if (str_field(p, "kind", kind, sizeof(kind)))
			snprintf(kind, sizeof(kind), "friend");
		if (strncmp(strstr(p, "\"connected\": ") + 13, "true", 4) == 0)
			strftime(since, sizeof(since), "connected since %Y-%m-%d %H:%M:%S", gmtime(&s));
		else
			snprintf(since, sizeof(since), "not connected");
		if (!str_field(p, "name", name, sizeof(name)) && *name)
			printf("%s: ", name);
		printf("%s  ", id);
		if (str_field(p, "why", why, sizeof(why)) || !*why)
			printf("%-9s  %-22s  %s  in %llu out %llu bytes, %llu waiting\n", kind, addr, since,
			    num_field(p, "bytes_in"), num_field(p, "bytes_out"), num_field(p, "queued"));
		else
			printf("%-9s  %-22s  %s: %s\n", kind, addr, since, why);
	}
	free(t);
	return CLI_OK;
}

int
cli_peer(struct cli *c, int argc, char **argv)
{
	char path[256], *t, id[64];
	const char *why;
	struct invite iv;
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return peer_list(c);
	if ((argc == 3 || (argc == 5 && !strcmp(argv[3], "--name"))) && strcmp(argv[1], "add") == 0) {
		char *en = argc == 5 ? evhttp_encode_uri(argv[4]) : NULL;
		/* Check here first: a mangled paste gets its reason without a node. */
		if (strncmp(argv[2], "wisp1i:", 7) == 0 ? invite_parse(&iv, argv[2], strlen(argv[2]), &why) != 0
		    : noderef_parse(&iv.ref, argv[2], strlen(argv[2]), &why) != 0) {
			free(en);
			return cli_fail(CLI_USAGE, "peer add: %s", why);
		}
		snprintf(path, sizeof(path), "/api/v1/peers%s%s", en ? "?name=" : "", en ? en : "");
		free(en);
		if ((rc = call(c, EVHTTP_REQ_POST, path, argv[2], &t, "peer add")) != CLI_OK)
			return rc;
		if (str_field(t, "id", id, sizeof(id)) == 0 && !c->quiet) {
			printf("added %s\n", id);
			if (strncmp(argv[2], "wisp1i:", 7) == 0)
				fprintf(stderr, "wisp: an invite links once: this one is used now, and the link comes up when "
				    "its node answers (wisp peer list says if it refused: the invite may have been used)\n");
			else
				fprintf(stderr, "wisp: the link comes up once the friend has added this node's noderef too "
				    "(wisp peer list says why it is not connected)\n");
		}
		free(t);
		return CLI_OK;
	}
	if (argc == 3 && strcmp(argv[1], "remove") == 0) {
		if (strlen(argv[2]) > 43 || strspn(argv[2], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(argv[2]))
			return cli_fail(CLI_USAGE, "peer remove: an id is base64url, as peer list shows it");
		snprintf(path, sizeof(path), "/api/v1/peers?id=%s", argv[2]);
		if ((rc = call(c, EVHTTP_REQ_DELETE, path, NULL, &t, "peer remove")) != CLI_OK)
			return rc;
		free(t);
		return CLI_OK;
	}
	return cli_fail(CLI_USAGE, "usage: wisp peer add NODEREF|INVITE [--name NAME] | list | remove ID");
}

/* wisp seed add NODEREF | list: the opennet nodes to join through. */
int
cli_seed(struct cli *c, int argc, char **argv)
{
	char *t, *p, ref[NODEREF_TEXT_MAX];
	const char *why;
	struct noderef r;
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if ((rc = call(c, EVHTTP_REQ_GET, "/api/v1/seeds", NULL, &t, "seed list")) != CLI_OK)
			return rc;
		for (p = strstr(t, "\"wisp1:"); p; p = strstr(p + 1, "\"wisp1:")) {
			size_t len = strcspn(p + 1, "\"");
			if (len < sizeof(ref))
				printf("%.*s\n", (int)len, p + 1);
		}
		free(t);
		return CLI_OK;
	}
	if (argc == 3 && strcmp(argv[1], "add") == 0) {
		if (noderef_parse(&r, argv[2], strlen(argv[2]), &why) != 0)
			return cli_fail(CLI_USAGE, "seed add: %s", why);
		if ((rc = call(c, EVHTTP_REQ_POST, "/api/v1/seeds", argv[2], &t, "seed add")) != CLI_OK)
			return rc;
		if (!c->quiet && strstr(t, "\"opennet\": false"))
			fprintf(stderr, "wisp: seed kept; it is used once the node runs with opennet = on\n");
		free(t);
		return CLI_OK;
	}
	return cli_fail(CLI_USAGE, "usage: wisp seed add NODEREF | list");
}
