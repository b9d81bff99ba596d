/* vault_int.h: what vault.c (the master key, sealed files, opening) uses
 * of vault_convert.c (the copying of a data directory in the clear into
 * its sealed form, on paths and keys it is given). Not for the rest of
 * wispd: vault.h is the vault's interface. */
#ifndef WISP_VAULT_INT_H
#define WISP_VAULT_INT_H

#include <stdint.h>

struct store_config;

/* vlt_rm_tree removes |path| and all below it; 0 if it was not there. */
int vlt_rm_tree(const char *path);
/* vlt_seal_store copies the store in the clear at |from| into a sealed
 * store at |to| (|sc|, its seal and budget), in recency order, friends and
 * all; the store at |from| is not changed, and none there is no error. */
int vlt_seal_store(const char *from, const char *to, const struct store_config *sc);
/* vlt_seal_areas seals, under |key|, the transfers' block files in |dir|
 * still in the clear; a damaged one is left for its transfer to set aside. */
int vlt_seal_areas(const char *dir, const uint8_t *key);

#endif
