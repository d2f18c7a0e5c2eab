// SPDX-License-Identifier: GPL-2.0
/*
 * Threads on one pool: a multi-threaded differential test of src/core.c,
 * built with ThreadSanitizer (make tsan; make check-tsan runs it with
 * halt_on_error=1, so that any data race fails its case).
 *
 * A thread is a CPU here (include/linux/smp.h): each case sets the CPU
 * count, nr_cpu_ids, from which the pool sizes its slots, and runs T
 * threads on it; with more threads than slots, the threads without one
 * take the shared path.  Each thread runs random calls on blocks it owns:
 * pgclass_alloc() and pgclass_alloc_aligned(), pgclass_free(),
 * pgclass_realloc() (to and from NULL and 0 too) and pgclass_usable_size(),
 * and frees of pointers that cannot be a block's start.  Every block holds
 * a pattern of its own (common.c's fill()), verified before it is freed or
 * moved; a share of them goes through a mutex-protected inbox to another
 * thread, which verifies them and frees them there or keeps them for
 * later calls.
 *
 * The reference: each live block claims its 16-byte granules in a shared
 * owner map with atomic compare-and-swap, so a block handed out twice, or
 * one that overlaps another, fails at once; a block that must stay where
 * it is in a realloc (same class, shrinking multi-page) must; each thread
 * counts its calls and the failures it saw.
 *
 * The random calls run in rounds that end at a barrier.  Then each thread
 * offers a few of its blocks to a race: it and the next thread free each
 * of them at the same moment (both wait at the block for the other), and
 * nothing is allocated until the next barrier, so that exactly one of the
 * two frees returns 0 and the other -EINVAL.
 *
 * At the end every block is freed and the threads exit; each thread's exit
 * drains the pool (shim_cpu_exit), so no slot holds a page any more.  Then
 * the pool's call counters must equal the threads' sums, failed_calls the
 * failures they saw, and it must hold no block, pass check_pool() and
 * serve one block the size of its whole data area.  One case reads the
 * stats, per-CPU stats, class stats and a walk meanwhile.
 *
 * Other cases: reclaim (a thread's cached pages, after it exited or while
 * it sits idle, serve another's request for the whole data area); more
 * threads than CPU numbers; and a refill that takes the very page other
 * threads are freeing into.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include <linux/cpumask.h>
#include <linux/smp.h>

#include "common.h"
#include "shim.h"

#define EINVAL_		22	/* EINVAL, without the C library's errno.h */

#define MT_THREADS	8	/* workers at most */
#define MT_LIVE		96	/* blocks a worker holds at most */
#define MT_INBOX	64	/* blocks waiting in a worker's inbox at most */
#define MT_RACE		6	/* blocks a worker offers to each race round */
#define MT_ROUND	400	/* random calls between two barriers */
#define MT_OPS		24000	/* random calls per worker by default */

struct blk {
	char *p;
	size_t req;		/* bytes that hold the pattern */
	size_t usable;
	unsigned long id;	/* the pattern's, unique */
	unsigned int tag;	/* what its granules say in the owner map */
};

/* A worker's inbox: blocks other workers hand it. */
struct inbox {
	pthread_mutex_t lock;
	unsigned int n;
	struct blk b[MT_INBOX];
};

/* A block two workers free at once. */
struct race {
	struct blk b;
	int arrived;		/* workers at the block, atomic */
	int freed;		/* frees that returned 0, atomic */
	int refused;		/* frees that returned -EINVAL, atomic */
};

/* What a worker did, as the pool must count it. */
struct counts {
	unsigned long alloc, free, realloc, failed;
	/* what it tried, for the report */
	unsigned long handed, adopted, raced, bad, stays, moves, kept, nomem;
};

struct mt;

struct worker {
	struct mt *mt;
	unsigned int t;
	pthread_t th;
	struct rng r;
	struct blk live[MT_LIVE];
	unsigned int nlive;
	unsigned long seq;
	struct counts n;
	struct race race[MT_RACE];
};

struct mt {
	struct ctx c;
	unsigned int nr_workers;
	unsigned long rounds;
	unsigned int *owner;		/* per 16-byte granule: a tag or 0 */
	pthread_barrier_t barrier;
	struct inbox inbox[MT_THREADS];
	struct worker w[MT_THREADS];
	int stop;			/* tells the stats reader to stop */
	unsigned long reads;		/* stats the reader took */
};

/* The pool a thread's exit drains (see shim_cpu_exit). */
static struct pgclass_pool *exit_pool;

static void drain_at_exit(unsigned int cpu __maybe_unused)
{
	pgclass_drain(exit_pool);
}

static size_t data_bytes(const struct ctx *c)
{
	return c->data_pages << c->shift;
}

static unsigned long granule(const struct mt *mt, const char *p)
{
	return (unsigned long)(p - mt->c.base) >> PGCLASS_MIN_BLOCK_SHIFT;
}

/* A new block's granules must all be free in the owner map. */
static void claim(struct mt *mt, const struct blk *b)
{
	unsigned long g = granule(mt, b->p);
	unsigned long end = g + (b->usable >> PGCLASS_MIN_BLOCK_SHIFT);
	unsigned int old;

	for (; g < end; g++) {
		old = 0;
		if (__atomic_compare_exchange_n(&mt->owner[g], &old, b->tag,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			continue;
		printf("# granule %#lx of block %p (%zu B) already has tag %#x\n",
		       g << PGCLASS_MIN_BLOCK_SHIFT, b->p, b->usable, old);
		T_ASSERT(!"a block was handed out twice or overlaps another");
	}
}

/* Before a block may go back: its granules are free again. */
static void unclaim(struct mt *mt, const struct blk *b)
{
	unsigned long g = granule(mt, b->p);
	unsigned long end = g + (b->usable >> PGCLASS_MIN_BLOCK_SHIFT);

	for (; g < end; g++)
		T_EQ(__atomic_exchange_n(&mt->owner[g], 0, __ATOMIC_RELAXED),
		     b->tag);
}

static void check_pattern(const struct blk *b)
{
	T_EQ(verify(b->p, b->req, b->id), b->req);
}

static size_t rand_size(struct worker *w)
{
	const struct ctx *c = &w->mt->c;
	u64 x = rng_below(&w->r, 200);
	unsigned int k;

	if (x < 2)
		return 0;
	if (x < 4)
		return data_bytes(c) + 1 + rng_below(&w->r, c->page);
	if (x < 10)
		return 1 + rng_below(&w->r, 16);
	if (x < 160) {
		k = rng_below(&w->r, c->shift - PGCLASS_MIN_BLOCK_SHIFT);
		return (8UL << k) + 1 + rng_below(&w->r, 8UL << k);
	}
	if (x < 185)
		return c->page / 2 + 1 + rng_below(&w->r, c->page / 2);
	return c->page + 1 + rng_below(&w->r, 2 * c->page);
}

/* A block of @size bytes (aligned to @align) came back: check and claim. */
static void add_block(struct worker *w, char *p, size_t size, size_t align,
		      unsigned long id)
{
	const struct ctx *c = &w->mt->c;
	size_t eff = size > align ? size : align;
	struct blk *b = &w->live[w->nlive];
	size_t usable = usable_of(c, eff);

	T_ASSERT(w->nlive < MT_LIVE);
	T_ASSERT(p >= ctx_addr(c, c->meta));
	T_ASSERT(p + usable <= ctx_addr(c, c->nr_pages));
	if (usable < c->page)
		T_EQ((unsigned long)(p - c->base) & (usable - 1), 0);
	else
		T_EQ((unsigned long)(p - c->base) & (c->page - 1), 0);
	if (align)
		T_EQ((unsigned long)p & (align - 1), 0);
	*b = (struct blk){ p, size, usable, id,
			   (w->t + 1) << 24 | (unsigned int)(id & 0xffffff) };
	claim(w->mt, b);
	fill(p, size, id);
	w->nlive++;
}

static unsigned long new_id(struct worker *w)
{
	return (unsigned long)(w->t + 1) << 40 | ++w->seq;
}

static void drop(struct worker *w, unsigned int i)
{
	w->live[i] = w->live[--w->nlive];
}

/* An allocation returned NULL for @size: count it as the pool does. */
static void alloc_failed(struct worker *w, size_t size)
{
	if (!size)
		return;
	w->n.failed++;
	if (size <= data_bytes(&w->mt->c))
		w->n.nomem++;
}

static void do_alloc(struct worker *w, bool via_realloc)
{
	size_t size = rand_size(w), align = 0;
	char *p;

	if (via_realloc) {
		p = pgclass_realloc(w->mt->c.pool, NULL, size);
		w->n.realloc++;
	} else if (!rng_below(&w->r, 8)) {
		align = 1UL << rng_below(&w->r, w->mt->c.shift + 1);
		p = pgclass_alloc_aligned(w->mt->c.pool, size, align);
		w->n.alloc++;
	} else {
		p = pgclass_alloc(w->mt->c.pool, size);
		w->n.alloc++;
	}
	if (!size || size > data_bytes(&w->mt->c))
		T_ASSERT(!p);
	if (!p) {
		alloc_failed(w, size);
		return;
	}
	add_block(w, p, size, align, new_id(w));
}

static void free_block(struct worker *w, const struct blk *b)
{
	check_pattern(b);
	unclaim(w->mt, b);
	T_EQ(pgclass_free(w->mt->c.pool, b->p), 0);
	w->n.free++;
}

/* Must a realloc of @b to @size keep the block where it is? */
static bool must_stay(const struct ctx *c, const struct blk *b, size_t size)
{
	if (!size || size > data_bytes(c))
		return false;
	if (b->usable <= c->page)	/* same small class, or a whole page */
		return class_of(c, size) == class_of(c, b->usable);
	/* a multi-page block shrinks in place */
	return size > c->page / 2 && usable_of(c, size) <= b->usable;
}

static void do_realloc(struct worker *w, unsigned int i)
{
	const struct ctx *c = &w->mt->c;
	struct blk old = w->live[i];
	size_t size, keep;
	bool stay;
	char *q;

	if (!rng_below(&w->r, 4))	/* within its class, often */
		size = 1 + rng_below(&w->r, old.usable);
	else
		size = rand_size(w);
	stay = must_stay(c, &old, size);
	check_pattern(&old);
	unclaim(w->mt, &old);
	q = pgclass_realloc(c->pool, old.p, size);
	w->n.realloc++;
	if (!size) {
		T_ASSERT(!q);
		drop(w, i);
		return;
	}
	if (!q) {
		T_ASSERT(!stay);
		alloc_failed(w, size);
		claim(w->mt, &old);
		check_pattern(&old);
		return;
	}
	T_ASSERT(size <= data_bytes(c));
	if (q == old.p &&
	    pgclass_usable_size(c->pool, q) != usable_of(c, size)) {
		/*
		 * A shrink that found no smaller block: it stays, a
		 * multi-page block with only its first page.
		 */
		size_t usable = pgclass_usable_size(c->pool, q);

		T_ASSERT(size < old.usable);
		T_EQ(usable, old.usable > c->page ? c->page : old.usable);
		keep = old.req < usable ? old.req : usable;
		T_EQ(verify(q, keep, old.id), keep);
		w->n.kept++;
		drop(w, i);
		/* As aligned to its usable size: that is what it keeps. */
		add_block(w, q, keep, usable, old.id);
		return;
	}
	keep = old.req < size ? old.req : size;
	T_EQ(verify(q, keep, old.id), keep);
	if (stay)
		T_ASSERT(q == old.p);
	if (q == old.p)
		w->n.stays++;
	else
		w->n.moves++;
	drop(w, i);
	add_block(w, q, size, 0, old.id);
}

/* A pointer that cannot be a block's start while @b is live. */
static char *bad_ptr(struct worker *w, const struct blk *b)
{
	const struct ctx *c = &w->mt->c;

	switch (rng_below(&w->r, 4)) {
	case 0:
		return c->base + rng_below(&w->r, c->meta << c->shift);
	case 1:
		return rng_below(&w->r, 2) ? c->base - 16 :
		       ctx_addr(c, c->nr_pages) + rng_below(&w->r, c->page);
	default:	/* inside the block, past its start */
		return b->p + 1 + rng_below(&w->r, b->usable - 1);
	}
}

static void do_bad(struct worker *w, unsigned int i)
{
	struct pgclass_pool *pool = w->mt->c.pool;
	char *p = bad_ptr(w, &w->live[i]);

	w->n.bad++;
	w->n.failed++;
	switch (rng_below(&w->r, 4)) {
	case 0:
		T_ASSERT(!pgclass_realloc(pool, p, rng_below(&w->r, 300)));
		w->n.realloc++;
		break;
	case 1:
		T_EQ(pgclass_usable_size(pool, p), 0);
		w->n.failed--;		/* a query: not a call the pool counts */
		break;
	default:
		T_EQ(pgclass_free(pool, p), -EINVAL_);
		w->n.free++;
		break;
	}
}

/* Hand block @i to another worker's inbox, if it has room. */
static void do_hand(struct worker *w, unsigned int i)
{
	struct mt *mt = w->mt;
	unsigned int u = (w->t + 1 + rng_below(&w->r, mt->nr_workers - 1)) %
			 mt->nr_workers;
	struct inbox *in = &mt->inbox[u];
	bool sent = false;

	pthread_mutex_lock(&in->lock);
	if (in->n < MT_INBOX) {
		in->b[in->n++] = w->live[i];
		sent = true;
	}
	pthread_mutex_unlock(&in->lock);
	if (!sent)
		return;
	drop(w, i);
	w->n.handed++;
}

/* Take what other workers handed over: free it here, or keep it. */
static void take_inbox(struct worker *w, bool keep)
{
	struct inbox *in = &w->mt->inbox[w->t];
	struct blk b[MT_INBOX];
	unsigned int n, k;

	pthread_mutex_lock(&in->lock);
	n = in->n;
	memcpy(b, in->b, n * sizeof(b[0]));
	in->n = 0;
	pthread_mutex_unlock(&in->lock);
	for (k = 0; k < n; k++) {
		check_pattern(&b[k]);
		if (keep && w->nlive < MT_LIVE && rng_below(&w->r, 2)) {
			w->live[w->nlive++] = b[k];
			w->n.adopted++;
		} else {
			free_block(w, &b[k]);
		}
	}
}

static void random_call(struct worker *w)
{
	u64 x = rng_below(&w->r, 100);
	unsigned int i = rng_below(&w->r, w->nlive ? w->nlive : 1);

	if (!w->nlive || (x < 32 && w->nlive < MT_LIVE)) {
		do_alloc(w, false);
	} else if (x < 55) {
		free_block(w, &w->live[i]);
		drop(w, i);
	} else if (x < 68) {
		do_realloc(w, i);
	} else if (x < 71 && w->nlive < MT_LIVE) {
		do_alloc(w, true);
	} else if (x < 78) {
		T_EQ(pgclass_usable_size(w->mt->c.pool, w->live[i].p),
		     w->live[i].usable);
	} else if (x < 88) {
		do_hand(w, i);
	} else if (x < 91) {
		do_bad(w, i);
	} else {
		check_pattern(&w->live[i]);
	}
}

/* Offer up to MT_RACE blocks to this round's race; the rest stay empty. */
static void offer_races(struct worker *w)
{
	unsigned int k, i, n = rng_below(&w->r, MT_RACE + 1);

	for (k = 0; k < MT_RACE; k++) {
		struct race *r = &w->race[k];

		memset(r, 0, sizeof(*r));
		if (k >= n || !w->nlive)
			continue;
		i = rng_below(&w->r, w->nlive);
		r->b = w->live[i];
		check_pattern(&r->b);
		unclaim(w->mt, &r->b);
		drop(w, i);
	}
}

/* Meet the other worker at @r, then both free its block at once. */
static void race_one(struct worker *w, struct race *r)
{
	struct pgclass_pool *pool = w->mt->c.pool;
	size_t usable;
	int ret;

	if (!r->b.p)
		return;
	__atomic_add_fetch(&r->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&r->arrived, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	if (!rng_below(&w->r, 4)) {
		usable = pgclass_usable_size(pool, r->b.p);
		T_ASSERT(usable == r->b.usable || usable == 0);
	}
	ret = pgclass_free(pool, r->b.p);
	w->n.free++;
	w->n.raced++;
	if (ret) {
		T_EQ(ret, -EINVAL_);
		w->n.failed++;
		__atomic_add_fetch(&r->refused, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_add_fetch(&r->freed, 1, __ATOMIC_RELAXED);
	}
}

/*
 * Worker t races on its own blocks and on those of worker t - 1, in the
 * order (k, owner) that both workers of a race follow, so that no worker
 * waits at a block for one that waits at another.
 */
static void run_races(struct worker *w)
{
	struct mt *mt = w->mt;
	unsigned int prev = (w->t + mt->nr_workers - 1) % mt->nr_workers;
	struct race *a = mt->w[w->t < prev ? w->t : prev].race;
	struct race *b = mt->w[w->t < prev ? prev : w->t].race;
	unsigned int k;

	for (k = 0; k < MT_RACE; k++) {
		race_one(w, &a[k]);
		race_one(w, &b[k]);
	}
}

static void check_races(struct worker *w)
{
	unsigned int k;

	for (k = 0; k < MT_RACE; k++) {
		struct race *r = &w->race[k];

		if (!r->b.p)
			continue;
		T_EQ(r->freed, 1);
		T_EQ(r->refused, 1);
	}
}

static void mt_barrier(struct mt *mt)
{
	int ret = pthread_barrier_wait(&mt->barrier);

	T_ASSERT(!ret || ret == PTHREAD_BARRIER_SERIAL_THREAD);
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct mt *mt = w->mt;
	unsigned long round, i;

	for (round = 0; round < mt->rounds; round++) {
		for (i = 0; i < MT_ROUND; i++) {
			if (!(i % 16))
				take_inbox(w, true);
			random_call(w);
		}
		offer_races(w);
		mt_barrier(mt);
		run_races(w);
		mt_barrier(mt);
		check_races(w);
	}
	/* Nobody hands a block on after this. */
	mt_barrier(mt);
	take_inbox(w, false);
	while (w->nlive) {
		free_block(w, &w->live[w->nlive - 1]);
		w->nlive--;
	}
	return NULL;
}

static int tile_cb(void *data, const struct pgclass_extent *ext)
{
	unsigned long *next = data, w, used = 0;

	if (ext->first != *next || !ext->nr_pages)
		return 1;
	*next += ext->nr_pages;
	/* The bitmap is the walk's copy: reading it races with nothing. */
	if (ext->map) {
		for (w = 0; w < (ext->total + 63) / 64; w++)
			used += __builtin_popcountl(ext->map[w]);
		if (used < ext->used)
			return 1;
	}
	return 0;
}

/*
 * Stats, per-CPU stats, class stats and a walk while the workers run, as
 * debugfs reads them: any data race between a reader and a call is a
 * report.  The walk holds the pool lock for chunks of extents only, and
 * its extents still tile the pool; their bitmaps are copies.
 */
static void *reader_fn(void *arg)
{
	struct mt *mt = arg;
	const struct ctx *c = &mt->c;
	struct pgclass_class_stats cs;
	struct pgclass_cpu_stats ps;
	struct pgclass_stats st;
	unsigned long next;
	unsigned int k;

	while (!__atomic_load_n(&mt->stop, __ATOMIC_ACQUIRE)) {
		pgclass_get_stats(c->pool, &st);
		T_EQ(st.used_pages + st.free_pages + st.meta_pages,
		     st.nr_pages);
		T_ASSERT(st.cached_pages <= (u64)pgclass_nr_cpu_slots(c->pool) *
					   (c->shift - PGCLASS_MIN_BLOCK_SHIFT));
		for (k = 0; k < pgclass_nr_cpu_slots(c->pool); k++)
			T_EQ(pgclass_get_cpu_stats(c->pool, k, &ps), 0);
		for (k = 0; k < pgclass_nr_classes(c->pool); k++)
			T_EQ(pgclass_get_class_stats(c->pool, k, &cs), 0);
		next = 0;
		T_EQ(pgclass_walk(c->pool, tile_cb, &next), 0);
		T_EQ(next, c->nr_pages);
		mt->reads++;
		sched_yield();
	}
	return NULL;
}

/* One case of the random test, as the case's parameters say. */
struct mt_params {
	unsigned int workers;
	unsigned int cpus;	/* nr_cpu_ids for the pool */
	unsigned long pages;
	unsigned int slots;	/* what the pool must get */
	bool reader;
};

static const struct mt_params mt_params[] = {
	{ 2, 2, 512, 2, false },	/* 0: a slot each */
	{ 4, 4, 512, 4, false },	/* 1: a slot each */
	{ 4, 2, 512, 2, false },	/* 2: two workers without a slot */
	{ 8, 8, 256, 8, false },	/* 3: 64 KiB pages */
	{ 3, 8, 512, 2, false },	/* 4: 512 B pages: two slots fit */
	{ 4, 8, 1024, 0, false },	/* 5: the module's default: no slot */
	{ 4, 4, 64, 4, false },	/* 6: a tight pool: failures, reclaim */
	{ 4, 4, 512, 4, true },	/* 7: a stats reader meanwhile */
};

static void sum(struct counts *s, const struct counts *n)
{
	s->alloc += n->alloc;
	s->free += n->free;
	s->realloc += n->realloc;
	s->failed += n->failed;
	s->handed += n->handed;
	s->adopted += n->adopted;
	s->raced += n->raced;
	s->bad += n->bad;
	s->stays += n->stays;
	s->moves += n->moves;
	s->kept += n->kept;
	s->nomem += n->nomem;
}

/*
 * After the workers: the pool's counters against theirs, and no block or
 * cached page left.
 */
static void check_end(struct mt *mt, const struct counts *s)
{
	struct ctx *c = &mt->c;
	struct pgclass_cpu_stats ps;
	struct pgclass_stats st;
	unsigned long remote = 0, refills = 0, flushes = 0;
	unsigned int k;
	char *p;

	pgclass_get_stats(c->pool, &st);
	T_EQ(st.alloc_calls, s->alloc);
	T_EQ(st.free_calls, s->free);
	T_EQ(st.realloc_calls, s->realloc);
	T_EQ(st.failed_calls, s->failed);
	T_EQ(st.blocks, 0);
	T_EQ(st.bytes_allocated, 0);
	/* Each worker's exit drained the pool. */
	T_EQ(st.cached_pages, 0);
	T_EQ(st.cached_blocks, 0);
	T_ASSERT(st.cache_busy_failures <= s->nomem);
	for (k = 0; k < pgclass_nr_cpu_slots(c->pool); k++) {
		T_EQ(pgclass_get_cpu_stats(c->pool, k, &ps), 0);
		T_EQ(ps.cached_pages, 0);
		remote += ps.remote_frees;
		refills += ps.refills;
		flushes += ps.flushes;
	}
	pgclass_drain(c->pool);
	pgclass_get_stats(c->pool, &st);
	T_EQ(st.cached_pages, 0);
	T_EQ(st.free_pages, c->data_pages);
	T_OK(check_pool(c));
	printf("# calls: %lu alloc, %lu free, %lu realloc; %lu failed\n",
	       s->alloc, s->free, s->realloc, s->failed);
	printf("# failed for room: %lu, of which %lu on a busy cache\n",
	       s->nomem, (unsigned long)st.cache_busy_failures);
	printf("# %lu handed over (%lu kept there), %lu racing frees\n",
	       s->handed, s->adopted, s->raced);
	printf("# %lu bad pointers; reallocs: %lu in place, %lu moved, %lu shrinks kept\n",
	       s->bad, s->stays, s->moves, s->kept);
	printf("# slots: %lu remote frees, %lu refills, %lu flushes\n",
	       remote, refills, flushes);
	/* Everything came back: the whole data area is one block again. */
	p = pgclass_alloc(c->pool, data_bytes(c));
	T_ASSERT(p);
	T_EQ(pgclass_free(c->pool, p), 0);
}

static struct mt *mt_new(unsigned int workers, unsigned long pages,
			 unsigned int shift)
{
	struct mt *mt = calloc(1, sizeof(*mt));
	unsigned int i;

	T_ASSERT(mt);
	T_ASSERT(workers >= 2 && workers <= MT_THREADS);
	T_OK(ctx_new(&mt->c, pages, shift));
	mt->owner = calloc((pages << shift) >> PGCLASS_MIN_BLOCK_SHIFT,
			   sizeof(*mt->owner));
	T_ASSERT(mt->owner);
	mt->nr_workers = workers;
	T_EQ(pthread_barrier_init(&mt->barrier, NULL, workers), 0);
	for (i = 0; i < workers; i++) {
		struct worker *w = &mt->w[i];

		T_EQ(pthread_mutex_init(&mt->inbox[i].lock, NULL), 0);
		w->mt = mt;
		w->t = i;
		rng_seed(&w->r, test_seed * 131 + i);
	}
	exit_pool = mt->c.pool;
	shim_cpu_exit = drain_at_exit;
	return mt;
}

static int t_random(const struct test_case *tc)
{
	const struct mt_params *pa = &mt_params[tc->arg];
	unsigned long ops = test_ops ? test_ops : MT_OPS;
	struct counts s = { 0 };
	pthread_t reader;
	struct mt *mt;
	unsigned int i;

	nr_cpu_ids = pa->cpus;
	mt = mt_new(pa->workers, pa->pages, tc->page_shift);
	T_EQ(pgclass_nr_cpu_slots(mt->c.pool), pa->slots);
	mt->rounds = (ops + MT_ROUND - 1) / MT_ROUND;
	if (pa->reader)
		T_EQ(pthread_create(&reader, NULL, reader_fn, mt), 0);
	for (i = 0; i < mt->nr_workers; i++)
		T_EQ(pthread_create(&mt->w[i].th, NULL, worker_fn, &mt->w[i]),
		     0);
	for (i = 0; i < mt->nr_workers; i++) {
		T_EQ(pthread_join(mt->w[i].th, NULL), 0);
		sum(&s, &mt->w[i].n);
	}
	if (pa->reader) {
		__atomic_store_n(&mt->stop, 1, __ATOMIC_RELEASE);
		T_EQ(pthread_join(reader, NULL), 0);
		printf("# the reader took the stats %lu times\n", mt->reads);
	}
	check_end(mt, &s);
	return 0;
}

/*
 * Reclaim: thread A fills its slot's pages, one per small class, and
 * frees everything; then, while A has exited (its exit drained the pool,
 * or did not) or sits idle, thread B allocates the whole data area in one
 * block.  That must succeed: no cached page is lost.
 */
enum { RECLAIM_EXIT_DRAINED, RECLAIM_EXIT_KEPT, RECLAIM_IDLE };

struct reclaim {
	struct ctx c;
	int how;
	unsigned int a_cpu, b_cpu;
	sem_t filled, b_ready, a_go, b_go;
	void *v[4096];
};

static void *reclaim_a(void *arg)
{
	struct reclaim *rc = arg;
	const struct ctx *c = &rc->c;
	unsigned int k, i, n, nb;

	rc->a_cpu = shim_this_cpu();
	for (k = 0; k < c->shift - PGCLASS_MIN_BLOCK_SHIFT; k++) {
		/* Three pages of the class: the slot refills twice. */
		nb = 3 * (c->page >> (PGCLASS_MIN_BLOCK_SHIFT + k));
		n = nb < ARRAY_SIZE(rc->v) ? nb : ARRAY_SIZE(rc->v);
		for (i = 0; i < n; i++) {
			rc->v[i] = pgclass_alloc(c->pool, 16UL << k);
			T_ASSERT(rc->v[i]);
			fill(rc->v[i], 16UL << k, i);
		}
		for (i = 0; i < n; i++) {
			T_EQ(verify(rc->v[i], 16UL << k, i), 16UL << k);
			T_EQ(pgclass_free(c->pool, rc->v[i]), 0);
		}
	}
	sem_post(&rc->filled);
	sem_wait(&rc->a_go);
	return NULL;
}

static void *reclaim_b(void *arg)
{
	struct reclaim *rc = arg;
	const struct ctx *c = &rc->c;
	struct pgclass_stats st;
	char *p;

	rc->b_cpu = shim_this_cpu();
	sem_post(&rc->b_ready);
	sem_wait(&rc->b_go);
	p = pgclass_alloc(c->pool, data_bytes(c));
	T_ASSERT(p);
	fill(p, data_bytes(c), 1);
	T_EQ(verify(p, data_bytes(c), 1), data_bytes(c));
	pgclass_get_stats(c->pool, &st);
	T_EQ(st.cached_pages, 0);
	T_EQ(st.free_pages, 0);
	T_EQ(pgclass_free(c->pool, p), 0);
	return NULL;
}

static int t_reclaim(const struct test_case *tc)
{
	struct reclaim *rc = calloc(1, sizeof(*rc));
	unsigned int nr_small = tc->page_shift - PGCLASS_MIN_BLOCK_SHIFT;
	struct pgclass_cpu_stats ps;
	struct pgclass_stats st;
	pthread_t a, b;

	T_ASSERT(rc);
	rc->how = tc->arg;
	nr_cpu_ids = 2;
	T_OK(ctx_new(&rc->c, 96, tc->page_shift));
	T_EQ(pgclass_nr_cpu_slots(rc->c.pool), 2);
	exit_pool = rc->c.pool;
	shim_cpu_exit = rc->how == RECLAIM_EXIT_DRAINED ? drain_at_exit : NULL;
	sem_init(&rc->filled, 0, 0);
	sem_init(&rc->b_ready, 0, 0);
	sem_init(&rc->a_go, 0, 0);
	sem_init(&rc->b_go, 0, 0);

	T_EQ(pthread_create(&a, NULL, reclaim_a, rc), 0);
	sem_wait(&rc->filled);
	/* A's slot owns one empty page per small class. */
	T_ASSERT(rc->a_cpu < 2);
	T_EQ(pgclass_get_cpu_stats(rc->c.pool, rc->a_cpu, &ps), 0);
	T_EQ(ps.cached_pages, nr_small);
	T_ASSERT(ps.refills >= 3 * nr_small);
	/* B takes the other CPU number while A still holds its own. */
	T_EQ(pthread_create(&b, NULL, reclaim_b, rc), 0);
	sem_wait(&rc->b_ready);
	T_ASSERT(rc->b_cpu != rc->a_cpu && rc->b_cpu < 2);
	if (rc->how != RECLAIM_IDLE) {
		sem_post(&rc->a_go);
		T_EQ(pthread_join(a, NULL), 0);
	}
	pgclass_get_stats(rc->c.pool, &st);
	T_EQ(st.blocks, 0);
	T_EQ(st.cached_pages, rc->how == RECLAIM_EXIT_DRAINED ? 0 : nr_small);
	sem_post(&rc->b_go);
	T_EQ(pthread_join(b, NULL), 0);
	if (rc->how == RECLAIM_IDLE) {
		sem_post(&rc->a_go);
		T_EQ(pthread_join(a, NULL), 0);
	}
	pgclass_get_stats(rc->c.pool, &st);
	T_EQ(st.failed_calls, 0);
	T_EQ(st.cache_busy_failures, 0);
	T_EQ(st.blocks, 0);
	T_OK(check_pool(&rc->c));
	return 0;
}

/*
 * More threads than the shim has CPU numbers (SHIM_MAX_CPUS): the last
 * ones get numbers above every slot.  Two of the numbered threads fill
 * pages of their slots, the others sit idle; the unnumbered workers free
 * those blocks, several of them into one owned page at once, while they
 * allocate and free their own blocks through the pool lock.
 */
#define OV_WORKERS	4
#define OV_BLOCKS	2048

struct overflow {
	struct ctx c;
	pthread_barrier_t numbered, go, done;
	char *v[OV_BLOCKS];
	unsigned int nv;
	pthread_mutex_t lock;
	unsigned long frees[OV_WORKERS];
	unsigned long allocs[OV_WORKERS];
	unsigned int cpu[OV_WORKERS];
};

struct ov_thread {
	struct overflow *ov;
	unsigned int k;
};

static void *ov_parker(void *arg)
{
	struct ov_thread *t = arg;
	struct overflow *ov = t->ov;
	unsigned int i, sz;
	char *p;

	shim_this_cpu();
	for (i = t->k; t->k < 2 && i < OV_BLOCKS; i += 2) {
		sz = 16U << (i % 3);
		p = pgclass_alloc(ov->c.pool, sz);
		T_ASSERT(p);
		fill(p, sz, (unsigned long)p);
		ov->v[i] = p;
	}
	pthread_barrier_wait(&ov->numbered);
	pthread_barrier_wait(&ov->done);
	return NULL;
}

static void *ov_worker(void *arg)
{
	struct ov_thread *t = arg;
	struct overflow *ov = t->ov;
	unsigned int i, k = t->k;
	char *own[64];

	ov->cpu[k] = shim_this_cpu();
	pthread_barrier_wait(&ov->go);
	for (i = k; i < OV_BLOCKS; i += OV_WORKERS) {
		unsigned int sz = 16U << (i % 3);

		T_EQ(verify(ov->v[i], sz, (unsigned long)ov->v[i]), sz);
		T_EQ(pgclass_free(ov->c.pool, ov->v[i] + 1), -EINVAL_);
		T_EQ(pgclass_free(ov->c.pool, ov->v[i]), 0);
		ov->frees[k] += 2;
		own[i / OV_WORKERS % 64] = pgclass_alloc(ov->c.pool, 100);
		T_ASSERT(own[i / OV_WORKERS % 64]);
		ov->allocs[k]++;
		if (i / OV_WORKERS % 64 == 63) {
			unsigned int j;

			for (j = 0; j < 64; j++)
				T_EQ(pgclass_free(ov->c.pool, own[j]), 0);
			ov->frees[k] += 64;
		}
	}
	return NULL;
}

static int t_overflow(const struct test_case *tc)
{
	struct overflow *ov = calloc(1, sizeof(*ov));
	unsigned int i, n = SHIM_MAX_CPUS;
	struct ov_thread pt[SHIM_MAX_CPUS], wt[OV_WORKERS];
	pthread_t park[SHIM_MAX_CPUS], work[OV_WORKERS];
	unsigned long frees = 0, allocs = 0, slot_frees = 0;
	struct pgclass_cpu_stats ps;
	struct pgclass_stats st;

	T_ASSERT(ov);
	nr_cpu_ids = SHIM_MAX_CPUS;
	T_OK(ctx_new(&ov->c, 128, tc->page_shift));
	T_EQ(pgclass_nr_cpu_slots(ov->c.pool), SHIM_MAX_CPUS);
	exit_pool = ov->c.pool;
	shim_cpu_exit = drain_at_exit;
	pthread_barrier_init(&ov->numbered, NULL, n + 1);
	pthread_barrier_init(&ov->go, NULL, OV_WORKERS);
	pthread_barrier_init(&ov->done, NULL, n + 1);
	for (i = 0; i < n; i++) {
		pt[i] = (struct ov_thread){ ov, i };
		T_EQ(pthread_create(&park[i], NULL, ov_parker, &pt[i]), 0);
	}
	pthread_barrier_wait(&ov->numbered);
	for (i = 0; i < OV_WORKERS; i++) {
		wt[i] = (struct ov_thread){ ov, i };
		T_EQ(pthread_create(&work[i], NULL, ov_worker, &wt[i]), 0);
	}
	for (i = 0; i < OV_WORKERS; i++) {
		T_EQ(pthread_join(work[i], NULL), 0);
		T_ASSERT(ov->cpu[i] >= SHIM_MAX_CPUS);
		frees += ov->frees[i];
		allocs += ov->allocs[i];
	}
	pthread_barrier_wait(&ov->done);
	for (i = 0; i < n; i++)
		T_EQ(pthread_join(park[i], NULL), 0);
	/*
	 * A free of a parked thread's block took its slot's lock and was
	 * counted there, or, when another worker held that slot at the
	 * moment, went through the pool lock and was counted in the pool
	 * (a slot lock is never waited for): between them, every one.
	 */
	for (i = 0; i < n; i++) {
		T_EQ(pgclass_get_cpu_stats(ov->c.pool, i, &ps), 0);
		slot_frees += ps.free_calls;
	}
	T_ASSERT(slot_frees <= OV_BLOCKS);
	printf("# %lu of %u frees through the owners' slots\n", slot_frees,
	       OV_BLOCKS);
	pgclass_get_stats(ov->c.pool, &st);
	T_EQ(st.alloc_calls, allocs + OV_BLOCKS);
	T_EQ(st.free_calls, frees);
	T_EQ(st.failed_calls, OV_BLOCKS);
	T_EQ(st.blocks, 0);
	T_EQ(st.cached_pages, 0);
	T_OK(check_pool(&ov->c));
	return 0;
}

/*
 * A refill takes the page other threads free into.  R allocates blocks of
 * a quarter page from its slot and queues them; the freer frees them
 * oldest first, so that each page R gave up full goes back on the class's
 * list, at its head, as the freer frees into it and looks up its other
 * blocks; R's next refill takes that very page and owns it meanwhile.
 * Each lookup or free reads the page's descriptor without a lock to find
 * the lock that governs the page: it must find it at every moment of the
 * change of hands, or ThreadSanitizer reports a descriptor or bitmap
 * access that the right lock does not order.  (This found pgc_own()
 * publishing OWNED before its slot, once in a while: the window is two
 * stores wide.)
 *
 * How often the refill catches the page before the freer has emptied it
 * depends on timing: without ThreadSanitizer's slowdown, half the runs of
 * an -O2 build of this loop had no remote free at all.  So a last round,
 * in steps (refill_steps()), makes it happen once for certain: R fills a
 * page X and moves on to Y; the freer frees a block of X, which puts X on
 * the list; R fills Y, and its refill takes X; the freer's next free into
 * X is then a remote free into R's slot.
 */
#define RF_QUEUE	64	/* blocks queued at most: 16 pages */
#define RF_PER_PAGE	4	/* blocks a quarter page each */

struct refill {
	struct ctx c;
	size_t size;
	pthread_mutex_t lock;
	char *q[RF_QUEUE];
	unsigned long head, tail;	/* under lock */
	unsigned long total;		/* blocks R allocates */
	int done;			/* R allocates no more, atomic */
	unsigned int r_cpu;
	unsigned long probes;
	int step;			/* of the last round, atomic */
	char *x[RF_PER_PAGE];		/* the blocks of page X */
	char *y[RF_PER_PAGE];		/* the blocks of page Y */
	char *z;			/* X's first block, allocated again */
};

static void refill_wait(struct refill *rf, int step)
{
	while (__atomic_load_n(&rf->step, __ATOMIC_ACQUIRE) != step)
		sched_yield();
}

static void refill_go(struct refill *rf, int step)
{
	__atomic_store_n(&rf->step, step, __ATOMIC_RELEASE);
}

static bool refill_same_page(const struct refill *rf, const char *a,
			     const char *b)
{
	return ((unsigned long)a ^ (unsigned long)b) < rf->c.page;
}

static unsigned long long refill_remote(struct refill *rf)
{
	struct pgclass_cpu_stats ps;

	T_EQ(pgclass_get_cpu_stats(rf->c.pool, rf->r_cpu, &ps), 0);
	return ps.remote_frees;
}

/* R's side of the last round: X filled, Y begun; Y filled, X taken. */
static void refill_r_steps(struct refill *rf)
{
	unsigned int i;

	refill_wait(rf, 1);
	/* Every block is free: X and Y are new pages, R's refills. */
	pgclass_drain(rf->c.pool);
	for (i = 0; i < RF_PER_PAGE; i++) {
		rf->x[i] = pgclass_alloc(rf->c.pool, rf->size);
		T_ASSERT(rf->x[i] && refill_same_page(rf, rf->x[i], rf->x[0]));
	}
	rf->y[0] = pgclass_alloc(rf->c.pool, rf->size);
	T_ASSERT(rf->y[0] && !refill_same_page(rf, rf->y[0], rf->x[0]));
	refill_go(rf, 2);
	refill_wait(rf, 3);
	for (i = 1; i < RF_PER_PAGE; i++) {
		rf->y[i] = pgclass_alloc(rf->c.pool, rf->size);
		T_ASSERT(rf->y[i] && refill_same_page(rf, rf->y[i], rf->y[0]));
	}
	/* Y is full: the refill takes X, whose one free block is x[0]. */
	rf->z = pgclass_alloc(rf->c.pool, rf->size);
	T_ASSERT(rf->z == rf->x[0]);
	refill_go(rf, 4);
	refill_wait(rf, 5);
	for (i = 0; i < RF_PER_PAGE; i++)
		T_EQ(pgclass_free(rf->c.pool, rf->y[i]), 0);
	T_EQ(pgclass_free(rf->c.pool, rf->z), 0);
}

/* The freer's side: a free that lists X, then frees into R's slot. */
static void refill_f_steps(struct refill *rf)
{
	unsigned long long remote;
	unsigned int i;

	refill_go(rf, 1);
	refill_wait(rf, 2);
	remote = refill_remote(rf);
	T_EQ(pgclass_free(rf->c.pool, rf->x[0]), 0);
	T_EQ(refill_remote(rf), remote);
	refill_go(rf, 3);
	refill_wait(rf, 4);
	for (i = 1; i < RF_PER_PAGE; i++) {
		T_EQ(pgclass_free(rf->c.pool, rf->x[i]), 0);
		T_EQ(refill_remote(rf), remote + i);
	}
	refill_go(rf, 5);
}

static void *refill_r(void *arg)
{
	struct refill *rf = arg;
	unsigned long n;
	bool queued;
	char *p;

	rf->r_cpu = shim_this_cpu();
	for (n = 0; n < rf->total; n++) {
		p = pgclass_alloc(rf->c.pool, rf->size);
		T_ASSERT(p);
		fill(p, rf->size, (unsigned long)p);
		do {
			pthread_mutex_lock(&rf->lock);
			queued = rf->tail - rf->head < RF_QUEUE;
			if (queued)
				rf->q[rf->tail++ % RF_QUEUE] = p;
			pthread_mutex_unlock(&rf->lock);
			if (!queued)
				sched_yield();
		} while (!queued);
	}
	__atomic_store_n(&rf->done, 1, __ATOMIC_RELEASE);
	refill_r_steps(rf);
	return NULL;
}

static void *refill_f(void *arg)
{
	struct refill *rf = arg;
	unsigned int i, per_page = rf->c.page / rf->size;
	char *p, *page;
	size_t size;
	bool done;

	for (;;) {
		done = __atomic_load_n(&rf->done, __ATOMIC_ACQUIRE);
		p = NULL;
		pthread_mutex_lock(&rf->lock);
		if (rf->head != rf->tail)
			p = rf->q[rf->head++ % RF_QUEUE];
		pthread_mutex_unlock(&rf->lock);
		if (!p) {
			if (done)
				break;
			sched_yield();
			continue;
		}
		T_EQ(verify(p, rf->size, (unsigned long)p), rf->size);
		T_EQ(pgclass_free(rf->c.pool, p), 0);
		/* Its page heads the class's list: look at its blocks. */
		page = (char *)((unsigned long)p & ~(rf->c.page - 1));
		for (i = 0; i < 8 * per_page; i++) {
			size = pgclass_usable_size(rf->c.pool,
						   page + i % per_page * rf->size);
			T_ASSERT(!size || size == rf->size);
		}
		rf->probes += i;
	}
	refill_f_steps(rf);
	return NULL;
}

static int t_refill(const struct test_case *tc)
{
	struct refill *rf = calloc(1, sizeof(*rf));
	struct pgclass_cpu_stats ps;
	struct pgclass_stats st;
	pthread_t r, f;

	T_ASSERT(rf);
	nr_cpu_ids = 2;
	T_OK(ctx_new(&rf->c, 512, tc->page_shift));
	T_EQ(pgclass_nr_cpu_slots(rf->c.pool), 2);
	exit_pool = rf->c.pool;
	shim_cpu_exit = drain_at_exit;
	rf->size = rf->c.page / RF_PER_PAGE;
	rf->total = test_ops ? test_ops : 24000;
	T_EQ(pthread_mutex_init(&rf->lock, NULL), 0);
	/* This thread holds CPU 0: R gets slot 1, the freer none. */
	T_EQ(shim_this_cpu(), 0);
	T_EQ(pthread_create(&r, NULL, refill_r, rf), 0);
	T_EQ(pthread_create(&f, NULL, refill_f, rf), 0);
	T_EQ(pthread_join(r, NULL), 0);
	T_EQ(pthread_join(f, NULL), 0);
	T_EQ(rf->r_cpu, 1);
	T_EQ(pgclass_get_cpu_stats(rf->c.pool, 1, &ps), 0);
	printf("# slot 1: %llu refills, %llu remote frees; %lu lookups\n",
	       (unsigned long long)ps.refills,
	       (unsigned long long)ps.remote_frees, rf->probes);
	T_ASSERT(ps.remote_frees >= RF_PER_PAGE - 1);
	pgclass_get_stats(rf->c.pool, &st);
	/* The last round's: X, Y and X's first block again. */
	T_EQ(st.alloc_calls, rf->total + 2 * RF_PER_PAGE + 1);
	T_EQ(st.free_calls, rf->total + 2 * RF_PER_PAGE + 1);
	T_EQ(st.failed_calls, 0);
	T_EQ(st.blocks, 0);
	T_EQ(st.cached_pages, 0);
	T_OK(check_pool(&rf->c));
	return 0;
}

static const struct test_case tsan_tests[] = {
	{ "2 threads, 2 slots: random calls, hand-overs, racing frees",
	  t_random, 12, 0 },
	{ "4 threads, 4 slots", t_random, 12, 1 },
	{ "4 threads, 2 slots: two threads take the shared path", t_random,
	  12, 2 },
	{ "8 threads, 8 slots, 64 KiB pages", t_random, 16, 3 },
	{ "3 threads, 512 B pages: 2 slots fit", t_random, 9, 4 },
	{ "4 threads on the module's default pool: no slot fits", t_random,
	  12, 5 },
	{ "4 threads, 4 slots, 64 pages: failures and reclaim", t_random, 12,
	  6 },
	{ "4 threads and a stats, class stats and walk reader", t_random, 12,
	  7 },
	{ "reclaim: A filled its slot and exited, drained at exit", t_reclaim,
	  12, RECLAIM_EXIT_DRAINED },
	{ "reclaim: A filled its slot and exited, nothing drained", t_reclaim,
	  12, RECLAIM_EXIT_KEPT },
	{ "reclaim: A filled its slot and sits idle", t_reclaim, 12,
	  RECLAIM_IDLE },
	{ "more threads than CPU numbers: frees into owned pages", t_overflow,
	  16, 0 },
	{ "a refill takes the page other threads free into", t_refill, 12, 0 },
};

static const size_t nr_tsan_tests = ARRAY_SIZE(tsan_tests);

const struct test_suite test_suites[] = {
	{ tsan_tests, &nr_tsan_tests },
};

const size_t nr_test_suites = ARRAY_SIZE(test_suites);
