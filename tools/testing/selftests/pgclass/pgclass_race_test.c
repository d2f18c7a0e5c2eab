// SPDX-License-Identifier: GPL-2.0
/*
 * Calls on /dev/pgclass that run at once, now that no device-wide lock
 * orders them.
 *
 *   - Threads of one open race FREE and REALLOC of a block against READ
 *     and WRITE of it, while another open fills and checks blocks of
 *     its own: FREE always succeeds (it waits for the copies), READ and
 *     WRITE succeed or find no block (EINVAL), and no byte ever crosses
 *     from one open's block to the other's.  A block freed under a copy
 *     would show there (and to KASAN, which watches the arena).
 *   - The same race in a child that is killed at a random moment: a FREE
 *     waiting for a copy is killable, and nothing may be left behind.
 *   - Two threads pinned to CPU 0 and CPU 1, on two opens or on one,
 *     allocate, write, read back and free at once: no handle is given
 *     to both at once, every block reads back what its thread wrote.
 *
 * Needs pgclass.ko loaded and nobody else holding blocks; the CPU tests
 * need two CPUs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

/* Bytes of the open that races: its threads' patterns, all below 0x80. */
#define R_WRITER	0x55
#define R_GEN_MAX	0x50
/* Bytes of the other open: 0x80 and up. */
#define R_OTHER		0xaa

/* How long each race runs. */
#define R_SECONDS	4

struct race {
	int fd;			/* the open whose threads race */
	int fd2;		/* the other open */
	uint64_t size;		/* the racing block's size */
	uint64_t cur;		/* the handle the copiers use now, or 0 */
	int busy;		/* the reader is in a READ */
	int stop;
	/* Counts, for the diagnostics. */
	uint64_t frees, reallocs, reads_ok, reads_einval, writes_ok;
	uint64_t writes_einval, other_rounds;
	int errors;
	char msg[256];
};

static __printf(2, 3) void race_fail(struct race *r, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

static int stopped(struct race *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_RELAXED);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits up to @us microseconds for the reader to be in a READ. */
static void wait_reader(struct race *r, int us)
{
	double end = now() + us / 1e6;

	while (!__atomic_load_n(&r->busy, __ATOMIC_ACQUIRE) && now() < end)
		;
}

/* Allocates, fills, publishes, resizes and frees blocks, again and again. */
static void *race_freer(void *p)
{
	struct race *r = p;
	unsigned char *buf = malloc(2 * r->size);
	unsigned int i;

	if (!buf) {
		race_fail(r, "freer: out of memory");
		return NULL;
	}
	for (i = 0; !stopped(r); i++) {
		unsigned char gen = 1 + i % R_GEN_MAX;
		uint64_t h, u, nh, nu, size;
		int ret;

		ret = pgc_alloc(r->fd, r->size, &h, &u);
		if (ret == -ENOMEM)
			continue;
		if (ret) {
			race_fail(r, "ALLOC: %s", strerror(-ret));
			break;
		}
		memset(buf, gen, u);
		ret = pgc_write(r->fd, h, 0, buf, u);
		if (ret) {
			race_fail(r, "WRITE of its own new block: %s",
				  strerror(-ret));
			break;
		}
		__atomic_store_n(&r->cur, h, __ATOMIC_RELEASE);
		wait_reader(r, 2000);
		if (i % 4 == 3) {
			/* Resize it under the copies, to half or to twice. */
			size = i % 8 == 3 ? r->size / 2 : 2 * r->size;
			ret = pgc_realloc(r->fd, h, size, &nh, &nu);
			if (ret && ret != -ENOMEM) {
				race_fail(r, "REALLOC under copies: %s",
					  strerror(-ret));
				break;
			}
			if (!ret) {
				h = nh;
				r->reallocs++;
				__atomic_store_n(&r->cur, h, __ATOMIC_RELEASE);
				wait_reader(r, 2000);
			}
		}
		/* Nobody else frees it: this waits for copies, never fails. */
		ret = pgc_free(r->fd, h);
		if (ret) {
			race_fail(r, "FREE of its own block 0x%llx under copies: %s",
				  (unsigned long long)h, strerror(-ret));
			break;
		}
		r->frees++;
	}
	free(buf);
	return NULL;
}

/* Reads whatever block is current: this open's bytes or zeros only. */
static void *race_reader(void *p)
{
	struct race *r = p;
	unsigned char *buf = malloc(r->size);
	uint64_t i;

	if (!buf) {
		race_fail(r, "reader: out of memory");
		return NULL;
	}
	while (!stopped(r)) {
		uint64_t h = __atomic_load_n(&r->cur, __ATOMIC_ACQUIRE);
		int ret;

		if (!h)
			continue;
		memset(buf, 0xff, r->size);
		__atomic_store_n(&r->busy, 1, __ATOMIC_RELEASE);
		ret = pgc_read(r->fd, h, 0, buf, r->size);
		__atomic_store_n(&r->busy, 0, __ATOMIC_RELEASE);
		if (ret == -EINVAL) {
			r->reads_einval++;
			continue;
		}
		if (ret) {
			race_fail(r, "READ: %s, want success or EINVAL",
				  strerror(-ret));
			break;
		}
		r->reads_ok++;
		for (i = 0; i < r->size; i++) {
			if (buf[i] >= 0x80) {
				race_fail(r, "READ of 0x%llx gave byte 0x%02x at %llu%s",
					  (unsigned long long)h, buf[i],
					  (unsigned long long)i,
					  buf[i] == R_OTHER ?
					  ": THE OTHER OPEN'S DATA" : "");
				break;
			}
		}
	}
	free(buf);
	return NULL;
}

/* Writes this open's pattern into whatever block is current. */
static void *race_writer(void *p)
{
	struct race *r = p;
	unsigned char *buf = malloc(r->size);

	if (!buf) {
		race_fail(r, "writer: out of memory");
		return NULL;
	}
	memset(buf, R_WRITER, r->size);
	while (!stopped(r)) {
		uint64_t h = __atomic_load_n(&r->cur, __ATOMIC_ACQUIRE);
		int ret;

		if (!h)
			continue;
		ret = pgc_write(r->fd, h, 0, buf, r->size);
		if (ret == -EINVAL) {
			r->writes_einval++;
			continue;
		}
		if (ret) {
			race_fail(r, "WRITE: %s, want success or EINVAL",
				  strerror(-ret));
			break;
		}
		r->writes_ok++;
	}
	free(buf);
	return NULL;
}

/*
 * The other open: takes the space the racing open frees and checks
 * that its blocks come zeroed and keep exactly what it wrote.
 */
static void *race_other(void *p)
{
	struct race *r = p;
	unsigned char *buf = malloc(r->size), *chk = malloc(r->size);

	if (!buf || !chk) {
		race_fail(r, "other: out of memory");
		goto out;
	}
	memset(buf, R_OTHER, r->size);
	while (!stopped(r)) {
		uint64_t h, u;
		int ret = pgc_alloc(r->fd2, r->size, &h, &u);

		if (ret == -ENOMEM)
			continue;
		if (ret) {
			race_fail(r, "other ALLOC: %s", strerror(-ret));
			break;
		}
		if (pgc_read(r->fd2, h, 0, chk, r->size) ||
		    !pgc_all(chk, r->size, 0))
			race_fail(r, "other: new block 0x%llx not zeroed",
				  (unsigned long long)h);
		/* Written, then left a while for a stray copy to hit it. */
		if (pgc_write(r->fd2, h, 0, buf, r->size))
			race_fail(r, "other: WRITE failed");
		sched_yield();
		if (pgc_read(r->fd2, h, 0, chk, r->size) ||
		    !pgc_all(chk, r->size, R_OTHER))
			race_fail(r, "other: block 0x%llx changed: THE RACING OPEN WROTE INTO IT",
				  (unsigned long long)h);
		if (pgc_free(r->fd2, h))
			race_fail(r, "other: FREE failed");
		r->other_rounds++;
	}
out:
	free(buf);
	free(chk);
	return NULL;
}

FIXTURE(race)
{
	int fd;
	struct pgclass_ioc_info info;
};

/* An open, the arena's geometry, and no block held by anyone. */
static void open_quiet_device(struct __test_metadata *_metadata, int *fd,
			      struct pgclass_ioc_info *info)
{
	struct pgclass_ioc_stats st;

	*fd = pgc_open();
	if (*fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, *fd);
	ASSERT_EQ(0, pgc_info(*fd, info));
	ASSERT_EQ(0, pgc_stats(*fd, &st));
	ASSERT_EQ(0ULL, st.blocks) TH_LOG("someone else holds blocks");
}

FIXTURE_SETUP(race)
{
	open_quiet_device(_metadata, &self->fd, &self->info);
}

FIXTURE_TEARDOWN(race)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A block large enough that copying it takes a while (several of the
 * device's 64 KiB pieces), small enough that a few fit in the arena.
 */
static uint64_t race_size(const struct pgclass_ioc_info *info)
{
	uint64_t data = (uint64_t)(info->nr_pages - info->meta_pages) *
			info->page_size;
	uint64_t size = data / 8;

	if (size > 512 * 1024)
		size = 512 * 1024;
	return size / info->page_size * info->page_size;
}

/* Nothing held, nothing requested, lockdep still on. */
static void expect_clean(struct __test_metadata *_metadata, int fd)
{
	struct pgclass_ioc_stats st;

	ASSERT_EQ(0, pgc_stats(fd, &st));
	EXPECT_EQ(0ULL, st.blocks);
	EXPECT_EQ(0ULL, st.bytes_allocated);
	EXPECT_EQ(0ULL, st.bytes_requested);
	EXPECT_NE(0, pgc_lockdep_on()) TH_LOG("lockdep turned itself off");
}

TEST_F_TIMEOUT(race, free_realloc_against_read_write, 120)
{
	void *(*const fns[])(void *) = { race_freer, race_reader, race_writer,
					  race_other };
	static struct race r;
	pthread_t th[4];
	int i;

	memset(&r, 0, sizeof(r));
	r.fd = self->fd;
	r.fd2 = pgc_open();
	ASSERT_LE(0, r.fd2);
	r.size = race_size(&self->info);
	ASSERT_LE(2 * self->info.page_size, r.size) TH_LOG("arena too small");
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, fns[i], &r));
	sleep(R_SECONDS);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);

	pgc_diag("race: blocks of %llu bytes: %llu FREEs, %llu REALLOCs",
		 (unsigned long long)r.size, (unsigned long long)r.frees,
		 (unsigned long long)r.reallocs);
	pgc_diag("race: READ %llu ok, %llu EINVAL; WRITE %llu ok, %llu EINVAL",
		 (unsigned long long)r.reads_ok,
		 (unsigned long long)r.reads_einval,
		 (unsigned long long)r.writes_ok,
		 (unsigned long long)r.writes_einval);
	pgc_diag("race: the other open: %llu blocks filled and checked",
		 (unsigned long long)r.other_rounds);
	EXPECT_EQ(0, r.errors) TH_LOG("%d errors, the first: %s", r.errors,
				      r.msg);
	/* The race ran: blocks were freed and copied both. */
	EXPECT_LT(0ULL, r.frees);
	EXPECT_LT(0ULL, r.reads_ok);
	EXPECT_LT(0ULL, r.writes_ok);
	close(r.fd2);
	expect_clean(_metadata, self->fd);
}

/* The child of the killing test: the race, until it is killed. */
static void race_child(uint64_t size)
{
	static struct race r;
	pthread_t th[3];
	int i;

	r.fd = pgc_open();
	r.fd2 = -1;
	r.size = size;
	if (r.fd < 0)
		_exit(2);
	for (i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, i == 0 ? race_freer :
				   i == 1 ? race_reader : race_writer, &r))
			_exit(3);
	/* Only SIGKILL ends it. */
	for (;;)
		pause();
}

TEST_F_TIMEOUT(race, killed_while_freeing, 120)
{
	uint64_t size = race_size(&self->info);
	struct pgclass_ioc_stats st;
	unsigned int seed = 0x5eed, round;
	int status;

	for (round = 0; round < 30; round++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid)
			race_child(size);
		usleep(2000 + rand_r(&seed) % 30000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("round %u: the child ended with status 0x%x",
			       round, status);
		/* Its file was released: every block it had went back. */
		ASSERT_EQ(0, pgc_stats(self->fd, &st));
		ASSERT_EQ(0ULL, st.blocks) TH_LOG("round %u", round);
		ASSERT_EQ(0ULL, st.bytes_requested) TH_LOG("round %u", round);
	}
	expect_clean(_metadata, self->fd);
}

/* ---- two CPUs at once ---- */

#define C_LIVE		16	/* blocks a thread holds at most */
#define C_ROUNDS	3000

struct cpu_arg {
	int fd;
	int cpu;
	unsigned char tag;	/* this thread's pattern byte */
	uint64_t page;
	uint64_t arena;
	unsigned char *owner;	/* per 16-byte slot of the arena: tag or 0 */
	pthread_barrier_t *start;
	double t0, t1;
	uint64_t allocs, enomem;
	int wrong_cpu;
	int errors;
	char msg[256];
};

static __printf(2, 3) void cpu_fail(struct cpu_arg *a, const char *fmt, ...)
{
	va_list ap;

	if (a->errors++)
		return;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
}

/* Frees block @i of @h, giving its slot up first. */
static void cpu_free(struct cpu_arg *a, uint64_t *h, int i)
{
	int ret;

	__atomic_store_n(&a->owner[h[i] / 16], 0, __ATOMIC_RELEASE);
	ret = pgc_free(a->fd, h[i]);
	if (ret)
		cpu_fail(a, "FREE 0x%llx: %s", (unsigned long long)h[i],
			 strerror(-ret));
	h[i] = 0;
}

static void *cpu_thread(void *p)
{
	struct cpu_arg *a = p;
	uint64_t h[C_LIVE] = { 0 }, size[C_LIVE] = { 0 };
	unsigned char *buf = malloc(4 * a->page), *chk = malloc(4 * a->page);
	unsigned int seed = a->tag * 2654435761u;
	cpu_set_t set;
	int i, round;

	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	if (!buf || !chk || sched_setaffinity(0, sizeof(set), &set)) {
		cpu_fail(a, "setup: %s", strerror(errno));
		pthread_barrier_wait(a->start);
		goto out;
	}
	pthread_barrier_wait(a->start);
	a->t0 = now();
	for (round = 0; round < C_ROUNDS; round++) {
		uint64_t u;
		int ret;

		if (sched_getcpu() != a->cpu)
			a->wrong_cpu++;
		i = rand_r(&seed) % C_LIVE;
		if (h[i]) {
			/* What was written is still there, then free it. */
			if (pgc_read(a->fd, h[i], 0, chk, size[i]) ||
			    !pgc_all(chk, size[i], a->tag))
				cpu_fail(a, "block 0x%llx does not read back",
					 (unsigned long long)h[i]);
			cpu_free(a, h, i);
			continue;
		}
		size[i] = 1 + rand_r(&seed) % (rand_r(&seed) % 4 ?
					       a->page / 2 : 4 * a->page);
		ret = pgc_alloc(a->fd, size[i], &h[i], &u);
		if (ret == -ENOMEM) {
			a->enomem++;
			h[i] = 0;
			continue;
		}
		if (ret) {
			cpu_fail(a, "ALLOC %llu: %s",
				 (unsigned long long)size[i], strerror(-ret));
			h[i] = 0;
			break;
		}
		a->allocs++;
		if (h[i] % 16 || h[i] >= a->arena ||
		    u != pgc_usable_for(a->page, size[i])) {
			cpu_fail(a, "ALLOC %llu gave 0x%llx+%llu",
				 (unsigned long long)size[i],
				 (unsigned long long)h[i],
				 (unsigned long long)u);
			h[i] = 0;
			break;
		}
		/* Held by nobody else this very moment. */
		if (!__sync_bool_compare_and_swap(&a->owner[h[i] / 16], 0,
						  a->tag)) {
			cpu_fail(a, "handle 0x%llx handed out while the other thread holds it",
				 (unsigned long long)h[i]);
			h[i] = 0;
			break;
		}
		memset(buf, a->tag, size[i]);
		if (pgc_read(a->fd, h[i], 0, chk, size[i]) ||
		    !pgc_all(chk, size[i], 0))
			cpu_fail(a, "new block 0x%llx not zeroed",
				 (unsigned long long)h[i]);
		if (pgc_write(a->fd, h[i], 0, buf, size[i]))
			cpu_fail(a, "WRITE to 0x%llx failed",
				 (unsigned long long)h[i]);
	}
	a->t1 = now();
	for (i = 0; i < C_LIVE; i++)
		if (h[i])
			cpu_free(a, h, i);
out:
	free(buf);
	free(chk);
	return NULL;
}

FIXTURE(cpus)
{
	int fd;
	struct pgclass_ioc_info info;
};

FIXTURE_VARIANT(cpus)
{
	int same_file;
};

FIXTURE_VARIANT_ADD(cpus, two_files)
{
	.same_file = 0,
};

FIXTURE_VARIANT_ADD(cpus, one_file)
{
	.same_file = 1,
};

FIXTURE_SETUP(cpus)
{
	open_quiet_device(_metadata, &self->fd, &self->info);
}

FIXTURE_TEARDOWN(cpus)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F_TIMEOUT(cpus, alloc_free_at_once, 120)
{
	struct cpu_arg a[2];
	pthread_barrier_t start;
	pthread_t th[2];
	unsigned char *owner;
	int i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: nothing runs at once");
	owner = calloc(self->info.arena_size / 16, 1);
	ASSERT_NE(NULL, owner);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	for (i = 0; i < 2; i++) {
		a[i] = (struct cpu_arg){
			.fd = i && !variant->same_file ? pgc_open() : self->fd,
			.cpu = i, .tag = 0x31 + i,
			.page = self->info.page_size,
			.arena = self->info.arena_size,
			.owner = owner, .start = &start,
		};
		ASSERT_LE(0, a[i].fd);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, cpu_thread, &a[i]));
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	for (i = 0; i < 2; i++) {
		pgc_diag("cpu %d: %llu ALLOCs (%llu ENOMEM) in %.2f s, %d rounds elsewhere",
			 a[i].cpu, (unsigned long long)a[i].allocs,
			 (unsigned long long)a[i].enomem, a[i].t1 - a[i].t0,
			 a[i].wrong_cpu);
		EXPECT_EQ(0, a[i].errors) TH_LOG("cpu %d: %d errors, the first: %s",
						 a[i].cpu, a[i].errors,
						 a[i].msg);
		EXPECT_EQ(0, a[i].wrong_cpu) TH_LOG("cpu %d", a[i].cpu);
		EXPECT_LT(0ULL, a[i].allocs);
	}
	/* Both ran at once: each began before the other ended. */
	EXPECT_LT(a[0].t0, a[1].t1);
	EXPECT_LT(a[1].t0, a[0].t1);
	if (a[1].fd != self->fd)
		close(a[1].fd);
	pthread_barrier_destroy(&start);
	free(owner);
	expect_clean(_metadata, self->fd);
}

TEST_HARNESS_MAIN
