// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the unit and differential tests. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>

#include <linux/cpumask.h>

#include "common.h"
#include "shim.h"

void (*test_context)(void);

void test_fail(const char *file, int line, const char *what)
{
	printf("# %s:%d: check failed: %s\n", file, line, what);
	if (shim_last_warning[0])
		printf("# last warning: %s", shim_last_warning);
	if (test_context)
		test_context();
	test_abort();
}

void test_fail_eq(const char *file, int line, const char *a, const char *b,
		  unsigned long long va, unsigned long long vb)
{
	printf("# %s:%d: check failed: %s == %s\n", file, line, a, b);
	printf("#   %s = %llu (%#llx)\n#   %s = %llu (%#llx)\n",
	       a, va, va, b, vb, vb);
	if (test_context)
		test_context();
	test_abort();
}

struct region {
	void *mem;
	size_t size;
	bool mapped;
};

static struct region regions[64];
static unsigned int nr_regions;

void *test_region(size_t size, unsigned int page_shift)
{
	void *mem;

	if (nr_regions == ARRAY_SIZE(regions))
		abort();
	mem = aligned_alloc((size_t)1 << page_shift, size);
	if (!mem)
		abort();
	/* Not zero: the pool must not rely on the caller's memory. */
	memset(mem, 0xa5, size);
	regions[nr_regions++] = (struct region){ mem, size, false };
	return mem;
}

void *test_region_mmap(size_t size)
{
	void *mem;

	if (nr_regions == ARRAY_SIZE(regions))
		abort();
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		abort();
	regions[nr_regions++] = (struct region){ mem, size, true };
	return mem;
}

void *test_region_none(size_t size)
{
	void *mem;

	if (nr_regions == ARRAY_SIZE(regions))
		abort();
	mem = mmap(NULL, size, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		abort();
	regions[nr_regions++] = (struct region){ mem, size, true };
	return mem;
}

void test_free_regions(void)
{
	while (nr_regions) {
		struct region *r = &regions[--nr_regions];

		/*
		 * Like pgclass_pool_destroy(), without needing the pool: a
		 * later mmap() at the same address must not find stale
		 * poison in the shadow.
		 */
		ASAN_UNPOISON_MEMORY_REGION(r->mem, r->size);
		if (r->mapped)
			munmap(r->mem, r->size);
		else
			free(r->mem);
	}
}

static int ctx_check_new(struct ctx *c);

static int ctx_attach_cpus(struct ctx *c, char *base, size_t size,
			   unsigned int shift, unsigned int cpus)
{
	memset(c, 0, sizeof(*c));
	c->shift = shift;
	c->page = (size_t)1 << shift;
	c->nr_pages = size >> shift;
	c->base = base;
	c->pool = pgclass_pool_create_cpus(base, size, shift, cpus);
	return ctx_check_new(c);
}

/* A new pool's counters: every page is free but the metadata's. */
static int ctx_check_new(struct ctx *c)
{
	struct pgclass_stats st;

	T_ASSERT(c->pool);
	T_ASSERT(c->oob != ((void *)c->pool == (void *)c->base));
	pgclass_get_stats(c->pool, &st);
	T_EQ(st.nr_pages, c->nr_pages);
	T_EQ(st.page_size, c->page);
	c->meta = st.meta_pages;
	c->data_pages = c->nr_pages - st.meta_pages;
	T_EQ(st.free_pages, c->data_pages);
	return 0;
}

int ctx_attach_oob(struct ctx *c, void *meta, size_t meta_size, char *base,
		   size_t size, unsigned int shift)
{
	memset(c, 0, sizeof(*c));
	c->oob = true;
	c->shift = shift;
	c->page = (size_t)1 << shift;
	c->nr_pages = size >> shift;
	c->base = base;
	c->meta_mem = meta;
	c->pool = pgclass_pool_create_oob(meta, meta_size, (unsigned long)base,
					  size, shift);
	return ctx_check_new(c);
}

int ctx_new_oob(struct ctx *c, unsigned long nr_pages, unsigned int shift)
{
	size_t size = nr_pages << shift, page = (size_t)1 << shift;
	size_t meta = pgclass_meta_size(size, shift);
	char *mem;

	T_ASSERT(meta);
	/* Reserved, never accessible, aligned to the page: any touch faults. */
	mem = test_region_none(size + page);
	mem = (char *)(((unsigned long)mem + page - 1) & ~(page - 1));
	return ctx_attach_oob(c, test_region(meta, 3), meta, mem, size, shift);
}

int ctx_attach(struct ctx *c, char *base, size_t size, unsigned int shift)
{
	return ctx_attach_cpus(c, base, size, shift, nr_cpu_ids);
}

int ctx_new(struct ctx *c, unsigned long nr_pages, unsigned int shift)
{
	size_t size = nr_pages << shift;

	return ctx_attach(c, test_region(size, shift), size, shift);
}

int ctx_new_cpus(struct ctx *c, unsigned long nr_pages, unsigned int shift,
		 unsigned int cpus)
{
	size_t size = nr_pages << shift;

	return ctx_attach_cpus(c, test_region(size, shift), size, shift, cpus);
}

struct walk_buf {
	struct snap *s;
	size_t cap;
};

static int collect(void *data, const struct pgclass_extent *ext)
{
	struct walk_buf *w = data;
	struct snap *s = w->s;

	if (s->nr_ext == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		s->ext = realloc(s->ext, w->cap * sizeof(*s->ext));
		s->maps = realloc(s->maps, w->cap * sizeof(*s->maps));
		if (!s->ext || !s->maps)
			abort();
	}
	s->ext[s->nr_ext] = *ext;
	memset(s->maps[s->nr_ext], 0, sizeof(s->maps[0]));
	if (ext->map) {
		memcpy(s->maps[s->nr_ext], ext->map,
		       (ext->total + 63) / 64 * 8);
		s->ext[s->nr_ext].map = s->maps[s->nr_ext];
	}
	s->nr_ext++;
	return 0;
}

struct snap *snap_take(const struct ctx *c)
{
	struct snap *s = calloc(1, sizeof(*s));
	struct walk_buf w = { s, 0 };
	unsigned int i;

	if (!s)
		abort();
	pgclass_get_stats(c->pool, &s->st);
	s->nr_classes = pgclass_nr_classes(c->pool);
	for (i = 0; i < s->nr_classes && i < PGCLASS_MAX_CLASSES; i++)
		if (pgclass_get_class_stats(c->pool, i, &s->cs[i]))
			abort();
	if (pgclass_walk(c->pool, collect, &w))
		abort();
	for (i = 0; i < s->nr_ext; i++)
		if (s->ext[i].map)
			s->ext[i].map = s->maps[i];
	return s;
}

void snap_free(struct snap *s)
{
	if (!s)
		return;
	free(s->ext);
	free(s->maps);
	free(s);
}

int snap_same(const struct snap *a, const struct snap *b)
{
	const struct pgclass_stats *x = &a->st, *y = &b->st;
	size_t i;

	T_EQ(x->page_size, y->page_size);
	T_EQ(x->nr_pages, y->nr_pages);
	T_EQ(x->meta_pages, y->meta_pages);
	T_EQ(x->free_pages, y->free_pages);
	T_EQ(x->used_pages, y->used_pages);
	T_EQ(x->peak_used_pages, y->peak_used_pages);
	T_EQ(x->blocks, y->blocks);
	T_EQ(x->bytes_allocated, y->bytes_allocated);
	T_EQ(a->nr_classes, b->nr_classes);
	T_ASSERT(!memcmp(a->cs, b->cs, sizeof(a->cs)));
	T_EQ(a->nr_ext, b->nr_ext);
	for (i = 0; i < a->nr_ext; i++) {
		const struct pgclass_extent *e = &a->ext[i], *f = &b->ext[i];

		T_EQ(e->first, f->first);
		T_EQ(e->nr_pages, f->nr_pages);
		T_EQ(e->state, f->state);
		T_EQ(e->class, f->class);
		T_EQ(e->block_size, f->block_size);
		T_EQ(e->used, f->used);
		T_EQ(e->total, f->total);
		T_EQ(!e->map, !f->map);
		T_ASSERT(!memcmp(a->maps[i], b->maps[i], sizeof(a->maps[i])));
	}
	return 0;
}

static int check_snap(const struct ctx *c, const struct snap *s)
{
	const struct pgclass_stats *st = &s->st;
	unsigned long next = 0, free_pages = 0, blocks = 0, bytes = 0;
	unsigned long cls_pages[PGCLASS_MAX_CLASSES] = { 0 };
	unsigned long cls_used[PGCLASS_MAX_CLASSES] = { 0 };
	unsigned long cls_empty[PGCLASS_MAX_CLASSES] = { 0 };
	unsigned int nr_small = c->shift - 4, k;
	int prev_free = 0;
	size_t i;

	T_EQ(s->nr_classes, c->shift - 2);
	T_ASSERT(s->nr_ext >= 1);
	/* An out-of-band pool's metadata is not in its range. */
	T_EQ(s->ext[0].state == PGCLASS_PAGE_META, !c->oob);
	if (!c->oob)
		T_EQ(s->ext[0].nr_pages, st->meta_pages);
	for (i = 0; i < s->nr_ext; i++) {
		const struct pgclass_extent *e = &s->ext[i];

		T_EQ(e->first, next);
		T_ASSERT(e->nr_pages >= 1);
		next += e->nr_pages;
		T_ASSERT(next <= c->nr_pages);
		if (i)
			T_ASSERT(e->state != PGCLASS_PAGE_META);
		/* Free runs are maximal: never two in a row. */
		T_ASSERT(!(prev_free && e->state == PGCLASS_PAGE_FREE));
		prev_free = e->state == PGCLASS_PAGE_FREE;
		switch (e->state) {
		case PGCLASS_PAGE_META:
			break;
		case PGCLASS_PAGE_FREE:
			free_pages += e->nr_pages;
			T_ASSERT(!e->map);
			break;
		case PGCLASS_PAGE_SMALL: {
			unsigned long bits = 0, b;

			T_ASSERT(e->class < nr_small);
			T_EQ(e->nr_pages, 1);
			T_EQ(e->block_size, 16UL << e->class);
			T_EQ(e->total, c->page / e->block_size);
			T_ASSERT(e->map);
			for (b = 0; b < e->total; b++)
				bits += (e->map[b / 64] >> (b % 64)) & 1;
			T_EQ(e->used, bits);
			cls_pages[e->class]++;
			cls_used[e->class] += e->used;
			cls_empty[e->class] += !e->used;
			blocks += e->used;
			bytes += e->used * e->block_size;
			break;
		}
		case PGCLASS_PAGE_WHOLE:
			T_EQ(e->class, nr_small);
			T_EQ(e->nr_pages, 1);
			T_EQ(e->block_size, c->page);
			T_EQ(e->used, 1);
			T_EQ(e->total, 1);
			cls_pages[nr_small]++;
			cls_used[nr_small]++;
			blocks++;
			bytes += c->page;
			break;
		case PGCLASS_PAGE_HEAD:
			T_EQ(e->class, nr_small + 1);
			T_ASSERT(e->nr_pages >= 2);
			T_EQ(e->block_size, e->nr_pages * c->page);
			T_EQ(e->used, 1);
			T_EQ(e->total, 1);
			cls_pages[nr_small + 1] += e->nr_pages;
			cls_used[nr_small + 1]++;
			blocks++;
			bytes += e->block_size;
			break;
		default:
			T_ASSERT(!"unexpected extent state");
		}
	}
	T_EQ(next, c->nr_pages);
	T_EQ(st->free_pages, free_pages);
	T_EQ(st->used_pages + st->free_pages + st->meta_pages, st->nr_pages);
	T_ASSERT(st->peak_used_pages >= st->used_pages);
	T_EQ(st->blocks, blocks);
	T_EQ(st->bytes_allocated, bytes);
	for (k = 0; k < s->nr_classes; k++) {
		const struct pgclass_class_stats *cs = &s->cs[k];

		T_EQ(cs->pages, cls_pages[k]);
		T_EQ(cs->blocks_used, cls_used[k]);
		if (k < nr_small) {
			T_EQ(cs->block_size, 16UL << k);
			T_EQ(cs->blocks_total, cls_pages[k] * (c->page >> (4 + k)));
			/*
			 * At most one spare empty page per class, and one
			 * per CPU slot that owns a page of it.
			 */
			T_ASSERT(cls_empty[k] <=
				 1 + pgclass_nr_cpu_slots(c->pool));
		} else if (k == nr_small) {
			T_EQ(cs->block_size, c->page);
			T_EQ(cs->blocks_total, cls_used[k]);
		} else {
			T_EQ(cs->block_size, 0);
			T_EQ(cs->blocks_total, cls_used[k]);
		}
	}
	return 0;
}

int check_pool(const struct ctx *c)
{
	struct snap *s = snap_take(c);
	int ret = check_snap(c, s);

	snap_free(s);
	return ret;
}

struct state_arg {
	unsigned long page;
	int state;
};

static int find_state(void *data, const struct pgclass_extent *ext)
{
	struct state_arg *a = data;

	if (a->page < ext->first || a->page >= ext->first + ext->nr_pages)
		return 0;
	a->state = ext->state;
	if (ext->state == PGCLASS_PAGE_HEAD && a->page != ext->first)
		a->state = PGCLASS_PAGE_TAIL;
	return 1;
}

int page_state(const struct ctx *c, unsigned long page)
{
	struct state_arg a = { page, -1 };

	pgclass_walk(c->pool, find_state, &a);
	return a.state;
}

/*
 * The pattern of block @id, eight bytes at a time: byte i of a block is
 * byte i % 8 of word i / 8, so that it depends on the offset only (a
 * realloc keeps it), and a copy from the wrong place or another block
 * shows.  Word by word, because the fuzzer checks large blocks often.
 */
static inline u64 pattern(size_t w, unsigned long id)
{
	u64 x = (w + 1) * 0x9e3779b97f4a7c15ULL ^ id * 0xbf58476d1ce4e5b9ULL;

	return x ^ x >> 29;
}

void fill(void *p, size_t len, unsigned long id)
{
	unsigned char *b = p;
	size_t w, i;
	u64 x;

	for (w = 0; w < len / 8; w++) {
		x = pattern(w, id);
		memcpy(b + w * 8, &x, 8);
	}
	x = pattern(w, id);
	for (i = w * 8; i < len; i++)
		b[i] = x >> (i % 8 * 8);
}

size_t verify(const void *p, size_t len, unsigned long id)
{
	const unsigned char *b = p;
	size_t w, i;
	u64 x, y;

	for (w = 0; w < len / 8; w++) {
		x = pattern(w, id);
		memcpy(&y, b + w * 8, 8);
		if (x != y)
			break;
	}
	x = pattern(w, id);
	for (i = w * 8; i < len; i++)
		if (b[i] != (unsigned char)(x >> (i % 8 * 8)))
			return i;
	return len;
}

unsigned int class_of(const struct ctx *c, size_t size)
{
	unsigned int k = 0;

	if (size > c->page)
		return c->shift - 3;
	if (size > c->page / 2)
		return c->shift - 4;
	while ((16UL << k) < size)
		k++;
	return k;
}

size_t usable_of(const struct ctx *c, size_t size)
{
	if (size > c->page)
		return (size + c->page - 1) / c->page * c->page;
	if (size > c->page / 2)
		return c->page;
	return 16UL << class_of(c, size);
}

struct pgclass_stats ctx_stats(const struct ctx *c)
{
	struct pgclass_stats st;

	pgclass_get_stats(c->pool, &st);
	return st;
}

struct pgclass_class_stats ctx_cstats(const struct ctx *c, unsigned int k)
{
	struct pgclass_class_stats cs;

	memset(&cs, 0xff, sizeof(cs));
	if (pgclass_get_class_stats(c->pool, k, &cs))
		abort();
	return cs;
}
