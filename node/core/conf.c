#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/noderef.h"
#include "node/core/conf.h"
#include "store/store.h"

void
conf_defaults(struct node_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "[::]:0");
	snprintf(c->api, sizeof(c->api), "127.0.0.1:8484");
	c->store_size = 1ull << 30;
	c->map_budget = STORE_MAP_BUDGET_DEFAULT;
	c->cache_percent = STORE_CACHE_PERCENT_DEFAULT;
	c->log_level = 1; /* info */
	c->heal = 1;
	c->swap = 1;
	c->persist_transfers = 1;
	c->keep_interval = 86400;
	c->opennet_peers = 20;
	c->relay = -1;
	c->htl_max = 18;
	c->rtable_max = 250;
	c->protect = -1;
	snprintf(c->pass_cost, sizeof(c->pass_cost), "moderate");
}

int
conf_addr_ok(const char *s)
{
	char host[CONF_ADDR_MAX];
	unsigned port;
	int v6;

	return conf_split_addr(s, host, &port, &v6) == 0;
}

int
conf_split_addr(const char *s, char host[CONF_ADDR_MAX], unsigned *port, int *v6)
{
	const char *colon, *p;
	unsigned char buf[16];
	size_t hl;
	long n;

	if (strlen(s) >= CONF_ADDR_MAX || !(colon = strrchr(s, ':')))
		return WISP_ERR_MALFORMED;
	hl = (size_t)(colon - s);
	if (hl == 0)
		return WISP_ERR_MALFORMED;
	for (p = colon + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return WISP_ERR_MALFORMED;
	if (colon[1] == '\0' || strlen(colon + 1) > 5 || (n = strtol(colon + 1, NULL, 10)) > 65535)
		return WISP_ERR_MALFORMED;
	*v6 = hl > 2 && s[0] == '[' && s[hl - 1] == ']';
	if (*v6) {
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
	} else {
		memcpy(host, s, hl);
		host[hl] = '\0';
	}
	if (inet_pton(*v6 ? AF_INET6 : AF_INET, host, buf) != 1)
		return WISP_ERR_MALFORMED;
	*port = (unsigned)n;
	return 0;
}

static int
parse_uint(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	n = strtoul(v, &end, 10);
	if (*end || n < lo || n > hi)
		return -1;
	*out = (unsigned)n;
	return 0;
}

int
conf_set(struct node_conf *c, const char *key, const char *val, char *why, size_t whylen)
{
	static const char *levels[] = { "debug", "info", "warn", "error" };
	unsigned u;

	if (strcmp(key, "listen") == 0 || strcmp(key, "api") == 0) {
		if (!conf_addr_ok(val))
			goto bad;
		snprintf(strcmp(key, "api") == 0 ? c->api : c->listen, CONF_ADDR_MAX, "%s", val);
	} else if (strcmp(key, "public-address") == 0) {
		if (*val && !conf_addr_ok(val))
			goto bad;
		snprintf(c->public_addr, CONF_ADDR_MAX, "%s", val);
	} else if (strcmp(key, "store-size") == 0) {
		if (store_parse_size(val, &c->store_size) != 0 || c->store_size < (4u << 20))
			goto bad;
	} else if (strcmp(key, "store-map-budget") == 0) {
		if (store_parse_size(val, &c->map_budget) != 0 || (c->map_budget && c->map_budget < (4u << 20)))
			goto bad;
	} else if (strcmp(key, "cache-percent") == 0) {
		if (parse_uint(val, 1, 99, &c->cache_percent))
			goto bad;
	} else if (strcmp(key, "log-level") == 0) {
		for (u = 0; u < 4 && strcmp(val, levels[u]) != 0; u++)
			;
		if (u == 4)
			goto bad;
		c->log_level = (int)u;
	} else if (strcmp(key, "htl-max") == 0) {
		if (parse_uint(val, 2, 64, &u))
			goto bad;
		c->htl_max = u;
	} else if (strcmp(key, "rtable-max") == 0) {
		if (parse_uint(val, 8, 100000, &u))
			goto bad;
		c->rtable_max = u;
	} else if (strcmp(key, "heal") == 0) {
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			goto bad;
		c->heal = strcmp(val, "yes") == 0;
	} else if (strcmp(key, "swap") == 0) {
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			goto bad;
		c->swap = strcmp(val, "yes") == 0;
	} else if (strcmp(key, "keep-interval") == 0) {
		/* seconds, or with s, m, h or d */
		char *end;
		unsigned long v = strtoul(val, &end, 10);
		unsigned long mul = !*end ? 1 : !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600
		    : !strcmp(end, "d") ? 86400 : 0;
		if (end == val || !mul || *val == '-' || v > 365UL * 86400 / mul || v * mul < 10)
			goto bad;
		c->keep_interval = (unsigned)(v * mul);
	} else if (strcmp(key, "persist-transfers") == 0) {
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			goto bad;
		c->persist_transfers = strcmp(val, "yes") == 0;
	} else if (strcmp(key, "opennet") == 0) {
		if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
			goto bad;
		c->opennet = strcmp(val, "on") == 0;
	} else if (strcmp(key, "relay") == 0) {
		if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0 && strcmp(val, "auto") != 0)
			goto bad;
		c->relay = strcmp(val, "auto") == 0 ? -1 : strcmp(val, "on") == 0;
	} else if (strcmp(key, "opennet-peers") == 0) {
		if (parse_uint(val, 1, 128, &u))
			goto bad;
		c->opennet_peers = u;
	} else if (strcmp(key, "bandwidth-out") == 0 || strcmp(key, "bandwidth-in") == 0 ||
	    strcmp(key, "bandwidth-month") == 0) {
		uint64_t v;
		if (store_parse_size(val, &v) != 0 || (v && v < 4096))
			goto bad; /* under 4 KiB/s a record takes seconds: not a limit but a stall */
		*(key[10] == 'o' ? &c->bandwidth_out : key[10] == 'i' ? &c->bandwidth_in : &c->bandwidth_month) = v;
	} else if (strcmp(key, "protect") == 0) {
		static const char *modes[] = { "none", "passphrase", "memory" };
		for (u = 0; u < 3 && strcmp(val, modes[u]) != 0; u++)
			;
		if (u == 3)
			goto bad;
		c->protect = (int)u;
	} else if (strcmp(key, "passphrase-cost") == 0) {
		if (strcmp(val, "interactive") && strcmp(val, "moderate") && strcmp(val, "sensitive"))
			goto bad;
		snprintf(c->pass_cost, sizeof(c->pass_cost), "%s", val);
	} else if (strcmp(key, "peer") == 0) {
		struct noderef ref;
		const char *w = NULL;
		if (strlen(val) >= CONF_REF_MAX || noderef_parse(&ref, val, strlen(val), &w) != 0) {
			snprintf(why, whylen, "bad noderef for 'peer': %s", w ? w : "too long");
			return WISP_ERR_MALFORMED;
		}
		if (c->npeers == CONF_PEERS_MAX) {
			snprintf(why, whylen, "more than %d 'peer' lines", CONF_PEERS_MAX);
			return WISP_ERR_MALFORMED;
		}
		snprintf(c->peers[c->npeers++], CONF_REF_MAX, "%s", val);
	} else {
		snprintf(why, whylen, "unknown key '%.64s'", key);
		return WISP_ERR_MALFORMED;
	}
	return 0;
bad:
	snprintf(why, whylen, "bad value '%.64s' for '%s'", val, key);
	return WISP_ERR_MALFORMED;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
conf_line(struct node_conf *c, const char *line, char *why, size_t whylen)
{
	char buf[CONF_LINE_MAX], *k, *v, *eq;
	size_t n = strlen(line);

	if (n >= sizeof(buf)) {
		snprintf(why, whylen, "line too long");
		return WISP_ERR_MALFORMED;
	}
	memcpy(buf, line, n + 1);
	k = trim(buf);
	if (*k == '\0' || *k == '#')
		return 0;
	if (!(eq = strchr(k, '='))) {
		snprintf(why, whylen, "expected 'key = value'");
		return WISP_ERR_MALFORMED;
	}
	*eq = '\0';
	k = trim(k);
	v = trim(eq + 1);
	return conf_set(c, k, v, why, whylen);
}

int
conf_write(const struct node_conf *c, char *out, size_t outlen)
{
	static const char *lv[] = { "debug", "info", "warn", "error" };
	int n = snprintf(out, outlen,
	    "# wispd configuration: 'key = value' lines; command-line flags override them.\n"
	    "# docs/operator.md describes every key.\n"
	    "listen = %s\n"
	    "api = %s\n"
	    "%spublic-address = %s\n"
	    "store-size = %llu%s\n"
	    "cache-percent = %u\n"
	    "log-level = %s\n"
	    "htl-max = %u\n"
	    "rtable-max = %u\n"
	    "heal = %s\n"
	    "# no keeps a darknet node's location where its key puts it (docs/routing.md, \"Swapping\")\n"
	    "swap = %s\n"
	    "# no keeps the queue of transfers in memory only (docs/threat-model.md)\n"
	    "persist-transfers = %s\n"
	    "# how often a document of wisp keep is checked, and repaired (randomised)\n"
	    "keep-interval = %us\n"
	    "# opennet = on links with strangers too; read docs/opennet.md first\n"
	    "opennet = %s\n"
	    "opennet-peers = %u\n"
	    "# relay = on carries the links of two peers that cannot meet (docs/operator.md)\n"
	    "relay = %s\n",
	    c->listen, c->api, *c->public_addr ? "" : "# a port forwarded by hand: ", *c->public_addr ? c->public_addr : "203.0.113.7:4000",
	    (unsigned long long)(c->store_size % (1u << 20) ? c->store_size : c->store_size >> 20),
	    c->store_size % (1u << 20) ? "" : "M", c->cache_percent,
	    lv[c->log_level & 3], c->htl_max, c->rtable_max, c->heal ? "yes" : "no",
	    c->swap ? "yes" : "no", c->persist_transfers ? "yes" : "no", c->keep_interval, c->opennet ? "on" : "off", c->opennet_peers, c->relay < 0 ? "auto" : c->relay ? "on" : "off");
	return n < 0 || (size_t)n >= outlen ? WISP_ERR_TOOBIG : 0;
}
