// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_harness: faults on demand, to prove the test bed catches them.
 *
 * `make check-harness` boots the guest once per fault with this module
 * loaded as `insmod pgclass_harness.ko fault=NAME` and requires the run
 * to turn red for that reason.  The faults are the ones the test bed
 * must never let through:
 *
 *   kunit - a KUnit case that fails
 *   warn  - a kernel WARN (a splat and a taint)
 *   kasan - an out-of-bounds write that KASAN reports
 *
 * With no fault given the module's KUnit suite passes and nothing else
 * happens.  It is never loaded outside the harness.
 */
#include <kunit/test.h>
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *fault = "";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "fault to make: kunit, warn or kasan");

static void pgclass_harness_kunit(struct kunit *test)
{
	KUNIT_EXPECT_STRNEQ_MSG(test, fault, "kunit",
				"failing on purpose: fault=kunit");
}

static struct kunit_case pgclass_harness_cases[] = {
	KUNIT_CASE(pgclass_harness_kunit),
	{}
};

static struct kunit_suite pgclass_harness_suite = {
	.name = "pgclass_harness",
	.test_cases = pgclass_harness_cases,
};

kunit_test_suite(pgclass_harness_suite);

/* Kept out of line so the compiler cannot prove the write out of bounds. */
static noinline void pgclass_harness_write(char *p, size_t i)
{
	p[i] = 'x';
}

static int __init pgclass_harness_init(void)
{
	if (!strcmp(fault, "warn")) {
		WARN(1, "pgclass_harness: fault=warn\n");
	} else if (!strcmp(fault, "kasan")) {
		char *p = kmalloc(16, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		pgclass_harness_write(p, 16);
		kfree(p);
	}
	return 0;
}

static void __exit pgclass_harness_exit(void)
{
}

module_init(pgclass_harness_init);
module_exit(pgclass_harness_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pgclass test bed: faults on demand for make check-harness");
