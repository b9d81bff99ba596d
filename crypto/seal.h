/* seal.h: a node's master key and what it seals (docs/formats.md,
 * "Sealed data directory").
 *
 * One 32-byte master key per node. At rest it is kept in a key file,
 * either in the clear (protect = none) or wrapped under a key derived from
 * a passphrase with Argon2id (protect = passphrase); the file's header
 * names its version and the Argon2id parameters, so they can be raised
 * later without breaking old files. Everything else secret is derived
 * from the master key (seal_subkey): the small files of the data directory
 * are sealed with XChaCha20-Poly1305 under their own name as associated
 * data, so one sealed file cannot stand in for another.
 *
 * Pure: no I/O; the caller reads and writes the bytes. */
#ifndef WISP_SEAL_H
#define WISP_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum {
	SEAL_KEY_LEN = 32,
	SEAL_KEYFILE_PLAIN_LEN = 58,    /* header, key, check */
	SEAL_KEYFILE_WRAPPED_LEN = 114, /* header, Argon2id parameters, salt, nonce, wrapped key */
	SEAL_KEYFILE_MAX = 114,
	SEAL_OVERHEAD = 49,             /* a sealed file's bytes beyond its content */
	SEAL_NAME_MAX = 64,
};

/* What a master key is split into; each use has its own subkey. */
enum seal_use {
	SEAL_USE_FILES = 1, /* the data directory's small files */
	SEAL_USE_STORE = 2, /* the block store (store.h derives its own two) */
	SEAL_USE_AREA = 3,  /* the transfers' block files (area.h) */
};

/* The Argon2id cost of a passphrase, as crypto_pwhash takes it. */
struct seal_cost {
	uint64_t ops;
	uint64_t mem; /* bytes */
};
/* seal_cost_named: "interactive" (64 MiB, about 0.1 s here), "moderate"
 * (256 MiB, the default), "sensitive" (1 GiB). Returns 0 or
 * WISP_ERR_INVAL. */
int seal_cost_named(const char *name, struct seal_cost *c) WISP_WUR;

/* seal_keyfile_make writes the key file of |master| into |out|
 * (SEAL_KEYFILE_MAX bytes) and sets |len|: wrapped under |pass| (|plen|
 * bytes) at |cost|, or in the clear when |pass| is NULL. */
int seal_keyfile_make(uint8_t *out, size_t *len, const uint8_t master[SEAL_KEY_LEN],
    const char *pass, size_t plen, const struct seal_cost *cost) WISP_WUR;
/* seal_keyfile_wrapped: 1 if |file| needs a passphrase, 0 if not, or
 * WISP_ERR_MALFORMED / WISP_ERR_VERSION when it is no key file. */
int seal_keyfile_wrapped(const uint8_t *file, size_t len);
/* seal_keyfile_open recovers the master key. Returns 0, WISP_ERR_VERIFY
 * (the wrong passphrase, or a damaged file: they cannot be told apart),
 * WISP_ERR_MALFORMED, WISP_ERR_VERSION, WISP_ERR_INVAL (a passphrase is
 * needed and none was given) or WISP_ERR_NOMEM (Argon2id's memory). */
int seal_keyfile_open(uint8_t master[SEAL_KEY_LEN], const uint8_t *file, size_t len,
    const char *pass, size_t plen) WISP_WUR;
/* seal_keyfile_cost reads a wrapped file's Argon2id parameters. */
int seal_keyfile_cost(const uint8_t *file, size_t len, struct seal_cost *c) WISP_WUR;

/* seal_subkey derives the key of one use. */
void seal_subkey(uint8_t out[SEAL_KEY_LEN], const uint8_t master[SEAL_KEY_LEN], enum seal_use use);

/* seal_box seals |len| bytes named |name| into |out| (len + SEAL_OVERHEAD
 * bytes). Returns 0 or WISP_ERR_INVAL (a name too long). */
int seal_box(uint8_t *out, const uint8_t key[SEAL_KEY_LEN], const char *name, const uint8_t *in,
    size_t len) WISP_WUR;
/* seal_is_box: does |in| begin as a sealed file does? */
int seal_is_box(const uint8_t *in, size_t len);
/* seal_open opens a sealed file into |out| (len - SEAL_OVERHEAD bytes)
 * and sets |outlen|. Returns 0, WISP_ERR_MALFORMED (not sealed),
 * WISP_ERR_VERSION or WISP_ERR_VERIFY (another key, another name, or
 * changed). */
int seal_open(uint8_t *out, size_t *outlen, const uint8_t key[SEAL_KEY_LEN], const char *name,
    const uint8_t *in, size_t len) WISP_WUR;

#endif
