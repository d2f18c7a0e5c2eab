// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass core: a page-class memory allocator over a region its caller
 * provides.
 *
 * The region is cut into allocator pages of 2^page_shift bytes (512 B to
 * 64 KiB).  Its first pages, the meta pages, hold the pool header, the
 * per-CPU slots and one descriptor per data page: the core allocates
 * nothing, so it can manage memory the kernel's own allocators know
 * nothing about.  A pool's address is its region's base.  An out-of-band
 * pool keeps the same metadata in memory of the caller's instead and
 * never reads or writes its range (device memory, a DMA carve-out, a
 * range of numbers): every page of the range is data, nothing is
 * poisoned, and realloc never moves a block there.
 *
 * Three cases, as in the lab this comes from:
 *  - a request of at most half a page is rounded up to a power of two of at
 *    least 16 bytes, its class, and gets a block in a page of that class.
 *    The page's descriptor holds the bitmap of its blocks, one bit per block
 *    set while the block is allocated.  Blocks carry no header: allocating
 *    or freeing one reads and writes metadata only;
 *  - a request above half a page and up to a page gets a whole page;
 *  - a larger request gets exactly ceil(size / page) contiguous pages.
 *
 * Free pages form maximal runs, kept TLSF-style in segregated lists by run
 * length, a table of lists: the row comes from fls(length) (TLSF's first
 * level), the column from the two bits below the top one (its second
 * level: four lists per power of two).  A bitmap of the rows that have a
 * non-empty list, and one of the columns in each row, let ffs find the
 * first list whose runs all fit a request.  If there is none, the head of
 * the request's own list is checked too, so that an exact fit (the whole
 * data area, say) is found.  Only when that, and taking back what caches
 * hold, found nothing does the last resort run: the rest of that one list
 * is scanned (vmem's fallback), the one place where a call's cost depends
 * on the pool, by the runs of one list.  So no allocation fails while a
 * run fits.
 * The first and the last descriptor of a free run both hold its length (a
 * boundary tag): a freed extent merges with both neighbours at once.  A
 * block is found by arithmetic on its address, and loops run only over the
 * bitmap words of one page, over the size classes or, where the text says
 * so, over the CPUs: the cost of an allocation, a free or a realloc does not
 * depend on the number of pages, the last resort above aside.
 *
 * Descriptor invariant: a descriptor that says SMALL, OWNED, WHOLE or HEAD
 * is the first page of a live extent (freeing rewrites it to FREE), and the
 * first and last descriptors of every extent are exact.  Descriptors inside
 * an extent are not written, so they may only say FREE or TAIL.  That makes
 * multi-page operations O(1) and lets a free of anything but a live block's
 * start be detected: it is refused with -EINVAL and a rate-limited
 * pr_warn() naming the offset, and changes nothing.
 *
 * Per-CPU layer (the fast path).  Each CPU has a slot in the metadata, and
 * a slot owns at most one page per small class: the page its CPU allocates
 * that class from, or frees into.  An owned page is on no list; its
 * descriptor says OWNED and names the slot.  A small allocation trylocks
 * the slot, sets the lowest clear bit of the owned page and counts the
 * block in the slot; a free of a block on a page the slot owns clears the
 * bit the same way.  No pool lock and no interrupt flag: two atomic
 * read-modify-writes, the slot lock's cmpxchg and the bit's, on lines that
 * only this CPU writes unless another CPU frees into its pages or reclaims
 * them.  A free on another CPU than the owner's trylocks the owner's slot
 * the same way: no list, no pool lock.  A free into a shared page (one no
 * slot owns) takes the pool lock, and the freeing CPU then adopts that
 * page for its slot, giving up the page of that class it had, unless that
 * page is one it took to allocate from and still has blocks in use (or is
 * empty, and the new page is beside another CPU's): blocks made on one
 * CPU and freed on another cost the pool lock once a page, not once a
 * block, as mimalloc's and snmalloc's remote frees are batched.  A page a
 * slot gives up empty becomes its class's spare if the class has none,
 * so that the allocating CPU's next refill can take it back off the list.
 *
 * Slow path.  When the owned page is full, the slot gives it up (it is
 * then a full shared page on no list) and takes the head of the class's
 * list of pages that are not full, or a new page from the free runs, under
 * the pool lock.  Neighbouring pages' descriptors share cache lines, so a
 * refilling slot passes over up to three listed pages beside another
 * slot's (pgc_line_shared()) for the next, or for a new page while more
 * than 1/64 of the data pages are free; near full it takes the list's
 * head all the same.  Two CPUs allocating from pages whose descriptors
 * share a line make each call three to five times as slow.  A freeing CPU
 * adopts such a page all the same, as its frees write that line either
 * way, unless it would give up a page it took to allocate from; but its
 * slot does not allocate from it on the fast path: the first allocation
 * takes another page for it, as a refill does, if another slot's page is
 * still beside it and the pool has pages to spare (pgc_adopt_checked()).
 * Frees of blocks on shared pages, whole and multi-page blocks, and every
 * call that finds the slot it needs locked (an interrupt that came in
 * while its CPU was in the fast path, another CPU's free) take the pool
 * lock, as the whole allocator did before it had slots.
 *
 * Reclaim.  A request that the free runs cannot meet first takes back each
 * class's spare empty page, then, if any slot owns a page, every slot's
 * pages: it trylocks each slot (O(nr_cpus), allowed here and in stats and
 * destroy only), puts its pages that are not full on their class lists
 * and its full ones on none, and its empty ones back to the free runs
 * (through the spares, which it then takes back too).  A slot that is
 * locked at that moment is skipped: if the request then fails, it is
 * counted in cache_busy_failures.  That is the one case in which space
 * held by a cache is not found, and it needs another call in flight.
 * What one CPU holds is bounded: one page per small class; and the pool
 * one spare page per class.
 *
 * Bad frees stay exact on every path.  Which slot owns a page changes only
 * with both the pool lock and that slot's lock held, so either lock keeps
 * a page's ownership and class still.  A block's bit is read and changed
 * only with one of them held, and changed on an owned page only with
 * cmpxchg(), since the owner's holder and a pool-lock holder may change
 * bits of one word at once.  A free therefore sees the bitmap as it is: a
 * block whose bit is clear, whether it sits in a free page, in an owned
 * page or was freed a moment ago on another CPU, is refused, and of two
 * frees of one block exactly one clears the bit.  A block's bit is set
 * only while it is allocated, so no block is handed out twice.
 *
 * Slot locks are this file's own local_trylock: a word that says which CPU
 * holds it (CPU + 1), taken with cmpxchg_acquire and given back with
 * smp_store_release, held with preemption off and only for bounded work.
 * Nobody ever waits for one: its holder runs with interrupts on and may be
 * interrupted by code that waits for something the waiter holds (a
 * driver's lock, another slot).  A call that finds the slot it needs taken
 * uses the pool lock instead, as above.
 *
 * Context.  A slot lock nests outside the pool lock (a raw_spinlock_t,
 * taken with interrupts off, held for bounded work), and slot locks are
 * only ever trylocked; the module's whole lock order, with the locks of
 * the module around these two, is numbered in src/internal.h.  No
 * function sleeps or allocates memory, so all may be called in any
 * context but NMI, hard interrupts and PREEMPT_RT included.
 * pgclass_walk() calls back with the pool lock held; pgclass_realloc()
 * holds no lock while it copies a moved block.  A helper that needs a
 * lock held asserts it: lockdep_assert_held() for the pool lock,
 * pgc_assert_slot_held() for a slot's; the user-space build checks both.
 *
 * Memory checkers: a block's usable bytes are unpoisoned when it is handed
 * out and poisoned before it is given back, and the free pages of a new
 * pool start poisoned (pgclass_poison.h: KASAN in the kernel, ASan in user
 * space), so that a use of a freed block is reported.  Only the checker's
 * shadow is written, never the data pages: O(size / 8) bytes of shadow per
 * call where KASAN is on (as KASAN's own poisoning of kmalloc() and the page
 * allocator does); without it, nothing.
 */

#define pr_fmt(fmt) "pgclass: " fmt

#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/instruction_pointer.h>
#include <linux/kconfig.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/pgclass.h>
#include <linux/pgclass_poison.h>
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/visibility.h>
#endif

#define CREATE_TRACE_POINTS
#include <trace/events/pgclass.h>

/* Page indices sit in the low bits of a descriptor's two link words. */
#define PGC_IDX_BITS	28
#define PGC_IDX_MASK	((1U << PGC_IDX_BITS) - 1)
/* "No page": page 0 always holds the pool header, never a data page. */
#define PGC_NIL		0U
/* Columns of the run lists: each power of two of run lengths has 4. */
#define PGC_RUN_COL_SHIFT	2
#define PGC_RUN_COLS		BIT(PGC_RUN_COL_SHIFT)
/* An owned page's @prev: its slot took it to free into, not to allocate. */
#define PGC_ADOPTED	1U
/*
 * In a slot's @page: adopted beside another slot's page, not yet looked at
 * again.  Read as signed, such an entry is negative, as PGC_NIL is not
 * positive: the fast path tests for both at once.
 */
#define PGC_UNCHECKED	BIT(31)
static_assert(PGC_IDX_BITS < 31, "a slot's page entry has room for a mark");
/* Small classes of a pool with the largest pages: 16 B .. 32 KiB. */
#define PGC_MAX_SMALL	(PGCLASS_MAX_PAGE_SHIFT - PGCLASS_MIN_BLOCK_SHIFT)
/* Slots sit on lines of their own: no CPU writes another's line. */
#define PGC_LINE	64

/* What a data page's descriptor says.  FREE is 0: zeroed memory is free. */
enum pgc_kind {
	PGC_FREE,
	PGC_SMALL,	/* blocks of one class, on its list or full */
	PGC_WHOLE,
	PGC_HEAD,
	PGC_TAIL,
	PGC_OWNED,	/* blocks of one class, owned by the slot in @next */
};

/*
 * struct pgc_desc - the descriptor of one data page
 * @next: the page's kind in the top bits, the next page of its list below
 *	(OWNED: the owner's slot)
 * @prev: the page's class in the top bits, the previous page of its list
 *	below (OWNED: PGC_ADOPTED if the slot took the page to free into it,
 *	0 if to allocate from it)
 * @map: SMALL and OWNED: the block bitmap, bits past the page's blocks set;
 *	FREE (first and last page of a run) and HEAD: map[0] = length in pages
 *
 * Free runs are in NIL-terminated lists, the shared pages of a class that
 * are not full in a circular list (so that its tail, the spare, is at
 * hand).  @next is read without a lock to find which lock governs the
 * page, so it is written with WRITE_ONCE().
 */
struct pgc_desc {
	u32 next;
	u32 prev;
	unsigned long map[];
};

/* A small class: its list of pages that are not full, and its counters. */
struct pgc_class {
	u32 partial;
	u32 pages;	/* owned ones included */
	u32 used;	/* blocks counted under the pool lock, modulo 2^32 */
};

/*
 * struct pgc_cpu - one CPU's slot
 * @lock: 0, or the holder's CPU + 1 (see "Slot locks" above)
 * @alloc_calls: pgclass_alloc() calls it served
 * @realloc_calls: pgclass_realloc() calls it served (allocating or freeing)
 * @free_calls: pgclass_free() calls it served, from any CPU
 * @remote_frees: frees it served for another CPU
 * @refills: pages it took to allocate from (off its class's list or from
 *	the free runs); adopted pages are not counted, though they fire the
 *	cache_refill event
 * @flushes: times reclaim took its pages back
 * @used: per class, blocks it handed out less blocks it took back, modulo
 *	2^32 (a block allocated here and freed elsewhere makes one slot's
 *	count grow and another's shrink: only the sum over the slots and the
 *	pool, which is below 2^32, is a count)
 * @page: per class, the page it owns, or PGC_NIL; with PGC_UNCHECKED
 *	while the fast path must not allocate from it (see pgc_adopt())
 *
 * Everything but @lock is written by the holder of @lock only, @page with
 * the pool lock held too.  Stats, walk and destroy read the counters
 * without @lock, exact when the pool is idle: they are written with
 * WRITE_ONCE() and read with READ_ONCE().  @page is read under either lock.
 */
struct pgc_cpu {
	u32 lock;
	u32 pad;
	u64 alloc_calls;
	u64 realloc_calls;
	u64 free_calls;
	u64 remote_frees;
	u64 refills;
	u64 flushes;
	u32 used[PGC_MAX_SMALL];
	u32 page[PGC_MAX_SMALL];
};

/*
 * The pool header, at the start of the metadata: the region's base, or the
 * caller's memory for an out-of-band pool.  It is followed by the run
 * lists' column bitmaps (u8 per row) and heads (u32 per list), then by
 * the slots and the descriptors: everything is sized to the pool, to keep
 * the metadata within 1% of the region at 4 KiB pages.  The slots take
 * what that budget leaves, so the header stays small: what follows from
 * other fields (the small classes, the run list rows, the pages of multi-page
 * blocks, which class keeps a spare page) is worked out, not stored.  In
 * a kernel with lockdep, where the lock alone takes 64 bytes, the default
 * 1024-page pool has not a byte to spare.
 */
struct pgclass_pool {
	/*
	 * Protects everything below but the constants, the shared pages'
	 * descriptors and the list heads.  A slot's fields belong to its own
	 * lock; changing which lock governs a page takes both.
	 */
	raw_spinlock_t lock;
	/*
	 * The address of page 0: the pool itself, whose first pages are
	 * metadata, or for an out-of-band pool (PGC_POOL_OOB) one page below
	 * its range, so that page index 0 is never a data page there either
	 * (PGC_NIL).
	 */
	unsigned long base;
	u64 alloc_calls;
	u64 free_calls;
	u64 realloc_calls;
	u64 failed_calls;
	u32 cache_busy_failures;
	u32 fit_scans;		/* calls that needed the last-resort scan */
	u32 nr_pages;		/* the meta pages (or page 0) included */
	u32 meta_pages;		/* the first data page's index */
	u32 free_pages;
	u32 peak_used;
	u32 whole_pages;
	u32 multi_blocks;
	u32 row_map;		/* a bit per run list row with a non-empty list */
	u32 desc_off;		/* offset of the first data page's descriptor */
	u16 id;			/* the pool's number in tracepoints */
	bool slots_own;		/* a slot may own a page: reclaim has work */
	u8 desc_words;		/* pgc_words_for(page_shift), at hand */
	u16 nr_slots;		/* CPUs 0 .. nr_slots - 1 have a slot, just
				 * before the descriptors
				 */
	u8 page_shift;
	u8 flags;		/* PGC_POOL_* */
	struct pgc_class cls[];
};

/* The pool's range is not memory the core may touch (out of band). */
#define PGC_POOL_OOB	BIT(0)

/* Why a pointer is not an allocated block's start, for the warning. */
enum pgc_bad {
	PGC_OK,
	PGC_BAD_RANGE,
	PGC_BAD_META,
	PGC_BAD_PAGE,
	PGC_BAD_START,
	PGC_BAD_UNUSED,
};

static const char * const pgc_bad_msg[] = {
	[PGC_OK] = "ok",
	[PGC_BAD_RANGE] = "outside the pool",
	[PGC_BAD_META] = "in the metadata pages",
	[PGC_BAD_PAGE] = "not in the first page of an allocated block",
	[PGC_BAD_START] = "not at the start of a block",
	[PGC_BAD_UNUSED] = "block not allocated (double free?)",
};

/* Which counter a call goes to. */
enum pgc_call {
	PGC_CALL_NONE,
	PGC_CALL_ALLOC,
	PGC_CALL_FREE,
	PGC_CALL_REALLOC,
	PGC_CALL_SHRINK,	/* a realloc's move to a smaller block: its
				 * failure is no failed call (the block stays)
				 */
};

/* An allocated block, as pgc_lookup() finds it. */
struct pgc_ref {
	u32 page;
	u32 kind;
	u32 class;
	u32 pages;	/* HEAD: the block's pages; else 1 */
	u32 bit;	/* SMALL, OWNED: the block's index in its page */
	size_t size;	/* usable size */
};

static inline u32 pgc_kind(const struct pgc_desc *d)
{
	return READ_ONCE(d->next) >> PGC_IDX_BITS;
}

static inline bool pgc_kind_small(u32 kind)
{
	return kind == PGC_SMALL || kind == PGC_OWNED;
}

static inline u32 pgc_class(const struct pgc_desc *d)
{
	return d->prev >> PGC_IDX_BITS;
}

static inline u32 pgc_next(const struct pgc_desc *d)
{
	return READ_ONCE(d->next) & PGC_IDX_MASK;
}

static inline u32 pgc_prev(const struct pgc_desc *d)
{
	return d->prev & PGC_IDX_MASK;
}

static inline void pgc_set_next(struct pgc_desc *d, u32 i)
{
	WRITE_ONCE(d->next, (d->next & ~PGC_IDX_MASK) | i);
}

static inline void pgc_set_prev(struct pgc_desc *d, u32 i)
{
	d->prev = (d->prev & ~PGC_IDX_MASK) | i;
}

static inline void pgc_init(struct pgc_desc *d, u32 kind, u32 class)
{
	WRITE_ONCE(d->next, kind << PGC_IDX_BITS);
	d->prev = class << PGC_IDX_BITS;
}

static_assert(BIT(PGCLASS_MAX_PAGE_SHIFT - PGCLASS_MIN_BLOCK_SHIFT) /
	      BITS_PER_LONG <= U8_MAX,
	      "the largest pages' bitmap words fit a pool's desc_words");

/* Pools are numbered as they are made, for the tracepoints. */
static atomic_t pgc_pool_ids = ATOMIC_INIT(0);

/* Longs in a descriptor's bitmap: one bit per 16-byte block. */
static inline u32 pgc_words_for(u32 shift)
{
	return max(1UL, BIT(shift - PGCLASS_MIN_BLOCK_SHIFT) / BITS_PER_LONG);
}

/* A descriptor's size with @words bitmap words. */
static inline size_t pgc_desc_bytes(u32 words)
{
	return sizeof(struct pgc_desc) + words * sizeof(unsigned long);
}

/* From one descriptor to the next, in bytes. */
static inline size_t pgc_stride(struct pgclass_pool *pool)
{
	return pgc_desc_bytes(pool->desc_words);
}

static inline struct pgc_desc *pgc_desc(struct pgclass_pool *pool, u32 i)
{
	return (struct pgc_desc *)((char *)pool + pool->desc_off +
				   (size_t)(i - pool->meta_pages) *
				   pgc_stride(pool));
}

static inline void *pgc_addr(struct pgclass_pool *pool, u32 i)
{
	return (void *)(pool->base + ((unsigned long)i << pool->page_shift));
}

/* An out-of-band pool: the core never touches its range. */
static inline bool pgc_oob(struct pgclass_pool *pool)
{
	return pool->flags & PGC_POOL_OOB;
}

/*
 * Tell the memory checker (pgclass_poison.h) that a range is off limits or
 * in use again; never for an out-of-band pool, whose range the core must
 * not touch and which need not be memory at all.
 */
static inline void pgc_pool_poison(struct pgclass_pool *pool, void *p,
				   size_t n)
{
	if (!pgc_oob(pool))
		pgc_poison(p, n);
}

static inline void pgc_pool_unpoison(struct pgclass_pool *pool, void *p,
				     size_t n)
{
	if (!pgc_oob(pool))
		pgc_unpoison(p, n);
}

/* Small classes: 16 B .. half a page. */
static inline u32 pgc_nr_small(struct pgclass_pool *pool)
{
	return pool->page_shift - PGCLASS_MIN_BLOCK_SHIFT;
}

/* Rows of run lists: enough for a run of every data page. */
static u32 pgc_rows_for(u32 max_run);

static inline u32 pgc_nr_rows(struct pgclass_pool *pool)
{
	return pgc_rows_for(pool->nr_pages - pool->meta_pages);
}

/* Per row of run lists, a bit per column whose list is not empty. */
static inline u8 *pgc_col_maps(struct pgclass_pool *pool)
{
	return (u8 *)&pool->cls[pgc_nr_small(pool)];
}

/*
 * The run lists' heads follow the classes and the column bitmaps.  Row 0
 * has lists for runs of 1 to PGC_RUN_COLS - 1 pages: none for 0.
 */
static inline size_t pgc_list_heads_offset(u32 nr_small, u32 rows)
{
	return ALIGN(offsetof(struct pgclass_pool, cls) +
		     nr_small * sizeof(struct pgc_class) + rows, sizeof(u32));
}

static inline size_t pgc_nr_list_heads(u32 rows)
{
	return rows * PGC_RUN_COLS - 1;
}

/* The head of the list of runs in row @row, column @col (not 0, 0). */
static inline u32 *pgc_list_head(struct pgclass_pool *pool, u32 row, u32 col)
{
	u32 *heads = (u32 *)((char *)pool +
			     pgc_list_heads_offset(pgc_nr_small(pool),
						   pgc_nr_rows(pool)));

	return &heads[row * PGC_RUN_COLS + col - 1];
}

static inline u32 pgc_multi_class(struct pgclass_pool *pool)
{
	return pgc_nr_small(pool) + 1;
}

static inline size_t pgc_data_bytes(struct pgclass_pool *pool)
{
	return (size_t)(pool->nr_pages - pool->meta_pages) << pool->page_shift;
}

/* The small class of a request of 1 .. page / 2 bytes. */
static inline u32 pgc_class_of(size_t size)
{
	if (size <= BIT(PGCLASS_MIN_BLOCK_SHIFT))
		return 0;
	return fls((unsigned int)(size - 1)) - PGCLASS_MIN_BLOCK_SHIFT;
}

/* Blocks in a page of small class @c, and the bitmap words they use. */
static inline u32 pgc_blocks(struct pgclass_pool *pool, u32 c)
{
	return 1U << (pool->page_shift - PGCLASS_MIN_BLOCK_SHIFT - c);
}

static inline u32 pgc_words(u32 nb)
{
	return DIV_ROUND_UP(nb, BITS_PER_LONG);
}

/* An empty page's first bitmap word: the bits past its blocks are set. */
static inline unsigned long pgc_preset(u32 nb)
{
	return nb < BITS_PER_LONG ? ~0UL << nb : 0;
}

/* Loops over the nw bitmap words of one page. */
static bool pgc_map_full(const struct pgc_desc *d, u32 nw)
{
	u32 w;

	for (w = 0; w < nw; w++)
		if (d->map[w] != ~0UL)
			return false;
	return true;
}

static bool pgc_map_empty(const struct pgc_desc *d, u32 nb)
{
	u32 w, nw = pgc_words(nb);

	if (d->map[0] != pgc_preset(nb))
		return false;
	for (w = 1; w < nw; w++)
		if (d->map[w])
			return false;
	return true;
}

/*
 * The list a run of @n pages is on (TLSF's mapping): lengths below
 * PGC_RUN_COLS have a list each in row 0; above, the row is
 * fls(n) - PGC_RUN_COL_SHIFT and the column is given by the
 * PGC_RUN_COL_SHIFT bits below the top one.
 */
static void pgc_run_list(u32 n, u32 *row, u32 *col)
{
	u32 top_bit;

	if (n < PGC_RUN_COLS) {
		*row = 0;
		*col = n;
		return;
	}
	top_bit = fls(n) - 1;
	*row = top_bit - PGC_RUN_COL_SHIFT + 1;
	*col = (n >> (top_bit - PGC_RUN_COL_SHIFT)) - PGC_RUN_COLS;
}

/* Round @n up so that it maps to a list whose runs are all >= @n. */
static u32 pgc_round_to_fit(u32 n)
{
	if (n < PGC_RUN_COLS)
		return n;
	return n + (1U << (fls(n) - 1 - PGC_RUN_COL_SHIFT)) - 1;
}

static u32 pgc_rows_for(u32 max_run)
{
	u32 row, col;

	pgc_run_list(max_run, &row, &col);
	return row + 1;
}

/* A free run of at least @n pages, or PGC_NIL.  O(1): two ffs at most. */
static u32 pgc_find_run(struct pgclass_pool *pool, u32 n)
{
	u32 rows = pgc_nr_rows(pool), row, col, bits, s;
	u8 *col_map = pgc_col_maps(pool);

	lockdep_assert_held(&pool->lock);
	pgc_run_list(pgc_round_to_fit(n), &row, &col);
	if (row < rows) {
		bits = col_map[row] & (~0U << col);
		if (!bits) {
			bits = pool->row_map & (~0U << (row + 1));
			if (bits) {
				row = __ffs(bits);
				bits = col_map[row];
			}
		}
		if (bits)
			return *pgc_list_head(pool, row, __ffs(bits));
	}
	/* No list where every run fits: the head of n's own list may. */
	pgc_run_list(n, &row, &col);
	if (row >= rows)
		return PGC_NIL;
	s = *pgc_list_head(pool, row, col);
	if (s && pgc_desc(pool, s)->map[0] >= n)
		return s;
	return PGC_NIL;
}

/*
 * The last resort, vmem's: when pgc_find_run() found nothing, a run of at
 * least @n pages can only be in @n's own list, behind its head (the lists
 * below hold shorter runs, those above were empty).  Walk that one list
 * for the first run that fits.  Not O(1): bounded by the runs of one
 * list, and run only just before an allocation would fail.  The calls
 * that walk anything are counted in fit_scans.
 */
static u32 pgc_fit_scan(struct pgclass_pool *pool, u32 n)
{
	u32 row, col, s;

	lockdep_assert_held(&pool->lock);
	pgc_run_list(n, &row, &col);
	if (row >= pgc_nr_rows(pool))
		return PGC_NIL;
	s = *pgc_list_head(pool, row, col);
	if (!s || !pgc_next(pgc_desc(pool, s)))
		return PGC_NIL;	/* the head alone was looked at already */
	pool->fit_scans++;
	for (s = pgc_next(pgc_desc(pool, s)); s; s = pgc_next(pgc_desc(pool, s)))
		if (pgc_desc(pool, s)->map[0] >= n)
			return s;
	return PGC_NIL;
}

/* Make pages [s, s + len) a free run: write both tags, push on its list. */
static void pgc_run_push(struct pgclass_pool *pool, u32 s, u32 len)
{
	struct pgc_desc *d = pgc_desc(pool, s);
	u32 row, col, h, *head;

	lockdep_assert_held(&pool->lock);
	pgc_run_list(len, &row, &col);
	head = pgc_list_head(pool, row, col);
	h = *head;
	pgc_init(d, PGC_FREE, 0);
	pgc_set_next(d, h);
	d->map[0] = len;
	if (h)
		pgc_set_prev(pgc_desc(pool, h), s);
	*head = s;
	pgc_col_maps(pool)[row] |= 1U << col;
	pool->row_map |= 1U << row;
	if (len > 1) {
		d = pgc_desc(pool, s + len - 1);
		pgc_init(d, PGC_FREE, 0);
		d->map[0] = len;
	}
}

static void pgc_run_unlink(struct pgclass_pool *pool, u32 s)
{
	struct pgc_desc *d = pgc_desc(pool, s);
	u32 row, col, next, prev, *head;
	u8 *col_map = pgc_col_maps(pool);

	lockdep_assert_held(&pool->lock);
	pgc_run_list(d->map[0], &row, &col);
	head = pgc_list_head(pool, row, col);
	next = pgc_next(d);
	prev = pgc_prev(d);
	if (prev)
		pgc_set_next(pgc_desc(pool, prev), next);
	else
		*head = next;
	if (next)
		pgc_set_prev(pgc_desc(pool, next), prev);
	if (!*head) {
		col_map[row] &= ~(1U << col);
		if (!col_map[row])
			pool->row_map &= ~(1U << row);
	}
}

/* Take the first @n pages of the free run that starts at @s. */
static void pgc_count_taken(struct pgclass_pool *pool, u32 n)
{
	u32 used;

	lockdep_assert_held(&pool->lock);
	pool->free_pages -= n;
	used = pool->nr_pages - pool->meta_pages - pool->free_pages;
	if (used > pool->peak_used)
		pool->peak_used = used;
}

static void pgc_take(struct pgclass_pool *pool, u32 s, u32 n)
{
	u32 len = pgc_desc(pool, s)->map[0];

	lockdep_assert_held(&pool->lock);
	pgc_run_unlink(pool, s);
	if (len > n)
		pgc_run_push(pool, s + n, len - n);
	pgc_count_taken(pool, n);
}

/* Take the last page of the free run that starts at @s; return it. */
static u32 pgc_take_last(struct pgclass_pool *pool, u32 s)
{
	u32 len = pgc_desc(pool, s)->map[0];

	lockdep_assert_held(&pool->lock);
	if (len == 1) {
		pgc_take(pool, s, 1);
		return s;
	}
	pgc_run_unlink(pool, s);
	pgc_run_push(pool, s, len - 1);
	pgc_count_taken(pool, 1);
	return s + len - 1;
}

/*
 * Give back the extent [s, s + len), merging it with free neighbours.  The
 * caller has made the descriptor left of @s exact (a block's last page says
 * TAIL, or it starts a one-page extent).
 */
static void pgc_release(struct pgclass_pool *pool, u32 s, u32 len)
{
	u32 e = s + len;
	struct pgc_desc *d;

	lockdep_assert_held(&pool->lock);
	pool->free_pages += len;
	/* @s may end up inside the run: it must not keep a block's kind. */
	pgc_init(pgc_desc(pool, s), PGC_FREE, 0);
	if (e < pool->nr_pages) {
		d = pgc_desc(pool, e);
		if (pgc_kind(d) == PGC_FREE) {
			len += d->map[0];
			pgc_run_unlink(pool, e);
		}
	}
	if (s > pool->meta_pages) {
		d = pgc_desc(pool, s - 1);
		if (pgc_kind(d) == PGC_FREE) {
			u32 l = d->map[0];

			s -= l;
			len += l;
			pgc_run_unlink(pool, s);
		}
	}
	pgc_run_push(pool, s, len);
}

/* A class's circular list of pages that are not full. */
static void pgc_part_add(struct pgclass_pool *pool, u32 c, u32 i, bool tail)
{
	struct pgc_class *cl = &pool->cls[c];
	struct pgc_desc *d = pgc_desc(pool, i);
	struct pgc_desc *hd, *td;
	u32 h = cl->partial, t;

	lockdep_assert_held(&pool->lock);
	if (!h) {
		pgc_set_next(d, i);
		pgc_set_prev(d, i);
		cl->partial = i;
		return;
	}
	hd = pgc_desc(pool, h);
	t = pgc_prev(hd);
	td = pgc_desc(pool, t);
	pgc_set_next(d, h);
	pgc_set_prev(d, t);
	pgc_set_next(td, i);
	pgc_set_prev(hd, i);
	if (!tail)
		cl->partial = i;
}

static void pgc_part_del(struct pgclass_pool *pool, u32 c, u32 i)
{
	struct pgc_class *cl = &pool->cls[c];
	struct pgc_desc *d = pgc_desc(pool, i);
	u32 next = pgc_next(d), prev = pgc_prev(d);

	lockdep_assert_held(&pool->lock);
	if (next == i) {
		cl->partial = PGC_NIL;
		return;
	}
	pgc_set_next(pgc_desc(pool, prev), next);
	pgc_set_prev(pgc_desc(pool, next), prev);
	if (cl->partial == i)
		cl->partial = next;
}

/*
 * The empty page class @c keeps to avoid thrashing, or PGC_NIL.  A class's
 * list holds at most one empty page, and only at its tail (see
 * pgc_spare_or_release()), so the spare is found, not recorded.
 */
static u32 pgc_spare(struct pgclass_pool *pool, u32 c)
{
	u32 h = pool->cls[c].partial, t;

	lockdep_assert_held(&pool->lock);
	if (!h)
		return PGC_NIL;
	t = pgc_prev(pgc_desc(pool, h));
	return pgc_map_empty(pgc_desc(pool, t), pgc_blocks(pool, c)) ? t : PGC_NIL;
}

/* Page @i of class @c, on no list, back to the free runs. */
static void pgc_class_release(struct pgclass_pool *pool, u32 c, u32 i)
{
	lockdep_assert_held(&pool->lock);
	pool->cls[c].pages--;
	pgc_release(pool, i, 1);
}

/*
 * Empty page @i of class @c, on no list: the class's spare, at its list's
 * tail, if the class has none; else back to the free runs.  One spare a
 * class keeps a page that empties and fills again from going through the
 * free runs each time, and bounds what the spares hold.
 */
static void pgc_spare_or_release(struct pgclass_pool *pool, u32 c, u32 i)
{
	lockdep_assert_held(&pool->lock);
	if (!pgc_spare(pool, c)) {
		pgc_part_add(pool, c, i, true);
		return;
	}
	pgc_class_release(pool, c, i);
}

/*
 * Give every spare empty page back to the free runs: loops over the
 * classes.  Returns how many went back.
 */
static u32 pgc_reclaim_spares(struct pgclass_pool *pool)
{
	u32 c, t, n = 0;

	lockdep_assert_held(&pool->lock);
	for (c = 0; c < pgc_nr_small(pool); c++) {
		t = pgc_spare(pool, c);
		if (!t)
			continue;
		pgc_part_del(pool, c, t);
		pgc_class_release(pool, c, t);
		n++;
	}
	return n;
}

static void pgc_set_head(struct pgclass_pool *pool, u32 i, u32 n)
{
	struct pgc_desc *d = pgc_desc(pool, i);

	lockdep_assert_held(&pool->lock);
	pgc_init(d, PGC_HEAD, pgc_multi_class(pool));
	d->map[0] = n;
	pgc_init(pgc_desc(pool, i + n - 1), PGC_TAIL, pgc_multi_class(pool));
}

#define PGC_SLOT_SIZE	ALIGN(sizeof(struct pgc_cpu), PGC_LINE)

static inline struct pgc_cpu *pgc_slot(struct pgclass_pool *pool, u32 k)
{
	return (struct pgc_cpu *)((char *)pool + pool->desc_off -
				  (size_t)(pool->nr_slots - k) * PGC_SLOT_SIZE);
}

static inline bool pgc_slot_trylock(struct pgc_cpu *s, u32 cpu)
{
	return !READ_ONCE(s->lock) && cmpxchg_acquire(&s->lock, 0, cpu + 1) == 0;
}

static inline void pgc_slot_unlock(struct pgc_cpu *s)
{
	/* What the holder wrote is seen by the next cmpxchg_acquire(). */
	smp_store_release(&s->lock, 0);
}

/*
 * Does this CPU hold slot @s?  Exact for the holder, which keeps
 * preemption off; an interrupt on its CPU would pass too, but never uses
 * a slot it found taken (see "Slot locks").
 */
static inline bool pgc_slot_held(struct pgc_cpu *s)
{
	return READ_ONCE(s->lock) == raw_smp_processor_id() + 1;
}

/* Slot locks are this file's own, unknown to lockdep: asserted thus. */
#define pgc_assert_slot_held(s)	lockdep_assert(pgc_slot_held(s))

/* A page @owner owns is governed by its slot's lock or the pool lock. */
#define pgc_assert_owned_locked(pool, owner)				\
	lockdep_assert(lockdep_is_held(&(pool)->lock) ||		\
		       pgc_slot_held(owner))

/*
 * Does page @i's descriptor share a cache line with the descriptor of a
 * page that a slot other than @k owns?  Then the two slots' CPUs would
 * write one line at every call, each cmpxchg taking the line from the
 * other: two threads doing 64-byte pairs natively (`ubench-pgclass scale`)
 * took 50 to 59 ns a call whenever their pages' descriptors met on a line,
 * 10 to 18 ns otherwise.  Descriptors padded to lines of their own would
 * take 1.56% of the pool, over the 1% budget; this check costs a refill,
 * or a free that adopts, a look at the descriptors that overlap @i's
 * lines: two at most on either side at 4 KiB pages (40 bytes each), four
 * at 512-byte pages on 64-bit (16 bytes).  Under the pool lock, which
 * every change of owner takes: the answer holds until it is dropped.
 */
static bool pgc_line_shared(struct pgclass_pool *pool, u32 i, u32 k)
{
	unsigned long a = (unsigned long)pgc_desc(pool, i);
	size_t stride = pgc_stride(pool);
	u32 before = DIV_ROUND_UP(a % PGC_LINE, stride);
	u32 after = DIV_ROUND_UP(ALIGN(a + stride, PGC_LINE) - a, stride) - 1;
	u32 j, last = min(i + after, pool->nr_pages - 1);
	struct pgc_desc *d;

	lockdep_assert_held(&pool->lock);
	for (j = i - min(before, i - pool->meta_pages); j <= last; j++) {
		d = pgc_desc(pool, j);
		if (j != i && pgc_kind(d) == PGC_OWNED && pgc_next(d) != k)
			return true;
	}
	return false;
}

/* An empty page of small class @c: its bits past the blocks set. */
static void pgc_small_init(struct pgclass_pool *pool, struct pgc_desc *d,
			   u32 c)
{
	u32 nb = pgc_blocks(pool, c), nw = pgc_words(nb), w;

	lockdep_assert_held(&pool->lock);
	d->map[0] = pgc_preset(nb);
	for (w = 1; w < pool->desc_words; w++)
		d->map[w] = w < nw ? 0 : ~0UL;
}

/*
 * Set the lowest clear bit of page @d of @nw bitmap words, which slot
 * @owner owns, or return -1 if there is none.  Under the owner's slot
 * lock or the pool lock; with
 * cmpxchg(), as a holder of the other lock may clear a bit of the same word
 * meanwhile (pgc_owned_clear()).
 */
static inline long pgc_owned_take(struct pgclass_pool *pool,
				  struct pgc_cpu *owner, struct pgc_desc *d,
				  u32 nw)
{
	unsigned long old;
	u32 w;

	pgc_assert_owned_locked(pool, owner);
	for (w = 0; w < nw; w++) {
		do {
			old = READ_ONCE(d->map[w]);
			if (old == ~0UL)
				break;
		} while (cmpxchg(&d->map[w], old,
				       old | (1UL << ffz(old))) != old);
		if (old != ~0UL)
			return (long)w * BITS_PER_LONG + ffz(old);
	}
	return -1;
}

/*
 * Clear bit @bit of page @d, which slot @owner owns; false if it was
 * clear already.  Under
 * the owner's slot lock or the pool lock, with cmpxchg() for the same
 * reason as pgc_owned_take().
 */
static bool pgc_owned_clear(struct pgclass_pool *pool, struct pgc_cpu *owner,
			    struct pgc_desc *d, u32 bit)
{
	unsigned long *word = &d->map[bit / BITS_PER_LONG];
	unsigned long mask = 1UL << (bit % BITS_PER_LONG), old;

	pgc_assert_owned_locked(pool, owner);
	do {
		old = READ_ONCE(*word);
		if (!(old & mask))
			return false;
	} while (cmpxchg(word, old, old & ~mask) != old);
	return true;
}

static inline void *pgc_block_addr(struct pgclass_pool *pool, u32 i, u32 c,
				   unsigned long bit)
{
	return (char *)pgc_addr(pool, i) +
	       (bit << (c + PGCLASS_MIN_BLOCK_SHIFT));
}

/*
 * Free blocks on small page @i of class @c.  Each bitmap word is read once,
 * with READ_ONCE() (on an owned page, the holder of the other lock may
 * change bits meanwhile), and kept in @copy unless it is NULL: the count
 * and the copy are of one moment.
 */
static u32 pgc_free_blocks(struct pgclass_pool *pool, u32 i, u32 c,
			   unsigned long *copy)
{
	struct pgc_desc *d = pgc_desc(pool, i);
	u32 nb = pgc_blocks(pool, c), w, used = 0;
	unsigned long word;

	lockdep_assert_held(&pool->lock);
	for (w = 0; w < pgc_words(nb); w++) {
		word = READ_ONCE(d->map[w]);
		if (copy)
			copy[w] = word;
		used += hweight_long(word);
	}
	return nb - (used - hweight_long(pgc_preset(nb)));
}

/* Slot @k took page @i of class @c (@refill), or gave it back. */
static void pgc_trace_cache(struct pgclass_pool *pool, bool refill, u32 k,
			    u32 c, u32 i)
{
	lockdep_assert_held(&pool->lock);
	if (refill && trace_pgclass_cache_refill_enabled())
		trace_pgclass_cache_refill(pool->id, k, c,
					   pgc_free_blocks(pool, i, c, NULL));
	else if (!refill && trace_pgclass_cache_flush_enabled())
		trace_pgclass_cache_flush(pool->id, k, c,
					  pgc_free_blocks(pool, i, c, NULL));
}

/*
 * A shared page of class @c leaves its list or the free runs to be owned by
 * slot @k, @adopted by a freeing CPU (see pgc_adopt()) or taken to
 * allocate from.  Under the pool lock and @k's lock.  The kind and the
 * owner go into @next in one store: a free that reads it without a lock
 * must never see OWNED with slot 0 in between, or it takes slot 0's lock
 * for a page that @k's holder is changing.
 */
static void pgc_own(struct pgclass_pool *pool, u32 i, u32 c, u32 k,
		    bool adopted)
{
	struct pgc_desc *d = pgc_desc(pool, i);

	lockdep_assert_held(&pool->lock);
	pgc_assert_slot_held(pgc_slot(pool, k));
	d->prev = c << PGC_IDX_BITS | (adopted ? PGC_ADOPTED : 0);
	WRITE_ONCE(d->next, (PGC_OWNED << PGC_IDX_BITS) | k);
	WRITE_ONCE(pgc_slot(pool, k)->page[c], i);
	pool->slots_own = true;
}

/*
 * Page @i of class @c, which slot @k owned, is shared again: an empty page
 * becomes the class's spare if it has none (as in pgc_small_free()), or
 * goes to the free runs; one that is not full goes to the head of its
 * class's list, a full one to no list.  Under the pool lock and @k's lock.
 *
 * The spare is what makes blocks made on one CPU and freed on another
 * cheap: the freeing CPU gives up each page it has emptied at its next
 * adoption, and the allocating CPU's next refill can take it off the list
 * (unless its descriptor shares a line with another slot's page:
 * pgc_part_pick()).
 * Through the free runs instead, each page was merged with its neighbours
 * and split off again, writing both runs' tags, their lists' neighbours
 * and the list bitmaps, lines the other CPU wrote last.  `ubench-pgclass
 * scale`, xfree case, two batches of 10 and 12 interleaved runs of each
 * build, `scale 5`: medians 44 and 36 ns a block against 83 and 54
 * (jemalloc 27 and 24).  Single runs vary twofold and more, as the ring
 * alone does: the two vCPUs' distance on the host changes.
 */
static void pgc_unown(struct pgclass_pool *pool, u32 k, u32 c, u32 i)
{
	struct pgc_desc *d = pgc_desc(pool, i);
	u32 nb = pgc_blocks(pool, c);

	lockdep_assert_held(&pool->lock);
	pgc_assert_slot_held(pgc_slot(pool, k));
	pgc_trace_cache(pool, false, k, c, i);
	pgc_init(d, PGC_SMALL, c);
	if (pgc_map_empty(d, nb))
		pgc_spare_or_release(pool, c, i);
	else if (!pgc_map_full(d, pgc_words(nb)))
		pgc_part_add(pool, c, i, false);
}

/*
 * Give slot @k's page of class @c back, if it has one (pgc_unown()).
 * Under the pool lock and @k's lock.  Returns whether there was a page.
 */
static bool pgc_slot_give(struct pgclass_pool *pool, u32 k, u32 c)
{
	struct pgc_cpu *s = pgc_slot(pool, k);
	u32 i = s->page[c] & PGC_IDX_MASK;

	if (!i)
		return false;
	WRITE_ONCE(s->page[c], PGC_NIL);
	pgc_unown(pool, k, c, i);
	return true;
}

/* Give all of slot @k's pages back.  Under the pool lock and @k's lock. */
static void pgc_slot_flush(struct pgclass_pool *pool, u32 k)
{
	struct pgc_cpu *s = pgc_slot(pool, k);
	u32 c, taken = 0;

	for (c = 0; c < pgc_nr_small(pool); c++)
		taken += pgc_slot_give(pool, k, c);
	if (taken)
		WRITE_ONCE(s->flushes, s->flushes + 1);
}

/*
 * Take back what every slot caches (@held is the caller's own slot, whose
 * lock it holds, or U32_MAX).  Under the pool lock.
 * O(nr_cpus).  Returns how many slots were locked by someone else.
 */
static u32 pgc_reclaim_slots(struct pgclass_pool *pool, u32 held)
{
	u32 k, cpu = raw_smp_processor_id(), busy = 0;
	struct pgc_cpu *s;

	lockdep_assert_held(&pool->lock);
	if (held != U32_MAX)
		pgc_assert_slot_held(pgc_slot(pool, held));
	for (k = 0; k < pool->nr_slots; k++) {
		s = pgc_slot(pool, k);
		if (k == held) {
			pgc_slot_flush(pool, k);
			continue;
		}
		if (!pgc_slot_trylock(s, cpu)) {
			busy++;
			continue;
		}
		pgc_slot_flush(pool, k);
		pgc_slot_unlock(s);
	}
	/* Every slot was flushed: none owns a page until the next refill. */
	if (!busy)
		pool->slots_own = false;
	return busy;
}

/*
 * Take back all the caches hold: every slot's pages, if a slot may own
 * any, then every spare, the empty pages the slots gave back included.
 * Under the pool lock; O(nr_cpus).  Returns how many slots were locked
 * by someone else (pgc_reclaim_slots()).
 */
static u32 pgc_reclaim_caches(struct pgclass_pool *pool, u32 held)
{
	u32 busy = 0;

	if (pool->slots_own)
		busy = pgc_reclaim_slots(pool, held);
	pgc_reclaim_spares(pool);
	return busy;
}

/*
 * A page of the free run that starts at @s, for slot @k.  Descriptors of
 * neighbouring pages share cache lines, and a slot's CPU writes its page's
 * at every call: a slot with an odd index takes the run's last page, one
 * with an even index its first, so that two CPUs taking pages from one run
 * are not neighbours; and either takes the other end if its own would put
 * it on a line with another slot's page (pgc_line_shared()), unchecked:
 * a short run between two slots' pages has no better end.
 */
static u32 pgc_take_end(struct pgclass_pool *pool, u32 s, u32 k)
{
	u32 len = pgc_desc(pool, s)->map[0];
	bool last = k % 2;

	lockdep_assert_held(&pool->lock);
	if (len > 1 && pgc_line_shared(pool, last ? s + len - 1 : s, k))
		last = !last;
	if (last)
		return pgc_take_last(pool, s);
	pgc_take(pool, s, 1);
	return s;
}

/*
 * @n contiguous free pages, taking the spares and then the slots' pages
 * back if need be, and scanning a list as the last resort; *@busy counts
 * slots that could not be asked.  Under the pool lock.
 */
static u32 pgc_get_pages(struct pgclass_pool *pool, u32 n, u32 held,
			 u32 *busy)
{
	u32 s = pgc_find_run(pool, n);

	lockdep_assert_held(&pool->lock);
	if (held != U32_MAX)
		pgc_assert_slot_held(pgc_slot(pool, held));
	if (!s && pgc_reclaim_spares(pool))
		s = pgc_find_run(pool, n);
	if (!s && pool->slots_own) {
		*busy += pgc_reclaim_caches(pool, held);
		s = pgc_find_run(pool, n);
	}
	if (!s)
		s = pgc_fit_scan(pool, n);
	if (!s)
		return PGC_NIL;
	if (n == 1 && held != U32_MAX)
		return pgc_take_end(pool, s, held);
	pgc_take(pool, s, n);
	return s;
}

/*
 * How many pages of a class's list a refilling slot looks at: a bound, so
 * that a refill's cost does not grow with the list.  Few listed pages sit
 * beside another CPU's page (a CPU owns one page per class), so the first
 * few are seldom all taken.
 */
#define PGC_PICK_TRIES	3

/*
 * A slot passes over its class's listed pages for a new page only while
 * more than 1/64 of the data pages are free.  A new page is a page more in
 * use; near full, the pages are worth more than the line.
 */
#define PGC_SPARE_SHIFT	6

static bool pgc_pages_to_spare(struct pgclass_pool *pool)
{
	return pool->free_pages >
	       (pool->nr_pages - pool->meta_pages) >> PGC_SPARE_SHIFT;
}

/*
 * The first of the first PGC_PICK_TRIES pages of class @c's list that
 * shares no descriptor line with another slot's page, for slot @k;
 * PGC_NIL if there is none.  Under the pool lock.
 */
static u32 pgc_part_pick(struct pgclass_pool *pool, u32 c, u32 k)
{
	u32 h = pool->cls[c].partial, i = h, n;

	lockdep_assert_held(&pool->lock);
	for (n = 0; i && n < PGC_PICK_TRIES; n++) {
		if (!pgc_line_shared(pool, i, k))
			return i;
		i = pgc_next(pgc_desc(pool, i));
		if (i == h)
			break;
	}
	return PGC_NIL;
}

/*
 * A page of class @c that is not full, off its list, or a new one; PGC_NIL
 * if there is none.  For slot @held (not U32_MAX), a listed page whose
 * descriptor shares a line with another slot's page is passed over for
 * the next one, or for a new page while the pool has pages to spare
 * (pgc_pages_to_spare()); failing both, the list's head does.  Under the
 * pool lock.
 */
static u32 pgc_class_page(struct pgclass_pool *pool, u32 c, u32 held,
			  u32 *busy)
{
	struct pgc_class *cl = &pool->cls[c];
	u32 i = cl->partial;

	lockdep_assert_held(&pool->lock);
	if (i && held != U32_MAX) {
		i = pgc_part_pick(pool, c, held);
		if (!i && !pgc_pages_to_spare(pool))
			i = cl->partial;
	}
	if (i) {
		pgc_part_del(pool, c, i);
		return i;
	}
	i = pgc_get_pages(pool, 1, held, busy);
	/* Reclaim may have put a slot's page of this class on the list. */
	if (!i && cl->partial)
		return pgc_class_page(pool, c, held, busy);
	if (!i)
		return PGC_NIL;
	pgc_small_init(pool, pgc_desc(pool, i), c);
	cl->pages++;
	return i;
}

/* A block of small class @c from the shared pages.  Under the pool lock. */
static void *pgc_small_alloc(struct pgclass_pool *pool, u32 c, u32 *busy)
{
	u32 nb = pgc_blocks(pool, c), nw = pgc_words(nb), w;
	u32 i = pool->cls[c].partial;
	struct pgc_desc *d;
	unsigned long bit;

	lockdep_assert_held(&pool->lock);
	if (!i) {
		i = pgc_class_page(pool, c, U32_MAX, busy);
		if (!i)
			return NULL;
		pgc_init(pgc_desc(pool, i), PGC_SMALL, c);
		pgc_part_add(pool, c, i, false);
	}
	d = pgc_desc(pool, i);
	/* A page on the list is not full: one of its nw words has a 0. */
	for (w = 0; w < nw - 1 && d->map[w] == ~0UL; w++)
		;
	bit = ffz(d->map[w]);
	d->map[w] |= 1UL << bit;
	if (pgc_map_full(d, nw))
		pgc_part_del(pool, c, i);
	pool->cls[c].used++;
	return pgc_block_addr(pool, i, c, (unsigned long)w * BITS_PER_LONG + bit);
}

static void pgc_small_free(struct pgclass_pool *pool, u32 i, u32 c, u32 bit)
{
	struct pgc_class *cl = &pool->cls[c];
	struct pgc_desc *d = pgc_desc(pool, i);
	u32 nb = pgc_blocks(pool, c);
	bool was_full = pgc_map_full(d, pgc_words(nb));

	lockdep_assert_held(&pool->lock);
	d->map[bit / BITS_PER_LONG] &= ~(1UL << (bit % BITS_PER_LONG));
	cl->used--;
	if (!pgc_map_empty(d, nb)) {
		if (was_full)
			pgc_part_add(pool, c, i, false);
		return;
	}
	/*
	 * A page of at least two blocks: empty now, it was not full, so it is
	 * on the list.  As the list's tail (alone on it, say) it is the spare
	 * already and stays put: an alloc/free pair on one page then relinks
	 * nothing.
	 */
	if (pgc_prev(pgc_desc(pool, cl->partial)) == i)
		return;
	pgc_part_del(pool, c, i);
	pgc_spare_or_release(pool, c, i);
}

/*
 * A new block of @size bytes, or NULL; @held is the caller's slot (see
 * pgc_reclaim_slots()); *@busy counts the slots reclaim found in use.
 * Not unpoisoned yet.  Under the pool lock.
 */
static void *pgc_alloc_locked(struct pgclass_pool *pool, size_t size, u32 held,
			      u32 *busy)
{
	u32 shift = pool->page_shift;
	u32 i, n;
	void *p = NULL;

	lockdep_assert_held(&pool->lock);
	if (size <= BIT(shift - 1)) {
		p = pgc_small_alloc(pool, pgc_class_of(size), busy);
	} else if (size <= BIT(shift)) {
		i = pgc_get_pages(pool, 1, held, busy);
		if (i) {
			pgc_init(pgc_desc(pool, i), PGC_WHOLE, pgc_nr_small(pool));
			pool->whole_pages++;
			p = pgc_addr(pool, i);
		}
	} else if (size <= pgc_data_bytes(pool)) {
		n = DIV_ROUND_UP(size, BIT(shift));
		i = pgc_get_pages(pool, n, held, busy);
		if (i) {
			pgc_set_head(pool, i, n);
			pool->multi_blocks++;
			p = pgc_addr(pool, i);
		}
	}
	return p;
}

/* The usable size of a new block of @size bytes. */
static size_t pgc_usable(struct pgclass_pool *pool, size_t size)
{
	u32 shift = pool->page_shift;

	if (size <= BIT(shift - 1))
		return BIT(pgc_class_of(size) + PGCLASS_MIN_BLOCK_SHIFT);
	return ALIGN(size, BIT(shift));
}

static void pgc_count_call(struct pgclass_pool *pool, enum pgc_call call)
{
	lockdep_assert_held(&pool->lock);
	if (call == PGC_CALL_ALLOC)
		pool->alloc_calls++;
	else if (call == PGC_CALL_FREE)
		pool->free_calls++;
	else if (call == PGC_CALL_REALLOC || call == PGC_CALL_SHRINK)
		pool->realloc_calls++;
}

/*
 * A call that could not be served, unless it was a shrink (which keeps its
 * block); @busy slots might have held the space.
 */
static void pgc_count_failure(struct pgclass_pool *pool, enum pgc_call call,
			      u32 busy)
{
	lockdep_assert_held(&pool->lock);
	if (call == PGC_CALL_SHRINK)
		return;
	pool->failed_calls++;
	if (busy)
		pool->cache_busy_failures++;
}

static inline void pgc_count_slot(struct pgc_cpu *s, enum pgc_call call)
{
	pgc_assert_slot_held(s);
	if (call == PGC_CALL_ALLOC)
		WRITE_ONCE(s->alloc_calls, s->alloc_calls + 1);
	else if (call == PGC_CALL_FREE)
		WRITE_ONCE(s->free_calls, s->free_calls + 1);
	else if (call == PGC_CALL_REALLOC || call == PGC_CALL_SHRINK)
		WRITE_ONCE(s->realloc_calls, s->realloc_calls + 1);
}

/*
 * Slot @k is to allocate from its page of class @c, which it adopted
 * beside another slot's page (PGC_UNCHECKED): the two CPUs would write
 * one line at every call.  If that slot's page is still there, take
 * another page as a refill would and give the adopted one up; but near
 * full (pgc_pages_to_spare()) keep it, as pgc_class_page() would keep a
 * listed page: a page is worth more than the line then.  With pages to
 * spare, pgc_class_page() finds one in the lists or the free runs at
 * once, taking back no other slot's.  The new page is taken first: given
 * up first, an empty page would go back to the free runs if its class has
 * a spare already (pgc_unown()), the very page pgc_class_page() would
 * then find.  And it is owned before the old one goes: until then its
 * descriptor still says FREE, and an empty page given back beside it
 * would merge with it.  Under the pool lock and @k's
 * lock.
 */
static void pgc_adopt_checked(struct pgclass_pool *pool, u32 k, u32 c,
			      u32 *busy)
{
	struct pgc_cpu *s = pgc_slot(pool, k);
	u32 i = s->page[c] & PGC_IDX_MASK, n;

	lockdep_assert_held(&pool->lock);
	pgc_assert_slot_held(s);
	WRITE_ONCE(s->page[c], i);
	if (!pgc_pages_to_spare(pool) || !pgc_line_shared(pool, i, k))
		return;
	n = pgc_class_page(pool, c, k, busy);
	if (!n)		/* none after all: keep it */
		return;
	pgc_own(pool, n, c, k, false);
	WRITE_ONCE(s->refills, s->refills + 1);
	pgc_trace_cache(pool, true, k, c, n);
	pgc_unown(pool, k, c, i);
}

/*
 * The slow half of a small allocation on slot @s (locked by CPU @k): give
 * up its full page of class @c and own another.  Interrupts are off from
 * here on, so nothing on this CPU changes the page meanwhile.
 *
 * A page adopted beside another slot's page (PGC_UNCHECKED) comes here
 * too, at the slot's first allocation of its class: pgc_adopt_checked().
 */
static void *pgc_refill(struct pgclass_pool *pool, struct pgc_cpu *s, u32 k,
			u32 c, enum pgc_call call)
{
	u32 nw = pgc_words(pgc_blocks(pool, c)), i, busy = 0;
	unsigned long flags;
	void *p = NULL;
	long bit = -1;

	pgc_assert_slot_held(s);
	raw_spin_lock_irqsave(&pool->lock, flags);
	if (s->page[c] & PGC_UNCHECKED)
		pgc_adopt_checked(pool, k, c, &busy);
	i = s->page[c];
	if (i) {
		/* An interrupt may have freed a block since the first look. */
		bit = pgc_owned_take(pool, s, pgc_desc(pool, i), nw);
		if (bit < 0) {
			pgc_init(pgc_desc(pool, i), PGC_SMALL, c);
			WRITE_ONCE(s->page[c], PGC_NIL);
		}
	}
	if (bit < 0) {
		i = pgc_class_page(pool, c, k, &busy);
		if (i) {
			pgc_own(pool, i, c, k, false);
			WRITE_ONCE(s->refills, s->refills + 1);
			pgc_trace_cache(pool, true, k, c, i);
			bit = pgc_owned_take(pool, s, pgc_desc(pool, i), nw);
		}
	}
	if (bit >= 0) {
		p = pgc_block_addr(pool, i, c, bit);
		pgc_count_slot(s, call);
		WRITE_ONCE(s->used[c], s->used[c] + 1);
	} else {
		pgc_count_call(pool, call);
		pgc_count_failure(pool, call, busy);
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return p;
}

/* The start of the caller's region or range, the origin of offsets. */
static inline unsigned long pgc_origin(struct pgclass_pool *pool)
{
	return pool->base + (pgc_oob(pool) ? BIT(pool->page_shift) : 0);
}

/* A pointer as the tracepoints show it: never an address. */
static inline unsigned long pgc_offset(struct pgclass_pool *pool,
				       const void *p)
{
	return (unsigned long)p - pgc_origin(pool);
}

static void pgc_warn(struct pgclass_pool *pool, const char *op,
		     const void *ptr, int why)
{
	unsigned long base = pgc_origin(pool), p = (unsigned long)ptr;
	unsigned long span = (unsigned long)(pool->nr_pages - pgc_oob(pool)) <<
			     pool->page_shift;

	if (p >= base && p - base <= 2 * span)
		pr_warn_ratelimited("%s: bad pointer at offset %#lx: %s\n", op,
				    p - base, pgc_bad_msg[why]);
	else if (p < base && base - p <= span)
		pr_warn_ratelimited("%s: bad pointer at offset -%#lx: %s\n", op,
				    base - p, pgc_bad_msg[why]);
	else
		pr_warn_ratelimited("%s: bad pointer %p, far from the pool: %s\n",
				    op, ptr, pgc_bad_msg[why]);
}

/*
 * The events are emitted inside pgc_alloc_call() and pgc_block_op(),
 * given the caller's address as @ip; @ip 0 means no event, for an
 * internal call or for a call made while the event was off.
 *
 * What a disabled event costs: pgclass_alloc() and pgclass_free() test
 * the static key first and, when it is off, run the fast path inlined
 * with @ip 0, where every event test folds away: the same code as a
 * build without tracepoints, plus the key's patched-out jump.  With an
 * event on, they call an out-of-line copy that emits it.  (Tested
 * inside the fast path instead, an event kept its size, flag and
 * caller's address alive across the path's calls: 6 instructions a
 * call, 3%.)  Only the key's test is inlined here: with the rest
 * inline, the compiler worked out the event's offset ahead of the key.
 */
static noinline void pgc_event_alloc(struct pgclass_pool *pool,
				     unsigned long ip, const void *p,
				     size_t size, bool cached)
{
	if (p)
		trace_pgclass_alloc(ip, pool->id, pgc_offset(pool, p), size,
				    pgc_usable(pool, size), cached);
}

static noinline void pgc_event_free(struct pgclass_pool *pool,
				    unsigned long ip, const void *ptr,
				    const struct pgc_ref *r)
{
	trace_pgclass_free(ip, pool->id, pgc_offset(pool, ptr),
			   r->kind == PGC_OWNED);
}

static noinline void pgc_event_bad_free(struct pgclass_pool *pool,
					unsigned long ip, const void *ptr,
					int bad)
{
	trace_pgclass_bad_free(ip, pool->id, pgc_offset(pool, ptr), bad);
}

/*
 * False at compile time when @ip is the constant 0 (the fast paths
 * inlined into pgclass_alloc() and pgclass_free() while their events
 * are off), so that the event's test folds away; elsewhere the key is
 * tested first, a patched-out jump, and @ip only when it is on.
 */
static __always_inline bool pgc_may_trace(unsigned long ip)
{
	return !__builtin_constant_p(ip) || ip;
}

/* An allocation of @size bytes at @p (none if NULL). */
static __always_inline void pgc_trace_alloc(struct pgclass_pool *pool,
					    unsigned long ip, const void *p,
					    size_t size, bool cached)
{
	if (pgc_may_trace(ip) && trace_pgclass_alloc_enabled() && ip)
		pgc_event_alloc(pool, ip, p, size, cached);
}

/* A free of @ptr, found as @r; none for a lookup (@do_free false). */
static __always_inline void pgc_trace_free(struct pgclass_pool *pool,
					   unsigned long ip, const void *ptr,
					   const struct pgc_ref *r, bool do_free)
{
	if (pgc_may_trace(ip) && do_free && trace_pgclass_free_enabled() && ip)
		pgc_event_free(pool, ip, ptr, r);
}

/* A call on @ptr refused for @bad. */
static __always_inline void pgc_trace_bad_free(struct pgclass_pool *pool,
					       unsigned long ip,
					       const void *ptr, int bad)
{
	if (pgc_may_trace(ip) && trace_pgclass_bad_free_enabled() && ip)
		pgc_event_bad_free(pool, ip, ptr, bad);
}

/* pgc_alloc_call() through the pool lock. */
static noinline void *pgc_alloc_shared(struct pgclass_pool *pool, size_t size,
				       enum pgc_call call, unsigned long ip)
{
	unsigned long flags;
	void *p = NULL;
	u32 busy = 0;

	raw_spin_lock_irqsave(&pool->lock, flags);
	pgc_count_call(pool, call);
	if (size)
		p = pgc_alloc_locked(pool, size, U32_MAX, &busy);
	if (!p && size)
		pgc_count_failure(pool, call, busy);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (p)
		pgc_pool_unpoison(pool, p, pgc_usable(pool, size));
	pgc_trace_alloc(pool, ip, p, size, false);
	return p;
}

/*
 * Allocate @size bytes, counted as @call: through this CPU's slot for a
 * small block, through the pool lock otherwise or when the slot is taken.
 * The alloc event names @ip as the caller (none if @ip is 0).
 *
 * Inlined into pgclass_alloc() (the other callers, and pgclass_alloc()
 * while the event is on, share one copy, pgc_alloc_call_ool()): the
 * fast path's only call is to pgc_owned_take().
 */
static __always_inline void *pgc_alloc_call(struct pgclass_pool *pool,
					    size_t size, enum pgc_call call,
					    unsigned long ip)
{
	u32 shift = pool->page_shift, cpu, c, i, nw;
	struct pgc_cpu *s;
	void *p;
	long bit;

	cpu = get_cpu();
	if (size && size <= BIT(shift - 1) && cpu < pool->nr_slots) {
		s = pgc_slot(pool, cpu);
		if (pgc_slot_trylock(s, cpu)) {
			c = pgc_class_of(size);
			nw = pgc_words(pgc_blocks(pool, c));
			i = s->page[c];
			/* None, or PGC_UNCHECKED: pgc_refill() sees to it. */
			bit = (s32)i > 0 ?
				pgc_owned_take(pool, s, pgc_desc(pool, i), nw) :
				-1;
			if (bit >= 0) {
				p = pgc_block_addr(pool, i, c, bit);
				pgc_count_slot(s, call);
				WRITE_ONCE(s->used[c], s->used[c] + 1);
			} else {
				p = pgc_refill(pool, s, cpu, c, call);
			}
			pgc_slot_unlock(s);
			put_cpu();
			if (p)
				pgc_pool_unpoison(pool, p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT));
			pgc_trace_alloc(pool, ip, p, size, bit >= 0);
			return p;
		}
	}
	put_cpu();
	return pgc_alloc_shared(pool, size, call, ip);
}

/*
 * pgc_alloc_call() out of line: for the callers other than pgclass_alloc(),
 * and for pgclass_alloc() while its event is on.
 */
static noinline void *pgc_alloc_call_ool(struct pgclass_pool *pool,
					 size_t size, enum pgc_call call,
					 unsigned long ip)
{
	return pgc_alloc_call(pool, size, call, ip);
}

/* Extend the extent [i, i + n) to m pages from the free run after it. */
static bool pgc_grow(struct pgclass_pool *pool, u32 i, u32 n, u32 m)
{
	u32 r = i + n;
	struct pgc_desc *d;

	lockdep_assert_held(&pool->lock);
	if (r >= pool->nr_pages)
		return false;
	d = pgc_desc(pool, r);
	if (pgc_kind(d) != PGC_FREE || d->map[0] < m - n)
		return false;
	pgc_take(pool, r, m - n);
	return true;
}

/*
 * Make the block @r hold @size bytes without moving it, if it can: a block
 * already of the right class stays; a multi-page block shrinks in place
 * (to a whole page if @size is one), and it or a whole page grows in place
 * over the free run that follows it.  The pages it gives up are poisoned,
 * the pages it takes unpoisoned.
 */
static bool pgc_resize(struct pgclass_pool *pool, const struct pgc_ref *r,
		       size_t size)
{
	u32 shift = pool->page_shift;
	u32 m;

	lockdep_assert_held(&pool->lock);
	if (size <= BIT(shift - 1))
		return pgc_kind_small(r->kind) && pgc_class_of(size) == r->class;
	if (size <= BIT(shift)) {
		if (r->kind == PGC_WHOLE)
			return true;
		if (r->kind != PGC_HEAD)
			return false;
		pgc_init(pgc_desc(pool, r->page), PGC_WHOLE, pgc_nr_small(pool));
		pool->multi_blocks--;
		pool->whole_pages++;
		pgc_pool_poison(pool, pgc_addr(pool, r->page + 1),
				(size_t)(r->pages - 1) << shift);
		pgc_release(pool, r->page + 1, r->pages - 1);
		return true;
	}
	if (pgc_kind_small(r->kind) || size > pgc_data_bytes(pool))
		return false;
	m = DIV_ROUND_UP(size, BIT(shift));
	if (r->kind == PGC_WHOLE) {
		if (!pgc_grow(pool, r->page, 1, m))
			return false;
		pgc_set_head(pool, r->page, m);
		pool->whole_pages--;
		pool->multi_blocks++;
		pgc_pool_unpoison(pool, pgc_addr(pool, r->page + 1), (size_t)(m - 1) << shift);
		return true;
	}
	if (m == r->pages)
		return true;
	if (m < r->pages) {
		/* The new last page says TAIL before the rest goes. */
		pgc_set_head(pool, r->page, m);
		pgc_pool_poison(pool, pgc_addr(pool, r->page + m),
				(size_t)(r->pages - m) << shift);
		pgc_release(pool, r->page + m, r->pages - m);
		return true;
	}
	if (!pgc_grow(pool, r->page, r->pages, m))
		return false;
	pgc_set_head(pool, r->page, m);
	pgc_pool_unpoison(pool, pgc_addr(pool, r->page + r->pages),
			  (size_t)(m - r->pages) << shift);
	return true;
}

/*
 * Might extent @i, the first page of an extent, be free once the caches
 * give back what they hold: a free run, a page of a small class with no
 * block (a spare), or a slot's page, whose bits its slot's holder may be
 * changing now (reclaim will see).  Under the pool lock.
 */
static bool pgc_may_take_back(struct pgclass_pool *pool, u32 i)
{
	struct pgc_desc *d = pgc_desc(pool, i);

	lockdep_assert_held(&pool->lock);
	switch (pgc_kind(d)) {
	case PGC_FREE:
	case PGC_OWNED:
		return true;
	case PGC_SMALL:
		return pgc_map_empty(d, pgc_blocks(pool, pgc_class(d)));
	default:
		return false;
	}
}

/*
 * pgc_resize() could not grow the whole or multi-page block @r to @size
 * in place: the pages after it may be a spare or a slot's, empty.  If the
 * block cannot move instead (an out-of-band pool, or no run of the new
 * size found by the O(1) lookup), take back the spares, try again, then
 * the slots' pages and the spares again, as pgc_get_pages() does for the
 * move, and try once more: a grow then fails only when no run after the
 * block fits, the "no false failures" rule for a block that stays.  The
 * caches are left alone when they cannot help: when the extent after the
 * block, or after the free run that follows it, holds a block, and when
 * the spares alone make a run for the move.  *@busy counts the slots that
 * could not be asked.  Under the pool lock; O(nr_cpus) when it reclaims.
 */
static bool pgc_resize_reclaim(struct pgclass_pool *pool,
			       const struct pgc_ref *r, size_t size, u32 *busy)
{
	u32 n = r->kind == PGC_WHOLE ? 1 : r->pages, e = r->page + n, m;
	struct pgc_desc *d;

	lockdep_assert_held(&pool->lock);
	if (pgc_kind_small(r->kind) || size > pgc_data_bytes(pool))
		return false;
	m = DIV_ROUND_UP(size, BIT(pool->page_shift));
	if (m <= n || e >= pool->nr_pages || !pgc_may_take_back(pool, e))
		return false;
	d = pgc_desc(pool, e);
	if (pgc_kind(d) == PGC_FREE && d->map[0] < m - n &&
	    (e + d->map[0] >= pool->nr_pages ||
	     !pgc_may_take_back(pool, e + d->map[0])))
		return false;
	if (!pgc_oob(pool) && pgc_find_run(pool, m))
		return false;
	if (pgc_reclaim_spares(pool)) {
		if (pgc_resize(pool, r, size))
			return true;
		if (!pgc_oob(pool) && pgc_find_run(pool, m))
			return false;
	}
	if (!pool->slots_own)
		return false;
	*busy += pgc_reclaim_caches(pool, U32_MAX);
	return pgc_resize(pool, r, size);
}

/* The block at offset @in of small page @d, class in @r, or why none. */
static inline int pgc_lookup_small(const struct pgc_desc *d, unsigned long in,
				   struct pgc_ref *r)
{
	u32 bshift = r->class + PGCLASS_MIN_BLOCK_SHIFT;

	if (in & (BIT(bshift) - 1))
		return PGC_BAD_START;
	r->bit = in >> bshift;
	/* Marked: on an owned page, a holder of the other lock may set bits. */
	if (!(READ_ONCE(d->map[r->bit / BITS_PER_LONG]) &
	      BIT(r->bit % BITS_PER_LONG)))
		return PGC_BAD_UNUSED;
	r->size = BIT(bshift);
	return PGC_OK;
}

/*
 * Find the allocated block that starts at @ptr, or say why there is none.
 * Under the lock that governs its page; with only the pool lock, a page
 * owned by a slot is not looked into: -EAGAIN.
 */
static int pgc_lookup(struct pgclass_pool *pool, const void *ptr,
		      struct pgc_ref *r, bool owned_ok)
{
	unsigned long off = (unsigned long)ptr - pool->base;
	u32 shift = pool->page_shift;
	unsigned long in;
	struct pgc_desc *d;

	lockdep_assert_held(&pool->lock);
	if (off >= (unsigned long)pool->nr_pages << shift)
		return PGC_BAD_RANGE;
	if (off < (unsigned long)pool->meta_pages << shift)
		return pgc_oob(pool) ? PGC_BAD_RANGE : PGC_BAD_META;
	r->page = off >> shift;
	in = off & (BIT(shift) - 1);
	d = pgc_desc(pool, r->page);
	r->kind = pgc_kind(d);
	r->class = pgc_class(d);
	r->pages = 1;
	r->bit = 0;
	switch (r->kind) {
	case PGC_OWNED:
		if (!owned_ok)
			return -EAGAIN;
		fallthrough;
	case PGC_SMALL:
		return pgc_lookup_small(d, in, r);
	case PGC_WHOLE:
		if (in)
			return PGC_BAD_START;
		r->size = BIT(shift);
		return PGC_OK;
	case PGC_HEAD:
		if (in)
			return PGC_BAD_START;
		r->pages = d->map[0];
		r->size = (size_t)r->pages << shift;
		return PGC_OK;
	default:	/* FREE or TAIL: not the first page of a block */
		return PGC_BAD_PAGE;
	}
}

static inline void *pgc_ref_addr(struct pgclass_pool *pool,
				 const struct pgc_ref *r)
{
	return (char *)pgc_addr(pool, r->page) + (size_t)r->bit * r->size;
}

/* Free the shared block @r, poisoning it.  Under the pool lock. */
static void pgc_free_ref(struct pgclass_pool *pool, const struct pgc_ref *r)
{
	lockdep_assert_held(&pool->lock);
	pgc_pool_poison(pool, pgc_ref_addr(pool, r), r->size);
	switch (r->kind) {
	case PGC_SMALL:
		pgc_small_free(pool, r->page, r->class, r->bit);
		break;
	case PGC_WHOLE:
		pool->whole_pages--;
		pgc_release(pool, r->page, 1);
		break;
	default:	/* HEAD */
		pool->multi_blocks--;
		pgc_release(pool, r->page, r->pages);
		break;
	}
}

/*
 * pgc_owned_op()'s work, under slot @s's lock (counted there) or, with @s
 * NULL, under the pool lock (counted in the pool).
 */
static __always_inline int pgc_owned_op_locked(struct pgclass_pool *pool,
					       const void *ptr, u32 page, u32 k,
					       struct pgc_ref *r, bool do_free,
					       enum pgc_call call,
					       struct pgc_cpu *s, u32 cpu)
{
	struct pgc_desc *d = pgc_desc(pool, page);
	int bad;

	if (s)
		pgc_assert_slot_held(s);
	else
		lockdep_assert_held(&pool->lock);
	if (READ_ONCE(d->next) != ((PGC_OWNED << PGC_IDX_BITS) | k))
		return -EAGAIN;
	r->page = page;
	r->kind = PGC_OWNED;
	r->class = pgc_class(d);
	r->pages = 1;
	bad = pgc_lookup_small(d, ((unsigned long)ptr - pool->base) &
				  (BIT(pool->page_shift) - 1), r);
	if (bad || !do_free)
		return bad;
	pgc_pool_poison(pool, pgc_ref_addr(pool, r), r->size);
	/* Another free of it may have won since the lookup. */
	if (!pgc_owned_clear(pool, pgc_slot(pool, k), d, r->bit))
		return PGC_BAD_UNUSED;
	if (!s) {
		pgc_count_call(pool, call);
		pool->cls[r->class].used--;
		return PGC_OK;
	}
	pgc_count_slot(s, call);
	WRITE_ONCE(s->used[r->class], s->used[r->class] - 1);
	if (k != cpu)
		WRITE_ONCE(s->remote_frees, s->remote_frees + 1);
	return PGC_OK;
}

/* pgc_owned_op() when slot @k is busy: under the pool lock instead. */
static noinline int pgc_owned_op_busy(struct pgclass_pool *pool,
				      const void *ptr, u32 page, u32 k,
				      struct pgc_ref *r, bool do_free,
				      enum pgc_call call, u32 cpu)
{
	unsigned long flags;
	int bad;

	raw_spin_lock_irqsave(&pool->lock, flags);
	bad = pgc_owned_op_locked(pool, ptr, page, k, r, do_free, call, NULL,
				  cpu);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return bad;
}

/*
 * Look up, and if @do_free free, the block at @ptr on page @page, which
 * was seen owned by slot @k: under @k's lock, or under the pool lock when
 * the slot is taken (see "Slot locks").  -EAGAIN if the page changed hands
 * before the lock was had.  Inlined: it is the whole of a fast-path free
 * but the lookup of the page's descriptor.
 */
static __always_inline int pgc_owned_op(struct pgclass_pool *pool,
					const void *ptr, u32 page, u32 k,
					struct pgc_ref *r, bool do_free,
					enum pgc_call call)
{
	struct pgc_cpu *s = pgc_slot(pool, k);
	u32 cpu = get_cpu();
	int bad;

	/*
	 * Never wait for a slot lock: its holder may be interrupted by a
	 * context that waits for ours.  When the slot is busy, clear under
	 * the pool lock: ownership only changes with it held.  Counted in
	 * the slot under its lock, in the pool under the pool lock.
	 */
	if (pgc_slot_trylock(s, cpu)) {
		bad = pgc_owned_op_locked(pool, ptr, page, k, r, do_free, call,
					  s, cpu);
		pgc_slot_unlock(s);
	} else {
		bad = pgc_owned_op_busy(pool, ptr, page, k, r, do_free, call,
					cpu);
	}
	put_cpu();
	return bad;
}

/*
 * A CPU that has just freed a block on shared page @i of class @c takes the
 * page for its slot: its next frees there take no pool lock.  Blocks made
 * on one CPU and freed on another are so freed a page at a time under the
 * pool lock, not one at a time.  Under the pool lock; the slot is only
 * trylocked.
 *
 * The slot gives back the page of that class it had (as pgc_slot_flush()
 * would) if that page is empty, or if it too was adopted.  A CPU that
 * frees what another made frees in roughly the order the blocks were
 * made, so the page it has just reached is where its next frees go, even
 * if the page it adopted before still has blocks.  Keeping that page would
 * send every free into the next one through the pool lock, and put the
 * next one back on its class's list, to be refilled by the allocating CPU
 * with blocks that interleave with newer pages'.  Measured natively
 * (`ubench-pgclass scale`, its xfree case): one adoption a page with this
 * rule; 4 to 18 tries a page, and 6% to 27% of the freeing thread's frees
 * under the pool lock, when only an empty page was given back.  A page the
 * slot took to allocate from stays: giving it back for a page with one
 * free block would cost that CPU a refill on its next allocation.
 *
 * A page whose descriptor shares a line with another slot's page is
 * adopted too, marked PGC_UNCHECKED so that the fast path does not
 * allocate from it (pgc_adopt_checked()).  Its frees write that line
 * whether adopted or not; refused, each of them took the pool lock as
 * well.  In `ubench-pgclass scale`'s xfree case, whose consumer often
 * trails its producer by a page or two, a tenth of all frees did, and a
 * block took 54 ns against 44 with the page adopted (medians of 8
 * interleaved runs of each build, `scale 5`).  A page the slot took to
 * allocate from, even an empty one, is not given up for such a page: the
 * slot's next allocation would only take another.  An adopted page is,
 * even one the slot has allocated from since: a CPU that frees what
 * another made keeps adopting, and if it allocates again, its next
 * allocation comes from the page it adopted last, unless that page is
 * marked and pgc_adopt_checked() replaces it.
 */
static void pgc_adopt(struct pgclass_pool *pool, u32 i, u32 c)
{
	u32 cpu = raw_smp_processor_id(), nb = pgc_blocks(pool, c), q;
	struct pgc_desc *d = pgc_desc(pool, i), *qd;
	struct pgc_cpu *s;
	bool allocating, shared;

	lockdep_assert_held(&pool->lock);
	/* Released, or empty: the spare and release rules have it. */
	if (cpu >= pool->nr_slots || pgc_kind(d) != PGC_SMALL ||
	    pgc_map_empty(d, nb))
		return;
	s = pgc_slot(pool, cpu);
	if (!pgc_slot_trylock(s, cpu))
		return;
	q = s->page[c] & PGC_IDX_MASK;
	qd = q ? pgc_desc(pool, q) : NULL;
	/* The slot took that page to allocate from, not to free into. */
	allocating = qd && !(qd->prev & PGC_ADOPTED);
	if (allocating && !pgc_map_empty(qd, nb))
		goto out;
	shared = pgc_line_shared(pool, i, cpu);
	if (shared && allocating)
		goto out;
	if (q)
		pgc_slot_give(pool, cpu, c);
	/* Neither full nor empty: it is on its class's list. */
	pgc_part_del(pool, c, i);
	pgc_own(pool, i, c, cpu, true);
	if (shared)
		WRITE_ONCE(s->page[c], i | PGC_UNCHECKED);
	pgc_trace_cache(pool, true, cpu, c, i);
out:
	pgc_slot_unlock(s);
}

/* A failed call @call, under the pool lock (PGC_CALL_NONE: not counted). */
static void pgc_count_bad(struct pgclass_pool *pool, enum pgc_call call)
{
	lockdep_assert_held(&pool->lock);
	if (call != PGC_CALL_NONE) {
		pgc_count_call(pool, call);
		pool->failed_calls++;
	}
}

/*
 * Tell of a bad @ptr, refused for @bad by the call @call, counted already:
 * a warning (none for PGC_CALL_NONE: pgclass_usable_size() and realloc's
 * own free, which warns itself), and the bad_free event naming @ip as the
 * caller (none if @ip is 0).
 */
static void pgc_report_bad(struct pgclass_pool *pool, const void *ptr,
			   enum pgc_call call, unsigned long ip, int bad)
{
	if (call == PGC_CALL_FREE)
		pgc_warn(pool, "free", ptr, bad);
	else if (call != PGC_CALL_NONE)
		pgc_warn(pool, "realloc", ptr, bad);
	pgc_trace_bad_free(pool, ip, ptr, bad);
}

/* A bad @ptr found on a page a slot owns: counted, then reported. */
static noinline int pgc_refuse(struct pgclass_pool *pool, const void *ptr,
			       enum pgc_call call, unsigned long ip, int bad)
{
	unsigned long flags;

	if (call != PGC_CALL_NONE) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		pgc_count_bad(pool, call);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
	}
	pgc_report_bad(pool, ptr, call, ip, bad);
	return bad;
}

/*
 * pgc_block_op() when the block's page was not a slot's at first sight
 * (@not_owned: then the pool lock is the first place to look), or
 * changed hands meanwhile: looks again, from the start.  Skipping the
 * first look is safe: a page becomes a slot's only under the pool lock,
 * and pgc_lookup() answers -EAGAIN for such a page, which sends the loop
 * round again, looking.
 */
static noinline int pgc_block_op_slow(struct pgclass_pool *pool,
				      const void *ptr, struct pgc_ref *r,
				      bool do_free, enum pgc_call call,
				      unsigned long ip, bool not_owned)
{
	unsigned long off = (unsigned long)ptr - pool->base;
	u32 shift = pool->page_shift, page;
	unsigned long flags, next;
	int bad;

	for (;; not_owned = false) {
		page = off >> shift;
		if (!not_owned && off < (unsigned long)pool->nr_pages << shift &&
		    page >= pool->meta_pages) {
			next = READ_ONCE(pgc_desc(pool, page)->next);
			if (next >> PGC_IDX_BITS == PGC_OWNED) {
				bad = pgc_owned_op(pool, ptr, page,
						   next & PGC_IDX_MASK, r,
						   do_free, call);
				if (bad == -EAGAIN)
					continue;
				break;
			}
		}
		raw_spin_lock_irqsave(&pool->lock, flags);
		bad = pgc_lookup(pool, ptr, r, false);
		if (bad == -EAGAIN) {
			raw_spin_unlock_irqrestore(&pool->lock, flags);
			continue;
		}
		if (bad) {
			pgc_count_bad(pool, call);
		} else if (do_free) {
			pgc_count_call(pool, call);
			pgc_free_ref(pool, r);
			if (r->kind == PGC_SMALL)
				pgc_adopt(pool, r->page, r->class);
		}
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		if (bad) {
			pgc_report_bad(pool, ptr, call, ip, bad);
			return bad;
		}
		pgc_trace_free(pool, ip, ptr, r, do_free);
		return 0;
	}
	/* Found on a page a slot owns. */
	if (bad)
		return pgc_refuse(pool, ptr, call, ip, bad);
	pgc_trace_free(pool, ip, ptr, r, do_free);
	return 0;
}

/*
 * Look up, and if @do_free free, the block at @ptr under the lock that
 * governs its page.  A bad pointer is counted as @call and warned about
 * (neither for PGC_CALL_NONE: pgclass_usable_size() and realloc's own
 * free); returns 0 or why it is bad.  The free or bad_free event names
 * @ip as the caller (none if @ip is 0).
 *
 * Always inlined into pgclass_free() (the other callers share one copy,
 * pgc_block_op_ool()): a block on a page a slot owns, the common case,
 * is freed with one call, pgc_owned_op().  A pointer found bad there is
 * refused at once: looking again could find a block allocated meanwhile
 * at the same address, and free it.
 */
static __always_inline int pgc_block_op(struct pgclass_pool *pool,
					const void *ptr, struct pgc_ref *r,
					bool do_free, enum pgc_call call,
					unsigned long ip)
{
	unsigned long off = (unsigned long)ptr - pool->base;
	u32 shift = pool->page_shift, page = off >> shift;
	unsigned long next;
	int bad;

	if (off < (unsigned long)pool->nr_pages << shift &&
	    page >= pool->meta_pages) {
		next = READ_ONCE(pgc_desc(pool, page)->next);
		if (next >> PGC_IDX_BITS == PGC_OWNED) {
			bad = pgc_owned_op(pool, ptr, page, next & PGC_IDX_MASK,
					   r, do_free, call);
			if (!bad) {
				pgc_trace_free(pool, ip, ptr, r, do_free);
				return 0;
			}
			if (bad != -EAGAIN)
				return pgc_refuse(pool, ptr, call, ip, bad);
			return pgc_block_op_slow(pool, ptr, r, do_free, call,
						 ip, false);
		}
	}
	return pgc_block_op_slow(pool, ptr, r, do_free, call, ip, true);
}

/*
 * pgc_block_op() out of line: for the callers other than pgclass_free(),
 * and for pgclass_free() while its events are on.
 */
static noinline int pgc_block_op_ool(struct pgclass_pool *pool,
				     const void *ptr, struct pgc_ref *r,
				     bool do_free, enum pgc_call call,
				     unsigned long ip)
{
	return pgc_block_op(pool, ptr, r, do_free, call, ip);
}

/* Blocks of small class @c allocated now: the pool's and the slots' sum. */
static u32 pgc_class_used(struct pgclass_pool *pool, u32 c)
{
	u32 used = pool->cls[c].used, k;

	lockdep_assert_held(&pool->lock);
	for (k = 0; k < pool->nr_slots; k++)
		used += READ_ONCE(pgc_slot(pool, k)->used[c]);
	return used;
}

/*
 * Pages of multi-page blocks: the used pages that are neither whole pages
 * nor a small class's (owned and spare ones included).  O(classes).
 */
static u32 pgc_multi_pages(struct pgclass_pool *pool)
{
	u32 n = pool->nr_pages - pool->meta_pages - pool->free_pages -
		pool->whole_pages, c;

	lockdep_assert_held(&pool->lock);
	for (c = 0; c < pgc_nr_small(pool); c++)
		n -= pool->cls[c].pages;
	return n;
}

/* Blocks allocated now; exact when no call is in flight.  O(nr_cpus). */
static unsigned long pgc_nr_blocks(struct pgclass_pool *pool)
{
	unsigned long blocks = pool->whole_pages + pool->multi_blocks;
	u32 c;

	lockdep_assert_held(&pool->lock);
	for (c = 0; c < pgc_nr_small(pool); c++)
		blocks += pgc_class_used(pool, c);
	return blocks;
}

/* Size of the header with its TLSF arrays (see pgc_list_head()). */
static size_t pgc_header_size(u32 nr_small, u32 rows)
{
	size_t off = pgc_list_heads_offset(nr_small, rows);

	return ALIGN(off + pgc_nr_list_heads(rows) * sizeof(u32),
		     sizeof(unsigned long));
}

/* Where the descriptors start: after the header and @slots slots. */
static size_t pgc_desc_offset(u32 nr_small, u32 data, u32 slots)
{
	size_t hdr = pgc_header_size(nr_small, pgc_rows_for(data));

	return slots ? ALIGN(hdr, PGC_LINE) + (size_t)slots * PGC_SLOT_SIZE :
		       hdr;
}

static bool pgc_meta_fits(u32 nr, u32 meta, u32 nr_small, size_t dsize,
			  u32 shift, u32 slots)
{
	u32 data = nr - meta;

	return pgc_desc_offset(nr_small, data, slots) +
	       (size_t)data * dsize <= (size_t)meta << shift;
}

/*
 * Smallest number of meta pages such that the header, @slots slots and the
 * descriptors of the other pages fit in them.  Sizing the TLSF arrays for
 * a run of nr - 1 pages makes the first guess an upper bound; the arrays
 * shrink by far less than a page when runs can only be nr - meta long, so
 * the loop steps down at most once.
 */
static u32 pgc_meta_pages(u32 nr, u32 nr_small, size_t dsize, u32 shift,
			  u32 slots)
{
	size_t fixed = pgc_desc_offset(nr_small, nr - 1, slots);
	u32 meta = DIV_ROUND_UP(fixed + (size_t)nr * dsize, BIT(shift) + dsize);

	while (meta > 1 &&
	       pgc_meta_fits(nr, meta - 1, nr_small, dsize, shift, slots))
		meta--;
	return meta;
}

/*
 * Slots for up to @cpus CPUs within the metadata budget: the pages the
 * descriptors need anyway or 1% of the region, whichever is more.  The
 * count comes back in *@slots.
 */
static u32 pgc_meta_with_slots(u32 nr, u32 nr_small, size_t dsize, u32 shift,
			       u32 cpus, u32 *slots)
{
	u32 meta = pgc_meta_pages(nr, nr_small, dsize, shift, 0);
	u32 budget = max(meta, nr / 100), want, data;
	size_t room, used;

	*slots = 0;
	if (!cpus || meta >= nr)
		return meta;
	want = min_t(u32, cpus, U16_MAX);
	if (pgc_meta_pages(nr, nr_small, dsize, shift, want) > budget) {
		data = nr - budget;
		used = pgc_desc_offset(nr_small, data, 0);
		used = ALIGN(used, PGC_LINE) + (size_t)data * dsize;
		room = (size_t)budget << shift;
		want = room > used ? (room - used) / PGC_SLOT_SIZE : 0;
		want = min_t(u32, want, cpus);
	}
	if (!want)
		return meta;
	meta = pgc_meta_pages(nr, nr_small, dsize, shift, want);
	if (meta >= nr)
		return pgc_meta_pages(nr, nr_small, dsize, shift, 0);
	*slots = want;
	return meta;
}

/* A descriptor's size at 2^@shift-byte pages, before a pool exists. */
static inline size_t pgc_desc_size(u32 shift)
{
	return pgc_desc_bytes(pgc_words_for(shift));
}

/*
 * The pages of @size bytes at 2^@shift bytes a page, or 0 if no pool can
 * have them: the page size out of range, no page, more pages than a
 * descriptor's link can name (page 0 is never a data page: PGC_NIL), or
 * more 16-byte blocks than the classes' u32 counters can count (64 GiB).
 */
static u32 pgc_nr_pages_for(size_t size, u32 shift)
{
	u64 nr;

	if (shift < PGCLASS_MIN_PAGE_SHIFT || shift > PGCLASS_MAX_PAGE_SHIFT)
		return 0;
	nr = size >> shift;
	if (!nr || nr >= PGC_IDX_MASK ||
	    (nr << (shift - PGCLASS_MIN_BLOCK_SHIFT)) > U32_MAX)
		return 0;
	return nr;
}

/*
 * The slots a pool of @nr pages gets for @cpus CPUs: those an in-band pool
 * of that size has room for, whichever kind it is.
 */
static u32 pgc_slots_for(u32 nr, u32 shift, u32 cpus)
{
	u32 slots;

	pgc_meta_with_slots(nr, shift - PGCLASS_MIN_BLOCK_SHIFT,
			    pgc_desc_size(shift), shift, cpus, &slots);
	return slots;
}

/* The metadata of an out-of-band pool of @nr pages, for @cpus CPUs. */
static size_t pgc_oob_meta_size(u32 nr, u32 shift, u32 cpus)
{
	return pgc_desc_offset(shift - PGCLASS_MIN_BLOCK_SHIFT, nr,
			       pgc_slots_for(nr, shift, cpus)) +
	       (size_t)nr * pgc_desc_size(shift);
}

/*
 * Write a new pool's header at @meta: pages @first .. @nr - 1 of the index
 * space starting at @base are data and form one free run; @flags are
 * PGC_POOL_*.  Unless the caller says the metadata is @zeroed already, it
 * is cleared first: a zeroed descriptor says FREE and a zeroed slot owns
 * nothing, so a zeroed pool costs a few writes whatever its size.
 */
static struct pgclass_pool *pgc_pool_init(void *meta, unsigned long base,
					  u32 nr, u32 first, u32 slots,
					  u32 shift, u32 flags, bool zeroed)
{
	u32 data = nr - first, nr_small = shift - PGCLASS_MIN_BLOCK_SHIFT;
	size_t desc_off = pgc_desc_offset(nr_small, data, slots);
	struct pgclass_pool *pool = meta;
	unsigned long irq;

	if (!zeroed)
		memset(pool, 0, desc_off + (size_t)data * pgc_desc_size(shift));
	raw_spin_lock_init(&pool->lock);
	pool->base = base;
	pool->nr_pages = nr;
	pool->meta_pages = first;
	pool->desc_off = desc_off;
	pool->nr_slots = slots;
	pool->page_shift = shift;
	pool->desc_words = pgc_words_for(shift);
	pool->flags = flags;
	pool->id = atomic_inc_return(&pgc_pool_ids);
	pool->free_pages = data;
	/* Nobody else has the pool yet: locked for the helpers' assertions. */
	raw_spin_lock_irqsave(&pool->lock, irq);
	pgc_run_push(pool, first, data);
	raw_spin_unlock_irqrestore(&pool->lock, irq);
	pgc_pool_poison(pool, pgc_addr(pool, first), (size_t)data << shift);
	return pool;
}

/* pgclass_pool_create() for CPUs 0 .. @nr_cpus - 1. */
static struct pgclass_pool *pgc_pool_create(void *base, size_t size,
					    unsigned int page_shift,
					    unsigned int nr_cpus, bool zeroed)
{
	u32 nr = pgc_nr_pages_for(size, page_shift), meta, slots;

	if (!base || nr < 2 || (unsigned long)base & (BIT(page_shift) - 1))
		return NULL;
	meta = pgc_meta_with_slots(nr, page_shift - PGCLASS_MIN_BLOCK_SHIFT,
				   pgc_desc_size(page_shift), page_shift,
				   nr_cpus, &slots);
	if (meta >= nr)
		return NULL;
	return pgc_pool_init(base, (unsigned long)base, nr, meta, slots,
			     page_shift, 0, zeroed);
}

/* pgclass_pool_create_oob() for CPUs 0 .. @nr_cpus - 1. */
static struct pgclass_pool *pgc_pool_create_oob(void *meta, size_t meta_size,
						unsigned long base, size_t size,
						unsigned int page_shift,
						unsigned int nr_cpus,
						bool zeroed)
{
	u32 nr = pgc_nr_pages_for(size, page_shift);
	unsigned long m = (unsigned long)meta;
	size_t need;

	if (!meta || !IS_ALIGNED(m, __alignof__(struct pgclass_pool)) || !nr ||
	    !base || !IS_ALIGNED(base, BIT(page_shift)) ||
	    !IS_ALIGNED(size, BIT(page_shift)) || size > ULONG_MAX - base)
		return NULL;
	need = pgc_oob_meta_size(nr, page_shift, nr_cpus);
	if (meta_size < need || m + need < m)
		return NULL;
	/* Metadata inside the range would be handed out as blocks. */
	if (m <= base + (size - 1) && m + (need - 1) >= base)
		return NULL;
	/* Page 0 of the index space is the page below the range (PGC_NIL). */
	return pgc_pool_init(meta, base - BIT(page_shift), nr + 1, 1,
			     pgc_slots_for(nr, page_shift, nr_cpus),
			     page_shift, PGC_POOL_OOB, zeroed);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pgclass_pool_create_cpus() - pgclass_pool_create() for @nr_cpus CPUs
 * @base: as for pgclass_pool_create()
 * @size: as for pgclass_pool_create()
 * @page_shift: as for pgclass_pool_create()
 * @nr_cpus: CPUs 0 .. @nr_cpus - 1 may get a slot
 *
 * The tests' way to make a pool for fewer or more CPUs than exist; only
 * KUnit builds have it.  A CPU without a slot allocates and frees through
 * the pool lock.
 *
 * Return: as for pgclass_pool_create().
 */
struct pgclass_pool *pgclass_pool_create_cpus(void *base, size_t size,
					      unsigned int page_shift,
					      unsigned int nr_cpus)
{
	return pgc_pool_create(base, size, page_shift, nr_cpus, false);
}
EXPORT_SYMBOL_IF_KUNIT(pgclass_pool_create_cpus);

/**
 * pgclass_pool_create_oob_cpus() - pgclass_pool_create_oob() for @nr_cpus
 *	CPUs
 * @meta: as for pgclass_pool_create_oob()
 * @meta_size: as for pgclass_pool_create_oob(); for more CPUs than exist,
 *	more than pgclass_meta_size() may be needed
 * @base: as for pgclass_pool_create_oob()
 * @size: as for pgclass_pool_create_oob()
 * @page_shift: as for pgclass_pool_create_oob()
 * @nr_cpus: CPUs 0 .. @nr_cpus - 1 may get a slot
 *
 * As pgclass_pool_create_cpus() is to pgclass_pool_create(); only KUnit
 * builds have it.
 *
 * Return: as for pgclass_pool_create_oob().
 */
struct pgclass_pool *pgclass_pool_create_oob_cpus(void *meta, size_t meta_size,
						  unsigned long base,
						  size_t size,
						  unsigned int page_shift,
						  unsigned int nr_cpus)
{
	return pgc_pool_create_oob(meta, meta_size, base, size, page_shift,
				   nr_cpus, false);
}
EXPORT_SYMBOL_IF_KUNIT(pgclass_pool_create_oob_cpus);
#endif

/**
 * pgclass_pool_create() - make a pool over a region
 * @base: the region, aligned to the allocator page size
 * @size: its size in bytes; a partial last page is not used
 * @page_shift: log2 of the allocator page size,
 *	%PGCLASS_MIN_PAGE_SHIFT .. %PGCLASS_MAX_PAGE_SHIFT
 *
 * The pool header, the per-CPU slots and the page descriptors are written
 * to the first pages of the region, which are not available to
 * allocations; the rest forms one free run.  Each CPU that can exist
 * (nr_cpu_ids) gets a slot, as far as the metadata budget allows: the
 * pages the descriptors need or 1% of the region, whichever is more; a
 * small pool gets fewer slots, down to none, and its CPUs use the pool
 * lock.  Nothing is allocated: the pool lives until the caller stops using
 * the region (see pgclass_pool_destroy()).  The region may hold up to
 * 2^28 - 2 pages and up to 64 GiB.  With KASAN, the data pages are
 * poisoned until a block is allocated over them, and every block again
 * once it is freed: accessing them is reported as a use-after-free.
 *
 * Context: any context; it writes the metadata pages, O(number of pages)
 * (see pgclass_pool_create_zeroed() for O(1)).
 * Return: the pool (at @base), or NULL if @base is NULL or misaligned,
 * @page_shift is out of range, or the region is too small (no data page
 * beside the metadata) or too large.
 */
struct pgclass_pool *pgclass_pool_create(void *base, size_t size,
					 unsigned int page_shift)
{
	return pgc_pool_create(base, size, page_shift, nr_cpu_ids, false);
}
EXPORT_SYMBOL_GPL(pgclass_pool_create);

/**
 * pgclass_pool_create_zeroed() - pgclass_pool_create() over zeroed memory
 * @base: as for pgclass_pool_create(); its metadata pages read as zero
 * @size: as for pgclass_pool_create()
 * @page_shift: as for pgclass_pool_create()
 *
 * For a region the caller knows to be all zeroes (fresh anonymous memory,
 * vzalloc(), __GFP_ZERO pages): every zeroed descriptor says "free"
 * already, so the pool is made with a few writes to the header and to the
 * first and last descriptors, whatever its size, and the metadata pages
 * that are not written are not even touched.  Metadata that is not all
 * zero makes a corrupt pool.
 *
 * Context: any context; O(1), and O(@size / 8) with KASAN.
 * Return: as for pgclass_pool_create().
 */
struct pgclass_pool *pgclass_pool_create_zeroed(void *base, size_t size,
						unsigned int page_shift)
{
	return pgc_pool_create(base, size, page_shift, nr_cpu_ids, true);
}
EXPORT_SYMBOL_GPL(pgclass_pool_create_zeroed);

/**
 * pgclass_meta_size() - the metadata a pool of a given size needs
 * @size: the bytes the pool manages, a multiple of the page size
 * @page_shift: log2 of the allocator page size,
 *	%PGCLASS_MIN_PAGE_SHIFT .. %PGCLASS_MAX_PAGE_SHIFT
 *
 * The exact number of bytes pgclass_pool_create_oob() needs for its
 * metadata: the header, a slot for each CPU that can exist (nr_cpu_ids) as
 * far as the budget of pgclass_pool_create() allows, and a descriptor per
 * page; pgclass_pool_create_oob() refuses less.  An in-band pool over
 * @size bytes spends at most that, rounded up to whole pages, from its
 * region.  A caller sizes either kind of pool with it before it reserves
 * anything.
 *
 * Context: any context; O(1).
 * Return: the bytes, or 0 if no pool can be made: @page_shift out of
 * range, @size 0 or not a multiple of the page size, or more pages than
 * the core can index (2^28 - 2, and at most 64 GiB).
 */
size_t pgclass_meta_size(size_t size, unsigned int page_shift)
{
	u32 nr = pgc_nr_pages_for(size, page_shift);

	if (!nr || !IS_ALIGNED(size, BIT(page_shift)))
		return 0;
	return pgc_oob_meta_size(nr, page_shift, nr_cpu_ids);
}
EXPORT_SYMBOL_GPL(pgclass_meta_size);

/**
 * pgclass_pool_create_oob() - make a pool whose metadata lives elsewhere
 * @meta: the caller's memory for the metadata, aligned to 8 bytes
 * @meta_size: its size, at least pgclass_meta_size(@size, @page_shift)
 * @base: the first address of the range, non-zero and page-aligned
 * @size: the range's size, a multiple of the page size
 * @page_shift: log2 of the allocator page size
 *
 * The pool manages [@base, @base + @size) as addresses it never reads or
 * writes: device memory (on-chip SRAM, a window of VRAM, iomem), a DMA
 * carve-out that a device may write (metadata it could reach, it could
 * corrupt), or a range of numbers.  Every page of the range is data; the
 * pool's calls work as on any pool, and return @base plus an offset.
 * Nothing is poisoned for KASAN, and pgclass_realloc() never moves a
 * block (that would copy it): a grow it cannot do in place fails, a shrink
 * keeps the block where it is.  The pool lives until the caller frees
 * @meta, after pgclass_pool_destroy().
 *
 * Context: any context; O(size of the metadata).
 * Return: the pool (at @meta), or NULL if an argument is invalid, @meta is
 * too small, or @meta overlaps the range.
 */
struct pgclass_pool *pgclass_pool_create_oob(void *meta, size_t meta_size,
					     unsigned long base, size_t size,
					     unsigned int page_shift)
{
	return pgc_pool_create_oob(meta, meta_size, base, size, page_shift,
				   nr_cpu_ids, false);
}
EXPORT_SYMBOL_GPL(pgclass_pool_create_oob);

/**
 * pgclass_pool_create_oob_zeroed() - pgclass_pool_create_oob() over zeroed
 *	metadata
 * @meta: as for pgclass_pool_create_oob(); all zero (kvzalloc(), say)
 * @meta_size: as for pgclass_pool_create_oob()
 * @base: as for pgclass_pool_create_oob()
 * @size: as for pgclass_pool_create_oob()
 * @page_shift: as for pgclass_pool_create_oob()
 *
 * As pgclass_pool_create_zeroed() is to pgclass_pool_create(): the pool is
 * made with a few writes, whatever its size.
 *
 * Context: any context; O(1).
 * Return: as for pgclass_pool_create_oob().
 */
struct pgclass_pool *pgclass_pool_create_oob_zeroed(void *meta,
						    size_t meta_size,
						    unsigned long base,
						    size_t size,
						    unsigned int page_shift)
{
	return pgc_pool_create_oob(meta, meta_size, base, size, page_shift,
				   nr_cpu_ids, true);
}
EXPORT_SYMBOL_GPL(pgclass_pool_create_oob_zeroed);

/**
 * pgclass_pool_destroy() - stop using a pool
 * @pool: the pool, or NULL
 *
 * The core owns no resources, so this mostly reports: blocks still
 * allocated are leaks, and a warning says how many.  It also marks the
 * whole data area accessible again for KASAN (the pool keeps its free
 * pages and freed blocks poisoned), so the caller may reuse the region
 * afterwards, and must destroy the pool before it does; the pool must not
 * be used again, nor be in use on any CPU.
 *
 * Context: any context; O(nr_cpus), and O(size of the region / 8) with
 * KASAN.
 * Return: the number of blocks still allocated (0 for a NULL @pool).
 */
unsigned long pgclass_pool_destroy(struct pgclass_pool *pool)
{
	unsigned long flags, blocks;

	if (!pool)
		return 0;
	raw_spin_lock_irqsave(&pool->lock, flags);
	blocks = pgc_nr_blocks(pool);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	/* Nobody may use the pool any more: no need to hold the lock. */
	pgc_pool_unpoison(pool, pgc_addr(pool, pool->meta_pages), pgc_data_bytes(pool));
	if (blocks)
		pr_warn("pool destroyed with %lu blocks still allocated\n",
			blocks);
	return blocks;
}
EXPORT_SYMBOL_GPL(pgclass_pool_destroy);

/**
 * pgclass_drain() - give back what the CPUs' slots hold
 * @pool: the pool
 *
 * Each slot that is not in use at that moment gives its pages back: empty
 * ones to the free runs, with the classes' spare pages, others that are
 * not full to their class's list.  Allocation does this by itself when it
 * would fail otherwise; this is for a caller that wants the pages back now
 * (a thread or a CPU that goes away, a dump that should show no cached
 * page).
 *
 * Context: any context; takes each slot's lock and the pool's spinlock,
 * O(nr_cpus).
 */
void pgclass_drain(struct pgclass_pool *pool)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pool->lock, flags);
	pgc_reclaim_caches(pool, U32_MAX);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(pgclass_drain);

/**
 * pgclass_alloc() - allocate a block
 * @pool: the pool
 * @size: bytes wanted
 *
 * A block of at most half a page comes from a page of its power-of-two
 * class and is aligned to its class size; a larger one gets a whole page or
 * exactly ceil(@size / page size) contiguous pages, aligned to the page
 * size.  The block is not zeroed.  O(1) in the number of pages; a small
 * block comes from this CPU's slot without the pool lock when it can.
 *
 * Context: any context but NMI.
 * Return: the block, or NULL if @size is 0 or the pool cannot serve it.
 */
void *pgclass_alloc(struct pgclass_pool *pool, size_t size)
{
	/* Event off: the inlined path, where it folds away (pgc_may_trace()). */
	if (trace_pgclass_alloc_enabled())
		return pgc_alloc_call_ool(pool, size, PGC_CALL_ALLOC, _RET_IP_);
	return pgc_alloc_call(pool, size, PGC_CALL_ALLOC, 0);
}
EXPORT_SYMBOL_GPL(pgclass_alloc);

/**
 * pgclass_alloc_aligned() - allocate a block with a given alignment
 * @pool: the pool
 * @size: bytes wanted
 * @align: alignment, a power of two no larger than the page size
 *
 * Every block is aligned to its class size, so this allocates
 * max(@size, @align) bytes.  Counted as a pgclass_alloc() call.
 *
 * Context: any context but NMI.
 * Return: the block, or NULL if @size is 0, @align is not valid or the pool
 * cannot serve the request.
 */
void *pgclass_alloc_aligned(struct pgclass_pool *pool, size_t size,
			    size_t align)
{
	unsigned long flags;

	if (is_power_of_2(align) && align <= BIT(pool->page_shift)) {
		size = size ? max(size, align) : 0;
		return pgc_alloc_call_ool(pool, size, PGC_CALL_ALLOC, _RET_IP_);
	}
	raw_spin_lock_irqsave(&pool->lock, flags);
	pool->alloc_calls++;
	if (size)
		pool->failed_calls++;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return NULL;
}
EXPORT_SYMBOL_GPL(pgclass_alloc_aligned);

/**
 * pgclass_free() - free a block
 * @pool: the pool
 * @ptr: the block, as an allocation returned it, or NULL
 *
 * A pointer that is not the start of an allocated block of @pool (outside
 * the data area, inside a block, in a free or spare page, already freed
 * on this CPU or another) changes nothing: it is refused with a
 * rate-limited warning that names its offset in the pool.  Of two frees of
 * one block at once, exactly one returns 0.  O(1) in the number of pages;
 * a small block's free touches only metadata, and no pool lock when the
 * page is one a CPU's slot allocates from.
 *
 * Context: any context but NMI.
 * Return: 0, or -EINVAL for a bad pointer.
 */
int pgclass_free(struct pgclass_pool *pool, void *ptr)
{
	struct pgc_ref r;
	int bad;

	if (!ptr)
		return 0;
	/* Events off: the inlined path, where they fold away. */
	if (trace_pgclass_free_enabled() || trace_pgclass_bad_free_enabled())
		bad = pgc_block_op_ool(pool, ptr, &r, true, PGC_CALL_FREE,
				       _RET_IP_);
	else
		bad = pgc_block_op(pool, ptr, &r, true, PGC_CALL_FREE, 0);
	return bad ? -EINVAL : 0;
}
EXPORT_SYMBOL_GPL(pgclass_free);

/* What pgc_realloc_in_place() found to do with a block. */
enum pgc_realloc {
	PGC_REALLOC_MOVE,	/* move it: allocate, copy, free (not counted) */
	PGC_REALLOC_STAYS,	/* done: it holds the new size where it is */
	PGC_REALLOC_KEPT,	/* a shrink it cannot move for: left as it is */
	PGC_REALLOC_FAILED,	/* a grow it cannot move for: refused */
};

/*
 * The locked half of a realloc of the block @r at @ptr to @size bytes
 * (@shrink if smaller than it is), in one hold of the pool lock: a small
 * block of @size's class stays; a whole or multi-page block is resized by
 * pgc_resize(), to a whole page for a small request in an out-of-band
 * pool, and grown over what the caches give back if it cannot move
 * (pgc_resize_reclaim()); what must move in an out-of-band pool is kept
 * (a shrink) or refused (a grow), as its range is not the core's to copy.
 * The call is counted here unless the block is to move: pgc_alloc_call()
 * counts that.  Returns PGC_OK and what to do in *@how, or why @ptr is
 * bad.
 */
static int pgc_realloc_in_place(struct pgclass_pool *pool, const void *ptr,
				size_t size, bool shrink, struct pgc_ref *r,
				enum pgc_realloc *how)
{
	bool small = size <= BIT(pool->page_shift - 1);
	bool to_page = pgc_oob(pool) && small;
	size_t target = to_page ? BIT(pool->page_shift) : size;
	unsigned long flags;
	int bad = PGC_OK;
	u32 busy = 0;

	*how = PGC_REALLOC_MOVE;
	/* A small block that must change class moves: no lock needed. */
	if (pgc_kind_small(r->kind) &&
	    (!small || pgc_class_of(size) != r->class) && !pgc_oob(pool))
		return PGC_OK;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (!pgc_kind_small(r->kind)) {
		/* Whole and multi-page blocks are the pool lock's. */
		bad = pgc_lookup(pool, ptr, r, false);
		if (bad == -EAGAIN)	/* freed and now owned by a slot */
			bad = PGC_BAD_UNUSED;
		if (!bad && (pgc_resize(pool, r, target) ||
			     (!shrink && pgc_resize_reclaim(pool, r, target,
							    &busy))))
			*how = PGC_REALLOC_STAYS;
	} else if (small && pgc_class_of(size) == r->class) {
		*how = PGC_REALLOC_STAYS;
	}
	/* It would have to move: the range is not the core's to copy. */
	if (!bad && *how == PGC_REALLOC_MOVE && pgc_oob(pool))
		*how = shrink ? PGC_REALLOC_KEPT : PGC_REALLOC_FAILED;
	if (bad || *how != PGC_REALLOC_MOVE)
		pool->realloc_calls++;
	if (bad)
		pool->failed_calls++;
	else if (*how == PGC_REALLOC_FAILED)
		pgc_count_failure(pool, PGC_CALL_REALLOC, busy);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return bad;
}

/*
 * A shrink that found no smaller block to move to: a multi-page block keeps
 * only its first page, the rest goes back.  Not counted: the realloc was.
 */
static void pgc_shrink_to_page(struct pgclass_pool *pool, const void *ptr)
{
	unsigned long flags;
	struct pgc_ref r;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (!pgc_lookup(pool, ptr, &r, false) && r.kind == PGC_HEAD)
		pgc_resize(pool, &r, BIT(pool->page_shift));
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}

/*
 * The realloc event of @ptr, now @p, found as @r and handled as @how;
 * called only when the event is on, so that working out the block's
 * usable size costs nothing otherwise.
 */
static void pgc_trace_realloc(struct pgclass_pool *pool, unsigned long ip,
			      const void *ptr, const void *p, size_t size,
			      const struct pgc_ref *r, enum pgc_realloc how)
{
	size_t usable;

	switch (how) {
	case PGC_REALLOC_KEPT:
		usable = r->kind == PGC_HEAD ? BIT(pool->page_shift) : r->size;
		break;
	case PGC_REALLOC_STAYS:
		/* A small request of an out-of-band pool made it a page. */
		usable = pgc_kind_small(r->kind) ? r->size :
			 pgc_oob(pool) && size <= BIT(pool->page_shift - 1) ?
			 BIT(pool->page_shift) : pgc_usable(pool, size);
		break;
	default:	/* moved */
		usable = pgc_usable(pool, size);
		break;
	}
	trace_pgclass_realloc(ip, pool->id, pgc_offset(pool, ptr),
			      pgc_offset(pool, p), size, usable, p == ptr);
}

/**
 * pgclass_realloc() - change a block's size
 * @pool: the pool
 * @ptr: the block, or NULL to allocate
 * @size: new size in bytes, or 0 to free
 *
 * A block stays where it is when @size maps to its class, or when it is a
 * whole page and @size still needs one; a multi-page block shrinks in place
 * (to a whole page when @size is above half a page and no more than a
 * page), and a multi-page block or a whole page grows in place when the
 * pages after it are free (or, if it cannot move instead, once the spares
 * and the CPUs' slots give back what they hold there: O(nr_cpus) then).
 * Otherwise a new block is allocated, the contents copied up to the
 * smaller of the two sizes (with no lock held), and the old block freed.
 * A shrink never fails: when no smaller block can be had, the block stays
 * where it is (a multi-page block then keeps only its first page).  An
 * out-of-band pool never moves a block, as that would touch its range: a
 * grow that cannot be done in place fails, a shrink keeps the block where
 * it is.  A bad @ptr is refused like a bad pgclass_free().
 *
 * Context: any context but NMI.
 * Return: the block, which may have moved; NULL when @size is 0, @ptr is
 * bad, or a larger block cannot be had, in which cases the old block (if
 * any) is unchanged, except that @size 0 frees it.
 */
void *pgclass_realloc(struct pgclass_pool *pool, void *ptr, size_t size)
{
	unsigned long ip = _RET_IP_;
	enum pgc_realloc how;
	struct pgc_ref r;
	bool shrink;
	void *p;
	int bad;

	if (!ptr)
		return pgc_alloc_call_ool(pool, size, PGC_CALL_REALLOC, ip);
	if (!size) {
		pgc_block_op_ool(pool, ptr, &r, true, PGC_CALL_REALLOC, ip);
		return NULL;
	}
	if (pgc_block_op_ool(pool, ptr, &r, false, PGC_CALL_REALLOC, ip))
		return NULL;
	shrink = size < r.size;
	bad = pgc_realloc_in_place(pool, ptr, size, shrink, &r, &how);
	if (bad) {
		pgc_warn(pool, "realloc", ptr, bad);
		pgc_trace_bad_free(pool, ip, ptr, bad);
		return NULL;
	}

	if (how == PGC_REALLOC_FAILED)
		return NULL;
	p = ptr;
	if (how == PGC_REALLOC_MOVE) {
		p = pgc_alloc_call_ool(pool, size, shrink ? PGC_CALL_SHRINK :
							    PGC_CALL_REALLOC, 0);
		if (p) {
			/* The caller owns both blocks: nobody else uses them. */
			memcpy(p, ptr, min(r.size, size));
			/* Refused only if the caller freed it meanwhile. */
			bad = pgc_block_op_ool(pool, ptr, &r, true,
					       PGC_CALL_NONE, 0);
			if (bad)
				pgc_warn(pool, "realloc", ptr, bad);
		} else if (shrink) {
			/* Counted already: kept, with only its first page. */
			if (r.kind == PGC_HEAD)
				pgc_shrink_to_page(pool, ptr);
			p = ptr;
			how = PGC_REALLOC_KEPT;
		} else {
			return NULL;
		}
	}
	if (trace_pgclass_realloc_enabled())
		pgc_trace_realloc(pool, ip, ptr, p, size, &r, how);
	return p;
}
EXPORT_SYMBOL_GPL(pgclass_realloc);

/**
 * pgclass_usable_size() - the size of an allocated block
 * @pool: the pool
 * @ptr: the block
 *
 * Context: any context but NMI.
 * Return: the bytes usable at @ptr (its class size, the page size, or its
 * pages times the page size), or 0 if @ptr is not an allocated block.
 */
size_t pgclass_usable_size(struct pgclass_pool *pool, const void *ptr)
{
	struct pgc_ref r;

	if (!ptr)
		return 0;
	if (pgc_block_op_ool(pool, ptr, &r, false, PGC_CALL_NONE, 0))
		return 0;
	return r.size;
}
EXPORT_SYMBOL_GPL(pgclass_usable_size);

/*
 * Add the pages slot @s owns to *@pages and the free blocks on them to
 * *@blocks: what the slot caches, for the stats.
 */
static void pgc_slot_cached(struct pgclass_pool *pool, struct pgc_cpu *s,
			    u64 *pages, u64 *blocks)
{
	u32 c, i;

	lockdep_assert_held(&pool->lock);
	for (c = 0; c < pgc_nr_small(pool); c++) {
		i = READ_ONCE(s->page[c]) & PGC_IDX_MASK;
		if (!i)
			continue;
		(*pages)++;
		*blocks += pgc_free_blocks(pool, i, c, NULL);
	}
}

/**
 * pgclass_get_stats() - read a pool's counters
 * @pool: the pool
 * @st: filled in
 *
 * The counters are kept up to date by every call; reading them loops over
 * the size classes and the CPUs' slots.  They are exact when no call is in
 * flight on another CPU.
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 */
void pgclass_get_stats(struct pgclass_pool *pool, struct pgclass_stats *st)
{
	unsigned long flags;
	struct pgc_cpu *s;
	u32 shift, c, k;

	memset(st, 0, sizeof(*st));
	raw_spin_lock_irqsave(&pool->lock, flags);
	shift = pool->page_shift;
	st->page_size = BIT(shift);
	/* An out-of-band pool's page 0 is no page of its range. */
	st->nr_pages = pool->nr_pages - pgc_oob(pool);
	st->meta_pages = pgc_oob(pool) ? 0 : pool->meta_pages;
	st->free_pages = pool->free_pages;
	st->used_pages = pool->nr_pages - pool->meta_pages - pool->free_pages;
	st->peak_used_pages = pool->peak_used;
	st->blocks = pool->whole_pages + pool->multi_blocks;
	st->bytes_allocated = (u64)(pool->whole_pages + pgc_multi_pages(pool)) <<
			      shift;
	st->alloc_calls = pool->alloc_calls;
	st->free_calls = pool->free_calls;
	st->realloc_calls = pool->realloc_calls;
	st->failed_calls = pool->failed_calls;
	st->cache_busy_failures = pool->cache_busy_failures;
	st->fit_scans = pool->fit_scans;
	for (c = 0; c < pgc_nr_small(pool); c++) {
		u32 used = pgc_class_used(pool, c);

		st->blocks += used;
		st->bytes_allocated += (u64)used <<
				       (c + PGCLASS_MIN_BLOCK_SHIFT);
	}
	for (k = 0; k < pool->nr_slots; k++) {
		s = pgc_slot(pool, k);
		st->alloc_calls += READ_ONCE(s->alloc_calls);
		st->free_calls += READ_ONCE(s->free_calls);
		st->realloc_calls += READ_ONCE(s->realloc_calls);
		pgc_slot_cached(pool, s, &st->cached_pages,
				&st->cached_blocks);
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(pgclass_get_stats);

/**
 * pgclass_nr_cpu_slots() - how many CPUs have a slot in a pool
 * @pool: the pool
 *
 * CPUs 0 .. n - 1 have one; the others use the pool lock for every call.
 *
 * Context: any context.
 * Return: n, at most the CPU count the pool was made for (nr_cpu_ids).
 */
unsigned int pgclass_nr_cpu_slots(struct pgclass_pool *pool)
{
	return pool->nr_slots;
}
EXPORT_SYMBOL_GPL(pgclass_nr_cpu_slots);

/**
 * pgclass_get_cpu_stats() - read one CPU slot's counters
 * @pool: the pool
 * @cpu: the CPU, below pgclass_nr_cpu_slots()
 * @cs: filled in
 *
 * Read without the slot's lock: exact when the CPU is not in a call.  The
 * pages it owns are looked at under the pool's lock, without which they
 * may change hands meanwhile.
 *
 * Context: any context; takes the pool's spinlock with interrupts off,
 * O(number of small classes).
 * Return: 0, or -EINVAL if @cpu has no slot.
 */
int pgclass_get_cpu_stats(struct pgclass_pool *pool, unsigned int cpu,
			  struct pgclass_cpu_stats *cs)
{
	unsigned long flags;
	struct pgc_cpu *s;

	if (cpu >= pool->nr_slots)
		return -EINVAL;
	memset(cs, 0, sizeof(*cs));
	s = pgc_slot(pool, cpu);
	cs->alloc_calls = READ_ONCE(s->alloc_calls);
	cs->free_calls = READ_ONCE(s->free_calls);
	cs->realloc_calls = READ_ONCE(s->realloc_calls);
	cs->remote_frees = READ_ONCE(s->remote_frees);
	cs->refills = READ_ONCE(s->refills);
	cs->flushes = READ_ONCE(s->flushes);
	raw_spin_lock_irqsave(&pool->lock, flags);
	pgc_slot_cached(pool, s, &cs->cached_pages, &cs->cached_blocks);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(pgclass_get_cpu_stats);

/**
 * pgclass_nr_classes() - the number of size classes of a pool
 * @pool: the pool
 *
 * Classes 0 .. n - 3 are the small classes of 16 << index bytes, up to half
 * a page; class n - 2 is "page" (one block per page), class n - 1 "multi"
 * (blocks of several pages).
 *
 * Context: any context.
 * Return: n, that is page_shift - 2 (at most %PGCLASS_MAX_CLASSES).
 */
unsigned int pgclass_nr_classes(struct pgclass_pool *pool)
{
	return pgc_nr_small(pool) + 2;
}
EXPORT_SYMBOL_GPL(pgclass_nr_classes);

/* Class @class's counters into @cs.  Under the pool lock. */
static void pgc_class_stats(struct pgclass_pool *pool, unsigned int class,
			    struct pgclass_class_stats *cs)
{
	lockdep_assert_held(&pool->lock);
	memset(cs, 0, sizeof(*cs));
	if (class < pgc_nr_small(pool)) {
		u32 used = pgc_class_used(pool, class);

		cs->block_size = BIT(class + PGCLASS_MIN_BLOCK_SHIFT);
		cs->pages = pool->cls[class].pages;
		cs->blocks_used = used;
		cs->blocks_total = (u64)cs->pages * pgc_blocks(pool, class);
	} else if (class == pgc_nr_small(pool)) {
		cs->block_size = BIT(pool->page_shift);
		cs->pages = pool->whole_pages;
		cs->blocks_used = pool->whole_pages;
		cs->blocks_total = pool->whole_pages;
	} else {
		cs->pages = pgc_multi_pages(pool);
		cs->blocks_used = pool->multi_blocks;
		cs->blocks_total = pool->multi_blocks;
	}
}

/**
 * pgclass_get_class_stats() - read one size class's counters
 * @pool: the pool
 * @class: the class index, below pgclass_nr_classes()
 * @cs: filled in
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 * Return: 0, or -EINVAL if @class is out of range.
 */
int pgclass_get_class_stats(struct pgclass_pool *pool, unsigned int class,
			    struct pgclass_class_stats *cs)
{
	unsigned long flags;

	if (class >= pgclass_nr_classes(pool))
		return -EINVAL;
	raw_spin_lock_irqsave(&pool->lock, flags);
	pgc_class_stats(pool, class, cs);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(pgclass_get_class_stats);

/**
 * pgclass_get_classes() - read every size class's counters at once
 * @pool: the pool
 * @cs: filled in, one entry per class
 * @nr: entries in @cs; at least pgclass_nr_classes()
 *
 * One snapshot under one hold of the pool's lock, so that the classes add
 * up (the per-CPU parts are exact when no call is in flight).
 *
 * Context: any context; takes the pool's spinlock with interrupts off,
 * O(classes * nr_cpus).
 * Return: the number of classes, or -EINVAL if @nr is too small.
 */
int pgclass_get_classes(struct pgclass_pool *pool,
			struct pgclass_class_stats *cs, unsigned int nr)
{
	unsigned int c, n = pgclass_nr_classes(pool);
	unsigned long flags;

	if (nr < n)
		return -EINVAL;
	raw_spin_lock_irqsave(&pool->lock, flags);
	for (c = 0; c < n; c++)
		pgc_class_stats(pool, c, &cs[c]);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(pgclass_get_classes);

/* Describe the extent that starts at data page @i. */
static void pgc_extent(struct pgclass_pool *pool, u32 i,
		       struct pgclass_extent *ext, unsigned long *map)
{
	struct pgc_desc *d = pgc_desc(pool, i);

	lockdep_assert_held(&pool->lock);
	memset(ext, 0, sizeof(*ext));
	ext->first = i - pgc_oob(pool);	/* from the region or range start */
	ext->nr_pages = 1;
	switch (pgc_kind(d)) {
	case PGC_SMALL:
	case PGC_OWNED:
		ext->state = PGCLASS_PAGE_SMALL;
		ext->class = pgc_class(d);
		ext->block_size = BIT(ext->class + PGCLASS_MIN_BLOCK_SHIFT);
		ext->total = pgc_blocks(pool, ext->class);
		/* One copy: an owned page's bits may change meanwhile. */
		ext->used = ext->total - pgc_free_blocks(pool, i, ext->class, map);
		ext->map = map;
		break;
	case PGC_WHOLE:
		ext->state = PGCLASS_PAGE_WHOLE;
		ext->class = pgc_nr_small(pool);
		ext->block_size = BIT(pool->page_shift);
		ext->used = 1;
		ext->total = 1;
		break;
	case PGC_HEAD:
		ext->state = PGCLASS_PAGE_HEAD;
		ext->class = pgc_multi_class(pool);
		ext->nr_pages = d->map[0];
		ext->block_size = (size_t)ext->nr_pages << pool->page_shift;
		ext->used = 1;
		ext->total = 1;
		break;
	default:	/* the first page of a free run */
		ext->state = PGCLASS_PAGE_FREE;
		ext->nr_pages = d->map[0];
		break;
	}
}

/*
 * Is page @i the first page of an extent now?  A descriptor that says
 * SMALL, OWNED, WHOLE or HEAD is (the descriptor invariant); one inside a
 * free run or a multi-page block may say FREE or TAIL from an earlier
 * life, so a FREE one must also be on its list: its predecessor's
 * successor, or the head of the list its length maps to.  A run unlinked
 * since keeps none of that (unlinking rewrites both neighbours' links,
 * and a page that joins a run as its end tag or inside it has no
 * predecessor).  Under the pool lock.
 */
static bool pgc_extent_start(struct pgclass_pool *pool, u32 i)
{
	struct pgc_desc *d = pgc_desc(pool, i), *p;
	u32 len, prev, row, col;

	lockdep_assert_held(&pool->lock);
	switch (pgc_kind(d)) {
	case PGC_FREE:
		break;
	case PGC_TAIL:
		return false;
	default:
		return true;
	}
	len = d->map[0];
	if (!len || len > pool->nr_pages - i)
		return false;
	prev = pgc_prev(d);
	if (prev) {
		if (prev < pool->meta_pages || prev >= pool->nr_pages)
			return false;
		p = pgc_desc(pool, prev);
		return pgc_kind(p) == PGC_FREE && pgc_next(p) == i;
	}
	pgc_run_list(len, &row, &col);
	return row < pgc_nr_rows(pool) && *pgc_list_head(pool, row, col) == i;
}

/* Descriptors a walk looks at per hold of the pool lock. */
#define PGC_WALK_CHUNK	256

/**
 * pgclass_walk_from() - report a pool's extents in page order, from a page
 * @pool: the pool
 * @pos: in: the page to start at, counted from the region's (or range's)
 *	start, 0 for the whole pool; out: where the walk stopped, to resume
 *	from, or the pool's page count when it reached the end
 * @fn: called for each extent: the metadata pages (from @pos 0, and not
 *	for an out-of-band pool), then each free run, small-class page,
 *	whole page and multi-page block; @ext->first counts pages as @pos
 * @data: passed to @fn
 *
 * The walk takes the pool's lock for up to 256 extents at a time and lets
 * it go in between, so that dumping a pool of any size stops the other
 * CPUs' calls for a bounded time only; a caller that has much to do per
 * extent (printing every page of a free run, say) lets @fn collect a few
 * and return non-zero, does its work with no lock held, and resumes from
 * @pos.  Each extent is reported as it was at that moment; in a pool no
 * call changes, the extents are one consistent state.  Where the pool
 * changed at the page the walk resumes from (a run merged over it, a
 * block took it), the pages up to the next extent are reported as one
 * extent of the kind their last page says: the rest of a free run (FREE)
 * or of a multi-page block (%PGCLASS_PAGE_TAIL).  For a SMALL extent,
 * @ext->map (a copy, valid during the call) has bit i set when block i is
 * in use, for i below @ext->total (later bits are set too).
 *
 * Context: any context; takes the pool's spinlock with interrupts off,
 * for a bounded time each, and calls @fn with it held.
 * Return: 0 at the end, or the first non-zero value @fn returned.
 */
int pgclass_walk_from(struct pgclass_pool *pool, unsigned long *pos,
		      pgclass_walk_fn fn, void *data)
{
	unsigned long map[BIT(PGC_MAX_SMALL) / BITS_PER_LONG];
	u32 i, rest = PGC_NIL, budget;
	struct pgclass_extent ext;
	unsigned long flags;
	int ret = 0;

	/* Page indices of an out-of-band pool start at 1 (PGC_NIL is 0). */
	i = min_t(unsigned long, *pos, pool->nr_pages - pgc_oob(pool)) +
	    pgc_oob(pool);
	raw_spin_lock_irqsave(&pool->lock, flags);
	if (i < pool->meta_pages) {
		i = pool->meta_pages;
		memset(&ext, 0, sizeof(ext));
		ext.nr_pages = pool->meta_pages;
		ext.state = PGCLASS_PAGE_META;
		/* An out-of-band pool's metadata is not in its range. */
		if (!pgc_oob(pool))
			ret = fn(data, &ext);
	}
	for (budget = PGC_WALK_CHUNK; !ret && (i < pool->nr_pages || rest);
	     budget--) {
		if (!budget) {
			/* Let the other CPUs in between two chunks. */
			raw_spin_unlock_irqrestore(&pool->lock, flags);
			budget = PGC_WALK_CHUNK;
			raw_spin_lock_irqsave(&pool->lock, flags);
		}
		if (i < pool->nr_pages && !pgc_extent_start(pool, i)) {
			/* Inside what changed since the walk was here. */
			if (!rest)
				rest = i;
			i++;
			continue;
		}
		if (rest) {
			memset(&ext, 0, sizeof(ext));
			ext.first = rest - pgc_oob(pool);
			ext.nr_pages = i - rest;
			ext.state = pgc_kind(pgc_desc(pool, i - 1)) == PGC_TAIL ?
				    PGCLASS_PAGE_TAIL : PGCLASS_PAGE_FREE;
			if (ext.state == PGCLASS_PAGE_TAIL)
				ext.class = pgc_multi_class(pool);
			rest = PGC_NIL;
			ret = fn(data, &ext);
			continue;
		}
		pgc_extent(pool, i, &ext, map);
		i += ext.nr_pages;
		ret = fn(data, &ext);
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	*pos = i - pgc_oob(pool);
	return ret;
}
EXPORT_SYMBOL_GPL(pgclass_walk_from);

/**
 * pgclass_walk() - report all of a pool's extents in page order
 * @pool: the pool
 * @fn: as for pgclass_walk_from()
 * @data: passed to @fn
 *
 * pgclass_walk_from() from page 0.
 *
 * Context: as for pgclass_walk_from().
 * Return: 0, or the first non-zero value @fn returned.
 */
int pgclass_walk(struct pgclass_pool *pool, pgclass_walk_fn fn, void *data)
{
	unsigned long pos = 0;

	return pgclass_walk_from(pool, &pos, fn, data);
}
EXPORT_SYMBOL_GPL(pgclass_walk);
