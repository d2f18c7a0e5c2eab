// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of threads on one pool: four threads allocate, fill, check
 * and free at random, with the shim's real lock and a CPU slot each.
 */
#include <pthread.h>
#include <string.h>

#include <linux/smp.h>

#include "common.h"

struct thread_arg {
	struct pgclass_pool *pool;
	unsigned long id;
	int failed;
};

static void *thread_fn(void *data)
{
	struct thread_arg *t = data;
	struct { char *p; size_t n; unsigned long id; } live[64];
	unsigned long i, tag = t->id << 32;
	unsigned int nlive = 0;
	struct rng r;

	memset(live, 0, sizeof(live));
	rng_seed(&r, test_seed + t->id);
	for (i = 0; i < 40000 && !t->failed; i++) {
		unsigned int j = rng_below(&r, 64);
		size_t n;

		if (live[j].p) {
			if (verify(live[j].p, live[j].n, live[j].id) != live[j].n ||
			    pgclass_free(t->pool, live[j].p))
				t->failed = 1;
			live[j].p = NULL;
			nlive--;
			continue;
		}
		n = 1 + rng_below(&r, rng_below(&r, 4) ? 600 : 12000);
		live[j].p = pgclass_alloc(t->pool, n);
		if (!live[j].p)
			continue;
		live[j].n = n;
		live[j].id = tag | i;
		fill(live[j].p, n, live[j].id);
		nlive++;
	}
	for (i = 0; i < 64; i++) {
		if (!live[i].p)
			continue;
		if (verify(live[i].p, live[i].n, live[i].id) != live[i].n ||
		    pgclass_free(t->pool, live[i].p))
			t->failed = 1;
	}
	(void)nlive;
	return NULL;
}

static int t_threads(const struct test_case *tc __maybe_unused)
{
	struct thread_arg args[4];
	pthread_t th[4];
	struct ctx c;
	unsigned int i;

	T_OK(ctx_new(&c, 512, 12));
	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ c.pool, i + 1, 0 };
		T_EQ(pthread_create(&th[i], NULL, thread_fn, &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		T_EQ(pthread_join(th[i], NULL), 0);
		T_EQ(args[i].failed, 0);
	}
	T_EQ(ctx_stats(&c).blocks, 0);
	T_EQ(ctx_stats(&c).failed_calls, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * Which page a freeing CPU adopts.  This thread, CPU 0, allocates 64 B
 * blocks over six pages: pages 1 to 5 given up full, page 6 its own.
 * Pages 1 and 2 are far enough from page 6, and page 5 from page 2, for
 * their descriptors not to share a cache line (see t_line()): adoption
 * is not refused for that.
 * Thread B, CPU 1, frees one block of page 1 (it adopts page 1), then all
 * of page 2 but one block: the first of those frees takes the pool lock
 * and adopts page 2 although page 1, adopted too, still has blocks; the
 * others go through B's slot.  B then allocates a block: from page 2,
 * far from page 6, with no refill.  Having allocated from page 2 does not
 * keep B from adopting page 3 when it frees two blocks there: page 2 was
 * adopted, and the second free goes through B's slot.  Then this
 * thread frees a block of page 5:
 * its slot keeps page 6, which it allocates from, so its next block is on
 * page 6 and it refills nothing.
 */
#define ADOPT_SIZE	64
#define ADOPT_PER_PAGE	(4096 / ADOPT_SIZE)
#define ADOPT_BLOCKS	(5 * ADOPT_PER_PAGE + 1)
#define ADOPT_OWN_FREE	(4 * ADOPT_PER_PAGE)	/* on page 5 */

struct adopt {
	struct pgclass_pool *pool;
	char *blk[ADOPT_BLOCKS];
	char *own;		/* B's allocation */
	struct pgclass_cpu_stats b;	/* B's slot after it */
	unsigned int cpu;
	int failed;
};

static void *adopt_b(void *data)
{
	struct adopt *a = data;
	unsigned int i;

	a->cpu = shim_this_cpu();
	a->failed |= pgclass_free(a->pool, a->blk[0]) != 0;
	for (i = ADOPT_PER_PAGE; i < 2 * ADOPT_PER_PAGE - 1; i++)
		a->failed |= pgclass_free(a->pool, a->blk[i]) != 0;
	a->own = pgclass_alloc(a->pool, ADOPT_SIZE);
	a->failed |= pgclass_get_cpu_stats(a->pool, a->cpu, &a->b) != 0;
	for (i = 2 * ADOPT_PER_PAGE; i < 2 * ADOPT_PER_PAGE + 2; i++)
		a->failed |= pgclass_free(a->pool, a->blk[i]) != 0;
	return NULL;
}

static int t_adopt(const struct test_case *tc __maybe_unused)
{
	struct pgclass_cpu_stats own, b;
	struct adopt a = { 0 };
	unsigned int i, refills;
	pthread_t th;
	struct ctx c;
	char *p;

	T_EQ(shim_this_cpu(), 0);
	T_OK(ctx_new_cpus(&c, 512, 12, 2));
	T_EQ(pgclass_nr_cpu_slots(c.pool), 2);
	a.pool = c.pool;
	for (i = 0; i < ADOPT_BLOCKS; i++) {
		a.blk[i] = pgclass_alloc(c.pool, ADOPT_SIZE);
		T_ASSERT(a.blk[i]);
		/* Six pages, filled in order. */
		T_EQ(ctx_page(&c, a.blk[i]),
		     ctx_page(&c, a.blk[0]) + i / ADOPT_PER_PAGE);
	}
	T_EQ(pthread_create(&th, NULL, adopt_b, &a), 0);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(a.failed, 0);
	T_EQ(a.cpu, 1);
	T_EQ(pgclass_get_cpu_stats(c.pool, 1, &b), 0);
	/* All but the first free into each page went through B's slot. */
	T_EQ(b.free_calls, ADOPT_PER_PAGE - 2 + 1);
	T_EQ(b.remote_frees, 0);
	T_EQ(b.cached_pages, 1);
	/* Its block: on page 2, adopted and now B's own, with no refill. */
	T_ASSERT(a.own);
	T_EQ(ctx_page(&c, a.own), ctx_page(&c, a.blk[ADOPT_PER_PAGE]));
	T_EQ(a.b.alloc_calls, 1);
	T_EQ(a.b.refills, 0);
	T_EQ(a.b.cached_pages, 1);
	T_EQ(pgclass_free(c.pool, a.own), 0);

	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &own), 0);
	refills = own.refills;
	T_EQ(pgclass_free(c.pool, a.blk[ADOPT_OWN_FREE]), 0);
	p = pgclass_alloc(c.pool, ADOPT_SIZE);
	T_ASSERT(p);
	T_EQ(ctx_page(&c, p), ctx_page(&c, a.blk[ADOPT_BLOCKS - 1]));
	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &own), 0);
	T_EQ(own.refills, refills);

	T_EQ(pgclass_free(c.pool, p), 0);
	for (i = 1; i < ADOPT_BLOCKS; i++)
		if ((i < ADOPT_PER_PAGE || i >= 2 * ADOPT_PER_PAGE - 1) &&
		    (i < 2 * ADOPT_PER_PAGE || i >= 2 * ADOPT_PER_PAGE + 2) &&
		    i != ADOPT_OWN_FREE)
			T_EQ(pgclass_free(c.pool, a.blk[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * Where a refilling or freeing CPU's page goes.  At 4 KiB pages a
 * descriptor is 40 bytes and, in a pool with slots, the first data page's
 * starts a line: page F + m's descriptor is at bytes [40m, 40m + 40) of
 * the lines from there, so F and F + 1 share a line, as do F + 2 and
 * F + 3, and F + 3 and F + 4, while F + 2 and F + 4 do not.  Each part
 * below would give one CPU a page on the other's page's line without the
 * check (pgc_line_shared()).
 */
#define LINE_WHOLE	4096
#define LINE_SMALL	64
#define LINE_MAX_PAGES	512

struct line_b {
	struct pgclass_pool *pool;
	void *p;
	unsigned int cpu;
};

static void *line_b(void *data)
{
	struct line_b *b = data;

	b->cpu = shim_this_cpu();
	b->p = pgclass_alloc(b->pool, LINE_SMALL);
	return NULL;
}

/* A 64 B block allocated on CPU 1 (a thread of its own). */
static int line_alloc_b(struct ctx *c, struct line_b *b)
{
	pthread_t th;

	*b = (struct line_b){ .pool = c->pool };
	T_EQ(pthread_create(&th, NULL, line_b, b), 0);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(b->cpu, 1);
	T_ASSERT(b->p);
	return 0;
}

/*
 * A pool of LINE_MAX_PAGES pages with a slot for each of 2 CPUs.  Its
 * first data page, F below, is c->meta: its descriptor starts a line.
 */
static int line_pool(struct ctx *c)
{
	T_OK(ctx_new_cpus(c, LINE_MAX_PAGES, 12, 2));
	T_EQ(pgclass_nr_cpu_slots(c->pool), 2);
	return 0;
}

/* @n 64 B blocks into @blk on this CPU, filling pages @f, @f + 1, ... */
static int line_fill_small(struct ctx *c, char **blk, unsigned int n,
			   unsigned long f)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		blk[i] = pgclass_alloc(c->pool, LINE_SMALL);
		T_ASSERT(blk[i]);
		T_EQ(ctx_page(c, blk[i]), f + i / ADOPT_PER_PAGE);
	}
	return 0;
}

/* Whole pages into @page until the pool is full, F on: *@n of them. */
static int line_fill_whole(struct ctx *c, void **page, unsigned int *n)
{
	unsigned int i;

	for (*n = 0; (page[*n] = pgclass_alloc(c->pool, LINE_WHOLE)); ++*n)
		;
	T_ASSERT(*n > 10);
	for (i = 0; i < *n; i++)
		T_EQ(ctx_page(c, page[i]), c->meta + i);
	return 0;
}

/*
 * From a class's list: CPU 0 fills page F and moves on to F + 1, then
 * frees a block of F, which goes on the list.  CPU 1 must not take F, the
 * list's only page, next to CPU 0's; it takes a new page instead, the
 * free run's last (odd slot), far from both.
 */
static int line_from_list(void)
{
	char *blk[ADOPT_PER_PAGE + 1];
	struct line_b b;
	unsigned int i;
	struct ctx c;

	T_OK(line_pool(&c));
	T_OK(line_fill_small(&c, blk, ARRAY_SIZE(blk), c.meta));
	T_EQ(pgclass_free(c.pool, blk[0]), 0);
	T_EQ(ctx_cstats(&c, 2).pages, 2);
	T_OK(line_alloc_b(&c, &b));
	T_ASSERT(ctx_page(&c, b.p) >= c.meta + 4);
	T_EQ(ctx_cstats(&c, 2).pages, 3);

	T_EQ(pgclass_free(c.pool, b.p), 0);
	for (i = 1; i <= ADOPT_PER_PAGE; i++)
		T_EQ(pgclass_free(c.pool, blk[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * From a free run: whole pages fill the pool, and pages F + 2 to F + 4 are
 * given back one CPU at a time.  With @cpu0_first, CPU 0 takes F + 4 when
 * it is the only free page, then F + 2 and F + 3 are freed: CPU 1's odd
 * slot would take F + 3, the run's last page, beside CPU 0's page (the
 * descriptor after its own), and takes F + 2 instead.  Without, CPU 1
 * takes F + 2 first, then F + 3 and F + 4 are freed: CPU 0's even slot
 * would take F + 3, the run's first page, beside CPU 1's (the descriptor
 * before its own), and takes F + 4 instead.
 */
static int line_from_run(bool cpu0_first)
{
	static void *page[LINE_MAX_PAGES];
	struct line_b b;
	unsigned long f;
	unsigned int n, i;
	struct ctx c;
	void *own;

	T_OK(line_pool(&c));
	T_OK(line_fill_whole(&c, page, &n));
	f = c.meta;
	if (cpu0_first) {
		T_EQ(pgclass_free(c.pool, page[4]), 0);
		own = pgclass_alloc(c.pool, LINE_SMALL);
		T_ASSERT(own);
		T_EQ(ctx_page(&c, own), f + 4);
		T_EQ(pgclass_free(c.pool, page[2]), 0);
		T_EQ(pgclass_free(c.pool, page[3]), 0);
		T_OK(line_alloc_b(&c, &b));
		T_EQ(ctx_page(&c, b.p), f + 2);
	} else {
		T_EQ(pgclass_free(c.pool, page[2]), 0);
		T_OK(line_alloc_b(&c, &b));
		T_EQ(ctx_page(&c, b.p), f + 2);
		T_EQ(pgclass_free(c.pool, page[3]), 0);
		T_EQ(pgclass_free(c.pool, page[4]), 0);
		own = pgclass_alloc(c.pool, LINE_SMALL);
		T_ASSERT(own);
		T_EQ(ctx_page(&c, own), f + 4);
	}

	T_EQ(pgclass_free(c.pool, b.p), 0);
	T_EQ(pgclass_free(c.pool, own), 0);
	for (i = 0; i < n; i++)
		if (i < 2 || i > 4)
			T_EQ(pgclass_free(c.pool, page[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * Past the list's head: CPU 0 fills F and F + 1 and moves on to F + 2,
 * then frees a block of F and one of F + 1, which go on the list in that
 * order, F + 1 at its head.  CPU 1 passes over F + 1, beside CPU 0's page,
 * for F, which is not.
 */
static int line_list_walk(void)
{
	char *blk[2 * ADOPT_PER_PAGE + 1];
	struct line_b b;
	unsigned int i;
	struct ctx c;

	T_OK(line_pool(&c));
	T_OK(line_fill_small(&c, blk, ARRAY_SIZE(blk), c.meta));
	T_EQ(pgclass_free(c.pool, blk[0]), 0);
	T_EQ(pgclass_free(c.pool, blk[ADOPT_PER_PAGE]), 0);
	T_OK(line_alloc_b(&c, &b));
	T_EQ(ctx_page(&c, b.p), c.meta);
	T_EQ(ctx_cstats(&c, 2).pages, 3);

	T_EQ(pgclass_free(c.pool, b.p), 0);
	for (i = 1; i < ARRAY_SIZE(blk); i++)
		if (i != ADOPT_PER_PAGE)
			T_EQ(pgclass_free(c.pool, blk[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * A pool near full: whole pages (@page, *@n of them) fill it but F and
 * F + 1, where CPU 0 fills F and moves on to F + 1 (@blk); one more whole
 * page, F + 10, is freed, the only free one.
 */
static int line_near_full_pool(struct ctx *c, void **page, unsigned int *n,
			       char **blk)
{
	T_OK(line_pool(c));
	T_OK(line_fill_whole(c, page, n));
	T_EQ(pgclass_free(c->pool, page[0]), 0);
	T_EQ(pgclass_free(c->pool, page[1]), 0);
	T_OK(line_fill_small(c, blk, ADOPT_PER_PAGE + 1, c->meta));
	T_EQ(pgclass_free(c->pool, page[10]), 0);
	T_EQ(ctx_stats(c).free_pages, 1);
	return 0;
}

/* Free the whole pages line_near_full_pool() left, and @w, on F + 10. */
static int line_near_full_done(struct ctx *c, void **page, unsigned int n,
			       void *w)
{
	unsigned int i;

	T_EQ(pgclass_free(c->pool, w), 0);
	for (i = 2; i < n; i++)
		if (i != 10)
			T_EQ(pgclass_free(c->pool, page[i]), 0);
	return 0;
}

/*
 * Near full, the page beats the line: in line_near_full_pool(), CPU 0
 * frees a block of F, listed.  CPU 1 takes F, beside CPU 0's page,
 * rather than F + 10, which a whole page then gets: taking F + 10 would
 * have failed that allocation.
 */
static int line_near_full(void)
{
	static void *page[LINE_MAX_PAGES];
	char *blk[ADOPT_PER_PAGE + 1];
	struct line_b b;
	unsigned int n, i;
	struct ctx c;
	void *w;

	T_OK(line_near_full_pool(&c, page, &n, blk));
	T_EQ(pgclass_free(c.pool, blk[0]), 0);
	T_OK(line_alloc_b(&c, &b));
	T_EQ(ctx_page(&c, b.p), c.meta);
	w = pgclass_alloc(c.pool, LINE_WHOLE);
	T_EQ(ctx_page(&c, w), c.meta + 10);

	T_OK(line_near_full_done(&c, page, n, w));
	T_EQ(pgclass_free(c.pool, b.p), 0);
	for (i = 1; i <= ADOPT_PER_PAGE; i++)
		T_EQ(pgclass_free(c.pool, blk[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * CPU 1's part in the adoption cases: it frees blocks of page F, which CPU
 * 0 filled before moving on to F + 1, then allocates a block.  Before the
 * frees, if @own_page, it allocates and frees a block of its own; between
 * the frees and the allocation, if @gone, it waits for CPU 0 to move on.
 * With @no_alloc it only frees.
 */
struct line_free {
	struct pgclass_pool *pool;
	char **blk;
	unsigned int nfree;
	bool own_page;
	bool gone;
	bool no_alloc;
	pthread_barrier_t moved[2];
	void *own;	/* its own page's block, freed */
	void *p;	/* the block allocated after the frees */
	struct pgclass_cpu_stats freed;	/* its slot after the frees */
	struct pgclass_cpu_stats after;	/* and after the allocation */
	unsigned int cpu;
	int failed;
};

static void *line_free_b(void *data)
{
	struct line_free *b = data;
	unsigned int i;

	b->cpu = shim_this_cpu();
	if (b->own_page) {
		b->own = pgclass_alloc(b->pool, LINE_SMALL);
		b->failed |= !b->own || pgclass_free(b->pool, b->own) != 0;
	}
	for (i = 0; i < b->nfree; i++)
		b->failed |= pgclass_free(b->pool, b->blk[i]) != 0;
	b->failed |= pgclass_get_cpu_stats(b->pool, b->cpu, &b->freed) != 0;
	if (b->gone) {
		pthread_barrier_wait(&b->moved[0]);
		pthread_barrier_wait(&b->moved[1]);
	}
	if (b->no_alloc)
		return NULL;
	b->p = pgclass_alloc(b->pool, LINE_SMALL);
	b->failed |= pgclass_get_cpu_stats(b->pool, b->cpu, &b->after) != 0;
	return NULL;
}

/*
 * With CPU 0 on page F + 1 (one block there) after filling F, whose
 * blocks are @blk: CPU 1 runs line_free_b() as @b asks.  If @gone, CPU 0
 * meanwhile fills F + 1 and moves on to F + 2, whose descriptor shares no
 * line with F's; its blocks past F are in @more, *@nmore of them.
 */
static int line_free_go(struct ctx *c, char **blk, struct line_free *b,
			char **more, unsigned int *nmore)
{
	pthread_t th;
	unsigned int i;

	b->pool = c->pool;
	b->blk = blk;
	*nmore = 0;
	if (b->gone) {
		T_EQ(pthread_barrier_init(&b->moved[0], NULL, 2), 0);
		T_EQ(pthread_barrier_init(&b->moved[1], NULL, 2), 0);
	}
	T_EQ(pthread_create(&th, NULL, line_free_b, b), 0);
	if (b->gone) {
		pthread_barrier_wait(&b->moved[0]);
		for (i = 0; i < ADOPT_PER_PAGE; i++) {
			more[i] = pgclass_alloc(c->pool, LINE_SMALL);
			T_ASSERT(more[i]);
			T_EQ(ctx_page(c, more[i]), c->meta + 1 + (i + 1) / ADOPT_PER_PAGE);
		}
		*nmore = ADOPT_PER_PAGE;
		pthread_barrier_wait(&b->moved[1]);
	}
	T_EQ(pthread_join(th, NULL), 0);
	if (b->gone) {
		pthread_barrier_destroy(&b->moved[0]);
		pthread_barrier_destroy(&b->moved[1]);
	}
	T_EQ(b->cpu, 1);
	T_EQ(b->failed, 0);
	T_ASSERT(b->no_alloc || b->p);
	return 0;
}

/* A pool where CPU 0 fills page F and moves on to F + 1; line_free_go(). */
static int line_free_run(struct ctx *c, char **blk, struct line_free *b,
			 char **more, unsigned int *nmore)
{
	T_OK(line_pool(c));
	T_OK(line_fill_small(c, blk, ADOPT_PER_PAGE + 1, c->meta));
	return line_free_go(c, blk, b, more, nmore);
}

/* Free what line_free_go() left: CPU 0's blocks, CPU 1's last one. */
static int line_free_done(struct ctx *c, char **blk, struct line_free *b,
			  char **more, unsigned int nmore)
{
	unsigned int i;

	T_EQ(pgclass_free(c->pool, b->p), 0);
	for (i = b->nfree; i <= ADOPT_PER_PAGE; i++)
		T_EQ(pgclass_free(c->pool, blk[i]), 0);
	for (i = 0; i < nmore; i++)
		T_EQ(pgclass_free(c->pool, more[i]), 0);
	T_EQ(ctx_stats(c).blocks, 0);
	T_OK(check_pool(c));
	return 0;
}

/*
 * Adopted beside another CPU's page, but not allocated from: CPU 1 frees
 * two blocks of F.  The first takes the pool lock and adopts F, the second
 * goes through CPU 1's slot: refused, it too would have taken the pool
 * lock, and written F's line all the same.  CPU 1 then allocates: not
 * from F, which would have it write F's line at every call, but from a
 * page whose descriptor shares no line with F + 1's (F + 4 or further),
 * taken as a refill; F goes back to its list.
 */
static int line_adopts(void)
{
	char *blk[ADOPT_PER_PAGE + 1], *more[ADOPT_PER_PAGE];
	struct line_free b = { .nfree = 2 };
	unsigned int nmore;
	struct ctx c;

	T_OK(line_free_run(&c, blk, &b, more, &nmore));
	T_EQ(b.freed.cached_pages, 1);
	T_EQ(b.freed.free_calls, 1);
	T_ASSERT(ctx_page(&c, b.p) >= c.meta + 4);
	T_EQ(b.after.refills, 1);
	T_EQ(b.after.cached_pages, 1);
	T_EQ(ctx_cstats(&c, 2).pages, 3);
	return line_free_done(&c, blk, &b, more, nmore);
}

/*
 * The same with F emptied: CPU 1 frees all of F.  Its allocation still
 * lands clear of F + 1's line, and F, given up empty, is the class's
 * spare (pgc_unown()).
 */
static int line_adopts_empty(void)
{
	char *blk[ADOPT_PER_PAGE + 1], *more[ADOPT_PER_PAGE];
	struct line_free b = { .nfree = ADOPT_PER_PAGE };
	unsigned int nmore;
	struct ctx c;

	T_OK(line_free_run(&c, blk, &b, more, &nmore));
	T_EQ(b.freed.cached_pages, 1);
	T_EQ(b.freed.free_calls, ADOPT_PER_PAGE - 1);
	T_ASSERT(ctx_page(&c, b.p) >= c.meta + 4);
	T_EQ(b.after.refills, 1);
	T_EQ(ctx_cstats(&c, 2).pages, 3);
	T_EQ(ctx_stats(&c).free_pages, c.data_pages - 3);
	return line_free_done(&c, blk, &b, more, nmore);
}

/*
 * The neighbour gone, the adopted page stays: CPU 1 adopts F, then CPU 0
 * fills F + 1 and moves on to F + 2, away from F's line.  CPU 1's block
 * then comes from F, with no refill.
 */
static int line_adopts_kept(void)
{
	char *blk[ADOPT_PER_PAGE + 1], *more[ADOPT_PER_PAGE];
	struct line_free b = { .nfree = 2, .gone = true };
	unsigned int nmore;
	struct ctx c;

	T_OK(line_free_run(&c, blk, &b, more, &nmore));
	T_EQ(b.freed.cached_pages, 1);
	T_EQ(ctx_page(&c, b.p), c.meta);
	T_EQ(b.after.refills, 0);
	T_EQ(b.after.cached_pages, 1);
	return line_free_done(&c, blk, &b, more, nmore);
}

/*
 * A page a CPU allocates from, even an empty one, is not given up for a
 * page beside another CPU's: CPU 1 allocates and frees a block of its own
 * first.  Its frees into F take the pool lock, and its next block comes
 * from its own page again, with no second refill.
 */
static int line_keeps_own(void)
{
	char *blk[ADOPT_PER_PAGE + 1], *more[ADOPT_PER_PAGE];
	struct line_free b = { .nfree = 2, .own_page = true };
	unsigned int nmore;
	struct ctx c;

	T_OK(line_free_run(&c, blk, &b, more, &nmore));
	T_EQ(b.freed.cached_pages, 1);
	T_EQ(b.freed.free_calls, 1);	/* its own block's */
	T_EQ(ctx_page(&c, b.p), ctx_page(&c, b.own));
	T_EQ(b.after.refills, 1);
	return line_free_done(&c, blk, &b, more, nmore);
}

/*
 * Near full, an adopted page beside another CPU's is kept: in
 * line_near_full_pool(), CPU 1 frees a block of F, adopting it, and
 * allocates: from F, not F + 10, which a whole page then gets; and
 * without taking back CPU 0's page to find one.
 */
static int line_adopted_near_full(void)
{
	static void *page[LINE_MAX_PAGES];
	char *blk[ADOPT_PER_PAGE + 1];
	struct line_free b = { .nfree = 1 };
	struct pgclass_cpu_stats own;
	unsigned int n, nmore;
	struct ctx c;
	void *w;

	T_OK(line_near_full_pool(&c, page, &n, blk));
	T_OK(line_free_go(&c, blk, &b, NULL, &nmore));
	T_EQ(b.freed.cached_pages, 1);
	T_EQ(ctx_page(&c, b.p), c.meta);
	T_EQ(b.after.refills, 0);
	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &own), 0);
	T_EQ(own.flushes, 0);
	T_EQ(own.cached_pages, 1);
	w = pgclass_alloc(c.pool, LINE_WHOLE);
	T_EQ(ctx_page(&c, w), c.meta + 10);

	T_OK(line_near_full_done(&c, page, n, w));
	return line_free_done(&c, blk, &b, NULL, nmore);
}

/*
 * 256 B blocks: 16 a page, so that an empty page's first bitmap word has
 * bits set in its low 32, which read as a free run's length (a u32) are
 * seen at once.
 */
#define BESIDE_SIZE	256
#define BESIDE_PER_PAGE	(4096 / BESIDE_SIZE)
#define BESIDE_CLASS	(8 - PGCLASS_MIN_BLOCK_SHIFT)	/* 256 = 2^8 */

struct line_prod {
	struct pgclass_pool *pool;
	char *blk[2 * BESIDE_PER_PAGE + 1];
	pthread_barrier_t step[4];
	int failed;
};

static void line_prod_alloc(struct line_prod *b, unsigned int from,
			    unsigned int to)
{
	for (; from < to; from++) {
		b->blk[from] = pgclass_alloc(b->pool, BESIDE_SIZE);
		b->failed |= !b->blk[from];
	}
}

/*
 * CPU 1: fills a page (G), waits for more free pages, fills another and
 * moves on, then stays until told.
 */
static void *line_prod_b(void *data)
{
	struct line_prod *b = data;

	line_prod_alloc(b, 0, BESIDE_PER_PAGE);
	pthread_barrier_wait(&b->step[0]);
	pthread_barrier_wait(&b->step[1]);
	line_prod_alloc(b, BESIDE_PER_PAGE, 2 * BESIDE_PER_PAGE + 1);
	pthread_barrier_wait(&b->step[2]);
	pthread_barrier_wait(&b->step[3]);
	return NULL;
}

/*
 * An adopted page given up empty while its class has a spare, so that it
 * goes to the free runs.  Whole pages fill the pool; F + 8 is freed, and
 * CPU 1 fills it (G); then F + 9 and F + 10 are, and CPU 1 fills F + 10
 * and moves on to F + 9 (an odd slot takes a run's last page).  F + 20 to
 * F + 29 are freed, pages to spare, and F + 11 if @next_free.  CPU 0
 * frees all of G, adopting it, then all of F + 10, adopting that and
 * giving up G, empty: the class's spare.  It allocates: its slot passes
 * over G, beside CPU 1's page, takes a page and only then gives F + 10 up,
 * empty, to the free runs.
 *
 * With @next_free, it takes F + 11, the best fit: F + 11 must be owned by
 * the time F + 10 is freed, or the two merge as a free run while a block
 * is on F + 11.  Without, it takes F + 20: F + 10, given up first, would
 * be the best fit, a page beside CPU 1's taken all the same.
 */
static int line_adopted_given_up(bool next_free)
{
	static void *page[LINE_MAX_PAGES];
	struct line_prod b = { 0 };
	unsigned int n, i, freed = 0;
	unsigned long f, free_pages;
	bool placed;
	pthread_t th;
	struct ctx c;
	void *p;

	T_OK(line_pool(&c));
	T_OK(line_fill_whole(&c, page, &n));
	f = c.meta;
	T_EQ(pgclass_free(c.pool, page[8]), 0);
	b.pool = c.pool;
	for (i = 0; i < ARRAY_SIZE(b.step); i++)
		T_EQ(pthread_barrier_init(&b.step[i], NULL, 2), 0);
	T_EQ(pthread_create(&th, NULL, line_prod_b, &b), 0);
	pthread_barrier_wait(&b.step[0]);
	freed = pgclass_free(c.pool, page[9]) == 0;
	freed += pgclass_free(c.pool, page[10]) == 0;
	pthread_barrier_wait(&b.step[1]);
	pthread_barrier_wait(&b.step[2]);
	/* CPU 1 waits, keeping F + 9, until the asserts below are made. */
	placed = !b.failed && ctx_page(&c, b.blk[0]) == f + 8 &&
		 ctx_page(&c, b.blk[BESIDE_PER_PAGE]) == f + 10 &&
		 ctx_page(&c, b.blk[2 * BESIDE_PER_PAGE]) == f + 9;
	if (placed) {
		if (next_free)
			freed += pgclass_free(c.pool, page[11]) == 0;
		for (i = 20; i < 30; i++)
			freed += pgclass_free(c.pool, page[i]) == 0;
		for (i = 0; i < 2 * BESIDE_PER_PAGE; i++)
			freed += pgclass_free(c.pool, b.blk[i]) == 0;
	}
	p = pgclass_alloc(c.pool, BESIDE_SIZE);
	free_pages = ctx_stats(&c).free_pages;
	pthread_barrier_wait(&b.step[3]);
	T_EQ(pthread_join(th, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(b.step); i++)
		pthread_barrier_destroy(&b.step[i]);
	T_ASSERT(placed);
	T_EQ(freed, 2 * BESIDE_PER_PAGE + 12 + next_free);
	T_ASSERT(p);
	T_EQ(ctx_page(&c, p), next_free ? f + 11 : f + 20);
	/* F + 10, and F + 11 to F + 29 as freed, less the page taken. */
	T_EQ(free_pages, 10 + next_free);
	T_EQ(ctx_cstats(&c, BESIDE_CLASS).pages, 3);
	T_OK(check_pool(&c));

	T_EQ(pgclass_free(c.pool, p), 0);
	T_EQ(pgclass_free(c.pool, b.blk[2 * BESIDE_PER_PAGE]), 0);
	for (i = 0; i < n; i++)
		if (i < 8 || (i == 11 && !next_free) || (i > 11 && i < 20) ||
		    i >= 30)
			T_EQ(pgclass_free(c.pool, page[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

/* Free @n blocks at @blk on CPU 1 (a thread of its own), as above. */
static int line_free_on_b(struct ctx *c, char **blk, unsigned int n)
{
	struct line_free b = { .nfree = n, .no_alloc = true };
	unsigned int nmore;

	return line_free_go(c, blk, &b, NULL, &nmore);
}

/*
 * Blocks made on one CPU and freed on another: their pages come back to
 * the CPU that makes them through the class's spare, not the free runs
 * (pgc_unown()).  Whole pages fill the pool but three pages far apart,
 * so that no descriptor line is shared.  CPU 0 fills page A and starts B;
 * CPU 1 frees all of A, adopting it; CPU 0 fills B and starts C; CPU 1
 * frees a block of B, adopting B and giving A up, empty: the class's
 * spare.  CPU 0 fills C, and its refill takes A back, no free page.
 */
static int line_refill_takes_given_up(void)
{
	static char *blk[3 * ADOPT_PER_PAGE + 1];
	static void *page[LINE_MAX_PAGES];
	unsigned long a, b, pg, free_pages;
	struct pgclass_cpu_stats cs;
	unsigned int n, i;
	u64 refills;
	struct ctx c;

	T_OK(line_pool(&c));
	T_OK(line_fill_whole(&c, page, &n));
	for (i = 10; i <= 30; i += 10)
		T_EQ(pgclass_free(c.pool, page[i]), 0);
	for (i = 0; i <= ADOPT_PER_PAGE; i++)
		T_ASSERT((blk[i] = pgclass_alloc(c.pool, LINE_SMALL)));
	a = ctx_page(&c, blk[0]);
	b = ctx_page(&c, blk[ADOPT_PER_PAGE]);
	T_ASSERT(a != b);
	T_OK(line_free_on_b(&c, blk, ADOPT_PER_PAGE));
	for (; i <= 2 * ADOPT_PER_PAGE; i++)
		T_ASSERT((blk[i] = pgclass_alloc(c.pool, LINE_SMALL)));
	pg = ctx_page(&c, blk[2 * ADOPT_PER_PAGE]);
	T_ASSERT(pg != a && pg != b);
	T_OK(line_free_on_b(&c, blk + ADOPT_PER_PAGE, 1));
	/* B is CPU 1's now, and A, empty, the class's spare. */
	T_EQ(ctx_cstats(&c, 2).pages, 3);
	free_pages = ctx_stats(&c).free_pages;
	T_EQ(free_pages, 0);
	for (; i < 3 * ADOPT_PER_PAGE; i++) {
		T_ASSERT((blk[i] = pgclass_alloc(c.pool, LINE_SMALL)));
		T_EQ(ctx_page(&c, blk[i]), pg);
	}
	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &cs), 0);
	refills = cs.refills;
	T_ASSERT((blk[i] = pgclass_alloc(c.pool, LINE_SMALL)));
	T_EQ(ctx_page(&c, blk[i]), a);
	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &cs), 0);
	T_EQ(cs.refills, refills + 1);
	T_EQ(ctx_stats(&c).free_pages, free_pages);
	T_EQ(ctx_cstats(&c, 2).pages, 3);

	for (i = ADOPT_PER_PAGE + 1; i <= 3 * ADOPT_PER_PAGE; i++)
		T_EQ(pgclass_free(c.pool, blk[i]), 0);
	for (i = 0; i < n; i++)
		if (i != 10 && i != 20 && i != 30)
			T_EQ(pgclass_free(c.pool, page[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

static int t_line(const struct test_case *tc __maybe_unused)
{
	T_EQ(shim_this_cpu(), 0);
	T_OK(line_from_list());
	T_OK(line_list_walk());
	T_OK(line_near_full());
	T_OK(line_adopts());
	T_OK(line_adopts_empty());
	T_OK(line_adopts_kept());
	T_OK(line_keeps_own());
	T_OK(line_adopted_given_up(true));
	T_OK(line_adopted_given_up(false));
	T_OK(line_refill_takes_given_up());
	T_OK(line_adopted_near_full());
	T_OK(line_from_run(true));
	return line_from_run(false);
}

const struct test_case threads_tests[] = {
	{ "a freeing CPU adopts the page it frees into, an allocating one keeps its own",
	  t_adopt, 12, 0 },
	{ "a CPU takes no page whose descriptor shares a line with another CPU's",
	  t_line, 12, 0 },
	{ "four threads on one pool: real lock, contents intact", t_threads, 12, 0 },
};

const size_t nr_threads_tests = ARRAY_SIZE(threads_tests);
