// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass.ko: reserve the arena, build the pool over it, and publish it
 * through /dev/pgclass and debugfs.
 *
 * The arena is nr_pages allocator pages of 2^page_shift bytes.  Its memory
 * comes from alloc_pages(), in the largest pieces the buddy allocator will
 * give without trying hard, and vmap() joins the pieces into one virtually
 * contiguous range so that a multi-page block may span any of them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pgclass.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"

/* Named param_* because mm.h already has a page_shift(). */
static unsigned int param_nr_pages = 1024;
module_param_named(nr_pages, param_nr_pages, uint, 0444);
MODULE_PARM_DESC(nr_pages, "allocator pages in the arena, metadata included (default 1024)");

static unsigned int param_page_shift = PAGE_SHIFT;
module_param_named(page_shift, param_page_shift, uint, 0444);
MODULE_PARM_DESC(page_shift, "log2 of the allocator page size, 9..16 (default PAGE_SHIFT)");

/*
 * The largest order asked of the buddy allocator.  Order 10 exists in both
 * 6.1 (MAX_ORDER 11, exclusive) and 6.12 (MAX_PAGE_ORDER 10, inclusive),
 * whose macros differ; where it does not, the call fails quietly (it
 * carries __GFP_NOWARN) and the next order down is tried.
 */
#define PGCLASS_RESERVE_MAX_ORDER	10

/**
 * struct pgclass_arena - the memory behind the pool
 * @pages: every PAGE_SIZE page of the mapping, each freed on its own
 * @nr: entries in @pages
 * @vaddr: the start of the vmap() mapping; the arena may start later to be
 *	aligned to the allocator page
 */
struct pgclass_arena {
	struct page **pages;
	unsigned long nr;
	void *vaddr;
};

static struct pgclass_dev pgclass_dev = {
	.files_lock = __MUTEX_INITIALIZER(pgclass_dev.files_lock),
	.files = LIST_HEAD_INIT(pgclass_dev.files),
};

static struct pgclass_arena pgclass_arena;

/* Checks the parameters; on success, *bytes is the arena's size. */
static int pgclass_check_params(size_t *bytes)
{
	size_t meta;

	if (param_page_shift < PGCLASS_MIN_PAGE_SHIFT ||
	    param_page_shift > PGCLASS_MAX_PAGE_SHIFT) {
		pr_err("page_shift=%u: must be %d..%d (512 B to 64 KiB pages)\n",
		       param_page_shift, PGCLASS_MIN_PAGE_SHIFT,
		       PGCLASS_MAX_PAGE_SHIFT);
		return -EINVAL;
	}
	/* The first page is metadata: one more is the least that is useful. */
	if (param_nr_pages < 2) {
		pr_err("nr_pages=%u: needs room for metadata and at least one data page\n",
		       param_nr_pages);
		return -EINVAL;
	}
	if (check_shl_overflow((size_t)param_nr_pages, param_page_shift, bytes)) {
		pr_err("nr_pages=%u, page_shift=%u: the arena's size overflows\n",
		       param_nr_pages, param_page_shift);
		return -EINVAL;
	}
	/* The core's own word on the geometry, before anything is reserved. */
	meta = pgclass_meta_size(*bytes, param_page_shift);
	if (!meta) {
		pr_err("nr_pages=%u, page_shift=%u: more pages than a pool can index (2^28 - 2, and 64 GiB)\n",
		       param_nr_pages, param_page_shift);
		return -EINVAL;
	}
	if (ALIGN(meta, 1UL << param_page_shift) >= *bytes) {
		pr_err("nr_pages=%u, page_shift=%u: the metadata takes %zu bytes, which leaves no data page\n",
		       param_nr_pages, param_page_shift, meta);
		return -EINVAL;
	}
	return 0;
}

/*
 * PAGE_SIZE pages to map: the arena rounded up to PAGE_SIZE, plus, when an
 * allocator page is larger than PAGE_SIZE, enough to slide the start up to
 * the next allocator page boundary (vmap() aligns only to PAGE_SIZE, and
 * no exported interface maps pages at a stricter alignment).  That slack
 * costs at most 2^page_shift - PAGE_SIZE bytes.  Since the arena's size in
 * bytes did not overflow, neither does this.
 */
static unsigned long pgclass_map_pages(void)
{
	unsigned int shift;

	if (param_page_shift <= PAGE_SHIFT) {
		shift = PAGE_SHIFT - param_page_shift;
		return DIV_ROUND_UP((unsigned long)param_nr_pages, 1UL << shift);
	}
	shift = param_page_shift - PAGE_SHIFT;
	return ((unsigned long)param_nr_pages << shift) + (1UL << shift) - 1;
}

static gfp_t pgclass_reserve_gfp(unsigned int order)
{
	/*
	 * High orders are an optimisation: fail fast and fall back.  Order 0
	 * may try reclaim, but must fail rather than invoke the OOM killer
	 * for a module that asked for too much.
	 */
	if (order)
		return GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY;
	return GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
}

static void pgclass_release_pages(struct pgclass_arena *arena)
{
	while (arena->nr)
		__free_page(arena->pages[--arena->nr]);
	kvfree(arena->pages);
	arena->pages = NULL;
}

/**
 * pgclass_reserve_pages() - fill an arena with @count PAGE_SIZE pages
 * @arena: the arena, empty
 * @count: pages wanted
 *
 * Takes the largest blocks that fit the remaining need, and goes down an
 * order each time one fails; an order that failed is not tried again.
 * Each block is split so that every page can be freed on its own.
 *
 * Return: 0, or -ENOMEM with nothing held.
 */
static int pgclass_reserve_pages(struct pgclass_arena *arena,
				 unsigned long count)
{
	unsigned int order = PGCLASS_RESERVE_MAX_ORDER;

	arena->pages = kvmalloc_array(count, sizeof(*arena->pages),
				      GFP_KERNEL);
	if (!arena->pages)
		return -ENOMEM;

	while (arena->nr < count) {
		unsigned long left = count - arena->nr;
		unsigned long i;
		struct page *page;

		order = min_t(unsigned int, order, ilog2(left));
		page = alloc_pages(pgclass_reserve_gfp(order), order);
		if (!page) {
			if (!order)
				goto fail;
			order--;
			continue;
		}
		split_page(page, order);
		for (i = 0; i < (1UL << order); i++)
			arena->pages[arena->nr++] = page + i;
	}
	return 0;

fail:
	pr_err("cannot reserve %lu pages (%lu KiB): got only %lu\n",
	       count, count << (PAGE_SHIFT - 10), arena->nr);
	pgclass_release_pages(arena);
	return -ENOMEM;
}

/**
 * pgclass_arena_create() - reserve and map the arena
 * @arena: where to record the pages and the mapping
 * @bytes: the arena's size
 *
 * Return: the arena's start, aligned to the allocator page, or NULL with
 * nothing held.
 */
static void *pgclass_arena_create(struct pgclass_arena *arena, size_t bytes)
{
	unsigned long align = max(PAGE_SIZE, 1UL << param_page_shift);
	unsigned long count = pgclass_map_pages();
	unsigned long avail = si_mem_available();

	/*
	 * Asking for more than the system can spare would only push it into
	 * reclaim and fail anyway.  vmap() counts pages in an unsigned int.
	 */
	if (count > avail || count > UINT_MAX) {
		pr_err("arena of %zu KiB: only about %lu KiB of memory available\n",
		       bytes >> 10, avail << (PAGE_SHIFT - 10));
		return NULL;
	}
	if (pgclass_reserve_pages(arena, count))
		return NULL;

	arena->vaddr = vmap(arena->pages, count, VM_MAP, PAGE_KERNEL);
	if (!arena->vaddr) {
		pr_err("cannot map %lu pages\n", count);
		pgclass_release_pages(arena);
		return NULL;
	}
	return PTR_ALIGN(arena->vaddr, align);
}

static void pgclass_arena_destroy(struct pgclass_arena *arena)
{
	vunmap(arena->vaddr);
	arena->vaddr = NULL;
	pgclass_release_pages(arena);
}

static int __init pgclass_init(void)
{
	struct pgclass_dev *dev = &pgclass_dev;
	size_t bytes;
	int ret;

	ret = pgclass_check_params(&bytes);
	if (ret)
		return ret;

	dev->base = pgclass_arena_create(&pgclass_arena, bytes);
	if (!dev->base)
		return -ENOMEM;
	dev->size = bytes;
	dev->page_shift = param_page_shift;
	dev->nr_pages = param_nr_pages;

	/*
	 * The core allocates nothing, the base is aligned and the geometry
	 * was checked with pgclass_meta_size(): this does not fail.
	 */
	dev->pool = pgclass_pool_create(dev->base, bytes, param_page_shift);
	if (!dev->pool) {
		pr_err("nr_pages=%u, page_shift=%u: too few pages for the metadata and a data page, or too many\n",
		       param_nr_pages, param_page_shift);
		ret = -EINVAL;
		goto err_arena;
	}

	pgclass_debugfs_init(dev);
	ret = pgclass_chardev_init(dev);
	if (ret)
		goto err_debugfs;

	pr_info("%u pages of %u bytes, /dev/%s\n", param_nr_pages, 1U << param_page_shift,
		dev->misc.name);
	return 0;

err_debugfs:
	pgclass_debugfs_exit(dev);
	pgclass_pool_destroy(dev->pool);
err_arena:
	pgclass_arena_destroy(&pgclass_arena);
	return ret;
}

static void __exit pgclass_exit(void)
{
	struct pgclass_dev *dev = &pgclass_dev;

	pgclass_chardev_exit(dev);
	pgclass_debugfs_exit(dev);
	/*
	 * Every file is closed, so every block is back; the core warns about
	 * any that is not, which would be a bug here.
	 */
	pgclass_pool_destroy(dev->pool);
	pgclass_arena_destroy(&pgclass_arena);
}

module_init(pgclass_init);
module_exit(pgclass_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pgclass: a page-class memory allocator, /dev/pgclass and debugfs");
