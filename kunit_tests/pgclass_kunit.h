/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixture of the pgclass KUnit suites: a pool over memory of its
 * own, released by a KUnit action, and a snapshot of the pool (its
 * counters and a full pgclass_walk()) with a consistency check.
 *
 * A pool is in band (pgclass_pool_create(): metadata in the first pages
 * of the region) or out of band (pgclass_pool_create_oob(): metadata in
 * memory of its own, over a range that is mapped nowhere, so that any
 * access to it by the core faults).  The suites declared with
 * PGCT_SUITES() run once with each kind.
 */
#ifndef _PGCLASS_KUNIT_H
#define _PGCLASS_KUNIT_H

#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/pgclass.h>
#include <linux/prandom.h>
#include <linux/types.h>

/* Pages of the pools most cases use. */
#define PGCT_NR_PAGES	32

/**
 * struct pgct_fixture - a pool and the memory under it
 * @pool: the pool, NULL when destroyed
 * @mem: the memory as the kernel gave it; out of band, the reserved
 *	address range
 * @mem_size: its size
 * @vmalloced: @mem came from vmalloc(), not alloc_pages_exact()
 * @base: @mem aligned to the allocator page
 * @size: bytes of the region handed to the pool
 * @shift: allocator page shift
 * @page: allocator page size
 * @nr_pages: allocator pages in the region
 * @init: the pool's counters right after creation
 * @scratch: snapshot buffer reused by pgct_check()
 * @cpus: with @cpus_set, the CPUs the pool is made for
 *	(pgclass_pool_create_cpus()); 0 makes a pool without slots, whose
 *	every call takes the shared path
 * @cpus_set: @cpus is given; otherwise pgclass_pool_create() makes the
 *	pool, for the CPUs that can exist
 * @nr_slots: pgclass_nr_cpu_slots() of the pool
 * @oob: the pool is out of band: @base is a range mapped nowhere, and
 *	@meta holds the metadata
 * @zeroed: pgct_pool_new() clears the metadata memory and makes the pool
 *	with the _zeroed variant of its create call
 * @meta: out of band: the metadata, pgclass_meta_size() bytes from
 *	kvzalloc()
 * @meta_size: its size
 * @oob_page: out of band: the page behind @mem's inaccessible mapping
 * @shadow: out of band: the bytes pgct_fill() and pgct_verify() keep for
 *	the range, at the same offsets
 * @oob_node: on the list of live out-of-band fixtures
 */
struct pgct_fixture {
	struct pgclass_pool *pool;
	void *mem;
	size_t mem_size;
	bool vmalloced;
	u8 *base;
	size_t size;
	unsigned int shift;
	size_t page;
	unsigned long nr_pages;
	struct pgclass_stats init;
	struct pgct_snap *scratch;
	unsigned int cpus;
	bool cpus_set;
	unsigned int nr_slots;
	bool oob;
	bool zeroed;
	void *meta;
	size_t meta_size;
	struct page *oob_page;
	u8 *shadow;
	struct list_head oob_node;
};

/* One extent as pgclass_walk() reported it, its bitmap kept apart. */
struct pgct_ext {
	unsigned long first;
	unsigned long nr_pages;
	enum pgclass_page_state state;
	unsigned int class;
	size_t block_size;
	unsigned int used;
	unsigned int total;
	bool has_map;
};

/**
 * struct pgct_snap - a pool's counters and page layout at one moment
 * @st: pgclass_get_stats()
 * @nr: extents in @ext
 * @cap: room in @ext
 * @map_bits: room for one bitmap, in bits
 * @map_longs: room for one bitmap, in longs
 * @ext: the extents, in walk order
 * @maps: @cap bitmaps of @map_longs longs, one per extent
 * @overflow: the walk reported more extents than @cap
 * @map_too_big: a bitmap had more than @map_bits bits
 * @nr_slots: pgclass_nr_cpu_slots()
 * @slot_cached_pages: pgclass_get_cpu_stats()' cached_pages summed over
 *	the slots
 * @slot_cached_blocks: the same for cached_blocks
 */
struct pgct_snap {
	struct pgclass_stats st;
	unsigned int nr_slots;
	u64 slot_cached_pages;
	u64 slot_cached_blocks;
	unsigned long nr;
	unsigned long cap;
	unsigned long map_bits;
	unsigned long map_longs;
	struct pgct_ext *ext;
	unsigned long *maps;
	bool overflow;
	bool map_too_big;
};

struct pgct_fixture *pgct_fixture_mem_kind(struct kunit *test,
					   unsigned long nr_pages,
					   unsigned int shift, bool oob);
struct pgct_fixture *pgct_fixture_mem(struct kunit *test,
				      unsigned long nr_pages,
				      unsigned int shift);
int pgct_oob_suite_init(struct kunit *test);
bool pgct_case_oob(struct kunit *test);
void pgct_pool_new(struct kunit *test, struct pgct_fixture *f);
struct pgct_fixture *pgct_fixture(struct kunit *test, unsigned long nr_pages,
				  unsigned int shift);
struct pgct_fixture *pgct_fixture_cpus(struct kunit *test,
				       unsigned long nr_pages, unsigned int shift,
				       unsigned int cpus);
void pgct_fixture_forget(struct kunit *test, struct pgct_fixture *f);
unsigned int pgct_pin_cpu(struct kunit *test);
unsigned long pgct_pool_destroy(struct pgct_fixture *f);

struct pgct_snap *pgct_snap_alloc(struct kunit *test, struct pgct_fixture *f);
void pgct_snap_fill(struct kunit *test, struct pgct_fixture *f,
		    struct pgct_snap *s);
struct pgct_snap *pgct_snap(struct kunit *test, struct pgct_fixture *f);
void pgct_snap_free(struct kunit *test, struct pgct_snap *s);
const struct pgct_ext *pgct_snap_find(const struct pgct_snap *s,
				      unsigned long page);
const unsigned long *pgct_snap_map(const struct pgct_snap *s,
				   const struct pgct_ext *e);
unsigned long pgct_snap_count(const struct pgct_snap *s,
			      enum pgclass_page_state state);

void pgct_check_snap(struct kunit *test, struct pgct_fixture *f,
		     const struct pgct_snap *s);
void pgct_check(struct kunit *test, struct pgct_fixture *f);
void pgct_expect_same_layout(struct kunit *test, const struct pgct_snap *a,
			     const struct pgct_snap *b);
void pgct_expect_same_state(struct kunit *test, const struct pgclass_stats *a,
			    const struct pgclass_stats *b);
void pgct_expect_pristine(struct kunit *test, struct pgct_fixture *f);

void pgct_expect_extent(struct kunit *test, struct pgct_fixture *f,
			unsigned long first, enum pgclass_page_state state,
			unsigned long nr);
void pgct_expect_realloc_noop(struct kunit *test, struct pgct_fixture *f,
			      void *p, size_t to, bool refused, size_t len,
			      unsigned int seed);

void *pgct_alloc(struct kunit *test, struct pgct_fixture *f, size_t size);
void pgct_alloc_blocks(struct kunit *test, struct pgct_fixture *f, void **p,
		       unsigned long n, size_t size);
void pgct_free_class(struct kunit *test, struct pgct_fixture *f,
		     unsigned int class, void **p, unsigned long n);

void pgct_fill(void *p, size_t len, unsigned int seed);
size_t pgct_verify(const void *p, size_t len, unsigned int seed);

void *pgct_kvcalloc(struct kunit *test, size_t n, size_t size);
void pgct_shuffle(void **a, unsigned long n, struct rnd_state *rnd);

/*
 * The parameters of the cases that run at every page size: the page
 * shifts of page_shifts.h, which the user-space tests run at too.  Each
 * case reads its own with pgct_param_shift().
 */
const void *pgct_shift_gen_params(const void *prev, char *desc);

static inline unsigned int pgct_param_shift(struct kunit *test)
{
	return *(const unsigned int *)test->param_value;
}

/**
 * struct pgct_path_param - a page shift and the path small blocks take
 * @shift: allocator page shift
 * @shared: the pool has no CPU slots, so that every call takes the shared
 *	path (the pool lock); otherwise it has a slot for each CPU that can
 *	exist and small blocks come from the calling CPU's slot
 */
struct pgct_path_param {
	unsigned int shift;
	bool shared;
};

/* How many path parameters there are, and the @i-th of them. */
unsigned int pgct_nr_paths(void);
struct pgct_path_param pgct_path(unsigned int i);
void pgct_path_desc(const struct pgct_path_param *p, char *desc);
/*
 * The path parameters: every page shift of pgct_shift_gen_params(), with
 * CPU slots, then without.
 */
const void *pgct_path_gen_params(const void *prev, char *desc);
struct pgct_fixture *pgct_fixture_path(struct kunit *test,
				       unsigned long nr_pages,
				       const struct pgct_path_param *p);

/* Class indexes: 16 B, 32 B, ... half a page, then "page", then "multi". */
static inline unsigned int pgct_class_page(const struct pgct_fixture *f)
{
	return f->shift - PGCLASS_MIN_BLOCK_SHIFT;
}

static inline unsigned int pgct_class_multi(const struct pgct_fixture *f)
{
	return f->shift - PGCLASS_MIN_BLOCK_SHIFT + 1;
}

static inline unsigned int pgct_nr_classes(const struct pgct_fixture *f)
{
	return f->shift - PGCLASS_MIN_BLOCK_SHIFT + 2;
}

/* What the size rules say a request of @size gets. */
static inline size_t pgct_usable(const struct pgct_fixture *f, size_t size)
{
	if (size <= 1UL << PGCLASS_MIN_BLOCK_SHIFT)
		return 1UL << PGCLASS_MIN_BLOCK_SHIFT;
	if (size <= f->page / 2)
		return roundup_pow_of_two(size);
	return DIV_ROUND_UP(size, f->page) * f->page;
}

static inline unsigned int pgct_class(const struct pgct_fixture *f, size_t size)
{
	if (size <= f->page / 2)
		return ilog2(pgct_usable(f, size)) - PGCLASS_MIN_BLOCK_SHIFT;
	if (size <= f->page)
		return pgct_class_page(f);
	return pgct_class_multi(f);
}

static inline unsigned long pgct_pages(const struct pgct_fixture *f,
				       size_t size)
{
	return size <= f->page ? 1 : DIV_ROUND_UP(size, f->page);
}

static inline unsigned long pgct_page_of(const struct pgct_fixture *f,
					 const void *p)
{
	return ((const u8 *)p - f->base) >> f->shift;
}

static inline u8 *pgct_page_addr(const struct pgct_fixture *f,
				 unsigned long page)
{
	return f->base + (page << f->shift);
}

/* The kinds of block size pgct_random_size() picks from. */
#define PGCT_SIZE_EIGHTH	BIT(0)	/* 1 .. page / 8 */
#define PGCT_SIZE_SMALL		BIT(1)	/* 1 .. page / 2: the small classes */
#define PGCT_SIZE_PAGE		BIT(2)	/* page / 2 + 1 .. page: one page */
#define PGCT_SIZE_MULTI		BIT(3)	/* page + 1 .. @max_pages pages */

/**
 * pgct_random_size() - a random block size of one of the kinds asked for
 * @kind: random bits that pick the kind: @kind modulo the number of kinds
 *	in @kinds, counting from the lowest PGCT_SIZE_* bit set
 * @r: random bits that pick the size within the kind, modulo its span
 * @page: the allocator page size
 * @kinds: PGCT_SIZE_* flags, at least one
 * @max_pages: with PGCT_SIZE_MULTI, the largest size in pages, 2 or more
 *
 * Return: the size, uniform within its kind.
 */
static inline size_t pgct_random_size(u32 kind, u32 r, size_t page,
				      unsigned int kinds,
				      unsigned int max_pages)
{
	unsigned int n = kind % hweight32(kinds);

	while (n--)
		kinds &= kinds - 1;	/* past the lowest kind */
	switch (kinds & -kinds) {
	case PGCT_SIZE_EIGHTH:
		return 1 + r % (page / 8);
	case PGCT_SIZE_SMALL:
		return 1 + r % (page / 2);
	case PGCT_SIZE_PAGE:
		return page / 2 + 1 + r % (page / 2);
	default:
		return page + 1 + r % ((max_pages - 1) * page);
	}
}

/* Pages the pool can hand out, and where they begin. */
static inline unsigned long pgct_data_pages(const struct pgct_fixture *f)
{
	return f->init.free_pages;
}

static inline u8 *pgct_data_start(const struct pgct_fixture *f)
{
	return pgct_page_addr(f, f->init.meta_pages);
}

/*
 * The pool's metadata: the first pages of the region in band, the
 * caller's memory out of band.
 */
static inline u8 *pgct_meta_start(const struct pgct_fixture *f)
{
	return f->oob ? f->meta : f->base;
}

static inline u8 *pgct_meta_end(const struct pgct_fixture *f)
{
	return f->oob ? (u8 *)f->meta + f->meta_size : pgct_data_start(f);
}

/*
 * PGCT_SUITE_KIND() - the address of a suite called @suite_name, with
 * @suite_init as its .init and the cases given.  The suite and its case
 * array are compound literals, static at file scope, for
 * kunit_test_suites().  KUnit keeps each case's log and status in its
 * struct kunit_case, so every suite gets an array of its own.
 */
#define PGCT_SUITE_KIND(suite_name, suite_init, ...)			\
	(&(struct kunit_suite){						\
		.name = suite_name,					\
		.init = suite_init,					\
		.test_cases = (struct kunit_case []){ __VA_ARGS__, {} }, \
	})

/* PGCT_SUITE() - the suite pgclass_ID, with the cases given. */
#define PGCT_SUITE(id, ...)						\
	kunit_test_suites(PGCT_SUITE_KIND("pgclass_" #id, NULL, __VA_ARGS__))

/*
 * PGCT_SUITES() - the suites pgclass_ID (in-band pools) and
 * pgclass_oob_ID (out-of-band ones: pgct_oob_suite_init() selects the
 * kind for pgct_fixture_mem() and what builds on it), with the same cases.
 */
#define PGCT_SUITES(id, ...)						\
	kunit_test_suites(PGCT_SUITE_KIND("pgclass_" #id, NULL,		\
					  __VA_ARGS__),			\
			  PGCT_SUITE_KIND("pgclass_oob_" #id,		\
					  pgct_oob_suite_init, __VA_ARGS__))

#endif /* _PGCLASS_KUNIT_H */
