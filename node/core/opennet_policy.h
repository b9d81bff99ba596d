/* opennet.h: the decisions of an opennet node, pure like the router:
 * which strangers to link with, which opennet peer to drop for a better
 * one, when to announce, how fast strangers may come and ask. No I/O,
 * no clock: wispd (node/openlink.c) and wisp-sim drive the same code.
 * docs/opennet.md explains the policy.
 *
 * Only opennet peers are tracked here; friends (darknet peers) are the
 * driver's and are never counted, dropped or replaced. Peers are named
 * by the driver's ids, as in the router. */
#ifndef WISP_OPENNET_H
#define WISP_OPENNET_H

#include <stdint.h>

#include "crypto/err.h"

enum opennet_limits {
	OPENNET_PEERS_MAX = 128,     /* the most a node may be configured to keep */
	OPENNET_TRANSIENT_MAX = 8,   /* newcomers let in, beyond the limit, to announce */
	OPENNET_RELAY_SOURCES = 256, /* announcement sources tracked: as many as peers */
	OPENNET_NONE = 0xffffffffu,
};

struct opennet_config {
	unsigned peers;              /* opennet peers kept (20); friends come on top */
	unsigned low;                /* announce while fewer than this (15) */
	uint32_t grace_ms;           /* a new peer is not dropped before (120 s) */
	uint32_t transient_ms;       /* a newcomer let in beyond the limit stays (30 s) */
	unsigned links_per_min;      /* new opennet links made or accepted (30) */
	unsigned relay_per_min;      /* announcements relayed from one peer (12) */
	uint32_t announce_min_ms;    /* the first retry of an announcement (5 s) */
	uint32_t announce_max_ms;    /* retries back off to this (60 s): a node
	                              * alone keeps trying its seeds */
};

struct opennet;

void opennet_config_default(struct opennet_config *c);
int opennet_new(struct opennet **out, const struct opennet_config *c) WISP_WUR;
void opennet_free(struct opennet *o);
/* opennet_configure: new limits; peers beyond them go as they become
 * droppable (opennet_victim). */
void opennet_configure(struct opennet *o, const struct opennet_config *c);

/* Peers. opennet_up: |peer|'s link is up, kept (|transient| 0) or let in
 * only to announce. WISP_ERR_FULL with OPENNET_PEERS_MAX + TRANSIENT_MAX
 * tracked. */
int opennet_up(struct opennet *o, uint32_t peer, int transient, uint64_t now) WISP_WUR;
void opennet_down(struct opennet *o, uint32_t peer);
/* opennet_useful: |peer| just brought data we asked for. */
void opennet_useful(struct opennet *o, uint32_t peer, uint64_t now);
int opennet_has(const struct opennet *o, uint32_t peer);
int opennet_kept(const struct opennet *o, uint32_t peer); /* has, and not transient */
unsigned opennet_count(const struct opennet *o);      /* kept, not transient */
unsigned opennet_transient(const struct opennet *o);

/* opennet_joined: |peer|'s link is up (as opennet_up), and kept if
 * there is room or a kept peer to drop for it (|*drop|, else
 * OPENNET_NONE); with neither, it stays as a transient. WISP_ERR_FULL:
 * not even that; close it. */
int opennet_joined(struct opennet *o, uint32_t peer, int transient, uint64_t now, uint32_t *drop) WISP_WUR;

/* opennet_victim: the kept peer to drop to make room, the one useful
 * least recently among those past their grace; OPENNET_NONE if none. */
uint32_t opennet_victim(const struct opennet *o, uint64_t now);
/* opennet_want: would we link with one more stranger now (a free slot, or
 * a peer to drop for it, and a link token left)? Asks, takes nothing. */
int opennet_want(const struct opennet *o, uint64_t now);
/* opennet_take: a new link is being made; 0 (refuse it) when the rate
 * of new links is spent. */
int opennet_take(struct opennet *o, uint64_t now);
/* opennet_admit: a stranger asks for a link. 0: refuse. 1: take it;
 * |*transient| says whether only to let it announce, |*victim| which
 * kept peer to drop for it (OPENNET_NONE: none). */
int opennet_admit(struct opennet *o, uint64_t now, int *transient, uint32_t *victim);
/* opennet_expired: a transient peer whose time is up, to close; a
 * transient is kept instead while there is room. OPENNET_NONE if none. */
uint32_t opennet_expired(struct opennet *o, uint64_t now);

/* opennet_announce_due: should we announce now? 1 while fewer than |low|
 * peers are kept, with retries backing off; the back-off starts again
 * when a peer is lost. */
int opennet_announce_due(struct opennet *o, uint64_t now);
/* opennet_relay_ok: may an announcement from |peer| be relayed or
 * answered? Bounded per source per minute. */
int opennet_relay_ok(struct opennet *o, uint32_t peer, uint64_t now);

#endif
