#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

#include "crypto/fec.h"

int
fec_params_ok(unsigned k, unsigned m)
{
	return k >= 1 && m <= k && k + m <= FEC_BLOCKS_MAX;
}

unsigned
fec_checks(unsigned d, unsigned k, unsigned m)
{
	return (unsigned)(((uint64_t)d * m + k - 1) / k);
}

uint64_t
fec_nsegs(uint64_t blocks, unsigned k)
{
	return (blocks + k - 1) / k;
}

/* A short last segment would be the file's weak point (one block and its
 * one check die together far more often than half of 256 blocks do), so
 * when the rest is under half a segment, the last two share their blocks
 * evenly. The encoder can still stream: it holds one and a half segments. */
static int
balanced(uint64_t blocks, unsigned k, uint64_t *rest)
{
	uint64_t s = fec_nsegs(blocks, k);

	*rest = blocks - (s - 1) * k;
	return s >= 2 && *rest < (k + 1) / 2;
}

void
fec_seg_at(uint64_t blocks, unsigned k, unsigned m, uint64_t i, struct fec_seg *s)
{
	uint64_t n = fec_nsegs(blocks, k), rest;
	unsigned a;

	s->first_data = i * k;
	s->first_leaf = i * (k + m);
	s->d = k;
	if (balanced(blocks, k, &rest) && i >= n - 2) {
		a = (unsigned)((k + rest + 1) / 2);
		if (i == n - 2) {
			s->d = a;
		} else {
			s->first_data = (n - 2) * k + a;
			s->first_leaf = (n - 2) * (k + m) + a + fec_checks(a, k, m);
			s->d = (unsigned)((k + rest) / 2);
		}
	} else if (i == n - 1) {
		s->d = (unsigned)rest;
	}
	s->c = fec_checks(s->d, k, m);
}

uint64_t
fec_seg_of(uint64_t blocks, unsigned k, uint64_t b)
{
	uint64_t n = fec_nsegs(blocks, k), rest, i = b / k;

	if (balanced(blocks, k, &rest) && i >= n - 2)
		return b - (n - 2) * k < (k + rest + 1) / 2 ? n - 2 : n - 1;
	return i < n ? i : n - 1;
}

uint64_t
fec_leaves(uint64_t blocks, unsigned k, unsigned m)
{
	struct fec_seg s;

	if (blocks == 0)
		return 0;
	fec_seg_at(blocks, k, m, fec_nsegs(blocks, k) - 1, &s);
	return s.first_leaf + s.d + s.c;
}

/* rows_apply computes out[i] = Σ_j coef[i][j]·in[j] over GF(2^8). */
static int
rows_apply(unsigned nin, unsigned nout, unsigned char *coef, uint8_t *const *in, uint8_t **out,
    size_t len)
{
	unsigned char *tables;

	if (nout == 0)
		return 0;
	if (len > INT32_MAX || !(tables = malloc((size_t)32 * nin * nout)))
		return len > INT32_MAX ? WISP_ERR_INVAL : WISP_ERR_NOMEM;
	ec_init_tables((int)nin, (int)nout, coef, tables);
	ec_encode_data((int)len, (int)nin, (int)nout, tables, (unsigned char **)(uintptr_t)in, out);
	free(tables);
	return 0;
}

int
fec_encode(unsigned d, unsigned c, uint8_t *const *data, uint8_t **checks, size_t len)
{
	unsigned char *gen;
	int rc;

	if (d == 0 || d + c > FEC_BLOCKS_MAX)
		return WISP_ERR_INVAL;
	if (!(gen = malloc((size_t)(d + c) * d)))
		return WISP_ERR_NOMEM;
	gf_gen_cauchy1_matrix(gen, (int)(d + c), (int)d);
	rc = rows_apply(d, c, gen + (size_t)d * d, data, checks, len);
	free(gen);
	return rc;
}

int
fec_rebuild(unsigned d, unsigned c, const unsigned *have_idx, uint8_t *const *have,
    unsigned nwant, const unsigned *want, uint8_t **out, size_t len)
{
	unsigned char *gen, *sub, *inv, *coef;
	unsigned i, j, l;
	int rc = WISP_ERR_NOMEM;

	if (d == 0 || d + c > FEC_BLOCKS_MAX || nwant > d + c)
		return WISP_ERR_INVAL;
	for (i = 0; i < d; i++)
		if (have_idx[i] >= d + c)
			return WISP_ERR_INVAL;
	for (i = 0; i < nwant; i++)
		if (want[i] >= d + c)
			return WISP_ERR_INVAL;
	if (!(gen = malloc((size_t)(d + c) * d + (size_t)d * d * 2 + (size_t)nwant * d + 1)))
		return WISP_ERR_NOMEM;
	sub = gen + (size_t)(d + c) * d;
	inv = sub + (size_t)d * d;
	coef = inv + (size_t)d * d;
	gf_gen_cauchy1_matrix(gen, (int)(d + c), (int)d);
	/* The rows of the blocks we have, inverted, map them back to the data;
	 * a singular choice means two of them were the same block. */
	for (i = 0; i < d; i++)
		memcpy(sub + (size_t)i * d, gen + (size_t)have_idx[i] * d, d);
	if (gf_invert_matrix(sub, inv, (int)d) != 0) {
		rc = WISP_ERR_INVAL;
		goto out;
	}
	/* Each wanted block is its generator row times that inverse. */
	for (l = 0; l < nwant; l++) {
		const unsigned char *row = gen + (size_t)want[l] * d;
		for (j = 0; j < d; j++) {
			unsigned char acc = 0;
			for (i = 0; i < d; i++)
				acc ^= gf_mul(row[i], inv[(size_t)i * d + j]);
			coef[(size_t)l * d + j] = acc;
		}
	}
	rc = rows_apply(d, nwant, coef, have, out, len);
out:
	free(gen);
	return rc;
}
