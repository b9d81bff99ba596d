#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

#include "crypto/fec.h"

int
fec_params_ok(unsigned k, unsigned m)
{
	return k >= 1 && m <= k && k + m <= FEC_BLOCKS_MAX;
}

/* An index segment names the blocks of many data segments, so it is the
 * last place a file can afford to lose: whatever m is, it gets 8 checks
 * more than its data blocks (a 2-block index survives 10 of 12 lost). */
unsigned
fec_checks(unsigned d, unsigned k, unsigned m, int index)
{
	unsigned c = (unsigned)(((uint64_t)d * m + k - 1) / k);

	if (index && c < d + 8)
		c = d + 8;
	return c < FEC_BLOCKS_MAX - d ? c : FEC_BLOCKS_MAX - d;
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
fec_seg_at(uint64_t blocks, unsigned k, unsigned m, int index, uint64_t i, struct fec_seg *s)
{
	uint64_t n = fec_nsegs(blocks, k), rest;
	unsigned a, full = k + fec_checks(k, k, m, index);

	s->first_data = i * k;
	s->first_leaf = i * full;
	s->d = k;
	if (balanced(blocks, k, &rest) && i >= n - 2) {
		a = (unsigned)((k + rest + 1) / 2);
		if (i == n - 2) {
			s->d = a;
		} else {
			s->first_data = (n - 2) * k + a;
			s->first_leaf = (n - 2) * full + a + fec_checks(a, k, m, index);
			s->d = (unsigned)((k + rest) / 2);
		}
	} else if (i == n - 1) {
		s->d = (unsigned)rest;
	}
	s->c = fec_checks(s->d, k, m, index);
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
fec_leaves(uint64_t blocks, unsigned k, unsigned m, int index)
{
	struct fec_seg s;

	if (blocks == 0)
		return 0;
	fec_seg_at(blocks, k, m, index, fec_nsegs(blocks, k) - 1, &s);
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

/* fec_rebuild solves only for the data blocks that are missing: with w
 * of them gone, the survivors hold exactly w check blocks, and the w × w
 * system those checks make over the missing data is all there is to
 * invert (w³, not d³: a few losses cost little). Every wanted block is
 * then one row of coefficients over the survivors, applied by ISA-L. */
int
fec_rebuild(unsigned d, unsigned c, const unsigned *have_idx, uint8_t *const *have,
    unsigned nwant, const unsigned *want, uint8_t **out, size_t len)
{
	unsigned char *gen, *a, *ai, *dcoef, *coef;
	unsigned miss[FEC_BLOCKS_MAX], chk[FEC_BLOCKS_MAX], pos[FEC_BLOCKS_MAX];
	unsigned w = 0, nc = 0, i, j, l, r;
	uint8_t seen[FEC_BLOCKS_MAX] = { 0 };
	int rc = WISP_ERR_INVAL;

	if (d == 0 || d + c > FEC_BLOCKS_MAX || nwant > d + c)
		return WISP_ERR_INVAL;
	for (i = 0; i < d; i++) {
		if (have_idx[i] >= d + c || seen[have_idx[i]])
			return WISP_ERR_INVAL;
		seen[have_idx[i]] = 1;
		if (have_idx[i] >= d)
			chk[nc++] = i; /* position in |have| of a check block */
	}
	for (i = 0; i < nwant; i++)
		if (want[i] >= d + c)
			return WISP_ERR_INVAL;
	for (i = 0; i < d; i++)
		if (!seen[i])
			miss[w++] = i;
	/* w == nc, since |have| holds d distinct blocks */
	if (!(gen = malloc((size_t)(d + c) * d + (size_t)w * w * 2 + (size_t)w * d + (size_t)nwant * d + 1)))
		return WISP_ERR_NOMEM;
	a = gen + (size_t)(d + c) * d;
	ai = a + (size_t)w * w;
	dcoef = ai + (size_t)w * w;
	coef = dcoef + (size_t)w * d;
	gf_gen_cauchy1_matrix(gen, (int)(d + c), (int)d);
	for (r = 0; r < w; r++)
		for (j = 0; j < w; j++)
			a[r * w + j] = gen[(size_t)have_idx[chk[r]] * d + miss[j]];
	if (w && gf_invert_matrix(a, ai, (int)w) != 0)
		goto out; /* cannot happen with a Cauchy matrix */
	/* missing data j = Σ_r ai[j][r]·(check r + Σ_{present data i} G[r][i]·data i) */
	for (j = 0; j < w; j++) {
		unsigned char *row = dcoef + (size_t)j * d;
		for (l = 0; l < d; l++) {
			unsigned char acc = 0;
			if (have_idx[l] >= d) {
				for (r = 0; r < w; r++)
					if (chk[r] == l)
						acc = ai[j * w + r];
			} else {
				for (r = 0; r < w; r++)
					acc ^= gf_mul(ai[j * w + r], gen[(size_t)have_idx[chk[r]] * d + have_idx[l]]);
			}
			row[l] = acc;
		}
		pos[miss[j]] = j;
	}
	for (l = 0; l < nwant; l++) {
		unsigned char *row = coef + (size_t)l * d;
		unsigned t = want[l];
		if (t < d && !seen[t]) {
			memcpy(row, dcoef + (size_t)pos[t] * d, d);
			continue;
		}
		/* a block we have is a copy; a check is its generator row over
		 * the present data plus, through dcoef, over the missing data */
		for (i = 0; i < d; i++) {
			unsigned char acc;
			if (t < d) {
				row[i] = have_idx[i] == t;
				continue;
			}
			acc = have_idx[i] < d ? gen[(size_t)t * d + have_idx[i]] : 0;
			for (j = 0; j < w; j++)
				acc ^= gf_mul(gen[(size_t)t * d + miss[j]], dcoef[(size_t)j * d + i]);
			row[i] = acc;
		}
	}
	rc = rows_apply(d, nwant, coef, have, out, len);
out:
	free(gen);
	return rc;
}
