/* Splitfiles: a root from anyone is parsed (split_root_parse) and, when
 * it parses, fetched with every other block missing (the reader must
 * end, saying so, whatever shape the root claims); and a file
 * of a shape, code parameters, byte range and pattern of lost blocks the
 * input chooses is encoded, then read back through fetch.c: the bytes
 * must come back exact, or the fetch must fail saying blocks are missing,
 * never anything else. */
#include <stdlib.h>
#include <string.h>

#include "crypto/fec.h"
#include "crypto/split.h"
#include "crypto/tree.h"
#include "node/core/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_BLOCKS = 16, CAP = 64 };

static uint8_t blocks[CAP][CHK_BLOCK_LEN], file[MAX_BLOCKS * CHK_DATA_MAX];
static struct chk_keys keys[CAP];
static size_t nblocks, outlen;
static uint64_t first, last, len;
static unsigned loss, seed;
static int ended, status, bad;
static struct fetch *f;

static int
emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	(void)ctx;
	if (nblocks == CAP)
		return -1;
	memcpy(blocks[nblocks], block, CHK_BLOCK_LEN);
	keys[nblocks++] = *k;
	return 0;
}

static void
get(void *ctx, struct fetch *fe, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	size_t i;

	(void)ctx;
	for (i = 0; i < nblocks; i++)
		if (memcmp(keys[i].routing, rkey, CHK_KEY_LEN) == 0)
			break;
	/* the root (emitted last) is never lost */
	if (i == nblocks || (i + 1 < nblocks && (rkey[0] ^ seed) % 100 < loss))
		fetch_block_done(fe, tag, FETCH_NOTFOUND, NULL, 0);
	else
		fetch_block_done(fe, tag, FETCH_OK, blocks[i], CHK_BLOCK_LEN);
}

static void start(void *ctx, uint64_t l, const char *mime) { (void)ctx; (void)mime; bad |= l != len; }

static int
sink(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	bad |= first + outlen + n > len || memcmp(p, file + first + outlen, n) != 0;
	outlen += n;
	return 0;
}

static void end(void *ctx, enum fetch_status st, const char *why) { (void)ctx; (void)why; ended = 1; status = st; }

/* hostile_root serves |root| as a document's root and nothing else. */
static void
hostile_root(const uint8_t *root, size_t size)
{
	static const struct fetch_source src = { get, NULL };
	static const struct fetch_sink snk = { start, sink, end };
	struct chk_keys k;

	if (size > CHK_DATA_MAX || chk_encode(blocks[0], &k, root, size) != 0)
		return;
	keys[0] = k;
	nblocks = 1; /* the root, emitted last: never lost */
	ended = bad = 0;
	outlen = 0;
	first = 0;
	last = UINT64_MAX;
	len = UINT64_MAX; /* unknown: start() records mismatch, not checked */
	if (fetch_new(&f, &k, 0, 0, UINT64_MAX, &src, NULL, &snk, NULL) != 0)
		abort();
	fetch_start(f);
	if (!ended || fetch_pending(f) != 0 || outlen != 0 || status == FETCH_OK || status == FETCH_FAILED)
		abort();
	fetch_free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fetch_source src = { get, NULL };
	static const struct fetch_sink snk = { start, sink, end };
	struct split_doc doc;
	struct tree_enc *e;
	struct chk_keys root;
	unsigned k, m, i;
	uint64_t x;

	/* a root that parses has a top level that fits in what was read */
	if (split_root_parse(&doc, data, size) == 0) {
		if (doc.levels < 1 || doc.top < data || doc.top + doc.len[doc.levels] != data + size)
			abort();
		hostile_root(data, size);
	}
	if (size < 12)
		return 0;
	k = data[0] % 255 + 1;
	m = 1 + data[1] % (k < 256 - k ? k : 256 - k);
	len = ((uint64_t)data[2] << 8 | data[3]) * 8 % (sizeof(file) + 1);
	first = ((uint64_t)data[4] << 8 | data[5]) * 8;
	last = first + ((uint64_t)data[6] << 8 | data[7]) * 8;
	loss = data[8] % 60;
	seed = data[9];
	x = (uint64_t)data[10] << 8 | data[11];
	for (i = 0; i < len; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		file[i] = (uint8_t)(x >> 56);
	}
	nblocks = outlen = 0;
	ended = bad = 0;
	if (tree_enc_new_fec(&e, NULL, k, m, emit, NULL) != 0)
		abort();
	if (tree_enc_write(e, file, (size_t)len) != 0 || tree_enc_finish(e, &root) != 0) {
		tree_enc_free(e);
		return 0; /* more blocks than CAP: small k with tiny m */
	}
	tree_enc_free(e);
	if (fetch_new(&f, &root, 0, first, last, &src, NULL, &snk, NULL) != 0)
		abort();
	fetch_start(f);
	if (!ended || fetch_pending(f) != 0 || bad || status == FETCH_INTEGRITY || status == FETCH_FAILED)
		abort();
	if (status == FETCH_OK && len && first < len &&
	    outlen != (last < len ? last : len - 1) - first + 1)
		abort();
	fetch_free(f);
	return 0;
}
