// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass core: a page-class memory allocator over a region its caller
 * provides.
 *
 * The region is cut into allocator pages of 2^page_shift bytes (512 B to
 * 64 KiB).  Its first pages, the meta pages, hold the pool header and one
 * descriptor per data page: the core allocates nothing, so it can manage
 * memory the kernel's own allocators know nothing about.  A pool's address
 * is its region's base.
 *
 * Three cases, as in the lab this comes from:
 *  - a request of at most half a page is rounded up to a power of two of at
 *    least 16 bytes, its class, and gets a block in a page of that class.
 *    The page's descriptor holds the bitmap of its blocks and links the page
 *    into its class's list of pages that are not full.  Blocks carry no
 *    header: allocating or freeing one reads and writes metadata only;
 *  - a request above half a page and up to a page gets a whole page;
 *  - a larger request gets exactly ceil(size / page) contiguous pages.
 *
 * Free pages form maximal runs, kept TLSF-style in segregated lists by run
 * length: first level fls(length), second level four lists per power of
 * two, one bitmap per level, so ffs finds the first list whose runs all fit
 * a request.  If there is none, the head of the request's own list is
 * checked too, so that an exact fit (the whole data area, say) is found.
 * The first and the last descriptor of a free run both hold its length (a
 * boundary tag): a freed extent merges with both neighbours at once.  A
 * block is found by arithmetic on its address, and loops run only over the
 * bitmap words of one page or over the size classes: the cost of an
 * allocation, a free or a realloc does not depend on the number of pages.
 *
 * A page that becomes empty goes back to the free runs at once, except that
 * a class keeps one spare empty page (at the tail of its list) to avoid
 * thrashing.  The spares are taken back when a request cannot be met
 * otherwise.
 *
 * Descriptor invariant: a descriptor that says SMALL, WHOLE or HEAD is the
 * first page of a live extent (freeing rewrites it to FREE), and the first
 * and last descriptors of every extent are exact.  Descriptors inside an
 * extent are not written, so they may only say FREE or TAIL.  That makes
 * multi-page operations O(1) and lets a free of anything but a live block's
 * start be detected: it is refused with -EINVAL and a rate-limited
 * pr_warn() naming the offset, and changes nothing.
 *
 * Memory checkers: a block's usable bytes are unpoisoned when it is handed
 * out and poisoned when it is taken back, and the free pages of a new pool
 * start poisoned (pgclass_poison.h: KASAN in the kernel, ASan in user
 * space), so that a use of a freed block is reported.  Only the checker's
 * shadow is written, never the data pages.  It is written under the lock,
 * so that it changes together with the metadata, and costs O(size / 8)
 * bytes of shadow per call where KASAN is on (as KASAN's own poisoning of
 * kmalloc() and the page allocator does); without it, nothing.
 *
 * Locking: one spinlock per pool, taken with spin_lock_irqsave().  No
 * function sleeps or allocates memory, so all may be called in any context,
 * hard interrupts included.  pgclass_walk() calls back with the lock held;
 * pgclass_realloc() drops it while it copies a moved block.
 */

#define pr_fmt(fmt) "pgclass: " fmt

#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/pgclass.h>
#include <linux/pgclass_poison.h>

/* Page indices sit in the low bits of a descriptor's two link words. */
#define PGC_IDX_BITS	28
#define PGC_IDX_MASK	((1U << PGC_IDX_BITS) - 1)
/* "No page": page 0 always holds the pool header, never a data page. */
#define PGC_NIL		0U
/* TLSF second level: each power of two of run lengths has 4 lists. */
#define PGC_SL_SHIFT	2
#define PGC_SL_COUNT	BIT(PGC_SL_SHIFT)

/* What a data page's descriptor says.  FREE is 0: zeroed memory is free. */
enum pgc_kind {
	PGC_FREE,
	PGC_SMALL,
	PGC_WHOLE,
	PGC_HEAD,
	PGC_TAIL,
};

/*
 * struct pgc_desc - the descriptor of one data page
 * @next: the page's kind in the top bits, the next page of its list below
 * @prev: the page's class in the top bits, the previous page of its list
 * @map: SMALL: the block bitmap, bits past the page's blocks set;
 *	FREE (first and last page of a run) and HEAD: map[0] = length in pages
 *
 * Free runs are in NIL-terminated lists, the pages of a class that are not
 * full in a circular list (so that its tail, the spare, is at hand).
 */
struct pgc_desc {
	u32 next;
	u32 prev;
	unsigned long map[];
};

/* A small class: its list of pages that are not full, and its counters. */
struct pgc_class {
	u32 partial;
	u32 pages;
	u32 used;
};

/*
 * The pool header, at the region's base.  It is followed by the TLSF
 * second-level bitmaps (u8 per row) and list heads (u32 per list), then by
 * the descriptors: everything is sized to the pool, to keep the metadata
 * within 1% of the region at 4 KiB pages.
 */
struct pgclass_pool {
	spinlock_t lock;		/* protects the pool and its descriptors */
	u64 alloc_calls;
	u64 free_calls;
	u64 realloc_calls;
	u64 failed_calls;
	u32 nr_pages;
	u32 meta_pages;
	u32 free_pages;
	u32 peak_used;
	u32 whole_pages;
	u32 multi_pages;
	u32 multi_blocks;
	u32 fl_map;		/* TLSF first level: rows with a non-empty list */
	u16 desc_off;		/* offset of the first data page's descriptor */
	u16 desc_size;
	u16 heads_off;		/* offset of the TLSF list heads */
	u16 spare_mask;		/* classes that keep a spare empty page */
	u8 page_shift;
	u8 nr_small;		/* small classes: 16 B .. page / 2 */
	u8 map_words;		/* longs in a descriptor's bitmap */
	u8 nr_rows;		/* TLSF first-level rows */
	struct pgc_class cls[];
};

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

/* An allocated block, as pgc_lookup() finds it. */
struct pgc_ref {
	u32 page;
	u32 kind;
	u32 class;
	u32 pages;	/* HEAD: the block's pages; else 1 */
	u32 bit;	/* SMALL: the block's index in its page */
	size_t size;	/* usable size */
};

static inline u32 pgc_kind(const struct pgc_desc *d)
{
	return d->next >> PGC_IDX_BITS;
}

static inline u32 pgc_class(const struct pgc_desc *d)
{
	return d->prev >> PGC_IDX_BITS;
}

static inline u32 pgc_next(const struct pgc_desc *d)
{
	return d->next & PGC_IDX_MASK;
}

static inline u32 pgc_prev(const struct pgc_desc *d)
{
	return d->prev & PGC_IDX_MASK;
}

static inline void pgc_set_next(struct pgc_desc *d, u32 i)
{
	d->next = (d->next & ~PGC_IDX_MASK) | i;
}

static inline void pgc_set_prev(struct pgc_desc *d, u32 i)
{
	d->prev = (d->prev & ~PGC_IDX_MASK) | i;
}

static inline void pgc_init(struct pgc_desc *d, u32 kind, u32 class)
{
	d->next = kind << PGC_IDX_BITS;
	d->prev = class << PGC_IDX_BITS;
}

static inline struct pgc_desc *pgc_desc(struct pgclass_pool *pool, u32 i)
{
	return (struct pgc_desc *)((char *)pool + pool->desc_off +
				   (size_t)(i - pool->meta_pages) *
				   pool->desc_size);
}

static inline void *pgc_addr(struct pgclass_pool *pool, u32 i)
{
	return (char *)pool + ((size_t)i << pool->page_shift);
}

static inline u8 *pgc_sl(struct pgclass_pool *pool)
{
	return (u8 *)&pool->cls[pool->nr_small];
}

static inline u32 *pgc_heads(struct pgclass_pool *pool)
{
	return (u32 *)((char *)pool + pool->heads_off);
}

static inline u32 pgc_multi_class(struct pgclass_pool *pool)
{
	return pool->nr_small + 1;
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

/* Loops over the nw <= map_words bitmap words of one page. */
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
 * TLSF mapping of a run length to its list: lengths below PGC_SL_COUNT have
 * a list each in row 0; above, row = fls(n) - PGC_SL_SHIFT and the column is
 * given by the PGC_SL_SHIFT bits below the top one.
 */
static void pgc_mapping(u32 n, u32 *row, u32 *col)
{
	u32 f;

	if (n < PGC_SL_COUNT) {
		*row = 0;
		*col = n;
		return;
	}
	f = fls(n) - 1;
	*row = f - PGC_SL_SHIFT + 1;
	*col = (n >> (f - PGC_SL_SHIFT)) - PGC_SL_COUNT;
}

/* Round @n up so that it maps to a list whose runs are all >= @n. */
static u32 pgc_round(u32 n)
{
	if (n < PGC_SL_COUNT)
		return n;
	return n + (1U << (fls(n) - 1 - PGC_SL_SHIFT)) - 1;
}

static u32 pgc_rows(u32 max_run)
{
	u32 row, col;

	pgc_mapping(max_run, &row, &col);
	return row + 1;
}

/* A free run of at least @n pages, or PGC_NIL.  O(1): two ffs at most. */
static u32 pgc_find_run(struct pgclass_pool *pool, u32 n)
{
	u32 *heads = pgc_heads(pool);
	u8 *sl = pgc_sl(pool);
	u32 row, col, bits, s;

	pgc_mapping(pgc_round(n), &row, &col);
	if (row < pool->nr_rows) {
		bits = sl[row] & (~0U << col);
		if (!bits) {
			bits = pool->fl_map & (~0U << (row + 1));
			if (bits) {
				row = __ffs(bits);
				bits = sl[row];
			}
		}
		if (bits)
			return heads[row * PGC_SL_COUNT + __ffs(bits)];
	}
	/* No list where every run fits: the head of n's own list may. */
	pgc_mapping(n, &row, &col);
	if (row >= pool->nr_rows)
		return PGC_NIL;
	s = heads[row * PGC_SL_COUNT + col];
	if (s && pgc_desc(pool, s)->map[0] >= n)
		return s;
	return PGC_NIL;
}

/* Make pages [s, s + len) a free run: write both tags, push on its list. */
static void pgc_run_push(struct pgclass_pool *pool, u32 s, u32 len)
{
	struct pgc_desc *d = pgc_desc(pool, s);
	u32 *heads = pgc_heads(pool);
	u32 row, col, h;

	pgc_mapping(len, &row, &col);
	h = heads[row * PGC_SL_COUNT + col];
	pgc_init(d, PGC_FREE, 0);
	pgc_set_next(d, h);
	d->map[0] = len;
	if (h)
		pgc_set_prev(pgc_desc(pool, h), s);
	heads[row * PGC_SL_COUNT + col] = s;
	pgc_sl(pool)[row] |= 1U << col;
	pool->fl_map |= 1U << row;
	if (len > 1) {
		d = pgc_desc(pool, s + len - 1);
		pgc_init(d, PGC_FREE, 0);
		d->map[0] = len;
	}
}

static void pgc_run_unlink(struct pgclass_pool *pool, u32 s)
{
	struct pgc_desc *d = pgc_desc(pool, s);
	u32 *heads = pgc_heads(pool);
	u32 row, col, next, prev;
	u8 *sl = pgc_sl(pool);

	pgc_mapping(d->map[0], &row, &col);
	next = pgc_next(d);
	prev = pgc_prev(d);
	if (prev)
		pgc_set_next(pgc_desc(pool, prev), next);
	else
		heads[row * PGC_SL_COUNT + col] = next;
	if (next)
		pgc_set_prev(pgc_desc(pool, next), prev);
	if (!heads[row * PGC_SL_COUNT + col]) {
		sl[row] &= ~(1U << col);
		if (!sl[row])
			pool->fl_map &= ~(1U << row);
	}
}

/* Take the first @n pages of the free run that starts at @s. */
static void pgc_take(struct pgclass_pool *pool, u32 s, u32 n)
{
	u32 len = pgc_desc(pool, s)->map[0];
	u32 used;

	pgc_run_unlink(pool, s);
	if (len > n)
		pgc_run_push(pool, s + n, len - n);
	pool->free_pages -= n;
	used = pool->nr_pages - pool->meta_pages - pool->free_pages;
	if (used > pool->peak_used)
		pool->peak_used = used;
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

	if (next == i) {
		cl->partial = PGC_NIL;
		return;
	}
	pgc_set_next(pgc_desc(pool, prev), next);
	pgc_set_prev(pgc_desc(pool, next), prev);
	if (cl->partial == i)
		cl->partial = next;
}

/* Give every spare empty page back to the free runs: loops over classes. */
static void pgc_reclaim_spares(struct pgclass_pool *pool)
{
	unsigned long mask = pool->spare_mask;
	u32 c, t;

	while (mask) {
		c = __ffs(mask);
		mask &= mask - 1;
		t = pgc_prev(pgc_desc(pool, pool->cls[c].partial));
		pgc_part_del(pool, c, t);
		pool->cls[c].pages--;
		pgc_release(pool, t, 1);
	}
	pool->spare_mask = 0;
}

/* @n contiguous free pages, taking the spares back if need be. */
static u32 pgc_get_pages(struct pgclass_pool *pool, u32 n)
{
	u32 s = pgc_find_run(pool, n);

	if (!s && pool->spare_mask) {
		pgc_reclaim_spares(pool);
		s = pgc_find_run(pool, n);
	}
	if (s)
		pgc_take(pool, s, n);
	return s;
}

static void pgc_set_head(struct pgclass_pool *pool, u32 i, u32 n)
{
	struct pgc_desc *d = pgc_desc(pool, i);

	pgc_init(d, PGC_HEAD, pgc_multi_class(pool));
	d->map[0] = n;
	pgc_init(pgc_desc(pool, i + n - 1), PGC_TAIL, pgc_multi_class(pool));
}

static void *pgc_small_alloc(struct pgclass_pool *pool, u32 c)
{
	struct pgc_class *cl = &pool->cls[c];
	u32 nb = pgc_blocks(pool, c), nw = pgc_words(nb);
	u32 i = cl->partial, w;
	struct pgc_desc *d;
	unsigned long bit;

	if (!i) {
		i = pgc_get_pages(pool, 1);
		if (!i)
			return NULL;
		d = pgc_desc(pool, i);
		pgc_init(d, PGC_SMALL, c);
		d->map[0] = pgc_preset(nb);
		for (w = 1; w < pool->map_words; w++)
			d->map[w] = w < nw ? 0 : ~0UL;
		pgc_part_add(pool, c, i, false);
		cl->pages++;
	} else {
		d = pgc_desc(pool, i);
		/* The spare is the tail: it is the head only when alone. */
		if ((pool->spare_mask & BIT(c)) && pgc_next(d) == i)
			pool->spare_mask &= ~BIT(c);
	}
	/* A page on the list is not full: one of its nw words has a 0. */
	for (w = 0; w < nw - 1 && d->map[w] == ~0UL; w++)
		;
	bit = ffz(d->map[w]);
	d->map[w] |= 1UL << bit;
	if (pgc_map_full(d, nw))
		pgc_part_del(pool, c, i);
	cl->used++;
	return (char *)pgc_addr(pool, i) +
	       (((size_t)w * BITS_PER_LONG + bit) <<
		(c + PGCLASS_MIN_BLOCK_SHIFT));
}

static void pgc_small_free(struct pgclass_pool *pool, u32 i, u32 c, u32 bit)
{
	struct pgc_class *cl = &pool->cls[c];
	struct pgc_desc *d = pgc_desc(pool, i);
	u32 nb = pgc_blocks(pool, c);
	bool was_full = pgc_map_full(d, pgc_words(nb));

	d->map[bit / BITS_PER_LONG] &= ~(1UL << (bit % BITS_PER_LONG));
	cl->used--;
	if (!pgc_map_empty(d, nb)) {
		if (was_full)
			pgc_part_add(pool, c, i, false);
		return;
	}
	/* A page of at least two blocks: empty now, it was not full. */
	if (!(pool->spare_mask & BIT(c))) {
		/*
		 * It becomes the spare, at the list's tail.  Alone on the list
		 * it is the tail already: an alloc/free pair on one page then
		 * relinks nothing.
		 */
		if (pgc_next(d) != i) {
			pgc_part_del(pool, c, i);
			pgc_part_add(pool, c, i, true);
		}
		pool->spare_mask |= BIT(c);
		return;
	}
	pgc_part_del(pool, c, i);
	cl->pages--;
	pgc_release(pool, i, 1);
}

/* A new block of @size bytes, unpoisoned, or NULL. */
static void *pgc_alloc_locked(struct pgclass_pool *pool, size_t size)
{
	u32 shift = pool->page_shift;
	u32 i, n, c;
	void *p;

	if (size <= BIT(shift - 1)) {
		c = pgc_class_of(size);
		p = pgc_small_alloc(pool, c);
		if (p)
			pgc_unpoison(p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT));
		return p;
	}
	if (size <= BIT(shift)) {
		i = pgc_get_pages(pool, 1);
		if (!i)
			return NULL;
		pgc_init(pgc_desc(pool, i), PGC_WHOLE, pool->nr_small);
		pool->whole_pages++;
		pgc_unpoison(pgc_addr(pool, i), BIT(shift));
		return pgc_addr(pool, i);
	}
	if (size > pgc_data_bytes(pool))
		return NULL;
	n = DIV_ROUND_UP(size, BIT(shift));
	i = pgc_get_pages(pool, n);
	if (!i)
		return NULL;
	pgc_set_head(pool, i, n);
	pool->multi_pages += n;
	pool->multi_blocks++;
	pgc_unpoison(pgc_addr(pool, i), (size_t)n << shift);
	return pgc_addr(pool, i);
}

/* Find the allocated block that starts at @ptr, or say why there is none. */
static int pgc_lookup(struct pgclass_pool *pool, const void *ptr,
		      struct pgc_ref *r)
{
	unsigned long off = (unsigned long)ptr - (unsigned long)pool;
	u32 shift = pool->page_shift;
	unsigned long in;
	struct pgc_desc *d;
	u32 bshift;

	if (off >= (unsigned long)pool->nr_pages << shift)
		return PGC_BAD_RANGE;
	if (off < (unsigned long)pool->meta_pages << shift)
		return PGC_BAD_META;
	r->page = off >> shift;
	in = off & (BIT(shift) - 1);
	d = pgc_desc(pool, r->page);
	r->kind = pgc_kind(d);
	r->class = pgc_class(d);
	r->pages = 1;
	r->bit = 0;
	switch (r->kind) {
	case PGC_SMALL:
		bshift = r->class + PGCLASS_MIN_BLOCK_SHIFT;
		if (in & (BIT(bshift) - 1))
			return PGC_BAD_START;
		r->bit = in >> bshift;
		if (!test_bit(r->bit, d->map))
			return PGC_BAD_UNUSED;
		r->size = BIT(bshift);
		return PGC_OK;
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

/* Free the block @r, poisoning it. */
static void pgc_free_ref(struct pgclass_pool *pool, const struct pgc_ref *r)
{
	pgc_poison((char *)pgc_addr(pool, r->page) + (size_t)r->bit * r->size,
		   r->size);
	switch (r->kind) {
	case PGC_SMALL:
		pgc_small_free(pool, r->page, r->class, r->bit);
		break;
	case PGC_WHOLE:
		pool->whole_pages--;
		pgc_release(pool, r->page, 1);
		break;
	default:	/* HEAD */
		pool->multi_pages -= r->pages;
		pool->multi_blocks--;
		pgc_release(pool, r->page, r->pages);
		break;
	}
}

/*
 * Name a refused pointer by its offset from the pool, which says where it
 * points without saying where the pool is.  A pointer far from the pool
 * (NULL, say) would give the pool's address away in its offset, so that
 * one is printed with %p, which the kernel hashes.
 */
static void pgc_warn(struct pgclass_pool *pool, const char *op,
		     const void *ptr, int why)
{
	unsigned long base = (unsigned long)pool, p = (unsigned long)ptr;
	unsigned long span = (unsigned long)pool->nr_pages << pool->page_shift;

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

/* Extend the extent [i, i + n) to m pages from the free run after it. */
static bool pgc_grow(struct pgclass_pool *pool, u32 i, u32 n, u32 m)
{
	u32 r = i + n;
	struct pgc_desc *d;

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

	if (size <= BIT(shift - 1))
		return r->kind == PGC_SMALL && pgc_class_of(size) == r->class;
	if (size <= BIT(shift)) {
		if (r->kind == PGC_WHOLE)
			return true;
		if (r->kind != PGC_HEAD)
			return false;
		pgc_init(pgc_desc(pool, r->page), PGC_WHOLE, pool->nr_small);
		pool->multi_pages -= r->pages;
		pool->multi_blocks--;
		pool->whole_pages++;
		pgc_poison(pgc_addr(pool, r->page + 1),
			   (size_t)(r->pages - 1) << shift);
		pgc_release(pool, r->page + 1, r->pages - 1);
		return true;
	}
	if (r->kind == PGC_SMALL || size > pgc_data_bytes(pool))
		return false;
	m = DIV_ROUND_UP(size, BIT(shift));
	if (r->kind == PGC_WHOLE) {
		if (!pgc_grow(pool, r->page, 1, m))
			return false;
		pgc_set_head(pool, r->page, m);
		pool->whole_pages--;
		pool->multi_pages += m;
		pool->multi_blocks++;
		pgc_unpoison(pgc_addr(pool, r->page + 1), (size_t)(m - 1) << shift);
		return true;
	}
	if (m == r->pages)
		return true;
	if (m < r->pages) {
		/* The new last page says TAIL before the rest goes. */
		pgc_set_head(pool, r->page, m);
		pool->multi_pages -= r->pages - m;
		pgc_poison(pgc_addr(pool, r->page + m),
			   (size_t)(r->pages - m) << shift);
		pgc_release(pool, r->page + m, r->pages - m);
		return true;
	}
	if (!pgc_grow(pool, r->page, r->pages, m))
		return false;
	pgc_set_head(pool, r->page, m);
	pool->multi_pages += m - r->pages;
	pgc_unpoison(pgc_addr(pool, r->page + r->pages),
		     (size_t)(m - r->pages) << shift);
	return true;
}

static unsigned long pgc_nr_blocks(struct pgclass_pool *pool)
{
	unsigned long blocks = pool->whole_pages + pool->multi_blocks;
	u32 c;

	for (c = 0; c < pool->nr_small; c++)
		blocks += pool->cls[c].used;
	return blocks;
}

/* Size of the header with its TLSF arrays; their offset in *heads_off. */
static size_t pgc_header_size(u32 nr_small, u32 rows, size_t *heads_off)
{
	size_t off = offsetof(struct pgclass_pool, cls) +
		     nr_small * sizeof(struct pgc_class) + rows;

	off = ALIGN(off, sizeof(u32));
	if (heads_off)
		*heads_off = off;
	return ALIGN(off + rows * PGC_SL_COUNT * sizeof(u32),
		     sizeof(unsigned long));
}

static bool pgc_meta_fits(u32 nr, u32 meta, u32 nr_small, size_t dsize,
			  u32 shift)
{
	u32 data = nr - meta;

	return pgc_header_size(nr_small, pgc_rows(data), NULL) +
	       (size_t)data * dsize <= (size_t)meta << shift;
}

/**
 * pgclass_pool_create() - make a pool over a region
 * @base: the region, aligned to the allocator page size
 * @size: its size in bytes; a partial last page is not used
 * @page_shift: log2 of the allocator page size,
 *	%PGCLASS_MIN_PAGE_SHIFT .. %PGCLASS_MAX_PAGE_SHIFT
 *
 * The pool header and the page descriptors are written to the first pages
 * of the region, which are not available to allocations; the rest forms one
 * free run.  Nothing is allocated: the pool lives until the caller stops
 * using the region (see pgclass_pool_destroy()).  The region may hold up to
 * 2^28 - 1 pages and up to 64 GiB.  With KASAN, the data pages are
 * poisoned until a block is allocated over them, and every block again
 * once it is freed: accessing them is reported as a use-after-free.
 *
 * Context: any context; it writes the metadata pages, O(number of pages).
 * Return: the pool (at @base), or NULL if @base is NULL or misaligned,
 * @page_shift is out of range, or the region is too small (no data page
 * beside the metadata) or too large.
 */
struct pgclass_pool *pgclass_pool_create(void *base, size_t size,
					 unsigned int page_shift)
{
	struct pgclass_pool *pool = base;
	size_t dsize, hdr, heads_off;
	u32 nr, meta, nr_small, words, data;

	if (!base || page_shift < PGCLASS_MIN_PAGE_SHIFT ||
	    page_shift > PGCLASS_MAX_PAGE_SHIFT)
		return NULL;
	if ((unsigned long)base & (BIT(page_shift) - 1))
		return NULL;
	if ((size >> page_shift) > PGC_IDX_MASK)
		return NULL;
	nr = size >> page_shift;
	/* The classes' block counters are u32. */
	if (((u64)nr << (page_shift - PGCLASS_MIN_BLOCK_SHIFT)) > U32_MAX)
		return NULL;
	if (nr < 2)
		return NULL;

	nr_small = page_shift - PGCLASS_MIN_BLOCK_SHIFT;
	words = max(1UL, BIT(nr_small) / BITS_PER_LONG);
	dsize = sizeof(struct pgc_desc) + words * sizeof(unsigned long);
	/*
	 * Smallest meta such that the header and nr - meta descriptors fit in
	 * meta pages.  Sizing the TLSF arrays for a run of nr - 1 pages makes
	 * this an upper bound; the arrays shrink by far less than a page when
	 * runs can only be nr - meta long, so the loop decrements at most once.
	 */
	hdr = pgc_header_size(nr_small, pgc_rows(nr - 1), NULL);
	meta = DIV_ROUND_UP(hdr + (size_t)nr * dsize,
			    BIT(page_shift) + dsize);
	while (meta > 1 &&
	       pgc_meta_fits(nr, meta - 1, nr_small, dsize, page_shift))
		meta--;
	if (meta >= nr)
		return NULL;
	data = nr - meta;
	hdr = pgc_header_size(nr_small, pgc_rows(data), &heads_off);

	/* Zeroed descriptors say FREE: no stale kind anywhere. */
	memset(pool, 0, hdr + (size_t)data * dsize);
	spin_lock_init(&pool->lock);
	pool->nr_pages = nr;
	pool->meta_pages = meta;
	pool->desc_off = hdr;
	pool->desc_size = dsize;
	pool->heads_off = heads_off;
	pool->page_shift = page_shift;
	pool->nr_small = nr_small;
	pool->map_words = words;
	pool->nr_rows = pgc_rows(data);
	pool->free_pages = data;
	pgc_run_push(pool, meta, data);
	pgc_poison(pgc_addr(pool, meta), (size_t)data << page_shift);
	return pool;
}
EXPORT_SYMBOL_GPL(pgclass_pool_create);

/**
 * pgclass_pool_destroy() - stop using a pool
 * @pool: the pool, or NULL
 *
 * The core owns no resources, so this mostly reports: blocks still
 * allocated are leaks, and a warning says how many.  It also marks the
 * whole data area accessible again for KASAN (the pool keeps its free
 * pages and freed blocks poisoned), so the caller may reuse the region
 * afterwards, and must destroy the pool before it does; the pool must not
 * be used again.
 *
 * Context: any context; O(size of the region / 8) with KASAN, else O(1).
 * Return: the number of blocks still allocated (0 for a NULL @pool).
 */
unsigned long pgclass_pool_destroy(struct pgclass_pool *pool)
{
	unsigned long flags, blocks;

	if (!pool)
		return 0;
	spin_lock_irqsave(&pool->lock, flags);
	blocks = pgc_nr_blocks(pool);
	spin_unlock_irqrestore(&pool->lock, flags);
	/* Nobody may use the pool any more: no need to hold the lock. */
	pgc_unpoison(pgc_addr(pool, pool->meta_pages), pgc_data_bytes(pool));
	if (blocks)
		pr_warn("pool destroyed with %lu blocks still allocated\n",
			blocks);
	return blocks;
}
EXPORT_SYMBOL_GPL(pgclass_pool_destroy);

static void *pgc_alloc_counted(struct pgclass_pool *pool, size_t size,
			       bool valid)
{
	unsigned long flags;
	void *p = NULL;

	spin_lock_irqsave(&pool->lock, flags);
	pool->alloc_calls++;
	if (size && valid)
		p = pgc_alloc_locked(pool, size);
	if (!p && size)
		pool->failed_calls++;
	spin_unlock_irqrestore(&pool->lock, flags);
	return p;
}

/**
 * pgclass_alloc() - allocate a block
 * @pool: the pool
 * @size: bytes wanted
 *
 * A block of at most half a page comes from a page of its power-of-two
 * class and is aligned to its class size; a larger one gets a whole page or
 * exactly ceil(@size / page size) contiguous pages, aligned to the page
 * size.  The block is not zeroed.  O(1) in the number of pages.
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 * Return: the block, or NULL if @size is 0 or the pool cannot serve it.
 */
void *pgclass_alloc(struct pgclass_pool *pool, size_t size)
{
	return pgc_alloc_counted(pool, size, true);
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
 * Context: any context; takes the pool's spinlock with interrupts off.
 * Return: the block, or NULL if @size is 0, @align is not valid or the pool
 * cannot serve the request.
 */
void *pgclass_alloc_aligned(struct pgclass_pool *pool, size_t size,
			    size_t align)
{
	bool valid = is_power_of_2(align) && align <= BIT(pool->page_shift);

	return pgc_alloc_counted(pool, size ? max(size, align) : 0, valid);
}
EXPORT_SYMBOL_GPL(pgclass_alloc_aligned);

/**
 * pgclass_free() - free a block
 * @pool: the pool
 * @ptr: the block, as an allocation returned it, or NULL
 *
 * A pointer that is not the start of an allocated block of @pool (outside
 * the data area, inside a block, in a free or spare page, already freed)
 * changes nothing: it is refused with a rate-limited warning that names its
 * offset in the pool.  O(1) in the number of pages; a small block's free
 * touches only metadata.
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 * Return: 0, or -EINVAL for a bad pointer.
 */
int pgclass_free(struct pgclass_pool *pool, void *ptr)
{
	unsigned long flags;
	struct pgc_ref r;
	int bad;

	if (!ptr)
		return 0;
	spin_lock_irqsave(&pool->lock, flags);
	pool->free_calls++;
	bad = pgc_lookup(pool, ptr, &r);
	if (bad)
		pool->failed_calls++;
	else
		pgc_free_ref(pool, &r);
	spin_unlock_irqrestore(&pool->lock, flags);
	if (!bad)
		return 0;
	pgc_warn(pool, "free", ptr, bad);
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(pgclass_free);

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
 * pages after it are free.  Otherwise a new block is allocated, the
 * contents copied up to the smaller of the two sizes (with the lock
 * dropped), and the old block freed.  A bad @ptr is refused like a bad
 * pgclass_free().
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 * Return: the block, which may have moved; NULL when @size is 0, @ptr is
 * bad, or no block can be had, in which cases the old block (if any) is
 * unchanged, except that @size 0 frees it.
 */
void *pgclass_realloc(struct pgclass_pool *pool, void *ptr, size_t size)
{
	unsigned long flags;
	struct pgc_ref r;
	void *p = NULL;
	int bad;

	spin_lock_irqsave(&pool->lock, flags);
	pool->realloc_calls++;
	if (!ptr) {
		if (size)
			p = pgc_alloc_locked(pool, size);
		if (!p && size)
			pool->failed_calls++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return p;
	}
	bad = pgc_lookup(pool, ptr, &r);
	if (bad) {
		pool->failed_calls++;
		spin_unlock_irqrestore(&pool->lock, flags);
		pgc_warn(pool, "realloc", ptr, bad);
		return NULL;
	}
	if (!size) {
		pgc_free_ref(pool, &r);
		spin_unlock_irqrestore(&pool->lock, flags);
		return NULL;
	}
	if (pgc_resize(pool, &r, size)) {
		spin_unlock_irqrestore(&pool->lock, flags);
		return ptr;
	}
	p = pgc_alloc_locked(pool, size);
	if (!p)
		pool->failed_calls++;
	spin_unlock_irqrestore(&pool->lock, flags);
	if (!p)
		return NULL;

	/* The caller owns both blocks: nobody else may touch them. */
	memcpy(p, ptr, min(r.size, size));

	spin_lock_irqsave(&pool->lock, flags);
	bad = pgc_lookup(pool, ptr, &r);
	if (!bad)
		pgc_free_ref(pool, &r);
	spin_unlock_irqrestore(&pool->lock, flags);
	if (bad)
		pgc_warn(pool, "realloc", ptr, bad);
	return p;
}
EXPORT_SYMBOL_GPL(pgclass_realloc);

/**
 * pgclass_usable_size() - the size of an allocated block
 * @pool: the pool
 * @ptr: the block
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 * Return: the bytes usable at @ptr (its class size, the page size, or its
 * pages times the page size), or 0 if @ptr is not an allocated block.
 */
size_t pgclass_usable_size(struct pgclass_pool *pool, const void *ptr)
{
	unsigned long flags;
	struct pgc_ref r;
	int bad;

	if (!ptr)
		return 0;
	spin_lock_irqsave(&pool->lock, flags);
	bad = pgc_lookup(pool, ptr, &r);
	spin_unlock_irqrestore(&pool->lock, flags);
	return bad ? 0 : r.size;
}
EXPORT_SYMBOL_GPL(pgclass_usable_size);

/**
 * pgclass_get_stats() - read a pool's counters
 * @pool: the pool
 * @st: filled in
 *
 * The counters are kept up to date by every call; reading them loops only
 * over the size classes.
 *
 * Context: any context; takes the pool's spinlock with interrupts off.
 */
void pgclass_get_stats(struct pgclass_pool *pool, struct pgclass_stats *st)
{
	unsigned long flags;
	u32 shift, c;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&pool->lock, flags);
	shift = pool->page_shift;
	st->page_size = BIT(shift);
	st->nr_pages = pool->nr_pages;
	st->meta_pages = pool->meta_pages;
	st->free_pages = pool->free_pages;
	st->used_pages = pool->nr_pages - pool->meta_pages - pool->free_pages;
	st->peak_used_pages = pool->peak_used;
	st->blocks = pool->whole_pages + pool->multi_blocks;
	st->bytes_allocated = (u64)(pool->whole_pages + pool->multi_pages) <<
			      shift;
	for (c = 0; c < pool->nr_small; c++) {
		st->blocks += pool->cls[c].used;
		st->bytes_allocated += (u64)pool->cls[c].used <<
				       (c + PGCLASS_MIN_BLOCK_SHIFT);
	}
	st->alloc_calls = pool->alloc_calls;
	st->free_calls = pool->free_calls;
	st->realloc_calls = pool->realloc_calls;
	st->failed_calls = pool->failed_calls;
	spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(pgclass_get_stats);

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
	return pool->nr_small + 2;
}
EXPORT_SYMBOL_GPL(pgclass_nr_classes);

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
	memset(cs, 0, sizeof(*cs));
	spin_lock_irqsave(&pool->lock, flags);
	if (class < pool->nr_small) {
		cs->block_size = BIT(class + PGCLASS_MIN_BLOCK_SHIFT);
		cs->pages = pool->cls[class].pages;
		cs->blocks_used = pool->cls[class].used;
		cs->blocks_total = (u64)cs->pages * pgc_blocks(pool, class);
	} else if (class == pool->nr_small) {
		cs->block_size = BIT(pool->page_shift);
		cs->pages = pool->whole_pages;
		cs->blocks_used = pool->whole_pages;
		cs->blocks_total = pool->whole_pages;
	} else {
		cs->pages = pool->multi_pages;
		cs->blocks_used = pool->multi_blocks;
		cs->blocks_total = pool->multi_blocks;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(pgclass_get_class_stats);

/* Describe the extent that starts at data page @i. */
static void pgc_extent(struct pgclass_pool *pool, u32 i,
		       struct pgclass_extent *ext)
{
	struct pgc_desc *d = pgc_desc(pool, i);
	u32 nb, nw, w, used = 0;

	memset(ext, 0, sizeof(*ext));
	ext->first = i;
	ext->nr_pages = 1;
	switch (pgc_kind(d)) {
	case PGC_SMALL:
		ext->state = PGCLASS_PAGE_SMALL;
		ext->class = pgc_class(d);
		nb = pgc_blocks(pool, ext->class);
		nw = pgc_words(nb);
		for (w = 0; w < nw; w++)
			used += hweight_long(d->map[w]);
		ext->block_size = BIT(ext->class + PGCLASS_MIN_BLOCK_SHIFT);
		ext->used = used - hweight_long(pgc_preset(nb));
		ext->total = nb;
		ext->map = d->map;
		break;
	case PGC_WHOLE:
		ext->state = PGCLASS_PAGE_WHOLE;
		ext->class = pool->nr_small;
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

/**
 * pgclass_walk() - report a pool's extents in page order
 * @pool: the pool
 * @fn: called for each extent: the metadata pages, then each free run,
 *	small-class page, whole page and multi-page block
 * @data: passed to @fn
 *
 * The whole walk runs under the pool's lock, so it sees one consistent
 * state; it takes time proportional to the number of extents, which is
 * what a dump needs.  For a SMALL extent, @ext->map has bit i set when
 * block i is in use, for i below @ext->total (later bits are set too).
 *
 * Context: any context; takes the pool's spinlock with interrupts off and
 * calls @fn with it held.
 * Return: 0, or the first non-zero value @fn returned.
 */
int pgclass_walk(struct pgclass_pool *pool, pgclass_walk_fn fn, void *data)
{
	struct pgclass_extent ext;
	unsigned long flags;
	int ret;
	u32 i;

	spin_lock_irqsave(&pool->lock, flags);
	memset(&ext, 0, sizeof(ext));
	ext.nr_pages = pool->meta_pages;
	ext.state = PGCLASS_PAGE_META;
	ret = fn(data, &ext);
	for (i = pool->meta_pages; !ret && i < pool->nr_pages;
	     i += ext.nr_pages) {
		pgc_extent(pool, i, &ext);
		ret = fn(data, &ext);
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(pgclass_walk);
