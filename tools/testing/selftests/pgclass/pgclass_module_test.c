// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass.ko's life: loads with other geometries, bad parameters refused
 * with EINVAL, a load larger than memory refused with ENOMEM and nothing
 * lost, rmmod refused while /dev/pgclass is open, and every allocation of
 * the load path failed in turn (fail-nth) without a leak or a crash.
 *
 * Each test leaves pgclass.ko loaded with its default parameters, as the
 * other tests expect.  The module file is $PGCLASS_KO, by default
 * /modules/pgclass.ko.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

FIXTURE(mod)
{
	int unused;
};

FIXTURE_SETUP(mod)
{
	if (access(pgc_ko_path(), R_OK))
		SKIP(return, "%s missing", pgc_ko_path());
	if (geteuid())
		SKIP(return, "loading modules needs root");
}

/* A module parameter as sysfs shows it, or -1. */
static long param(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/pgclass/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strtol(buf, NULL, 10);
}

static int loaded_with_defaults(void)
{
	return pgc_module_loaded() && param("nr_pages") == 1024 &&
	       (1L << param("page_shift")) == getpagesize();
}

/*
 * Runs in the parent, so that even a test that failed half-way gives the
 * module back as the other tests expect it.
 */
FIXTURE_TEARDOWN_PARENT(mod)
{
	if (loaded_with_defaults())
		return;
	if (pgc_module_loaded() && pgc_module_unload())
		return;
	pgc_module_load("");
}

/* Replaces the module with one loaded with @params; 0 or -errno. */
static int reload(const char *params)
{
	int ret;

	if (pgc_module_loaded()) {
		ret = pgc_module_unload();
		if (ret)
			return ret;
	}
	return pgc_module_load(params);
}

/* Allocates, writes, reads back and frees blocks of several classes. */
static void exercise(struct __test_metadata *_metadata, unsigned int shift,
		     unsigned int nr_pages)
{
	struct pgclass_ioc_info info;
	struct pgclass_ioc_stats st;
	uint64_t p = 1ULL << shift, sizes[] = { 1, 100, p / 2 + 1, p, 2 * p };
	char buf[64];
	int fd = pgc_open();
	size_t i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_info(fd, &info));
	EXPECT_EQ(shift, info.page_shift);
	EXPECT_EQ(p, info.page_size);
	EXPECT_EQ(nr_pages, info.nr_pages);
	EXPECT_EQ((uint64_t)nr_pages << shift, info.arena_size);
	EXPECT_EQ(shift - 2, info.nr_classes);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t h, u;

		if (sizes[i] > (info.nr_pages - info.meta_pages) * p)
			continue;
		ASSERT_EQ(0, pgc_alloc(fd, sizes[i], &h, &u));
		/* Larger blocks sit on allocator page boundaries. */
		if (sizes[i] > p / 2)
			EXPECT_EQ(0, h % p);
		ASSERT_EQ(0, pgc_write(fd, h, u - 5, "tail", 5));
		ASSERT_EQ(0, pgc_read(fd, h, u - 5, buf, 5));
		EXPECT_STREQ("tail", buf);
		ASSERT_EQ(0, pgc_free(fd, h));
	}
	ASSERT_EQ(0, pgc_stats(fd, &st));
	EXPECT_EQ(0, st.blocks);
	close(fd);
}

/* The same with the default parameters, whatever PAGE_SHIFT is. */
static void exercise_default(struct __test_metadata *_metadata)
{
	struct pgclass_ioc_info info;
	int fd = pgc_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_info(fd, &info));
	close(fd);
	EXPECT_EQ(getpagesize(), info.page_size);
	EXPECT_TRUE(loaded_with_defaults());
	exercise(_metadata, info.page_shift, 1024);
}

TEST_F(mod, rmmod_refused_while_open)
{
	int fd;

	ASSERT_EQ(0, reload(""));
	fd = pgc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_alloc(fd, 100, NULL, NULL));
	EXPECT_NE(0, pgc_module_unload());
	EXPECT_TRUE(pgc_module_loaded());
	/* Still serving the open file. */
	EXPECT_EQ(0, pgc_alloc(fd, 100, NULL, NULL));
	close(fd);
	EXPECT_EQ(0, pgc_module_unload());
	EXPECT_FALSE(pgc_module_loaded());
	EXPECT_NE(0, access(PGC_DEV, F_OK));
	EXPECT_NE(0, access(PGC_DEBUGFS, F_OK));
	ASSERT_EQ(0, pgc_module_load(""));
	exercise_default(_metadata);
}

struct geometry {
	unsigned int shift;
	unsigned int nr_pages;
};

TEST_F_TIMEOUT(mod, other_geometries, 120)
{
	const struct geometry g[] = {
		/* the least: one metadata page and one data page */
		{ 9, 2 }, { 12, 2 }, { 16, 2 },
		{ 9, 1024 }, { 10, 333 }, { 12, 1024 }, { 13, 100 },
		{ 14, 4097 }, { 16, 64 },
	};
	char params[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(g); i++) {
		snprintf(params, sizeof(params), "page_shift=%u nr_pages=%u",
			 g[i].shift, g[i].nr_pages);
		ASSERT_EQ(0, reload(params)) TH_LOG("%s", params);
		exercise(_metadata, g[i].shift, g[i].nr_pages);
	}
	ASSERT_EQ(0, reload(""));
}

TEST_F(mod, bad_params_einval)
{
	static const char * const bad[] = {
		"page_shift=8", "page_shift=17", "page_shift=0",
		"page_shift=4294967295", "nr_pages=0", "nr_pages=1",
		"nr_pages=-1", "nr_pages=abc", "page_shift=12x",
		"page_shift=16 nr_pages=1",
		/*
		 * More pages than a pool can index (2^28 - 2), or 64 GiB
		 * and more (16-byte blocks counted in 32 bits): the core's
		 * pgclass_meta_size() refuses them before the arena is
		 * reserved, so EINVAL and not the ENOMEM that reserving
		 * more than the guest has would give.
		 */
		"nr_pages=268435455", "nr_pages=1048576 page_shift=16",
		"nr_pages=4294967295 page_shift=16",
	};
	size_t i;

	if (pgc_module_loaded())
		ASSERT_EQ(0, pgc_module_unload());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, pgc_module_load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(pgc_module_loaded());
	}
	ASSERT_EQ(0, pgc_module_load(""));
}

static long long meminfo_kb(const char *key)
{
	char line[256];
	long long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ':')
			val = strtoll(line + strlen(key) + 1, NULL, 10);
	if (f)
		fclose(f);
	return val;
}

TEST_F(mod, more_than_memory_enomem)
{
	long long total = meminfo_kb("MemTotal"), before, after;
	static const char * const params[] = {
		/* 4 GiB, 64 GiB less a page: more than the guest has */
		"nr_pages=1048576",
		"nr_pages=1048575 page_shift=16",
	};
	size_t i;

	ASSERT_LT(0, total);
	if (total > (4LL << 20))
		SKIP(return, "this machine has more than 4 GiB");
	if (pgc_module_loaded())
		ASSERT_EQ(0, pgc_module_unload());
	before = meminfo_kb("MemFree");
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		EXPECT_EQ(-ENOMEM, pgc_module_load(params[i])) TH_LOG("%s", params[i]);
		EXPECT_FALSE(pgc_module_loaded());
	}
	after = meminfo_kb("MemFree");
	/* Nothing kept: allow for the noise of a running system. */
	EXPECT_GT(16 << 10, before - after)
		TH_LOG("MemFree %lld kB before, %lld kB after", before, after);
	ASSERT_EQ(0, pgc_module_load(""));
	exercise_default(_metadata);
}

/* Loads with @params while fault @nth fails; *left as pgc_fault_disarm(). */
static int load_with_fault(struct pgc_fault *f, unsigned long nth,
			   const char *params, unsigned long *left)
{
	int ret = pgc_fault_arm(f, nth);

	if (ret)
		return ret;
	ret = pgc_module_load(params);
	*left = pgc_fault_disarm(f);
	return ret;
}

#define FAR_AWAY	1000000UL

/*
 * Fail the Nth fault point of a load, for each N from where the module's
 * init starts until a load sees no fault: every allocation of the init
 * path fails once.  A load must then fail with ENOMEM or, where the init
 * can do without (a high order, debugfs), succeed and work.  Leaks show
 * in the test bed's kmemleak scan.
 */
TEST_F_TIMEOUT(mod, every_init_allocation_fails_cleanly, 600)
{
	unsigned long nth, start, left, failures = 0, survived = 0;
	struct pgc_fault f;
	int ret;

	if (pgc_fault_start(&f))
		SKIP(return, "no fail-nth, failslab or fail_page_alloc");
	if (pgc_module_loaded())
		ASSERT_EQ(0, pgc_module_unload());

	/*
	 * The fault points that loading passes before the module's init: a
	 * load whose init refuses its parameters at once, with no fault.
	 */
	ret = load_with_fault(&f, FAR_AWAY, "page_shift=99", &left);
	EXPECT_EQ(-EINVAL, ret);
	start = FAR_AWAY - left;
	TH_LOG("loading passes %lu fault points before the init", start);

	for (nth = start > 2 ? start - 2 : 1; nth < start + 5000; nth++) {
		ret = load_with_fault(&f, nth, "", &left);
		if (left) {
			/* The whole load passed fewer points: done. */
			EXPECT_EQ(0, ret);
			break;
		}
		if (ret) {
			failures++;
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("fault %lu", nth);
			EXPECT_FALSE(pgc_module_loaded());
			continue;
		}
		/* It did without what failed: it must work, and go cleanly. */
		survived++;
		exercise_default(_metadata);
		ret = pgc_module_unload();
		EXPECT_EQ(0, ret) TH_LOG("fault %lu", nth);
		if (ret)
			break;
	}
	TH_LOG("faults %lu..%lu: %lu loads failed, %lu did without",
	       start, nth, failures, survived);
	EXPECT_LT(0, failures);
	pgc_fault_stop(&f);
}

TEST_HARNESS_MAIN
