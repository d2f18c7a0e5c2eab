// SPDX-License-Identifier: GPL-2.0
/*
 * The shared fixture of the pgclass KUnit suites (see pgclass_kunit.h)
 * and the module's description.
 *
 * Every case creates its own pool over memory it gets from the page
 * allocator and registers a KUnit action that destroys the pool and gives
 * the memory back, so a failed assertion leaks nothing.
 *
 * pgct_check() is the suites' main oracle: it walks the whole pool and
 * checks that the walk, the pool's counters, every class's counters and
 * the CPU slots' counters agree with each other and with the size rules.
 *
 * A pool normally has a slot per CPU that owns a page per small class, so
 * where a small block lands depends on the calling CPU.  A case that is
 * about the shared path makes its pool without slots
 * (pgct_fixture_cpus(..., 0)); a case that expects blocks of one class to
 * share a page pins itself to one CPU (pgct_pin_cpu()).
 *
 * An out-of-band pool manages a range of kernel virtual addresses that is
 * reserved but mapped nowhere: 6.12 exports no get_vm_area() to modules,
 * so the range is a vmap() of one page at PAGE_NONE, whose page-table
 * entries are not present.  Any access to it faults, and the kernel
 * oopses: a core that touched an out-of-band range cannot pass.  The
 * blocks the cases fill and verify have their bytes kept in a shadow
 * buffer instead (see pgct_fill()), so that two blocks handed out over
 * the same bytes still show.
 */
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "page_shifts.h"
#include "pgclass_kunit.h"

/*
 * The out-of-band fixtures alive, for pgct_fill() and pgct_verify(), which
 * some cases call from hard interrupts: hence a raw lock, irqsave.
 */
static LIST_HEAD(pgct_oob_list);
static DEFINE_RAW_SPINLOCK(pgct_oob_lock);

static void pgct_oob_release(struct pgct_fixture *f)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pgct_oob_lock, flags);
	list_del_init(&f->oob_node);
	raw_spin_unlock_irqrestore(&pgct_oob_lock, flags);
	if (f->mem)
		vunmap(f->mem);
	if (f->oob_page)
		__free_page(f->oob_page);
	kvfree(f->meta);
	vfree(f->shadow);
}

static void pgct_fixture_release(void *data)
{
	struct pgct_fixture *f = data;

	if (f->pool)
		pgclass_pool_destroy(f->pool);
	f->pool = NULL;
	if (f->oob)
		pgct_oob_release(f);
	else if (f->vmalloced)
		vfree(f->mem);
	else
		free_pages_exact(f->mem, f->mem_size);
}

/*
 * Memory for @f->size bytes aligned to the allocator page: physically
 * contiguous pages where the page allocator has them (they are aligned to
 * their order, and KASAN watches them), vmalloc() otherwise.  Either may
 * need more than asked for to leave room for the alignment.
 */
static void pgct_get_mem(struct pgct_fixture *f)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	size_t extra = f->page > PAGE_SIZE ? f->page - PAGE_SIZE : 0;

	f->mem_size = f->size;
	f->mem = alloc_pages_exact(f->mem_size, gfp);
	if (f->mem && !IS_ALIGNED((unsigned long)f->mem, f->page)) {
		free_pages_exact(f->mem, f->mem_size);
		f->mem_size = f->size + extra;
		f->mem = alloc_pages_exact(f->mem_size, gfp);
	}
	if (!f->mem) {
		f->mem_size = f->size + extra;
		f->mem = vmalloc(f->mem_size);
		f->vmalloced = true;
	}
	f->base = f->mem ? PTR_ALIGN((u8 *)f->mem, f->page) : NULL;
}

/*
 * An address range for @f->size bytes aligned to the allocator page,
 * mapped nowhere: a vmap() of one page, over and over, at PAGE_NONE (not
 * present), which reserves the addresses as get_vm_area() would; the
 * metadata (kvzalloc(), exactly pgclass_meta_size()); and the shadow of
 * the range's bytes.  Whatever was had is given back by
 * pgct_oob_release().
 */
static void pgct_get_range(struct pgct_fixture *f)
{
	size_t extra = f->page > PAGE_SIZE ? f->page - PAGE_SIZE : 0;
	unsigned long n = DIV_ROUND_UP(f->size + extra, PAGE_SIZE), i;
	struct page **pages;

	f->oob_page = alloc_page(GFP_KERNEL);
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (f->oob_page && pages && n <= UINT_MAX) {
		for (i = 0; i < n; i++)
			pages[i] = f->oob_page;
		f->mem = vmap(pages, n, VM_MAP, PAGE_NONE);
	}
	kvfree(pages);
	f->mem_size = n << PAGE_SHIFT;
	f->base = f->mem ? PTR_ALIGN((u8 *)f->mem, f->page) : NULL;
	f->meta_size = pgclass_meta_size(f->size, f->shift);
	if (f->meta_size)
		f->meta = kvzalloc(f->meta_size, GFP_KERNEL);
	f->shadow = vzalloc(f->size);
}

/* Reading the out-of-band range must fault: it is mapped nowhere. */
static void pgct_expect_unmapped(struct kunit *test, struct pgct_fixture *f)
{
	const size_t at[] = { 0, f->size / 2, f->size - 1 };
	unsigned int i;
	u8 byte;

	for (i = 0; i < ARRAY_SIZE(at); i++)
		KUNIT_ASSERT_EQ_MSG(test, -EFAULT,
				    copy_from_kernel_nofault(&byte,
							     f->base + at[i], 1),
				    "byte %zu of the out-of-band range is readable",
				    at[i]);
}

/**
 * pgct_fixture_mem_kind() - memory for a pool of a given kind, without the
 *	pool
 * @test: the test
 * @nr_pages: allocator pages
 * @shift: allocator page shift
 * @oob: an out-of-band pool: a range mapped nowhere and metadata apart;
 *	else memory for an in-band pool
 *
 * Return: the fixture; the test ends if the memory cannot be had.
 */
struct pgct_fixture *pgct_fixture_mem_kind(struct kunit *test,
					   unsigned long nr_pages,
					   unsigned int shift, bool oob)
{
	struct pgct_fixture *f;
	unsigned long flags;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->shift = shift;
	f->page = 1UL << shift;
	f->nr_pages = nr_pages;
	f->size = nr_pages << shift;
	f->oob = oob;
	INIT_LIST_HEAD(&f->oob_node);
	if (!oob) {
		pgct_get_mem(f);
		KUNIT_ASSERT_NOT_NULL_MSG(test, f->mem,
					  "no memory for %lu pages of %zu B",
					  nr_pages, f->page);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  pgct_fixture_release,
							  f));
		return f;
	}
	pgct_get_range(f);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pgct_fixture_release, f));
	KUNIT_ASSERT_NOT_NULL_MSG(test, f->mem,
				  "no address range for %lu pages of %zu B",
				  nr_pages, f->page);
	KUNIT_ASSERT_NE_MSG(test, f->meta_size, 0UL,
			    "pgclass_meta_size(%zu, %u) is 0", f->size, shift);
	KUNIT_ASSERT_NOT_NULL(test, f->meta);
	KUNIT_ASSERT_NOT_NULL(test, f->shadow);
	raw_spin_lock_irqsave(&pgct_oob_lock, flags);
	list_add(&f->oob_node, &pgct_oob_list);
	raw_spin_unlock_irqrestore(&pgct_oob_lock, flags);
	pgct_expect_unmapped(test, f);
	return f;
}

/* What an out-of-band suite's .init leaves in test->priv. */
static const char pgct_oob_mark[] = "out-of-band";

/**
 * pgct_oob_suite_init() - make the case's fixtures out of band
 * @test: the test
 *
 * The .init of the pgclass_oob_* suites: pgct_fixture_mem() and the
 * fixtures built on it make out-of-band pools.
 *
 * Return: 0.
 */
int pgct_oob_suite_init(struct kunit *test)
{
	test->priv = (void *)pgct_oob_mark;
	return 0;
}

/**
 * pgct_case_oob() - whether the case runs over out-of-band pools
 * @test: the test
 *
 * Return: true in a suite whose .init is pgct_oob_suite_init().
 */
bool pgct_case_oob(struct kunit *test)
{
	return test->priv == pgct_oob_mark;
}

/**
 * pgct_fixture_mem() - memory for a pool, without the pool
 * @test: the test
 * @nr_pages: allocator pages
 * @shift: allocator page shift
 *
 * The pool will be out of band in a suite that says so
 * (pgct_case_oob()), in band otherwise.
 *
 * Return: the fixture; the test ends if the memory cannot be had.
 */
struct pgct_fixture *pgct_fixture_mem(struct kunit *test,
				      unsigned long nr_pages,
				      unsigned int shift)
{
	return pgct_fixture_mem_kind(test, nr_pages, shift, pgct_case_oob(test));
}

/* Make the fixture's pool, with the create call its kind asks for. */
static struct pgclass_pool *pgct_create(struct kunit *test,
					struct pgct_fixture *f)
{
	unsigned long base = (unsigned long)f->base;

	if (f->oob) {
		if (f->cpus_set) {
			KUNIT_ASSERT_FALSE_MSG(test, f->zeroed,
					       "no zeroed pool for a CPU count");
			/* The metadata is sized for the CPUs that exist. */
			KUNIT_ASSERT_LE(test, f->cpus, nr_cpu_ids);
			return pgclass_pool_create_oob_cpus(f->meta,
							    f->meta_size, base,
							    f->size, f->shift,
							    f->cpus);
		}
		if (!f->zeroed)
			return pgclass_pool_create_oob(f->meta, f->meta_size,
						       base, f->size, f->shift);
		memset(f->meta, 0, f->meta_size);
		return pgclass_pool_create_oob_zeroed(f->meta, f->meta_size,
						      base, f->size, f->shift);
	}
	if (f->cpus_set) {
		KUNIT_ASSERT_FALSE_MSG(test, f->zeroed,
				       "no zeroed pool for a CPU count");
		return pgclass_pool_create_cpus(f->base, f->size, f->shift,
						f->cpus);
	}
	if (!f->zeroed)
		return pgclass_pool_create(f->base, f->size, f->shift);
	memset(f->base, 0, f->size);
	return pgclass_pool_create_zeroed(f->base, f->size, f->shift);
}

/**
 * pgct_pool_new() - create the pool over the fixture's memory
 * @test: the test
 * @f: the fixture, with no pool
 *
 * Makes the pool for @f->cpus CPUs if @f->cpus_set, else with
 * pgclass_pool_create(); out of band with pgclass_pool_create_oob() (or
 * pgclass_pool_create_oob_cpus() for a CPU count); with the _zeroed
 * variants over memory it clears first if @f->zeroed.  Checks the
 * new pool's counters and its layout (metadata, then one free run over
 * the rest; out of band, one free run over the whole range) and keeps the
 * counters in @f->init.
 */
void pgct_pool_new(struct kunit *test, struct pgct_fixture *f)
{
	struct pgclass_stats *st = &f->init;
	struct pgct_snap *s;

	KUNIT_ASSERT_NULL(test, f->pool);
	f->pool = pgct_create(test, f);
	if (IS_ERR(f->pool)) {
		KUNIT_FAIL(test, "pool_create(%lu pages of %zu B) failed: %ld",
			   f->nr_pages, f->page, PTR_ERR(f->pool));
		f->pool = NULL;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, f->pool,
				  "%s pool of %lu pages of %zu B refused",
				  f->oob ? "out-of-band" : "in-band",
				  f->nr_pages, f->page);
	f->nr_slots = pgclass_nr_cpu_slots(f->pool);
	KUNIT_EXPECT_LE(test, f->nr_slots,
			f->cpus_set ? f->cpus : nr_cpu_ids);

	pgclass_get_stats(f->pool, st);
	KUNIT_ASSERT_EQ(test, st->page_size, f->page);
	KUNIT_ASSERT_EQ(test, st->nr_pages, f->nr_pages);
	if (f->oob)
		KUNIT_ASSERT_EQ(test, st->meta_pages, 0U);
	else
		KUNIT_ASSERT_GE(test, st->meta_pages, 1U);
	KUNIT_ASSERT_GE(test, st->free_pages, 1U);
	KUNIT_ASSERT_EQ(test, st->meta_pages + st->free_pages, st->nr_pages);
	KUNIT_EXPECT_EQ(test, st->used_pages, 0U);
	KUNIT_EXPECT_EQ(test, st->peak_used_pages, 0U);
	KUNIT_EXPECT_EQ(test, st->blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, st->bytes_allocated, 0ULL);
	KUNIT_EXPECT_EQ(test, st->alloc_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, st->free_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, st->realloc_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, st->failed_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, st->cached_blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, st->cached_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, st->cache_busy_failures, 0ULL);
	KUNIT_EXPECT_EQ(test, st->fit_scans, 0ULL);

	if (!f->scratch)
		f->scratch = pgct_snap_alloc(test, f);
	s = f->scratch;
	pgct_snap_fill(test, f, s);
	pgct_check_snap(test, f, s);
	if (f->oob) {
		KUNIT_ASSERT_EQ(test, s->nr, 1UL);
		KUNIT_EXPECT_EQ(test, s->ext[0].state, PGCLASS_PAGE_FREE);
		KUNIT_EXPECT_EQ(test, s->ext[0].nr_pages, f->nr_pages);
		return;
	}
	KUNIT_ASSERT_EQ(test, s->nr, 2UL);
	KUNIT_EXPECT_EQ(test, s->ext[0].state, PGCLASS_PAGE_META);
	KUNIT_EXPECT_EQ(test, s->ext[1].state, PGCLASS_PAGE_FREE);
}

/**
 * pgct_fixture() - memory and a new pool over it
 * @test: the test
 * @nr_pages: allocator pages
 * @shift: allocator page shift
 *
 * Return: the fixture; the test ends if either cannot be had.
 */
struct pgct_fixture *pgct_fixture(struct kunit *test, unsigned long nr_pages,
				  unsigned int shift)
{
	struct pgct_fixture *f = pgct_fixture_mem(test, nr_pages, shift);

	pgct_pool_new(test, f);
	return f;
}

/**
 * pgct_fixture_cpus() - memory and a new pool for a number of CPUs
 * @test: the test
 * @nr_pages: allocator pages
 * @shift: allocator page shift
 * @cpus: the CPUs the pool is made for; 0 for a pool without slots
 *
 * Later pgct_pool_new() calls on the fixture make pools for @cpus too.
 *
 * Return: the fixture; the test ends if either cannot be had.
 */
struct pgct_fixture *pgct_fixture_cpus(struct kunit *test,
				       unsigned long nr_pages, unsigned int shift,
				       unsigned int cpus)
{
	struct pgct_fixture *f = pgct_fixture_mem(test, nr_pages, shift);

	f->cpus = cpus;
	f->cpus_set = true;
	pgct_pool_new(test, f);
	return f;
}

/**
 * pgct_fixture_path() - memory and a new pool for a path parameter
 * @test: the test
 * @nr_pages: allocator pages
 * @p: the page shift, and whether the pool has no slots
 *
 * Return: the fixture; the test ends if either cannot be had.
 */
struct pgct_fixture *pgct_fixture_path(struct kunit *test,
				       unsigned long nr_pages,
				       const struct pgct_path_param *p)
{
	if (p->shared)
		return pgct_fixture_cpus(test, nr_pages, p->shift, 0);
	return pgct_fixture(test, nr_pages, p->shift);
}

/**
 * pgct_fixture_forget() - leave the pool and its memory to whoever uses them
 * @test: the test
 * @f: the fixture
 *
 * For a case whose kthreads did not finish: the memory under the pool is
 * not given back when the case ends (a leak, which kmemleak reports), so
 * that they cannot write into memory the kernel has handed to someone else.
 */
void pgct_fixture_forget(struct kunit *test, struct pgct_fixture *f)
{
	kunit_remove_action(test, pgct_fixture_release, f);
}

/**
 * pgct_pin_cpu() - keep the rest of the case on the CPU it runs on
 * @test: the test
 *
 * Small blocks come from the calling CPU's slot: a case that expects
 * blocks of one class to share a page, or a freed page to be reused,
 * must not move to another CPU halfway.  Each case runs in a kthread of
 * its own, which ends with it, so nothing needs undoing.
 *
 * Return: the CPU.
 */
unsigned int pgct_pin_cpu(struct kunit *test)
{
	unsigned int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(cpu)));
	return cpu;
}

/**
 * pgct_pool_destroy() - destroy the fixture's pool now
 * @f: the fixture
 *
 * Return: what pgclass_pool_destroy() returned.
 */
unsigned long pgct_pool_destroy(struct pgct_fixture *f)
{
	unsigned long leaked = pgclass_pool_destroy(f->pool);

	f->pool = NULL;
	return leaked;
}

/**
 * pgct_snap_alloc() - an empty snapshot with room for the pool's extents
 * @test: the test
 * @f: the fixture
 *
 * Return: the snapshot, freed with the test.
 */
struct pgct_snap *pgct_snap_alloc(struct kunit *test, struct pgct_fixture *f)
{
	struct pgct_snap *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->cap = f->nr_pages;
	s->map_bits = f->page >> PGCLASS_MIN_BLOCK_SHIFT;
	s->map_longs = BITS_TO_LONGS(s->map_bits);
	s->ext = kunit_kcalloc(test, s->cap, sizeof(*s->ext), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->ext);
	s->maps = kunit_kcalloc(test, s->cap * s->map_longs, sizeof(long),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->maps);
	return s;
}

/* Runs under the pool's lock: records, never asserts. */
static int pgct_snap_cb(void *data, const struct pgclass_extent *ext)
{
	struct pgct_snap *s = data;
	struct pgct_ext *e;

	if (s->nr >= s->cap) {
		s->overflow = true;
		return -ENOSPC;
	}
	e = &s->ext[s->nr];
	e->first = ext->first;
	e->nr_pages = ext->nr_pages;
	e->state = ext->state;
	e->class = ext->class;
	e->block_size = ext->block_size;
	e->used = ext->used;
	e->total = ext->total;
	e->has_map = ext->map;
	if (ext->map) {
		if (ext->total > s->map_bits)
			s->map_too_big = true;
		else
			bitmap_copy(&s->maps[s->nr * s->map_longs], ext->map,
				    ext->total);
	}
	s->nr++;
	return 0;
}

/**
 * pgct_snap_fill() - take a snapshot into @s
 * @test: the test
 * @f: the fixture
 * @s: a snapshot from pgct_snap_alloc()
 */
void pgct_snap_fill(struct kunit *test, struct pgct_fixture *f,
		    struct pgct_snap *s)
{
	struct pgclass_cpu_stats cs;
	unsigned int cpu;
	int ret;

	s->nr = 0;
	s->overflow = false;
	s->map_too_big = false;
	memset(s->maps, 0, s->cap * s->map_longs * sizeof(long));
	pgclass_get_stats(f->pool, &s->st);
	s->nr_slots = pgclass_nr_cpu_slots(f->pool);
	s->slot_cached_pages = 0;
	s->slot_cached_blocks = 0;
	for (cpu = 0; cpu < s->nr_slots; cpu++) {
		KUNIT_ASSERT_EQ(test, 0,
				pgclass_get_cpu_stats(f->pool, cpu, &cs));
		s->slot_cached_pages += cs.cached_pages;
		s->slot_cached_blocks += cs.cached_blocks;
	}
	ret = pgclass_walk(f->pool, pgct_snap_cb, s);
	KUNIT_ASSERT_FALSE_MSG(test, s->overflow,
			       "walk gave more extents than the %lu pages",
			       s->cap);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "pgclass_walk() returned %d", ret);
	KUNIT_ASSERT_FALSE_MSG(test, s->map_too_big,
			       "a small page's bitmap has more than %lu bits",
			       s->map_bits);
}

/**
 * pgct_snap() - take a snapshot into a new buffer
 * @test: the test
 * @f: the fixture
 *
 * Return: the snapshot, freed with the test or by pgct_snap_free().
 */
struct pgct_snap *pgct_snap(struct kunit *test, struct pgct_fixture *f)
{
	struct pgct_snap *s = pgct_snap_alloc(test, f);

	pgct_snap_fill(test, f, s);
	return s;
}

/**
 * pgct_snap_free() - free a snapshot before the test ends
 * @test: the test
 * @s: the snapshot
 */
void pgct_snap_free(struct kunit *test, struct pgct_snap *s)
{
	kunit_kfree(test, s->maps);
	kunit_kfree(test, s->ext);
	kunit_kfree(test, s);
}

/**
 * pgct_snap_find() - the extent holding a page
 * @s: the snapshot
 * @page: the page index
 *
 * Return: the extent, or NULL.
 */
const struct pgct_ext *pgct_snap_find(const struct pgct_snap *s,
				      unsigned long page)
{
	unsigned long i;

	for (i = 0; i < s->nr; i++)
		if (page >= s->ext[i].first &&
		    page - s->ext[i].first < s->ext[i].nr_pages)
			return &s->ext[i];
	return NULL;
}

/**
 * pgct_snap_map() - the copy of an extent's bitmap
 * @s: the snapshot
 * @e: one of its extents
 *
 * Return: the bitmap, or NULL if the walk gave none.
 */
const unsigned long *pgct_snap_map(const struct pgct_snap *s,
				   const struct pgct_ext *e)
{
	if (!e->has_map)
		return NULL;
	return &s->maps[(e - s->ext) * s->map_longs];
}

/**
 * pgct_snap_count() - pages in a state
 * @s: the snapshot
 * @state: the state
 *
 * Return: how many pages of the snapshot are in @state (HEAD counts the
 * whole run).
 */
unsigned long pgct_snap_count(const struct pgct_snap *s,
			      enum pgclass_page_state state)
{
	unsigned long i, n = 0;

	for (i = 0; i < s->nr; i++)
		if (s->ext[i].state == state)
			n += s->ext[i].nr_pages;
	return n;
}

/* Per-class totals a walk implies, to hold against the class counters. */
struct pgct_class_sum {
	u64 pages;
	u64 used;
	u64 total;
	unsigned int empty;
};

static void pgct_check_ext(struct kunit *test, struct pgct_fixture *f,
			   const struct pgct_snap *s, unsigned long i,
			   struct pgct_class_sum *cls)
{
	const struct pgct_ext *e = &s->ext[i];
	const unsigned long *map = pgct_snap_map(s, e);
	unsigned int want;

	switch (e->state) {
	case PGCLASS_PAGE_META:
		KUNIT_ASSERT_FALSE_MSG(test, f->oob,
				       "extent %lu: metadata in an out-of-band range",
				       i);
		KUNIT_ASSERT_EQ_MSG(test, i, 0UL, "metadata in extent %lu", i);
		fallthrough;
	case PGCLASS_PAGE_FREE:
		KUNIT_ASSERT_TRUE_MSG(test, i == 0 ||
				      s->ext[i - 1].state != e->state,
				      "extents %lu and %lu: adjacent runs in state %d not merged",
				      i - 1, i, e->state);
		KUNIT_ASSERT_EQ_MSG(test, e->class, 0U, "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->block_size, 0UL, "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->used, 0U, "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->total, 0U, "extent %lu", i);
		KUNIT_ASSERT_FALSE_MSG(test, e->has_map, "extent %lu", i);
		return;
	case PGCLASS_PAGE_SMALL:
		KUNIT_ASSERT_EQ_MSG(test, e->nr_pages, 1UL, "extent %lu", i);
		KUNIT_ASSERT_TRUE_MSG(test, is_power_of_2(e->block_size) &&
				      e->block_size >= 1UL << PGCLASS_MIN_BLOCK_SHIFT &&
				      e->block_size <= f->page / 2,
				      "extent %lu: small block size %zu", i,
				      e->block_size);
		want = ilog2(e->block_size) - PGCLASS_MIN_BLOCK_SHIFT;
		KUNIT_ASSERT_EQ_MSG(test, e->class, want, "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->total, f->page / e->block_size,
				    "extent %lu", i);
		KUNIT_ASSERT_LE_MSG(test, e->used, e->total, "extent %lu", i);
		KUNIT_ASSERT_NOT_NULL_MSG(test, map, "extent %lu: no bitmap", i);
		KUNIT_ASSERT_EQ_MSG(test, bitmap_weight(map, e->total),
				    (unsigned int)e->used,
				    "extent %lu: bitmap disagrees with used", i);
		cls[e->class].pages++;
		cls[e->class].used += e->used;
		cls[e->class].total += e->total;
		if (!e->used)
			cls[e->class].empty++;
		return;
	case PGCLASS_PAGE_WHOLE:
		KUNIT_ASSERT_EQ_MSG(test, e->nr_pages, 1UL, "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->class, pgct_class_page(f),
				    "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->block_size, f->page, "extent %lu", i);
		break;
	case PGCLASS_PAGE_HEAD:
		KUNIT_ASSERT_GE_MSG(test, e->nr_pages, 2UL,
				    "extent %lu: a run of one page is not multi", i);
		KUNIT_ASSERT_EQ_MSG(test, e->class, pgct_class_multi(f),
				    "extent %lu", i);
		KUNIT_ASSERT_EQ_MSG(test, e->block_size, e->nr_pages * f->page,
				    "extent %lu", i);
		break;
	default:
		KUNIT_FAIL_AND_ABORT(test, "extent %lu: state %d", i, e->state);
	}
	/* WHOLE and HEAD: one block */
	KUNIT_ASSERT_EQ_MSG(test, e->used, 1U, "extent %lu", i);
	KUNIT_ASSERT_EQ_MSG(test, e->total, 1U, "extent %lu", i);
	KUNIT_ASSERT_FALSE_MSG(test, e->has_map, "extent %lu", i);
	cls[e->class].pages += e->nr_pages;
	cls[e->class].used++;
	cls[e->class].total++;
}

/*
 * The class counters agree with the walk.  Empty pages: a class keeps at
 * most one of its own (the spare); every other empty page must be owned
 * by a CPU slot, at most one per class and slot, and counted in
 * cached_pages.  A pool without slots keeps at most one per class.
 */
static void pgct_check_classes(struct kunit *test, struct pgct_fixture *f,
			       const struct pgct_snap *s,
			       const struct pgct_class_sum *cls)
{
	struct pgclass_class_stats cs;
	unsigned int c, nr = pgclass_nr_classes(f->pool);
	u64 owned_empty = 0;

	KUNIT_ASSERT_EQ(test, nr, pgct_nr_classes(f));
	for (c = 0; c < nr; c++) {
		KUNIT_ASSERT_EQ(test, pgclass_get_class_stats(f->pool, c, &cs), 0);
		if (c < pgct_class_page(f))
			KUNIT_ASSERT_EQ_MSG(test, cs.block_size,
					    1U << (c + PGCLASS_MIN_BLOCK_SHIFT),
					    "class %u", c);
		else if (c == pgct_class_page(f))
			KUNIT_ASSERT_EQ(test, cs.block_size, f->page);
		else
			KUNIT_ASSERT_EQ(test, cs.block_size, 0U);
		KUNIT_ASSERT_EQ_MSG(test, cs.pages, cls[c].pages, "class %u", c);
		KUNIT_ASSERT_EQ_MSG(test, cs.blocks_used, cls[c].used,
				    "class %u", c);
		KUNIT_ASSERT_EQ_MSG(test, cs.blocks_total, cls[c].total,
				    "class %u", c);
		KUNIT_ASSERT_LE_MSG(test, cls[c].empty, 1U + s->nr_slots,
				    "class %u keeps %u empty pages with %u CPU slots",
				    c, cls[c].empty, s->nr_slots);
		if (cls[c].empty > 1)
			owned_empty += cls[c].empty - 1;
	}
	KUNIT_ASSERT_LE_MSG(test, owned_empty, s->st.cached_pages,
			    "%llu empty pages beyond one per class, but the slots own only %llu pages",
			    owned_empty, s->st.cached_pages);
}

/*
 * What the CPU slots cache: the pool's sums are the slots' sums, and
 * cover only small pages and their free blocks, at most one page per
 * small class and slot.
 */
static void pgct_check_cached(struct kunit *test, struct pgct_fixture *f,
			      const struct pgct_snap *s)
{
	const struct pgclass_stats *st = &s->st;
	u64 small = 0, free_blocks = 0;
	unsigned long i;

	for (i = 0; i < s->nr; i++) {
		if (s->ext[i].state != PGCLASS_PAGE_SMALL)
			continue;
		small++;
		free_blocks += s->ext[i].total - s->ext[i].used;
	}
	KUNIT_ASSERT_EQ(test, s->nr_slots, pgclass_nr_cpu_slots(f->pool));
	KUNIT_ASSERT_EQ(test, st->cached_pages, s->slot_cached_pages);
	KUNIT_ASSERT_EQ(test, st->cached_blocks, s->slot_cached_blocks);
	KUNIT_ASSERT_LE(test, st->cached_pages, small);
	KUNIT_ASSERT_LE(test, st->cached_pages,
			(u64)s->nr_slots * pgct_class_page(f));
	KUNIT_ASSERT_LE(test, st->cached_blocks, free_blocks);
	if (!st->cached_pages)
		KUNIT_ASSERT_EQ(test, st->cached_blocks, 0ULL);
	KUNIT_ASSERT_LE(test, st->cache_busy_failures, st->failed_calls);
}

/**
 * pgct_check_snap() - check a snapshot for consistency
 * @test: the test
 * @f: the fixture
 * @s: a snapshot of @f's pool
 *
 * The extents must tile the pool in order, metadata first (none out of
 * band); each must be
 * well formed for its state (a free run never next to another one: free
 * runs coalesce); the page, block and byte totals must equal the pool's
 * counters, and the per-class totals its class counters; no class may
 * keep more than one empty page but those the CPU slots own; what the
 * slots cache must add up.  Ends the test on the first breach.
 */
void pgct_check_snap(struct kunit *test, struct pgct_fixture *f,
		     const struct pgct_snap *s)
{
	struct pgct_class_sum cls[PGCLASS_MAX_PAGE_SHIFT + 2] = { };
	const struct pgclass_stats *st = &s->st;
	unsigned long i, next = 0, used = 0;
	u64 blocks = 0, bytes = 0;

	KUNIT_ASSERT_EQ(test, st->page_size, f->page);
	KUNIT_ASSERT_EQ(test, st->nr_pages, f->nr_pages);
	KUNIT_ASSERT_GE(test, s->nr, 1UL);
	for (i = 0; i < s->nr; i++) {
		const struct pgct_ext *e = &s->ext[i];

		KUNIT_ASSERT_EQ_MSG(test, e->first, next,
				    "extent %lu does not start where %lu ends",
				    i, i - 1);
		KUNIT_ASSERT_GE_MSG(test, e->nr_pages, 1UL, "extent %lu", i);
		KUNIT_ASSERT_LE_MSG(test, e->nr_pages, f->nr_pages - next,
				    "extent %lu runs past the pool", i);
		pgct_check_ext(test, f, s, i, cls);
		if (e->state != PGCLASS_PAGE_META &&
		    e->state != PGCLASS_PAGE_FREE) {
			used += e->nr_pages;
			blocks += e->used;
			bytes += (u64)e->used * e->block_size;
		}
		next = e->first + e->nr_pages;
	}
	KUNIT_ASSERT_EQ_MSG(test, next, f->nr_pages, "extents end before the pool");
	/* out of band, META never shows: pgct_check_ext() */
	if (!f->oob)
		KUNIT_ASSERT_EQ(test, s->ext[0].state, PGCLASS_PAGE_META);
	KUNIT_ASSERT_EQ(test, pgct_snap_count(s, PGCLASS_PAGE_META),
			(unsigned long)st->meta_pages);
	KUNIT_ASSERT_EQ(test, pgct_snap_count(s, PGCLASS_PAGE_FREE),
			(unsigned long)st->free_pages);
	KUNIT_ASSERT_EQ(test, used, (unsigned long)st->used_pages);
	KUNIT_ASSERT_EQ(test, blocks, st->blocks);
	KUNIT_ASSERT_EQ(test, bytes, st->bytes_allocated);
	KUNIT_ASSERT_GE(test, st->peak_used_pages, st->used_pages);
	pgct_check_classes(test, f, s, cls);
	pgct_check_cached(test, f, s);
}

/**
 * pgct_check() - snapshot the pool and check it for consistency
 * @test: the test
 * @f: the fixture
 */
void pgct_check(struct kunit *test, struct pgct_fixture *f)
{
	if (!f->scratch)
		f->scratch = pgct_snap_alloc(test, f);
	pgct_snap_fill(test, f, f->scratch);
	pgct_check_snap(test, f, f->scratch);
}

/**
 * pgct_expect_same_layout() - two snapshots show the same pages
 * @test: the test
 * @a: one snapshot
 * @b: another one of the same pool
 *
 * Every extent and every small page's bitmap must be equal.
 */
void pgct_expect_same_layout(struct kunit *test, const struct pgct_snap *a,
			     const struct pgct_snap *b)
{
	unsigned long i;

	KUNIT_ASSERT_EQ(test, a->nr, b->nr);
	for (i = 0; i < a->nr; i++) {
		const struct pgct_ext *x = &a->ext[i], *y = &b->ext[i];
		const unsigned long *xm = pgct_snap_map(a, x);
		const unsigned long *ym = pgct_snap_map(b, y);

		KUNIT_EXPECT_EQ_MSG(test, x->first, y->first, "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->nr_pages, y->nr_pages,
				    "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->state, y->state, "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->class, y->class, "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->block_size, y->block_size,
				    "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->used, y->used, "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->total, y->total, "extent %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->has_map, y->has_map,
				    "extent %lu", i);
		if (xm && ym && x->total == y->total)
			KUNIT_EXPECT_TRUE_MSG(test,
					      bitmap_equal(xm, ym, x->total),
					      "extent %lu: bitmaps differ", i);
	}
}

/**
 * pgct_expect_same_state() - two readings of the counters show the same pool
 * @test: the test
 * @a: one reading
 * @b: another one
 *
 * Compares what describes the pool's contents, not the call counters.
 */
void pgct_expect_same_state(struct kunit *test, const struct pgclass_stats *a,
			    const struct pgclass_stats *b)
{
	KUNIT_EXPECT_EQ(test, a->page_size, b->page_size);
	KUNIT_EXPECT_EQ(test, a->nr_pages, b->nr_pages);
	KUNIT_EXPECT_EQ(test, a->meta_pages, b->meta_pages);
	KUNIT_EXPECT_EQ(test, a->free_pages, b->free_pages);
	KUNIT_EXPECT_EQ(test, a->used_pages, b->used_pages);
	KUNIT_EXPECT_EQ(test, a->peak_used_pages, b->peak_used_pages);
	KUNIT_EXPECT_EQ(test, a->blocks, b->blocks);
	KUNIT_EXPECT_EQ(test, a->bytes_allocated, b->bytes_allocated);
}

/**
 * pgct_expect_pristine() - the pool is as it was created
 * @test: the test
 * @f: the fixture
 *
 * No block, no page in use: metadata, then one free run of every other
 * page (out of band: one free run of every page).
 */
void pgct_expect_pristine(struct kunit *test, struct pgct_fixture *f)
{
	unsigned long free = f->oob ? 0 : 1;	/* the free run's extent */
	const struct pgct_snap *s;

	pgct_check(test, f);
	s = f->scratch;
	KUNIT_EXPECT_EQ(test, s->st.blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, s->st.bytes_allocated, 0ULL);
	KUNIT_EXPECT_EQ(test, s->st.used_pages, 0U);
	KUNIT_EXPECT_EQ(test, s->st.meta_pages, f->init.meta_pages);
	KUNIT_EXPECT_EQ(test, s->st.free_pages, f->init.free_pages);
	KUNIT_ASSERT_EQ(test, s->nr, free + 1);
	KUNIT_EXPECT_EQ(test, s->ext[free].state, PGCLASS_PAGE_FREE);
	KUNIT_EXPECT_EQ(test, s->ext[free].first,
			(unsigned long)f->init.meta_pages);
}

/**
 * pgct_expect_extent() - the extent at a page
 * @test: the test
 * @f: the fixture
 * @first: the page the extent must start at
 * @state: the state it must be in
 * @nr: the pages it must span
 *
 * Checks the whole pool first (pgct_check()).
 */
void pgct_expect_extent(struct kunit *test, struct pgct_fixture *f,
			unsigned long first, enum pgclass_page_state state,
			unsigned long nr)
{
	const struct pgct_ext *e;

	pgct_check(test, f);
	e = pgct_snap_find(f->scratch, first);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ_MSG(test, e->first, first, "page %lu", first);
	KUNIT_EXPECT_EQ_MSG(test, e->state, state, "page %lu", first);
	KUNIT_EXPECT_EQ_MSG(test, e->nr_pages, nr, "page %lu", first);
}

/**
 * pgct_expect_realloc_noop() - a realloc that leaves the pool as it was
 * @test: the test
 * @f: the fixture
 * @p: a live block
 * @to: the size asked for
 * @refused: pgclass_realloc() must return NULL, a failed call; else @p
 * @len: bytes at @p that hold pgct_fill()'s pattern of @seed
 * @seed: the pattern's seed
 *
 * The pool keeps its pages, its bitmaps and its counters, but
 * realloc_calls (one more) and failed_calls (one more if @refused); @p
 * keeps its usable size and its first @len bytes.
 */
void pgct_expect_realloc_noop(struct kunit *test, struct pgct_fixture *f,
			      void *p, size_t to, bool refused, size_t len,
			      unsigned int seed)
{
	size_t usable = pgclass_usable_size(f->pool, p);
	struct pgct_snap *before = pgct_snap(test, f), *after;

	KUNIT_EXPECT_PTR_EQ_MSG(test, pgclass_realloc(f->pool, p, to),
				refused ? NULL : p, "%zu B block -> %zu",
				usable, to);
	after = pgct_snap(test, f);
	pgct_check_snap(test, f, after);
	pgct_expect_same_layout(test, before, after);
	pgct_expect_same_state(test, &before->st, &after->st);
	KUNIT_EXPECT_EQ(test, after->st.realloc_calls,
			before->st.realloc_calls + 1);
	KUNIT_EXPECT_EQ(test, after->st.failed_calls,
			before->st.failed_calls + refused);
	KUNIT_EXPECT_EQ(test, usable, pgclass_usable_size(f->pool, p));
	KUNIT_EXPECT_EQ(test, len, pgct_verify(p, len, seed));
	pgct_snap_free(test, after);
	pgct_snap_free(test, before);
}

/**
 * pgct_alloc() - a block the case needs
 * @test: the test
 * @f: the fixture
 * @size: bytes
 *
 * Return: the block; the test ends if it cannot be had.
 */
void *pgct_alloc(struct kunit *test, struct pgct_fixture *f, size_t size)
{
	void *p = pgclass_alloc(f->pool, size);

	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "alloc(%zu)", size);
	return p;
}

/**
 * pgct_alloc_blocks() - blocks the case needs
 * @test: the test
 * @f: the fixture
 * @p: where to put them
 * @n: how many
 * @size: bytes each
 *
 * The test ends if one cannot be had.
 */
void pgct_alloc_blocks(struct kunit *test, struct pgct_fixture *f, void **p,
		       unsigned long n, size_t size)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		p[i] = pgct_alloc(test, f, size);
}

/**
 * pgct_free_class() - free every block of a class
 * @test: the test
 * @f: the fixture
 * @class: the class
 * @p: its blocks
 * @n: how many
 *
 * Afterwards the class has no block and at most one page, its spare, and
 * the pool checks out.
 */
void pgct_free_class(struct kunit *test, struct pgct_fixture *f,
		     unsigned int class, void **p, unsigned long n)
{
	struct pgclass_class_stats cs;
	unsigned long i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, class, &cs));
	KUNIT_EXPECT_EQ_MSG(test, cs.blocks_used, 0ULL, "class %u", class);
	KUNIT_EXPECT_LE_MSG(test, cs.pages, 1U, "class %u", class);
	pgct_check(test, f);
}

static u8 pgct_byte(size_t i, unsigned int seed)
{
	return (u8)(seed * 131 + i * 7 + (i >> 8) * 3 + 1);
}

/*
 * Where the bytes [@p, @p + @len) live: at @p, or for a block of an
 * out-of-band pool at the same offset in its fixture's shadow; the range
 * itself is mapped nowhere.  NULL, and the current case failed, if they
 * run out of a range they start in or into one they do not start in.
 */
static u8 *pgct_bytes(const void *p, size_t len)
{
	unsigned long a = (unsigned long)p, off = 0, flags;
	struct pgct_fixture *f;
	u8 *where = (u8 *)p;
	bool bad = false;

	raw_spin_lock_irqsave(&pgct_oob_lock, flags);
	list_for_each_entry(f, &pgct_oob_list, oob_node) {
		unsigned long r = (unsigned long)f->mem;

		/* [a, a + len) and [r, r + mem_size) do not meet */
		if (a + len <= r || a >= r + f->mem_size)
			continue;
		off = a - (unsigned long)f->base;
		if (a < (unsigned long)f->base || off >= f->size ||
		    len > f->size - off) {
			bad = true;
			where = NULL;
		} else {
			where = f->shadow + off;
		}
		break;
	}
	raw_spin_unlock_irqrestore(&pgct_oob_lock, flags);
	if (bad)
		kunit_fail_current_test("%zu bytes at offset %ld run out of an out-of-band range",
					len, (long)off);
	return where;
}

/*
 * pgct_fill() and pgct_verify() are not checked by KASAN: the suites also
 * lay a pattern over free pages (pgclass_pool's data_untouched), which the
 * allocator keeps poisoned.  pgclass_kasan checks that poison itself.
 * They never touch an out-of-band range: they write and read its shadow.
 */

/**
 * pgct_fill() - write a pattern
 * @p: where
 * @len: bytes
 * @seed: picks the pattern
 */
void __no_sanitize_address pgct_fill(void *p, size_t len, unsigned int seed)
{
	u8 *b = pgct_bytes(p, len);
	size_t i;

	if (!b)
		return;
	for (i = 0; i < len; i++)
		b[i] = pgct_byte(i, seed);
}

/**
 * pgct_verify() - check a pattern written by pgct_fill()
 * @p: where
 * @len: bytes
 * @seed: the pattern's seed
 *
 * Return: the offset of the first wrong byte, or @len.
 */
size_t __no_sanitize_address pgct_verify(const void *p, size_t len,
					 unsigned int seed)
{
	const u8 *b = pgct_bytes(p, len);
	size_t i;

	if (!b)
		return 0;
	for (i = 0; i < len; i++)
		if (b[i] != pgct_byte(i, seed))
			return i;
	return len;
}

/**
 * pgct_shift_desc() - name a page-shift parameter
 * @shift: the parameter
 * @desc: its name
 */
static void pgct_shift_desc(const unsigned int *shift, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "page_shift=%u", *shift);
}

KUNIT_ARRAY_PARAM(pgct_shift_array, test_page_shifts, pgct_shift_desc);

/**
 * pgct_shift_gen_params() - the page-shift parameters
 * @prev: the parameter before, NULL for the first
 * @desc: the next one's name
 *
 * Return: the next page shift of page_shifts.h, NULL after the last.
 */
const void *pgct_shift_gen_params(const void *prev, char *desc)
{
	return pgct_shift_array_gen_params(prev, desc);
}

/**
 * pgct_nr_paths() - how many path parameters there are
 *
 * Return: twice the page shifts: each with CPU slots and without.
 */
unsigned int pgct_nr_paths(void)
{
	return 2 * ARRAY_SIZE(test_page_shifts);
}

/**
 * pgct_path() - a path parameter by its index
 * @i: below pgct_nr_paths(); the per-CPU ones come first
 *
 * Return: the parameter.
 */
struct pgct_path_param pgct_path(unsigned int i)
{
	unsigned int n = ARRAY_SIZE(test_page_shifts);

	return (struct pgct_path_param){
		.shift = test_page_shifts[i % n],
		.shared = i >= n,
	};
}

/**
 * pgct_path_desc() - name a path parameter
 * @p: the parameter
 * @desc: its name
 */
void pgct_path_desc(const struct pgct_path_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "page_shift=%u %s", p->shift,
		 p->shared ? "shared" : "per-cpu");
}

/*
 * The path parameters as KUnit hands them to the cases: made from
 * test_page_shifts[] by pgct_path_gen_params(), which every case's run
 * calls before the case and never while it runs.
 */
static struct pgct_path_param pgct_paths[2 * ARRAY_SIZE(test_page_shifts)];

/**
 * pgct_path_gen_params() - the path parameters
 * @prev: the parameter before, NULL for the first
 * @desc: the next one's name
 *
 * Return: the next path parameter, NULL after the last.
 */
const void *pgct_path_gen_params(const void *prev, char *desc)
{
	unsigned int i = prev ? (const struct pgct_path_param *)prev -
				pgct_paths + 1 : 0;

	if (i >= pgct_nr_paths())
		return NULL;
	pgct_paths[i] = pgct_path(i);
	pgct_path_desc(&pgct_paths[i], desc);
	return &pgct_paths[i];
}

static void pgct_kvfree_action(void *p)
{
	kvfree(p);
}

/**
 * pgct_kvcalloc() - a zeroed array, possibly large, freed with the test
 * @test: the test
 * @n: elements
 * @size: bytes per element
 *
 * Return: the array; the test ends if it cannot be had.
 */
void *pgct_kvcalloc(struct kunit *test, size_t n, size_t size)
{
	void *p = kvcalloc(n, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pgct_kvfree_action, p));
	return p;
}

/**
 * pgct_shuffle() - put pointers in a seeded random order (Fisher-Yates)
 * @a: the pointers
 * @n: how many
 * @rnd: the generator
 */
void pgct_shuffle(void **a, unsigned long n, struct rnd_state *rnd)
{
	unsigned long i, j;

	for (i = n; i > 1; i--) {
		j = prandom_u32_state(rnd) % i;
		swap(a[i - 1], a[j]);
	}
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the pgclass page-class allocator");
/* pgclass_pool_create_*cpus() are exported for the tests only. */
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
