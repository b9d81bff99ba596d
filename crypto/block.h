/* block.h: what a node may do with a block it cannot read. */
#ifndef WISP_BLOCK_H
#define WISP_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum { BLOCK_KEY_LEN = 32, BLOCK_MAX_LEN = 32792 };

/* block_verify checks any block (CHK or SSK, by its header) against the
 * routing key it claims. Returns 0, WISP_ERR_MALFORMED or WISP_ERR_VERIFY. */
int block_verify(const uint8_t *block, size_t len, const uint8_t rkey[static BLOCK_KEY_LEN]) WISP_WUR;

#endif
