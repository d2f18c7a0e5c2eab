/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP harness for the user-space tests of src/core.c.
 *
 * A failed check ends its test case at once, as a failed KUnit assertion
 * or kselftest ASSERT_*() does: it reports, then calls test_abort(), which
 * each program defines.  The runner (main.c) runs every case in a child
 * process that test_abort() ends with exit status 1; the fuzzer aborts, so
 * that libFuzzer keeps the input.  The check macros therefore hold no
 * return statement: a helper that checks needs no error path of its own.
 */
#ifndef _PGCLASS_TEST_H
#define _PGCLASS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/array_size.h>
#include <linux/compiler_attributes.h>
#include <linux/types.h>
#include <linux/pgclass.h>

struct test_case {
	const char *name;
	int (*fn)(const struct test_case *tc);
	unsigned int page_shift;	/* 0 if the test picks its own */
	unsigned long arg;
};

/*
 * As a test_case's page_shift: run at each page shift of
 * kunit_tests/page_shifts.h in turn, as the KUnit suites do.
 */
#define EACH_SHIFT	1

/* Run-wide options. */
extern unsigned long long test_seed;
extern unsigned long test_ops;		/* 0: each case's default */

/* Ends the program after a failed check; each program defines it. */
void __noreturn test_abort(void);
/* If set, called after a failure is reported, to say where it happened. */
extern void (*test_context)(void);

/* Report a failed check and end the test case. */
void __noreturn test_fail(const char *file, int line, const char *what);
void __noreturn test_fail_eq(const char *file, int line, const char *a,
			     const char *b, unsigned long long va,
			     unsigned long long vb);

static inline void test_eq(const char *file, int line, const char *a,
			   const char *b, unsigned long long va,
			   unsigned long long vb)
{
	if (va != vb)
		test_fail_eq(file, line, a, b, va, vb);
}

#define T_ASSERT(cond)							\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, #cond);		\
	} while (0)

#define T_EQ(a, b)							\
	test_eq(__FILE__, __LINE__, #a, #b, (unsigned long long)(a),	\
		(unsigned long long)(b))

/* A helper that returns non-zero on failure. */
#define T_OK(expr)							\
	do {								\
		if (expr)						\
			test_fail(__FILE__, __LINE__, #expr);		\
	} while (0)

/*
 * A region for a pool: page-aligned, from the ASan heap (so that a stray
 * access just outside it is caught).
 */
void *test_region(size_t size, unsigned int page_shift);
/* A region from mmap(), for huge or mprotect()ed pools. */
void *test_region_mmap(size_t size);
/* Address space no access is allowed to: a touch faults. */
void *test_region_none(size_t size);
/*
 * Give every region back.  The pools over them are forgotten: their
 * poisoned data pages are made addressable again first.
 */
void test_free_regions(void);

/* Deterministic pseudo-random numbers (xorshift64*). */
struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	if (!r->s)
		r->s = 1;
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* A file's table of test cases, NAME_tests[], and its length. */
#define DECLARE_TESTS(name)						\
	extern const struct test_case name##_tests[];			\
	extern const size_t nr_##name##_tests

/* The tables of pgclass_test, a file each (see suites.c). */
DECLARE_TESTS(pool);
DECLARE_TESTS(classes);
DECLARE_TESTS(runs);
DECLARE_TESTS(fit);
DECLARE_TESTS(bad_free);
DECLARE_TESTS(realloc);
DECLARE_TESTS(poison);
DECLARE_TESTS(threads);
DECLARE_TESTS(oob);
DECLARE_TESTS(diff);

/* A table of test cases, and what main.c runs: each program's own list. */
struct test_suite {
	const struct test_case *cases;
	const size_t *nr;
};

extern const struct test_suite test_suites[];
extern const size_t nr_test_suites;

#endif
