// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_bench.ko: the in-kernel benchmark.  At load it times the traces
 * of trace.c through pgclass_alloc()/pgclass_free()/pgclass_realloc(),
 * kmalloc()/kfree()/krealloc() and gen_pool (min_alloc_order 4, first
 * fit), over pools of pool_mib MiB that are empty, half full and 90% full,
 * and publishes the results in /sys/kernel/debug/pgclass_bench/results.
 *
 * Each pool size and fill is one "cell": a pgclass pool and a gen_pool,
 * each over its own vmalloc()ed region of that size, and kmalloc, all
 * three filled first with the same stream of block sizes (the benchmarks'
 * size mix) until the pool has the fill's share of its pages in use
 * (gen_pool: of its bytes; kmalloc gets as many blocks as pgclass took).
 * Then, after an untimed warm-up round, round after round, every trace is
 * replayed once by each allocator in a rotating order, timed with
 * ktime_get_ns() around the whole replay; the file gives the median,
 * minimum and maximum over the rounds of the nanoseconds per operation.
 * It also times a spinlock alone, taken and dropped with interrupts off as
 * the pool lock is ("klock"), and the fast path's atomics alone: the slot
 * lock's cmpxchg_acquire() and release store, and one cmpxchg() on a
 * bitmap word ("katomic").
 *
 * Then, on one pgclass pool of smp_mib MiB and on kmalloc, kthreads bound
 * to CPUs 0 and 1 ("ksmp"): 64 B pairs on one and on two CPUs, and 64 B
 * blocks allocated on CPU 0, passed through a ring and freed on CPU 1
 * ("xfree"); each run from a common start to the last kthread's end.
 * The pairs are also run with the fast path's atomics alone in place of
 * the calls ("atomics"): how the locked instructions scale by themselves.
 *
 * Under emulation (the test bed's TCG guest) the times are not native
 * times: only ratios from one load mean something.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pgclass.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include "trace.h"

static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "replays of each trace by each allocator (default 7)");

static unsigned int pool_mib[8] = { 4, 16, 64 };
static unsigned int nr_pool_mib = 3;
module_param_array(pool_mib, uint, &nr_pool_mib, 0444);
MODULE_PARM_DESC(pool_mib, "pool sizes in MiB (default 4,16,64)");

static unsigned int smp_mib = 64;
module_param(smp_mib, uint, 0444);
MODULE_PARM_DESC(smp_mib, "the pool of the two-CPU runs, in MiB (default 64)");

#define KB_MAX_ROUNDS	31
#define KB_GP_ORDER	4	/* gen_pool's granule: 16 bytes, pgclass's least */
#define KB_FILL_SEED	0xf111

/*
 * The allocators; past KB_NR, two kinds of the two-CPU runs only: the
 * ring alone (KB_NR), and the pgclass fast path's atomics alone.
 */
enum kb_alloc { KB_PGCLASS, KB_KMALLOC, KB_GENPOOL, KB_NR, KB_ATOMICS };

static const char * const kb_alloc_name[KB_NR] = {
	[KB_PGCLASS] = "pgclass",
	[KB_KMALLOC] = "kmalloc",
	[KB_GENPOOL] = "gen_pool",
};

static const u32 kb_fill_pct[] = { 0, 50, 90 };

struct kb_trace {
	const char *name;
	struct bench_trace_spec spec;
	struct bench_op *ops;
	u32 nr_ops;
};

/*
 * The user-space traces, shorter: gen_pool at 90% scans most of its bitmap
 * for every allocation, and the guest is emulated.  churn has the same
 * seed as in user space, so it is the start of the same stream.
 */
static struct kb_trace kb_traces[] = {
	BENCH_TRACE("pair-16", BENCH_PAIR, 16, 512, 0),
	BENCH_TRACE("pair-32", BENCH_PAIR, 32, 512, 0),
	BENCH_TRACE("pair-64", BENCH_PAIR, 64, 512, 0),
	BENCH_TRACE("pair-128", BENCH_PAIR, 128, 512, 0),
	BENCH_TRACE("pair-256", BENCH_PAIR, 256, 512, 0),
	BENCH_TRACE("pair-512", BENCH_PAIR, 512, 512, 0),
	BENCH_TRACE("pair-1024", BENCH_PAIR, 1024, 512, 0),
	BENCH_TRACE("pair-2048", BENCH_PAIR, 2048, 512, 0),
	BENCH_TRACE("churn", BENCH_CHURN, 128, 2048, 0x5eed0001),
	BENCH_TRACE("lab", BENCH_LAB, 0, 64, 0),
	BENCH_TRACE("regrow", BENCH_REGROW, 0, 32, 0),
};

#define KB_NR_TRACES	ARRAY_SIZE(kb_traces)
#define KB_MAX_SLOTS	128

/* One pool size and fill: the allocators' state while its traces run. */
struct kb_cell {
	size_t bytes;
	u32 fill;
	void *pg_mem;
	struct pgclass_pool *pg;
	void *gp_mem;
	struct gen_pool *gp;
	u32 max_fill;
	u32 *fill_size;
	void **fill_ptr[KB_NR];
	u32 nr_fill[KB_NR];
	void *slot[KB_MAX_SLOTS];
	u32 size[KB_MAX_SLOTS];
};

/* ps per op of every replay: [cell][trace][alloc][round] */
static u64 *kb_ps;
static u32 kb_nr_cells;
static u32 kb_cell_fill[KB_NR][ARRAY_SIZE(pool_mib) * ARRAY_SIZE(kb_fill_pct)];
static u32 kb_meta[ARRAY_SIZE(pool_mib)][3];
static u64 kb_lock_ps[KB_MAX_ROUNDS];
static u64 kb_slot_lock_ps[KB_MAX_ROUNDS];
static u64 kb_cmpxchg_local_ps[KB_MAX_ROUNDS];
static int kb_error;
static char kb_error_msg[128];
static struct dentry *kb_dir;

static u64 *kb_res(u32 cell, u32 t, u32 a)
{
	return kb_ps + (((size_t)cell * KB_NR_TRACES + t) * KB_NR + a) * rounds;
}

static __printf(1, 2) void kb_fail(const char *fmt, ...)
{
	va_list ap;

	if (kb_error)
		return;
	kb_error = -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(kb_error_msg, sizeof(kb_error_msg), fmt, ap);
	va_end(ap);
}

static __always_inline void *kb_alloc(enum kb_alloc a, struct kb_cell *c,
				      size_t size)
{
	switch (a) {
	case KB_PGCLASS:
		return pgclass_alloc(c->pg, size);
	case KB_KMALLOC:
		return kmalloc(size, GFP_KERNEL);
	default:
		return (void *)gen_pool_alloc(c->gp, size);
	}
}

static __always_inline void kb_free(enum kb_alloc a, struct kb_cell *c,
				    void *p, size_t size)
{
	switch (a) {
	case KB_PGCLASS:
		pgclass_free(c->pg, p);
		break;
	case KB_KMALLOC:
		kfree(p);
		break;
	default:
		gen_pool_free(c->gp, (unsigned long)p, size);
		break;
	}
}

/* gen_pool has no realloc: a user allocates, copies and frees. */
static __always_inline void *kb_realloc(enum kb_alloc a, struct kb_cell *c,
					void *p, size_t old, size_t size)
{
	void *n;

	switch (a) {
	case KB_PGCLASS:
		return pgclass_realloc(c->pg, p, size);
	case KB_KMALLOC:
		return krealloc(p, size, GFP_KERNEL);
	default:
		n = (void *)gen_pool_alloc(c->gp, size);
		if (!n)
			return NULL;
		memcpy(n, p, min(old, size));
		gen_pool_free(c->gp, (unsigned long)p, old);
		return n;
	}
}

/*
 * Replay a trace; on a failed allocation, free what it holds and return
 * -ENOMEM.  Inlined into one function per allocator, so the switches above
 * fold away and the loop makes direct calls.
 */
static __always_inline int kb_replay(enum kb_alloc a, struct kb_cell *c,
				     const struct kb_trace *t)
{
	const struct bench_op *op, *end = t->ops + t->nr_ops;
	u32 s;
	void *p;

	for (op = t->ops; op < end; op++) {
		s = op->slot;
		switch (op->kind) {
		case BENCH_ALLOC:
			p = kb_alloc(a, c, op->size);
			if (!p)
				goto fail;
			c->slot[s] = p;
			c->size[s] = op->size;
			break;
		case BENCH_FREE:
			kb_free(a, c, c->slot[s], c->size[s]);
			c->slot[s] = NULL;
			break;
		default:
			p = kb_realloc(a, c, c->slot[s], c->size[s], op->size);
			if (!p)
				goto fail;
			c->slot[s] = p;
			c->size[s] = op->size;
			break;
		}
	}
	return 0;
fail:
	for (s = 0; s < KB_MAX_SLOTS; s++) {
		if (c->slot[s])
			kb_free(a, c, c->slot[s], c->size[s]);
		c->slot[s] = NULL;
	}
	return -ENOMEM;
}

static noinline int kb_replay_pgclass(struct kb_cell *c,
				      const struct kb_trace *t)
{
	return kb_replay(KB_PGCLASS, c, t);
}

static noinline int kb_replay_kmalloc(struct kb_cell *c,
				      const struct kb_trace *t)
{
	return kb_replay(KB_KMALLOC, c, t);
}

static noinline int kb_replay_genpool(struct kb_cell *c,
				      const struct kb_trace *t)
{
	return kb_replay(KB_GENPOOL, c, t);
}

static int (* const kb_replay_fn[KB_NR])(struct kb_cell *c,
					  const struct kb_trace *t) = {
	[KB_PGCLASS] = kb_replay_pgclass,
	[KB_KMALLOC] = kb_replay_kmalloc,
	[KB_GENPOOL] = kb_replay_genpool,
};

static bool kb_pg_below(struct kb_cell *c)
{
	struct pgclass_stats st;

	pgclass_get_stats(c->pg, &st);
	return (u64)st.used_pages * 100 <
	       (u64)(st.nr_pages - st.meta_pages) * c->fill;
}

static bool kb_gp_below(struct kb_cell *c)
{
	return (u64)(c->bytes - gen_pool_avail(c->gp)) * 100 <
	       (u64)c->bytes * c->fill;
}

/*
 * Fill the three allocators from one stream of sizes.  gen_pool's blocks
 * are placed with gen_pool_fixed_alloc() at the offsets first fit would
 * choose (each block right after the last: first fit leaves no hole when
 * nothing is freed), which gives first fit's state without its quadratic
 * set-up time.
 */
static int kb_fill(struct kb_cell *c)
{
	struct genpool_data_fixed fixed = { .offset = 0 };
	u64 state = KB_FILL_SEED;
	unsigned long addr;
	u32 n = 0;
	void *p;

	while (kb_pg_below(c)) {
		if (n == c->max_fill)
			return -ENOSPC;
		c->fill_size[n] = bench_mix_size(&state);
		p = pgclass_alloc(c->pg, c->fill_size[n]);
		if (!p)
			return -ENOMEM;
		c->fill_ptr[KB_PGCLASS][n++] = p;
		c->nr_fill[KB_PGCLASS] = n;
	}
	for (n = 0; n < c->nr_fill[KB_PGCLASS]; n++) {
		p = kmalloc(c->fill_size[n], GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		c->fill_ptr[KB_KMALLOC][n] = p;
		c->nr_fill[KB_KMALLOC] = n + 1;
	}
	for (n = 0; kb_gp_below(c); n++) {
		if (n == c->max_fill)
			return -ENOSPC;
		if (n >= c->nr_fill[KB_PGCLASS])
			c->fill_size[n] = bench_mix_size(&state);
		addr = gen_pool_alloc_algo(c->gp, c->fill_size[n],
					   gen_pool_fixed_alloc, &fixed);
		if (addr != (unsigned long)c->gp_mem + fixed.offset)
			return -ENOMEM;
		c->fill_ptr[KB_GENPOOL][n] = (void *)addr;
		c->nr_fill[KB_GENPOOL] = n + 1;
		fixed.offset += ALIGN(c->fill_size[n], 1U << KB_GP_ORDER);
	}
	return 0;
}

static void kb_cell_free(struct kb_cell *c)
{
	u32 n;

	for (n = 0; n < c->nr_fill[KB_PGCLASS]; n++)
		pgclass_free(c->pg, c->fill_ptr[KB_PGCLASS][n]);
	for (n = 0; n < c->nr_fill[KB_KMALLOC]; n++)
		kfree(c->fill_ptr[KB_KMALLOC][n]);
	for (n = 0; n < c->nr_fill[KB_GENPOOL]; n++)
		gen_pool_free(c->gp, (unsigned long)c->fill_ptr[KB_GENPOOL][n],
			      c->fill_size[n]);
	if (c->pg && pgclass_pool_destroy(c->pg))
		kb_fail("pgclass pool of %zu bytes leaked blocks", c->bytes);
	/* gen_pool_destroy() BUG()s on a block still allocated: all are freed. */
	if (c->gp)
		gen_pool_destroy(c->gp);
	for (n = 0; n < KB_NR; n++)
		kvfree(c->fill_ptr[n]);
	kvfree(c->fill_size);
	vfree(c->pg_mem);
	vfree(c->gp_mem);
	memset(c, 0, sizeof(*c));
}

static int kb_cell_init(struct kb_cell *c, size_t bytes, u32 fill)
{
	u32 a;

	memset(c, 0, sizeof(*c));
	c->bytes = bytes;
	c->fill = fill;
	/* No block of the mix is under 9 bytes; most are far above. */
	c->max_fill = bytes / 64;
	c->fill_size = kvmalloc_array(c->max_fill, sizeof(u32), GFP_KERNEL);
	for (a = 0; a < KB_NR; a++)
		c->fill_ptr[a] = kvmalloc_array(c->max_fill, sizeof(void *),
						GFP_KERNEL);
	c->pg_mem = vmalloc(bytes);
	c->gp_mem = vmalloc(bytes);
	c->gp = gen_pool_create(KB_GP_ORDER, NUMA_NO_NODE);
	if (!c->fill_size || !c->fill_ptr[0] || !c->fill_ptr[1] ||
	    !c->fill_ptr[2] || !c->pg_mem || !c->gp_mem || !c->gp)
		return -ENOMEM;
	if (gen_pool_add(c->gp, (unsigned long)c->gp_mem, bytes, NUMA_NO_NODE))
		return -ENOMEM;
	c->pg = pgclass_pool_create(c->pg_mem, bytes, PAGE_SHIFT);
	if (!c->pg)
		return -EINVAL;
	return kb_fill(c);
}

/* Round 0 warms caches, TLB and the allocators' state up, untimed. */
static void kb_run_cell(struct kb_cell *c, u32 cell)
{
	u32 r, t, k, a;
	u64 t0, dt;
	int ret;

	for (r = 0; r <= rounds; r++) {
		for (t = 0; t < KB_NR_TRACES; t++) {
			for (k = 0; k < KB_NR; k++) {
				a = (k + r) % KB_NR;
				t0 = ktime_get_ns();
				ret = kb_replay_fn[a](c, &kb_traces[t]);
				dt = ktime_get_ns() - t0;
				if (ret) {
					kb_fail("%s: %s ran out of memory in %zu MiB at %u%%",
						kb_traces[t].name, kb_alloc_name[a],
						c->bytes >> 20, c->fill);
					return;
				}
				if (r)
					kb_res(cell, t, a)[r - 1] =
						dt * 1000 / kb_traces[t].nr_ops;
				cond_resched();
			}
		}
	}
}

/*
 * A spinlock taken and dropped with interrupts off, as every pgclass call
 * does: for scale beside kmalloc's lockless per-CPU fast path.
 */
static void kb_time_lock(void)
{
	const u32 n = 4096;
	unsigned long flags;
	spinlock_t lock;	/* uncontended: this thread alone takes it */
	u64 t0;
	u32 r, k;

	spin_lock_init(&lock);
	for (r = 0; r <= rounds; r++) {
		t0 = ktime_get_ns();
		for (k = 0; k < n; k++) {
			spin_lock_irqsave(&lock, flags);
			barrier();
			spin_unlock_irqrestore(&lock, flags);
		}
		if (r)
			kb_lock_ps[r - 1] = (ktime_get_ns() - t0) * 1000 / n;
		cond_resched();
	}
}

/*
 * The fast path's atomics alone, per call, on a line only this CPU writes:
 * the slot lock as core.c takes and drops it (cmpxchg_acquire(), a locked
 * cmpxchg on x86, then smp_store_release()), and one cmpxchg(), with
 * which it sets or clears a block's bit (locked on x86).  Preemption is
 * off, as in core.c's fast path.
 */
static void kb_time_atomics(void)
{
	static u32 word ____cacheline_aligned;
	static unsigned long bits ____cacheline_aligned;
	const u32 n = 4096;
	unsigned long old;
	u64 t0;
	u32 r, k;

	for (r = 0; r <= rounds; r++) {
		preempt_disable();
		t0 = ktime_get_ns();
		for (k = 0; k < n; k++) {
			if (cmpxchg_acquire(&word, 0, 1) != 0)
				kb_fail("katomic: word taken");
			barrier();
			/* As pgc_slot_unlock(): release the slot's state. */
			smp_store_release(&word, 0);
		}
		if (r)
			kb_slot_lock_ps[r - 1] = (ktime_get_ns() - t0) * 1000 / n;
		t0 = ktime_get_ns();
		for (k = 0; k < n; k++) {
			old = READ_ONCE(bits);
			cmpxchg(&bits, old, old ^ 1);
			barrier();
		}
		if (r)
			kb_cmpxchg_local_ps[r - 1] =
				(ktime_get_ns() - t0) * 1000 / n;
		preempt_enable();
		cond_resched();
	}
}

/*
 * Two CPUs.  Each kthread is bound to its CPU, warms its allocator's
 * per-CPU state up, and waits at a common start: the last to arrive reads
 * the clock and lets all go.  A run's time is from that start to the last
 * kthread's end.  Under TCG each vCPU is a host thread: two vCPUs run at
 * once only when the host has two cores free for them.
 */
#define KB_SMP_PAIRS	50000U
#define KB_SMP_BLOCKS	50000U
#define KB_SMP_SIZE	64
#define KB_RING		1024UL
#define KB_SMP_CPUS	2

enum kb_smp_kind {
	KB_SMP_PAIRS_K,		/* KB_SMP_SIZE pairs */
	KB_SMP_PRODUCE,		/* alloc, then into the ring */
	KB_SMP_CONSUME,		/* out of the ring, then free */
	KB_SMP_RING_PRODUCE,	/* the ring alone: a token in ... */
	KB_SMP_RING_CONSUME,	/* ... and out */
};

struct kb_ring {
	unsigned long head ____cacheline_aligned;
	unsigned long tail ____cacheline_aligned;
	void *slot[KB_RING] ____cacheline_aligned;
};

struct kb_worker {
	enum kb_alloc alloc;
	enum kb_smp_kind kind;
	u32 n;
	struct kb_ring *ring;
	struct pgclass_pool *pool;
	u64 end;
	int err;
	struct completion done;
};

static struct {
	int threads;
	atomic_t ready;
	int go;
	u64 t0;
} kb_start;

struct kb_smp_case {
	const char *name;
	enum kb_alloc alloc;
	int threads;
	enum kb_smp_kind kinds[KB_SMP_CPUS];
	u32 n;
	u32 ops;	/* calls per kthread: two per pair; 0: one per block */
};

static const struct kb_smp_case kb_smp_cases[] = {
	{ "pairs", KB_PGCLASS, 1, { KB_SMP_PAIRS_K }, KB_SMP_PAIRS,
	  2 * KB_SMP_PAIRS },
	{ "pairs", KB_KMALLOC, 1, { KB_SMP_PAIRS_K }, KB_SMP_PAIRS,
	  2 * KB_SMP_PAIRS },
	{ "pairs", KB_PGCLASS, 2, { KB_SMP_PAIRS_K, KB_SMP_PAIRS_K },
	  KB_SMP_PAIRS, 2 * KB_SMP_PAIRS },
	{ "pairs", KB_KMALLOC, 2, { KB_SMP_PAIRS_K, KB_SMP_PAIRS_K },
	  KB_SMP_PAIRS, 2 * KB_SMP_PAIRS },
	{ "xfree", KB_PGCLASS, 2, { KB_SMP_PRODUCE, KB_SMP_CONSUME },
	  KB_SMP_BLOCKS, 0 },
	{ "xfree", KB_KMALLOC, 2, { KB_SMP_PRODUCE, KB_SMP_CONSUME },
	  KB_SMP_BLOCKS, 0 },
	{ "ring-only", KB_NR, 2, { KB_SMP_RING_PRODUCE, KB_SMP_RING_CONSUME },
	  KB_SMP_BLOCKS, 0 },
	{ "pairs", KB_ATOMICS, 1, { KB_SMP_PAIRS_K }, KB_SMP_PAIRS,
	  2 * KB_SMP_PAIRS },
	{ "pairs", KB_ATOMICS, 2, { KB_SMP_PAIRS_K, KB_SMP_PAIRS_K },
	  KB_SMP_PAIRS, 2 * KB_SMP_PAIRS },
};

#define KB_NR_SMP	ARRAY_SIZE(kb_smp_cases)

static u64 kb_smp_ps[KB_NR_SMP][KB_MAX_ROUNDS];
static u32 kb_smp_slots;
static u64 kb_smp_slot_calls[2], kb_smp_calls[2], kb_smp_remote;
static bool kb_smp_done;

/*
 * KB_ATOMICS: what a fast-path call executes of locked instructions, on
 * lines of this CPU's own, as pgc_alloc_call() and pgc_owned_op() do: the
 * slot lock taken (cmpxchg_acquire()) and dropped (a release store), and
 * the block's bit set or cleared with cmpxchg().  No allocator.
 */
static struct kb_smp_atomics {
	u32 lock ____cacheline_aligned;
	unsigned long bits ____cacheline_aligned;
} kb_smp_atomics[KB_SMP_CPUS];

static __always_inline void kb_smp_atomic_call(void)
{
	struct kb_smp_atomics *a = &kb_smp_atomics[raw_smp_processor_id() %
						   KB_SMP_CPUS];
	unsigned long old;

	if (cmpxchg_acquire(&a->lock, 0, 1) != 0)
		return;		/* never: the line is this CPU's */
	old = READ_ONCE(a->bits);
	cmpxchg(&a->bits, old, old ^ 1);
	/* As pgc_slot_unlock(): release the slot's state. */
	smp_store_release(&a->lock, 0);
}

static __always_inline void *kb_smp_alloc(struct kb_worker *w)
{
	if (w->alloc == KB_PGCLASS)
		return pgclass_alloc(w->pool, KB_SMP_SIZE);
	if (w->alloc == KB_ATOMICS) {
		kb_smp_atomic_call();
		return w;
	}
	return kmalloc(KB_SMP_SIZE, GFP_KERNEL);
}

static __always_inline void kb_smp_free(struct kb_worker *w, void *p)
{
	if (w->alloc == KB_PGCLASS)
		pgclass_free(w->pool, p);
	else if (w->alloc == KB_ATOMICS)
		kb_smp_atomic_call();
	else
		kfree(p);
}

static void kb_smp_pairs(struct kb_worker *w, u32 n)
{
	void *p;
	u32 k;

	for (k = 0; k < n; k++) {
		p = kb_smp_alloc(w);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		OPTIMIZER_HIDE_VAR(p);
		kb_smp_free(w, p);
	}
}

/* Single producer, single consumer; a failed alloc sends NULL. */
static void kb_smp_produce(struct kb_worker *w, bool alloc)
{
	static char token;
	struct kb_ring *r = w->ring;
	unsigned long i, tail = 0;
	void *p;

	for (i = 0; i < w->n; i++) {
		p = alloc ? kb_smp_alloc(w) : &token;
		if (!p)
			w->err = -ENOMEM;
		while (i - tail >= KB_RING) {
			/* Pairs with the consumer's release: the entry is free. */
			tail = smp_load_acquire(&r->tail);
			if (i - tail >= KB_RING)
				cpu_relax();
		}
		r->slot[i & (KB_RING - 1)] = p;
		/* Publish the entry before the index that covers it. */
		smp_store_release(&r->head, i + 1);
	}
}

static void kb_smp_consume(struct kb_worker *w, bool free)
{
	struct kb_ring *r = w->ring;
	unsigned long i, head = 0;
	void *p;

	for (i = 0; i < w->n; i++) {
		while (head <= i) {
			/* Pairs with the producer's release: the entry is there. */
			head = smp_load_acquire(&r->head);
			if (head <= i)
				cpu_relax();
		}
		p = r->slot[i & (KB_RING - 1)];
		if (free && p)
			kb_smp_free(w, p);
		OPTIMIZER_HIDE_VAR(p);
		/* The entry is read: the producer may reuse it. */
		smp_store_release(&r->tail, i + 1);
	}
}

static int kb_smp_thread(void *arg)
{
	struct kb_worker *w = arg;

	if (w->alloc != KB_NR)
		kb_smp_pairs(w, 64);
	if (atomic_inc_return(&kb_start.ready) == kb_start.threads) {
		kb_start.t0 = ktime_get_ns();
		/* t0 is set before anyone starts. */
		smp_store_release(&kb_start.go, 1);
	} else {
		/* Pairs with the release above. */
		while (!smp_load_acquire(&kb_start.go))
			cpu_relax();
	}
	switch (w->kind) {
	case KB_SMP_PAIRS_K:
		kb_smp_pairs(w, w->n);
		break;
	case KB_SMP_PRODUCE:
	case KB_SMP_RING_PRODUCE:
		kb_smp_produce(w, w->kind == KB_SMP_PRODUCE);
		break;
	case KB_SMP_CONSUME:
	case KB_SMP_RING_CONSUME:
		kb_smp_consume(w, w->kind == KB_SMP_CONSUME);
		break;
	}
	w->end = ktime_get_ns();
	kthread_complete_and_exit(&w->done, 0);
}

/* One run of a case; its wall time in ns, or 0 on failure. */
static u64 kb_smp_run(const struct kb_smp_case *sc, struct pgclass_pool *pool,
		      struct kb_ring *ring)
{
	static struct kb_worker w[KB_SMP_CPUS];
	struct task_struct *t;
	u64 end = 0;
	int i;

	memset(ring, 0, sizeof(*ring));
	kb_start.threads = sc->threads;
	atomic_set(&kb_start.ready, 0);
	kb_start.go = 0;
	for (i = 0; i < sc->threads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].alloc = sc->alloc;
		w[i].kind = sc->kinds[i];
		w[i].n = sc->n;
		w[i].ring = ring;
		w[i].pool = pool;
		init_completion(&w[i].done);
	}
	for (i = 0; i < sc->threads; i++) {
		t = kthread_create(kb_smp_thread, &w[i], "pgclass_bench/%d", i);
		if (IS_ERR(t)) {
			kb_fail("kthread_create: %ld", PTR_ERR(t));
			/*
			 * The others wait at the start: let them go (a
			 * release, as the last one to be ready does).
			 */
			smp_store_release(&kb_start.go, 1);
			sc = NULL;
			break;
		}
		kthread_bind(t, i);
		wake_up_process(t);
	}
	for (i--; i >= 0; i--) {
		wait_for_completion(&w[i].done);
		end = max(end, w[i].end);
		if (w[i].err)
			kb_fail("two CPUs: allocation failed");
	}
	return sc ? end - kb_start.t0 : 0;
}

static void kb_smp(void)
{
	struct pgclass_cpu_stats cs;
	struct pgclass_stats st;
	struct pgclass_pool *pool;
	struct kb_ring *ring;
	size_t bytes = (size_t)smp_mib << 20;
	void *mem;
	u64 ns, ops;
	u32 r, c, k;

	if (num_online_cpus() < KB_SMP_CPUS || !cpu_online(0) ||
	    !cpu_online(1)) {
		kb_fail("two CPUs: needs CPUs 0 and 1 online");
		return;
	}
	mem = vmalloc(bytes);
	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	pool = mem ? pgclass_pool_create(mem, bytes, PAGE_SHIFT) : NULL;
	if (!pool || !ring) {
		kb_fail("two CPUs: no pool of %u MiB", smp_mib);
		goto out;
	}
	kb_smp_slots = pgclass_nr_cpu_slots(pool);
	for (r = 0; r <= rounds && !kb_error; r++) {
		for (k = 0; k < KB_NR_SMP && !kb_error; k++) {
			c = (k + r) % KB_NR_SMP;
			ns = kb_smp_run(&kb_smp_cases[c], pool, ring);
			ops = kb_smp_cases[c].ops ?
			      (u64)kb_smp_cases[c].ops * kb_smp_cases[c].threads :
			      kb_smp_cases[c].n;
			if (r)
				kb_smp_ps[c][r - 1] = ns * 1000 / ops;
			cond_resched();
		}
	}
	pgclass_get_stats(pool, &st);
	kb_smp_calls[0] = st.alloc_calls;
	kb_smp_calls[1] = st.free_calls;
	for (k = 0; k < kb_smp_slots; k++) {
		if (pgclass_get_cpu_stats(pool, k, &cs))
			continue;
		kb_smp_slot_calls[0] += cs.alloc_calls;
		kb_smp_slot_calls[1] += cs.free_calls;
		kb_smp_remote += cs.remote_frees;
	}
	kb_smp_done = !kb_error;
	if (pgclass_pool_destroy(pool))
		kb_fail("two CPUs: the pool leaked blocks");
out:
	kfree(ring);
	vfree(mem);
}

static void kb_print_ns(struct seq_file *m, u64 ps)
{
	seq_printf(m, ",%llu.%03llu", ps / 1000, ps % 1000);
}

/* ",median,min,max" of @n values, sorted in place. */
static void kb_print_stats(struct seq_file *m, u64 *v, u32 n)
{
	sort(v, n, sizeof(u64), bench_cmp_u64, NULL);
	kb_print_ns(m, v[n / 2]);
	kb_print_ns(m, v[0]);
	kb_print_ns(m, v[n - 1]);
	seq_putc(m, '\n');
}

static int kb_results_show(struct seq_file *m, void *v)
{
	u64 sorted[KB_MAX_ROUNDS];
	u32 cell, t, a, nf = ARRAY_SIZE(kb_fill_pct);

	seq_printf(m, "kinfo,%s,%u,%u,%u\n", init_utsname()->release, rounds,
		   nr_cpu_ids, num_online_cpus());
	memcpy(sorted, kb_lock_ps, rounds * sizeof(u64));
	seq_puts(m, "klock");
	kb_print_stats(m, sorted, rounds);
	memcpy(sorted, kb_slot_lock_ps, rounds * sizeof(u64));
	seq_puts(m, "katomic,slot-lock");
	kb_print_stats(m, sorted, rounds);
	memcpy(sorted, kb_cmpxchg_local_ps, rounds * sizeof(u64));
	seq_puts(m, "katomic,cmpxchg-local");
	kb_print_stats(m, sorted, rounds);
	if (kb_error)
		seq_printf(m, "kerror,%s\n", kb_error_msg);
	for (cell = 0; cell < nr_pool_mib; cell++)
		seq_printf(m, "kmeta,%u,%lu,%u,%u,%u\n", pool_mib[cell],
			   PAGE_SIZE, kb_meta[cell][0], kb_meta[cell][1],
			   kb_meta[cell][2]);
	if (kb_smp_done) {
		seq_printf(m, "ksmpslots,%u,%u,%llu,%llu,%llu,%llu,%llu\n",
			   smp_mib, kb_smp_slots, kb_smp_slot_calls[0],
			   kb_smp_calls[0], kb_smp_slot_calls[1],
			   kb_smp_calls[1], kb_smp_remote);
		for (t = 0; t < KB_NR_SMP; t++) {
			const struct kb_smp_case *sc = &kb_smp_cases[t];

			seq_printf(m, "ksmp,%s,%s,%d", sc->name,
				   sc->alloc == KB_NR ? "none" :
				   sc->alloc == KB_ATOMICS ? "atomics" :
				   kb_alloc_name[sc->alloc], sc->threads);
			memcpy(sorted, kb_smp_ps[t], rounds * sizeof(u64));
			kb_print_stats(m, sorted, rounds);
		}
	}
	for (cell = 0; cell < kb_nr_cells; cell++) {
		for (a = 0; a < KB_NR; a++)
			seq_printf(m, "kfill,%u,%u,%s,%u\n", pool_mib[cell / nf],
				   kb_fill_pct[cell % nf], kb_alloc_name[a],
				   kb_cell_fill[a][cell]);
		for (t = 0; t < KB_NR_TRACES; t++) {
			for (a = 0; a < KB_NR; a++) {
				memcpy(sorted, kb_res(cell, t, a),
				       rounds * sizeof(u64));
				sort(sorted, rounds, sizeof(u64), bench_cmp_u64,
				     NULL);
				seq_printf(m, "ktime,%u,%u,%s,%s,%u",
					   pool_mib[cell / nf],
					   kb_fill_pct[cell % nf],
					   kb_alloc_name[a], kb_traces[t].name,
					   kb_traces[t].nr_ops);
				kb_print_ns(m, sorted[rounds / 2]);
				kb_print_ns(m, sorted[0]);
				kb_print_ns(m, sorted[rounds - 1]);
				seq_putc(m, '\n');
			}
		}
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kb_results);

static int kb_build_traces(void)
{
	u8 live[KB_MAX_SLOTS];
	u32 t, max;

	for (t = 0; t < KB_NR_TRACES; t++) {
		if (bench_trace_slots(&kb_traces[t].spec) > KB_MAX_SLOTS)
			return -EINVAL;
		max = bench_trace_max_ops(&kb_traces[t].spec);
		kb_traces[t].ops = kvmalloc_array(max, sizeof(struct bench_op),
						  GFP_KERNEL);
		if (!kb_traces[t].ops)
			return -ENOMEM;
		kb_traces[t].nr_ops = bench_trace_build(&kb_traces[t].spec,
							kb_traces[t].ops, live);
	}
	return 0;
}

static void kb_free_all(void)
{
	u32 t;

	for (t = 0; t < KB_NR_TRACES; t++)
		kvfree(kb_traces[t].ops);
	kvfree(kb_ps);
}

static int __init kb_init(void)
{
	u32 nf = ARRAY_SIZE(kb_fill_pct), cell, a;
	struct pgclass_stats st;
	struct kb_cell *c;
	int ret;

	if (!rounds || rounds > KB_MAX_ROUNDS || !nr_pool_mib)
		return -EINVAL;
	ret = kb_build_traces();
	if (ret)
		goto out;
	kb_nr_cells = nr_pool_mib * nf;
	kb_ps = kvcalloc((size_t)kb_nr_cells * KB_NR_TRACES * KB_NR * rounds,
			 sizeof(u64), GFP_KERNEL);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!kb_ps || !c) {
		ret = -ENOMEM;
		goto out;
	}
	for (cell = 0; cell < kb_nr_cells && !kb_error; cell++) {
		ret = kb_cell_init(c, (size_t)pool_mib[cell / nf] << 20,
				   kb_fill_pct[cell % nf]);
		if (ret) {
			kb_fail("setting up %u MiB at %u%%: error %d",
				pool_mib[cell / nf], kb_fill_pct[cell % nf], ret);
		} else {
			if (cell % nf == 0) {
				pgclass_get_stats(c->pg, &st);
				kb_meta[cell / nf][0] = st.nr_pages;
				kb_meta[cell / nf][1] = st.meta_pages;
				kb_meta[cell / nf][2] =
					pgclass_nr_cpu_slots(c->pg);
			}
			for (a = 0; a < KB_NR; a++)
				kb_cell_fill[a][cell] = c->nr_fill[a];
			kb_run_cell(c, cell);
		}
		kb_cell_free(c);
		cond_resched();
	}
	kfree(c);
	kb_nr_cells = cell;
	kb_time_lock();
	kb_time_atomics();
	if (!kb_error)
		kb_smp();
	kb_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("results", 0400, kb_dir, NULL, &kb_results_fops);
	return 0;
out:
	kb_free_all();
	return ret;
}

static void __exit kb_exit(void)
{
	debugfs_remove_recursive(kb_dir);
	kb_free_all();
}

module_init(kb_init);
module_exit(kb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pgclass benchmark: pgclass against kmalloc and gen_pool");
