/* This node's address record, and its friends' (core/ark.h): when this
 * node's addresses change it publishes a new edition through the network
 * and tells its linked friends; a friend it has not reached for a minute
 * is looked up by its newest edition, and redialled where that says. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "crypto/ssk.h"
#include "node/base/clock.h"
#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/ark.h"
#include "node/link/nat.h"
#include "node/link/peers.h"
#include "node/route/ark.h"
#include "node/route/driver.h"

enum {
	ARK_TICK_MS = 5000,
	ARK_AWAY_MS = 60000,  /* a friend unreached this long is looked up */
	ARK_RETRY_MS = 60000, /* and again after this, while it stays away */
	ARK_CHAIN_MAX = 16,   /* editions followed in one look-up */
};

struct ark_state {
	struct ark_keys *keys;     /* sodium_malloc'd: holds the signing key */
	struct noderef published;  /* the addresses of the newest edition */
	struct event *tick;
};

/* A look-up in flight: the friend by the router's name, not by pointer,
 * since it may be removed before the answer comes. */
struct lookup {
	struct node *n;
	uint32_t rid;
	uint64_t edition;
	unsigned chain;
};

/* DATADIR/ark.edition: the newest edition and, on the next line, the
 * noderef it carried, so a restart with the same addresses publishes
 * nothing new. */
static uint64_t
load_edition(const struct node *n, struct noderef *published)
{
	char buf[32] = "", ref[NODEREF_TEXT_MAX + 2] = "";
	const char *why;
	FILE *f;

	memset(published, 0, sizeof(*published));
	if (!(f = vault_fopen(n, "ark.edition", "r")))
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	if (fgets(ref, sizeof(ref), f)) {
		ref[strcspn(ref, "\n")] = '\0';
		if (noderef_parse(published, ref, strlen(ref), &why) != 0)
			memset(published, 0, sizeof(*published));
	}
	fclose(f);
	return strtoull(buf, NULL, 10);
}

static int
same_addrs(const struct noderef *a, const struct noderef *b)
{
	return a->naddr == b->naddr && !memcmp(a->addr, b->addr, a->naddr * sizeof(a->addr[0]));
}

static void
on_published(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	(void)block;
	(void)len;
	(void)hops;
	if (st != ROUTER_INSERTED)
		log_debug("address record %" PRIu64 ": insert ended with %d", *(uint64_t *)cookie, (int)st);
	free(cookie);
}

/* publish inserts edition |n->ark_edition + 1| of this node's record. */
static void
publish(struct node *n, const struct noderef *ref)
{
	struct ark_state *st = n->ark;
	uint8_t rec[ARK_REC_MAX], block[SSK_BLOCK_LEN], rkey[SSK_KEY_LEN];
	char name[ARK_NAME_MAX], text[24 + NODEREF_TEXT_MAX + 2], reft[NODEREF_TEXT_MAX];
	uint64_t ed = n->ark_edition + 1, *cookie;
	size_t rl, nl;
	unsigned i;
	FILE *f;
	int ok;

	nl = ark_name(name, ed);
	if (ark_encode(ref, ed, rec, &rl) != 0 ||
	    ssk_encode(block, rkey, st->keys->secret, st->keys->ckey, name, nl, rec, rl) != 0)
		return;
	/* the edition is spent before the insert: never two records under one name */
	if (noderef_format(ref, reft, sizeof(reft)) != 0)
		return;
	snprintf(text, sizeof(text), "%" PRIu64 "\n%s\n", ed, reft);
	ok = (f = vault_fopen(n, "ark.edition", "w")) && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok) {
		log_warnx("cannot save the address record's edition in %s/ark.edition", n->datadir);
		return;
	}
	n->ark_edition = ed;
	st->published = *ref;
	if ((cookie = malloc(sizeof(*cookie))))
		*cookie = ed;
	if (!cookie || node_insert_block(n, rkey, block, sizeof(block), on_published, cookie) != 0)
		free(cookie);
	log_info("published this node's address record %" PRIu64 " (%u addresses)", ed, ref->naddr);
	for (i = 0; i < n->npeers; i++)
		nat_tell_ark(n, n->peers[i]);
}

static void lookup(struct node *n, struct peer *p, uint64_t edition, unsigned chain);

static void
on_found(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct lookup *lk = cookie;
	struct node *n = lk->n;
	struct peer *p = peers_by_rid(n, lk->rid);
	uint8_t plain[SSK_PAYLOAD_LEN];
	char name[ARK_NAME_MAX];
	struct noderef ref;
	uint64_t ed;
	size_t pl, nl;

	(void)hops;
	if (!p || p->removed || st != ROUTER_FOUND || len != SSK_BLOCK_LEN) {
		free(lk);
		return;
	}
	/* The router verified the block against its key; the key is this
	 * friend's namespace and the name, so only that friend signed it. */
	nl = ark_name(name, lk->edition);
	if (ssk_decode(plain, &pl, block, len, p->ark_ckey, name, nl) != 0 ||
	    ark_decode(&ref, &ed, plain, pl) != 0 || ed != lk->edition || sodium_memcmp(ref.pub, p->pub, 32) != 0 ||
	    ed <= p->ark_edition || ref.naddr == 0) {
		log_info("a friend's address record %" PRIu64 " does not read back: ignored", lk->edition);
		free(lk);
		return;
	}
	p->ark_edition = ed;
	if (!same_addrs(&ref, &p->ref)) {
		p->ref = ref;
		p->next_addr = 0;
		log_info("found a friend's new addresses in its address record %" PRIu64 ": dialling", ed);
	}
	(void)peers_save(n, p);
	peers_redial_now(p);
	if (lk->chain + 1 < ARK_CHAIN_MAX)
		lookup(n, p, ed + 1, lk->chain + 1); /* a newer one may wait too */
	free(lk);
}

static void
lookup(struct node *n, struct peer *p, uint64_t edition, unsigned chain)
{
	uint8_t rkey[SSK_KEY_LEN];
	char name[ARK_NAME_MAX];
	struct lookup *lk = malloc(sizeof(*lk));
	size_t nl = ark_name(name, edition);

	if (!lk)
		return;
	*lk = (struct lookup){ .n = n, .rid = p->rid, .edition = edition, .chain = chain };
	ssk_request_key(rkey, p->ark_pkh, p->ark_ckey, name, nl);
	if (node_fetch_block(n, rkey, on_found, lk) != 0)
		free(lk);
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;
	struct noderef self;
	uint64_t now = node_now_ms();
	unsigned i;

	(void)fd;
	(void)ev;
	peers_self(n, &self);
	if (self.naddr && !same_addrs(&self, &n->ark->published))
		publish(n, &self);
	for (i = 0; i < n->npeers; i++) {
		struct peer *p = n->peers[i];
		if (!p->has_ark || p->opennet || p->removed || p->link || now - p->down_since < ARK_AWAY_MS ||
		    (p->ark_tried && now - p->ark_tried < ARK_RETRY_MS))
			continue;
		p->ark_tried = now;
		lookup(n, p, p->ark_edition + 1, 0);
	}
}

int
ark_start(struct node *n)
{
	struct timeval tv = { ARK_TICK_MS / 1000, 0 };

	if (!(n->ark = calloc(1, sizeof(*n->ark))))
		return -1;
	if (!(n->ark->keys = sodium_malloc(sizeof(struct ark_keys))))
		return -1;
	ark_derive(n->ark->keys, n->id_secret);
	memcpy(n->ark_pkh, n->ark->keys->pkh, 32);
	memcpy(n->ark_ckey, n->ark->keys->ckey, 32);
	n->ark_edition = load_edition(n, &n->ark->published);
	if (!(n->ark->tick = event_new(n->base, -1, EV_PERSIST, on_tick, n)) || event_add(n->ark->tick, &tv) != 0)
		return -1;
	return 0;
}

void
ark_stop(struct node *n)
{
	if (!n->ark)
		return;
	if (n->ark->tick)
		event_free(n->ark->tick);
	sodium_free(n->ark->keys);
	free(n->ark);
	n->ark = NULL;
}
