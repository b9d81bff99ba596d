/* The peer table: friends and strangers, the friends' persistence,
 * redialling with back-off, faults, request tokens, one-time invites and
 * this node's own noderef (peers.h). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/bytes.h"
#include "node/base/addr.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/core/natmsg.h"
#include "node/core/router.h"
#include "node/link/peers.h"
#include "store/store.h"

/* A friend's record: flags | invite secret | [handshake stamp, with
 * FLAG_STAMP] | [its address record's namespace hash, crypto key and
 * edition, with FLAG_ARK] | [u8 length, the name its user gave it, with
 * FLAG_NAME] | binary noderef. */
enum { FLAG_SECRET = 1, FLAG_CONF = 2, FLAG_STAMP = 4, FLAG_ARK = 8, FLAG_NAME = 16, STAMP_LEN = 12,
	ARK_LEN = 32 + 32 + 8 };

int
peer_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > PEER_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f || name[i] == '"' || name[i] == '\\')
			return -1;
	return 0;
}

/* ---- hooks: what the parts above are told ---- */

int
peers_hook(struct node *n, const struct peer_hooks *h)
{
	if (n->nhooks == NODE_HOOKS_MAX)
		return -1;
	n->hooks[n->nhooks++] = h;
	return 0;
}

/* each_hook calls hook |fn| of every part that set one. */
#define each_hook(n, fn, ...)                                      \
	do {                                                       \
		unsigned h_;                                       \
		for (h_ = 0; h_ < (n)->nhooks; h_++)               \
			if ((n)->hooks[h_]->fn)                    \
				(n)->hooks[h_]->fn((n), __VA_ARGS__); \
	} while (0)

static int
peers_dial(struct node *n, struct peer *p)
{
	unsigned i;

	for (i = 0; i < n->nhooks; i++)
		if (n->hooks[i]->dial)
			return n->hooks[i]->dial(n, p);
	return -1;
}

int
peers_message(struct node *n, struct peer *p, const uint8_t *data, size_t len)
{
	unsigned i;

	for (i = 0; i < n->nhooks; i++)
		if (n->hooks[i]->message)
			return n->hooks[i]->message(n, p, data, len);
	return 0; /* nobody routes yet: dropped, not the peer's fault */
}

int
peers_nat(struct node *n, struct peer *p, const uint8_t *data, size_t len)
{
	unsigned i;

	for (i = 0; i < n->nhooks; i++)
		if (n->hooks[i]->nat)
			return n->hooks[i]->nat(n, p, data, len);
	return 0;
}

int
peers_swap(struct node *n, struct peer *p, const uint8_t *data, size_t len)
{
	unsigned i;

	for (i = 0; i < n->nhooks; i++)
		if (n->hooks[i]->swap)
			return n->hooks[i]->swap(n, p, data, len);
	return 0;
}

void
peers_observed(struct node *n, struct peer *p, const struct noderef_addr *me)
{
	each_hook(n, observed, p, me);
}

struct peer *
peers_stranger(struct node *n, const struct noderef *ref, const char **why)
{
	unsigned i;

	for (i = 0; i < n->nhooks; i++)
		if (n->hooks[i]->stranger)
			return n->hooks[i]->stranger(n, ref, why);
	*why = "unknown identity";
	return NULL;
}

unsigned peers_known(const struct node *n) { return n->npeers; }

unsigned
peers_connected(const struct node *n)
{
	unsigned i, c = 0;

	for (i = 0; i < n->npeers; i++)
		c += n->peers[i]->link != NULL;
	return c;
}

/* ---- the table ---- */

struct peer *
peers_find(struct node *n, const uint8_t pub[32])
{
	unsigned i;

	for (i = 0; i < n->npeers; i++)
		if (sodium_memcmp(n->peers[i]->pub, pub, 32) == 0)
			return n->peers[i];
	return NULL;
}

struct peer *
peers_by_rid(struct node *n, uint32_t rid)
{
	unsigned i;

	for (i = 0; i < n->npeers; i++)
		if (n->peers[i]->rid == rid)
			return n->peers[i];
	return NULL;
}

struct peer *
peers_find_prefix(struct node *n, const char *prefix)
{
	char id[B64_LEN(32) + 1];
	struct peer *found = NULL;
	size_t len = strlen(prefix);
	unsigned i;

	if (len < 4 || len > B64_LEN(32))
		return NULL;
	for (i = 0; i < n->npeers; i++) {
		if (b64_encode(id, sizeof(id), n->peers[i]->pub, 32) != 0 || strncmp(id, prefix, len) != 0)
			continue;
		if (found)
			return NULL;
		found = n->peers[i];
	}
	return found;
}

int
peers_save(struct node *n, const struct peer *p)
{
	static const uint8_t none[STAMP_LEN];
	uint8_t v[1 + INVITE_SECRET_LEN + STAMP_LEN + ARK_LEN + 1 + PEER_NAME_MAX + NODEREF_BIN_MAX];
	size_t len, k = 1 + INVITE_SECRET_LEN;
	int stamped = memcmp(p->hs_stamp, none, STAMP_LEN) != 0;

	if (p->opennet)
		return 0; /* strangers are never saved: a restart must not make them friends */
	v[0] = (uint8_t)((p->has_secret ? FLAG_SECRET : 0) | (p->from_conf ? FLAG_CONF : 0) |
	    (stamped ? FLAG_STAMP : 0) | (p->has_ark ? FLAG_ARK : 0) | (p->name[0] ? FLAG_NAME : 0));
	memcpy(v + 1, p->secret, INVITE_SECRET_LEN);
	if (stamped) {
		memcpy(v + k, p->hs_stamp, STAMP_LEN);
		k += STAMP_LEN;
	}
	if (p->has_ark) {
		memcpy(v + k, p->ark_pkh, 32);
		memcpy(v + k + 32, p->ark_ckey, 32);
		store_u64be(v + k + 64, p->ark_edition);
		k += ARK_LEN;
	}
	if (p->name[0]) {
		v[k] = (uint8_t)strlen(p->name);
		memcpy(v + k + 1, p->name, v[k]);
		k += 1 + v[k];
	}
	if (noderef_encode(&p->ref, v + k, NODEREF_BIN_MAX, &len) != 0)
		return -1;
	return store_kv_put(n->store, STORE_T_PEERS, p->pub, 32, v, k + len);
}

static void on_dial(evutil_socket_t fd, short ev, void *arg);

static struct peer *
peer_new(struct node *n, const struct noderef *ref)
{
	struct peer *p;

	if (n->npeers >= PEERS_MAX || !(p = calloc(1, sizeof(*p))))
		return NULL;
	memcpy(p->pub, ref->pub, 32);
	router_location(p->loc, p->pub);
	p->ref = *ref;
	p->n = n;
	p->down_since = node_now_ms();
	p->rid = ++n->next_rid;
	p->backoff_ms = DIAL_BACKOFF_MIN_MS;
	if (n->base && !(p->dial_ev = evtimer_new(n->base, on_dial, p))) {
		free(p);
		return NULL;
	}
	n->peers[n->npeers++] = p;
	return p;
}

static int
load_one(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
	struct node *n = ctx;
	char name[PEER_NAME_MAX + 1] = "";
	struct noderef ref;
	struct peer *p;
	size_t k = 1 + INVITE_SECRET_LEN, ark_at = 0;
	int bad = 0;

	if (vlen >= 1 && (val[0] & FLAG_STAMP))
		k += STAMP_LEN;
	if (vlen >= 1 && (val[0] & FLAG_ARK)) {
		ark_at = k;
		k += ARK_LEN;
	}
	if (vlen >= 1 && (val[0] & FLAG_NAME)) {
		if (vlen <= k || val[k] == 0 || val[k] > PEER_NAME_MAX || vlen < k + 1 + val[k]) {
			bad = 1;
		} else {
			memcpy(name, val + k + 1, val[k]);
			name[val[k]] = 0;
			bad = peer_name_ok(name) != 0;
			k += 1 + val[k];
		}
	}
	if (bad || klen != 32 || vlen < k || (val[0] & ~(FLAG_SECRET | FLAG_CONF | FLAG_STAMP | FLAG_ARK | FLAG_NAME)) ||
	    noderef_decode(&ref, val + k, vlen - k) != 0 || memcmp(ref.pub, key, 32) != 0) {
		log_warnx("skipping a damaged peer record");
		return 0;
	}
	if (!(p = peer_new(n, &ref)))
		return 0;
	p->has_secret = val[0] & FLAG_SECRET;
	p->from_conf = (val[0] & FLAG_CONF) != 0;
	memcpy(p->name, name, sizeof(p->name));
	memcpy(p->secret, val + 1, INVITE_SECRET_LEN);
	if (val[0] & FLAG_STAMP)
		memcpy(p->hs_stamp, val + 1 + INVITE_SECRET_LEN, STAMP_LEN);
	if (ark_at) {
		p->has_ark = 1;
		memcpy(p->ark_pkh, val + ark_at, 32);
		memcpy(p->ark_ckey, val + ark_at + 32, 32);
		p->ark_edition = load_u64be(val + ark_at + 64);
	}
	return 0;
}

int
peers_load(struct node *n)
{
	uint64_t before = store_kv_damaged(n->store);
	int rc = store_kv_each(n->store, STORE_T_PEERS, load_one, n);

	if (store_kv_damaged(n->store) > before)
		log_warnx("%" PRIu64 " peer records in %s/store do not open under this node's key (damaged): skipped",
		    store_kv_damaged(n->store) - before, n->datadir);
	return rc;
}

/* schedule_dial: in |ms| ± 25%, so friends that lost each other at once
 * do not redial in lockstep. */
static void
schedule_dial(struct peer *p, unsigned ms)
{
	struct timeval tv;
	unsigned jitter = ms / 2 ? randombytes_uniform(ms / 2 + 1) : 0;
	uint64_t now = node_now_ms();

	if (!p->dial_ev || p->removed || p->ref.naddr == 0)
		return;
	if (p->shun_until > now && p->shun_until - now > ms) /* not before its backoff ends */
		ms = (unsigned)(p->shun_until - now);
	ms = ms - ms / 4 + jitter;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(p->dial_ev, &tv);
}

static void
on_dial(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;

	(void)fd;
	(void)ev;
	if (p->link || p->dialing || p->removed)
		return;
	if (peers_dial(p->n, p) != 0)
		peers_link_down(p->n, p, NULL); /* could not even start: back off */
}

void
peers_redial_now(struct peer *p)
{
	p->backoff_ms = DIAL_BACKOFF_MIN_MS;
	if (!p->link && !p->dialing && !p->removed && p->dial_ev)
		schedule_dial(p, 1);
}

void
peers_start(struct node *n)
{
	unsigned i;

	for (i = 0; i < n->npeers; i++) {
		struct peer *p = n->peers[i];
		if (!p->dial_ev && !(p->dial_ev = evtimer_new(n->base, on_dial, p)))
			continue;
		schedule_dial(p, 200);
	}
}

struct peer *
peers_add(struct node *n, const struct noderef *ref, const uint8_t *secret)
{
	struct peer *p = peers_find(n, ref->pub);

	if (!p && !(p = peer_new(n, ref)))
		return NULL;
	if (p->opennet) { /* a stranger become a friend */
		if (p->link)
			each_hook(n, befriended, p);
		p->opennet = p->open_transient = p->open_dead = 0;
	}
	if (ref->naddr)
		p->ref = *ref;
	if (secret) {
		p->has_secret = 1;
		memcpy(p->secret, secret, INVITE_SECRET_LEN);
	}
	if (peers_save(n, p) != 0)
		log_warnx("saving a peer: %s", store_errmsg(n->store));
	if (!p->link && !p->dialing)
		schedule_dial(p, 1);
	return p;
}

struct peer *
peers_add_open(struct node *n, const struct noderef *ref, int dial, unsigned delay_ms)
{
	struct peer *p;

	if (peers_find(n, ref->pub) || !(p = peer_new(n, ref)))
		return NULL;
	p->opennet = 1;
	if (dial)
		schedule_dial(p, delay_ms ? delay_ms : 1);
	return p;
}

int
peers_remove(struct node *n, struct peer *p)
{
	unsigned i;

	for (i = 0; i < n->npeers && n->peers[i] != p; i++)
		;
	if (i == n->npeers)
		return -1;
	if (!p->opennet && store_kv_del(n->store, STORE_T_PEERS, p->pub, 32) != 0)
		log_warnx("removing a peer: %s", store_errmsg(n->store));
	n->peers[i] = n->peers[--n->npeers];
	p->removed = 1;
	if (p->link)
		each_hook(n, linked, p, 0);
	each_hook(n, forget, p);
	if (p->dial_ev)
		event_free(p->dial_ev);
	free(p);
	return 0;
}

/* peers_sync_conf makes the friends named by "peer" lines in wispd.conf
 * friends (a known one keeps its link), and drops those an earlier
 * version of the file named that it no longer does. Friends added by
 * `wisp peer add` are the API's, untouched unless the file names them. */
void
peers_sync_conf(struct node *n)
{
	unsigned i, k;
	int keep;

	for (i = 0; i < n->npeers;) {
		struct peer *p = n->peers[i];
		struct noderef ref;
		keep = !p->from_conf;
		for (k = 0; k < n->conf.npeers && !keep; k++)
			keep = noderef_parse(&ref, n->conf.peers[k], strlen(n->conf.peers[k]), NULL) == 0 &&
			    memcmp(ref.pub, p->pub, 32) == 0;
		if (keep) {
			i++;
			continue;
		}
		log_info("a friend no longer in wispd.conf: removed");
		peers_remove(n, p); /* moves the last peer into slot i */
	}
	for (k = 0; k < n->conf.npeers; k++) {
		struct noderef ref;
		struct peer *p;
		if (noderef_parse(&ref, n->conf.peers[k], strlen(n->conf.peers[k]), NULL) != 0)
			continue; /* conf_set checked it; cannot happen */
		if (memcmp(ref.pub, n->id_public, 32) == 0)
			continue;
		if (!(p = peers_find(n, ref.pub)))
			log_info("a friend from wispd.conf: added");
		if (!(p = peers_add(n, &ref, NULL))) {
			log_warnx("wispd.conf names more friends than the node keeps (%d)", PEERS_MAX);
			break;
		}
		if (!p->from_conf) {
			p->from_conf = 1;
			if (peers_save(n, p) != 0)
				log_warnx("saving a peer: %s", store_errmsg(n->store));
		}
	}
}

void
peers_stop(struct node *n)
{
	unsigned i;

	for (i = 0; i < n->npeers; i++) {
		if (n->peers[i]->dial_ev)
			event_free(n->peers[i]->dial_ev);
		free(n->peers[i]);
	}
	n->npeers = 0;
}

void
peers_link_up(struct node *n, struct peer *p, struct link *l)
{
	int was_up = p->link != NULL;

	p->link = l;
	if (was_up)
		return; /* a duplicate replaced: the peer never went away */
	p->since = (int64_t)time(NULL);
	p->backoff_ms = DIAL_BACKOFF_MIN_MS;
	if (p->dial_ev)
		evtimer_del(p->dial_ev);
	each_hook(n, linked, p, 1);
}

void
peers_fault(struct node *n, struct peer *p, const char *what)
{
	static struct log_rate rate;
	uint64_t now = node_now_ms(), backoff;

	(void)n;
	if (!p)
		return;
	if (now - p->last_fault > PEER_FAULT_FORGET_MS)
		p->faults = 0;
	p->faults++;
	p->last_fault = now;
	backoff = (uint64_t)PEER_FAULT_BACKOFF_MS << (p->faults - 1 < 10 ? p->faults - 1 : 10);
	if (backoff > PEER_FAULT_BACKOFF_MAX_MS)
		backoff = PEER_FAULT_BACKOFF_MAX_MS;
	p->shun_until = now + backoff;
	log_ratelim(&rate, 10, "a friend sent %s (fault %u): link closed, refused for %llu s", what, p->faults,
	    (unsigned long long)(backoff / 1000));
}

int
peers_shunned(const struct peer *p)
{
	return p->shun_until > node_now_ms();
}

int
peers_take_request(struct peer *p)
{
	uint64_t now = node_now_ms();

	if (!p->bucket_ms)
		p->bucket = (uint64_t)PEER_REQ_BURST * 1000;
	else
		p->bucket += (now - p->bucket_ms) * PEER_REQ_RATE;
	if (p->bucket > (uint64_t)PEER_REQ_BURST * 1000)
		p->bucket = (uint64_t)PEER_REQ_BURST * 1000;
	p->bucket_ms = now;
	if (p->bucket < 1000)
		return 0;
	p->bucket -= 1000;
	return 1;
}

void
peers_link_down(struct node *n, struct peer *p, struct link *l)
{
	if (l && p->link == l) {
		p->link = NULL;
		p->since = 0;
		p->down_since = node_now_ms();
		each_hook(n, linked, p, 0);
	}
	if (p->link || p->dialing || p->removed)
		return;
	if (p->opennet) {
		p->open_dead = 1; /* a stranger lost (or never reached) is not redialled */
		return;
	}
	schedule_dial(p, p->backoff_ms);
	p->backoff_ms = p->backoff_ms * 2 > DIAL_BACKOFF_MAX_MS ? DIAL_BACKOFF_MAX_MS : p->backoff_ms * 2;
}

static void
self_add(struct noderef *ref, const struct noderef_addr *a)
{
	unsigned i;

	for (i = 0; i < ref->naddr; i++)
		if (ref->addr[i].family == a->family && ref->addr[i].port == a->port &&
		    memcmp(ref->addr[i].addr, a->addr, 16) == 0)
			return;
	if (ref->naddr < NODEREF_ADDRS_MAX)
		ref->addr[ref->naddr++] = *a;
}

/* self_interfaces adds the interfaces' addresses that a listener on
 * |bound|'s wildcard takes (the IPv6 one takes IPv4 too), best first:
 * global IPv6, global IPv4, private IPv4. Never loopback, nor IPv6
 * link-local or unique-local ones, which mean nothing to a friend outside
 * this network. */
static void
self_interfaces(struct noderef *ref, const struct noderef_addr *bound)
{
	static const struct { uint8_t family; enum addr_scope scope; } order[] = {
		{ 6, SCOPE_GLOBAL }, { 4, SCOPE_GLOBAL }, { 4, SCOPE_PRIVATE },
	};
	struct ifaddrs *ifs, *i;
	unsigned pass;

	if (getifaddrs(&ifs) != 0)
		return;
	for (pass = 0; pass < sizeof(order) / sizeof(order[0]); pass++) {
		if (order[pass].family == 6 && bound->family != 6)
			continue;
		for (i = ifs; i; i = i->ifa_next) {
			struct noderef_addr a = { .port = bound->port };
			if (!i->ifa_addr)
				continue;
			if (i->ifa_addr->sa_family == AF_INET && order[pass].family == 4) {
				const struct sockaddr_in *s = (const struct sockaddr_in *)(const void *)i->ifa_addr;
				a.family = 4;
				memcpy(a.addr, &s->sin_addr, 4);
			} else if (i->ifa_addr->sa_family == AF_INET6 && order[pass].family == 6) {
				const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)(const void *)i->ifa_addr;
				a.family = 6;
				memcpy(a.addr, &s->sin6_addr, 16);
			} else {
				continue;
			}
			if (addr_scope(&a) == order[pass].scope)
				self_add(ref, &a);
		}
	}
	freeifaddrs(ifs);
}

/* Advertised addresses, best first: the one configured (public-address),
 * the public ones learnt behind a router (nat.c), then the bound one, or
 * each interface's for a wildcard bind. */
void
peers_self(const struct node *n, struct noderef *ref)
{
	struct noderef_addr bound, conf;
	unsigned i;

	memset(ref, 0, sizeof(*ref));
	memcpy(ref->pub, n->id_public, 32);
	if (*n->conf.public_addr && noderef_addr_parse(&conf, n->conf.public_addr) == 0)
		self_add(ref, &conf);
	for (i = 0; i < n->npublic; i++)
		self_add(ref, &n->public_addr[i]);
	if (noderef_addr_parse(&bound, n->node_addr) != 0)
		return;
	if (!(bound.family == 4 && !memcmp(bound.addr, "\0\0\0\0", 4)) &&
	    !(bound.family == 6 && !memcmp(bound.addr, in6addr_any.s6_addr, 16)))
		self_add(ref, &bound);
	else
		self_interfaces(ref, &bound);
}

/* Invites are kept by a hash of their secret, so a copy of the store does
 * not hand out working invites. */
static void
secret_key(uint8_t out[32], const uint8_t secret[INVITE_SECRET_LEN])
{
	crypto_generichash(out, 32, secret, INVITE_SECRET_LEN, NULL, 0);
}

int
invites_new(struct node *n, struct invite *iv)
{
	uint8_t key[32], exp[8];

	peers_self(n, &iv->ref);
	randombytes_buf(iv->secret, INVITE_SECRET_LEN);
	iv->expiry = (uint64_t)time(NULL) + INVITE_TTL_S;
	secret_key(key, iv->secret);
	store_u64be(exp, iv->expiry);
	return store_kv_put(n->store, STORE_T_INVITES, key, 32, exp, 8);
}

int
invites_redeem(struct node *n, const uint8_t secret[INVITE_SECRET_LEN])
{
	uint8_t key[32], v[8];
	size_t len;

	secret_key(key, secret);
	if (store_kv_get(n->store, STORE_T_INVITES, key, 32, v, sizeof(v), &len) != 0 || len != 8)
		return 0;
	if (store_kv_del(n->store, STORE_T_INVITES, key, 32) != 0)
		return 0; /* single use: if we cannot consume it, refuse it */
	return load_u64be(v) >= (uint64_t)time(NULL);
}
