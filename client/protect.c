/* wisp passphrase and wisp panic: the protection of a data directory
 * (docs/operator.md, "Protection"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "client/cli.h"
#include "crypto/askpass.h"
#include "crypto/datadir.h"
#include "crypto/seal.h"

static int
read_keyfile(const char *path, uint8_t *file, size_t *len)
{
	long n = read_small_file(path, file, SEAL_KEYFILE_MAX + 1);

	if (n < 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* wisp passphrase [--remove] [--cost NAME] [--passphrase-fd N]: the
 * master key wrapped anew; nothing else is written, so the store is not
 * encrypted again. From a descriptor, the current passphrase is its
 * first line (when there is one) and the new one the next. */
int
cli_passphrase(struct cli *c, int argc, char **argv)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 32], pass[ASKPASS_MAX], prompt[PATH_MAX + 64];
	uint8_t file[SEAL_KEYFILE_MAX + 1], master[32], out[SEAL_KEYFILE_MAX];
	const char *cost_name = NULL;
	struct seal_cost cost;
	int i, fd = -1, remove = 0, wrapped, tty, k, rc;
	size_t len, olen;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--remove") == 0)
			remove = 1;
		else if (strcmp(argv[i], "--cost") == 0 && i + 1 < argc)
			cost_name = argv[++i];
		else if (strcmp(argv[i], "--passphrase-fd") == 0 && i + 1 < argc)
			fd = atoi(argv[++i]);
		else
			return cli_fail(CLI_USAGE, "usage: wisp passphrase [--remove] [--cost interactive|moderate|sensitive] "
			    "[--passphrase-fd N]");
	}
	snprintf(path, sizeof(path), "%s/master.key", c->datadir);
	if (read_keyfile(path, file, &len) != 0)
		return cli_fail(CLI_FAIL, "passphrase: cannot read %s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (a node started with protect = memory keeps no key on disk)" : "");
	if ((wrapped = seal_keyfile_wrapped(file, len)) < 0)
		return cli_fail(CLI_FAIL, "passphrase: %s is not a key file of this wisp", path);
	if (!wrapped && remove)
		return cli_fail(CLI_FAIL, "passphrase: %s has no passphrase to remove", c->datadir);
	if (cost_name ? seal_cost_named(cost_name, &cost) != 0 :
	    wrapped ? seal_keyfile_cost(file, len, &cost) != 0 : seal_cost_named("moderate", &cost) != 0)
		return cli_fail(CLI_USAGE, "passphrase: unknown cost '%s' (interactive, moderate, sensitive)",
		    cost_name ? cost_name : "?");
	if (wrapped) {
		snprintf(prompt, sizeof(prompt), "wisp: the current passphrase of %s: ", c->datadir);
		if ((k = askpass_get(fd, prompt, pass, sizeof(pass), &tty)) < 0)
			return cli_fail(CLI_FAIL, "passphrase: the current passphrase is needed: run on a terminal, or "
			    "give --passphrase-fd N");
		rc = seal_keyfile_open(master, file, len, pass, (size_t)k);
		sodium_memzero(pass, sizeof(pass));
		if (rc != 0) {
			sleep(1); /* a guesser waits too */
			return cli_fail(CLI_FAIL, "passphrase: %s, nothing was changed",
			    rc == WISP_ERR_VERIFY ? "wrong passphrase" : wisp_strerror(rc));
		}
	} else if (seal_keyfile_open(master, file, len, NULL, 0) != 0) {
		return cli_fail(CLI_FAIL, "passphrase: %s is damaged", path);
	}
	if (remove) {
		rc = seal_keyfile_make(out, &olen, master, NULL, 0, NULL);
	} else {
		if ((k = askpass_new(fd, "wisp: ", c->datadir, pass, sizeof(pass))) < 0) {
			sodium_memzero(master, sizeof(master));
			return CLI_FAIL;
		}
		rc = seal_keyfile_make(out, &olen, master, pass, (size_t)k, &cost);
		sodium_memzero(pass, sizeof(pass));
	}
	sodium_memzero(master, sizeof(master));
	snprintf(tmp, sizeof(tmp), "%s/master.key", c->datadir);
	if (rc != 0 || write_file_atomic(tmp, out, olen, 0600) != 0)
		return cli_fail(CLI_FAIL, "passphrase: cannot write %s: %s", path, rc ? wisp_strerror(rc) : strerror(errno));
	if (!c->quiet)
		fprintf(stderr, "wisp: %s; the store is as it was (its key is the same, only wrapped anew)%s\n",
		    remove ? "the passphrase is removed: the key is in the clear beside the data" :
		    wrapped ? "the passphrase is changed" : "the data directory is protected by a passphrase from now on",
		    !wrapped ? "; restart the node so that its API token leaves the disk" : "");
	return CLI_OK;
}

/* wisp panic [--yes]: the node destroys its master key and stops. */
int
cli_panic(struct cli *c, int argc, char **argv)
{
	static const char ask[] = "wisp: this destroys the node's keys: nothing in its data directory can be read "
	    "after it, not its friends, not its store. Type destroy to go on: ";
	char answer[16] = "";
	struct api *api = NULL;
	struct api_resp r;
	int rc, yes = argc == 2 && strcmp(argv[1], "--yes") == 0, tty;

	if (argc > 2 || (argc == 2 && !yes))
		return cli_fail(CLI_USAGE, "usage: wisp panic [--yes]");
	if (!yes) {
		if ((tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) >= 0) {
			if (write(tty, ask, sizeof(ask) - 1) < 0 || askpass_fd(tty, answer, sizeof(answer)) < 0)
				answer[0] = 0;
			close(tty);
		}
		if (strcmp(answer, "destroy") != 0)
			return cli_fail(CLI_FAIL, "panic: not confirmed; nothing was changed (--yes skips the question)");
	}
	if ((rc = api_open(&api, c->datadir)) != CLI_OK)
		return rc;
	rc = api_request(api, EVHTTP_REQ_POST, "/api/v1/panic?confirm=destroy", NULL, 0, &r, NULL, NULL);
	rc = rc == CLI_OK && r.code == 200 ? CLI_OK : api_error_exit(&r, "panic");
	if (rc == CLI_OK && r.body && evbuffer_search(r.body, "\"key_removed\": false", 21, NULL).pos >= 0)
		rc = cli_fail(CLI_FAIL, "panic: the node stops, but %s/master.key could not be removed: remove it", c->datadir);
	api_resp_free(&r);
	api_close(api);
	if (rc != CLI_OK)
		return rc;
	if (cli_wait_stopped(c->datadir) != 0)
		return cli_fail(CLI_FAIL, "panic: the keys are destroyed, but the node is still up after 30 s");
	if (!c->quiet)
		fprintf(stderr, "wisp: the node's keys are destroyed and it stops; it starts again as a new node\n");
	return CLI_OK;
}
