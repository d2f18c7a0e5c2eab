// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pools: creation (the regions, page shifts and sizes it
 * refuses, the metadata budget, every page shift), destroy and its leak
 * count, the walk (in order, under the lock, stopped and resumed, in
 * bounded chunks), and data pages that small operations never touch.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "shim.h"

static int t_create_rejects(const struct test_case *tc __maybe_unused)
{
	char *r = test_region(64 << 12, 16);
	struct pgclass_pool *p;

	T_ASSERT(!pgclass_pool_create(NULL, 64 << 12, 12));
	T_ASSERT(!pgclass_pool_create(r + 512, 32 << 12, 12));
	T_ASSERT(!pgclass_pool_create(r + 4096, 8 << 13, 13));
	T_ASSERT(!pgclass_pool_create(r, 64 << 12, 8));
	T_ASSERT(!pgclass_pool_create(r, 64 << 12, 17));
	T_ASSERT(!pgclass_pool_create(r, 64 << 12, 0));
	T_ASSERT(!pgclass_pool_create(r, 0, 12));
	T_ASSERT(!pgclass_pool_create(r, 4096, 12));
	T_ASSERT(!pgclass_pool_create(r, 2 * 4096 - 1, 12));
	/* Too many pages for 28-bit indices; too many blocks for u32. */
	T_ASSERT(!pgclass_pool_create(r, (size_t)1 << 40, 12));
	T_ASSERT(!pgclass_pool_create(r, (size_t)1 << 36, 12));
	T_ASSERT(!pgclass_pool_create(r, (size_t)1 << 36, 16));
	/*
	 * The smallest pools that work, and a misaligned size.  Each is
	 * destroyed before the next one takes the region: a pool's free
	 * pages are poisoned until then.
	 */
	p = pgclass_pool_create(r, 2 << 9, 9);
	T_ASSERT(p);
	T_EQ(pgclass_pool_destroy(p), 0);
	p = pgclass_pool_create(r, 2 << 16, 16);
	T_ASSERT(p);
	T_EQ(pgclass_pool_destroy(p), 0);
	p = pgclass_pool_create(r + 4096, (16 << 12) + 100, 12);
	T_ASSERT(p);
	T_EQ(pgclass_pool_destroy(p), 0);
	return 0;
}

static int t_meta_budget(const struct test_case *tc __maybe_unused)
{
	static const unsigned long nrs[] = { 1024, 2048, 4096, 10000, 65536,
					     262144 };
	unsigned int shift, i;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		size_t size = nrs[i] << 12;
		char *r = test_region_mmap(size);
		struct pgclass_pool *p = pgclass_pool_create(r, size, 12);
		struct pgclass_stats st;

		T_ASSERT(p);
		pgclass_get_stats(p, &st);
		printf("# 4 KiB pages, %6lu pages: %4u meta pages = %.3f%%\n",
		       nrs[i], st.meta_pages, 100.0 * st.meta_pages / nrs[i]);
		/* At most 1% of the region. */
		T_ASSERT(st.meta_pages * 100UL <= nrs[i]);
		if (nrs[i] == 1024)
			T_EQ(st.meta_pages, 10);
		T_EQ(st.free_pages, nrs[i] - st.meta_pages);
		T_EQ(pgclass_pool_destroy(p), 0);
	}
	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		size_t size = 1024UL << shift;
		char *r = test_region_mmap(size);
		struct pgclass_pool *p = pgclass_pool_create(r, size, shift);
		struct pgclass_stats st;

		T_ASSERT(p);
		pgclass_get_stats(p, &st);
		printf("# %5zu B pages, 1024 pages: %3u meta pages = %.3f%%\n",
		       (size_t)1 << shift, st.meta_pages,
		       100.0 * st.meta_pages / 1024);
	}
	return 0;
}

static int t_every_shift(const struct test_case *tc __maybe_unused)
{
	unsigned int shift, k;

	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		void *p[PGCLASS_MAX_CLASSES];
		struct pgclass_class_stats cs;
		struct ctx c;
		unsigned int n;

		T_OK(ctx_new(&c, 32, shift));
		n = pgclass_nr_classes(c.pool);
		T_EQ(n, shift - 2);
		T_ASSERT(n <= PGCLASS_MAX_CLASSES);
		T_EQ(pgclass_get_class_stats(c.pool, n, &cs), -EINVAL_);
		for (k = 0; k < n; k++) {
			size_t size = k < n - 2 ? 16UL << k :
				      k == n - 2 ? c.page : 3 * c.page;

			p[k] = pgclass_alloc(c.pool, size);
			T_ASSERT(p[k]);
			T_EQ(pgclass_usable_size(c.pool, p[k]), size);
			cs = ctx_cstats(&c, k);
			T_EQ(cs.blocks_used, 1);
			T_EQ(cs.block_size, k < n - 1 ? size : 0);
		}
		T_OK(check_pool(&c));
		for (k = 0; k < n; k++)
			T_EQ(pgclass_free(c.pool, p[k]), 0);
		T_OK(check_pool(&c));
		T_EQ(ctx_stats(&c).blocks, 0);
		T_EQ(pgclass_pool_destroy(c.pool), 0);
	}
	return 0;
}

static int t_destroy(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	unsigned int i;

	T_EQ(pgclass_pool_destroy(NULL), 0);
	T_OK(ctx_new(&c, 16, 12));
	for (i = 0; i < 3; i++)
		T_ASSERT(pgclass_alloc(c.pool, 100 << (i * 4)));
	T_EQ(pgclass_pool_destroy(c.pool), 3);
	T_EQ(shim_warnings, 1);
	T_ASSERT(strstr(shim_last_warning, "3 blocks"));
	T_OK(ctx_new(&c, 16, 12));
	T_EQ(pgclass_pool_destroy(c.pool), 0);
	T_EQ(shim_warnings, 1);
	return 0;
}

struct walk_count {
	unsigned int calls, stop_at, locked;
};

static int count_cb(void *data, const struct pgclass_extent *ext)
{
	struct walk_count *w = data;

	(void)ext;
	w->locked += shim_lock_depth > 0;
	if (++w->calls == w->stop_at)
		return 42;
	return 0;
}

static int t_walk(const struct test_case *tc __maybe_unused)
{
	struct walk_count w = { 0, 0, 0 };
	unsigned long pos = 0;
	struct ctx c;
	struct snap *s;
	unsigned int i;

	T_OK(ctx_new(&c, 32, 12));
	for (i = 0; i < 6; i++)
		T_ASSERT(pgclass_alloc(c.pool, (size_t)1000 << i));
	s = snap_take(&c);
	T_EQ(s->nr_ext, 8);
	T_EQ(pgclass_walk(c.pool, count_cb, &w), 0);
	T_EQ(w.calls, s->nr_ext);
	T_EQ(w.locked, w.calls);	/* called under the pool's lock */
	w = (struct walk_count){ 0, 3, 0 };
	T_EQ(pgclass_walk(c.pool, count_cb, &w), 42);
	T_EQ(w.calls, 3);
	T_EQ(shim_lock_depth, 0);
	/* Stopped, it resumes where it stopped, up to the end. */
	w = (struct walk_count){ 0, 3, 0 };
	T_EQ(pgclass_walk_from(c.pool, &pos, count_cb, &w), 42);
	T_EQ(pos, s->ext[3].first);
	w.stop_at = 0;
	T_EQ(pgclass_walk_from(c.pool, &pos, count_cb, &w), 0);
	T_EQ(w.calls, s->nr_ext);
	T_EQ(pos, c.nr_pages);
	snap_free(s);
	return 0;
}

/* The walk's pool, and what the hook does between two of its chunks. */
static struct ctx *walk_ctx;
static char *walk_pages[600];

/* Pages 250-260 become one 11-page block: the walk resumes inside it. */
static void walk_change(void)
{
	unsigned int i;

	for (i = 250; i <= 260; i++)
		T_EQ(pgclass_free(walk_ctx->pool, walk_pages[i]), 0);
	T_ASSERT(pgclass_alloc(walk_ctx->pool, 11 * walk_ctx->page) ==
		 walk_pages[250]);
}

static int chunk_cb(void *data, const struct pgclass_extent *ext)
{
	struct snap *s = data;

	T_ASSERT(shim_lock_depth > 0);
	if (s->nr_ext < 700)
		s->ext[s->nr_ext++] = *ext;
	return 0;
}

/*
 * A walk holds the pool lock for bounded chunks: a pool of 600 whole
 * pages takes three.  When the pool changes between two chunks, the
 * walk resumes where it was: inside a new block, it reports the rest of
 * that block as one TAIL extent, and the extents still tile the pool.
 */
static int t_walk_chunks(const struct test_case *tc __maybe_unused)
{
	unsigned long locks, i, next = 0, tails = 0;
	struct snap s = { 0 };
	struct ctx c;

	T_OK(ctx_new_cpus(&c, 606, 12, 0));
	T_EQ(c.data_pages, 600);
	for (i = 0; i < 600; i++)
		T_ASSERT((walk_pages[i] = pgclass_alloc(c.pool, c.page)));
	s.ext = calloc(700, sizeof(*s.ext));
	T_ASSERT(s.ext);
	locks = shim_lock_count;
	T_EQ(pgclass_walk(c.pool, chunk_cb, &s), 0);
	T_EQ(s.nr_ext, 601);
	/* At most 256 extents a hold after the metadata's: 3 holds. */
	T_EQ(shim_lock_count - locks, 3);
	/* Again, changing the pool after the first chunk. */
	walk_ctx = &c;
	s.nr_ext = 0;
	shim_unlock_hook = walk_change;
	T_EQ(pgclass_walk(c.pool, chunk_cb, &s), 0);
	T_ASSERT(!shim_unlock_hook);
	for (i = 0; i < s.nr_ext; i++) {
		T_EQ(s.ext[i].first, next);
		next += s.ext[i].nr_pages;
		if (s.ext[i].state == PGCLASS_PAGE_TAIL) {
			/* The rest of the new block, from where it resumed. */
			T_EQ(s.ext[i].first, c.meta + 256);
			T_EQ(next, c.meta + 261);
			tails++;
		}
	}
	T_EQ(tails, 1);
	T_EQ(next, 606);
	T_EQ(page_state(&c, c.meta + 250), PGCLASS_PAGE_HEAD);
	T_OK(check_pool(&c));
	free(s.ext);
	return 0;
}

static int t_metadata_only(const struct test_case *tc __maybe_unused)
{
	size_t P = 4096, size = 64 * P, data;
	struct pgclass_pool *pool;
	char *base, *m, *w, *q;
	void *v[600];
	unsigned int i, k;
	struct pgclass_stats st;

	if (sysconf(_SC_PAGESIZE) != 4096) {
		printf("# host page size is not 4 KiB: skipped\n");
		return 0;
	}
	base = test_region_mmap(size);
	pool = pgclass_pool_create(base, size, 12);
	T_ASSERT(pool);
	pgclass_get_stats(pool, &st);
	data = (size_t)st.meta_pages * P;
	/* From here on, touching a data page is a SIGSEGV. */
	T_EQ(mprotect(base + data, size - data, PROT_NONE), 0);
	for (k = 0; k < 8; k++) {
		unsigned int n = 30 * (4096 >> (4 + k));

		n = n < 600 ? n : 600;
		for (i = 0; i < n; i++)
			T_ASSERT((v[i] = pgclass_alloc(pool, 16U << k)));
		for (i = 0; i < n; i += 2)
			T_EQ(pgclass_free(pool, v[i]), 0);
		for (i = 1; i < n; i += 2)
			T_ASSERT(pgclass_realloc(pool, v[i], 12U << k) == v[i]);
		for (i = 1; i < n; i += 2)
			T_EQ(pgclass_free(pool, v[i]), 0);
	}
	/* The slot keeps a page per class: the runs below need them back. */
	pgclass_drain(pool);
	w = pgclass_alloc(pool, P);
	m = pgclass_alloc(pool, 5 * P);
	T_ASSERT(w && m);
	T_ASSERT(pgclass_realloc(pool, m, 3 * P) == m);
	T_ASSERT(pgclass_realloc(pool, m, 7 * P) == m);
	T_ASSERT(pgclass_realloc(pool, m, P) == m);
	T_ASSERT(pgclass_realloc(pool, w, P / 2 + 1) == w);
	T_EQ(pgclass_free(pool, m + 16), -EINVAL_);
	T_EQ(pgclass_free(pool, w), 0);
	T_EQ(pgclass_free(pool, m), 0);
	q = pgclass_alloc(pool, size - data);
	T_ASSERT(q);
	T_EQ(pgclass_free(pool, q), 0);
	T_EQ(mprotect(base + data, size - data, PROT_READ | PROT_WRITE), 0);
	pgclass_get_stats(pool, &st);
	T_EQ(st.blocks, 0);
	return 0;
}

const struct test_case pool_tests[] = {
	{ "create: rejects bad bases, page shifts and sizes", t_create_rejects, 0, 0 },
	{ "create: metadata at most 1% of the region at 4 KiB pages", t_meta_budget, 0, 0 },
	{ "create: every page_shift 9..16 serves every class", t_every_shift, 0, 0 },
	{ "destroy returns the live blocks and warns about them", t_destroy, 12, 0 },
	{ "walk: bounded chunks, resumed inside what changed between them", t_walk_chunks, 0, 0 },
	{ "walk: extents in order, under the lock, stops on non-zero", t_walk, 12, 0 },
	{ "small alloc/free and in-place realloc never touch data pages", t_metadata_only, 12, 0 },
};

const size_t nr_pool_tests = ARRAY_SIZE(pool_tests);
