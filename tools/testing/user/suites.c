// SPDX-License-Identifier: GPL-2.0
/* What pgclass_test runs: the unit tests by area, then the differential test. */
#include "test.h"

const struct test_suite test_suites[] = {
	{ pool_tests, &nr_pool_tests },
	{ classes_tests, &nr_classes_tests },
	{ runs_tests, &nr_runs_tests },
	{ fit_tests, &nr_fit_tests },
	{ bad_free_tests, &nr_bad_free_tests },
	{ realloc_tests, &nr_realloc_tests },
	{ poison_tests, &nr_poison_tests },
	{ threads_tests, &nr_threads_tests },
	{ oob_tests, &nr_oob_tests },
	{ diff_tests, &nr_diff_tests },
};

const size_t nr_test_suites = ARRAY_SIZE(test_suites);
