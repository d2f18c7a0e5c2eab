/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclass: a page-class memory allocator over a caller-provided region.
 *
 * The region is split into aligned allocator pages of 2^page_shift bytes.
 * A request of at most half a page is rounded up to a power of two (at
 * least 16 bytes) and shares a page with blocks of its class; a request
 * above half a page takes a whole page; a larger one takes exactly
 * ceil(size / page) contiguous pages.  Allocation, free, realloc (but for
 * the copy when a block moves), usable_size and the statistics are O(1) in
 * the number of pages; pgclass_pool_create() writes every page descriptor
 * and pgclass_walk() visits every extent.  A small allocation or free
 * normally touches only the calling CPU's slot and takes no pool lock;
 * everything else takes the pool's raw spinlock with interrupts off.  No
 * call sleeps or allocates memory: they are safe in any context but NMI.
 */
#ifndef _LINUX_PGCLASS_H
#define _LINUX_PGCLASS_H

#include <linux/kconfig.h>
#include <linux/types.h>

struct pgclass_pool;

/* Allocator page sizes a pool accepts: 512 B to 64 KiB. */
#define PGCLASS_MIN_PAGE_SHIFT	9
#define PGCLASS_MAX_PAGE_SHIFT	16
/* The smallest block: 16 bytes. */
#define PGCLASS_MIN_BLOCK_SHIFT	4
/*
 * Classes of a pool with the largest pages: the small classes 16 B ..
 * 32 KiB, then "page" and "multi".
 */
#define PGCLASS_MAX_CLASSES \
	(PGCLASS_MAX_PAGE_SHIFT - PGCLASS_MIN_BLOCK_SHIFT + 2)

/**
 * enum pgclass_page_state - what an allocator page holds
 * @PGCLASS_PAGE_META: pool header and page descriptors
 * @PGCLASS_PAGE_FREE: part of a run of free pages
 * @PGCLASS_PAGE_SMALL: blocks of one small class (possibly none in use)
 * @PGCLASS_PAGE_WHOLE: one block of more than half a page
 * @PGCLASS_PAGE_HEAD: first page of a multi-page block
 * @PGCLASS_PAGE_TAIL: a later page of a multi-page block
 */
enum pgclass_page_state {
	PGCLASS_PAGE_META,
	PGCLASS_PAGE_FREE,
	PGCLASS_PAGE_SMALL,
	PGCLASS_PAGE_WHOLE,
	PGCLASS_PAGE_HEAD,
	PGCLASS_PAGE_TAIL,
};

/**
 * struct pgclass_stats - a pool's counters, read in O(1)
 * @page_size: allocator page size in bytes
 * @nr_pages: allocator pages in the region, metadata included (of an
 *	out-of-band pool: in its range)
 * @meta_pages: pages holding the pool header and page descriptors (0 for
 *	an out-of-band pool, whose metadata is elsewhere)
 * @free_pages: pages in free runs
 * @used_pages: pages neither metadata nor free (a small class's spare
 *	empty page counts here)
 * @peak_used_pages: the most @used_pages has been
 * @blocks: blocks allocated now
 * @bytes_allocated: bytes in those blocks (class, page or run size)
 * @alloc_calls: pgclass_alloc() calls, failed ones included
 * @free_calls: pgclass_free() calls with a non-NULL pointer
 * @realloc_calls: pgclass_realloc() calls
 * @failed_calls: calls that returned NULL or an error for a non-zero size
 *	or a non-NULL pointer (exhaustion and bad frees)
 * @cached_blocks: free blocks on the pages the CPUs' slots own
 * @cached_pages: pages the CPUs' slots own (at most one per small class
 *	and CPU)
 * @cache_busy_failures: allocations that failed while a slot that might
 *	have held the space was in use by another call
 * @fit_scans: calls that found no free run in O(1) and scanned one list
 *	for one, the last resort before failing
 *
 * Sums over the CPUs' slots are exact when no call is in flight.
 */
struct pgclass_stats {
	u32 page_size;
	u32 nr_pages;
	u32 meta_pages;
	u32 free_pages;
	u32 used_pages;
	u32 peak_used_pages;
	u64 blocks;
	u64 bytes_allocated;
	u64 alloc_calls;
	u64 free_calls;
	u64 realloc_calls;
	u64 failed_calls;
	u64 cached_blocks;
	u64 cached_pages;
	u64 cache_busy_failures;
	u64 fit_scans;
};

/**
 * struct pgclass_cpu_stats - what one CPU's slot holds and has done
 * @alloc_calls: pgclass_alloc() calls it served
 * @free_calls: pgclass_free() calls it served (for any CPU)
 * @realloc_calls: pgclass_realloc() calls it served
 * @remote_frees: frees of its blocks by other CPUs
 * @refills: pages it took to allocate from (adopted pages are not counted)
 * @flushes: times its pages were taken back
 * @cached_blocks: free blocks on the pages it owns
 * @cached_pages: pages it owns
 */
struct pgclass_cpu_stats {
	u64 alloc_calls;
	u64 free_calls;
	u64 realloc_calls;
	u64 remote_frees;
	u64 refills;
	u64 flushes;
	u64 cached_blocks;
	u64 cached_pages;
};

/**
 * struct pgclass_class_stats - one size class's counters
 * @block_size: the class's block size; for the "multi" class, 0
 * @pages: pages the class holds (a spare empty page included)
 * @blocks_used: blocks allocated now
 * @blocks_total: blocks its pages could hold (for "multi", = @blocks_used)
 */
struct pgclass_class_stats {
	u32 block_size;
	u32 pages;
	u64 blocks_used;
	u64 blocks_total;
};

/**
 * struct pgclass_extent - a run of pages in one state, as pgclass_walk()
 * reports it
 * @first: index of the extent's first allocator page
 * @nr_pages: pages in the extent; 1 for SMALL and WHOLE
 * @state: META, FREE, SMALL, WHOLE or HEAD (a HEAD extent's later pages
 *	are its TAIL pages)
 * @class: class index (see pgclass_nr_classes()); 0 for META and FREE
 * @block_size: SMALL: the class size; WHOLE: the page size; HEAD: the
 *	block's size (@nr_pages pages); 0 for META and FREE
 * @used: SMALL: blocks in use; WHOLE and HEAD: 1; else 0
 * @total: SMALL: blocks the page holds; WHOLE and HEAD: 1; else 0
 * @map: SMALL: the block bitmap, bit i set when block i is in use; valid
 *	only during the callback; NULL otherwise
 */
struct pgclass_extent {
	unsigned long first;
	unsigned long nr_pages;
	enum pgclass_page_state state;
	unsigned int class;
	size_t block_size;
	unsigned int used;
	unsigned int total;
	const unsigned long *map;
};

/**
 * typedef pgclass_walk_fn - callback of pgclass_walk()
 * @data: the pointer given to pgclass_walk()
 * @ext: the extent; valid only during the call
 *
 * Called with the pool's spinlock held and interrupts off: it must not
 * sleep nor call into the same pool.
 *
 * Return: 0 to go on, anything else to stop the walk with that value.
 */
typedef int (*pgclass_walk_fn)(void *data, const struct pgclass_extent *ext);

struct pgclass_pool *pgclass_pool_create(void *base, size_t size,
					 unsigned int page_shift);
struct pgclass_pool *pgclass_pool_create_zeroed(void *base, size_t size,
						unsigned int page_shift);
size_t pgclass_meta_size(size_t size, unsigned int page_shift);
struct pgclass_pool *pgclass_pool_create_oob(void *meta, size_t meta_size,
					     unsigned long base, size_t size,
					     unsigned int page_shift);
struct pgclass_pool *pgclass_pool_create_oob_zeroed(void *meta,
						    size_t meta_size,
						    unsigned long base,
						    size_t size,
						    unsigned int page_shift);
unsigned long pgclass_pool_destroy(struct pgclass_pool *pool);

void *pgclass_alloc(struct pgclass_pool *pool, size_t size);
void *pgclass_alloc_aligned(struct pgclass_pool *pool, size_t size,
			    size_t align);
int pgclass_free(struct pgclass_pool *pool, void *ptr);
void *pgclass_realloc(struct pgclass_pool *pool, void *ptr, size_t size);
size_t pgclass_usable_size(struct pgclass_pool *pool, const void *ptr);

void pgclass_get_stats(struct pgclass_pool *pool, struct pgclass_stats *st);
unsigned int pgclass_nr_classes(struct pgclass_pool *pool);
int pgclass_get_class_stats(struct pgclass_pool *pool, unsigned int class,
			    struct pgclass_class_stats *cs);
int pgclass_get_classes(struct pgclass_pool *pool,
			struct pgclass_class_stats *cs, unsigned int nr);
int pgclass_walk(struct pgclass_pool *pool, pgclass_walk_fn fn, void *data);
int pgclass_walk_from(struct pgclass_pool *pool, unsigned long *pos,
		      pgclass_walk_fn fn, void *data);

void pgclass_drain(struct pgclass_pool *pool);
#if IS_ENABLED(CONFIG_KUNIT)
/* For the tests only: a pool for a given number of CPUs (not exported). */
struct pgclass_pool *pgclass_pool_create_cpus(void *base, size_t size,
					      unsigned int page_shift,
					      unsigned int nr_cpus);
struct pgclass_pool *pgclass_pool_create_oob_cpus(void *meta, size_t meta_size,
						  unsigned long base,
						  size_t size,
						  unsigned int page_shift,
						  unsigned int nr_cpus);
#endif
unsigned int pgclass_nr_cpu_slots(struct pgclass_pool *pool);
int pgclass_get_cpu_stats(struct pgclass_pool *pool, unsigned int cpu,
			  struct pgclass_cpu_stats *cs);

#endif /* _LINUX_PGCLASS_H */
