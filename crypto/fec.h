/* fec.h: erasure coding of splitfiles, pure.
 *
 * A stream of bytes is cut into 32 KiB data blocks, and the data blocks
 * into segments of at most k; a segment of d data blocks gets
 * c = ceil(d·m/k) check blocks (index levels more: fec_checks), so that any d of its d + c blocks rebuild
 * it. The code is Reed–Solomon over GF(2^8) with a Cauchy generator
 * matrix (every square submatrix invertible: the code is MDS), computed
 * by Intel ISA-L. The layout is a pure function of the block count, k and
 * m: docs/keys.md has it. */
#ifndef WISP_FEC_H
#define WISP_FEC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/err.h"

enum fec_limits {
	FEC_CODE_RS = 1,       /* the only code: Cauchy Reed–Solomon, GF(2^8) */
	FEC_BLOCKS_MAX = 256,  /* d + c of one segment: GF(2^8) has 256 points */
	FEC_K_DEFAULT = 128,   /* data blocks of a full segment (4 MiB) */
	FEC_M_DEFAULT = 128,   /* its check blocks: 100% redundancy */
};

struct fec_seg {
	uint64_t first_data; /* index of its first data block in the stream */
	uint64_t first_leaf; /* index of its first key in the leaf list */
	unsigned d, c;       /* data and check blocks */
};

/* fec_params_ok: 1 if k data and m check blocks a segment can be coded. */
int fec_params_ok(unsigned k, unsigned m);
/* fec_checks: check blocks of a segment of |d| data blocks; |index|: of
 * an index level, which gets at least d + 8 (at most 256 blocks in all). */
unsigned fec_checks(unsigned d, unsigned k, unsigned m, int index);
/* fec_nsegs: segments of a stream of |blocks| data blocks. */
uint64_t fec_nsegs(uint64_t blocks, unsigned k);
/* fec_seg_at fills |s| for segment |i| (< fec_nsegs). */
void fec_seg_at(uint64_t blocks, unsigned k, unsigned m, int index, uint64_t i, struct fec_seg *s);
/* fec_seg_of: the segment holding data block |b|. */
uint64_t fec_seg_of(uint64_t blocks, unsigned k, uint64_t b);
/* fec_leaves: data and check blocks of the whole stream. */
uint64_t fec_leaves(uint64_t blocks, unsigned k, unsigned m, int index);

/* fec_encode computes the |c| check blocks of |d| data blocks, each of
 * |len| bytes. Returns 0, WISP_ERR_INVAL or WISP_ERR_NOMEM. */
int fec_encode(unsigned d, unsigned c, uint8_t *const *data, uint8_t **checks, size_t len) WISP_WUR;

/* fec_rebuild computes blocks |want| (indices in [0, d + c): data first,
 * then checks) into |out| from the |d| blocks |have| whose indices are
 * |have_idx| (distinct). Returns 0, WISP_ERR_INVAL or WISP_ERR_NOMEM. */
int fec_rebuild(unsigned d, unsigned c, const unsigned *have_idx, uint8_t *const *have,
    unsigned nwant, const unsigned *want, uint8_t **out, size_t len) WISP_WUR;

#endif
