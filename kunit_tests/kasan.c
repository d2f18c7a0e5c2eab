// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_kasan: the allocator keeps KASAN's shadow of a pool in step with
 * its blocks (include/linux/pgclass_poison.h), so that a user of the API
 * who touches a freed block gets a use-after-free report.
 *
 * The cases do not make KASAN report anything: a report fails the running
 * case and the test bed fails any run whose console shows one.  They read
 * the shadow instead, without instrumentation: after pgclass_alloc() every
 * granule of the block's usable bytes is 0 (accessible); after
 * pgclass_free() every granule is poisoned (a negative shadow byte: no byte
 * of it accessible); a new pool's free pages are poisoned and its metadata
 * is not; realloc poisons what it gives up and unpoisons what it takes;
 * pgclass_pool_destroy() hands the data area back accessible.
 *
 * Only generic KASAN keeps this shadow: elsewhere the cases are skipped.
 * Memory from vmalloc() or vmap() has a shadow of its own only with
 * CONFIG_KASAN_VMALLOC; without it the allocator must leave it alone,
 * which kasan_vmalloc_pool checks too.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/pgclass_poison.h>
#include <linux/vmalloc.h>

#include "pgclass_kunit.h"

#ifdef CONFIG_KASAN_GENERIC

#define GRANULE		PGC_SHADOW_GRANULE

/* The shadow byte of @addr's granule; the read itself is not checked. */
static noinline u8 __no_sanitize_address shadow_of(const void *addr)
{
	return *(const u8 *)kasan_mem_to_shadow(addr);
}

#else

#define GRANULE		8UL

static u8 shadow_of(const void *addr)
{
	return 0;
}

#endif

static void need_kasan(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_KASAN_GENERIC))
		kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
}

/* A pool over memory that has a shadow of its own. */
static struct pgct_fixture *kasan_fixture(struct kunit *test,
					  unsigned long nr_pages,
					  unsigned int shift)
{
	struct pgct_fixture *f;

	need_kasan(test);
	f = pgct_fixture(test, nr_pages, shift);
	if (f->vmalloced && !IS_ENABLED(CONFIG_KASAN_VMALLOC))
		kunit_skip(test, "vmalloc()ed pool: no shadow without CONFIG_KASAN_VMALLOC");
	return f;
}

/*
 * Every byte of [@p, @p + @len) is accessible: its granules' shadow is 0,
 * or the count of accessible bytes in a partial last granule.
 */
static void expect_accessible(struct kunit *test, const void *p, size_t len,
			      const char *what)
{
	size_t off;
	u8 want, got;

	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)p, GRANULE));
	for (off = 0; off < len; off += GRANULE) {
		want = len - off >= GRANULE ? 0 : len - off;
		got = shadow_of((const u8 *)p + off);
		if (got != want) {
			KUNIT_FAIL(test, "%s: shadow at +%zu of %zu bytes is %#x, not %#x",
				   what, off, len, got, want);
			return;
		}
	}
}

/* No byte of [@p, @p + @len) is accessible: every shadow byte < 0. */
static void expect_poisoned(struct kunit *test, const void *p, size_t len,
			    const char *what)
{
	size_t off;
	u8 got;

	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)p | len, GRANULE));
	for (off = 0; off < len; off += GRANULE) {
		got = shadow_of((const u8 *)p + off);
		if ((s8)got >= 0) {
			KUNIT_FAIL(test, "%s: shadow at +%zu of %zu bytes is %#x: accessible",
				   what, off, len, got);
			return;
		}
	}
}

/* Metadata accessible, every data page poisoned. */
static void expect_pool_empty(struct kunit *test, struct pgct_fixture *f,
			      const char *what)
{
	expect_accessible(test, f->base, f->init.meta_pages * f->page, what);
	expect_poisoned(test, pgct_data_start(f), pgct_data_pages(f) * f->page,
			what);
}

/* A new pool poisons its data pages; destroying it unpoisons them. */
static void test_kasan_new_pool(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = kasan_fixture(test, PGCT_NR_PAGES, shift);

	expect_pool_empty(test, f, "new pool");
	KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
	expect_accessible(test, f->base, f->size, "destroyed pool");
	/* and a pool destroyed with blocks in it */
	pgct_pool_new(test, f);
	KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, 100));
	KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, 2 * f->page));
	KUNIT_EXPECT_EQ(test, 2UL, pgct_pool_destroy(f));
	expect_accessible(test, f->base, f->size, "destroyed with leaks");
}

/*
 * Blocks of every kind: accessible over their whole usable size once
 * allocated, poisoned once freed, while their neighbours stay accessible;
 * at the end, the pool is as new.
 */
static void test_kasan_alloc_free(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = kasan_fixture(test, PGCT_NR_PAGES, shift);
	size_t page = f->page;
	const size_t sizes[] = {
		1, 16, 17, 40, 40, 100, page / 4, page / 2, page / 2 + 1,
		page, page + 1, 3 * page, 40, 16,
	};
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = pgclass_alloc(f->pool, sizes[i]);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		expect_accessible(test, p[i], pgct_usable(f, sizes[i]),
				  "allocated");
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i += 2) {
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
		expect_poisoned(test, p[i], pgct_usable(f, sizes[i]), "freed");
	}
	for (i = 1; i < ARRAY_SIZE(sizes); i += 2)
		expect_accessible(test, p[i], pgct_usable(f, sizes[i]),
				  "its neighbour freed");
	for (i = 1; i < ARRAY_SIZE(sizes); i += 2) {
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
		expect_poisoned(test, p[i], pgct_usable(f, sizes[i]), "freed");
	}
	/* spare pages and merged runs included */
	expect_pool_empty(test, f, "all freed");
	/* the whole data area as one block, then freed */
	p[0] = pgclass_alloc(f->pool, pgct_data_pages(f) * page);
	KUNIT_ASSERT_PTR_EQ(test, p[0], (void *)pgct_data_start(f));
	expect_accessible(test, p[0], pgct_data_pages(f) * page, "everything");
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[0]));
	expect_pool_empty(test, f, "everything freed");
	pgct_check(test, f);
}

/* A refused free, a refused realloc and a failed one change no shadow. */
static void test_kasan_refused(struct kunit *test)
{
	struct pgct_fixture *f = kasan_fixture(test, PGCT_NR_PAGES, 12);
	u8 *p = pgclass_alloc(f->pool, 100), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, p + 16));
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, p + 16, 10));
	expect_accessible(test, p, 128, "after bad frees inside it");
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, p, 2 * f->size));
	expect_accessible(test, p, 128, "after a failed realloc");
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, p));
	expect_poisoned(test, p, 128, "after a double free");
	q = pgclass_alloc(f->pool, 100);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	expect_accessible(test, q, 128, "allocated again");
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, q));
	expect_pool_empty(test, f, "all freed");
}

/* realloc: what moves, grows or shrinks in place, in every direction. */
static void test_kasan_realloc(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = kasan_fixture(test, PGCT_NR_PAGES, shift);
	size_t page = f->page;
	u8 *p, *q;

	/* the same small class: stays, unchanged */
	p = pgclass_alloc(f->pool, 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_PTR_EQ(test, p, (u8 *)pgclass_realloc(f->pool, p, 70));
	expect_accessible(test, p, 128, "same class");
	/* another class: moves; the old block is poisoned */
	q = pgclass_realloc(f->pool, p, page / 4 + 1);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_ASSERT_PTR_NE(test, p, q);
	expect_poisoned(test, p, 128, "moved from");
	expect_accessible(test, q, page / 2, "moved to");
	/* a whole page grows in place over the free pages after it */
	p = pgclass_realloc(f->pool, q, page);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_PTR_NE(test, p, q);
	expect_poisoned(test, q, page / 2, "moved from");
	q = pgclass_realloc(f->pool, p, 4 * page);
	KUNIT_ASSERT_PTR_EQ(test, p, q);
	expect_accessible(test, p, 4 * page, "grown in place");
	/* shrinks in place: the pages given up are poisoned */
	KUNIT_ASSERT_PTR_EQ(test, p, (u8 *)pgclass_realloc(f->pool, p, page + 1));
	expect_accessible(test, p, 2 * page, "shrunk to two pages");
	expect_poisoned(test, p + 2 * page, 2 * page, "given up");
	KUNIT_ASSERT_PTR_EQ(test, p, (u8 *)pgclass_realloc(f->pool, p, page));
	expect_accessible(test, p, page, "shrunk to a page");
	expect_poisoned(test, p + page, page, "given up");
	/* and grows again */
	KUNIT_ASSERT_PTR_EQ(test, p, (u8 *)pgclass_realloc(f->pool, p, 3 * page));
	expect_accessible(test, p, 3 * page, "grown again");
	/* realloc to 0 frees */
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, p, 0));
	expect_poisoned(test, p, 3 * page, "realloc to 0");
	/* realloc(NULL) allocates */
	p = pgclass_realloc(f->pool, NULL, 40);
	KUNIT_ASSERT_NOT_NULL(test, p);
	expect_accessible(test, p, 64, "realloc(NULL)");
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p));
	expect_pool_empty(test, f, "all freed");
}

/*
 * The hooks themselves: only whole granules are poisoned, and a partial
 * last granule is unpoisoned with its count of bytes, as KASAN does for a
 * kmalloc() of an odd size.
 */
static void test_kasan_hooks(struct kunit *test)
{
	unsigned long page;
	u8 *b;

	need_kasan(test);
	page = __get_free_page(GFP_KERNEL);
	KUNIT_ASSERT_NE(test, page, 0UL);
	b = (u8 *)page;

	pgc_poison(b, 64);
	expect_poisoned(test, b, 64, "poisoned");
	expect_accessible(test, b + 64, GRANULE, "after it");
	pgc_unpoison(b, 13);
	expect_accessible(test, b, 13, "13 bytes unpoisoned");
	KUNIT_EXPECT_EQ(test, shadow_of(b + 8), 5);
	expect_poisoned(test, b + 16, 48, "the rest");
	/* [3, 33) holds the whole granules [8, 32) */
	pgc_unpoison(b, 64);
	pgc_poison(b + 3, 30);
	expect_accessible(test, b, GRANULE, "partial first granule");
	expect_poisoned(test, b + 8, 24, "whole granules");
	expect_accessible(test, b + 32, 32, "partial last granule");
	pgc_poison(b + 1, 6);
	expect_accessible(test, b, GRANULE, "less than a granule");

	pgc_unpoison(b, PAGE_SIZE);
	expect_accessible(test, b, PAGE_SIZE, "unpoisoned");
	free_page(page);
}

/*
 * A pool over vmalloc() memory: with CONFIG_KASAN_VMALLOC its shadow is
 * kept like any other; without it, vmalloc space shares one read-only
 * zero shadow page, which the allocator must not write (it would fault).
 */
static void test_kasan_vmalloc_pool(struct kunit *test)
{
	size_t size = PGCT_NR_PAGES * PAGE_SIZE;
	struct pgclass_pool *pool;
	struct pgclass_stats st;
	u8 *mem, *data, *p;

	need_kasan(test);
	mem = vmalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	pool = pgclass_pool_create(mem, size, PAGE_SHIFT);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	pgclass_get_stats(pool, &st);
	data = mem + st.meta_pages * PAGE_SIZE;
	p = pgclass_alloc(pool, 3 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	expect_accessible(test, p, 3 * PAGE_SIZE, "allocated");
	if (IS_ENABLED(CONFIG_KASAN_VMALLOC)) {
		expect_poisoned(test, p + 3 * PAGE_SIZE,
				mem + size - p - 3 * PAGE_SIZE, "free pages");
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(pool, p));
		expect_poisoned(test, data, mem + size - data, "all freed");
	} else {
		expect_accessible(test, mem, size, "untouched shadow");
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(pool, p));
		expect_accessible(test, mem, size, "untouched shadow");
	}
	KUNIT_EXPECT_EQ(test, 0UL, pgclass_pool_destroy(pool));
	expect_accessible(test, mem, size, "destroyed");
	vfree(mem);
}

PGCT_SUITE(kasan,
	   KUNIT_CASE_PARAM(test_kasan_new_pool, pgct_shift_gen_params),
	   KUNIT_CASE_PARAM(test_kasan_alloc_free, pgct_shift_gen_params),
	   KUNIT_CASE(test_kasan_refused),
	   KUNIT_CASE_PARAM(test_kasan_realloc, pgct_shift_gen_params),
	   KUNIT_CASE(test_kasan_hooks),
	   KUNIT_CASE(test_kasan_vmalloc_pool));
