#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/err.h"
#include "tests/bench/bench.h"

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/wisp-bench-XXXXXX", cmd[64];
	int rc = 0;

	if (wisp_crypto_init() != 0 || !mkdtemp(dir))
		return 1;
	if (argc == 3 && (strcmp(argv[1], "inproc") == 0 || strcmp(argv[1], "limit") == 0)) {
		char sub[64];
		snprintf(sub, sizeof(sub), "%s/inproc", dir);
		rc = bench_inproc(sub, argv[2], strcmp(argv[1], "limit") == 0);
		argc = 0;
	}
	if (argc == 1 || (argc > 1 && strcmp(argv[1], "store") == 0))
		rc |= bench_store(dir);
	if (argc == 1 || (argc > 1 && strcmp(argv[1], "crypto") == 0))
		rc |= bench_crypto();
	if (argc == 1 || (argc > 1 && strcmp(argv[1], "fec") == 0))
		rc |= bench_fec();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
