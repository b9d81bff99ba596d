#include "crypto/block.h"
#include "crypto/chk.h"
#include "crypto/ssk.h"

_Static_assert((int)BLOCK_MAX_LEN == (int)CHK_BLOCK_LEN, "largest block is a CHK block");

int
block_verify(const uint8_t *block, size_t len, const uint8_t rkey[static BLOCK_KEY_LEN])
{
	if (len < 3 || block[0] != BLOCK_MAGIC)
		return WISP_ERR_MALFORMED;
	switch (block[2]) {
	case BLOCK_TYPE_CHK: return chk_verify(block, len, rkey);
	case BLOCK_TYPE_SSK: return ssk_verify(block, len, rkey);
	}
	return WISP_ERR_MALFORMED;
}
