// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_tracecost.ko: what pgclass's tracepoints cost.  At load it
 * replays three traces of trace.c (64 B alloc+free pairs, the mixed-size
 * churn and the lab's sequence) on a pool of its own through the
 * pgclass.ko that is loaded, round after round, and publishes one CSV row
 * per trace in /sys/kernel/debug/pgclass_tracecost/results:
 *
 *   tcost,VARIANT,TRACE,OPS,MEDIAN_PS,MIN_PS,MAX_PS    (picoseconds per call)
 *
 * The benchmark guest (tools/bench/guest/run) loads it again and again,
 * against three builds of pgclass.ko in turn: the tracepoints compiled in
 * but disabled (static keys: what every user runs), enabled (all six
 * events, into the ring buffer), and compiled out (bench.sh builds that
 * pgclass.ko with tools/bench/notrace/ first on the include path).
 * VARIANT is the guest's name for the build loaded; the comparison is
 * report.py's.  Under TCG only the ratios between variants of one boot
 * mean anything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pgclass.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "trace.h"

static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "timed replays of each trace (default 7)");

static char *variant = "unnamed";
module_param(variant, charp, 0444);
MODULE_PARM_DESC(variant, "the name of the pgclass.ko build loaded, for the results");

#define TC_MAX_ROUNDS	31
#define TC_POOL_BYTES	(16UL << 20)	/* room for a slot per CPU */
#define TC_MAX_SLOTS	128

struct tc_trace {
	const char *name;
	struct bench_trace_spec spec;
	struct bench_op *ops;
	u32 nr_ops;
	u64 ps[TC_MAX_ROUNDS];	/* per call, one a round */
};

/* The traces of the kernel table, longer: each call is cheap here. */
static struct tc_trace tc_traces[] = {
	BENCH_TRACE("pair-64", BENCH_PAIR, 64, 4096, 0),
	BENCH_TRACE("churn", BENCH_CHURN, 128, 8192, 0x5eed0001),
	BENCH_TRACE("lab", BENCH_LAB, 0, 256, 0),
};

static void *tc_slot[TC_MAX_SLOTS];
static struct dentry *tc_dir;
static const char *tc_error;

/* One replay; a failed allocation ends it (the pool is far from full). */
static noinline int tc_replay(struct pgclass_pool *pool,
			      const struct tc_trace *t)
{
	const struct bench_op *op, *end = t->ops + t->nr_ops;
	void *p;

	for (op = t->ops; op < end; op++) {
		switch (op->kind) {
		case BENCH_ALLOC:
			p = pgclass_alloc(pool, op->size);
			if (!p)
				return -ENOMEM;
			tc_slot[op->slot] = p;
			break;
		case BENCH_FREE:
			if (pgclass_free(pool, tc_slot[op->slot]))
				return -EINVAL;
			break;
		default:
			p = pgclass_realloc(pool, tc_slot[op->slot], op->size);
			if (!p)
				return -ENOMEM;
			tc_slot[op->slot] = p;
			break;
		}
	}
	return 0;
}

static int tc_results_show(struct seq_file *m, void *unused)
{
	u64 sorted[TC_MAX_ROUNDS];
	unsigned int i;

	if (tc_error) {
		seq_printf(m, "kerror,tracecost %s: %s\n", variant, tc_error);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(tc_traces); i++) {
		memcpy(sorted, tc_traces[i].ps, rounds * sizeof(u64));
		sort(sorted, rounds, sizeof(u64), bench_cmp_u64, NULL);
		seq_printf(m, "tcost,%s,%s,%u,%llu,%llu,%llu\n", variant,
			   tc_traces[i].name, tc_traces[i].nr_ops,
			   sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tc_results);

/* Rounds of every trace in turn, after one untimed warm-up round. */
static int tc_run(struct pgclass_pool *pool)
{
	unsigned int r, i;
	u64 t0;
	int ret;

	for (r = 0; r <= rounds; r++) {
		for (i = 0; i < ARRAY_SIZE(tc_traces); i++) {
			struct tc_trace *t = &tc_traces[i];

			t0 = ktime_get_ns();
			ret = tc_replay(pool, t);
			if (ret)
				return ret;
			if (r)
				t->ps[r - 1] = (ktime_get_ns() - t0) * 1000 /
					       t->nr_ops;
			cond_resched();
		}
	}
	return 0;
}

static int tc_build_traces(void)
{
	u8 live[TC_MAX_SLOTS];
	unsigned int i;
	u32 max;

	for (i = 0; i < ARRAY_SIZE(tc_traces); i++) {
		struct tc_trace *t = &tc_traces[i];

		if (bench_trace_slots(&t->spec) > TC_MAX_SLOTS)
			return -EINVAL;
		max = bench_trace_max_ops(&t->spec);
		t->ops = kvmalloc_array(max, sizeof(*t->ops), GFP_KERNEL);
		if (!t->ops)
			return -ENOMEM;
		t->nr_ops = bench_trace_build(&t->spec, t->ops, live);
	}
	return 0;
}

static void tc_free_traces(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tc_traces); i++)
		kvfree(tc_traces[i].ops);
}

static int __init tc_init(void)
{
	struct pgclass_pool *pool;
	unsigned long leaked;
	void *mem;
	int ret;

	if (!rounds || rounds > TC_MAX_ROUNDS)
		return -EINVAL;
	ret = tc_build_traces();
	if (ret)
		goto out;
	mem = vzalloc(TC_POOL_BYTES);
	if (!mem) {
		ret = -ENOMEM;
		goto out;
	}
	pool = pgclass_pool_create_zeroed(mem, TC_POOL_BYTES, PAGE_SHIFT);
	if (!pool) {
		tc_error = "pool creation failed";
	} else {
		ret = tc_run(pool);
		if (ret)
			tc_error = "a call failed";
		leaked = pgclass_pool_destroy(pool);
		if (!ret && leaked)
			tc_error = "blocks left in the pool";
	}
	vfree(mem);
	tc_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("results", 0400, tc_dir, NULL, &tc_results_fops);
	return 0;
out:
	tc_free_traces();
	return ret;
}

static void __exit tc_exit(void)
{
	debugfs_remove_recursive(tc_dir);
	tc_free_traces();
}

module_init(tc_init);
module_exit(tc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pgclass benchmark: what the tracepoints cost, off, on and compiled out");
