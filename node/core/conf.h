/* conf.h: wispd's settings, from wispd.conf lines and then the command
 * line. The parser is line-at-a-time and pure, so it can be fuzzed. */
#ifndef WISP_CONF_H
#define WISP_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum conf_limits { CONF_ADDR_MAX = 64, CONF_LINE_MAX = 1024, CONF_PEERS_MAX = 64, CONF_REF_MAX = 512 };

struct node_conf {
	char listen[CONF_ADDR_MAX]; /* peer links, host:port */
	char api[CONF_ADDR_MAX];    /* HTTP API and gateway, host:port */
	char public_addr[CONF_ADDR_MAX]; /* public-address: advertised first; "" = none */
	uint64_t store_size;
	uint64_t map_budget;        /* store-map-budget: resident map bytes, 0 = unbounded */
	unsigned cache_percent;
	int log_level;              /* enum log_level */
	unsigned htl_max;
	unsigned rtable_max;
	int heal;                   /* re-insert rebuilt blocks of splitfiles */
	int swap;                   /* darknet: swap locations with friends' friends */
	int persist_transfers;      /* keep the transfer queue on disk, to resume after a restart */
	unsigned keep_interval;     /* seconds between checks of a kept document (randomised) */
	int opennet;                /* link with strangers too (docs/opennet.md) */
	int relay;                  /* relay for two peers that cannot meet: 1 on, 0 off, -1 as opennet */
	unsigned opennet_peers;     /* opennet peers kept, besides friends (20) */
	int protect;                /* node/base/vault.h: -1 unset, 0 none, 1 passphrase, 2 memory */
	uint64_t bandwidth_out, bandwidth_in; /* bytes/s, 0: no limit (link/limits.h) */
	uint64_t bandwidth_month;   /* bytes a calendar month (UTC) before the output slows; 0: none */
	char pass_cost[16];         /* passphrase-cost: Argon2id cost of a new passphrase */
	/* "peer = wisp1:…" lines: friends kept as the file says (docs/operator.md) */
	char peers[CONF_PEERS_MAX][CONF_REF_MAX];
	unsigned npeers;
};

void conf_defaults(struct node_conf *c);
/* conf_line applies one line of wispd.conf. On error |why| (|whylen|
 * bytes) says what is wrong. Returns 0 or WISP_ERR_MALFORMED. */
int conf_line(struct node_conf *c, const char *line, char *why, size_t whylen) WISP_WUR;
/* conf_set applies one setting (as from the command line). */
int conf_set(struct node_conf *c, const char *key, const char *val, char *why, size_t whylen) WISP_WUR;
/* conf_addr_ok: is |s| a numeric "host:port" or "[v6]:port"? */
int conf_addr_ok(const char *s);
/* conf_split_addr splits such a string into a numeric host (without
 * brackets) and a port (0 allowed). Returns 0 or WISP_ERR_MALFORMED. */
int conf_split_addr(const char *s, char host[CONF_ADDR_MAX], unsigned *port, int *v6) WISP_WUR;
/* conf_write formats |c| as a complete wispd.conf. */
int conf_write(const struct node_conf *c, char *out, size_t outlen) WISP_WUR;

#endif
