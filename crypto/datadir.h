/* datadir.h: where wispd keeps its state, shared by wispd and wisp. */
#ifndef WISP_DATADIR_H
#define WISP_DATADIR_H

#include <stddef.h>

#include "crypto/err.h"

/* wisp_datadir resolves the data directory: |flag| (-d) if given, else
 * $WISP_HOME, else $XDG_DATA_HOME/wisp, else ~/.local/share/wisp.
 * Returns 0, WISP_ERR_NOTFOUND (no HOME) or WISP_ERR_TOOBIG. */
int wisp_datadir(char *out, size_t outlen, const char *flag) WISP_WUR;

#endif
