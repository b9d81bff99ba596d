/* frame.h: records on a peer link, before and after the handshake. Pure.
 *
 * Every record is a 2-byte big-endian length and that many bytes. The two
 * handshake records have fixed lengths. After the handshake each record is
 * an AEAD ciphertext of a padded plaintext (type, u16 length, payload,
 * zeros) of one of three sizes, so an observer sees only three record
 * lengths: a keep-alive, a request and a 32 KiB block differ only in which
 * bucket they fill. docs/protocol.md gives the reasoning. */
#ifndef WISP_FRAME_H
#define WISP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"
#include "crypto/noderef.h"
#include "crypto/noise.h"

enum frame_type {
	FRAME_KEEPALIVE = 1, /* nothing: proves the link alive */
	FRAME_REKEY = 2,     /* the sender's key changes after this record */
	FRAME_ROUTE = 3,     /* a routing message (wire.h) */
	FRAME_BYE = 4,       /* the sender closes the link */
	FRAME_NAT = 5,       /* finding each other through routers (natmsg.h) */
	FRAME_SWAP = 6,      /* location swapping, friends' locations (swap.h) */
};

enum frame_limits {
	FRAME_BUCKET_S = 256,
	FRAME_BUCKET_M = 2048,
	FRAME_BUCKET_L = 33280,
	FRAME_PAYLOAD_MAX = FRAME_BUCKET_L - 3,
	FRAME_WIRE_MAX = 2 + FRAME_BUCKET_L + NOISE_MAC_LEN,
	FRAME_HDR_LEN = 2 + 3, /* record length, then type and payload length: the payload's offset */
	HS1_PAYLOAD = 384, /* version, flags, timestamp, invite secret, noderef, address, zeros */
	HS1_STAMP_LEN = 12, /* TAI64N: seconds + 2^62, nanoseconds; big-endian */
	HS2_PAYLOAD = 32,  /* version, address, zeros */
	HS1_LEN = NOISE_MSG1_OVERHEAD + HS1_PAYLOAD,
	HS2_LEN = NOISE_MSG2_OVERHEAD + HS2_PAYLOAD,
};

#define FRAME_PROLOGUE "wisp link v1"

/* frame_wire_len: from a record's 2-byte header, its whole length, if it
 * is one a sealed record can have. 0 or WISP_ERR_MALFORMED. */
int frame_wire_len(const uint8_t hdr[2], size_t *total) WISP_WUR;
/* frame_record_len: the bytes on the wire of a record carrying |len|
 * payload bytes (its bucket), or 0 if it is too long for one. */
size_t frame_record_len(size_t len);
/* frame_seal writes one record of |type| carrying |len| bytes into |out|
 * (frame_record_len(len) bytes). Returns 0, WISP_ERR_TOOBIG or
 * WISP_ERR_FULL. */
int frame_seal(struct noise_cipher *c, uint8_t type, const uint8_t *p, size_t len, uint8_t *out,
    size_t *outlen) WISP_WUR;
/* frame_open checks and decrypts a whole record into |plain|
 * (FRAME_BUCKET_L bytes); |*payload| points into it. Returns 0,
 * WISP_ERR_MALFORMED or WISP_ERR_VERIFY (forged, replayed, reordered). */
int frame_open(struct noise_cipher *c, const uint8_t *rec, size_t len, uint8_t *plain, uint8_t *type,
    const uint8_t **payload, size_t *plen) WISP_WUR;

/* The handshake's first payload: who we are, when we said so and, for an
 * invite, its secret. The stamp is WireGuard's answer to the replay of
 * Noise IK's first message (Noise, section 7.7): a responder answers only a
 * message 1 newer than the last it accepted from that key. */
struct hs1 {
	int has_secret;
	uint8_t stamp[HS1_STAMP_LEN];
	uint8_t secret[INVITE_SECRET_LEN];
	struct noderef ref;
	struct noderef_addr seen; /* where the initiator dialled (family 0: not said) */
};
int hs1_encode(const struct hs1 *h, uint8_t out[HS1_PAYLOAD]) WISP_WUR;
int hs1_decode(struct hs1 *h, const uint8_t *p, size_t len) WISP_WUR;
/* hs1_stamp writes the stamp of a wall-clock time; stamps compare as their
 * bytes (memcmp). */
void hs1_stamp(uint8_t out[HS1_STAMP_LEN], uint64_t sec, uint32_t nsec);

/* The handshake's second payload tells the initiator the address its
 * connection came from: behind a router, its public address and port. A
 * family of 0 says nothing (the responder does not know). */
int hs2_encode(const struct noderef_addr *seen, uint8_t out[HS2_PAYLOAD]) WISP_WUR;
int hs2_decode(struct noderef_addr *seen, const uint8_t *p, size_t len) WISP_WUR;

#endif
