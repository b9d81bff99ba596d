/* suites.h: every unit suite, run together by check_main.c. */
#ifndef WISP_TEST_SUITES_H
#define WISP_TEST_SUITES_H

#include <check.h>

Suite *chk_suite(void);
Suite *ssk_suite(void);
Suite *uri_suite(void);
Suite *tree_suite(void);
Suite *store_suite(void);
Suite *conf_suite(void);
Suite *noise_suite(void);
Suite *frame_suite(void);
Suite *router_suite(void);
Suite *manifest_suite(void);
Suite *html_suite(void);
Suite *fec_suite(void);
Suite *opennet_suite(void);
Suite *transfer_suite(void);
Suite *seal_suite(void);
Suite *window_suite(void);
Suite *swap_suite(void);

#endif
