/* Encrypted peer links: the listener, TCP through bufferevents, the Noise
 * IK handshake, padded AEAD records, keep-alives, rekeying. A bad record
 * closes that link and nothing else. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/bytes.h"
#include "node/base/addr.h"
#include "node/base/clock.h"
#include "node/base/log.h"
#include "node/base/sock.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/core/frame.h"
#include "node/core/natmsg.h"
#include "node/core/wire.h"
#include "node/link/link.h"
#include "node/link/link_int.h"
#include "node/link/peers.h"


static struct log_rate refused_rate, bad_rate;

static int still_open(struct node *n, const struct link *l);

/* Records are whole messages: small requests must not wait for Nagle. */
/* no_delay: records leave at once, and the kernel holds little of what
 * is not sent yet, so that the order the link picks (requests before
 * blocks) is the order on the wire, not a send buffer's backlog. */
static void
no_delay(evutil_socket_t fd)
{
	int one = 1, lowat = LINK_NOTSENT;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#ifdef TCP_NOTSENT_LOWAT
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
#else
	(void)lowat;
#endif
}

int link_is_up(const struct link *l) { return l->state == L_UP; }

/* next_stamp: the date as a handshake stamp (frame.h), later than any this
 * node sent before in this run even if the clock stepped back. Across
 * restarts the date itself orders them, as in WireGuard. */
static void
next_stamp(uint8_t out[HS1_STAMP_LEN])
{
	static uint8_t last[HS1_STAMP_LEN];
	uint64_t sec;
	uint32_t nsec;
	int i;

	node_wall_clock(&sec, &nsec);
	hs1_stamp(out, sec, nsec);
	if (memcmp(out, last, HS1_STAMP_LEN) <= 0) { /* big-endian: memcmp orders them */
		memcpy(out, last, HS1_STAMP_LEN);
		for (i = HS1_STAMP_LEN - 1; i >= 0 && ++out[i] == 0; i--)
			;
	}
	memcpy(last, out, HS1_STAMP_LEN);
}
const char *link_addr(const struct link *l) { return l->addr; }

static void
unlist(struct link *l)
{
	struct link **pp;

	for (pp = &l->n->links; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			return;
		}
}

void
link_close(struct link *l, const char *why)
{
	struct node *n = l->n;
	struct peer *p = l->peer;

	log_debug("link %s closed: %s", l->addr, why);
	unlist(l);
	if (l->state != L_UP && !l->initiator)
		n->links_pending--;
	n->pstats.links_closed++;
	if (l->bev)
		bufferevent_free(l->bev);
	for (unsigned c = 0; c < LINK_CLASSES; c++) {
		if (l->bulk[c])
			evbuffer_free(l->bulk[c]);
		l->bulk[c] = NULL;
	}
	l->bev = NULL;
	if (l->timer)
		event_free(l->timer);
	if (p && l->punch) {
		p->punching--; /* a meeting that failed: the ordinary redial goes on */
		p->meet_failed = 1;
		p = NULL;
	} else if (p && l->initiator && l->state != L_UP) {
		p->dialing = 0;
		if (!p->link)
			p->why_down = l->state == L_CONNECTING ? "no answer at its addresses"
			    : p->has_secret ? "it refused our handshake: the invite may have been used already, or "
			    "expired (ask for a new one)"
			    : "it refused our handshake: it may not have added this node yet";
	}
	if (p)
		peers_link_down(n, p, l);
	sodium_memzero(&l->hs, sizeof(l->hs));
	sodium_memzero(&l->tx, sizeof(l->tx));
	sodium_memzero(&l->rx, sizeof(l->rx));
	sodium_memzero(l->plain, sizeof(l->plain));
	free(l);
}

static void
links_forget_peer(struct node *n, struct peer *p)
{
	struct link *l = n->links, *next;

	for (; l; l = next) {
		next = l->next;
		if (l->peer != p)
			continue;
		l->peer = NULL;
		link_close(l, "peer removed");
		next = n->links; /* the list changed under us */
	}
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct link *l = arg;

	(void)bev;
	if (lnk_pump(l) != 0)
		link_close(l, "cannot send");
}

static void
maybe_rekey(struct link *l, uint64_t now)
{
	if (l->since_rekey < LINK_REKEY_BYTES && now - l->rekeyed < LINK_REKEY_MS)
		return;
	if (link_send(l, FRAME_REKEY, NULL, 0) != 0) {
		link_close(l, "cannot send");
		return;
	}
	noise_rekey(&l->tx);
	l->rekeyed = now;
	l->since_rekey = 0;
}

static void
on_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct link *l = arg;
	uint64_t now = node_now_ms();

	(void)fd;
	(void)ev;
	if (l->state != L_UP) {
		if (l->state == L_WAIT_HS1 && now - l->opened > LINK_HS1_MS)
			link_close(l, "no handshake in time");
		else if (now - l->opened > LINK_HANDSHAKE_MS)
			link_close(l, "handshake timed out");
		return;
	}
	if (l->retire_at && now >= l->retire_at) {
		link_close(l, "duplicate link");
		return;
	}
	if (now - l->last_rx > LINK_DEAD_MS) {
		link_close(l, "peer silent: dead");
		return;
	}
	lnk_measure(l);
	if (l->state == L_UP && link_queued(l) + lnk_unacked(l) >= FRAME_WIRE_MAX && now - l->moved_at > LINK_STALL_MS) {
		/* a record's worth waits and the peer took not a byte for
		 * seconds: it stopped reading (its window is closed) */
		link_close(l, "peer stopped reading");
		return;
	}
	if (now - l->last_tx >= LINK_KEEPALIVE_MS && link_send(l, FRAME_KEEPALIVE, NULL, 0) != 0) {
		link_close(l, "cannot send");
		return;
	}
	maybe_rekey(l, now);
}

/* The initiator of the kept link is the smaller key, on both sides. */
static int
keep_new_link(const struct node *n, const struct link *old, const struct link *new)
{
	const uint8_t *oi = old->initiator ? n->id_public : old->peer->pub;
	const uint8_t *ni = new->initiator ? n->id_public : new->peer->pub;

	return memcmp(ni, oi, 32) < 0;
}

static void
went_up(struct link *l)
{
	struct node *n = l->n;
	struct peer *p = l->peer;

	l->state = L_UP;
	l->last_rx = l->last_tx = l->rekeyed = node_now_ms();
	if (!l->initiator)
		n->links_pending--;
	if (l->punch) {
		p->punching--;
		l->punch = 0;
		if (!l->relayed)
			log_info("met a friend through a router at %s", vault_shown(n, l->addr));
	} else {
		p->dialing = 0;
	}
	if (!l->initiator && addr_scope(&l->from) == SCOPE_GLOBAL)
		n->reached_outside = l->last_rx;
	p->ever_linked = 1;
	p->next_addr = 0; /* the next dial starts from its best address: IPv6 first */
	p->meet_failed = 0;
	p->relay_refused = 0;
	p->why_down = NULL;
	if (p->link && p->link != l) {
		/* Both sides dialled: both keep the same one of the two. The
		 * other is retired, not cut: what the peer sent on it before it
		 * switched still arrives. */
		if (!keep_new_link(n, p->link, l)) {
			l->retire_at = l->last_rx + LINK_RETIRE_MS;
			return;
		}
		p->link->retire_at = l->last_rx + LINK_RETIRE_MS;
	}
	if (p->has_secret && l->initiator) {
		p->has_secret = 0; /* the invite was accepted: it is spent */
		sodium_memzero(p->secret, sizeof(p->secret));
		(void)peers_save(n, p);
	}
	if (!l->initiator && l->ref_seen.naddr && sodium_memcmp(l->ref_seen.pub, p->pub, 32) == 0 &&
	    memcmp(&l->ref_seen, &p->ref, sizeof(p->ref))) {
		p->ref = l->ref_seen; /* a friend's addresses change: keep up, once it proved itself */
		(void)peers_save(n, p);
	}
	p->seen_at = l->from;
	peers_link_up(n, p, l);
	log_info("link up with %s %s %s", p->opennet ? "an opennet peer" : "a friend", l->relayed ? "by" : "at",
	    vault_shown(n, l->addr));
	/* A peer that reached us at an address is a witness that it is ours,
	 * as one that tells us where our dial came from (on_hs2). */
	if (!l->initiator && l->dialled_at.family && still_open(n, l))
		peers_observed(n, p, &l->dialled_at);
}

static void
refuse(struct link *l, const char *why)
{
	l->n->pstats.handshakes_refused++;
	log_ratelim(&refused_rate, 6, "refused a handshake from %s: %s", l->addr, why);
	link_close(l, why);
}

static void
on_hs1(struct link *l, const uint8_t *msg, size_t len)
{
	struct node *n = l->n;
	uint8_t payload[HS1_PAYLOAD], e[32], out[2 + HS2_LEN], p2[HS2_PAYLOAD];
	struct noise_cipher tx, rx;
	struct hs1 h;
	struct peer *p;
	size_t pl, ol;

	noise_ik_init(&l->hs, 0, (const uint8_t *)FRAME_PROLOGUE, sizeof(FRAME_PROLOGUE) - 1,
	    n->id_secret, NULL);
	if (noise_ik_read_msg1(&l->hs, msg, len, payload, sizeof(payload), &pl) != 0 ||
	    hs1_decode(&h, payload, pl) != 0) {
		refuse(l, "bad handshake");
		return;
	}
	if (l->expect && sodium_memcmp(l->expect->pub, l->hs.rs, 32) != 0) {
		refuse(l, "a different key answered our dial");
		return;
	}
	/* Darknet: only friends, or a stranger holding one of our invites. */
	p = peers_find(n, l->hs.rs);
	if (!p && h.has_secret && sodium_memcmp(h.ref.pub, l->hs.rs, 32) == 0 &&
	    invites_redeem(n, h.secret))
		p = peers_add(n, &h.ref, NULL);
	/* Opennet: a stranger, if it proved the key its noderef names (the
	 * IK handshake's ss: only the holder of that key could have sent
	 * this message) and the opennet policy has room. Without opennet
	 * this refuses it: "unknown identity". */
	if (!p) {
		const char *why = "unknown identity";
		if (sodium_memcmp(h.ref.pub, l->hs.rs, 32) != 0 || !(p = peers_stranger(n, &h.ref, &why))) {
			refuse(l, why);
			return;
		}
	}
	if (peers_shunned(p)) {
		refuse(l, "a friend backed off after faults");
		return;
	}
	/* A message 1 not newer than the last accepted from this key is a
	 * replay (or a clock gone back): no answer at all, so a recording
	 * neither hijacks the link nor tells where this node's key lives. */
	if (memcmp(h.stamp, p->hs_stamp, HS1_STAMP_LEN) <= 0) {
		l->n->pstats.handshakes_refused++;
		log_ratelim(&refused_rate, 6, "a replayed or stale handshake from %s: no answer", l->addr);
		link_close(l, "stale handshake");
		return;
	}
	memcpy(p->hs_stamp, h.stamp, HS1_STAMP_LEN);
	(void)peers_save(n, p); /* a restart must not accept it again */
	l->ref_seen = h.ref;
	l->dialled_at = h.seen;
	randombytes_buf(e, sizeof(e));
	if (hs2_encode(&l->from, p2) != 0 || noise_ik_write_msg2(&l->hs, e, p2, sizeof(p2), out + 2, HS2_LEN, &ol) != 0) {
		link_close(l, "handshake failed");
		return;
	}
	sodium_memzero(e, sizeof(e));
	out[0] = (uint8_t)(HS2_LEN >> 8);
	out[1] = (uint8_t)HS2_LEN;
	noise_split(&l->hs, &tx, &rx, NULL);
	l->tx = tx;
	l->rx = rx;
	l->peer = p;
	if (lnk_send_raw(l, out, sizeof(out)) != 0) {
		link_close(l, "cannot send");
		return;
	}
	l->state = L_WAIT_CONFIRM;
}

static void
on_hs2(struct link *l, const uint8_t *msg, size_t len)
{
	uint8_t payload[HS2_PAYLOAD];
	struct noderef_addr me;
	struct peer *p = l->peer;
	size_t pl;

	if (noise_ik_read_msg2(&l->hs, msg, len, payload, sizeof(payload), &pl) != 0 ||
	    hs2_decode(&me, payload, pl) != 0) {
		refuse(l, "bad handshake reply");
		return;
	}
	noise_split(&l->hs, &l->tx, &l->rx, NULL);
	went_up(l);
	if (!still_open(l->n, l))
		return;
	if (me.family)
		peers_observed(l->n, p, &me);
	if (!still_open(l->n, l))
		return;
	/* The responder counts the link up once a record of ours decrypts:
	 * send one now rather than at the first keep-alive. */
	if (link_send(l, FRAME_KEEPALIVE, NULL, 0) != 0)
		link_close(l, "cannot send");
}

/* faulty: |l|'s peer sent |what|, which no friend should: it is counted
 * against the peer and the link closes. Returns -1. */
static int
faulty(struct link *l, const char *what, const char *why)
{
	l->n->pstats.frames_bad++;
	peers_fault(l->n, l->peer, what);
	link_close(l, why);
	return -1;
}

/* on_record handles one record, opened (|opened| 0) into l->plain;
 * returns -1 once the link is gone. */
static int
on_record(struct link *l, int opened, uint8_t type, const uint8_t *payload, size_t plen)
{
	if (opened != 0) {
		l->n->pstats.frames_bad++;
		log_ratelim(&bad_rate, 6, "bad record from %s: closing that link", l->addr);
		peers_fault(l->n, l->peer, "a record that does not open (forged, replayed or garbage)");
		link_close(l, "bad record");
		return -1;
	}
	l->last_rx = node_now_ms();
	switch (type) {
	case FRAME_KEEPALIVE:
		return 0;
	case FRAME_REKEY:
		noise_rekey(&l->rx);
		return 0;
	case FRAME_ROUTE:
		if (peers_message(l->n, l->peer, payload, plen) == 0)
			return 0;
		return faulty(l, "a malformed routing message or a block that does not verify", "bad routing message");
	case FRAME_NAT:
		if (peers_nat(l->n, l->peer, payload, plen) == 0)
			return 0;
		return faulty(l, "a malformed address or meeting record", "bad address record");
	case FRAME_SWAP:
		if (peers_swap(l->n, l->peer, payload, plen) == 0)
			return 0;
		return faulty(l, "a malformed swap record", "bad swap record");
	case FRAME_BYE:
		link_close(l, "peer said bye");
		return -1;
	}
	return faulty(l, "a record of unknown type", "unknown record type");
}

/* still_open: did the handshake step leave |l| open? (It may have freed it.) */
static int
still_open(struct node *n, const struct link *l)
{
	const struct link *x;

	for (x = n->links; x; x = x->next)
		if (x == l)
			return 1;
	return 0;
}

/* crossed: a message 1 came where our own message 1 expects its answer.
 * Both sides dialled and TCP joined the two into one connection (a
 * simultaneous open: what two friends behind routers do when they meet,
 * and what two nodes dialling each other from their listening ports may
 * do). The smaller key stays the initiator and drops the other's message
 * 1 unread; the larger answers it as a responder. Returns 1 if |l| is now
 * the responder and should read the message. */
static int
crossed(struct link *l)
{
	if (memcmp(l->n->id_public, l->peer->pub, 32) < 0)
		return 0;
	l->initiator = 0;
	l->state = L_WAIT_HS1;
	l->n->links_pending++;
	if (!l->punch)
		l->peer->dialing = 0;
	l->expect = l->peer;
	return 1;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct link *l = arg;
	struct node *node = l->n;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[2];
	size_t need;

	while (evbuffer_copyout(in, hdr, 2) == 2) {
		size_t n = (size_t)hdr[0] << 8 | hdr[1];
		if (l->state == L_WAIT_HS1)
			need = n == HS1_LEN ? 2 + n : 0;
		else if (l->state == L_WAIT_HS2)
			need = n == HS2_LEN || n == HS1_LEN ? 2 + n : 0;
		else if (l->state == L_UP || l->state == L_WAIT_CONFIRM)
			need = frame_wire_len(hdr, &need) == 0 ? need : 0;
		else
			need = 0;
		if (need == 0) {
			l->n->pstats.frames_bad++;
			if (l->state == L_UP)
				log_ratelim(&bad_rate, 6, "bad record length from %s: closing that link", l->addr);
			else
				l->n->pstats.handshakes_refused++;
			if (l->state == L_UP)
				peers_fault(l->n, l->peer, "a record of impossible length");
			link_close(l, "bad record length");
			return;
		}
		if (evbuffer_get_length(in) < need)
			return;
		node->pstats.bytes_in += need;
		if (l->peer)
			l->peer->bytes_in += need;
		if (l->state == L_UP || l->state == L_WAIT_CONFIRM) {
			/* Opened where it lies in the input buffer (contiguous unless
			 * it straddles two reads) and drained before anything it
			 * sets off can close this link. */
			const uint8_t *rec = evbuffer_pullup(in, (ev_ssize_t)need), *payload = NULL;
			uint8_t type = 0;
			size_t plen = 0;
			int opened = rec ? frame_open(&l->rx, rec, need, l->plain, &type, &payload, &plen) : -1;
			evbuffer_drain(in, need);
			if (l->state == L_WAIT_CONFIRM) {
				if (opened != 0) {
					/* not the key holder (a replay): not its fault */
					refuse(l, "handshake not confirmed");
					return;
				}
				went_up(l);
				if (!still_open(node, l))
					return;
			}
			if (on_record(l, opened, type, payload, plen) != 0 || !still_open(node, l))
				return; /* gone: a bad record, or the routing it set off
				         * found this link over its output quota */
			continue;
		}
		evbuffer_remove(in, l->rec, need);
		if (l->state == L_WAIT_HS1) {
			on_hs1(l, l->rec + 2, need - 2);
			if (!still_open(node, l))
				return;
		} else if (l->state == L_WAIT_HS2 && need == 2 + HS1_LEN) {
			if (crossed(l)) {
				on_hs1(l, l->rec + 2, need - 2);
				if (!still_open(node, l))
					return;
			}
		} else if (l->state == L_WAIT_HS2) {
			on_hs2(l, l->rec + 2, need - 2);
			if (!still_open(node, l))
				return;
		}
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct link *l = arg;
	struct node *n = l->n;
	uint8_t payload[HS1_PAYLOAD], e[32], out[2 + HS1_LEN];
	struct hs1 h = { 0 };
	size_t ol;

	if (what & BEV_EVENT_CONNECTED) {
		no_delay(bufferevent_getfd(bev));
		l->state = L_WAIT_HS2;
		peers_self(n, &h.ref);
		h.seen = l->from;
		h.has_secret = l->peer->has_secret;
		memcpy(h.secret, l->peer->secret, INVITE_SECRET_LEN);
		next_stamp(h.stamp);
		noise_ik_init(&l->hs, 1, (const uint8_t *)FRAME_PROLOGUE, sizeof(FRAME_PROLOGUE) - 1,
		    n->id_secret, l->peer->pub);
		randombytes_buf(e, sizeof(e));
		if (hs1_encode(&h, payload) != 0 ||
		    noise_ik_write_msg1(&l->hs, e, payload, sizeof(payload), out + 2, HS1_LEN, &ol) != 0) {
			link_close(l, "handshake failed");
			return;
		}
		sodium_memzero(e, sizeof(e));
		sodium_memzero(payload, sizeof(payload));
		out[0] = (uint8_t)(HS1_LEN >> 8);
		out[1] = (uint8_t)HS1_LEN;
		if (lnk_send_raw(l, out, sizeof(out)) != 0)
			link_close(l, "cannot send");
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		link_close(l, what & BEV_EVENT_EOF ? "closed by peer" : "connection error");
}

static struct link *
link_new(struct node *n, struct bufferevent *bev, const char *addr)
{
	struct link *l = calloc(1, sizeof(*l));
	struct timeval tick = { 2, 0 };

	if (!l)
		return NULL;
	l->n = n;
	l->bev = bev;
	l->opened = node_now_ms();
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	if (!(l->timer = event_new(n->base, -1, EV_PERSIST, on_timer, l))) {
		free(l);
		return NULL;
	}
	event_add(l->timer, &tick);
	/* Never buffer more than two records' worth of input; read and write
	 * whole records per system call rather than libevent's 16 KiB. */
	bufferevent_setwatermark(bev, EV_READ, 0, 2 * FRAME_WIRE_MAX);
	bufferevent_set_max_single_read(bev, 2 * FRAME_WIRE_MAX);
	bufferevent_set_max_single_write(bev, 4 * FRAME_WIRE_MAX);
	/* the write callback runs as the output drains below one record */
	bufferevent_setwatermark(bev, EV_WRITE, FRAME_WIRE_MAX, 0);
	bufferevent_setcb(bev, on_read, on_write, on_event, l);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	l->next = n->links;
	n->links = l;
	return l;
}

static void
link_accept(struct node *n, int fd, const char *from, const struct sockaddr_storage *ss)
{
	struct bufferevent *bev;
	struct noderef_addr a = { 0 };
	const char *why;
	struct link *l;
	int known;

	if (ss->ss_family == AF_INET) {
		a.family = 4;
		memcpy(a.addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		a.port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		a.family = 6;
		memcpy(a.addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		a.port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	known = link_known_addr(n, &a);
	if (!link_admit(n, &a, known, &why)) {
		n->pstats.handshakes_refused++;
		log_ratelim(&refused_rate, 6, "%s: refused %s", why, from);
		evutil_closesocket(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	no_delay(fd);
	if (!(bev = bufferevent_socket_new(n->base, fd, BEV_OPT_CLOSE_ON_FREE))) {
		evutil_closesocket(fd);
		return;
	}
	if (!(l = link_new(n, bev, from))) {
		bufferevent_free(bev);
		return;
	}
	l->state = L_WAIT_HS1;
	l->from = a;
	l->known_addr = known;
	n->links_pending++;
}

/* dial starts a link to |p| at |a|. */
static struct link *
dial(struct node *n, struct peer *p, const struct noderef_addr *a)
{
	struct sockaddr_storage ss;
	struct bufferevent *bev;
	evutil_socket_t fd;
	struct link *l;
	char addr[64];
	unsigned len;

	if (noderef_addr_format(a, addr, sizeof(addr)) != 0 || node_parse_addr(addr, &ss, &len) != 0)
		return NULL;
	if ((fd = sock_dial(n->node_addr, &ss, len)) < 0)
		return NULL;
	if (!(bev = bufferevent_socket_new(n->base, fd, BEV_OPT_CLOSE_ON_FREE))) {
		evutil_closesocket(fd);
		return NULL;
	}
	if (!(l = link_new(n, bev, addr))) {
		bufferevent_free(bev);
		return NULL;
	}
	l->initiator = 1;
	l->peer = p;
	l->from = *a;
	l->state = L_CONNECTING;
	if (bufferevent_socket_connect(bev, NULL, 0) != 0) {
		l->peer = NULL; /* the caller backs off */
		link_close(l, "connect failed");
		return NULL;
	}
	return l;
}

static int
link_dial(struct node *n, struct peer *p)
{
	if (p->ref.naddr == 0) {
		p->why_down = "no address known for it";
		return -1;
	}
	p->dialing = 1;
	if (!dial(n, p, &p->ref.addr[p->next_addr++ % p->ref.naddr])) {
		p->dialing = 0;
		return -1;
	}
	return 0;
}

int
link_adopt(struct node *n, struct peer *p, evutil_socket_t fd, int initiator, const char *via)
{
	struct bufferevent *bev;
	struct link *l;
	char addr[64];

	snprintf(addr, sizeof(addr), "relay via %s", via);
	if (!(bev = bufferevent_socket_new(n->base, fd, BEV_OPT_CLOSE_ON_FREE))) {
		evutil_closesocket(fd);
		return -1;
	}
	if (!(l = link_new(n, bev, addr))) {
		bufferevent_free(bev);
		return -1;
	}
	l->peer = p;
	l->relayed = 1;
	if (!initiator) {
		l->state = L_WAIT_HS1;
		l->known_addr = 1;
		l->expect = p;
		n->links_pending++;
		return 0;
	}
	l->initiator = 1;
	l->state = L_CONNECTING;
	p->punching++; /* counted and settled as a meeting's dial */
	l->punch = 1;
	if (bufferevent_socket_connect(bev, NULL, 0) != 0) {
		link_close(l, "relay failed");
		return -1;
	}
	return 0;
}

int
link_punch(struct node *n, struct peer *p, const struct noderef_addr *a)
{
	struct link *l;

	if (p->link && link_is_up(p->link))
		return 0;
	p->punching++;
	if (!(l = dial(n, p, a))) {
		p->punching--;
		return -1;
	}
	l->punch = 1;
	return 0;
}

static void
links_close_all(struct node *n)
{
	while (n->links) {
		struct link *l = n->links;
		if (l->state == L_UP)
			(void)link_send(l, FRAME_BYE, NULL, 0);
		if (l->bev)
			bufferevent_flush(l->bev, EV_WRITE, BEV_FLUSH);
		l->peer = NULL; /* no redial while stopping */
		link_close(l, "stopping");
	}
}

/* ---- the listener ---- */

static void
on_peer_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct sockaddr_storage ss;
	char from[CONF_ADDR_MAX] = "?";

	(void)l;
	memset(&ss, 0, sizeof(ss));
	if (len > 0 && (size_t)len <= sizeof(ss)) {
		memcpy(&ss, sa, (size_t)len);
		node_unmap_v4(&ss); /* IPv4 on the dual-stack listener */
		(void)node_format_addr(&ss, from, sizeof(from));
	}
	link_accept(arg, fd, from, &ss);
}

static int
listen_peers(struct node *n)
{
	struct sockaddr_storage ss;
	int fd;
	unsigned sl;
	socklen_t gl = sizeof(ss);

	if (node_parse_addr(n->conf.listen, &ss, &sl) != 0) {
		fprintf(stderr, "wispd: bad listen address %s\n", n->conf.listen);
		return -1;
	}
	if ((fd = sock_listen(&ss, sl)) >= 0 && ss.ss_family == AF_INET && strchr(n->conf.listen, '['))
		log_info("no IPv6 here: peers on IPv4 only");
	if (fd < 0 || !(n->peer_listener = evconnlistener_new(n->base, on_peer_accept, n,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd))) {
		fprintf(stderr, "wispd: cannot listen for peers on %s: %s\n", n->conf.listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &gl) != 0 ||
	    node_format_addr(&ss, n->node_addr, sizeof(n->node_addr)) != 0)
		return -1;
	return 0;
}

static const struct peer_hooks hooks = { .dial = link_dial, .forget = links_forget_peer };

int
links_start(struct node *n)
{
	if (listen_peers(n) != 0)
		return -1;
	return peers_hook(n, &hooks);
}

void
links_stop(struct node *n)
{
	links_close_all(n);
	if (n->peer_listener)
		evconnlistener_free(n->peer_listener);
	n->peer_listener = NULL;
}
