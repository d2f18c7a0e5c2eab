// SPDX-License-Identifier: GPL-2.0
/*
 * walkhold: how long a dump keeps other CPUs out of a pool.  A pool of
 * 262,144 pages of 4 KiB (1 GiB, mapped but never touched but for the
 * metadata) is walked as debugfs walks it, formatting a line per extent,
 * with every extent a different one (whole pages and free pages in turn,
 * the most extents a pool can have) and then empty.  The benchmark shim
 * times each hold of the pool's lock; printed, in CSV:
 *
 *   walkhold,STATE,PAGES,EXTENTS,LOCK_HOLDS,LONGEST_HOLD_US,MEAN_HOLD_US,WALK_US
 *
 * The longest hold is what another CPU calling the pool may wait for.  In
 * user space a thread can be preempted while it holds the lock, which the
 * kernel's raw spinlock (interrupts off) rules out: on a busy machine the
 * longest hold has that noise in it, the mean does not much.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/pgclass.h>

#include "lockstat.h"

#define WH_PAGES	262144UL
#define WH_SHIFT	12

static unsigned long long wh_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct wh_out {
	char buf[1 << 16];
	size_t len;
	unsigned long extents;
};

/* As debugfs's pages file: a line per page would be more; one per extent. */
static int wh_line(void *data, const struct pgclass_extent *ext)
{
	struct wh_out *o = data;

	if (o->len > sizeof(o->buf) - 128)
		o->len = 0;
	o->len += snprintf(o->buf + o->len, sizeof(o->buf) - o->len,
			   "%7lu 0x%-8lx %d %u %u %u\n", ext->first,
			   ext->first << WH_SHIFT, ext->state, ext->class,
			   ext->used, ext->total);
	o->extents++;
	return 0;
}

static void wh_walk(struct pgclass_pool *pool, const char *state)
{
	static struct wh_out out;
	unsigned long long t;

	out.len = 0;
	out.extents = 0;
	shim_lock_holds = 0;
	shim_hold_max_ns = 0;
	shim_hold_total_ns = 0;
	shim_time_locks = true;
	t = wh_now();
	pgclass_walk(pool, wh_line, &out);
	t = wh_now() - t;
	shim_time_locks = false;
	printf("walkhold,%s,%lu,%lu,%llu,%.1f,%.1f,%.1f\n", state, WH_PAGES,
	       out.extents, shim_lock_holds, shim_hold_max_ns / 1e3,
	       shim_hold_total_ns / 1e3 / shim_lock_holds, t / 1e3);
}

int main(void)
{
	size_t size = WH_PAGES << WH_SHIFT;
	struct pgclass_pool *pool;
	struct pgclass_stats st;
	char *region, **blk;
	unsigned long i, n;

	region = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	pool = pgclass_pool_create(region, size, WH_SHIFT);
	if (!pool)
		return 1;
	pgclass_get_stats(pool, &st);
	blk = calloc(st.free_pages, sizeof(*blk));
	if (!blk)
		return 1;
	wh_walk(pool, "empty");
	for (n = 0; n < st.free_pages; n++)
		blk[n] = pgclass_alloc(pool, 1UL << WH_SHIFT);
	for (i = 0; i < n; i += 2)
		pgclass_free(pool, blk[i]);
	wh_walk(pool, "alternate");
	return 0;
}
