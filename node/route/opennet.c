/* The opennet in wispd: seeds, announcements, offers, path folding and
 * the admission of strangers, carried out for the policy in
 * core/opennet_policy.c.
 * docs/opennet.md describes the whole; a node without `opennet = on`
 * does none of it and refuses every stranger. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "node/base/clock.h"
#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/opennet_policy.h"
#include "node/core/router.h"
#include "node/core/wire.h"
#include "node/link/link.h"
#include "node/link/peers.h"
#include "node/route/driver.h"
#include "node/route/opennet.h"

enum {
	OPENLINK_TICK_MS = 1000,
	OPENLINK_KNOWN_MAX = 32,    /* opennet peers remembered across a restart */
	SAVE_MS = 60000,            /* how often they are written down */
	OFFERED_IDS = 64,           /* announcements we offered to, lately */
	ANNOUNCE_SPACING_MS = 2000, /* our own announcements, at most one per */
	FOLD_DELAY_MS = 10000, /* a fold is dialled within this, not at once */
};

struct openlink {
	struct opennet *on;          /* NULL while opennet is off */
	struct event *tick;
	uint8_t ref[NODEREF_BIN_MAX];   /* our noderef, offered */
	size_t ref_len;
	uint8_t loc[32];                /* our location */
	struct noderef seeds[OPENLINK_SEEDS_MAX];
	unsigned nseeds, seed_next;
	struct noderef known[OPENLINK_KNOWN_MAX]; /* opennet peers of an earlier run */
	unsigned nknown, known_next;
	uint64_t saved;              /* when opennet.peers was last written */
	unsigned on_low;             /* announce while fewer peers are kept */
	uint64_t announced;          /* when we last announced */
	uint64_t offered[OFFERED_IDS]; /* a ring: one offer per announcement, */
	unsigned offered_pos;        /* however often it comes round */
	struct openlink_stats st;
};

static struct log_rate open_rate;

/* ---- noderef files: the seeds, and the opennet peers we had ---- */

/* refs_load reads <datadir>/|name|: one noderef a line, '#' comments, at
 * most |max|. A line that does not parse is skipped with a warning: the
 * seeds file is the operator's, and one bad paste must not stop the node. */
static unsigned
refs_load(const struct node *n, const char *name, struct noderef *out, unsigned max)
{
	char line[CONF_REF_MAX + 2];
	unsigned lineno = 0, k = 0;
	FILE *f;

	if (!(f = vault_fopen(n, name, "r"))) {
		if (errno != ENOENT)
			log_warnx("cannot read %s/%s", n->datadir, name);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");
		const char *why = NULL;
		struct noderef ref;
		lineno++;
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (noderef_parse(&ref, line, len, &why) != 0) {
			log_warnx("%s/%s:%u: %s; skipped", n->datadir, name, lineno, why ? why : "bad noderef");
			continue;
		}
		if (sodium_memcmp(ref.pub, n->id_public, 32) == 0 || ref.naddr == 0 || k == max)
			continue;
		out[k++] = ref;
	}
	fclose(f);
	return k;
}

static int
refs_save(const struct node *n, const char *name, const char *header, const struct noderef *refs, unsigned count)
{
	size_t len = 0, cap = (size_t)(count + 1) * NODEREF_TEXT_MAX + 128;
	unsigned i;
	char *text;
	FILE *f;
	int rc;

	if (!(text = malloc(cap)))
		return -1;
	len = (size_t)snprintf(text, cap, "# %s\n", header);
	for (i = 0; i < count; i++) {
		if (noderef_format(&refs[i], text + len, cap - len) != 0) {
			free(text);
			return -1;
		}
		len += strlen(text + len);
		text[len++] = '\n';
	}
	if (!(f = vault_fopen(n, name, "w"))) {
		free(text);
		return -1;
	}
	rc = fwrite(text, 1, len, f) == len ? 0 : -1;
	rc = fclose(f) == 0 ? rc : -1;
	free(text);
	return rc;
}

static void
seeds_load(struct node *n)
{
	n->open->nseeds = refs_load(n, "seeds", n->open->seeds, OPENLINK_SEEDS_MAX);
}

static int
seeds_save(const struct node *n)
{
	return refs_save(n, "seeds", "opennet seeds: one noderef a line (wisp seed add)", n->open->seeds,
	    n->open->nseeds);
}

/* openlink_save keeps the noderefs of the opennet peers we have now in
 * <datadir>/opennet.peers, to rejoin through after a restart should the
 * seeds be gone. Never as friends: only dialled as strangers again. A node
 * with none keeps the file it has. */
void
openlink_save(struct node *n)
{
	struct noderef refs[OPENLINK_KNOWN_MAX];
	unsigned i, k = 0;

	if (!n->open || !n->open->on)
		return;
	for (i = 0; i < n->npeers && k < OPENLINK_KNOWN_MAX; i++) {
		const struct peer *p = n->peers[i];
		if (p->opennet && p->link && !p->open_dead && p->ref.naddr && opennet_kept(n->open->on, p->rid))
			refs[k++] = p->ref;
	}
	if (k && refs_save(n, "opennet.peers", "opennet peers this node had: rejoined through after a restart", refs,
	    k) != 0)
		log_warnx("cannot write %s/opennet.peers", n->datadir);
}

int
openlink_seed_add(struct node *n, const struct noderef *ref)
{
	struct openlink *o = n->open;
	unsigned i;

	for (i = 0; i < o->nseeds; i++)
		if (sodium_memcmp(o->seeds[i].pub, ref->pub, 32) == 0) {
			o->seeds[i] = *ref; /* new addresses */
			return seeds_save(n);
		}
	if (o->nseeds == OPENLINK_SEEDS_MAX)
		return WISP_ERR_FULL;
	o->seeds[o->nseeds++] = *ref;
	if (seeds_save(n) != 0) {
		o->nseeds--;
		return -1;
	}
	return 0;
}

unsigned
openlink_seeds(const struct node *n, const struct noderef **out)
{
	*out = n->open->seeds;
	return n->open->nseeds;
}

/* ---- peers ---- */

/* drop marks an opennet peer to go: the tick closes its link and forgets
 * it, outside the link callbacks this is called from. */
static void
drop(struct peer *p, const char *why)
{
	p->open_dead = 1;
	p->open_why = why;
}

static void
announce(struct node *n)
{
	uint64_t now = node_now_ms();

	if (n->open->announced && now - n->open->announced < ANNOUNCE_SPACING_MS)
		return; /* one at a time: each link that comes up need not start one */
	if (node_announce(n) == 0) {
		n->open->st.announces++;
		n->open->announced = now;
	}
}

/* dial makes |ref| an opennet peer and dials it, within |delay_ms|. */
static void
dial(struct node *n, const struct noderef *ref, unsigned delay_ms)
{
	struct openlink *o = n->open;

	if (sodium_memcmp(ref->pub, n->id_public, 32) == 0 || peers_find(n, ref->pub) || ref->naddr == 0)
		return;
	if (!opennet_want(o->on, node_now_ms()) || !opennet_take(o->on, node_now_ms()))
		return;
	if (!peers_add_open(n, ref, 1, delay_ms))
		log_ratelim(&open_rate, 10, "opennet: the peer list is full");
}

static struct peer *
openlink_admit(struct node *n, const struct noderef *ref, const char **why)
{
	struct openlink *o = n->open;
	uint32_t victim;
	struct peer *p, *v;
	int transient;

	if (!o->on) {
		*why = "unknown identity";
		return NULL;
	}
	if (!opennet_admit(o->on, node_now_ms(), &transient, &victim)) {
		o->st.refused++;
		*why = "opennet: no room, or strangers coming too fast";
		return NULL;
	}
	if (!(p = peers_add_open(n, ref, 0, 0))) {
		*why = "the peer list is full";
		return NULL;
	}
	p->open_transient = (uint8_t)transient;
	if (victim != OPENNET_NONE && (v = peers_by_rid(n, victim)))
		drop(v, "opennet: dropped for a newer peer");
	o->st.admitted++;
	return p;
}

static void
openlink_link(struct node *n, struct peer *p, int up)
{
	struct openlink *o = n->open;
	uint64_t now = node_now_ms();
	uint32_t victim;
	struct peer *v;

	if (!o->on || !p->opennet)
		return;
	if (!up) {
		opennet_down(o->on, p->rid);
		return;
	}
	if (opennet_joined(o->on, p->rid, p->open_transient, now, &victim) != 0) {
		drop(p, "opennet: too many peers");
		return;
	}
	if (victim != OPENNET_NONE && (v = peers_by_rid(n, victim)))
		drop(v, "opennet: dropped for a newer peer");
	if (opennet_count(o->on) < o->on_low)
		announce(n); /* a newcomer's first link is how it finds the rest */
}

/* ---- messages ---- */

/* offered_to: have we offered a link to announcement |id| already? If
 * not, it is now remembered. */
static int
offered_to(struct openlink *o, uint64_t id)
{
	unsigned i;

	for (i = 0; i < OFFERED_IDS; i++)
		if (o->offered[i] == id)
			return 1;
	o->offered[o->offered_pos++ % OFFERED_IDS] = id;
	return 0;
}

/* known_at: is a peer of ours at location |loc| (the announcer itself)? */
static int
known_at(const struct node *n, const uint8_t loc[32])
{
	unsigned i;

	for (i = 0; i < n->npeers; i++)
		if (memcmp(n->peers[i]->loc, loc, 32) == 0)
			return 1;
	return 0;
}

static int
openlink_on_announce(struct node *n, struct peer *from, const struct wire_msg *m)
{
	struct openlink *o = n->open;
	struct wire_msg r;
	uint64_t now = node_now_ms();

	if (!o->on) /* a darknet node does not take part: its friends stay unseen */
		return WIRE_ROUTE_NOT_FOUND;
	if (!opennet_relay_ok(o->on, from->rid, now)) {
		o->st.announces_refused++;
		return WIRE_REJECTED_OVERLOAD;
	}
	o->st.announces_relayed++;
	/* No offer to a peer we have, nor to ourselves (our own announcement
	 * come round a loop), nor twice to one announcement that backtracked
	 * through us again. */
	if (o->ref_len && memcmp(m->key, o->loc, 32) != 0 && !known_at(n, m->key) && opennet_want(o->on, now) &&
	    !offered_to(o, m->id)) {
		memset(&r, 0, sizeof(r));
		r.type = WIRE_ANNOUNCE_REPLY;
		r.id = m->id;
		r.htl = m->htl;
		memcpy(r.key, m->key, 32);
		r.ref_len = (uint8_t)o->ref_len;
		memcpy(r.ref, o->ref, o->ref_len);
		if (from->link && link_send_msg(from->link, &r) == 0)
			o->st.offers_made++;
	}
	return 0;
}

static int
ref_decode(struct noderef *ref, const uint8_t *p, size_t len)
{
	return len ? noderef_decode(ref, p, len) : -1;
}

static void
openlink_offer(struct node *n, const uint8_t *ref, size_t len)
{
	struct noderef r;

	if (!n->open->on || ref_decode(&r, ref, len) != 0)
		return;
	n->open->st.offers_taken++;
	dial(n, &r, 0);
}

static void
openlink_delivered(struct node *n, uint32_t rid, const uint8_t *ref, size_t len)
{
	struct openlink *o = n->open;
	struct noderef r;

	if (!o->on)
		return;
	opennet_useful(o->on, rid, node_now_ms());
	if (ref_decode(&r, ref, len) != 0 || peers_find(n, r.pub))
		return;
	/* Path folding, after a delay: a link made the moment a fetch ends
	 * would point at the reader more plainly (docs/opennet.md). */
	o->st.folds++;
	dial(n, &r, randombytes_uniform(FOLD_DELAY_MS));
}

/* ---- the tick ---- */

/* dial_next dials the next of |refs| (round robin from |*next|) that is
 * not a peer already. */
static void
dial_next(struct node *n, const struct noderef *refs, unsigned count, unsigned *next)
{
	unsigned i;

	for (i = 0; i < count; i++) {
		const struct noderef *r = &refs[(*next)++ % count];
		if (!peers_find(n, r->pub)) {
			dial(n, r, 0);
			return;
		}
	}
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct node *n = arg;
	struct openlink *o = n->open;
	uint64_t now = node_now_ms();
	uint32_t x;
	unsigned i;

	(void)fd;
	(void)ev;
	if (!o->on)
		return;
	for (i = 0; i < n->npeers;) {
		struct peer *p = n->peers[i];
		if (p->opennet && p->open_dead && p->link)
			link_close(p->link, p->open_why ? p->open_why : "opennet: dropped");
		if (p->opennet && p->open_dead && !p->link && !p->dialing) {
			peers_remove(n, p); /* moves the last peer into slot i */
			continue;
		}
		i++;
	}
	while ((x = opennet_expired(o->on, now)) != OPENNET_NONE) {
		struct peer *p = peers_by_rid(n, x);
		if (!p) {
			opennet_down(o->on, x);
			continue;
		}
		drop(p, "opennet: a newcomer's time is up");
		opennet_down(o->on, x);
	}
	if (now - o->saved >= SAVE_MS) {
		o->saved = now;
		openlink_save(n);
	}
	if (!opennet_announce_due(o->on, now))
		return;
	if (peers_connected(n) > 0) {
		announce(n);
		return;
	}
	/* Alone: through a peer of an earlier run and a seed, one of each at a
	 * time, round robin. */
	dial_next(n, o->known, o->nknown, &o->known_next);
	dial_next(n, o->seeds, o->nseeds, &o->seed_next);
}

/* ---- start, stop, reconfigure ---- */

static int
opennet_cfg(const struct node *n, struct opennet_config *c)
{
	opennet_config_default(c);
	c->peers = n->conf.opennet_peers;
	c->low = (c->peers * 3 + 3) / 4;
	return 0;
}

static int
turn_on(struct node *n)
{
	struct openlink *o = n->open;
	struct opennet_config c;
	struct noderef self;

	opennet_cfg(n, &c);
	if (!o->on) {
		if (opennet_new(&o->on, &c) != 0)
			return -1;
		o->nknown = refs_load(n, "opennet.peers", o->known, OPENLINK_KNOWN_MAX);
		o->saved = node_now_ms();
	}
	opennet_configure(o->on, &c);
	o->on_low = c.low;
	router_location(o->loc, n->id_public);
	peers_self(n, &self);
	if (noderef_encode(&self, o->ref, sizeof(o->ref), &o->ref_len) != 0 || node_route_set_ref(n, o->ref, o->ref_len) != 0)
		return -1;
	return 0;
}

static void
turn_off(struct node *n)
{
	struct openlink *o = n->open;
	unsigned i;

	if (!o->on)
		return;
	for (i = 0; i < n->npeers;) {
		struct peer *p = n->peers[i];
		if (p->opennet) {
			peers_remove(n, p);
			continue;
		}
		i++;
	}
	opennet_free(o->on);
	o->on = NULL;
	o->ref_len = 0;
	(void)node_route_set_ref(n, NULL, 0);
}

static void
openlink_befriended(struct node *n, struct peer *p)
{
	openlink_link(n, p, 0); /* out of the policy's count; its link stays */
}

static const struct peer_hooks peer_hooks = {
	.stranger = openlink_admit,
	.linked = openlink_link,
	.befriended = openlink_befriended,
};
static const struct route_opennet_hooks route_hooks = {
	.announce = openlink_on_announce,
	.offer = openlink_offer,
	.delivered = openlink_delivered,
};

int
openlink_start(struct node *n)
{
	struct timeval tv = { OPENLINK_TICK_MS / 1000, (OPENLINK_TICK_MS % 1000) * 1000 };

	if (!(n->open = calloc(1, sizeof(*n->open))) ||
	    !(n->open->tick = event_new(n->base, -1, EV_PERSIST, on_tick, n)))
		return -1;
	if (peers_hook(n, &peer_hooks) != 0)
		return -1;
	node_route_opennet(n, &route_hooks);
	seeds_load(n);
	event_add(n->open->tick, &tv);
	return n->conf.opennet ? turn_on(n) : 0;
}

int
openlink_reconfigure(struct node *n)
{
	seeds_load(n);
	if (!n->conf.opennet) {
		if (n->open->on)
			log_info("opennet off: strangers dropped, friends kept");
		turn_off(n);
		return 0;
	}
	if (!n->open->on)
		log_info("opennet on");
	return turn_on(n);
}

void
openlink_stop(struct node *n)
{
	if (!n->open)
		return;
	if (n->open->tick)
		event_free(n->open->tick);
	opennet_free(n->open->on);
	free(n->open);
	n->open = NULL;
}

const char *
openlink_kind(const struct node *n, const struct peer *p)
{
	if (!p->opennet)
		return "friend";
	return n->open->on && opennet_kept(n->open->on, p->rid) ? "opennet" : "transient";
}

void
openlink_stats(const struct node *n, struct openlink_stats *st, int *on, unsigned *peers, unsigned *transient)
{
	*st = n->open->st;
	*on = n->open->on != NULL;
	*peers = n->open->on ? opennet_count(n->open->on) : 0;
	*transient = n->open->on ? opennet_transient(n->open->on) : 0;
}
