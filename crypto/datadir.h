/* datadir.h: where wispd keeps its state, shared by wispd and wisp. */
#ifndef WISP_DATADIR_H
#define WISP_DATADIR_H

#include <stddef.h>

#include "crypto/err.h"

/* wisp_datadir resolves the data directory: |flag| (-d) if given, else
 * $WISP_HOME, else $XDG_DATA_HOME/wisp, else ~/.local/share/wisp.
 * Returns 0, WISP_ERR_NOTFOUND (no HOME) or WISP_ERR_TOOBIG. */
int wisp_datadir(char *out, size_t outlen, const char *flag) WISP_WUR;

/* wisp_runtime_dir: where a protected node keeps what must not reach the
 * disk (its API token of the run, its log when daemonised): a directory
 * of the user's own in RAM, $XDG_RUNTIME_DIR/wisp/<id> or else
 * /dev/shm/wisp-<uid>/<id>, <id> naming |datadir|. With |make| it is
 * created (0700) and checked to be the user's own and no symbolic link.
 * Returns 0, WISP_ERR_NOTFOUND (no RAM-backed directory here) or
 * WISP_ERR_IO / WISP_ERR_TOOBIG. */
int wisp_runtime_dir(char *out, size_t outlen, const char *datadir, int make) WISP_WUR;

/* read_small_file reads at most |cap| bytes of |path| into |buf|: how
 * many, or -1 with errno. For the small files of a data directory (its
 * address, token, key file); a file longer than |cap| is cut, so a caller
 * that must know asks for one byte more than it takes. */
long read_small_file(const char *path, void *buf, size_t cap);

/* write_file_atomic: a temporary file (|path|.tmp), fsync, rename. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode);

#endif
