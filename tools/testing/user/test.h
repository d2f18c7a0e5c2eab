/* SPDX-License-Identifier: GPL-2.0 */
/* A small TAP harness for the user-space tests of src/core.c. */
#ifndef _PGCLASS_TEST_H
#define _PGCLASS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/pgclass.h>

struct test_case {
	const char *name;
	int (*fn)(const struct test_case *tc);
	unsigned int page_shift;	/* 0 if the test picks its own */
	unsigned long arg;
};

#define __maybe_unused	__attribute__((unused))

/* Run-wide options. */
extern unsigned long long test_seed;
extern unsigned long test_ops;		/* 0: each case's default */

/* Report a failed check (the test then returns non-zero). */
void test_fail(const char *file, int line, const char *what);
void test_fail_eq(const char *file, int line, const char *a, const char *b,
		  unsigned long long va, unsigned long long vb);

#define T_ASSERT(cond)							\
	do {								\
		if (!(cond)) {						\
			test_fail(__FILE__, __LINE__, #cond);		\
			return 1;					\
		}							\
	} while (0)

#define T_EQ(a, b)							\
	do {								\
		unsigned long long _va = (unsigned long long)(a);	\
		unsigned long long _vb = (unsigned long long)(b);	\
		if (_va != _vb) {					\
			test_fail_eq(__FILE__, __LINE__, #a, #b, _va, _vb); \
			return 1;					\
		}							\
	} while (0)

/* Run a helper that returns non-zero on failure, and fail with it. */
#define T_OK(expr)							\
	do {								\
		if (expr) {						\
			test_fail(__FILE__, __LINE__, #expr);		\
			return 1;					\
		}							\
	} while (0)

/*
 * A region for a pool: page-aligned, from the ASan heap (so that a stray
 * access just outside it is caught), freed after the test.
 */
void *test_region(size_t size, unsigned int page_shift);
/* A region from mmap(), for huge or mprotect()ed pools; unmapped after. */
void *test_region_mmap(size_t size);

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

/* The test tables of unit.c and diff.c. */
extern const struct test_case unit_tests[];
extern const size_t nr_unit_tests;
extern const struct test_case diff_tests[];
extern const size_t nr_diff_tests;

#endif
