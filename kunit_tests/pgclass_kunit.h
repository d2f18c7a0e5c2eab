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
 * PGC_SUITES() run once with each kind.
 */
#ifndef _PGCLASS_KUNIT_H
#define _PGCLASS_KUNIT_H

#include <kunit/test.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/pgclass.h>
#include <linux/prandom.h>
#include <linux/types.h>

/* Pages of the pools most cases use. */
#define PGC_NR_PAGES	32

/**
 * struct pgc_fixture - a pool and the memory under it
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
 * @scratch: snapshot buffer reused by pgc_check()
 * @cpus: with @cpus_set, the CPUs the pool is made for
 *	(pgclass_pool_create_cpus()); 0 makes a pool without slots, whose
 *	every call takes the shared path
 * @cpus_set: @cpus is given; otherwise pgclass_pool_create() makes the
 *	pool, for the CPUs that can exist
 * @nr_slots: pgclass_nr_cpu_slots() of the pool
 * @oob: the pool is out of band: @base is a range mapped nowhere, and
 *	@meta holds the metadata
 * @zeroed: pgc_pool_new() clears the metadata memory and makes the pool
 *	with the _zeroed variant of its create call
 * @meta: out of band: the metadata, pgclass_meta_size() bytes from
 *	kvzalloc()
 * @meta_size: its size
 * @oob_page: out of band: the page behind @mem's inaccessible mapping
 * @shadow: out of band: the bytes pgc_fill() and pgc_verify() keep for
 *	the range, at the same offsets
 * @oob_node: on the list of live out-of-band fixtures
 */
struct pgc_fixture {
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
	struct pgc_snap *scratch;
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
struct pgc_ext {
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
 * struct pgc_snap - a pool's counters and page layout at one moment
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
struct pgc_snap {
	struct pgclass_stats st;
	unsigned int nr_slots;
	u64 slot_cached_pages;
	u64 slot_cached_blocks;
	unsigned long nr;
	unsigned long cap;
	unsigned long map_bits;
	unsigned long map_longs;
	struct pgc_ext *ext;
	unsigned long *maps;
	bool overflow;
	bool map_too_big;
};

struct pgc_fixture *pgc_fixture_mem_kind(struct kunit *test,
					 unsigned long nr_pages,
					 unsigned int shift, bool oob);
struct pgc_fixture *pgc_fixture_mem(struct kunit *test,
				    unsigned long nr_pages,
				    unsigned int shift);
int pgc_oob_suite_init(struct kunit *test);
bool pgc_case_oob(struct kunit *test);
void pgc_pool_new(struct kunit *test, struct pgc_fixture *f);
struct pgc_fixture *pgc_fixture(struct kunit *test, unsigned long nr_pages,
				unsigned int shift);
struct pgc_fixture *pgc_fixture_cpus(struct kunit *test,
				     unsigned long nr_pages, unsigned int shift,
				     unsigned int cpus);
void pgc_fixture_forget(struct kunit *test, struct pgc_fixture *f);
unsigned int pgc_pin_cpu(struct kunit *test);
unsigned long pgc_pool_destroy(struct pgc_fixture *f);

struct pgc_snap *pgc_snap_alloc(struct kunit *test, struct pgc_fixture *f);
void pgc_snap_fill(struct kunit *test, struct pgc_fixture *f,
		   struct pgc_snap *s);
struct pgc_snap *pgc_snap(struct kunit *test, struct pgc_fixture *f);
void pgc_snap_free(struct kunit *test, struct pgc_snap *s);
const struct pgc_ext *pgc_snap_find(const struct pgc_snap *s,
				    unsigned long page);
const unsigned long *pgc_snap_map(const struct pgc_snap *s,
				  const struct pgc_ext *e);
unsigned long pgc_snap_count(const struct pgc_snap *s,
			     enum pgclass_page_state state);

void pgc_check_snap(struct kunit *test, struct pgc_fixture *f,
		    const struct pgc_snap *s);
void pgc_check(struct kunit *test, struct pgc_fixture *f);
void pgc_expect_same_layout(struct kunit *test, const struct pgc_snap *a,
			    const struct pgc_snap *b);
void pgc_expect_same_state(struct kunit *test, const struct pgclass_stats *a,
			   const struct pgclass_stats *b);
void pgc_expect_pristine(struct kunit *test, struct pgc_fixture *f);

void pgc_fill(void *p, size_t len, unsigned int seed);
size_t pgc_verify(const void *p, size_t len, unsigned int seed);

void pgc_shift_desc(const unsigned int *shift, char *desc);

void *pgc_kvcalloc(struct kunit *test, size_t n, size_t size);
void pgc_shuffle(void **a, unsigned long n, struct rnd_state *rnd);

/*
 * The page shifts parameterised cases run at: the smallest allocator
 * page, the usual 4 KiB one and the largest.
 */
#define PGC_DEFINE_SHIFT_PARAMS(name)					\
	static const unsigned int name##_shifts[] = { 9, 12, 16 };	\
	KUNIT_ARRAY_PARAM(name, name##_shifts, pgc_shift_desc)

/**
 * struct pgc_path_param - a page shift and the path small blocks take
 * @shift: allocator page shift
 * @shared: the pool has no CPU slots, so that every call takes the shared
 *	path (the pool lock); otherwise it has a slot for each CPU that can
 *	exist and small blocks come from the calling CPU's slot
 */
struct pgc_path_param {
	unsigned int shift;
	bool shared;
};

void pgc_path_desc(const struct pgc_path_param *p, char *desc);
struct pgc_fixture *pgc_fixture_path(struct kunit *test,
				     unsigned long nr_pages,
				     const struct pgc_path_param *p);

/* Every page shift of PGC_DEFINE_SHIFT_PARAMS(), with and without slots. */
#define PGC_DEFINE_PATH_PARAMS(name)					\
	static const struct pgc_path_param name##_paths[] = {		\
		{ 9, false }, { 12, false }, { 16, false },		\
		{ 9, true }, { 12, true }, { 16, true },		\
	};								\
	KUNIT_ARRAY_PARAM(name, name##_paths, pgc_path_desc)

/* Class indexes: 16 B, 32 B, ... half a page, then "page", then "multi". */
static inline unsigned int pgc_class_page(const struct pgc_fixture *f)
{
	return f->shift - PGCLASS_MIN_BLOCK_SHIFT;
}

static inline unsigned int pgc_class_multi(const struct pgc_fixture *f)
{
	return f->shift - PGCLASS_MIN_BLOCK_SHIFT + 1;
}

static inline unsigned int pgc_nr_classes(const struct pgc_fixture *f)
{
	return f->shift - PGCLASS_MIN_BLOCK_SHIFT + 2;
}

/* What the size rules say a request of @size gets. */
static inline size_t pgc_usable(const struct pgc_fixture *f, size_t size)
{
	if (size <= 1UL << PGCLASS_MIN_BLOCK_SHIFT)
		return 1UL << PGCLASS_MIN_BLOCK_SHIFT;
	if (size <= f->page / 2)
		return roundup_pow_of_two(size);
	return DIV_ROUND_UP(size, f->page) * f->page;
}

static inline unsigned int pgc_class(const struct pgc_fixture *f, size_t size)
{
	if (size <= f->page / 2)
		return ilog2(pgc_usable(f, size)) - PGCLASS_MIN_BLOCK_SHIFT;
	if (size <= f->page)
		return pgc_class_page(f);
	return pgc_class_multi(f);
}

static inline unsigned long pgc_pages(const struct pgc_fixture *f,
				      size_t size)
{
	return size <= f->page ? 1 : DIV_ROUND_UP(size, f->page);
}

static inline unsigned long pgc_page_of(const struct pgc_fixture *f,
					const void *p)
{
	return ((const u8 *)p - f->base) >> f->shift;
}

static inline u8 *pgc_page_addr(const struct pgc_fixture *f,
				unsigned long page)
{
	return f->base + (page << f->shift);
}

/* Pages the pool can hand out, and where they begin. */
static inline unsigned long pgc_data_pages(const struct pgc_fixture *f)
{
	return f->init.free_pages;
}

static inline u8 *pgc_data_start(const struct pgc_fixture *f)
{
	return pgc_page_addr(f, f->init.meta_pages);
}

/*
 * The pool's metadata: the first pages of the region in band, the
 * caller's memory out of band.
 */
static inline u8 *pgc_meta_start(const struct pgc_fixture *f)
{
	return f->oob ? f->meta : f->base;
}

static inline u8 *pgc_meta_end(const struct pgc_fixture *f)
{
	return f->oob ? (u8 *)f->meta + f->meta_size : pgc_data_start(f);
}

/*
 * PGC_SUITES() - the suites pgclass_ID (in-band pools) and
 * pgclass_oob_ID (out-of-band ones: pgc_oob_suite_init() selects the
 * kind for pgc_fixture_mem() and what builds on it), with the same cases.
 * KUnit keeps each case's log and status in its struct kunit_case, so the
 * two suites get an array each.
 */
#define PGC_SUITES(id, ...)						\
	static struct kunit_case pgclass_##id##_cases[] = {		\
		__VA_ARGS__, {}						\
	};								\
	static struct kunit_case pgclass_oob_##id##_cases[] = {		\
		__VA_ARGS__, {}						\
	};								\
	static struct kunit_suite pgclass_##id##_suite = {		\
		.name = "pgclass_" #id,					\
		.test_cases = pgclass_##id##_cases,			\
	};								\
	static struct kunit_suite pgclass_oob_##id##_suite = {		\
		.name = "pgclass_oob_" #id,				\
		.init = pgc_oob_suite_init,				\
		.test_cases = pgclass_oob_##id##_cases,			\
	};								\
	kunit_test_suites(&pgclass_##id##_suite,			\
			  &pgclass_oob_##id##_suite)

#endif /* _PGCLASS_KUNIT_H */
