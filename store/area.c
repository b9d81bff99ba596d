/* area.c: a transfer's blocks in an append-only file (area.h). The index
 * is in memory: the records in file order, and an open-addressing table
 * from key to record for lookups. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/block.h"
#include "crypto/bytes.h"
#include "crypto/chk.h"
#include "crypto/flow.h"
#include "store/area.h"

#define AREA_MAGIC "wisp-area 1\n\0\0\0\0"
#define AREA_MAGIC_STREAM "wisp-area 2\n\0\0\0\0"
#define AREA_MAGIC_SEALED "wisp-area 3\n\0\0\0\0"
enum { HDR_LEN = 16, REC_HDR = 36, NONCE = 24, TAG = 16, BLOCK_MAX = 32792 };

/* How records are kept: format 1 in the clear, 2 streamed (still read,
 * each block checked against its key), 3 the header streamed and the
 * block boxed, so reading one back needs no hash of it. */
enum { PLAIN = 0, STREAM = 2, BOXED = 3 };

struct rec {
	uint8_t key[32];
	uint64_t off;  /* of the block itself */
	uint32_t len;
};

struct area {
	int fd;
	int sealed;         /* PLAIN, STREAM or BOXED */
	uint8_t key[32];    /* the header's stream (and format 2's block's) */
	uint8_t box[32];    /* format 3's blocks, a subkey of |key| */
	uint64_t end;       /* where the next record goes */
	struct flow flow;   /* written once, read back seldom (flow.h) */
	struct rec *r;
	uint64_t n, cap;
	uint64_t *slot;     /* record index + 1; 0: empty */
	uint64_t nslot;     /* a power of two, at least twice n */
};

static uint64_t
hash_of(const uint8_t key[32])
{
	return load_u64be(key); /* routing keys are hashes already */
}

static int64_t
find(const struct area *a, const uint8_t key[32])
{
	uint64_t i;

	if (!a->nslot)
		return -1;
	for (i = hash_of(key) & (a->nslot - 1); a->slot[i]; i = (i + 1) & (a->nslot - 1))
		if (memcmp(a->r[a->slot[i] - 1].key, key, 32) == 0)
			return (int64_t)(a->slot[i] - 1);
	return -1;
}

static void
slot_put(uint64_t *slot, uint64_t nslot, const uint8_t key[32], uint64_t idx)
{
	uint64_t i;

	for (i = hash_of(key) & (nslot - 1); slot[i]; i = (i + 1) & (nslot - 1))
		;
	slot[i] = idx + 1;
}

/* index_reserve makes room for |k| more records, so that index_add of
 * them cannot fail. */
static int
index_reserve(struct area *a, uint64_t k)
{
	if (a->n + k > a->cap) {
		uint64_t cap = a->cap ? a->cap : 256;
		struct rec *r;
		while (cap < a->n + k)
			cap *= 2;
		if (!(r = realloc(a->r, cap * sizeof(*r))))
			return WISP_ERR_NOMEM;
		a->r = r;
		a->cap = cap;
	}
	if (2 * (a->n + k) > a->nslot) {
		uint64_t ns = a->nslot ? a->nslot : 512, i;
		uint64_t *sl;
		while (2 * (a->n + k) > ns)
			ns *= 2;
		if (!(sl = calloc(ns, sizeof(*sl))))
			return WISP_ERR_NOMEM;
		for (i = 0; i < a->n; i++)
			slot_put(sl, ns, a->r[i].key, i);
		free(a->slot);
		a->slot = sl;
		a->nslot = ns;
	}
	return 0;
}

/* index_add records a block at |off|; the table grows to stay half empty. */
static int
index_add(struct area *a, const uint8_t key[32], uint64_t off, uint32_t len)
{
	int rc = index_reserve(a, 1);

	if (rc != 0)
		return rc;
	memcpy(a->r[a->n].key, key, 32);
	a->r[a->n].off = off;
	a->r[a->n].len = len;
	slot_put(a->slot, a->nslot, key, a->n);
	a->n++;
	return 0;
}

/* rec_hdr: the bytes of a record before its block. */
static uint64_t
rec_hdr(const struct area *a)
{
	return a->sealed ? NONCE + REC_HDR : REC_HDR;
}

/* rec_tail: the bytes of a record after its block. */
static uint64_t
rec_tail(const struct area *a)
{
	return a->sealed == BOXED ? TAG : 0;
}

static int
read_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t put = 0;

	while (put < len) {
		ssize_t w = pwrite(fd, (const uint8_t *)buf + put, len - put, (off_t)(off + put));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

/* scan reads the records; the first that is torn or impossible ends the
 * file there (what follows it cannot be framed). */
static int
scan(struct area *a, uint64_t size, uint64_t *cut)
{
	uint8_t raw[NONCE + REC_HDR], *h = raw + NONCE;
	uint64_t off = HDR_LEN, rh = rec_hdr(a);
	int rc;

	while (off + rh <= size) {
		uint32_t len;
		if (read_all(a->fd, a->sealed ? raw : h, rh, off) != 0)
			return WISP_ERR_IO;
		if (a->sealed)
			crypto_stream_xchacha20_xor_ic(h, h, REC_HDR, raw, 0, a->key);
		len = load_u32be(h + 32);
		if (len == 0 || len > BLOCK_MAX || off + rh + len + rec_tail(a) > size)
			break;
		if (find(a, h) < 0 && (rc = index_add(a, h, off + rh, len)) != 0)
			return rc;
		off += rh + len + rec_tail(a);
	}
	if (cut)
		*cut = size - off;
	if (off < size && ftruncate(a->fd, (off_t)off) != 0)
		return WISP_ERR_IO;
	a->end = off;
	return 0;
}

int
area_open(struct area **out, const char *path, const uint8_t *key, int create, uint64_t *cut)
{
	struct area *a = calloc(1, sizeof(*a));
	const char *magic = key ? AREA_MAGIC_SEALED : AREA_MAGIC;
	static const uint8_t box_ctx[crypto_generichash_KEYBYTES] = "wisp area block box";
	char hdr[HDR_LEN];
	struct stat st;
	int rc;

	*out = NULL;
	if (cut)
		*cut = 0;
	if (!a)
		return WISP_ERR_NOMEM;
	if (key) {
		a->sealed = BOXED;
		memcpy(a->key, key, sizeof(a->key));
		crypto_generichash(a->box, sizeof(a->box), box_ctx, sizeof(box_ctx), key, 32);
	}
	a->fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (a->fd < 0) {
		rc = errno == ENOENT && !create ? WISP_ERR_NOTFOUND : WISP_ERR_IO;
		free(a);
		return rc;
	}
	flow_init(&a->flow, a->fd);
	if (fstat(a->fd, &st) != 0) {
		rc = WISP_ERR_IO;
		goto fail;
	}
	if (st.st_size == 0) {
		rc = write_all(a->fd, magic, HDR_LEN, 0) == 0 ? 0 : WISP_ERR_IO;
		a->end = HDR_LEN;
	} else if (st.st_size < HDR_LEN || read_all(a->fd, hdr, HDR_LEN, 0) != 0) {
		rc = WISP_ERR_MALFORMED;
	} else if (key && memcmp(hdr, AREA_MAGIC_STREAM, HDR_LEN) == 0) {
		a->sealed = STREAM; /* made before format 3: read as it was written */
		rc = scan(a, (uint64_t)st.st_size, cut);
	} else if (memcmp(hdr, magic, HDR_LEN) != 0) {
		/* the other kind: in the clear where a seal is wanted, or
		 * sealed and opened without the key */
		rc = memcmp(hdr, key ? AREA_MAGIC : AREA_MAGIC_SEALED, HDR_LEN) == 0 ||
		    (!key && memcmp(hdr, AREA_MAGIC_STREAM, HDR_LEN) == 0) ? WISP_ERR_VERSION : WISP_ERR_MALFORMED;
	} else {
		rc = scan(a, (uint64_t)st.st_size, cut);
	}
	if (rc == 0) {
		*out = a;
		return 0;
	}
fail:
	area_close(a);
	return rc;
}

void
area_close(struct area *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	sodium_memzero(a->key, sizeof(a->key));
	sodium_memzero(a->box, sizeof(a->box));
	free(a->r);
	free(a->slot);
	free(a);
}

void
area_sealer_get(const struct area *a, struct area_sealer *m)
{
	m->mode = a->sealed;
	memcpy(m->key, a->key, sizeof(m->key));
	memcpy(m->box, a->box, sizeof(m->box));
}

void
area_sealer_wipe(struct area_sealer *m)
{
	sodium_memzero(m, sizeof(*m));
}

size_t
area_rec_len(const struct area_sealer *m, size_t len)
{
	return (m->mode ? NONCE + REC_HDR : REC_HDR) + len + (m->mode == BOXED ? TAG : 0);
}

/* area_seal reads nothing of the area but what |m| copied of it. */
int
area_seal(const struct area_sealer *m, const uint8_t rkey[32], const uint8_t *block, size_t len, uint8_t *out)
{
	uint8_t *h = m->mode ? out + NONCE : out;

	if (len == 0 || len > BLOCK_MAX)
		return WISP_ERR_INVAL;
	memcpy(h, rkey, 32);
	store_u32be(h + 32, (uint32_t)len);
	if (m->mode == BOXED) {
		/* the header in the clear is the box's associated data: a
		 * record's block cannot be passed off as another's */
		randombytes_buf(out, NONCE);
		crypto_aead_xchacha20poly1305_ietf_encrypt_detached(h + REC_HDR, h + REC_HDR + len, NULL, block, len,
		    h, REC_HDR, NULL, out, m->box);
		crypto_stream_xchacha20_xor_ic(h, h, REC_HDR, out, 0, m->key);
	} else if (m->mode == STREAM) {
		randombytes_buf(out, NONCE);
		crypto_stream_xchacha20_xor_ic(h, h, REC_HDR, out, 0, m->key);
		crypto_stream_xchacha20_xor_ic(h + REC_HDR, block, len, out, 1, m->key);
	} else {
		memcpy(h + REC_HDR, block, len);
	}
	return 0;
}

/* put_records writes |iov| at |off| whole; on a failure it cuts the file
 * back to |off| (a torn record would be cut at the next open anyway). */
static int
put_records(struct area *a, struct iovec *iov, int n, uint64_t off)
{
	while (n > 0) {
		ssize_t w = pwritev(a->fd, iov, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			(void)!ftruncate(a->fd, (off_t)a->end);
			errno = e;
			return WISP_ERR_IO;
		}
		off += (uint64_t)w;
		for (; n > 0 && (size_t)w >= iov->iov_len; n--, iov++)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
area_add(struct area *a, const uint8_t rkey[32], const uint8_t *block, size_t len)
{
	uint8_t raw[NONCE + REC_HDR + BLOCK_MAX + TAG];
	struct area_rec r = { rkey, raw, len };
	struct area_sealer m;
	int rc;

	if (len == 0 || len > BLOCK_MAX)
		return WISP_ERR_INVAL;
	if (find(a, rkey) >= 0)
		return 0;
	area_sealer_get(a, &m);
	rc = area_seal(&m, rkey, block, len, raw);
	area_sealer_wipe(&m);
	return rc ? rc : area_add_sealed(a, &r, 1);
}

/* at most IOV_MAX (1024 on Linux) vectors a write */
_Static_assert(AREA_BATCH_MAX <= 1024, "one pwritev a batch");

int
area_add_sealed(struct area *a, const struct area_rec *r, size_t n)
{
	struct iovec iov[AREA_BATCH_MAX];
	uint32_t take[AREA_BATCH_MAX];
	uint64_t rh = rec_hdr(a), rt = rec_tail(a), off = a->end;
	size_t i, j, k = 0;
	int rc;

	if (n > AREA_BATCH_MAX)
		return WISP_ERR_INVAL;
	for (i = 0; i < n; i++) {
		if (r[i].len == 0 || r[i].len > BLOCK_MAX)
			return WISP_ERR_INVAL;
		if (find(a, r[i].rkey) >= 0)
			continue;
		for (j = 0; j < k && memcmp(r[take[j]].rkey, r[i].rkey, 32) != 0; j++)
			;
		if (j < k)
			continue; /* twice in this batch */
		iov[k] = (struct iovec){ (void *)(uintptr_t)r[i].rec, rh + r[i].len + rt }; /* only read */
		take[k++] = (uint32_t)i;
	}
	if (k == 0)
		return 0;
	if ((rc = index_reserve(a, k)) != 0 || (rc = put_records(a, iov, (int)k, off)) != 0)
		return rc;
	for (j = 0; j < k; j++) {
		const struct area_rec *x = &r[take[j]];
		(void)index_add(a, x->rkey, off + rh, (uint32_t)x->len); /* room was made */
		off += rh + x->len + rt;
	}
	flow_wrote(&a->flow, a->end, off - a->end);
	a->end = off;
	return 0;
}

int
area_sync(struct area *a)
{
	return fdatasync(a->fd) == 0 ? 0 : WISP_ERR_IO;
}

int
area_sync_fd(const struct area *a)
{
	return fcntl(a->fd, F_DUPFD_CLOEXEC, 0);
}

static int
read_rec(struct area *a, const struct rec *r, uint8_t *out, size_t cap, size_t *len)
{
	if (r->len > cap)
		return WISP_ERR_TOOBIG;
	if (a->sealed == BOXED) {
		uint8_t nonce[NONCE], h[REC_HDR], sealed_h[REC_HDR], tag[TAG];
		/* the record whole, in one read; its sealed header is known */
		struct iovec v[4] = { { nonce, NONCE }, { sealed_h, REC_HDR }, { out, r->len }, { tag, TAG } };
		memcpy(h, r->key, 32);
		store_u32be(h + 32, r->len);
		if (preadv(a->fd, v, 4, (off_t)(r->off - NONCE - REC_HDR)) != (ssize_t)(NONCE + REC_HDR + r->len + TAG))
			return WISP_ERR_IO;
		/* it opens only as it was added, and it was checked then */
		if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, NULL, out, r->len, tag, h, REC_HDR,
		    nonce, a->box) != 0)
			return WISP_ERR_VERIFY;
		*len = r->len;
		return 0;
	}
	if (read_all(a->fd, out, r->len, r->off) != 0)
		return WISP_ERR_IO;
	if (a->sealed) {
		uint8_t nonce[NONCE];
		if (read_all(a->fd, nonce, NONCE, r->off - NONCE - REC_HDR) != 0)
			return WISP_ERR_IO;
		crypto_stream_xchacha20_xor_ic(out, out, r->len, nonce, 1, a->key);
	}
	if (block_verify(out, r->len, r->key) != 0)
		return WISP_ERR_VERIFY;
	*len = r->len;
	return 0;
}

int
area_get(struct area *a, const uint8_t rkey[32], uint8_t *out, size_t cap, size_t *len)
{
	int64_t i = find(a, rkey);

	return i < 0 ? WISP_ERR_NOTFOUND : read_rec(a, &a->r[i], out, cap, len);
}

int
area_at(struct area *a, uint64_t i, uint8_t rkey[32], uint8_t *out, size_t cap, size_t *len)
{
	if (i >= a->n)
		return WISP_ERR_NOTFOUND;
	memcpy(rkey, a->r[i].key, 32);
	return read_rec(a, &a->r[i], out, cap, len);
}

uint64_t
area_count(const struct area *a)
{
	return a->n;
}
