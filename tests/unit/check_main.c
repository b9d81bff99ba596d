#include <stdio.h>
#include <stdlib.h>

#include "crypto/err.h"
#include "tests/unit/suites.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	if (wisp_crypto_init() != 0) {
		fprintf(stderr, "unit: libsodium failed to initialise\n");
		return 1;
	}
	sr = srunner_create(chk_suite());
	srunner_add_suite(sr, ssk_suite());
	srunner_add_suite(sr, uri_suite());
	srunner_add_suite(sr, tree_suite());
	srunner_add_suite(sr, store_suite());
	srunner_add_suite(sr, noise_suite());
	srunner_add_suite(sr, frame_suite());
	srunner_add_suite(sr, router_suite());
	srunner_add_suite(sr, opennet_suite());
	srunner_add_suite(sr, manifest_suite());
	srunner_add_suite(sr, html_suite());
	srunner_add_suite(sr, fec_suite());
	srunner_add_suite(sr, transfer_suite());
	srunner_add_suite(sr, seal_suite());
	srunner_add_suite(sr, window_suite());
	srunner_add_suite(sr, swap_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
