/* wispd's command line and the reload of wispd.conf. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/conf.h"
#include "node/daemon/options.h"
#include "node/link/limits.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "node/route/opennet.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wispd [-d DATADIR] [--listen ADDR:PORT] [--api ADDR:PORT] [--public-address ADDR:PORT]\n"
	    "             [--store-size SIZE] [--protect none|passphrase|memory] [--passphrase-fd N]\n"
	    "             [--passphrase-cost interactive|moderate|sensitive]\n"
	    "             [--foreground] [--log-level debug|info|warn|error] [--opennet]\n");
}

static void
add(struct options *o, const char *key, const char *val)
{
	o->ov[o->nov].key = key;
	o->ov[o->nov].val = val;
	o->nov++;
}

int
options_parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "datadir", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "api", required_argument, NULL, 'a' },
		{ "public-address", required_argument, NULL, 'P' },
		{ "store-size", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "opennet", no_argument, NULL, 'o' },
		{ "protect", required_argument, NULL, 'p' },
		{ "passphrase-fd", required_argument, NULL, 'F' },
		{ "passphrase-cost", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->passphrase_fd = -1;
	while ((c = getopt_long(argc, argv, "d:fhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->datadir = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'l': add(o, "listen", optarg); break;
		case 'a': add(o, "api", optarg); break;
		case 'P': add(o, "public-address", optarg); break;
		case 's': add(o, "store-size", optarg); break;
		case 'L': add(o, "log-level", optarg); break;
		case 'o': add(o, "opennet", "on"); break;
		case 'p': add(o, "protect", optarg); break;
		case 'C': add(o, "passphrase-cost", optarg); break;
		case 'F': {
			char *end;
			long fd = strtol(optarg, &end, 10);
			if (*end || end == optarg || fd < 0 || fd > 1 << 20) {
				fprintf(stderr, "wispd: --passphrase-fd: bad descriptor '%s'\n", optarg);
				return -1;
			}
			o->passphrase_fd = (int)fd;
			break;
		}
		case 'h': usage(stdout); exit(0);
		case 'V': printf("wispd 0.1.0\n"); exit(0);
		default: usage(stderr); return -1;
		}
		if (o->nov >= OPTIONS_OVERRIDES_MAX)
			return -1;
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int
options_apply(const struct options *o, struct node_conf *c, char *why, size_t whylen)
{
	char err[160];
	int i;

	for (i = 0; i < o->nov; i++)
		if (conf_set(c, o->ov[i].key, o->ov[i].val, err, sizeof(err)) != 0) {
			snprintf(why, whylen, "--%s: %s", o->ov[i].key, err);
			return -1;
		}
	return 0;
}

int
options_reload(struct node *n, const struct options *o, char *err, size_t errlen)
{
	struct node_conf *c = malloc(sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory; nothing reloaded");
		log_warnx("SIGHUP: %s", err);
		return -1;
	}
	conf_defaults(c);
	if (datadir_read_conf(n, c, err, errlen) != 0) {
		log_warnx("SIGHUP: %s; the running configuration stays", err);
		free(c);
		return -1;
	}
	if (options_apply(o, c, err, errlen) != 0)
		abort(); /* checked at start */
	if (c->npeers && vault_protect(n) != PROTECT_NONE) {
		snprintf(err, errlen, "wispd.conf names friends in the clear ('peer' lines), refused with protect = %s: "
		    "add them with wisp peer add", vault_protect_name(vault_protect(n)));
		log_warnx("SIGHUP: %s; the running configuration stays", err);
		free(c);
		return -1;
	}
	c->protect = n->conf.protect; /* the protection changes at a start (docs/operator.md) */
	if (strcmp(c->listen, n->conf.listen) || strcmp(c->api, n->conf.api) || c->store_size != n->conf.store_size ||
	    c->cache_percent != n->conf.cache_percent || c->map_budget != n->conf.map_budget)
		log_info("SIGHUP: new addresses or store sizes take effect at the next start");
	memcpy(c->listen, n->conf.listen, sizeof(c->listen));
	memcpy(c->api, n->conf.api, sizeof(c->api));
	c->store_size = n->conf.store_size;
	c->cache_percent = n->conf.cache_percent;
	c->map_budget = n->conf.map_budget;
	n->conf = *c;
	free(c);
	log_set_level((enum log_level)n->conf.log_level);
	if (node_route_reconfigure(n) != 0)
		log_warnx("SIGHUP: the router kept its limits (out of memory)");
	peers_sync_conf(n);
	if (limits_apply(n) != 0)
		log_warnx("SIGHUP: the bandwidth limits stay as they were (out of memory)");
	if (openlink_reconfigure(n) != 0)
		log_warnx("SIGHUP: opennet could not be turned on (out of memory)");
	log_info("SIGHUP: configuration reloaded (htl-max %u, rtable-max %u, %u friends from the file)",
	    n->conf.htl_max, n->conf.rtable_max, n->conf.npeers);
	return 0;
}
