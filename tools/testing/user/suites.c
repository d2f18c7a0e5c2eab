// SPDX-License-Identifier: GPL-2.0
/* What pgclass_test runs: the unit tests, then the differential test. */
#include "test.h"

const struct test_suite test_suites[] = {
	{ unit_tests, &nr_unit_tests },
	{ oob_tests, &nr_oob_tests },
	{ diff_tests, &nr_diff_tests },
};

const size_t nr_test_suites = ARRAY_SIZE(test_suites);
