/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page shifts the tests that run "at every page size" run at, for the
 * KUnit suites (kunit_tests/pgclass_kunit.c makes their parameters of it)
 * and for the user-space tests (tools/testing/user/main.c runs their
 * EACH_SHIFT cases at each): the smallest allocator page, the usual 4 KiB
 * one and the largest.  Plain C, no kernel-only type: both builds include
 * it, each from the one file that uses it.
 */
#ifndef _PGCLASS_TEST_PAGE_SHIFTS_H
#define _PGCLASS_TEST_PAGE_SHIFTS_H

static const unsigned int test_page_shifts[] = { 9, 12, 16 };

#endif /* _PGCLASS_TEST_PAGE_SHIFTS_H */
