/* The transfer queue's file lines (node/core/xferfile.h) and a transfer's
 * block area (store/area.h): what a crash, a full disk or a hostile hand
 * leaves on disk is read back strictly, or cut, never trusted. */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "crypto/chk.h"
#include "crypto/flow.h"
#include "node/core/xferfile.h"
#include "store/area.h"
#include "tests/unit/suites.h"

static struct xfer_rec
sample(void)
{
	struct xfer_rec r;

	memset(&r, 0, sizeof(r));
	r.id = 7;
	r.dir = XFER_GET;
	r.state = XFER_RUNNING;
	r.background = 1;
	r.added = 1796000000;
	r.total = 50000000;
	r.done = 1234567;
	r.blocks = 3100;
	r.blocks_done = 80;
	r.from_area = 40;
	r.from_net = 40;
	snprintf(r.uri, sizeof(r.uri), "CHK@abc,def/my file ü.txt");
	snprintf(r.path, sizeof(r.path), "/home/a b/\"quoted\" %s", "name");
	return r;
}

START_TEST(test_xferfile_roundtrip)
{
	struct xfer_rec r = sample(), back;
	char line[XFER_LINE_MAX];
	size_t len;

	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	ck_assert_uint_eq(line[len - 1], '\n');
	ck_assert_ptr_null(memchr(line, '\n', len - 1));
	ck_assert_int_eq(xferfile_parse(&back, line, len - 1), 0);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	/* every field at its longest still fits a line */
	memset(r.uri, 'u', sizeof(r.uri) - 1);
	memset(r.path, 'p', sizeof(r.path) - 1);
	r.path[0] = '/';
	memset(r.why, 'w', sizeof(r.why) - 1);
	r.total = r.done = r.blocks = r.blocks_done = UINT64_MAX;
	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	ck_assert_int_eq(xferfile_parse(&back, line, len - 1), 0);
	ck_assert_mem_eq(&back, &r, sizeof(r));
}
END_TEST

START_TEST(test_xferfile_refuses)
{
	struct xfer_rec r = sample(), back;
	char line[XFER_LINE_MAX], bad[XFER_LINE_MAX + 8];
	size_t len, i;

	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	len--;
	/* cut anywhere: refused (a whole field cut may still parse, so only
	 * cuts inside the last field are certain) */
	for (i = 0; i < len; i++)
		if (line[i] == ' ')
			ck_assert_int_ne(xferfile_parse(&back, line, i), 0);
	/* a trailing space, a second space, a sign, a leading zero */
	snprintf(bad, sizeof(bad), "%.*s ", (int)len, line);
	ck_assert_int_ne(xferfile_parse(&back, bad, len + 1), 0);
	snprintf(bad, sizeof(bad), "7  %s", line + 2);
	ck_assert_int_ne(xferfile_parse(&back, bad, strlen(bad)), 0);
	snprintf(bad, sizeof(bad), "07%s", line + 1);
	ck_assert_int_ne(xferfile_parse(&back, bad, strlen(bad)), 0);
	snprintf(bad, sizeof(bad), "-7%s", line + 1);
	ck_assert_int_ne(xferfile_parse(&back, bad, strlen(bad)), 0);
	/* done beyond the total; an unknown state; a relative download path */
	r.done = r.total + 1;
	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	ck_assert_int_ne(xferfile_parse(&back, line, len - 1), 0);
	r = sample();
	r.state = 'x';
	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	ck_assert_int_ne(xferfile_parse(&back, line, len - 1), 0);
	r = sample();
	snprintf(r.path, sizeof(r.path), "relative/file");
	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	ck_assert_int_ne(xferfile_parse(&back, line, len - 1), 0);
	/* a control byte in a decoded string */
	r = sample();
	snprintf(r.why, sizeof(r.why), "line\nbreak");
	ck_assert_int_eq(xferfile_format(&r, line, sizeof(line), &len), 0);
	ck_assert_int_ne(xferfile_parse(&back, line, len - 1), 0);
}
END_TEST

static char adir[64], apath[96];

static void
asetup(void)
{
	snprintf(adir, sizeof(adir), "/tmp/wisp-area-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(adir));
	snprintf(apath, sizeof(apath), "%s/1.blocks", adir);
}

static void
ateardown(void)
{
	unlink(apath);
	rmdir(adir);
}

static void
block_of(uint32_t n, uint8_t blk[CHK_BLOCK_LEN], struct chk_keys *k)
{
	uint8_t data[16] = { 0 };

	memcpy(data, &n, sizeof(n));
	ck_assert_int_eq(chk_encode(blk, k, data, sizeof(data)), 0);
}

/* xor_byte flips bit 7 of the byte at |off|: in the clear or under a
 * stream cipher alike, the plaintext's byte changes the same way. */
static void
xor_byte(off_t off)
{
	uint8_t c;
	int fd = open(apath, O_RDWR);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, off), 1);
	c ^= 0x80;
	ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

/* Each case twice: _i 0 in the clear (format 1), 1 sealed (format 2). */
START_TEST(test_area_keeps_and_cuts)
{
	static uint8_t blk[CHK_BLOCK_LEN], out[CHK_BLOCK_LEN], raw[1 << 16];
	static const uint8_t sealkey[32] = { 7, 7, 7 };
	const uint8_t *key = _i ? sealkey : NULL;
	const off_t rec = _i ? 60 : 36; /* a record's bytes before its block */
	const off_t tail = _i ? 16 : 0; /* and after it: the box's tag */
	struct chk_keys k;
	struct area *a;
	uint8_t rkey[32];
	uint64_t cut;
	size_t len;
	uint32_t i;
	struct stat st;
	ssize_t got;
	int fd;

	ck_assert_int_eq(area_open(&a, apath, key, 0, NULL), WISP_ERR_NOTFOUND);
	ck_assert_int_eq(area_open(&a, apath, key, 1, &cut), 0);
	for (i = 0; i < 600; i++) { /* past the first index sizes */
		block_of(i, blk, &k);
		ck_assert_int_eq(area_add(a, k.routing, blk, CHK_BLOCK_LEN), 0);
		ck_assert_int_eq(area_add(a, k.routing, blk, CHK_BLOCK_LEN), 0); /* once */
	}
	ck_assert_uint_eq(area_count(a), 600);
	block_of(599, blk, &k);
	ck_assert_int_eq(area_get(a, k.routing, out, sizeof(out), &len), 0);
	ck_assert_mem_eq(out, blk, CHK_BLOCK_LEN);
	ck_assert_int_eq(area_at(a, 3, rkey, out, sizeof(out), &len), 0);
	block_of(3, blk, &k);
	ck_assert_mem_eq(rkey, k.routing, 32);
	block_of(600, blk, &k);
	ck_assert_int_eq(area_get(a, k.routing, out, sizeof(out), &len), WISP_ERR_NOTFOUND);
	ck_assert_int_eq(area_sync(a), 0);
	area_close(a);
	/* Sealed, the file shows neither a routing key nor a block's bytes,
	 * and opening it as the other kind of area is refused. */
	block_of(0, blk, &k);
	fd = open(apath, O_RDONLY);
	got = read(fd, raw, sizeof(raw));
	close(fd);
	ck_assert_int_gt(got, 16 + rec + 64);
	ck_assert_int_eq(memmem(raw, (size_t)got, k.routing, 32) != NULL, !_i);
	ck_assert_int_eq(memmem(raw, (size_t)got, blk + 100, 64) != NULL, !_i);
	ck_assert_int_eq(area_open(&a, apath, _i ? NULL : sealkey, 0, &cut), WISP_ERR_VERSION);
	/* A torn last record (a crash mid-write) is cut at the next open. */
	ck_assert_int_eq(stat(apath, &st), 0);
	ck_assert_int_eq(truncate(apath, st.st_size - 100), 0);
	ck_assert_int_eq(area_open(&a, apath, key, 0, &cut), 0);
	ck_assert_uint_eq(area_count(a), 599);
	ck_assert_uint_eq(cut, (uint64_t)(rec + CHK_BLOCK_LEN + tail) - 100);
	/* A rotted byte: the block is refused when read, not handed on. */
	area_close(a);
	xor_byte(16 + rec + 500);
	ck_assert_int_eq(area_open(&a, apath, key, 0, &cut), 0);
	ck_assert_int_eq(area_at(a, 0, rkey, out, sizeof(out), &len), WISP_ERR_VERIFY);
	ck_assert_int_eq(area_at(a, 1, rkey, out, sizeof(out), &len), 0);
	/* An impossible length ends the file there. */
	area_close(a);
	xor_byte(16 + 2 * (rec + CHK_BLOCK_LEN + tail) + rec - 4);
	ck_assert_int_eq(area_open(&a, apath, key, 0, &cut), 0);
	ck_assert_uint_eq(area_count(a), 2);
	area_close(a);
	/* Not an area at all. */
	fd = open(apath, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "hello, this is not it", 21), 21);
	close(fd);
	ck_assert_int_eq(area_open(&a, apath, key, 0, &cut), WISP_ERR_MALFORMED);
}
END_TEST

/* A sealed area of format 2 (before blocks were boxed) is still read,
 * each block checked against its key; written here by hand as 2026-11's
 * wispd wrote it. */
START_TEST(test_area_reads_format_2)
{
	static uint8_t blk[CHK_BLOCK_LEN], out[CHK_BLOCK_LEN], rec[24 + 36 + CHK_BLOCK_LEN];
	static const uint8_t key[32] = { 3, 1, 4 };
	struct chk_keys k;
	struct area *a;
	uint8_t rkey[32];
	size_t len;
	uint32_t i;
	int fd = open(apath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "wisp-area 2\n\0\0\0\0", 16), 16);
	for (i = 0; i < 3; i++) {
		block_of(i, blk, &k);
		randombytes_buf(rec, 24);
		memcpy(rec + 24, k.routing, 32);
		store_u32be(rec + 24 + 32, CHK_BLOCK_LEN);
		crypto_stream_xchacha20_xor_ic(rec + 24, rec + 24, 36, rec, 0, key);
		crypto_stream_xchacha20_xor_ic(rec + 60, blk, CHK_BLOCK_LEN, rec, 1, key);
		ck_assert_int_eq(write(fd, rec, sizeof(rec)), (ssize_t)sizeof(rec));
	}
	close(fd);
	xor_byte(16 + (off_t)sizeof(rec) + 60 + 9); /* block 1 rots */
	ck_assert_int_eq(area_open(&a, apath, key, 0, NULL), 0);
	ck_assert_uint_eq(area_count(a), 3);
	ck_assert_int_eq(area_at(a, 2, rkey, out, sizeof(out), &len), 0);
	block_of(2, blk, &k);
	ck_assert_mem_eq(out, blk, CHK_BLOCK_LEN);
	ck_assert_mem_eq(rkey, k.routing, 32);
	ck_assert_int_eq(area_at(a, 1, rkey, out, sizeof(out), &len), WISP_ERR_VERIFY);
	/* added to now, it stays format 2: one file, one layout */
	block_of(3, blk, &k);
	ck_assert_int_eq(area_add(a, k.routing, blk, CHK_BLOCK_LEN), 0);
	area_close(a);
	ck_assert_int_eq(area_open(&a, apath, key, 0, NULL), 0);
	ck_assert_uint_eq(area_count(a), 4);
	ck_assert_int_eq(area_at(a, 3, rkey, out, sizeof(out), &len), 0);
	ck_assert_mem_eq(out, blk, CHK_BLOCK_LEN);
	area_close(a);
	ck_assert_int_eq(area_open(&a, apath, NULL, 0, NULL), WISP_ERR_VERSION);
}
END_TEST

/* A boxed block moved into another record's place does not open there:
 * the header it was boxed with is part of the box. */
START_TEST(test_area_box_bound_to_record)
{
	static uint8_t blk[CHK_BLOCK_LEN], out[CHK_BLOCK_LEN], moved[CHK_BLOCK_LEN + 16];
	static const uint8_t key[32] = { 5 };
	const off_t rec = 60 + CHK_BLOCK_LEN + 16;
	struct chk_keys k;
	struct area *a;
	uint8_t rkey[32];
	size_t len;
	uint32_t i;
	int fd;

	ck_assert_int_eq(area_open(&a, apath, key, 1, NULL), 0);
	for (i = 0; i < 2; i++) {
		block_of(i, blk, &k);
		ck_assert_int_eq(area_add(a, k.routing, blk, CHK_BLOCK_LEN), 0);
	}
	area_close(a);
	fd = open(apath, O_RDWR);
	ck_assert_int_eq(pread(fd, moved, sizeof(moved), 16 + rec + 60), (ssize_t)sizeof(moved));
	ck_assert_int_eq(pwrite(fd, moved, sizeof(moved), 16 + 60), (ssize_t)sizeof(moved));
	close(fd);
	ck_assert_int_eq(area_open(&a, apath, key, 0, NULL), 0);
	ck_assert_int_eq(area_at(a, 0, rkey, out, sizeof(out), &len), WISP_ERR_VERIFY);
	ck_assert_int_eq(area_at(a, 1, rkey, out, sizeof(out), &len), 0);
	block_of(1, blk, &k);
	ck_assert_mem_eq(out, blk, CHK_BLOCK_LEN);
	area_close(a);
}
END_TEST

/* A batch sealed off the area (area_seal) and added in one write reads
 * back as blocks added one by one do, across a reopen, in the clear or
 * sealed; a key held, or twice in the batch, is kept once; and the file
 * is the same size as area_add's. */
START_TEST(test_area_batch_sealed)
{
	static uint8_t blk[CHK_BLOCK_LEN], out[CHK_BLOCK_LEN], recs[8][60 + CHK_BLOCK_LEN + 16];
	static const uint8_t sealkey[32] = { 9, 9 };
	uint8_t keys[8][32], rkey[32];
	struct area_rec r[8];
	struct area_sealer m;
	struct chk_keys k;
	struct area *a;
	struct stat st;
	off_t one;
	size_t len;
	uint32_t i;

	ck_assert_int_eq(area_open(&a, apath, _i ? sealkey : NULL, 1, NULL), 0);
	block_of(0, blk, &k);
	ck_assert_int_eq(area_add(a, k.routing, blk, CHK_BLOCK_LEN), 0);
	ck_assert_int_eq(stat(apath, &st), 0);
	one = st.st_size - 16; /* past the file's header: one record */
	area_sealer_get(a, &m);
	ck_assert_uint_eq(area_rec_len(&m, CHK_BLOCK_LEN), (uint64_t)one);
	for (i = 0; i < 8; i++) { /* blocks 0 (held), 1..6, and 3 again */
		block_of(i == 7 ? 3 : i, blk, &k);
		memcpy(keys[i], k.routing, 32);
		ck_assert_int_eq(area_seal(&m, keys[i], blk, CHK_BLOCK_LEN, recs[i]), 0);
		r[i] = (struct area_rec){ keys[i], recs[i], CHK_BLOCK_LEN };
	}
	ck_assert_int_eq(area_seal(&m, keys[0], blk, 0, recs[0]), WISP_ERR_INVAL);
	area_sealer_wipe(&m);
	ck_assert_int_eq(area_add_sealed(a, r, 8), 0);
	ck_assert_uint_eq(area_count(a), 7);
	ck_assert_int_eq(area_add_sealed(a, r, AREA_BATCH_MAX + 1), WISP_ERR_INVAL);
	area_close(a);
	ck_assert_int_eq(stat(apath, &st), 0);
	ck_assert_int_eq(st.st_size, 16 + 7 * one);
	ck_assert_int_eq(area_open(&a, apath, _i ? sealkey : NULL, 0, NULL), 0);
	ck_assert_uint_eq(area_count(a), 7);
	for (i = 0; i < 7; i++) {
		block_of(i, blk, &k);
		ck_assert_int_eq(area_at(a, i, rkey, out, sizeof(out), &len), 0);
		ck_assert_mem_eq(rkey, k.routing, 32);
		ck_assert_mem_eq(out, blk, CHK_BLOCK_LEN);
	}
	area_close(a);
}
END_TEST

/* resident: how many of the |len| bytes at |off| of |fd|'s file are in
 * the page cache, in pages. */
static size_t
resident(int fd, size_t off, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = len / pg, k = 0, i;
	unsigned char v[FLOW_CHUNK / 512];
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);

	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_uint_le(n, sizeof(v));
	ck_assert_int_eq(mincore(m, len, v), 0);
	for (i = 0; i < n; i++)
		k += v[i] & 1;
	munmap(m, len);
	return k;
}

/* A file written through a flow leaves the page cache behind it: a chunk
 * two chunks back, written out by then, is gone from the cache, the last
 * ones are there, and the file reads back whole. The same writes without
 * the flow stay cached (else this filesystem keeps no page cache of its
 * own, and the test says nothing). */
START_TEST(test_flow_leaves_cache)
{
	static uint8_t chunk[FLOW_CHUNK], back[FLOW_CHUNK];
	const size_t n = 6;
	struct flow f;
	size_t c, pages = FLOW_CHUNK / (size_t)sysconf(_SC_PAGESIZE);
	int fd;

	fd = open(apath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	flow_init(&f, fd);
	for (c = 0; c < n; c++) {
		memset(chunk, (int)c + 1, sizeof(chunk));
		ck_assert_int_eq(pwrite(fd, chunk, sizeof(chunk), (off_t)(c * FLOW_CHUNK)), (ssize_t)sizeof(chunk));
		ck_assert_int_eq(fdatasync(fd), 0); /* written out: the flow may drop it */
		if (_i)
			flow_wrote(&f, c * FLOW_CHUNK, FLOW_CHUNK);
	}
	if (!_i) {
		ck_assert_uint_eq(resident(fd, 0, FLOW_CHUNK), pages);
	} else {
		for (c = 0; c + 2 < n; c++)
			ck_assert_uint_eq(resident(fd, c * FLOW_CHUNK, FLOW_CHUNK), 0);
		ck_assert_uint_eq(resident(fd, (n - 1) * FLOW_CHUNK, FLOW_CHUNK), pages);
	}
	for (c = 0; c < n; c++) {
		memset(chunk, (int)c + 1, sizeof(chunk));
		ck_assert_int_eq(pread(fd, back, sizeof(back), (off_t)(c * FLOW_CHUNK)), (ssize_t)sizeof(back));
		ck_assert_mem_eq(back, chunk, sizeof(chunk));
	}
	close(fd);
}
END_TEST

Suite *
transfer_suite(void)
{
	Suite *s = suite_create("transfer");
	TCase *tc = tcase_create("file");
	TCase *ta = tcase_create("area");

	tcase_add_test(tc, test_xferfile_roundtrip);
	tcase_add_test(tc, test_xferfile_refuses);
	tcase_add_checked_fixture(ta, asetup, ateardown);
	tcase_add_loop_test(ta, test_area_keeps_and_cuts, 0, 2);
	tcase_add_loop_test(ta, test_area_batch_sealed, 0, 2);
	tcase_add_test(ta, test_area_reads_format_2);
	tcase_add_test(ta, test_area_box_bound_to_record);
	tcase_add_loop_test(ta, test_flow_leaves_cache, 0, 2);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ta);
	return s;
}
