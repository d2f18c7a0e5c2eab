// SPDX-License-Identifier: GPL-2.0
/*
 * Torture /dev/pgclass: several processes, each with threads, make random
 * valid and invalid ioctl calls at once, and every result is checked
 * against a model.
 *
 * Each model thread owns one open of its own and shares a second one
 * with the other thread of its process.  It keeps every block it owns
 * (handle, usable size, a shadow of the contents) and checks each call:
 * a valid call on its own block succeeds and reads back exactly what the
 * shadow says (a block's bytes are the thread's own pattern or zero,
 * never another thread's); an invalid one fails with the errno the ABI
 * documents and changes nothing.  Invalid calls: unknown and mis-sized
 * commands, sizes from 0 to 2^64-1, bad pointers (NULL, unmapped, kernel
 * addresses, read-only pages for READ, structures that run into a hole),
 * other threads' handles taken from shared memory, stale handles, double
 * frees, READ and WRITE past the block or overflowing, non-zero reserved
 * fields.  Opens are closed and reopened with blocks in them.  Blocks
 * are mapped, used through the mapping and unmapped, and now and then
 * an open is closed while one of its blocks is mapped.
 *
 * A chaos process has two threads on one descriptor, one of which swaps
 * the open file under the other (dup2) while it is in use: it checks
 * only errnos and that it reads nothing but its own pattern or zero.
 *
 * The parent reads the debugfs files all along, looking for kernel
 * addresses.  Afterwards the pool must hold no block, lockdep must still
 * be on and the kernel no more tainted than before.
 *
 * PGCLASS_TORTURE_SEED and PGCLASS_TORTURE_CALLS (ioctl calls in all)
 * change the seed and the length.  Needs pgclass.ko loaded and nobody
 * else holding blocks.
 *
 * The parts: torture.h, what the files share; torture_model.c, random
 * numbers, reports and the model; torture_valid_ops.c and
 * torture_invalid_ops.c, the calls; torture_chaos.c, the chaos process;
 * and here, the model processes and the test.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"
#include "torture.h"

struct tt_global tt_g;

/* ---- the model processes ---- */

/*
 * What a model thread does, and how often.  The order counts: a seed
 * draws an entry by its place, so a reordering changes every run.
 */
struct op {
	void (*fn)(struct tctx *t);
	unsigned int weight;
};

static const struct op ops[] = {
	{ tt_op_alloc, 150 },
	{ tt_op_alloc_bad_size, 25 },
	{ tt_op_free, 90 },
	{ tt_op_realloc, 100 },
	{ tt_op_read, 110 },
	{ tt_op_write, 120 },
	{ tt_op_rw_bounds, 45 },
	{ tt_op_rw_badbuf, 45 },
	{ tt_op_reserved, 25 },
	{ tt_op_foreign, 60 },
	{ tt_op_stale, 30 },
	{ tt_op_made_up, 25 },
	{ tt_op_unknown, 30 },
	{ tt_op_bad_arg, 35 },
	{ tt_op_read_only_arg, 12 },
	{ tt_op_info_stats, 20 },
	{ tt_op_verify, 20 },
	{ tt_op_reopen, 5 },
	{ tt_op_mmap, 40 },
};

static void one_op(struct tctx *t)
{
	unsigned int total = 0, r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;
	r = tt_below(t, total);
	for (i = 0; r >= ops[i].weight; i++)
		r -= ops[i].weight;
	t->op++;
	ops[i].fn(t);
}

static void *model_thread(void *arg)
{
	struct tctx *t = arg;
	uint64_t *calls = &tt_g.sh->calls[t->w->idx][t->tid];
	int i;

	while (*calls < t->budget)
		one_op(t);

	/* Everything must still read back, on both opens. */
	t->what = "final check";
	for (i = 0; i < t->own.nr; i++)
		tt_verify(t, t->fd, &t->own.b[i], 0);
	pthread_rwlock_rdlock(&t->w->slock);
	for (i = 0; i < t->shr.nr; i++)
		tt_verify(t, t->w->sfd, &t->shr.b[i], 0);
	pthread_rwlock_unlock(&t->w->slock);
	/* Free some; closing frees the rest. */
	t->what = "final free";
	while (t->own.nr && !tt_one_in(t, 3)) {
		struct use u = tt_take(t, OWN, 0);

		if (tt_expect(t, tt_do_free(t, &u, t->own.b[0].h), 0))
			tt_drop(&t->own, &t->own.b[0]);
		else
			break;
	}
	return NULL;
}

/*
 * The blocks debugfs says this process's opens own must be exactly the
 * ones its threads think they own.
 */
static void check_debugfs_blocks(struct wctx *w)
{
	char *text = pgc_slurp("blocks"), *line, *save = NULL;
	char owner[32];
	int listed = 0, known = 0, i, k;
	struct tctx *t = &w->t[0];

	t->what = "debugfs blocks";
	if (!text)
		return;	/* no debugfs: nothing to compare */
	snprintf(owner, sizeof(owner), "pid:%d/", getpid());
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long h, size;
		struct mblock *b = NULL;
		long mapped;

		if (!strstr(line, owner))
			continue;
		listed++;
		if (sscanf(line, "%llx %llu %*s %*s %ld", &h, &size,
			   &mapped) != 3) {
			tt_fail(t, "cannot parse \"%s\"", line);
			continue;
		}
		/* Every mapping was unmapped before the threads ended. */
		if (mapped)
			tt_fail(t, "debugfs says block 0x%llx is mapped %ld times",
				h, mapped);
		for (i = 0; i < T_THREADS && !b; i++) {
			b = tt_find(&w->t[i].own, h);
			if (!b)
				b = tt_find(&w->t[i].shr, h);
		}
		if (!b)
			tt_fail(t, "debugfs lists block 0x%llx, which no thread owns",
				h);
		else if (b->usable != size)
			tt_fail(t, "debugfs says block 0x%llx has %llu bytes, not %llu",
				h, size, (unsigned long long)b->usable);
	}
	for (i = 0; i < T_THREADS; i++)
		known += w->t[i].own.nr + w->t[i].shr.nr;
	if (listed != known)
		tt_fail(t, "debugfs lists %d blocks of this process, its threads own %d",
			listed, known);
	for (i = 0; i < T_THREADS; i++)
		for (k = 0; k < 2; k++)
			tt_drop_all(&w->t[i], k ? &w->t[i].shr : &w->t[i].own);
	free(text);
}

static int thread_init(struct wctx *w, int tid, uint64_t budget)
{
	struct tctx *t = &w->t[tid];
	uint64_t s = tt_g.seed ^ ((uint64_t)(w->idx * T_THREADS + tid) << 32);

	t->w = w;
	t->tid = tid;
	t->gid = w->idx * T_THREADS + tid;
	t->rng = tt_splitmix(&s) | 1;
	t->budget = budget;
	t->what = "setup";
	t->fd = pgc_open();
	t->buf = malloc(tt_g.data + tt_g.page);
	t->ro = mmap(NULL, 2 * tt_g.sys_page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->guard = mmap(NULL, 2 * tt_g.sys_page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->fd < 0 || !t->buf || t->ro == MAP_FAILED ||
	    t->guard == MAP_FAILED)
		return -1;
	tt_fill(t, t->ro, 2 * tt_g.sys_page);
	if (mprotect(t->ro, 2 * tt_g.sys_page, PROT_READ) ||
	    mprotect(t->guard + tt_g.sys_page, tt_g.sys_page, PROT_NONE))
		return -1;
	return 0;
}

static void model_process(int idx, uint64_t budget)
{
	static struct wctx w;
	pthread_rwlockattr_t attr;
	pthread_t th[T_THREADS];
	int i;

	w.idx = idx;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&w.slock, &attr);
	w.sfd = pgc_open();
	for (i = 0; i < T_THREADS; i++) {
		w.t[i].w = &w;
		if (w.sfd < 0 || thread_init(&w, i, budget)) {
			tt_fail(&w.t[i], "setup: %s", strerror(errno));
			_exit(1);
		}
	}
	for (i = 0; i < T_THREADS; i++)
		if (pthread_create(&th[i], NULL, model_thread, &w.t[i]))
			_exit(1);
	for (i = 0; i < T_THREADS; i++)
		pthread_join(th[i], NULL);
	check_debugfs_blocks(&w);
	for (i = 0; i < T_THREADS; i++)
		close(w.t[i].fd);
	close(w.sfd);
	_exit(0);
}

/* ---- the test ---- */

FIXTURE(torture)
{
	int fd;
};

FIXTURE_SETUP(torture)
{
	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(torture)
{
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* Reads a debugfs file and looks for kernel addresses in it. */
static int scan_debugfs(struct __test_metadata *_metadata, const char *name)
{
	char *text = pgc_slurp(name);
	const char *bad;

	if (!text)
		return 0;
	bad = pgc_debugfs_kernel_address(name, text);
	EXPECT_EQ(NULL, bad) TH_LOG("debugfs %s: \"%.40s\"", name, bad);
	free(text);
	return 1;
}

TEST_F_TIMEOUT(torture, random_ioctls, 900)
{
	static const char * const files[] = { "stats", "blocks", "classes",
					      "pages", "map" };
	uint64_t calls = env_u64("PGCLASS_TORTURE_CALLS", T_CALLS);
	uint64_t total = 0, failed = 0, reopens = 0, budget;
	unsigned long reads = 0;
	struct pgclass_ioc_stats st;
	long long taint = pgc_taint();
	struct timespec t0, t1;
	pid_t pid[T_PROCS];
	int i, k, alive, status, lockdep;
	char *text;

	tt_g.seed = env_u64("PGCLASS_TORTURE_SEED", T_SEED);
	tt_g.sys_page = getpagesize();
	ASSERT_EQ(0, pgc_info(self->fd, &tt_g.info));
	tt_g.page = tt_g.info.page_size;
	tt_g.arena = tt_g.info.arena_size;
	tt_g.first = (uint64_t)tt_g.info.meta_pages * tt_g.page;
	tt_g.data = tt_g.arena - tt_g.first;
	tt_g.sh = mmap(NULL, sizeof(*tt_g.sh), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, tt_g.sh);
	tt_g.none = mmap(NULL, 2 * tt_g.sys_page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, tt_g.none);
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	ASSERT_EQ(0ULL, st.blocks) TH_LOG("someone else holds blocks");

	/* Each model thread a tenth, the two chaos threads a tenth each. */
	budget = calls / (T_WORKERS * T_THREADS + T_THREADS);
	pgc_diag("torture: seed 0x%llx, %llu calls, %d processes of %d threads, a chaos process",
		 (unsigned long long)tt_g.seed, (unsigned long long)calls,
		 T_WORKERS, T_THREADS);
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < T_PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			if (i < T_WORKERS)
				model_process(i, budget);
			tt_chaos_process(i, budget);
		}
	}

	/* Read debugfs all along; nothing in it may be a kernel address. */
	for (alive = T_PROCS; alive;) {
		scan_debugfs(_metadata, files[reads++ % ARRAY_SIZE(files)]);
		usleep(2000);
		for (i = 0; i < T_PROCS; i++) {
			if (pid[i] <= 0 || waitpid(pid[i], &status, WNOHANG) <= 0)
				continue;
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
				TH_LOG("process %d: status 0x%x", i, status);
			pid[i] = 0;
			alive--;
		}
	}

	for (i = 0; i < T_PROCS; i++) {
		uint32_t n = tt_g.sh->nr_errors[i];

		for (k = 0; k < T_THREADS; k++) {
			total += tt_g.sh->calls[i][k];
			failed += tt_g.sh->failed[i][k];
			reopens += tt_g.sh->reopens[i][k];
		}
		for (k = 0; k < (int)n && k < T_MSGS; k++)
			TH_LOG("%s", tt_g.sh->msg[i][k]);
		EXPECT_EQ(0U, n) TH_LOG("process %d: %u errors", i, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pgc_diag("torture: %llu ioctl calls (%llu failed as they must), %llu reopens, %lu reads",
		 (unsigned long long)total, (unsigned long long)failed,
		 (unsigned long long)reopens, reads);
	pgc_diag("torture: %ld s", (long)(t1.tv_sec - t0.tv_sec));
	EXPECT_LE(budget * T_PROCS * T_THREADS, total);

	/* Everything closed: nothing is left. */
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.blocks);
	EXPECT_EQ(0ULL, st.bytes_allocated);
	EXPECT_EQ(0ULL, st.bytes_requested);
	EXPECT_EQ(st.nr_pages, st.meta_pages + st.free_pages + st.used_pages);
	text = pgc_slurp("stats");
	if (text) {
		EXPECT_EQ(0LL, pgc_debugfs_stat("blocks"));
		EXPECT_NE(NULL, strstr(text, "\nblocks: 0\n"));
		free(text);
	}
	text = pgc_slurp("blocks");
	if (text) {
		/* Not a block's line, whose owner is "pid:...". */
		EXPECT_EQ(NULL, strstr(text, "pid:"))
			TH_LOG("debugfs blocks still lists:\n%s", text);
		free(text);
	}

	lockdep = pgc_lockdep_on();
	/* 1 where lockdep is on, -1 where there is none, never 0. */
	if (lockdep < 0)
		pgc_diag("torture: no /proc/lockdep_stats, lockdep not checked");
	EXPECT_NE(0, lockdep) TH_LOG("lockdep turned itself off");
	if (taint >= 0)
		taint = (pgc_taint() & ~taint) & ~PGC_TAINT_OK;
	EXPECT_LE(taint, 0LL) TH_LOG("the kernel got taint bits 0x%llx", taint);
	munmap(tt_g.sh, sizeof(*tt_g.sh));
}

TEST_HARNESS_MAIN
