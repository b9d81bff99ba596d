/* area.h: a transfer's own blocks on disk (DATADIR/transfers/ID.blocks),
 * apart from the store's LRU, so nothing evicts them while the transfer
 * lives: what a download fetched, so a resumed one does not fetch it
 * again; what a put was handed, so the insert goes on after a restart.
 *
 * The file is a header and then records (routing key, u32be length,
 * block) appended in order; opening it reads every record, keeps the first
 * of each key and cuts a torn or damaged tail. Blocks are checked against
 * their keys when read back: the disk is not trusted.
 *
 * Sealed (a 32-byte key given at open: format 3), each record begins with
 * a random nonce, its header is XChaCha20-encrypted under the key and its
 * block boxed (XChaCha20-Poly1305, the header as associated data) under a
 * subkey, so the file does not show which blocks it holds, and a block
 * read back opens only as it was added: no hash of it is needed. A
 * sealed file of format 2 (the block streamed, not boxed) is still read,
 * and its blocks checked against their keys. */
#ifndef WISP_AREA_H
#define WISP_AREA_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

struct area;

/* area_open opens |path|, sealed under |key| (32 bytes) or in the clear
 * (NULL), creating it with |create|. Returns 0, WISP_ERR_IO (errno set),
 * WISP_ERR_NOTFOUND (no file and !create), WISP_ERR_MALFORMED (not an
 * area), WISP_ERR_VERSION (an area of the other kind) or WISP_ERR_NOMEM.
 * |cut| (may be NULL) is set to the bytes of damaged tail it cut. */
int area_open(struct area **out, const char *path, const uint8_t *key, int create, uint64_t *cut) WISP_WUR;
void area_close(struct area *a);
/* area_add appends a block (already checked against |rkey|) unless its
 * key is held. Returns 0, WISP_ERR_IO (errno set: ENOSPC when the disk is
 * full) or WISP_ERR_NOMEM. */
int area_add(struct area *a, const uint8_t rkey[32], const uint8_t *block, size_t len) WISP_WUR;
/* Sealing off the area's thread: a batch's records are sealed where its
 * blocks were checked, and only written where the area lives.
 * area_sealer_get copies what sealing takes (the area's keys: wipe it
 * after), area_rec_len is a record's size on disk for a block of |len|,
 * area_seal writes that record into |out|, and area_add_sealed appends
 * up to AREA_BATCH_MAX records so sealed, in one write, as area_add
 * would one by one (a key held, or twice in |r|, is skipped). The
 * sealer's fields are the area's business. */
enum { AREA_BATCH_MAX = 256 };
struct area_sealer {
	int mode;
	uint8_t key[32], box[32];
};
struct area_rec {
	const uint8_t *rkey;
	const uint8_t *rec; /* from area_seal */
	size_t len;         /* the block's */
};
void area_sealer_get(const struct area *a, struct area_sealer *m);
void area_sealer_wipe(struct area_sealer *m);
size_t area_rec_len(const struct area_sealer *m, size_t len);
int area_seal(const struct area_sealer *m, const uint8_t rkey[32], const uint8_t *block, size_t len,
    uint8_t *out) WISP_WUR;
int area_add_sealed(struct area *a, const struct area_rec *r, size_t n) WISP_WUR;
/* area_sync makes what was added durable. */
int area_sync(struct area *a) WISP_WUR;
/* area_sync_fd: a descriptor of the area's file, its own, so that another
 * thread can make it durable (fdatasync, then close) while the area goes
 * on, or goes. -1 with errno on failure. */
int area_sync_fd(const struct area *a) WISP_WUR;
/* area_get copies the block of |rkey| into |out| (cap bytes). Returns 0,
 * WISP_ERR_NOTFOUND, or WISP_ERR_VERIFY (on disk but not its block). */
int area_get(struct area *a, const uint8_t rkey[32], uint8_t *out, size_t cap, size_t *len) WISP_WUR;
/* area_at reads the |i|-th block added (0-based), checked likewise. */
int area_at(struct area *a, uint64_t i, uint8_t rkey[32], uint8_t *out, size_t cap, size_t *len) WISP_WUR;
uint64_t area_count(const struct area *a);

#endif
