/* datadir.h: the files of a data directory (docs/operator.md). */
#ifndef WISP_NODE_DATADIR_H
#define WISP_NODE_DATADIR_H

#include <stddef.h>

#include "crypto/datadir.h" /* write_file_atomic */

struct node;
struct node_conf;

/* datadir_prepare makes the directory and its wispd.conf on first start,
 * and locks it (|lock_fd|); vault_open (vault.h) does the secrets. */
int datadir_prepare(struct node *n, int *lock_fd);
/* datadir_read_conf applies <datadir>/wispd.conf to |c|; on error |err|
 * names the file, line and fault. */
int datadir_read_conf(const struct node *n, struct node_conf *c, char *err, size_t errlen);
int datadir_write_addr(const struct node *n, const char *name, const char *addr);
void datadir_remove_addrs(const struct node *n);
/* datadir_open_store opens <datadir>/store, sealed under the vault's
 * key; a damaged one is set aside
 * (renamed, never deleted) and an empty one opened in its place. */
int datadir_open_store(struct node *n);

#endif
