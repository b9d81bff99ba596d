/* vault.h: the node's master key and the secrets of its data directory
 * (docs/threat-model.md, "A seized disk"; docs/formats.md).
 *
 * Every secret the data directory keeps is sealed under keys derived from
 * one master key: the identity and the small files (vault_fopen), the
 * store with its friends, routing table and invites (store_config.seal),
 * the transfers' blocks (area_open). The master key lives in
 * DATADIR/master.key, in the clear (protect = none) or wrapped under a
 * passphrase (protect = passphrase), or nowhere but in memory
 * (protect = memory: the node forgets everything when it stops).
 *
 * A data directory of the layout before December 2026 (identity in the
 * clear, no master.key) is converted at start. The conversion's one
 * commit is the rename of master.key.new to master.key: interrupted
 * before it, the directory is as it was (and the next start begins
 * again); after it, every start first finishes what is left (a store
 * still to swap in, files still in the clear). */
#ifndef WISP_NODE_VAULT_H
#define WISP_NODE_VAULT_H

#include <stdio.h>

#include "crypto/seal.h"

struct node;

enum protect { PROTECT_UNSET = -1, PROTECT_NONE = 0, PROTECT_PASSPHRASE = 1, PROTECT_MEMORY = 2 };

/* How a passphrase is had: --passphrase-fd, else the systemd credential
 * "wisp-passphrase", else the terminal. */
struct vault_ask {
	int fd;             /* -1: none given */
	int protect;        /* enum protect wanted: wispd.conf's, or --protect's */
	const char *cost;   /* Argon2id cost of a new passphrase: "moderate" unless set */
};

/* vault_open finds or makes the master key, converts an older data
 * directory, and loads the identity and the API token into |n|. On
 * failure it has printed one line naming the file and the cause; it
 * returns 1, or 3 for a wrong passphrase (wispd's exit code). */
int vault_open(struct node *n, const struct vault_ask *ask);
/* vault_key: the key of one use (seal.h), while the vault is open. */
const uint8_t *vault_key(const struct node *n, enum seal_use use);
int vault_protect(const struct node *n);
const char *vault_protect_name(int protect);
/* vault_runtime: the directory in RAM of a protected node (crypto/datadir.h),
 * or "" under protect = none. */
const char *vault_runtime(const struct node *n);

/* vault_shown: |addr| as a log line may show it: under protection not at
 * all, since a log may reach the disk (journald) and addresses are the
 * friend graph. */
const char *vault_shown(const struct node *n, const char *addr);

/* vault_fopen opens DATADIR/|name| sealed: "r" decrypts it whole (NULL
 * with errno ENOENT when there is none, EBADMSG when it does not open,
 * which is logged with the file's name); "w" writes it on fclose (a
 * temporary file, fsync, rename; fclose fails if that does). Under
 * protect = memory, "r" finds nothing and "w" writes nothing. */
FILE *vault_fopen(const struct node *n, const char *name, const char *mode);

/* vault_panic destroys the master key (its file overwritten and removed),
 * and sets the rest of the data directory aside to be removed at the next
 * start, which starts a new node. After it the vault writes nothing and
 * the node must stop. Returns 0 or -1 (errno set) if the key file could
 * not be removed. */
int vault_panic(struct node *n);
int vault_dead(const struct node *n);
/* vault_close forgets the keys; under protect = memory it removes the
 * store and the transfers' blocks too. */
void vault_close(struct node *n);

#endif
