// SPDX-License-Identifier: GPL-2.0
/*
 * What /dev/pgclass and its debugfs files must never give away:
 *
 *  - a kernel address, in any field of any ioctl result (failed calls and
 *    results cut short by a fault included) or anywhere in a debugfs file;
 *  - access, to a process that is not root: opening the device or
 *    reading a debugfs file is EACCES;
 *  - data, from one open to another: what an open wrote, then freed,
 *    moved away from by REALLOC, or left behind when it closed, never
 *    reads back through another open.
 *
 * Needs pgclass.ko loaded and nobody else holding blocks; the access
 * test needs root to drop.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

#define NOBODY		65534

static const char * const debugfs_files[] = {
	"stats", "classes", "pages", "blocks", "map",
};

FIXTURE(sec)
{
	int fd;
	struct pgclass_ioc_info info;
	uint64_t page;
	uint64_t data;		/* bytes in the data pages */
};

FIXTURE_SETUP(sec)
{
	struct pgclass_ioc_stats st;

	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pgc_info(self->fd, &self->info));
	self->page = self->info.page_size;
	self->data = (uint64_t)(self->info.nr_pages - self->info.meta_pages) *
		     self->page;
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	ASSERT_EQ(0ULL, st.blocks) TH_LOG("someone else holds blocks");
}

FIXTURE_TEARDOWN(sec)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* ---- kernel addresses in results ---- */

#define SENTINEL	0xa5a5a5a5a5a5a5a5ULL

/*
 * Every 64-bit word of @res must be a number no kernel address comes
 * near, or, if @sent is given, what was sent there before the call.
 * The words filled with the sentinel before a call that succeeds must
 * all have been written.
 */
static void expect_no_address(struct __test_metadata *_metadata,
			      const char *what, const void *res,
			      const void *sent, size_t size)
{
	const uint64_t *r = res, *s = sent;
	size_t i;

	for (i = 0; i < size / 8; i++)
		EXPECT_TRUE(r[i] < PGC_USER_TOP || (s && r[i] == s[i]))
			TH_LOG("%s: word %zu is 0x%llx", what, i,
			       (unsigned long long)r[i]);
}

/* Fills @p with the sentinel, keeping @keep leading bytes. */
static void sentinel(void *p, size_t size, size_t keep)
{
	uint64_t *w = p;
	size_t i;

	for (i = keep / 8; i < size / 8; i++)
		w[i] = SENTINEL;
}

static void check_stats(struct __test_metadata *_metadata, int fd)
{
	struct pgclass_ioc_stats st;

	sentinel(&st, sizeof(st), 0);
	ASSERT_EQ(0, pgc_stats(fd, &st));
	expect_no_address(_metadata, "STATS", &st, NULL, sizeof(st));
	/* Counts of pages and blocks, never addresses. */
	EXPECT_GE(st.nr_pages, st.cached_pages);
	EXPECT_GE(st.nr_pages << 12, st.cached_blocks);
}

TEST_F(sec, no_kernel_address_in_ioctl_results)
{
	uint64_t pg = self->page, arena = self->info.arena_size;
	const uint64_t sizes[] = { 1, 16, 17, 33, 65, 129, 257, 513, 1025,
				   pg / 2, pg / 2 + 1, pg, pg + 1, 5 * pg };
	struct pgclass_ioc_alloc a, sa;
	struct pgclass_ioc_realloc r, sr;
	struct pgclass_ioc_info info;
	uint64_t h[ARRAY_SIZE(sizes)];
	size_t i, n = 0;
	char *hole;

	/* INFO's 32-bit fields are small by nature; its 64-bit ones: */
	sentinel(&info, sizeof(info), 0);
	ASSERT_EQ(0, pgc_info(self->fd, &info));
	EXPECT_GE(65536U, info.page_size);
	EXPECT_GE(16U, info.page_shift);
	EXPECT_GT(info.nr_pages, info.meta_pages);
	EXPECT_GE(16U, info.nr_classes);
	expect_no_address(_metadata, "INFO", &info.arena_size, NULL,
			  sizeof(info) - offsetof(struct pgclass_ioc_info,
						  arena_size));
	EXPECT_EQ(0ULL, info.reserved[0] | info.reserved[1] |
		  info.reserved[2] | info.reserved[3]);
	check_stats(_metadata, self->fd);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		a = (struct pgclass_ioc_alloc){ .size = sizes[i] };
		sentinel(&a, sizeof(a), 8);
		a.reserved[0] = 0;
		a.reserved[1] = 0;
		ASSERT_EQ(0, pgc_ioctl(self->fd, PGCLASS_IOC_ALLOC, &a));
		expect_no_address(_metadata, "ALLOC", &a, NULL, sizeof(a));
		/* A handle is an offset into the data pages, nothing else. */
		EXPECT_LE((uint64_t)self->info.meta_pages * pg, a.handle);
		EXPECT_GT(arena, a.handle);
		EXPECT_GE(arena - a.handle, a.usable_size);
		EXPECT_EQ(0ULL, a.reserved[0] | a.reserved[1]);
		h[n++] = a.handle;
		check_stats(_metadata, self->fd);
	}
	for (i = 0; i < n; i++) {
		r = (struct pgclass_ioc_realloc){ .handle = h[i] };
		r.size = sizes[(i + 3) % ARRAY_SIZE(sizes)];
		sentinel(&r, sizeof(r), 16);
		r.reserved[0] = 0;
		r.reserved[1] = 0;
		ASSERT_EQ(0, pgc_ioctl(self->fd, PGCLASS_IOC_REALLOC, &r));
		expect_no_address(_metadata, "REALLOC", &r, NULL, sizeof(r));
		EXPECT_GT(arena, r.new_handle);
		EXPECT_GE(arena - r.new_handle, r.usable_size);
		h[i] = r.new_handle;
	}

	/* Calls that fail give nothing back either. */
	a = (struct pgclass_ioc_alloc){ .size = arena };
	sentinel(&a, sizeof(a), 8);
	a.reserved[0] = 0;
	a.reserved[1] = 0;
	sa = a;
	EXPECT_EQ(-ENOMEM, pgc_ioctl(self->fd, PGCLASS_IOC_ALLOC, &a));
	expect_no_address(_metadata, "failed ALLOC", &a, &sa, sizeof(a));
	r = (struct pgclass_ioc_realloc){ .handle = h[0], .size = arena };
	sentinel(&r, sizeof(r), 16);
	r.reserved[0] = 0;
	r.reserved[1] = 0;
	sr = r;
	EXPECT_EQ(-ENOMEM, pgc_ioctl(self->fd, PGCLASS_IOC_REALLOC, &r));
	expect_no_address(_metadata, "failed REALLOC", &r, &sr, sizeof(r));
	r.handle = h[0] + 8;
	r.size = 16;
	sr = r;
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_REALLOC, &r));
	expect_no_address(_metadata, "refused REALLOC", &r, &sr, sizeof(r));

	/*
	 * Results cut short by a hole: what was written before it is the
	 * start of the true result.
	 */
	hole = mmap(NULL, 2 * getpagesize(), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, mprotect(hole + getpagesize(), getpagesize(), PROT_NONE));
	for (i = 8; i < sizeof(info); i += 8) {
		char *p = hole + getpagesize() - i;

		memset(p, 0xa5, i);
		EXPECT_EQ(-EFAULT, pgc_ioctl(self->fd, PGCLASS_IOC_INFO, p));
		EXPECT_TRUE(!memcmp(p, &info, i) || pgc_all(p, i, 0xa5))
			TH_LOG("INFO cut short after %zu bytes", i);
	}
	munmap(hole, 2 * getpagesize());

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pgc_free(self->fd, h[i]));
	check_stats(_metadata, self->fd);
}

/* Reads every debugfs file and looks for kernel addresses in it. */
static void scan_debugfs(struct __test_metadata *_metadata, const char *when)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(debugfs_files); i++) {
		char *text = pgc_slurp(debugfs_files[i]);
		const char *bad;

		ASSERT_NE(NULL, text) TH_LOG("debugfs %s", debugfs_files[i]);
		bad = pgc_debugfs_kernel_address(debugfs_files[i], text);
		EXPECT_EQ(NULL, bad)
			TH_LOG("debugfs %s, %s: \"%.40s\"", debugfs_files[i],
			       when, bad);
		free(text);
	}
}

TEST_F(sec, no_kernel_address_in_debugfs)
{
	uint64_t pg = self->page, h[64], size;
	int fd2 = pgc_open(), i, n = 0;

	if (access(PGC_DEBUGFS, F_OK))
		SKIP(return, PGC_DEBUGFS " missing: is debugfs mounted?");
	ASSERT_LE(0, fd2);
	scan_debugfs(_metadata, "empty");
	/* Every class, by two owners: every state of a page shows. */
	for (size = 16; size <= pg / 2; size <<= 1) {
		ASSERT_EQ(0, pgc_alloc(self->fd, size, &h[n++], NULL));
		ASSERT_EQ(0, pgc_alloc(fd2, size - 1, NULL, NULL));
	}
	ASSERT_EQ(0, pgc_alloc(self->fd, pg, &h[n++], NULL));
	ASSERT_EQ(0, pgc_alloc(fd2, 7 * pg, NULL, NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * pg - 1, &h[n++], NULL));
	scan_debugfs(_metadata, "in use");
	/* A class's spare page, a hole in a run, a freed head. */
	for (i = 0; i < n; i += 2)
		ASSERT_EQ(0, pgc_free(self->fd, h[i]));
	scan_debugfs(_metadata, "after frees");
	close(fd2);
	for (i = 1; i < n; i += 2)
		ASSERT_EQ(0, pgc_free(self->fd, h[i]));
	scan_debugfs(_metadata, "empty again");
}

/* The scan itself finds what it is there to find. */
TEST_F(sec, kernel_address_scan)
{
	const char *map;
	static const char * const bad[] = {
		"ptr: 0xffff888003a41000\n", "x ffffffff81000000 y",
		"blocks: 18446612682143305728\n", "0xFFFFC90000123000",
		"a 0000000012345678abcd b",
	};
	static const char * const good[] = {
		"page_size: 4096\nblocks: 0\nalloc_calls: 123456789\n",
		"0x3ff000 4096 page pid:51/1\n", "  index offset     state\n",
		"class  block_size    pages  blocks_used blocks_total util_pct\n",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_NE(NULL, pgc_find_kernel_address(bad[i])) TH_LOG("bad %zu", i);
	for (i = 0; i < ARRAY_SIZE(good); i++)
		EXPECT_EQ(NULL, pgc_find_kernel_address(good[i])) TH_LOG("good %zu", i);
	/* Sixteen pages of 512-byte blocks are not an address... */
	map = "M meta  . free  a 16 b 32\nMMffffffffffffffffff..H=\n";
	EXPECT_EQ(NULL, pgc_debugfs_kernel_address("map", map));
	/* ...but a number in the map is out of place. */
	map = "M meta\nMM0xffff888003a41000\n";
	EXPECT_NE(NULL, pgc_debugfs_kernel_address("map", map));
}

/* ---- access for a process that is not root ---- */

/* open() as it went: 0 if it succeeded (and the file is closed again). */
static int try_open(int dir, const char *name, int flags)
{
	int fd = openat(dir, name, flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

TEST_F(sec, not_root_gets_eacces)
{
	static const int modes[] = { O_RDWR, O_RDONLY, O_WRONLY };
	int dev, dbg, status, i;
	struct stat st;
	pid_t pid;

	if (geteuid())
		SKIP(return, "not root: nothing to drop");
	/* The device and the files are root's alone. */
	ASSERT_EQ(0, stat(PGC_DEV, &st));
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0600U, st.st_mode & 07777);
	/*
	 * The directories, opened while root: from them, only the files'
	 * own modes can refuse (the guest's / is 0700, say, which would
	 * refuse every path by itself).
	 */
	dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dev);
	dbg = open(PGC_DEBUGFS, O_PATH | O_DIRECTORY | O_CLOEXEC);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Only EXPECT here: an ASSERT would return into the harness. */
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
			EXPECT_TRUE(0) TH_LOG("cannot drop root: %s",
					      strerror(errno));
			_exit(1);
		}
		EXPECT_EQ(NOBODY, (int)geteuid());
		/* The way is open: a device anyone may use opens. */
		EXPECT_EQ(0, try_open(dev, "null", O_RDWR));
		for (i = 0; i < (int)ARRAY_SIZE(modes); i++) {
			EXPECT_EQ(-EACCES, try_open(dev, "pgclass", modes[i]));
			EXPECT_EQ(-EACCES, try_open(AT_FDCWD, PGC_DEV, modes[i]));
		}
		for (i = 0; dbg >= 0 && i < (int)ARRAY_SIZE(debugfs_files); i++) {
			char path[256];

			snprintf(path, sizeof(path), "%s/%s", PGC_DEBUGFS,
				 debugfs_files[i]);
			EXPECT_EQ(-EACCES, try_open(AT_FDCWD, path, O_RDONLY))
				TH_LOG("%s", path);
			EXPECT_EQ(-EACCES, try_open(dbg, debugfs_files[i],
						    O_RDONLY))
				TH_LOG("%s, from its directory", path);
		}
		/* The directory lets anyone in: the files' modes refuse. */
		if (dbg >= 0)
			EXPECT_EQ(0, try_open(dbg, ".", O_RDONLY | O_DIRECTORY));
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(dev);
	if (dbg >= 0)
		close(dbg);
}

/* ---- one open's data never reaches another ---- */

static const char secret[] = "pgclass-SECRET:";	/* no zero byte inside */

static void fill_secret(unsigned char *p, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = secret[i % (sizeof(secret) - 1)];
}

/*
 * Reads [0, len) of @h through @fd: it must be all zero.  Returns 0 if
 * so; where it is not, says whether it is the secret.
 */
static int expect_zero(struct __test_metadata *_metadata, int fd,
		       uint64_t h, uint64_t off, uint64_t len,
		       unsigned char *buf, const char *what)
{
	uint64_t i;

	if (pgc_read(fd, h, off, buf, len)) {
		EXPECT_TRUE(0) TH_LOG("%s: cannot read 0x%llx", what,
				      (unsigned long long)h);
		return -1;
	}
	for (i = 0; i < len && !buf[i]; i++)
		;
	if (i == len)
		return 0;
	EXPECT_EQ(0, buf[i])
		TH_LOG("%s: block 0x%llx byte %llu is 0x%02x%s", what,
		       (unsigned long long)h, (unsigned long long)(off + i),
		       buf[i], memmem(buf, len, secret, 8) ?
		       ", and the other open's secret is in it" : "");
	return -1;
}

TEST_F_TIMEOUT(sec, freed_data_never_reaches_another_open, 300)
{
	uint64_t pg = self->page;
	const uint64_t sizes[] = { 16, 32, 64, 128, 256, 512, 1024, 2048, 100,
				   pg / 2 + 1, pg, 2 * pg + 1, 5 * pg, 30 };
	size_t nsizes = ARRAY_SIZE(sizes), n = 0, i;
	unsigned char *buf = malloc(self->data);
	uint64_t *h, *u, used = 0, whole;
	struct pgclass_ioc_stats st;
	int a, b;

	ASSERT_NE(NULL, buf);
	h = calloc(self->info.nr_pages * 4, sizeof(*h));
	u = calloc(self->info.nr_pages * 4, sizeof(*u));
	ASSERT_NE(NULL, h);
	ASSERT_NE(NULL, u);

	/*
	 * Open A fills two thirds of the arena with the secret, moves a
	 * third of its blocks (writing the secret where they went), frees a
	 * third and closes with the rest.
	 */
	a = pgc_open();
	ASSERT_LE(0, a);
	while (used < self->data / 3 * 2 && n < self->info.nr_pages * 4) {
		if (pgc_alloc(a, sizes[n % nsizes], &h[n], &u[n]))
			break;
		fill_secret(buf, u[n]);
		ASSERT_EQ(0, pgc_write(a, h[n], 0, buf, u[n]));
		used += u[n++];
	}
	ASSERT_LT(100U, n);
	for (i = 0; i < n; i += 3) {
		uint64_t nh, nu;

		if (pgc_realloc(a, h[i], sizes[(i + 5) % nsizes], &nh, &nu))
			continue;
		h[i] = nh;
		u[i] = nu;
		fill_secret(buf, u[i]);
		ASSERT_EQ(0, pgc_write(a, h[i], 0, buf, u[i]));
	}
	for (i = 1; i < n; i += 3)
		ASSERT_EQ(0, pgc_free(a, h[i]));
	close(a);
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	ASSERT_EQ(0ULL, st.blocks);

	/*
	 * Open B takes the same sizes back, grows half of them, and finds
	 * zeros everywhere.
	 */
	b = pgc_open();
	ASSERT_LE(0, b);
	for (n = 0, used = 0; used < self->data / 3 * 2 &&
	     n < self->info.nr_pages * 4; n++) {
		if (pgc_alloc(b, sizes[n % nsizes], &h[n], &u[n]))
			break;
		expect_zero(_metadata, b, h[n], 0, u[n], buf, "new block");
		used += u[n];
	}
	for (i = 0; i < n; i += 2) {
		uint64_t nh, nu;

		if (pgc_realloc(b, h[i], 2 * u[i] + 1, &nh, &nu))
			continue;
		EXPECT_LT(u[i], nu);
		h[i] = nh;
		u[i] = nu;
		expect_zero(_metadata, b, h[i], 0, u[i], buf, "grown block");
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pgc_free(b, h[i]));

	/* And the whole data area, in one block: not a byte of it. */
	ASSERT_EQ(0, pgc_alloc(b, self->data, &whole, NULL));
	EXPECT_EQ(0, expect_zero(_metadata, b, whole, 0, self->data, buf,
				 "the whole data area"));
	close(b);
	free(h);
	free(u);
	free(buf);
}

TEST_HARNESS_MAIN
