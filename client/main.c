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
	    "  get URI -o FILE --background                fetch in the node; prints the transfer's id\n"
	    "  put FILE --background                       insert in the node; prints the URI\n"
	    "  transfers [--json]                          the node's downloads and inserts\n"
	    "  wait ID | cancel ID                         follow one to its end, or cancel it\n"
	    "  keep URI | list | remove URI                keep a document alive in the network\n"
	    "  check URI                                   is it retrievable? blocks found in the network\n"
	    "  stop | reload                               stop the node; reread its wispd.conf\n"
	    "  passphrase [--remove]                       set or change the data directory's passphrase\n"
	    "  panic [--yes]                               destroy the node's keys now, and stop it\n"
	    "  status [--json]                             node, peers, store, traffic\n"
	    "  noderef                                     this node's noderef (one line)\n"
	    "  invite                                      a one-time invite for a friend\n"
	    "  peer add NODEREF|INVITE [--name NAME] | list | remove ID\n"
	    "                                              manage friends\n"
	    "  seed add NODEREF | list                     opennet nodes to join through\n"
	    "  keygen                                      a new SSK insert URI and request URI\n"
	    "  put FILE --key SSK@<insert>/NAME            publish under a signed name\n"
	    "  put FILE --key USK@<insert>/SITE/N          publish edition N of an updatable site\n"
	    "  put --dir DIR [--key USK@<insert>/SITE/N]   insert a directory as a site\n"
	    "  put ... --redundancy PERCENT                check blocks per data block (100; 0: none)\n"
	    "  help [COMMAND]                              this, or one command's help\n"
	    "exit status: 0 done, 1 any other failure, 2 usage error or malformed input,\n"
	    "  3 the node cannot be reached, 4 not found in the network, 5 a block does not verify,\n"
	    "  130 interrupted (Ctrl-C): the transfer was cancelled\n");
}

/* One command's help: wisp help COMMAND, or wisp COMMAND --help. */
static const struct {
	const char *name, *text;
} helps[] = {
	{ "put", "usage: wisp put [FILE|-] [--name NAME] [--key-only] [--redundancy PERCENT]\n"
	         "       wisp put FILE --key SSK@<insert>/NAME | USK@<insert>/SITE/N\n"
	         "       wisp put --dir DIR [--key USK@<insert>/SITE/N]\n"
	         "Insert a file (standard input without FILE, or with -) and print its URI.\n"
	         "--name keeps the file's name in the URI; --key publishes under a signed name\n"
	         "or as edition N of an updatable site; --dir inserts a directory as a site.\n"
	         "--redundancy: check blocks per 100 data blocks (default 100; 0: none).\n"
	         "The blocks are handed to the node, which inserts them as a transfer of its\n"
	         "queue (wisp transfers): a node with no peer refuses, before anything is\n"
	         "written, a file its store cannot hold. put waits until the network took\n"
	         "every block and exits 1, saying how many were refused, if some were.\n"
	         "--background returns once the node has every block (the URI is printed);\n"
	         "Ctrl-C while it waits asks whether to leave the insert running.\n" },
	{ "get", "usage: wisp get URI [-o FILE [--background]] [-v]\n"
	         "Fetch a document to standard output, or to FILE: the node fetches it as a\n"
	         "transfer of its queue (wisp transfers), writes FILE.part and renames it\n"
	         "once whole; it resumes after a restart of the node without fetching again\n"
	         "what it had. --background prints the transfer's id and returns; Ctrl-C\n"
	         "asks whether to leave it running. URI may be pasted as the gateway shows it: a whole\n"
	         "http://127.0.0.1:8484/CHK@... URL, or with a trailing '/'.\n"
	         "-v says how far the document came from: \"found in this node\", or\n"
	         "\"found about N hops away\", an estimate: each hop may keep or lower the\n"
	         "count at random (docs/routing.md), so no node can tell how far a request came.\n" },
	{ "transfers", "usage: wisp transfers [--json]\n"
	               "The node's downloads and inserts: id, direction, state (staging, queued,\n"
	               "running, done, failed and why), bytes done of the total, rate, time left.\n" },
	{ "wait", "usage: wisp wait ID\nFollow transfer ID with a progress bar; exit with its result.\n" },
	{ "cancel", "usage: wisp cancel ID\nCancel transfer ID (its partial file and kept blocks go), or remove a\n"
	            "finished one from the list.\n" },
	{ "keep", "usage: wisp keep URI | list | remove URI\n"
	          "Keep a document alive: this node checks it now and then about once every\n"
	          "keep-interval (a day by default, randomised), reading it through the network\n"
	          "only, and sends out again what the network lost: from its own store when it\n"
	          "holds the block, else rebuilt from the check blocks. list shows each one's\n"
	          "last check: blocks found of those asked, and how many were sent out again.\n" },
	{ "check", "usage: wisp check URI\n"
	           "Read the document through the network only (never this node's store) and\n"
	           "say whether it is retrievable and how many of the blocks asked were found;\n"
	           "nothing is repaired. Exit 0 if retrievable, 4 if not.\n" },
	{ "stop", "usage: wisp stop\nStop the node cleanly, as SIGTERM does, and wait until it has.\n" },
	{ "reload", "usage: wisp reload\nRead wispd.conf again, as SIGHUP does for a daemon: what applies at once\n"
	            "is in docs/operator.md, \"Signals\"; a file with an error changes nothing.\n" },
	{ "passphrase", "usage: wisp passphrase [--remove] [--cost interactive|moderate|sensitive] [--passphrase-fd N]\n"
	                "Set, change (--remove: take off) the passphrase that protects the data\n"
	                "directory's master key. Only DATADIR/master.key is written: the store is\n"
	                "not encrypted again. Asked on the terminal, or read from descriptor N (the\n"
	                "current passphrase first, if there is one, then the new one, a line each).\n"
	                "--cost: Argon2id's cost (moderate, 256 MiB, by default). Works with the node\n"
	                "running or stopped.\n" },
	{ "panic", "usage: wisp panic [--yes]\n"
	           "The node overwrites and removes its master key and stops: nothing in its data\n"
	           "directory can be read after that, by anyone, its friends and store included.\n"
	           "It starts again as a new node. Asks to type destroy, unless --yes.\n" },
	{ "status", "usage: wisp status [--json]\n"
	            "The node's peers, its addresses and where each came from, whether a peer\n"
	            "reached it from outside lately, its store, traffic and routing counters,\n"
	            "its speed each way with the limits, what waits to leave and the requests\n"
	            "refused for load (docs/operator.md, \"Bandwidth\"), its protection.\n" },
	{ "noderef", "usage: wisp noderef\nPrint this node's noderef: one line a friend adds with wisp peer add.\n" },
	{ "invite", "usage: wisp invite\nPrint a one-time invite, valid 7 days: a friend's wisp peer add of it links\n"
	            "both nodes, and the invite is then spent.\n" },
	{ "peer", "usage: wisp peer add NODEREF|INVITE [--name NAME] | list | remove ID\n"
	          "Manage friends. --name keeps a name for the friend (1 to 32 bytes), shown\n"
	          "first in list, which says, for a friend that is not connected, why.\n" },
	{ "seed", "usage: wisp seed add NODEREF | list\nOpennet nodes to join through (docs/opennet.md).\n" },
	{ "keygen", "usage: wisp keygen\nPrint a new SSK insert URI (secret: it lets anyone publish as you) and its\n"
	            "request URI (share it).\n" },
};

/* help prints |name|'s help (or the usage with no name); CLI_USAGE if
 * there is no such command. */
static int
help(const char *name)
{
	size_t k;

	if (!name)
		return usage(stdout), CLI_OK;
	for (k = 0; k < sizeof(helps) / sizeof(helps[0]); k++)
		if (strcmp(helps[k].name, name) == 0)
			return fputs(helps[k].text, stdout), CLI_OK;
	cli_fail(CLI_USAGE, "help: no command '%s'", name);
	usage(stderr);
	return CLI_USAGE;
}

/* asks_help: does the command line after the command ask for its help? */
static int
asks_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
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
	{ "transfers", cli_transfers },
	{ "wait", cli_wait },
	{ "cancel", cli_cancel },
	{ "keep", cli_keep },
	{ "check", cli_check },
	{ "stop", cli_stop },
	{ "reload", cli_reload },
	{ "passphrase", cli_passphrase },
	{ "panic", cli_panic },
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
	if (strcmp(argv[i], "help") == 0)
		return argc - i > 2 ? (usage(stderr), CLI_USAGE) : help(argc - i == 2 ? argv[i + 1] : NULL);
	if (asks_help(argc - i, argv + i))
		return help(argv[i]);
	if (wisp_datadir(c.datadir, sizeof(c.datadir), dflag) != 0)
		return cli_fail(CLI_USAGE, "no data directory: give -d, or set WISP_HOME or HOME");
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].fn(&c, argc - i, argv + i);
	cli_fail(CLI_USAGE, "unknown command '%s'", argv[i]);
	usage(stderr);
	return CLI_USAGE;
}
