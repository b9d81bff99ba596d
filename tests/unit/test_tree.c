#include <stdlib.h>
#include <string.h>

#include "crypto/chk.h"
#include "crypto/tree.h"
#include "crypto/uri.h"
#include "tests/unit/suites.h"
#include "tests/unit/vectors/chk_pins.h"

/* An in-memory block map: enough for trees of a few hundred blocks. */
struct mem {
	size_t n, cap;
	struct chk_keys *keys;
	uint8_t *blocks;
};

static int
mem_emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	struct mem *m = ctx;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->keys = realloc(m->keys, m->cap * sizeof(*m->keys));
		m->blocks = realloc(m->blocks, m->cap * CHK_BLOCK_LEN);
	}
	m->keys[m->n] = *k;
	memcpy(m->blocks + m->n * CHK_BLOCK_LEN, block, CHK_BLOCK_LEN);
	m->n++;
	return 0;
}

static const uint8_t *
mem_find(const struct mem *m, const uint8_t rkey[32])
{
	size_t i;

	for (i = m->n; i-- > 0;)
		if (memcmp(m->keys[i].routing, rkey, 32) == 0)
			return m->blocks + i * CHK_BLOCK_LEN;
	return NULL;
}

static uint8_t
byte_at(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13);
}

static uint8_t plain[CHK_PAYLOAD_LEN];

/* Encode |len| bytes in uneven writes, then read back and compare. */
static void
roundtrip(uint64_t len, const char *mime, struct chk_keys *root_out, size_t *blocks_out)
{
	struct mem m = { 0 };
	struct tree_enc *e;
	struct tree_reader *r;
	struct chk_keys root;
	struct tree_want w;
	uint8_t buf[7000];
	uint64_t done = 0, i;
	size_t n;
	int step;

	ck_assert_int_eq(tree_enc_new(&e, mime, mem_emit, &m), 0);
	while (done < len) {
		/* Uneven writes: a prime-ish stride exercises chunk boundaries. */
		size_t chunk = sizeof(buf) - (size_t)(done % 3);
		if (chunk > len - done)
			chunk = (size_t)(len - done);
		for (i = 0; i < chunk; i++)
			buf[i] = byte_at(done + i);
		ck_assert_int_eq(tree_enc_write(e, buf, chunk), 0);
		done += chunk;
	}
	ck_assert_int_eq(tree_enc_finish(e, &root), 0);
	ck_assert_uint_eq(tree_enc_blocks(e), m.n);
	ck_assert_uint_eq(tree_blocks_for(len, mime ? strlen(mime) : 24), m.n);
	tree_enc_free(e);
	ck_assert_mem_eq(m.keys[m.n - 1].routing, root.routing, 32);

	ck_assert_int_eq(chk_decode(plain, &n, mem_find(&m, root.routing), CHK_BLOCK_LEN, root.crypto), 0);
	ck_assert_int_eq(tree_reader_new(&r, plain, n), 0);
	ck_assert_uint_eq(tree_reader_length(r), len);
	ck_assert_str_eq(tree_reader_mime(r), mime ? mime : "application/octet-stream");
	done = 0;
	while ((step = tree_reader_next(r, &w)) != TREE_DONE) {
		ck_assert_int_gt(step, 0);
		if (step == TREE_INLINE) {
			for (i = 0; i < w.len; i++)
				ck_assert_uint_eq(w.data[i], byte_at(i));
			done += w.len;
			continue;
		}
		ck_assert_int_eq(chk_decode(plain, &n, mem_find(&m, w.keys.routing), CHK_BLOCK_LEN, w.keys.crypto), 0);
		if (step == TREE_NEED_INDEX) {
			ck_assert_int_eq(tree_reader_feed_index(r, plain, n), 0);
			continue;
		}
		ck_assert_uint_eq(n, w.len);
		ck_assert_uint_eq(w.offset, done);
		for (i = 0; i < n; i++)
			if (plain[i] != byte_at(done + i))
				ck_abort_msg("byte %llu differs", (unsigned long long)(done + i));
		done += n;
	}
	ck_assert_uint_eq(done, len);
	tree_reader_free(r);
	if (root_out)
		*root_out = root;
	if (blocks_out)
		*blocks_out = m.n;
	free(m.keys);
	free(m.blocks);
}

static const uint64_t lens[] = {
	0, 1, 100, 32750 - 24, 32750 - 23, 32767, 32768, 32769, 65536, 1000000,
	(uint64_t)509 * 32768, (uint64_t)509 * 32768 + 1, (uint64_t)511 * 32768,
	(uint64_t)600 * 32768 + 5,
};

START_TEST(test_tree_roundtrip)
{
	roundtrip(lens[_i], NULL, NULL, NULL);
}
END_TEST

START_TEST(test_tree_shape)
{
	size_t blocks;

	roundtrip(0, "text/plain", NULL, &blocks);
	ck_assert_uint_eq(blocks, 1);      /* inline in the root */
	roundtrip(40000, "text/plain", NULL, &blocks);
	ck_assert_uint_eq(blocks, 3);      /* 2 data + root */
	roundtrip((uint64_t)600 * 32768, NULL, NULL, &blocks);
	ck_assert_uint_eq(blocks, 600 + 2 + 1);
	/* Larger shapes, by arithmetic: 1 TiB stays within the depth limit. */
	ck_assert_uint_gt(tree_blocks_for((uint64_t)1 << 40, 10), ((uint64_t)1 << 40) / 32768);
}
END_TEST

START_TEST(test_tree_same_file_same_uri)
{
	struct chk_keys a, b;

	roundtrip(100000, "image/png", &a, NULL);
	roundtrip(100000, "image/png", &b, NULL);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	roundtrip(100000, "image/jpeg", &b, NULL);
	ck_assert_mem_ne(a.routing, b.routing, 32);
}
END_TEST

static int
no_emit(void *ctx, const uint8_t block[CHK_BLOCK_LEN], const struct chk_keys *k)
{
	(void)ctx; (void)block; (void)k;
	return 0;
}

static void
doc_uri(char *s, size_t n, const struct chk_keys *k)
{
	struct uri u = { .type = URI_CHK, .alg = URI_ALG_V1, .kind = URI_KIND_DOC };

	memcpy(u.key, k->routing, 32);
	memcpy(u.ckey, k->crypto, 32);
	ck_assert_int_eq(uri_format(s, n, &u, 0), 0);
}

START_TEST(test_tree_pinned_documents)
{
	static uint8_t big[100000];
	struct tree_enc *e;
	struct chk_keys r;
	char s[URI_MAX];
	size_t i;

	ck_assert_int_eq(tree_enc_new(&e, "text/plain", no_emit, NULL), 0);
	ck_assert_int_eq(tree_enc_write(e, (const uint8_t *)"hello\n", 6), 0);
	ck_assert_int_eq(tree_enc_finish(e, &r), 0);
	tree_enc_free(e);
	doc_uri(s, sizeof(s), &r);
	ck_assert_str_eq(s, PIN_DOC_HELLO);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	ck_assert_int_eq(tree_enc_new(&e, NULL, no_emit, NULL), 0);
	ck_assert_int_eq(tree_enc_write(e, big, sizeof(big)), 0);
	ck_assert_int_eq(tree_enc_finish(e, &r), 0);
	ck_assert_uint_eq(tree_enc_blocks(e), 5);
	tree_enc_free(e);
	doc_uri(s, sizeof(s), &r);
	ck_assert_str_eq(s, PIN_DOC_100K);
}
END_TEST

START_TEST(test_tree_bad_mime)
{
	struct tree_enc *e;

	ck_assert_int_eq(tree_enc_new(&e, "text", mem_emit, NULL), WISP_ERR_INVAL);
	ck_assert_int_eq(tree_enc_new(&e, "text/html\r\nX-Evil: 1", mem_emit, NULL), WISP_ERR_INVAL);
	ck_assert_int_eq(tree_enc_new(&e, "a/b/c", mem_emit, NULL), WISP_ERR_INVAL);
}
END_TEST

START_TEST(test_tree_forged_roots_and_index)
{
	struct mem m = { 0 };
	struct tree_enc *e;
	struct tree_reader *r;
	struct chk_keys root;
	struct tree_want w;
	uint8_t *buf = calloc(1, 600 * 32768);
	size_t n;

	ck_assert_int_eq(tree_enc_new(&e, NULL, mem_emit, &m), 0);
	ck_assert_int_eq(tree_enc_write(e, buf, 600 * 32768), 0);
	ck_assert_int_eq(tree_enc_finish(e, &root), 0);
	tree_enc_free(e);
	ck_assert_int_eq(chk_decode(plain, &n, mem_find(&m, root.routing), CHK_BLOCK_LEN, root.crypto), 0);
	/* Every truncation of the root is refused, and so is a longer one. */
	for (size_t cut = 0; cut < n; cut += 7)
		ck_assert_int_ne(tree_reader_new(&r, plain, cut), 0);
	ck_assert_int_ne(tree_reader_new(&r, plain, n + 1), 0);
	plain[4] = 9; /* version */
	ck_assert_int_eq(tree_reader_new(&r, plain, n), WISP_ERR_VERSION);
	plain[4] = 1;
	plain[38] ^= 1; /* length no longer matches the key count */
	ck_assert_int_eq(tree_reader_new(&r, plain, n), WISP_ERR_MALFORMED);
	plain[38] ^= 1;
	ck_assert_int_eq(tree_reader_new(&r, plain, n), 0);
	/* An index block with the wrong child count is refused. */
	ck_assert_int_eq(tree_reader_next(r, &w), TREE_NEED_INDEX);
	ck_assert_int_eq(chk_decode(plain, &n, mem_find(&m, w.keys.routing), CHK_BLOCK_LEN, w.keys.crypto), 0);
	ck_assert_int_eq(tree_reader_feed_index(r, plain, n - 64), WISP_ERR_MALFORMED);
	plain[5] = 1; /* wrong child level */
	ck_assert_int_eq(tree_reader_feed_index(r, plain, n), WISP_ERR_MALFORMED);
	plain[5] = 0;
	ck_assert_int_eq(tree_reader_feed_index(r, plain, n), 0);
	/* Seeking into the second index node asks for it. */
	ck_assert_int_eq(tree_reader_seek(r, (uint64_t)550 * 32768 + 3), 0);
	ck_assert_int_eq(tree_reader_next(r, &w), TREE_NEED_INDEX);
	ck_assert_int_eq(tree_reader_seek(r, (uint64_t)601 * 32768), WISP_ERR_INVAL);
	tree_reader_free(r);
	free(buf);
	free(m.keys);
	free(m.blocks);
}
END_TEST

/* A root whose length is near 2^64 wrapped the block count to 0: a root
 * with no children was taken for a file of 2^64 - 1 bytes. */
START_TEST(test_tree_root_length_bounded)
{
	static const uint64_t lengths[] = { UINT64_MAX, UINT64_MAX - 32766, (uint64_t)1 << 63, ((uint64_t)1 << 60) + 1 };
	struct tree_reader *r;
	uint8_t root[64];
	size_t i;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t k = 0;
		uint64_t len = lengths[i];
		memcpy(root, "WSPR", 4), k = 4;
		root[k++] = 1; /* version */
		root[k++] = 10;
		memcpy(root + k, "text/plain", 10), k += 10;
		for (int b = 7; b >= 0; b--)
			root[k++] = (uint8_t)(len >> (8 * b));
		root[k++] = 1; /* a tree */
		root[k++] = 0; /* top level 0 */
		root[k++] = 0;
		root[k++] = 0; /* no children */
		ck_assert_int_ne(tree_reader_new(&r, root, k), 0);
	}
	ck_assert_int_eq(tree_blocks_for(UINT64_MAX, 10), 0);
}
END_TEST

Suite *
tree_suite(void)
{
	Suite *s = suite_create("tree");
	TCase *tc = tcase_create("tree");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_tree_roundtrip, 0, (int)(sizeof(lens) / sizeof(lens[0])));
	tcase_add_test(tc, test_tree_shape);
	tcase_add_test(tc, test_tree_same_file_same_uri);
	tcase_add_test(tc, test_tree_bad_mime);
	tcase_add_test(tc, test_tree_pinned_documents);
	tcase_add_test(tc, test_tree_forged_roots_and_index);
	tcase_add_test(tc, test_tree_root_length_bounded);
	suite_add_tcase(s, tc);
	return s;
}
