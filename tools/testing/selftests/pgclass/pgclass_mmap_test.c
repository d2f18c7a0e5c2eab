// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of /dev/pgclass blocks, as DESIGN.md 4 has it: a whole-page or
 * multi-page block the file owns, or a page-aligned part of one, maps
 * MAP_SHARED and shows the same bytes as READ and WRITE; everything
 * else is EINVAL; a mapping never grows; a mapped block cannot be freed
 * or resized (EBUSY) and outlives its file's descriptors; the mapping
 * cannot be pinned (get_user_pages refuses it); fork shares it; and
 * rmmod is refused while it exists.  The geometry tests reload the
 * module with allocator pages smaller and larger than the CPU's.
 *
 * Needs pgclass.ko loaded with its default parameters and nobody else
 * holding blocks; the geometry tests need root and $PGCLASS_KO (default
 * /modules/pgclass.ko), and leave the module loaded with its defaults.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

FIXTURE(map)
{
	int fd;
	struct pgclass_ioc_info info;
	uint64_t page;		/* the allocator's page */
	uint64_t cpu_page;	/* the CPU's page */
	struct pgclass_ioc_stats base;
};

FIXTURE_SETUP(map)
{
	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pgc_info(self->fd, &self->info));
	self->page = self->info.page_size;
	self->cpu_page = getpagesize();
	ASSERT_EQ(self->cpu_page, self->page) TH_LOG("load with defaults");
	ASSERT_EQ(0, pgc_stats(self->fd, &self->base));
	ASSERT_EQ(0ULL, self->base.blocks) TH_LOG("someone else holds blocks");
}

FIXTURE_TEARDOWN(map)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Maps @len bytes at arena offset @off of @fd, shared, read-write. */
static void *map_at(int fd, uint64_t off, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

/* 0 if the mapping could be made (it is undone), else -errno. */
static int map_err(int fd, uint64_t off, size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

/* A pattern that depends on the offset and a seed. */
static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 151 + seed * 13 + 1);
}

TEST_F(map, abi_version_2)
{
	EXPECT_EQ(2U, self->info.abi_version);
	EXPECT_EQ(2, PGCLASS_ABI_VERSION);
}

/* Bytes stored through the mapping are READ's, and WRITE's are seen. */
TEST_F(map, mapping_and_ioctls_see_the_same_bytes)
{
	const uint64_t sizes[] = { self->page, 3 * self->page };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint64_t h, u, len = sizes[i];
		unsigned char *want = malloc(len), *got = malloc(len), *p;

		ASSERT_NE(NULL, want);
		ASSERT_NE(NULL, got);
		ASSERT_EQ(0, pgc_alloc(self->fd, len, &h, &u));
		ASSERT_EQ(len, u);
		p = map_at(self->fd, h, len);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("errno %d", errno);
		/* A new block is zeroed: so is the mapping. */
		EXPECT_TRUE(pgc_all(p, len, 0));
		EXPECT_EQ(1, pgc_mapped_count(h));

		fill(want, len, i);
		memcpy(p, want, len);
		memset(got, 0, len);
		ASSERT_EQ(0, pgc_read(self->fd, h, 0, got, len));
		EXPECT_EQ(0, memcmp(want, got, len));

		fill(want, len, i + 7);
		ASSERT_EQ(0, pgc_write(self->fd, h, 0, want, len));
		EXPECT_EQ(0, memcmp(want, p, len));

		ASSERT_EQ(0, munmap(p, len));
		EXPECT_EQ(0, pgc_mapped_count(h));
		EXPECT_EQ(0, pgc_free(self->fd, h));
		free(want);
		free(got);
	}
}

/* A page-aligned part of a block maps the bytes at that offset. */
TEST_F(map, part_of_a_block)
{
	uint64_t pg = self->page, h;
	unsigned char buf[64], *p;

	ASSERT_EQ(0, pgc_alloc(self->fd, 4 * pg, &h, NULL));
	memcpy(buf, "the second page", 16);
	ASSERT_EQ(0, pgc_write(self->fd, h, pg, buf, 16));
	p = map_at(self->fd, h + pg, 2 * pg);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p, "the second page", 16));
	memcpy(p + pg, "the third", 10);
	ASSERT_EQ(0, pgc_read(self->fd, h, 2 * pg, buf, 10));
	EXPECT_EQ(0, memcmp(buf, "the third", 10));
	/* The last page alone, and a length short of a whole page. */
	EXPECT_EQ(0, map_err(self->fd, h + 3 * pg, pg, MAP_SHARED));
	EXPECT_EQ(0, map_err(self->fd, h + 3 * pg, 100, MAP_SHARED));
	ASSERT_EQ(0, munmap(p, 2 * pg));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

/* Every mapping DESIGN.md refuses, refused with EINVAL. */
TEST_F(map, refusals)
{
	uint64_t pg = self->page, small, whole, multi, other;
	int fd2 = pgc_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &small, NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, pg, &whole, NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 2 * pg, &multi, NULL));
	ASSERT_EQ(0, pgc_alloc(fd2, pg, &other, NULL));

	/* A small block: its page holds other blocks. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, small & ~(pg - 1), pg,
				   MAP_SHARED));
	/* Another file's block, by this file; and this file's by the other. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, other, pg, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(fd2, whole, pg, MAP_SHARED));
	EXPECT_EQ(0, map_err(fd2, other, pg, MAP_SHARED));
	/* Past the block: too long, or from inside to past its end. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, whole, 2 * pg, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, multi, 3 * pg, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, multi + pg, 2 * pg, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, multi + 2 * pg, pg, MAP_SHARED));
	/* Metadata, and beyond the arena. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, 0, pg, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, self->info.arena_size, pg,
				   MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, ~0ULL << 40, pg, MAP_SHARED));
	/* MAP_PRIVATE, of a block that maps shared. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, whole, pg, MAP_PRIVATE));
	/* An offset that is not page-aligned (the kernel's own check). */
	EXPECT_EQ(-EINVAL, map_err(self->fd, multi + 16, pg, MAP_SHARED));
	/* And what is allowed still is. */
	EXPECT_EQ(0, map_err(self->fd, whole, pg, MAP_SHARED));
	EXPECT_EQ(0, map_err(self->fd, multi, 2 * pg, MAP_SHARED));
	/* Nothing stayed counted. */
	EXPECT_EQ(0, pgc_mapped_count(whole));
	EXPECT_EQ(0, pgc_mapped_count(multi));

	EXPECT_EQ(0, pgc_free(self->fd, small));
	EXPECT_EQ(0, pgc_free(self->fd, whole));
	EXPECT_EQ(0, pgc_free(self->fd, multi));
	close(fd2);
}

/* VM_DONTEXPAND: no mremap to a larger size; shrinking is fine. */
TEST_F(map, mremap_cannot_grow)
{
	uint64_t pg = self->page, h;
	void *p, *q;

	ASSERT_EQ(0, pgc_alloc(self->fd, 4 * pg, &h, NULL));
	p = map_at(self->fd, h, 2 * pg);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, 2 * pg, 4 * pg, 0);
	EXPECT_EQ(MAP_FAILED, q);
	q = mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(1, pgc_mapped_count(h));
	/* Shrinking splits nothing off that stays mapped: still one. */
	q = mremap(p, 2 * pg, pg, 0);
	ASSERT_EQ(p, q);
	EXPECT_EQ(1, pgc_mapped_count(h));
	((unsigned char *)p)[0] = 42;
	ASSERT_EQ(0, munmap(p, pg));
	EXPECT_EQ(0, pgc_mapped_count(h));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

/* FREE and REALLOC of a mapped block: EBUSY; after the munmap, fine. */
TEST_F(map, free_and_realloc_busy_while_mapped)
{
	uint64_t pg = self->page, h, nh, u;
	unsigned char *p;

	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * pg, &h, NULL));
	p = map_at(self->fd, h, 3 * pg);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'x';
	EXPECT_EQ(-EBUSY, pgc_free(self->fd, h));
	EXPECT_EQ(-EBUSY, pgc_realloc(self->fd, h, pg, &nh, &u));
	EXPECT_EQ(-EBUSY, pgc_realloc(self->fd, h, 8 * pg, &nh, &u));
	/* Untouched: still mapped, still the same bytes. */
	EXPECT_EQ('x', p[0]);
	/* Unmapping the middle leaves two mappings: still busy. */
	ASSERT_EQ(0, munmap(p + pg, pg));
	EXPECT_EQ(2, pgc_mapped_count(h));
	EXPECT_EQ(-EBUSY, pgc_free(self->fd, h));
	ASSERT_EQ(0, munmap(p, pg));
	EXPECT_EQ(-EBUSY, pgc_realloc(self->fd, h, pg, &nh, &u));
	ASSERT_EQ(0, munmap(p + 2 * pg, pg));
	EXPECT_EQ(0, pgc_mapped_count(h));
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 5 * pg, &nh, &u));
	EXPECT_EQ(0, pgc_free(self->fd, nh));
}

/*
 * Closing the file frees nothing while a mapping holds it; the last
 * munmap frees every block the file had, mapped or not.
 */
TEST_F(map, close_while_mapped_then_last_munmap_frees_all)
{
	uint64_t pg = self->page, h, h2;
	struct pgclass_ioc_stats st;
	unsigned char *p, buf[8];
	int probe = pgc_open();

	ASSERT_LE(0, probe);
	ASSERT_EQ(0, pgc_alloc(self->fd, 2 * pg, &h, NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h2, NULL));
	p = map_at(self->fd, h, 2 * pg);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p, "kept", 4);
	ASSERT_EQ(0, pgc_write(self->fd, h2, 0, "also", 4));

	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, pgc_stats(probe, &st));
	EXPECT_EQ(self->base.blocks + 2, st.blocks);
	EXPECT_EQ(1, pgc_mapped_count(h));
	EXPECT_NE(-1, pgc_mapped_count(h2));
	/* The mapping still works, on the same block. */
	EXPECT_EQ(0, memcmp(p, "kept", 4));
	p[2 * pg - 1] = 1;
	/* ... which is no other file's: the probe cannot touch it. */
	EXPECT_EQ(-EINVAL, pgc_read(probe, h, 0, buf, 4));

	ASSERT_EQ(0, munmap(p, 2 * pg));
	ASSERT_EQ(0, pgc_stats(probe, &st));
	EXPECT_EQ(self->base.blocks, st.blocks);
	EXPECT_EQ(self->base.bytes_requested, st.bytes_requested);
	EXPECT_EQ(-1, pgc_mapped_count(h));
	EXPECT_EQ(-1, pgc_mapped_count(h2));
	close(probe);
}

/*
 * A PFN mapping cannot be pinned: vmsplice() takes its pages with
 * get_user_pages, which refuses VM_IO | VM_PFNMAP with EFAULT.  The
 * same call on ordinary memory works, so the refusal is the mapping's.
 */
TEST_F(map, get_user_pages_refused)
{
	uint64_t pg = self->page, h;
	unsigned char *p, *anon;
	struct iovec iov;
	int pfd[2];
	ssize_t n;

	ASSERT_EQ(0, pgc_alloc(self->fd, pg, &h, NULL));
	p = map_at(self->fd, h, pg);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 'p', pg);
	anon = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	memset(anon, 'a', pg);
	ASSERT_EQ(0, pipe(pfd));

	iov.iov_base = anon;
	iov.iov_len = 64;
	n = vmsplice(pfd[1], &iov, 1, 0);
	EXPECT_EQ(64, n) TH_LOG("vmsplice of anonymous memory: errno %d", errno);

	iov.iov_base = p;
	n = vmsplice(pfd[1], &iov, 1, 0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EFAULT, errno);
	iov.iov_base = p;
	n = vmsplice(pfd[1], &iov, 1, SPLICE_F_GIFT);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EFAULT, errno);

	close(pfd[0]);
	close(pfd[1]);
	munmap(anon, pg);
	ASSERT_EQ(0, munmap(p, pg));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

/* fork shares the mapping: the child sees and writes the same bytes. */
TEST_F(map, fork_shares_the_mapping)
{
	uint64_t pg = self->page, h;
	int go[2], ready[2], status;
	unsigned char *p, buf[16], c;
	pid_t pid;

	ASSERT_EQ(0, pgc_alloc(self->fd, 2 * pg, &h, NULL));
	p = map_at(self->fd, h, 2 * pg);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p + pg, "from the parent", 16);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ok = !memcmp(p + pg, "from the parent", 16);

		memcpy(p, "from the child", 15);
		c = ok ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ('y', c);
	/* Two processes, two mappings of the block. */
	EXPECT_EQ(2, pgc_mapped_count(h));
	EXPECT_EQ(0, memcmp(p, "from the child", 15));
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, 15));
	EXPECT_EQ(0, memcmp(buf, "from the child", 15));
	EXPECT_EQ(-EBUSY, pgc_free(self->fd, h));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(1, pgc_mapped_count(h));
	ASSERT_EQ(0, munmap(p, 2 * pg));
	EXPECT_EQ(0, pgc_free(self->fd, h));
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

static sigjmp_buf fault_jmp;
static int fault_sig;

static void on_fault(int sig)
{
	__atomic_store_n(&fault_sig, sig, __ATOMIC_RELAXED);
	siglongjmp(fault_jmp, 1);
}

/*
 * An access one byte past the mapping faults.  The page after it is a
 * PROT_NONE guard of our own, so that no other mapping can sit there.
 */
TEST_F(map, access_past_the_mapping_faults)
{
	uint64_t pg = self->page, h;
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
	int sig;
	unsigned char *p;
	void *area;

	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * pg, &h, NULL));
	area = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	/* Only the first page of the block, though it has three. */
	p = mmap(area, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 self->fd, h);
	ASSERT_EQ(area, (void *)p);
	p[pg - 1] = 7;

	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	__atomic_store_n(&fault_sig, 0, __ATOMIC_RELAXED);
	if (!sigsetjmp(fault_jmp, 1)) {
		p[pg] = 1;
		/* The store must be made, here: not dropped or moved. */
		asm volatile("" : : : "memory");
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	sig = __atomic_load_n(&fault_sig, __ATOMIC_RELAXED);
	EXPECT_TRUE(sig == SIGSEGV || sig == SIGBUS) TH_LOG("signal %d", sig);

	/* The write past the end reached nothing of the block. */
	{
		unsigned char b;

		ASSERT_EQ(0, pgc_read(self->fd, h, pg, &b, 1));
		EXPECT_EQ(0, b);
	}
	ASSERT_EQ(0, munmap(area, 2 * pg));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

/*
 * A file that owns nothing maps nothing: every page of the arena,
 * metadata, another file's blocks and free pages alike, is EINVAL.
 */
TEST_F(map, file_owning_nothing_maps_nothing)
{
	uint64_t pg = self->page, off, h[3];
	unsigned int refused = 0, pages = 0;
	int empty = pgc_open();

	ASSERT_LE(0, empty);
	ASSERT_EQ(0, pgc_alloc(self->fd, pg, &h[0], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 5 * pg, &h[1], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 64, &h[2], NULL));
	for (off = 0; off < self->info.arena_size; off += self->cpu_page) {
		pages++;
		refused += map_err(empty, off, self->cpu_page, MAP_SHARED) ==
			   -EINVAL;
	}
	EXPECT_EQ(pages, refused);
	EXPECT_EQ(self->info.arena_size / self->cpu_page, pages);
	close(empty);
	EXPECT_EQ(0, pgc_free(self->fd, h[0]));
	EXPECT_EQ(0, pgc_free(self->fd, h[1]));
	EXPECT_EQ(0, pgc_free(self->fd, h[2]));
}

/* ---- with the module reloaded ---- */

FIXTURE(geom)
{
	int unused;
};

FIXTURE_SETUP(geom)
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

/* In the parent: the module goes back to its defaults whatever happened. */
FIXTURE_TEARDOWN_PARENT(geom)
{
	if (pgc_module_loaded() && param("nr_pages") == 1024 &&
	    (1L << param("page_shift")) == getpagesize())
		return;
	if (pgc_module_loaded() && pgc_module_unload())
		return;
	pgc_module_load("");
}

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

/*
 * The module stays while a mapping exists, though every descriptor is
 * closed: the VMA holds the file, the file the module.
 */
TEST_F(geom, rmmod_refused_while_mapped)
{
	uint64_t pg = getpagesize(), h;
	unsigned char *p;
	int fd;

	ASSERT_EQ(0, reload(""));
	fd = pgc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_alloc(fd, 2 * pg, &h, NULL));
	p = map_at(fd, h, 2 * pg);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	EXPECT_NE(0, pgc_module_unload());
	EXPECT_TRUE(pgc_module_loaded());
	memcpy(p, "still here", 10);
	EXPECT_EQ(0, memcmp(p, "still here", 10));
	ASSERT_EQ(0, munmap(p, 2 * pg));
	EXPECT_EQ(0, pgc_module_unload());
	ASSERT_EQ(0, pgc_module_load(""));
}

/*
 * Allocator pages of 512 bytes: a range maps only if each CPU page in it
 * lies wholly inside the block.  One allocator page never does; a block
 * of 16 covers at least one CPU page, wherever it starts.
 */
TEST_F(geom, allocator_pages_smaller_than_cpu_pages)
{
	uint64_t cpu = getpagesize(), h, whole, first;
	unsigned char buf[8], *p;
	int fd;

	if (cpu != 4096)
		SKIP(return, "written for 4 KiB CPU pages");
	ASSERT_EQ(0, reload("page_shift=9 nr_pages=2048"));
	fd = pgc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_alloc(fd, 512, &whole, NULL));
	ASSERT_EQ(0, pgc_alloc(fd, 16 * 512, &h, NULL));

	/* The CPU page around a one-page block holds other pages. */
	EXPECT_EQ(-EINVAL, map_err(fd, whole & ~(cpu - 1), cpu, MAP_SHARED));
	first = (h + cpu - 1) & ~(cpu - 1);
	ASSERT_LE(first + cpu, h + 16 * 512);
	p = map_at(fd, first, cpu);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("errno %d", errno);
	memcpy(p, "inside", 6);
	ASSERT_EQ(0, pgc_read(fd, h, first - h, buf, 6));
	EXPECT_EQ(0, memcmp(buf, "inside", 6));
	ASSERT_EQ(0, munmap(p, cpu));
	/* A CPU page that starts before the block, or ends after it. */
	if (first > h) {
		EXPECT_EQ(-EINVAL, map_err(fd, first - cpu, cpu, MAP_SHARED));
		EXPECT_EQ(-EINVAL, map_err(fd, first, 2 * cpu, MAP_SHARED));
	} else {
		EXPECT_EQ(0, map_err(fd, first, 2 * cpu, MAP_SHARED));
		EXPECT_EQ(-EINVAL, map_err(fd, first, 3 * cpu, MAP_SHARED));
	}
	close(fd);
	ASSERT_EQ(0, reload(""));
}

/*
 * Allocator pages of 64 KiB: a 32 KiB small block spans whole CPU pages
 * but shares its allocator page, so it is refused; a whole page maps,
 * all sixteen CPU pages of it, across the arena's physical pieces.
 */
TEST_F(geom, allocator_pages_larger_than_cpu_pages)
{
	uint64_t pg = 65536, small, h, u;
	unsigned char *p, buf[8];
	int fd;

	if (getpagesize() >= 65536)
		SKIP(return, "CPU pages of 64 KiB or more");
	ASSERT_EQ(0, reload("page_shift=16 nr_pages=64"));
	fd = pgc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_alloc(fd, pg / 2, &small, &u));
	ASSERT_EQ(pg / 2, u);
	EXPECT_EQ(-EINVAL, map_err(fd, small, pg / 2, MAP_SHARED));
	ASSERT_EQ(0, pgc_alloc(fd, 3 * pg, &h, &u));
	ASSERT_EQ(3 * pg, u);
	p = map_at(fd, h, 3 * pg);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p + 3 * pg - 8, "the end", 8);
	ASSERT_EQ(0, pgc_read(fd, h, 3 * pg - 8, buf, 8));
	EXPECT_EQ(0, memcmp(buf, "the end", 8));
	ASSERT_EQ(0, munmap(p, 3 * pg));
	close(fd);
	ASSERT_EQ(0, reload(""));
}

/*
 * A block across most of a 16 MiB arena: the arena is vmap()ed from
 * pieces of at most 4 MiB (order 10), so a 14 MiB mapping spans at
 * least four of them, and one remap_pfn_range() per physically
 * contiguous run.  Every page must be the block's own, in order: a tag stored
 * through the mapping in each page is where READ finds it.  (Whether
 * the pieces happened to be adjacent, making fewer runs, cannot be seen
 * from here: /proc/self/pagemap does not walk PFN mappings.)
 */
TEST_F_TIMEOUT(geom, mapping_across_the_arena_pieces, 120)
{
	uint64_t pg = getpagesize(), npages = 3584, h, i;
	uint64_t len = npages * pg;
	unsigned char *p, *back;
	int fd;

	ASSERT_EQ(0, reload("nr_pages=4096"));
	fd = pgc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pgc_alloc(fd, len, &h, NULL));
	p = map_at(fd, h, len);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < npages; i++) {
		uint64_t tag = i * 0x9e3779b97f4a7c15ULL + 1;

		memcpy(p + i * pg + (i % 64) * 8, &tag, 8);
	}
	back = malloc(len);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, pgc_read(fd, h, 0, back, len));
	for (i = 0; i < npages; i++) {
		uint64_t tag = i * 0x9e3779b97f4a7c15ULL + 1, got;

		memcpy(&got, back + i * pg + (i % 64) * 8, 8);
		if (got != tag) {
			EXPECT_EQ(tag, got) TH_LOG("page %llu of the mapping",
						   (unsigned long long)i);
			break;
		}
	}

	free(back);
	ASSERT_EQ(0, munmap(p, len));
	close(fd);
	ASSERT_EQ(0, reload(""));
}

TEST_HARNESS_MAIN
