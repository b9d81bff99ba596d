/* Decrypted tree roots and index blocks come from whoever inserted the
 * document: parse a root, then feed the rest as index blocks. */
#include <stdlib.h>

#include "crypto/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree_reader *r;
	struct tree_want w;
	size_t split, steps = 0;
	int st;

	if (size < 2)
		return 0;
	split = ((size_t)data[0] << 8 | data[1]) % size;
	data += 2;
	size -= 2;
	if (split > size)
		split = size;
	if (tree_reader_new(&r, data, split) != 0)
		return 0;
	while ((st = tree_reader_next(r, &w)) > 0 && steps++ < 64) {
		if (st == TREE_NEED_INDEX && tree_reader_feed_index(r, data + split, size - split) != 0)
			break;
		if (st == TREE_INLINE && w.len != tree_reader_length(r))
			abort();
	}
	tree_reader_free(r);
	return 0;
}
