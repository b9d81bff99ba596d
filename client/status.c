/* wisp status: what the node says of itself. */
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "client/cli.h"

/* num finds "key": N after |from| in |json|; 0 when absent. */
static unsigned long long
num(const char *json, const char *from, const char *key)
{
	char pat[64];
	const char *p = from ? strstr(json, from) : json;

	if (!p)
		return 0;
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	if (!(p = strstr(p, pat)))
		return 0;
	return strtoull(p + strlen(pat), NULL, 10);
}

/* print_reach: the node's addresses and where each came from, and
 * whether anyone reached it from outside lately. */
static void
print_reach(const char *body)
{
	const char *r = strstr(body, "\"reach\": {"), *p, *end;
	long long ago;
	int first = 1;

	if (!r || !(end = strstr(r, "], \"reached_from_outside\"")))
		return;
	printf("address:");
	for (p = strstr(r, "{\"address\": \""); p && p < end; p = strstr(p + 1, "{\"address\": \"")) {
		char a[64] = "", src[16] = "";
		unsigned seen = 0;
		if (sscanf(p, "{\"address\": \"%63[^\"]\", \"source\": \"%15[^\"]\", \"seen_by\": %u", a, src, &seen) != 3)
			break;
		if (strcmp(src, "observed") == 0)
			printf("%s %s (seen by %u peer%s)", first ? "" : ",", a, seen, seen == 1 ? "" : "s");
		else if (seen)
			printf("%s %s (%s, seen by %u peer%s)", first ? "" : ",", a, src, seen, seen == 1 ? "" : "s");
		else
			printf("%s %s (%s)", first ? "" : ",", a, src);
		first = 0;
	}
	printf("%s\n", first ? " none" : "");
	p = strstr(r, "\"reached_from_outside\": ");
	ago = p ? strtoll(p + 24, NULL, 10) : -1;
	if (ago < 0 || ago > 3600)
		printf("reached: not from outside in the last hour\n");
	else
		printf("reached: from outside %lld s ago\n", ago);
}

/* print_bandwidth: the rates, the limits and what waits (docs/operator.md,
 * "Bandwidth"). */
static void
print_bandwidth(const char *body)
{
	const char *bw = "\"bandwidth\"";
	char ro[32], ri[32], lo[32], li[32], q[32], cap[32], used[32];

	human_bytes(ro, sizeof(ro), (double)num(body, bw, "rate_out"));
	human_bytes(ri, sizeof(ri), (double)num(body, bw, "rate_in"));
	human_bytes(lo, sizeof(lo), (double)num(body, bw, "out_in_force"));
	human_bytes(li, sizeof(li), (double)num(body, bw, "in_limit"));
	human_bytes(q, sizeof(q), (double)num(body, bw, "queued"));
	printf("speed:   out %s/s%s%s%s, in %s/s%s%s%s; %s waiting to leave\n", ro,
	    num(body, bw, "out_in_force") ? " (limit " : " (no limit)", num(body, bw, "out_in_force") ? lo : "",
	    num(body, bw, "out_in_force") ? "/s)" : "", ri, num(body, bw, "in_limit") ? " (limit " : " (no limit)",
	    num(body, bw, "in_limit") ? li : "", num(body, bw, "in_limit") ? "/s)" : "", q);
	if (num(body, bw, "month_cap")) {
		human_bytes(cap, sizeof(cap), (double)num(body, bw, "month_cap"));
		human_bytes(used, sizeof(used), (double)num(body, bw, "month_used"));
		printf("month:   %s sent of %s%s\n", used, cap,
		    strstr(body, "\"slowed\": true") ? ": the share so far is spent, output slowed" : "");
	}
	printf("load:    %llu requests refused (their reply could not leave in time), %llu blocks dropped (a full queue)\n",
	    num(body, bw, "rejected_load"), num(body, bw, "dropped_full"));
}

int
cli_status(struct cli *c, int argc, char **argv)
{
	struct api *api = NULL;
	struct api_resp r;
	char *body;
	size_t len;
	int json = argc > 1 && strcmp(argv[1], "--json") == 0, rc;

	if (argc > 2 || (argc == 2 && !json))
		return cli_fail(CLI_USAGE, "usage: wisp status [--json]");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	if ((rc = api_request(api, EVHTTP_REQ_GET, "/api/v1/status", NULL, 0, &r, NULL, NULL)) != CLI_OK ||
	    r.code != 200) {
		rc = api_error_exit(&r, "status");
		goto out;
	}
	len = evbuffer_get_length(r.body);
	if (!(body = malloc(len + 1))) {
		rc = cli_fail(CLI_FAIL, "out of memory");
		goto out;
	}
	evbuffer_copyout(r.body, body, len);
	body[len] = '\0';
	if (json) {
		fputs(body, stdout);
	} else {
		printf("peers:   %llu connected of %llu known\n", num(body, "\"peers\"", "connected"),
		    num(body, "\"peers\"", "known"));
		print_reach(body);
		printf("store:   %llu blocks, %.1f of %llu MiB (store %llu, cache %llu blocks)\n",
		    num(body, "\"store\": {", "blocks"), (double)num(body, "\"store\": {", "bytes") / (1 << 20),
		    num(body, "\"store\": {", "capacity") >> 20, num(body, "\"store\": {\"blocks", "blocks"),
		    num(body, "\"cache\"", "blocks"));
		printf("evicted: %llu blocks of inserts, %llu of the cache since the node started%s\n",
		    num(body, "\"store\": {\"blocks", "evicted"), num(body, "\"cache\"", "evicted"),
		    num(body, "\"store\": {\"blocks", "evicted") ? " (inserts pushed out by later ones: "
		    "a larger --store-size keeps them)" : "");
		printf("traffic: %llu blocks stored, %llu served, %llu refused\n",
		    num(body, "\"traffic\"", "blocks_stored"), num(body, "\"traffic\"", "blocks_served"),
		    num(body, "\"traffic\"", "verify_failed"));
		if (strstr(body, "\"opennet\": {\"on\": true"))
			printf("opennet: on, %llu peers of %llu (and %llu newcomers), %llu seeds\n",
			    num(body, "\"opennet\"", "peers"), num(body, "\"opennet\"", "limit"),
			    num(body, "\"opennet\"", "transient"), num(body, "\"opennet\"", "seeds"));
		else
			printf("opennet: off (friends only), %llu seeds kept\n", num(body, "\"opennet\"", "seeds"));
		print_bandwidth(body);
		printf("protect: %s\n", strstr(body, "\"protect\": \"passphrase\"") ?
		    "passphrase (the data directory is sealed under a key wrapped by it)" :
		    strstr(body, "\"protect\": \"memory\"") ? "memory (nothing kept: all is forgotten at stop)" :
		    "none (sealed, but the key is beside the data: wisp passphrase protects it)");
		printf("uptime:  %llu s\n", num(body, NULL, "uptime"));
	}
	free(body);
	rc = CLI_OK;
out:
	api_resp_free(&r);
	api_close(api);
	return rc;
}

/* still_running: does a wispd hold |datadir|'s lock? It holds it until
 * its very end (even while its sanitizers or the kernel tidy up after it). */
static int
still_running(const char *datadir)
{
	char path[PATH_MAX + 16];
	int fd, held;

	snprintf(path, sizeof(path), "%s/wispd.lock", datadir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) != 0;
	close(fd);
	return held;
}

/* wisp stop: the node stops cleanly (as on SIGTERM); we wait until its
 * process is gone (its lock free), at most 30 s. */
int
cli_stop(struct cli *c, int argc, char **argv)
{
	struct api *api = NULL;
	struct api_resp r;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_fail(CLI_USAGE, "usage: wisp stop");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	rc = api_request(api, EVHTTP_REQ_POST, "/api/v1/stop", NULL, 0, &r, NULL, NULL);
	rc = rc == CLI_OK && r.code == 200 ? CLI_OK : api_error_exit(&r, "stop");
	api_resp_free(&r);
	api_close(api);
	if (rc != CLI_OK)
		return rc;
	if (cli_wait_stopped(c->datadir) != 0)
		return cli_fail(CLI_FAIL, "stop: the node said it stops, but it is still up after 30 s");
	if (!c->quiet)
		fprintf(stderr, "wisp: the node stopped\n");
	return CLI_OK;
}

int
cli_wait_stopped(const char *datadir)
{
	char path[PATH_MAX + 16];
	int i;

	snprintf(path, sizeof(path), "%s/api.addr", datadir);
	for (i = 0; i < 300 && (access(path, F_OK) == 0 || still_running(datadir)); i++)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	return access(path, F_OK) == 0 || still_running(datadir) ? -1 : 0;
}

/* wisp reload: wispd.conf read again (as on SIGHUP to a daemon). */
int
cli_reload(struct cli *c, int argc, char **argv)
{
	struct api *api = NULL;
	struct api_resp r;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_fail(CLI_USAGE, "usage: wisp reload");
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	rc = api_request(api, EVHTTP_REQ_POST, "/api/v1/reload", NULL, 0, &r, NULL, NULL);
	if (rc == CLI_OK && r.code == 200) {
		if (!c->quiet)
			fprintf(stderr, "wisp: wispd.conf reloaded (addresses and store sizes wait for a restart)\n");
	} else if (r.code == 400) {
		rc = api_error_exit(&r, "reload: the file has an error, nothing changed");
		rc = CLI_FAIL;
	} else {
		rc = api_error_exit(&r, "reload");
	}
	api_resp_free(&r);
	api_close(api);
	return rc;
}
