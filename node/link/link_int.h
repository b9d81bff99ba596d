/* link_int.h: a link's state, shared by link.c, what it sends
 * (link_queue.c) and the admission of inbound connections (admit.c); no
 * other part sees it. */
#ifndef WISP_LINK_INT_H
#define WISP_LINK_INT_H

#include <stdint.h>

#include "crypto/noderef.h"
#include "crypto/noise.h"
#include "node/core/frame.h"

struct node;
struct peer;
struct bufferevent;
struct event;

/* A responder's link waits in L_WAIT_CONFIRM after its message 2 until a
 * transport record from the initiator decrypts: key confirmation. Until
 * then it is not up, displaces no link and changes no stored address: a
 * replayed message 1 gets that far and no farther. */
enum link_state { L_CONNECTING, L_WAIT_HS1, L_WAIT_HS2, L_WAIT_CONFIRM, L_UP };

/* The classes of blocks waiting: what someone waits for, then inserts. */
enum { LINK_REPLY = 0, LINK_INSERT = 1, LINK_CLASSES = 2 };

struct link {
	struct node *n;
	struct link *next;
	struct bufferevent *bev;
	struct event *timer;
	enum link_state state;
	int initiator;
	struct noise_hs hs;
	struct noise_cipher tx, rx;
	struct peer *peer;         /* known from the start when we dial */
	uint64_t opened, last_rx, last_tx, rekeyed; /* monotonic ms */
	uint64_t since_rekey;
	uint64_t retire_at;        /* a duplicate, closed then: until then it still delivers */
	char addr[64];
	struct noderef_addr from;  /* the far end's address */
	int punch;                 /* dialled to meet through a router (link_punch) */
	struct peer *expect;       /* after crossed(), or relayed: the only key its message 1 may have */
	int relayed;               /* carried by a relay (link_adopt) */
	int known_addr;            /* inbound from an address a known peer has used */
	struct noderef ref_seen;   /* the initiator's noderef, applied once confirmed */
	struct noderef_addr dialled_at; /* where the initiator says it dialled us */
	/* Blocks wait here, in the clear, until the output has room for one
	 * more record: every other record is sealed into the output at once,
	 * so it passes all but one block waiting, and a block travelling back
	 * to a requester passes the inserts waiting (docs/protocol.md). */
	struct evbuffer *bulk[LINK_CLASSES]; /* u32be length, then the routing message */
	unsigned bulk_n[LINK_CLASSES];
	size_t bulk_bytes;         /* of both */
	uint64_t sent;             /* bytes sealed into the output, in all */
	/* how fast the output drains while it has a backlog (link_drain_ms) */
	uint64_t busy_at, busy_gone; /* a backlog's start (ms), what had gone to the kernel by then */
	double drain_bps;
	int measured;              /* drain_bps is a measure (a backlog was seen draining, or not) */
	uint64_t measured_at;      /* when; older than LINK_RATE_TTL_MS it no longer counts */
	uint64_t moved_at, gone_seen; /* when the kernel last took bytes, and how many it had */
	uint8_t rec[FRAME_WIRE_MAX], plain[FRAME_BUCKET_L];
};

/* link_known_addr: has a known peer used |a| (in its noderef, or its
 * last link)? */
int link_known_addr(const struct node *n, const struct noderef_addr *a);
/* link_admit: may one more unauthenticated connection from |a| wait for
 * its handshake? 1, or 0 and |*why|. */
int link_admit(const struct node *n, const struct noderef_addr *a, int known, const char **why);

/* link_queue.c, for link.c */
/* lnk_send_raw writes |len| bytes as they are (the handshake's); -1 if the
 * peer stopped reading. */
int lnk_send_raw(struct link *l, const uint8_t *p, size_t len);
/* lnk_pump moves waiting blocks into the output while it has room; -1 if
 * one cannot be sealed. */
int lnk_pump(struct link *l);
/* lnk_measure times a backlog's draining (link_drain_ms); lnk_unacked:
 * bytes the kernel holds that the peer has not acknowledged. */
void lnk_measure(struct link *l);
uint64_t lnk_unacked(const struct link *l);

#endif
