// SPDX-License-Identifier: GPL-2.0
/*
 * poolbench: pgclass as a pool, natively (src/core.c built in user space
 * as ubench-pgclass builds it).  The guest's pgclass_poolbench.ko
 * (kmod/poolbench_main.c) measures the same in the kernel, with gen_pool
 * beside it.  Modes, each printing CSV rows:
 *
 *   poolbench create ROUNDS    pool creation at 4 MiB and 4 GiB, each
 *                              over fresh anonymous memory (mmap
 *                              MAP_NORESERVE, all zero until touched):
 *                              pgclass_pool_create(), which clears all
 *                              metadata, pgclass_pool_create_zeroed(),
 *                              which trusts it to be zero, and the two
 *                              out-of-band creates; plus
 *                              pgclass_pool_create() again over metadata
 *                              already faulted in ("create-warm").  Wall
 *                              time (page faults are part of the cost),
 *                              and the pages of the mapping the create
 *                              made resident (mincore()); and, as a
 *                              yardstick, two stores to fresh memory
 *                              ("touch-2-pages": its first and its last
 *                              page, as far apart as a zeroed create's
 *                              writes), which is page faults alone
 *   poolbench fitworst ROUNDS  the fit scan's deliberate worst case at
 *                              64 MiB and 4 GiB: as pgclass_poolbench.ko's
 *                              "pbworst", the one allocation that must
 *                              visit K runs, timed alone
 *
 * Rows: "pcreate,KIND,MIB,median_ns,min_ns,max_ns,pages_resident" and
 * "pfitworst,MIB,K,request_pages,median_ns,min_ns,max_ns", and one
 * "pclock,ns" (what two clock reads around nothing cost).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/compiler.h>
#include <linux/pgclass.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PB_SHIFT	12
#define PB_PAGE		4096UL	/* 1 << PB_SHIFT */
#define PB_MIB		(1024UL * 1024)
#define PB_MAX_ROUNDS	64
/* A range of numbers for out-of-band pools: never touched. */
#define PB_RANGE_BASE	0x100000000UL
#define PB_WORST_RUN	8	/* the short runs; the request is 9 pages */

static noreturn void pb_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	fprintf(stderr, "poolbench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static u64 pb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *pb_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		pb_die("mmap of %zu bytes failed", bytes);
	return p;
}

static size_t pb_resident(void *p, size_t bytes)
{
	size_t n = (bytes + PB_PAGE - 1) / PB_PAGE, i, res = 0;
	unsigned char *vec = malloc(n);

	if (!vec || mincore(p, bytes, vec))
		pb_die("mincore failed");
	for (i = 0; i < n; i++)
		res += vec[i] & 1;
	free(vec);
	return res;
}

static int pb_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void pb_print(const u64 *v, int n)
{
	u64 s[PB_MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), pb_cmp);
	printf(",%llu,%llu,%llu", (unsigned long long)s[n / 2],
	       (unsigned long long)s[0], (unsigned long long)s[n - 1]);
}

static void pb_clock(void)
{
	u64 d[1001], t0;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(d); k++) {
		t0 = pb_now();
		d[k] = pb_now() - t0;
	}
	qsort(d, ARRAY_SIZE(d), sizeof(*d), pb_cmp);
	printf("pclock,%llu\n", (unsigned long long)d[ARRAY_SIZE(d) / 2]);
}

/* ---------------------------------------------------------------- */

enum pb_kind {
	CR, CR_WARM, CR_ZEROED, CR_OOB, CR_OOB_ZEROED, TOUCH2, NR_KIND
};

static const char * const pb_kind_name[NR_KIND] = {
	[CR] = "create",
	[CR_WARM] = "create-warm",
	[CR_ZEROED] = "create_zeroed",
	[CR_OOB] = "create_oob",
	[CR_OOB_ZEROED] = "create_oob_zeroed",
	[TOUCH2] = "touch-2-pages",
};

static const size_t pb_create_mib[] = { 4, 4096 };

/* One create over fresh memory: its ns; *@res: the pages it faulted in. */
static u64 pb_create_one(enum pb_kind k, size_t mib, size_t *res)
{
	size_t bytes = mib * PB_MIB, msize = bytes;
	struct pgclass_pool *pool = NULL;
	struct pgclass_stats st;
	bool oob = k == CR_OOB || k == CR_OOB_ZEROED;
	void *mem, *p;
	u64 t0, dt;

	if (oob || k == TOUCH2)
		msize = pgclass_meta_size(bytes, PB_SHIFT);
	if (!msize)
		pb_die("no metadata size for %zu MiB", mib);
	mem = pb_map(msize);
	if (k == TOUCH2) {
		/*
		 * The yardstick: a store to the first and to the last page of
		 * fresh metadata, where a zeroed create writes its header and
		 * the free run's two tags.  No pool.
		 */
		t0 = pb_now();
		WRITE_ONCE(*(char *)mem, 1);
		WRITE_ONCE(((char *)mem)[msize - 1], 1);
		dt = pb_now() - t0;
		*res = pb_resident(mem, msize);
		munmap(mem, msize);
		return dt;
	}
	if (k == CR_WARM) {
		/* Fault the metadata in with a first pool, untimed. */
		pool = pgclass_pool_create(mem, bytes, PB_SHIFT);
		if (!pool)
			pb_die("create of %zu MiB failed", mib);
		pgclass_pool_destroy(pool);
	}
	t0 = pb_now();
	switch (k) {
	case CR:
	case CR_WARM:
		pool = pgclass_pool_create(mem, bytes, PB_SHIFT);
		break;
	case CR_ZEROED:
		pool = pgclass_pool_create_zeroed(mem, bytes, PB_SHIFT);
		break;
	case CR_OOB:
		pool = pgclass_pool_create_oob(mem, msize, PB_RANGE_BASE,
					       bytes, PB_SHIFT);
		break;
	default:
		pool = pgclass_pool_create_oob_zeroed(mem, msize,
						      PB_RANGE_BASE, bytes,
						      PB_SHIFT);
		break;
	}
	dt = pb_now() - t0;
	if (!pool)
		pb_die("%s of %zu MiB failed", pb_kind_name[k], mib);
	*res = pb_resident(mem, msize);
	/* A working pool: its whole data area as one block. */
	pgclass_get_stats(pool, &st);
	p = pgclass_alloc(pool, (size_t)st.free_pages << PB_SHIFT);
	if (!p || pgclass_free(pool, p))
		pb_die("%s of %zu MiB: no whole block", pb_kind_name[k], mib);
	if (pgclass_pool_destroy(pool))
		pb_die("%s: blocks left", pb_kind_name[k]);
	munmap(mem, msize);
	return dt;
}

static void pb_mode_create(int rounds)
{
	static u64 ns[ARRAY_SIZE(pb_create_mib)][NR_KIND][PB_MAX_ROUNDS];
	size_t res[ARRAY_SIZE(pb_create_mib)][NR_KIND] = { { 0 } };
	size_t m, r, i;
	int k;

	for (r = 0; r <= (size_t)rounds; r++) {
		for (m = 0; m < ARRAY_SIZE(pb_create_mib); m++) {
			for (i = 0; i < NR_KIND; i++) {
				k = (i + r) % NR_KIND;
				u64 t = pb_create_one(k, pb_create_mib[m],
						      &res[m][k]);
				if (r)
					ns[m][k][r - 1] = t;
			}
		}
	}
	for (m = 0; m < ARRAY_SIZE(pb_create_mib); m++) {
		for (k = 0; k < NR_KIND; k++) {
			printf("pcreate,%s,%zu", pb_kind_name[k],
			       pb_create_mib[m]);
			pb_print(ns[m][k], rounds);
			printf(",%zu\n", res[m][k]);
		}
	}
}

/* ---------------------------------------------------------------- */

static int pb_walk_list(void *data, const struct pgclass_extent *ext)
{
	unsigned long *runs = data;

	/* The list of runs of 8 and 9 pages (core.c's pgc_run_list()). */
	if (ext->state == PGCLASS_PAGE_FREE &&
	    (ext->nr_pages == PB_WORST_RUN || ext->nr_pages == PB_WORST_RUN + 1))
		(*runs)++;
	return 0;
}

/*
 * Pages: [meta][L: 9][1][A1: 8][1] .. [AK: 8][1][rest].  Free L, then
 * A1 .. AK: the list of runs of 8 and 9 pages is AK .. A1, L, and the
 * allocation of 9 pages checks AK in O(1), then visits K runs.
 */
static u64 pb_worst_one(size_t mib, unsigned long k, void **blk)
{
	size_t bytes = mib * PB_MIB;
	struct pgclass_pool *pool;
	struct pgclass_stats st;
	unsigned long n = 0, i, runs = 0;
	void *mem = pb_map(bytes), *l, *p;
	u64 t0, dt;

	pool = pgclass_pool_create_zeroed(mem, bytes, PB_SHIFT);
	if (!pool)
		pb_die("no pool of %zu MiB", mib);
	l = pgclass_alloc(pool, (PB_WORST_RUN + 1) * PB_PAGE);
	blk[n++] = pgclass_alloc(pool, PB_PAGE);
	for (i = 0; i < k; i++) {
		blk[n++] = pgclass_alloc(pool, PB_WORST_RUN * PB_PAGE);
		blk[n++] = pgclass_alloc(pool, PB_PAGE);
	}
	pgclass_get_stats(pool, &st);
	if (st.free_pages)
		blk[n++] = pgclass_alloc(pool, (size_t)st.free_pages * PB_PAGE);
	for (i = 0; i < n; i++)
		if (!blk[i] || !l)
			pb_die("worst: layout of %lu runs failed", k);
	pgclass_free(pool, l);
	for (i = 0; i < k; i++) {
		pgclass_free(pool, blk[2 * i + 1]);
		blk[2 * i + 1] = NULL;
	}
	pgclass_walk(pool, pb_walk_list, &runs);
	pgclass_get_stats(pool, &st);
	if (runs != k + 1 || st.fit_scans)
		pb_die("worst: %lu runs on the list, want %lu", runs, k + 1);
	t0 = pb_now();
	p = pgclass_alloc(pool, (PB_WORST_RUN + 1) * PB_PAGE);
	dt = pb_now() - t0;
	pgclass_get_stats(pool, &st);
	if (p != l || st.fit_scans != (k ? 1 : 0))
		pb_die("worst: %lu runs: not the tail, or %llu scans", k,
		       (unsigned long long)st.fit_scans);
	pgclass_free(pool, p);
	for (i = 0; i < n; i++)
		if (blk[i])
			pgclass_free(pool, blk[i]);
	if (pgclass_pool_destroy(pool))
		pb_die("worst: blocks left");
	munmap(mem, bytes);
	return dt;
}

static const size_t pb_worst_mib[] = { 64, 4096 };
/* The runs to visit: these below the pool's most, then its most. */
static const unsigned long pb_worst_k[] = { 0, 1, 16, 256, 1024, 16384 };
#define PB_NR_K	(ARRAY_SIZE(pb_worst_k) + 1)

static void pb_mode_fitworst(int rounds)
{
	static u64 ns[ARRAY_SIZE(pb_worst_mib)][PB_NR_K][PB_MAX_ROUNDS];
	unsigned long ks[ARRAY_SIZE(pb_worst_mib)][PB_NR_K], kmax;
	size_t nk[ARRAY_SIZE(pb_worst_mib)];
	struct pgclass_pool *pool;
	struct pgclass_stats st;
	size_t m, r, i;
	void **blk;
	void *mem;

	for (m = 0; m < ARRAY_SIZE(pb_worst_mib); m++) {
		mem = pb_map(pb_worst_mib[m] * PB_MIB);
		pool = pgclass_pool_create_zeroed(mem, pb_worst_mib[m] * PB_MIB,
						  PB_SHIFT);
		if (!pool)
			pb_die("no pool of %zu MiB", pb_worst_mib[m]);
		pgclass_get_stats(pool, &st);
		pgclass_pool_destroy(pool);
		munmap(mem, pb_worst_mib[m] * PB_MIB);
		/* L and its page, then a run of 8 and a page for each. */
		kmax = (st.nr_pages - st.meta_pages - PB_WORST_RUN - 2) /
		       (PB_WORST_RUN + 1);
		nk[m] = 0;
		for (i = 0; i < ARRAY_SIZE(pb_worst_k); i++)
			if (pb_worst_k[i] < kmax)
				ks[m][nk[m]++] = pb_worst_k[i];
		ks[m][nk[m]++] = kmax;
	}
	for (r = 0; r <= (size_t)rounds; r++) {
		for (m = 0; m < ARRAY_SIZE(pb_worst_mib); m++) {
			for (i = 0; i < nk[m]; i++) {
				blk = calloc(2 * ks[m][i] + 4, sizeof(*blk));
				if (!blk)
					pb_die("out of memory");
				u64 t = pb_worst_one(pb_worst_mib[m], ks[m][i],
						     blk);
				if (r)
					ns[m][i][r - 1] = t;
				free(blk);
			}
		}
	}
	for (m = 0; m < ARRAY_SIZE(pb_worst_mib); m++) {
		for (i = 0; i < nk[m]; i++) {
			printf("pfitworst,%zu,%lu,%d", pb_worst_mib[m],
			       ks[m][i], PB_WORST_RUN + 1);
			pb_print(ns[m][i], rounds);
			putchar('\n');
		}
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int rounds = argc > 2 ? atoi(argv[2]) : 7;

	if (rounds < 1 || rounds > PB_MAX_ROUNDS)
		pb_die("rounds: 1 to %d", PB_MAX_ROUNDS);
	pb_clock();
	if (!strcmp(mode, "create"))
		pb_mode_create(rounds);
	else if (!strcmp(mode, "fitworst"))
		pb_mode_fitworst(rounds);
	else
		pb_die("usage: poolbench create|fitworst [ROUNDS]");
	return fflush(stdout) ? 1 : 0;
}
