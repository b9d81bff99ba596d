/* bytes.h: a bounded cursor for reading and writing wire and disk formats.
 * Every read checks the remaining length first; nothing casts wire bytes
 * to structs. */
#ifndef WISP_BYTES_H
#define WISP_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/err.h"

struct rd {
	const uint8_t *p;
	size_t left;
};

struct wr {
	uint8_t *p;
	size_t left;
	int err; /* sticky: first overflow turns every later write into a no-op */
};

static inline void rd_init(struct rd *r, const void *buf, size_t len) { r->p = buf; r->left = len; }
static inline void wr_init(struct wr *w, void *buf, size_t len) { w->p = buf; w->left = len; w->err = 0; }

static inline int
rd_bytes(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return WISP_ERR_TRUNCATED;
	if (n)
		memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

/* rd_ref points |*out| at the next |n| bytes without copying. */
static inline int
rd_ref(struct rd *r, const uint8_t **out, size_t n)
{
	if (r->left < n)
		return WISP_ERR_TRUNCATED;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static inline int rd_u8(struct rd *r, uint8_t *v) { return rd_bytes(r, v, 1); }

static inline int
rd_u16be(struct rd *r, uint16_t *v)
{
	uint8_t b[2];
	int rc = rd_bytes(r, b, 2);
	if (rc == 0)
		*v = (uint16_t)((unsigned)b[0] << 8 | b[1]);
	return rc;
}

static inline int
rd_u32be(struct rd *r, uint32_t *v)
{
	uint8_t b[4];
	int rc = rd_bytes(r, b, 4);
	if (rc == 0)
		*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return rc;
}

static inline int
rd_u64be(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;
	int rc = rd_u32be(r, &hi);
	if (rc == 0 && (rc = rd_u32be(r, &lo)) == 0)
		*v = (uint64_t)hi << 32 | lo;
	return rc;
}

/* rd_end fails when bytes remain: formats never allow trailing garbage. */
static inline int rd_end(const struct rd *r) { return r->left ? WISP_ERR_MALFORMED : 0; }

static inline void
wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->err || w->left < n) {
		w->err = WISP_ERR_TOOBIG;
		return;
	}
	if (n)
		memcpy(w->p, src, n);
	w->p += n;
	w->left -= n;
}

static inline void
wr_zero(struct wr *w, size_t n)
{
	if (w->err || w->left < n) {
		w->err = WISP_ERR_TOOBIG;
		return;
	}
	memset(w->p, 0, n);
	w->p += n;
	w->left -= n;
}

static inline void wr_u8(struct wr *w, uint8_t v) { wr_bytes(w, &v, 1); }
static inline void wr_u16be(struct wr *w, uint16_t v) { uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v }; wr_bytes(w, b, 2); }

static inline void
wr_u32be(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	wr_bytes(w, b, 4);
}

static inline void wr_u64be(struct wr *w, uint64_t v) { wr_u32be(w, (uint32_t)(v >> 32)); wr_u32be(w, (uint32_t)v); }

static inline uint32_t
load_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
store_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline uint64_t load_u64be(const uint8_t *p) { return (uint64_t)load_u32be(p) << 32 | load_u32be(p + 4); }
static inline void store_u64be(uint8_t *p, uint64_t v) { store_u32be(p, (uint32_t)(v >> 32)); store_u32be(p + 4, (uint32_t)v); }

#endif
