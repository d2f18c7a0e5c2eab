// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: random alloc, alloc_aligned, free, realloc, bad free
 * and usable_size calls (fixed seed, -s to change it), each checked against
 * a simple reference model that knows the live blocks, their classes and
 * which pages they cover.  After every step: the statistics match the
 * model, the new or moved block overlaps no live block (a 16-byte-granule
 * ownership map), is aligned and has the class the design gives its size;
 * a failure is only accepted when the model says that no page run (spare
 * pages included, which the pool takes back) could serve the request under
 * TLSF's good-fit rule.  Contents (a pattern derived from each block's id)
 * are checked before every free and after every realloc, and every so
 * often the whole pool is compared with the model page by page and every
 * live block verified.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "shim.h"

#define EINVAL_ 22

struct mblock {
	char *p;
	size_t req;		/* bytes that hold the pattern */
	size_t usable;
	unsigned int cls;
	unsigned int id;
};

struct model {
	struct ctx c;
	struct rng r;
	unsigned int nr_small, nr_classes;
	struct mblock *b;	/* live blocks */
	unsigned long nb, cap;
	int *idx_of_id;		/* id -> index in b, or -1 */
	unsigned int next_id, max_ids;
	unsigned int *owner;	/* per 16-byte granule of the pool: id */
	unsigned int *occ;	/* per page: live blocks on it */
	unsigned int *small_cls;	/* per page with small blocks */
	char *freed[64];	/* recently freed pointers */
	unsigned int nfreed;
	/* expected counters */
	struct pgclass_stats st;
	unsigned long long cls_used[PGCLASS_MAX_CLASSES];
	unsigned long long cls_pages_multi;
	unsigned long occupied;	/* pages with a live block */
	unsigned long step;
	unsigned long stays, moves, fails, bad;
};

static int fail_at(struct model *m, const char *what)
{
	printf("# step %lu: %s\n", m->step, what);
	return 1;
}

#define M_ASSERT(m, cond)					\
	do {							\
		if (!(cond)) {					\
			test_fail(__FILE__, __LINE__, #cond);	\
			return fail_at(m, "model check failed");	\
		}						\
	} while (0)

static unsigned long gran(const struct model *m, const char *p)
{
	return (unsigned long)(p - m->c.base) >> 4;
}

static unsigned long first_page(const struct model *m, const struct mblock *b)
{
	return ctx_page(&m->c, b->p);
}

static unsigned long nr_block_pages(const struct model *m,
				    const struct mblock *b)
{
	return b->usable <= m->c.page ? 1 : b->usable >> m->c.shift;
}

/* TLSF good fit: the smallest run length sure to be found for @n pages. */
static unsigned long tlsf_sure(unsigned long n)
{
	unsigned long r, f;

	if (n < 4)
		return n;
	f = 63 - __builtin_clzl(n);
	r = n + (1UL << (f - 2)) - 1;
	f = 63 - __builtin_clzl(r);
	return r & ~((1UL << (f - 2)) - 1);
}

static unsigned long max_free_run(const struct model *m)
{
	unsigned long i, run = 0, best = 0;

	for (i = m->c.meta; i < m->c.nr_pages; i++) {
		run = m->occ[i] ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best;
}

/* May a request of @size fail in the model's state? */
static int failure_ok(const struct model *m, size_t size)
{
	const struct ctx *c = &m->c;
	unsigned long i, n;

	if (size > m->c.data_pages * c->page)
		return 1;
	if (size <= c->page / 2) {
		unsigned int k = class_of(c, size);
		unsigned long per = c->page >> (4 + k);

		for (i = c->meta; i < c->nr_pages; i++)
			if (m->occ[i] && m->small_cls[i] == k + 1 &&
			    m->occ[i] < per)
				return 0;	/* a page with room */
	}
	n = size <= c->page ? 1 : (size + c->page - 1) >> c->shift;
	return max_free_run(m) < tlsf_sure(n);
}

static void add_block(struct model *m, char *p, size_t req, unsigned int id)
{
	const struct ctx *c = &m->c;
	struct mblock *b;
	unsigned long g, i, pg, np;

	if (m->nb == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->b = realloc(m->b, m->cap * sizeof(*m->b));
		if (!m->b)
			abort();
	}
	b = &m->b[m->nb];
	b->p = p;
	b->req = req;
	b->usable = usable_of(c, req);
	b->cls = class_of(c, req);
	b->id = id;
	m->idx_of_id[id] = m->nb++;
	for (g = gran(m, p), i = 0; i < b->usable >> 4; i++)
		m->owner[g + i] = id;
	pg = first_page(m, b);
	np = nr_block_pages(m, b);
	for (i = 0; i < np; i++)
		m->occupied += !m->occ[pg + i]++;
	if (b->cls < m->nr_small)
		m->small_cls[pg] = b->cls + 1;
	m->st.blocks++;
	m->st.bytes_allocated += b->usable;
	m->cls_used[b->cls]++;
	if (b->cls == m->nr_small + 1)
		m->cls_pages_multi += np;
}

static void del_block(struct model *m, unsigned long idx)
{
	struct mblock *b = &m->b[idx];
	unsigned long g, i, pg = first_page(m, b), np = nr_block_pages(m, b);

	for (g = gran(m, b->p), i = 0; i < b->usable >> 4; i++)
		m->owner[g + i] = 0;
	for (i = 0; i < np; i++)
		m->occupied -= !--m->occ[pg + i];
	if (!m->occ[pg])
		m->small_cls[pg] = 0;
	m->st.blocks--;
	m->st.bytes_allocated -= b->usable;
	m->cls_used[b->cls]--;
	if (b->cls == m->nr_small + 1)
		m->cls_pages_multi -= np;
	m->freed[m->nfreed++ % 64] = b->p;
	m->idx_of_id[b->id] = -1;
	*b = m->b[--m->nb];
	if (idx < m->nb)
		m->idx_of_id[b->id] = idx;
}

/* A new block at @p for @req bytes: placed where the design says. */
static int check_new(struct model *m, const char *p, size_t req)
{
	const struct ctx *c = &m->c;
	size_t usable = usable_of(c, req);
	unsigned long g, i, pg;

	M_ASSERT(m, p >= ctx_addr(c, c->meta));
	M_ASSERT(m, p + usable <= ctx_addr(c, c->nr_pages));
	M_ASSERT(m, ((unsigned long)p & ((usable < c->page ? usable : c->page) - 1)) == 0);
	M_ASSERT(m, pgclass_usable_size(c->pool, p) == usable);
	/* No overlap with any live block. */
	for (g = gran(m, p), i = 0; i < usable >> 4; i++)
		M_ASSERT(m, !m->owner[g + i]);
	/* A small block shares its page only with its own class. */
	pg = ctx_page(c, p);
	if (usable <= c->page / 2)
		M_ASSERT(m, !m->occ[pg] ||
			 m->small_cls[pg] == class_of(c, req) + 1);
	return 0;
}

static int check_stats(struct model *m)
{
	struct pgclass_class_stats cs;
	struct pgclass_stats st;
	unsigned int k;

	pgclass_get_stats(m->c.pool, &st);
	M_ASSERT(m, st.blocks == m->st.blocks);
	M_ASSERT(m, st.bytes_allocated == m->st.bytes_allocated);
	M_ASSERT(m, st.alloc_calls == m->st.alloc_calls);
	M_ASSERT(m, st.free_calls == m->st.free_calls);
	M_ASSERT(m, st.realloc_calls == m->st.realloc_calls);
	M_ASSERT(m, st.failed_calls == m->st.failed_calls);
	M_ASSERT(m, st.meta_pages == m->c.meta);
	M_ASSERT(m, st.used_pages + st.free_pages + st.meta_pages ==
		 m->c.nr_pages);
	/* Used pages: those with blocks, plus at most a spare per class. */
	M_ASSERT(m, st.used_pages >= m->occupied);
	M_ASSERT(m, st.used_pages <= m->occupied + m->nr_small);
	M_ASSERT(m, st.peak_used_pages >= st.used_pages);
	for (k = 0; k < m->nr_classes; k++) {
		M_ASSERT(m, !pgclass_get_class_stats(m->c.pool, k, &cs));
		M_ASSERT(m, cs.blocks_used == m->cls_used[k]);
		if (k == m->nr_small)
			M_ASSERT(m, cs.pages == m->cls_used[k]);
		if (k == m->nr_small + 1)
			M_ASSERT(m, cs.pages == m->cls_pages_multi);
	}
	return 0;
}

/* The pool page by page against the model, and every live block. */
static int full_check(struct model *m)
{
	const struct ctx *c = &m->c;
	struct snap *s;
	unsigned long i, j;
	int ret = 0;

	if (check_pool(c))
		return fail_at(m, "pool invariants");
	s = snap_take(c);
	for (i = 1; i < s->nr_ext && !ret; i++) {
		const struct pgclass_extent *e = &s->ext[i];

		for (j = e->first; j < e->first + e->nr_pages; j++) {
			switch (e->state) {
			case PGCLASS_PAGE_FREE:
				ret |= m->occ[j] != 0;
				break;
			case PGCLASS_PAGE_SMALL:
				ret |= m->occ[j] != e->used;
				ret |= e->used &&
				       m->small_cls[j] != e->class + 1;
				break;
			default:
				ret |= m->occ[j] != 1;
				ret |= m->small_cls[j] != 0;
				break;
			}
		}
		if (ret)
			printf("# extent at page %lu (state %d) differs\n",
			       e->first, e->state);
	}
	snap_free(s);
	if (ret)
		return fail_at(m, "page map differs from the model");
	for (i = 0; i < m->nb; i++) {
		const struct mblock *b = &m->b[i];

		M_ASSERT(m, verify(b->p, b->req, b->id) == b->req);
		M_ASSERT(m, pgclass_usable_size(c->pool, b->p) == b->usable);
	}
	return check_stats(m);
}

static size_t rand_size(struct model *m)
{
	const struct ctx *c = &m->c;
	uint64_t x = rng_below(&m->r, 100);
	unsigned int k;

	if (x < 5)
		return 1 + rng_below(&m->r, 16);
	if (x < 55) {
		k = rng_below(&m->r, m->nr_small);
		return (8UL << k) + 1 + rng_below(&m->r, 8UL << k);
	}
	if (x < 70)
		return c->page / 2 + 1 + rng_below(&m->r, c->page / 2);
	if (x < 90)
		return c->page + 1 + rng_below(&m->r, 3 * c->page);
	if (x < 99)
		return c->page + 1 + rng_below(&m->r, 15 * c->page);
	return c->page + 1 + rng_below(&m->r, c->data_pages * c->page);
}

static int do_alloc(struct model *m)
{
	size_t size = rand_size(m), align = 0;
	char *p;

	if (rng_below(&m->r, 10) == 0) {
		align = 1UL << rng_below(&m->r, m->c.shift + 1);
		p = pgclass_alloc_aligned(m->c.pool, size, align);
		if (size < align)
			size = align;
	} else {
		p = pgclass_alloc(m->c.pool, size);
	}
	m->st.alloc_calls++;
	if (!p) {
		m->st.failed_calls++;
		m->fails++;
		M_ASSERT(m, failure_ok(m, size));
		return 0;
	}
	if (align)
		M_ASSERT(m, ((unsigned long)p & (align - 1)) == 0);
	if (check_new(m, p, size))
		return 1;
	fill(p, size, m->next_id);
	add_block(m, p, size, m->next_id++);
	return 0;
}

static int do_free(struct model *m)
{
	unsigned long i = rng_below(&m->r, m->nb);
	struct mblock *b = &m->b[i];

	M_ASSERT(m, verify(b->p, b->req, b->id) == b->req);
	M_ASSERT(m, pgclass_free(m->c.pool, b->p) == 0);
	m->st.free_calls++;
	del_block(m, i);
	return 0;
}

static int do_free_all(struct model *m)
{
	const struct ctx *c = &m->c;
	struct pgclass_stats st;
	char *p;

	while (m->nb)
		if (do_free(m))
			return 1;
	pgclass_get_stats(c->pool, &st);
	M_ASSERT(m, st.blocks == 0);
	/* A freed pool serves its whole data area, spares taken back. */
	p = pgclass_alloc(c->pool, c->data_pages * c->page);
	m->st.alloc_calls++;
	M_ASSERT(m, p == ctx_addr(c, c->meta));
	M_ASSERT(m, pgclass_free(c->pool, p) == 0);
	m->st.free_calls++;
	pgclass_get_stats(c->pool, &st);
	M_ASSERT(m, st.free_pages == c->data_pages);
	return 0;
}

/* Is [@p + @usable, + @more bytes) free of blocks in the model? */
static int room_after(const struct model *m, const struct mblock *b,
		      size_t more)
{
	unsigned long pg = first_page(m, b) + nr_block_pages(m, b);
	unsigned long i, np = more >> m->c.shift;

	if (pg + np > m->c.nr_pages)
		return 0;
	for (i = 0; i < np; i++)
		if (m->occ[pg + i])
			return 0;
	return 1;
}

static int do_realloc(struct model *m)
{
	const struct ctx *c = &m->c;
	unsigned long i = rng_below(&m->r, m->nb);
	struct mblock old = m->b[i];
	size_t size = rand_size(m), keep, usable = usable_of(c, size);
	int stays = 0, may_stay = 0;
	char *q;

	if (old.cls == class_of(c, size) && old.cls <= m->nr_small)
		stays = 1;			/* same small class, or whole */
	else if (old.cls == m->nr_small + 1 && size > c->page / 2 &&
		 usable <= old.usable)
		stays = 1;			/* multi shrinks in place */
	else if (old.cls >= m->nr_small && size > c->page &&
		 usable > old.usable &&
		 room_after(m, &old, usable - old.usable))
		may_stay = 1;			/* unless the pages are spares */

	M_ASSERT(m, verify(old.p, old.req, old.id) == old.req);
	q = pgclass_realloc(c->pool, old.p, size);
	m->st.realloc_calls++;
	if (!q) {
		M_ASSERT(m, !stays);
		m->st.failed_calls++;
		m->fails++;
		M_ASSERT(m, failure_ok(m, size));
		M_ASSERT(m, pgclass_usable_size(c->pool, old.p) == old.usable);
		M_ASSERT(m, verify(old.p, old.req, old.id) == old.req);
		return 0;
	}
	keep = old.req < size ? old.req : size;
	M_ASSERT(m, verify(q, keep, old.id) == keep);
	if (stays)
		M_ASSERT(m, q == old.p);
	else if (!may_stay)
		M_ASSERT(m, q != old.p);
	if (q == old.p)
		m->stays++;
	else
		m->moves++;
	del_block(m, i);
	if (check_new(m, q, size))
		return 1;
	/* The pattern depends on the offset: extend it over the new bytes. */
	if (size > keep) {
		char *tmp = malloc(size);

		if (!tmp)
			abort();
		fill(tmp, size, old.id);
		memcpy(q + keep, tmp + keep, size - keep);
		free(tmp);
	}
	add_block(m, q, size, old.id);
	return 0;
}

static int do_realloc_edge(struct model *m)
{
	char *p;

	if (m->nb && rng_below(&m->r, 2)) {
		unsigned long i = rng_below(&m->r, m->nb);

		M_ASSERT(m, !pgclass_realloc(m->c.pool, m->b[i].p, 0));
		m->st.realloc_calls++;
		del_block(m, i);
		return 0;
	}
	p = pgclass_realloc(m->c.pool, NULL, 100);
	m->st.realloc_calls++;
	if (!p) {
		m->st.failed_calls++;
		M_ASSERT(m, failure_ok(m, 100));
		return 0;
	}
	if (check_new(m, p, 100))
		return 1;
	fill(p, 100, m->next_id);
	add_block(m, p, 100, m->next_id++);
	return 0;
}

/* Is @p the start of a live block in the model? */
static int live_start(const struct model *m, const char *p)
{
	const struct ctx *c = &m->c;
	unsigned int id;

	if (p < ctx_addr(c, c->meta) || p >= ctx_addr(c, c->nr_pages))
		return 0;
	id = m->owner[gran(m, p)];
	return id && m->b[m->idx_of_id[id]].p == p;
}

static int do_bad_free(struct model *m)
{
	const struct ctx *c = &m->c;
	unsigned long w = shim_warnings;
	char *p;

	switch (rng_below(&m->r, 6)) {
	case 0:		/* inside a live block */
		if (!m->nb)
			return 0;
		p = m->b[rng_below(&m->r, m->nb)].p + 1 + rng_below(&m->r, 15);
		break;
	case 1:		/* freed before */
		if (!m->nfreed)
			return 0;
		p = m->freed[rng_below(&m->r, m->nfreed < 64 ? m->nfreed : 64)];
		break;
	case 2:		/* anywhere in the pool */
		p = c->base + rng_below(&m->r, c->nr_pages * c->page);
		break;
	case 3:		/* any granule of the data area */
		p = ctx_addr(c, c->meta) +
		    16 * rng_below(&m->r, c->data_pages * c->page / 16);
		break;
	case 4:		/* a page start */
		p = ctx_addr(c, c->meta + rng_below(&m->r, c->data_pages));
		break;
	default:	/* outside */
		p = rng_below(&m->r, 2) ?
		    (char *)((unsigned long)c->base - 16 * (1 + rng_below(&m->r, 100))) :
		    c->base + c->nr_pages * c->page + 16 * rng_below(&m->r, 100);
		break;
	}
	if (live_start(m, p)) {
		M_ASSERT(m, pgclass_usable_size(c->pool, p) ==
			 m->b[m->idx_of_id[m->owner[gran(m, p)]]].usable);
		return 0;
	}
	M_ASSERT(m, pgclass_usable_size(c->pool, p) == 0);
	if (rng_below(&m->r, 4)) {
		M_ASSERT(m, pgclass_free(c->pool, p) == -EINVAL_);
		m->st.free_calls++;
	} else {
		M_ASSERT(m, !pgclass_realloc(c->pool, p, 1 + rng_below(&m->r, 5000)));
		m->st.realloc_calls++;
	}
	m->st.failed_calls++;
	m->bad++;
	M_ASSERT(m, shim_warnings == w + 1);
	return 0;
}

static int run_model(struct model *m, unsigned long ops)
{
	const struct ctx *c = &m->c;
	unsigned long check_every = c->shift <= 12 ? 2000 : 5000;

	for (m->step = 1; m->step <= ops; m->step++) {
		unsigned long fill_pct = m->occupied * 100 / c->data_pages;
		uint64_t x = rng_below(&m->r, 100);
		int ret;

		if (fill_pct > 75)
			x = x < 25 ? 0 : x < 75 ? 1 : x < 88 ? 2 : x < 93 ? 3 :
			    x < 96 ? 4 : 5;
		else
			x = x < 45 ? 0 : x < 70 ? 1 : x < 86 ? 2 : x < 90 ? 3 :
			    x < 95 ? 4 : 5;
		if (!m->nb && (x == 1 || x == 2))
			x = 0;
		switch (x) {
		case 0:
			ret = do_alloc(m);
			break;
		case 1:
			ret = do_free(m);
			break;
		case 2:
			ret = do_realloc(m);
			break;
		case 3:
			ret = do_realloc_edge(m);
			break;
		case 4:
			ret = do_bad_free(m);
			break;
		default:
			if (m->nb) {
				const struct mblock *b = &m->b[rng_below(&m->r, m->nb)];

				M_ASSERT(m, pgclass_usable_size(c->pool, b->p) ==
					 b->usable);
			}
			ret = 0;
			break;
		}
		if (ret || check_stats(m))
			return 1;
		if (m->step % check_every == 0 && full_check(m))
			return 1;
		if (m->step % 50000 == 0 && do_free_all(m))
			return 1;
	}
	return full_check(m) || do_free_all(m) || check_stats(m);
}

static int t_differential(const struct test_case *tc)
{
	unsigned long ops = test_ops ? test_ops : tc->arg;
	struct model m;
	int ret;

	memset(&m, 0, sizeof(m));
	T_OK(ctx_new(&m.c, 256, tc->page_shift));
	rng_seed(&m.r, test_seed ^ ((uint64_t)tc->page_shift << 40));
	m.nr_small = tc->page_shift - 4;
	m.nr_classes = m.nr_small + 2;
	m.max_ids = ops + 2;
	m.next_id = 1;
	m.idx_of_id = malloc(m.max_ids * sizeof(*m.idx_of_id));
	m.owner = calloc(m.c.nr_pages * m.c.page / 16, sizeof(*m.owner));
	m.occ = calloc(m.c.nr_pages, sizeof(*m.occ));
	m.small_cls = calloc(m.c.nr_pages, sizeof(*m.small_cls));
	T_ASSERT(m.idx_of_id && m.owner && m.occ && m.small_cls);
	m.st.nr_pages = m.c.nr_pages;
	ret = run_model(&m, ops);
	printf("# %lu ops: %lu reallocs moved, %lu in place, %lu failed requests, %lu bad pointers refused\n",
	       ops, m.moves, m.stays, m.fails, m.bad);
	free(m.idx_of_id);
	free(m.owner);
	free(m.occ);
	free(m.small_cls);
	free(m.b);
	return ret;
}

const struct test_case diff_tests[] = {
	{ "differential vs model, 256 pages of 512 B", t_differential, 9, 300000 },
	{ "differential vs model, 256 pages of 1 KiB", t_differential, 10, 150000 },
	{ "differential vs model, 256 pages of 4 KiB", t_differential, 12, 300000 },
	{ "differential vs model, 256 pages of 16 KiB", t_differential, 14, 150000 },
	{ "differential vs model, 256 pages of 64 KiB", t_differential, 16, 100000 },
};

const size_t nr_diff_tests = sizeof(diff_tests) / sizeof(diff_tests[0]);
