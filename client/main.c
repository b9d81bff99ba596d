/* wisp: the command-line client of a wispd node. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/cli.h"
#include "crypto/datadir.h"

int
cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("wisp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wisp [-d DATADIR] [-q] [-v] COMMAND ...\n"
	    "  put [FILE|-] [--name NAME] [--key-only]   insert a file; prints its URI\n"
	    "  get URI [-o FILE] [-v]                      fetch a document\n"
	    "  status [--json]                             node, peers, store, traffic\n"
	    "  noderef                                     this node's noderef (one line)\n"
	    "  invite                                      a one-time invite for a friend\n"
	    "  peer add NODEREF|INVITE | list | remove ID  manage friends\n"
	    "  seed add NODEREF | list                     opennet nodes to join through\n"
	    "  keygen                                      a new SSK insert URI and request URI\n"
	    "  put FILE --key SSK@<insert>/NAME            publish under a signed name\n"
	    "  put FILE --key USK@<insert>/SITE/N          publish edition N of an updatable site\n"
	    "  put --dir DIR [--key USK@<insert>/SITE/N]   insert a directory as a site\n"
	    "  put ... --redundancy PERCENT                check blocks per data block (100; 0: none)\n");
}

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
} commands[] = {
	{ "put", cli_put },
	{ "get", cli_get },
	{ "status", cli_status },
	{ "noderef", cli_noderef },
	{ "invite", cli_invite },
	{ "peer", cli_peer },
	{ "seed", cli_seed },
	{ "keygen", cli_keygen },
};

int
main(int argc, char **argv)
{
	struct cli c = { 0 };
	const char *dflag = NULL;
	int i = 1;
	size_t k;

	if (sodium_init() < 0)
		return cli_fail(CLI_FAIL, "libsodium failed to initialise");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			dflag = argv[++i];
		else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			c.quiet = 1;
		else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			c.verbose = 1;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return usage(stdout), CLI_OK;
		else if (strcmp(argv[i], "--version") == 0)
			return printf("wisp 0.1.0\n"), CLI_OK;
		else
			return usage(stderr), CLI_USAGE;
	}
	if (i == argc)
		return usage(stderr), CLI_USAGE;
	if (wisp_datadir(c.datadir, sizeof(c.datadir), dflag) != 0)
		return cli_fail(CLI_USAGE, "no data directory: give -d, or set WISP_HOME or HOME");
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].fn(&c, argc - i, argv + i);
	cli_fail(CLI_USAGE, "unknown command '%s'", argv[i]);
	usage(stderr);
	return CLI_USAGE;
}
