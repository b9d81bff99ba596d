/* bench.h: the benchmarks run by `make bench`; each prints ratio lines
 * against a baseline measured in the same run. */
#ifndef WISP_BENCH_H
#define WISP_BENCH_H

#include <stdint.h>

double bench_now(void);
int bench_store(const char *tmpdir);
int bench_crypto(void);
int bench_fec(void);
/* bench_inproc prints "PUT GET" in MiB/s for |file|, for node.sh; with
 * |limit|, encoding on every core and each block checked, and each time
 * the less of the wall clock's and the processor time over every core
 * (limit.sh). */
int bench_inproc(const char *dir, const char *file, int limit);

#endif
