// SPDX-License-Identifier: GPL-2.0
/* The reference model of a pool: see model.h. */
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

#include "model.h"
#include "shim.h"

/* ASan's shadow granule, and where its shadow is. */
#define ASAN_GRANULE	8
static size_t asan_scale, asan_offset;

static const struct model *model_current;

static void model_context(void)
{
	if (model_current)
		printf("# model: step %lu, %lu live blocks\n",
		       model_current->step, model_current->nb);
}

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

static bool in_pool(const struct model *m, const char *p)
{
	return p >= m->c.base && p < ctx_addr(&m->c, m->c.nr_pages);
}

/*
 * The offset of the first granule of [@p, @p + @len) that is not poisoned
 * (if @poisoned) or not addressable, or @len.  ASan's shadow byte of a
 * granule is 0 when it is addressable and negative when it is poisoned
 * (the hooks poison whole granules only).  It is read directly, which is
 * much faster than asking ASan granule by granule over a whole pool; ASan
 * must not check these reads.
 */
static __no_sanitize_address size_t shadow_mismatch(const char *p,
						    size_t len, bool poisoned)
{
	const s8 *sh = (const s8 *)(((uintptr_t)p >> asan_scale) +
				    asan_offset);
	const u64 signs = 0x8080808080808080ULL;
	size_t i = 0, n = len / ASAN_GRANULE;
	u64 w;

	/* eight granules at a time while they all match */
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, sh + i, sizeof(w));
		if (poisoned ? (w & signs) != signs : w)
			break;
	}
	for (; i < n; i++)
		if (poisoned ? sh[i] >= 0 : sh[i] != 0)
			return i * ASAN_GRANULE;
	return len;
}

/* The bytes of a live block are addressable. */
static void expect_addressable(const char *p, size_t len)
{
	T_ASSERT(!__asan_region_is_poisoned((void *)p, len));
}

/* Every granule of a freed block is poisoned. */
static void expect_poisoned(const char *p, size_t len)
{
	size_t off = shadow_mismatch(p, len, true);

	if (off < len)
		printf("# byte %zu of a freed block of %zu is addressable\n",
		       off, len);
	T_EQ(off, len);
}

/*
 * The model's own touches of the pool's range: none for an out-of-band
 * pool, whose range is mapped nowhere, so that a touch by the core faults.
 */
static size_t m_verify(const struct model *m, const void *p, size_t len,
		       unsigned long id)
{
	return m->c.oob ? len : verify(p, len, id);
}

static void m_addressable(const struct model *m, const char *p, size_t len)
{
	if (!m->c.oob)
		expect_addressable(p, len);
}

static void m_poisoned(const struct model *m, const char *p, size_t len)
{
	if (!m->c.oob)
		expect_poisoned(p, len);
}

void model_init(struct model *m)
{
	struct ctx *c = &m->c;

	m->nr_small = c->shift - PGCLASS_MIN_BLOCK_SHIFT;
	m->nr_classes = m->nr_small + 2;
	m->next_id = 1;
	m->max_ids = 1024;
	m->idx_of_id = malloc(m->max_ids * sizeof(*m->idx_of_id));
	m->owner = calloc(c->nr_pages * c->page / 16, sizeof(*m->owner));
	m->occ = calloc(c->nr_pages, sizeof(*m->occ));
	m->small_cls = calloc(c->nr_pages, sizeof(*m->small_cls));
	if (!m->idx_of_id || !m->owner || !m->occ || !m->small_cls)
		abort();
	m->st.nr_pages = c->nr_pages;
	__asan_get_shadow_mapping(&asan_scale, &asan_offset);
	model_current = m;
	test_context = model_context;
}

void model_fini(struct model *m)
{
	free(m->idx_of_id);
	free(m->owner);
	free(m->occ);
	free(m->small_cls);
	free(m->b);
	m->idx_of_id = NULL;
	m->owner = NULL;
	m->occ = NULL;
	m->small_cls = NULL;
	m->b = NULL;
	model_current = NULL;
	test_context = NULL;
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

/* Too large for the data area: every allocation of it fails. */
static bool too_large(const struct model *m, size_t size)
{
	return size > m->c.data_pages * m->c.page;
}

/* May a request of @size fail in the model's state? */
static bool failure_ok(const struct model *m, size_t size)
{
	const struct ctx *c = &m->c;
	unsigned long i, n;

	if (too_large(m, size))
		return true;
	if (size <= c->page / 2) {
		unsigned int k = class_of(c, size);
		unsigned long per = c->page >> (4 + k);

		for (i = c->meta; i < c->nr_pages; i++)
			if (m->occ[i] && m->small_cls[i] == k + 1 &&
			    m->occ[i] < per)
				return false;	/* a page with room */
	}
	/* The fit guarantee: no run of n free pages anywhere. */
	n = size <= c->page ? 1 : (size + c->page - 1) >> c->shift;
	return max_free_run(m) < n;
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

static unsigned int new_id(struct model *m)
{
	if (m->next_id == m->max_ids) {
		m->max_ids *= 2;
		m->idx_of_id = realloc(m->idx_of_id,
				       m->max_ids * sizeof(*m->idx_of_id));
		if (!m->idx_of_id)
			abort();
	}
	return m->next_id++;
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
	m->freed[m->nfreed++ % MODEL_FREED] = b->p;
	m->idx_of_id[b->id] = -1;
	*b = m->b[--m->nb];
	if (idx < m->nb)
		m->idx_of_id[b->id] = idx;
}

/* A new block at @p for @req bytes: placed where the design says. */
static void check_new(struct model *m, const char *p, size_t req)
{
	const struct ctx *c = &m->c;
	size_t usable = usable_of(c, req);
	size_t align = usable < c->page ? usable : c->page;
	unsigned long g, i, pg;

	T_ASSERT(p >= ctx_addr(c, c->meta));
	T_ASSERT(p + usable <= ctx_addr(c, c->nr_pages));
	T_EQ((unsigned long)p & (align - 1), 0);
	T_EQ(pgclass_usable_size(c->pool, p), usable);
	/* No overlap with any live block. */
	for (g = gran(m, p), i = 0; i < usable >> 4; i++)
		T_EQ(m->owner[g + i], 0);
	/* A small block shares its page only with its own class. */
	pg = ctx_page(c, p);
	if (usable <= c->page / 2)
		T_ASSERT(!m->occ[pg] ||
			 m->small_cls[pg] == class_of(c, req) + 1);
	m_addressable(m, p, usable);
}

/* Fill the new block at @p with its pattern and add it to the model. */
static void new_block(struct model *m, char *p, size_t req)
{
	unsigned int id;

	check_new(m, p, req);
	id = new_id(m);
	if (!m->c.oob)
		fill(p, req, id);
	add_block(m, p, req, id);
}

void model_check_stats(struct model *m)
{
	struct pgclass_class_stats cs;
	struct pgclass_stats st;
	unsigned int k;

	pgclass_get_stats(m->c.pool, &st);
	T_EQ(st.blocks, m->st.blocks);
	T_EQ(st.bytes_allocated, m->st.bytes_allocated);
	T_EQ(st.alloc_calls, m->st.alloc_calls);
	T_EQ(st.free_calls, m->st.free_calls);
	T_EQ(st.realloc_calls, m->st.realloc_calls);
	T_EQ(st.failed_calls, m->st.failed_calls);
	T_EQ(st.meta_pages, m->c.meta);
	T_EQ(st.used_pages + st.free_pages + st.meta_pages, m->c.nr_pages);
	/*
	 * Used pages: those with blocks, plus at most a spare per class and
	 * the pages the CPU slots own (one per class and slot, maybe empty).
	 */
	T_ASSERT(st.used_pages >= m->occupied);
	T_ASSERT(st.used_pages <= m->occupied + m->nr_small + st.cached_pages);
	T_ASSERT(st.cached_pages <=
		 (u64)m->nr_small * pgclass_nr_cpu_slots(m->c.pool));
	T_ASSERT(st.peak_used_pages >= st.used_pages);
	for (k = 0; k < m->nr_classes; k++) {
		T_EQ(pgclass_get_class_stats(m->c.pool, k, &cs), 0);
		T_EQ(cs.blocks_used, m->cls_used[k]);
		if (k == m->nr_small)
			T_EQ(cs.pages, m->cls_used[k]);
		if (k == m->nr_small + 1)
			T_EQ(cs.pages, m->cls_pages_multi);
	}
}

/* Every granule: addressable in the metadata and live blocks only. */
static void check_poison(const struct model *m)
{
	const struct ctx *c = &m->c;
	unsigned long g, e, first = (c->meta << c->shift) / 16;
	unsigned long last = (c->nr_pages << c->shift) / 16;
	size_t off, len;
	bool live;

	if (c->oob) {
		/* Nothing is poisoned: only the shadow is read here. */
		T_ASSERT(!__asan_region_is_poisoned(c->base,
						    c->nr_pages << c->shift));
		return;
	}
	m_addressable(m, c->base, c->meta << c->shift);
	/* runs of 16-byte granules that are all live or all free */
	for (g = first; g < last; g = e) {
		live = m->owner[g];
		for (e = g + 1; e < last && !m->owner[e] == !live; e++)
			;
		len = 16 * (e - g);
		off = shadow_mismatch(c->base + 16 * g, len, !live);
		if (off < len)
			printf("# offset %#lx (%s) is %s\n", 16 * g + off,
			       live ? "live" : "free",
			       live ? "poisoned" : "addressable");
		T_EQ(off, len);
	}
}

void model_full_check(struct model *m)
{
	const struct ctx *c = &m->c;
	struct pgclass_class_stats cs;
	struct snap *s;
	unsigned long i, j;
	int ret = 0;

	T_OK(check_pool(c));
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
			printf("# extent at page %lu (state %d) differs from the model\n",
			       e->first, e->state);
	}
	snap_free(s);
	T_EQ(ret, 0);
	for (i = 0; i < m->nb; i++) {
		const struct mblock *b = &m->b[i];

		T_EQ(m_verify(m, b->p, b->req, b->id), b->req);
		T_EQ(pgclass_usable_size(c->pool, b->p), b->usable);
	}
	check_poison(m);
	model_check_stats(m);
	T_EQ(pgclass_get_class_stats(c->pool, m->nr_classes, &cs), -EINVAL_);
}

/* A returned NULL: fine only if the model says nothing could fit. */
static void expect_failure_ok(struct model *m, size_t size)
{
	m->st.failed_calls++;
	m->fails++;
	T_ASSERT(failure_ok(m, size));
}

/* What alloc and realloc(NULL) returned for @size: a block, or a refusal. */
static void took_new(struct model *m, char *p, size_t size)
{
	if (!size) {
		T_ASSERT(!p);
		return;
	}
	if (!p) {
		expect_failure_ok(m, size);
		return;
	}
	new_block(m, p, size);
}

void model_alloc(struct model *m, size_t size)
{
	char *p = pgclass_alloc(m->c.pool, size);

	m->st.alloc_calls++;
	took_new(m, p, size);
}

void model_alloc_aligned(struct model *m, size_t size, size_t align)
{
	bool valid = align && !(align & (align - 1)) && align <= m->c.page;
	char *p = pgclass_alloc_aligned(m->c.pool, size, align);

	m->st.alloc_calls++;
	if (!size) {
		T_ASSERT(!p);
		return;
	}
	if (!valid) {
		T_ASSERT(!p);
		m->st.failed_calls++;
		return;
	}
	if (size < align)
		size = align;
	if (!p) {
		expect_failure_ok(m, size);
		return;
	}
	T_EQ((unsigned long)p & (align - 1), 0);
	new_block(m, p, size);
}

void model_free(struct model *m, unsigned long i)
{
	struct mblock b = m->b[i];

	T_EQ(m_verify(m, b.p, b.req, b.id), b.req);
	T_EQ(pgclass_free(m->c.pool, b.p), 0);
	m->st.free_calls++;
	del_block(m, i);
	m_poisoned(m, b.p, b.usable);
}

void model_free_all(struct model *m)
{
	const struct ctx *c = &m->c;
	struct pgclass_stats st;
	char *p;

	while (m->nb)
		model_free(m, m->nb - 1);
	pgclass_get_stats(c->pool, &st);
	T_EQ(st.blocks, 0);
	/* A freed pool serves its whole data area, spares taken back. */
	p = pgclass_alloc(c->pool, c->data_pages * c->page);
	m->st.alloc_calls++;
	T_ASSERT(p == ctx_addr(c, c->meta));
	m_addressable(m, p, c->data_pages * c->page);
	T_EQ(pgclass_free(c->pool, p), 0);
	m->st.free_calls++;
	m_poisoned(m, p, c->data_pages * c->page);
	pgclass_get_stats(c->pool, &st);
	T_EQ(st.free_pages, c->data_pages);
}

/* What the pages after a block hold, for it to grow over them. */
enum room {
	ROOM_NONE,	/* a block, or the end of the pool */
	ROOM_CACHED,	/* no block, but not all in one free run */
	ROOM_FREE,	/* one free run */
};

/*
 * What the @more bytes after block @b's last page hold.  The model knows
 * which pages hold blocks; an empty page of a small class (a spare, or a
 * slot's) holds none but is not free, so the pool's walk tells the two
 * last cases apart.  A grow takes such pages back when the block cannot
 * move instead: always in an out-of-band pool, and in another only when
 * the pool's O(1) lookup finds no run of the new size elsewhere, which
 * the model does not tell (ROOM_CACHED: it may stay, or move).
 */
static enum room room_after(const struct model *m, const struct mblock *b,
			    size_t more)
{
	unsigned long pg = first_page(m, b) + nr_block_pages(m, b);
	unsigned long i, np = more >> m->c.shift;
	enum room room = ROOM_CACHED;
	struct snap *s;

	if (pg + np > m->c.nr_pages)
		return ROOM_NONE;
	for (i = 0; i < np; i++)
		if (m->occ[pg + i])
			return ROOM_NONE;
	s = snap_take(&m->c);
	for (i = 0; i < s->nr_ext; i++)
		if (s->ext[i].first == pg &&
		    s->ext[i].state == PGCLASS_PAGE_FREE &&
		    s->ext[i].nr_pages >= np)
			room = ROOM_FREE;
	snap_free(s);
	return room;
}

/*
 * Block @i was to shrink to @size bytes by moving, and stayed: no smaller
 * block could be had, and a multi-page block keeps only its first page.
 */
static void realloc_kept(struct model *m, unsigned long i, size_t size)
{
	const struct ctx *c = &m->c;
	struct mblock old = m->b[i];
	size_t req = old.cls == m->nr_small + 1 ? c->page : old.req;

	T_ASSERT(size < old.usable);
	/* An out-of-band pool never moves a block: it keeps it always. */
	T_ASSERT(c->oob || failure_ok(m, size));
	m->kept++;
	del_block(m, i);
	T_EQ(pgclass_usable_size(c->pool, old.p), usable_of(c, req));
	T_EQ(m_verify(m, old.p, req, old.id), req);
	m_addressable(m, old.p, usable_of(c, req));
	if (usable_of(c, req) < old.usable)
		m_poisoned(m, old.p + usable_of(c, req),
			   old.usable - usable_of(c, req));
	add_block(m, old.p, req, old.id);
}

void model_realloc(struct model *m, unsigned long i, size_t size)
{
	const struct ctx *c = &m->c;
	struct mblock old = m->b[i];
	bool stays = false, may_stay = false;
	enum room room;
	size_t keep, usable;
	char *q;

	if (!size) {
		model_realloc_zero(m, i);
		return;
	}
	if (!too_large(m, size)) {
		usable = usable_of(c, size);
		if (old.cls == class_of(c, size) && old.cls <= m->nr_small)
			stays = true;		/* same small class, or whole */
		else if (old.cls == m->nr_small + 1 && size > c->page / 2 &&
			 usable <= old.usable)
			stays = true;		/* multi shrinks in place */
		else if (old.cls >= m->nr_small && size > c->page &&
			 usable > old.usable) {
			/* Grows in place, over cached pages if it cannot move. */
			room = room_after(m, &old, usable - old.usable);
			stays = room == ROOM_FREE ||
				(room == ROOM_CACHED && c->oob);
			may_stay = room == ROOM_CACHED;
		}
	}

	T_EQ(m_verify(m, old.p, old.req, old.id), old.req);
	q = pgclass_realloc(c->pool, old.p, size);
	m->st.realloc_calls++;
	/* An out-of-band pool fails every grow it cannot do in place. */
	if (c->oob && !stays && size > old.usable)
		T_ASSERT(!q);
	if (!q) {
		/* Only a grow fails: a shrink keeps the block at worst. */
		T_ASSERT(!stays && !may_stay && size > old.usable);
		if (c->oob) {
			m->st.failed_calls++;
			m->fails++;
		} else {
			expect_failure_ok(m, size);
		}
		T_EQ(pgclass_usable_size(c->pool, old.p), old.usable);
		T_EQ(m_verify(m, old.p, old.req, old.id), old.req);
		m_addressable(m, old.p, old.usable);
		return;
	}
	if (q == old.p && !stays && !may_stay) {
		realloc_kept(m, i, size);
		return;
	}
	keep = old.req < size ? old.req : size;
	T_EQ(m_verify(m, q, keep, old.id), keep);
	if (q == old.p)
		m->stays++;
	else
		m->moves++;
	del_block(m, i);
	check_new(m, q, size);
	if (q != old.p)
		m_poisoned(m, old.p, old.usable);
	else if (usable_of(c, size) < old.usable)
		m_poisoned(m, q + usable_of(c, size),
			   old.usable - usable_of(c, size));
	/* The pattern depends on the offset: extend it over the new bytes. */
	if (size > keep && !c->oob) {
		char *tmp = malloc(size);

		if (!tmp)
			abort();
		fill(tmp, size, old.id);
		memcpy(q + keep, tmp + keep, size - keep);
		free(tmp);
	}
	add_block(m, q, size, old.id);
}

void model_realloc_zero(struct model *m, unsigned long i)
{
	struct mblock b = m->b[i];

	T_EQ(m_verify(m, b.p, b.req, b.id), b.req);
	T_ASSERT(!pgclass_realloc(m->c.pool, b.p, 0));
	m->st.realloc_calls++;
	del_block(m, i);
	m_poisoned(m, b.p, b.usable);
}

void model_realloc_null(struct model *m, size_t size)
{
	char *p = pgclass_realloc(m->c.pool, NULL, size);

	m->st.realloc_calls++;
	took_new(m, p, size);
}

void model_usable_size(struct model *m, unsigned long i)
{
	const struct mblock *b = &m->b[i];

	T_EQ(pgclass_usable_size(m->c.pool, b->p), b->usable);
}

void model_null(struct model *m)
{
	unsigned long w = shim_warnings;

	T_EQ(pgclass_free(m->c.pool, NULL), 0);
	T_EQ(pgclass_usable_size(m->c.pool, NULL), 0);
	T_EQ(shim_warnings, w);
}

void model_destroy(struct model *m)
{
	const struct ctx *c = &m->c;
	unsigned long w = shim_warnings;

	T_EQ(pgclass_pool_destroy(c->pool), m->nb);
	T_EQ(shim_warnings, w + !!m->nb);
	T_ASSERT(!__asan_region_is_poisoned(c->base, c->nr_pages << c->shift));
	T_EQ(pgclass_pool_destroy(NULL), 0);
}

bool model_live_start(const struct model *m, const char *p)
{
	const struct ctx *c = &m->c;
	unsigned int id;

	if (p < ctx_addr(c, c->meta) || p >= ctx_addr(c, c->nr_pages))
		return false;
	id = m->owner[gran(m, p)];
	return id && m->b[m->idx_of_id[id]].p == p;
}

/* The @a-th (mod count) extent of the pool that is free or a spare page. */
static char *empty_page(const struct model *m, uint64_t a)
{
	struct snap *s = snap_take(&m->c);
	unsigned long i, n = 0, k;
	char *p = NULL;

	for (i = 1; i < s->nr_ext; i++)
		n += s->ext[i].state == PGCLASS_PAGE_FREE ||
		     (s->ext[i].state == PGCLASS_PAGE_SMALL && !s->ext[i].used);
	k = n ? a % n : 0;
	for (i = 1; i < s->nr_ext && n; i++) {
		const struct pgclass_extent *e = &s->ext[i];

		if (e->state != PGCLASS_PAGE_FREE &&
		    (e->state != PGCLASS_PAGE_SMALL || e->used))
			continue;
		if (!k--) {
			p = ctx_addr(&m->c, e->first);
			break;
		}
	}
	snap_free(s);
	return p;
}

/* The @a-th (mod count) live multi-page block. */
static const struct mblock *multi_block(const struct model *m, uint64_t a)
{
	unsigned long i, n = 0, k;

	for (i = 0; i < m->nb; i++)
		n += m->b[i].usable > m->c.page;
	if (!n)
		return NULL;
	k = a % n;
	for (i = 0; i < m->nb; i++)
		if (m->b[i].usable > m->c.page && !k--)
			break;
	return &m->b[i];
}

char *model_bad_ptr(struct model *m, enum model_bad kind, uint64_t a,
		    uint64_t b)
{
	const struct ctx *c = &m->c;
	const struct mblock *blk;
	size_t data = c->data_pages * c->page;
	char *p;

	switch (kind) {
	case MODEL_BAD_INSIDE:
		if (!m->nb)
			return NULL;
		blk = &m->b[a % m->nb];
		return blk->p + 1 + b % (blk->usable - 1);
	case MODEL_BAD_FREED:
		if (!m->nfreed)
			return NULL;
		return m->freed[a % (m->nfreed < MODEL_FREED ? m->nfreed :
					MODEL_FREED)];
	case MODEL_BAD_ANY:
		return c->base + a % (c->nr_pages * c->page);
	case MODEL_BAD_GRANULE:
		return ctx_addr(c, c->meta) + 16 * (a % (data / 16));
	case MODEL_BAD_PAGE:
		return ctx_addr(c, c->meta + a % c->data_pages);
	case MODEL_BAD_OUTSIDE:
		if (a & 1)
			return (char *)((unsigned long)c->base -
					16 * (1 + b % 100));
		return ctx_addr(c, c->nr_pages) + 16 * (b % 100);
	case MODEL_BAD_TAIL:
		blk = multi_block(m, a);
		if (!blk)
			return NULL;
		return blk->p + c->page * (1 + b % (blk->usable / c->page - 1)) +
		       16 * ((b >> 32) % (c->page / 16));
	case MODEL_BAD_EMPTY:
		p = empty_page(m, a);
		return p ? p + 16 * (b % (c->page / 16)) : NULL;
	default:
		return NULL;
	}
}

void model_refuse(struct model *m, char *p, bool realloc, size_t size)
{
	const struct ctx *c = &m->c;
	unsigned long w = shim_warnings;
	bool poisoned = in_pool(m, p) && __asan_address_is_poisoned(p);
	struct snap *s0, *s1;

	T_ASSERT(!model_live_start(m, p));
	T_EQ(pgclass_usable_size(c->pool, p), 0);
	s0 = snap_take(c);
	if (realloc) {
		T_ASSERT(!pgclass_realloc(c->pool, p, size));
		m->st.realloc_calls++;
	} else {
		T_EQ(pgclass_free(c->pool, p), -EINVAL_);
		m->st.free_calls++;
	}
	m->st.failed_calls++;
	m->bad++;
	T_EQ(shim_warnings, w + 1);
	s1 = snap_take(c);
	T_OK(snap_same(s0, s1));
	snap_free(s1);
	snap_free(s0);
	if (in_pool(m, p))
		T_EQ(__asan_address_is_poisoned(p), poisoned);
}
