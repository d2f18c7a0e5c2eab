// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pgclass through its ioctls: every command's success path, every
 * error path, ownership between opens, and that no byte of an earlier
 * owner ever reaches user space.  Needs pgclass.ko loaded and nobody else
 * holding blocks.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

FIXTURE(dev)
{
	int fd;
	struct pgclass_ioc_info info;
	uint64_t page;
	uint64_t data_pages;
};

FIXTURE_SETUP(dev)
{
	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pgc_info(self->fd, &self->info));
	self->page = self->info.page_size;
	self->data_pages = self->info.nr_pages - self->info.meta_pages;
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Fills the whole data area with @c through a block of another open. */
static void scribble_arena(struct __test_metadata *_metadata,
			   uint64_t bytes, unsigned char c)
{
	int fd = pgc_open();
	uint64_t h, usable, off;
	char *buf = malloc(65536);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	memset(buf, c, 65536);
	ASSERT_EQ(0, pgc_alloc(fd, bytes, &h, &usable));
	for (off = 0; off < usable; off += 65536) {
		uint64_t n = usable - off < 65536 ? usable - off : 65536;

		ASSERT_EQ(0, pgc_write(fd, h, off, buf, n));
	}
	ASSERT_EQ(0, pgc_free(fd, h));
	close(fd);
	free(buf);
}

TEST_F(dev, info_geometry)
{
	struct pgclass_ioc_info *i = &self->info;

	EXPECT_EQ(PGCLASS_ABI_VERSION, i->abi_version);
	EXPECT_LE(9, i->page_shift);
	EXPECT_GE(16, i->page_shift);
	EXPECT_EQ(1U << i->page_shift, i->page_size);
	EXPECT_EQ((uint64_t)i->nr_pages * i->page_size, i->arena_size);
	EXPECT_LE(1, i->meta_pages);
	EXPECT_LT(i->meta_pages, i->nr_pages);
	/* 16 B .. half a page, then "page" and "multi". */
	EXPECT_EQ(i->page_shift - 4 + 2, i->nr_classes);
	EXPECT_EQ(0, i->reserved[0] | i->reserved[1] | i->reserved[2] |
		     i->reserved[3]);
}

TEST_F(dev, stats_count_blocks_and_bytes)
{
	struct pgclass_ioc_stats st0, st;
	uint64_t h[3], u[3];

	ASSERT_EQ(0, pgc_stats(self->fd, &st0));
	EXPECT_EQ(self->page, st0.page_size);
	EXPECT_EQ(self->info.nr_pages, st0.nr_pages);
	EXPECT_EQ(self->info.meta_pages, st0.meta_pages);
	EXPECT_EQ(st0.nr_pages, st0.meta_pages + st0.free_pages +
				st0.used_pages);
	EXPECT_EQ(0, st0.blocks);
	EXPECT_EQ(0, st0.bytes_requested);
	/* What the CPUs' caches hold is part of the pages in use. */
	EXPECT_GE(st0.used_pages, st0.cached_pages);

	ASSERT_EQ(0, pgc_alloc(self->fd, 10, &h[0], &u[0]));
	ASSERT_EQ(0, pgc_alloc(self->fd, self->page, &h[1], &u[1]));
	ASSERT_EQ(0, pgc_alloc(self->fd, 2 * self->page + 1, &h[2], &u[2]));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(3, st.blocks);
	EXPECT_EQ(u[0] + u[1] + u[2], st.bytes_allocated);
	EXPECT_EQ(10 + self->page + 2 * self->page + 1, st.bytes_requested);
	EXPECT_EQ(st0.alloc_calls + 3, st.alloc_calls);
	EXPECT_GE(st.peak_used_pages, st.used_pages);

	ASSERT_EQ(0, pgc_realloc(self->fd, h[0], 20, &h[0], NULL));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(20 + self->page + 2 * self->page + 1, st.bytes_requested);
	EXPECT_EQ(st0.realloc_calls + 1, st.realloc_calls);

	ASSERT_EQ(0, pgc_free(self->fd, h[0]));
	ASSERT_EQ(0, pgc_free(self->fd, h[1]));
	ASSERT_EQ(0, pgc_free(self->fd, h[2]));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0, st.blocks);
	EXPECT_EQ(0, st.bytes_allocated);
	EXPECT_EQ(0, st.bytes_requested);
	EXPECT_EQ(st0.free_calls + 3, st.free_calls);
}

TEST_F(dev, alloc_sizes_and_handles)
{
	uint64_t p = self->page;
	uint64_t sizes[] = { 1, 10, 16, 17, 33, 69, 100, 560, p / 2 - 1,
			     p / 2, p / 2 + 1, p - 1, p, p + 1, 3 * p,
			     5 * p - 7 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t h, u, want = pgc_usable_for(p, sizes[i]);

		ASSERT_EQ(0, pgc_alloc(self->fd, sizes[i], &h, &u))
			TH_LOG("alloc %llu", (unsigned long long)sizes[i]);
		EXPECT_EQ(want, u) TH_LOG("size %llu", (unsigned long long)sizes[i]);
		/* Aligned to the class size, or the page for larger blocks. */
		EXPECT_EQ(0, h % (want < p ? want : p));
		EXPECT_LE(self->info.meta_pages * p, h);
		EXPECT_GE(self->info.arena_size, h + u);
		ASSERT_EQ(0, pgc_free(self->fd, h));
	}
}

TEST_F(dev, write_read_whole_block)
{
	uint64_t sizes[] = { 16, 100, self->page, 3 * self->page };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t h, u, j;
		unsigned char *in, *out;

		ASSERT_EQ(0, pgc_alloc(self->fd, sizes[i], &h, &u));
		in = malloc(u);
		out = malloc(u);
		ASSERT_NE(NULL, in);
		ASSERT_NE(NULL, out);
		for (j = 0; j < u; j++)
			in[j] = (unsigned char)(j * 7 + i);
		ASSERT_EQ(0, pgc_write(self->fd, h, 0, in, u));
		ASSERT_EQ(0, pgc_read(self->fd, h, 0, out, u));
		EXPECT_EQ(0, memcmp(in, out, u));
		/* A piece in the middle, and nothing past it touched. */
		ASSERT_EQ(0, pgc_write(self->fd, h, u / 2, "XYZ", 3));
		ASSERT_EQ(0, pgc_read(self->fd, h, 0, out, u));
		EXPECT_EQ(0, memcmp(in, out, u / 2));
		EXPECT_EQ(0, memcmp("XYZ", out + u / 2, 3));
		EXPECT_EQ(0, memcmp(in + u / 2 + 3, out + u / 2 + 3,
				    u - u / 2 - 3));
		/* Zero bytes, even at the very end, are fine. */
		EXPECT_EQ(0, pgc_read(self->fd, h, u, out, 0));
		EXPECT_EQ(0, pgc_write(self->fd, h, u, in, 0));
		ASSERT_EQ(0, pgc_free(self->fd, h));
		free(in);
		free(out);
	}
}

TEST_F(dev, realloc_keeps_contents_across_classes)
{
	static const char text[] = "the quick brown fox";
	uint64_t p = self->page;
	uint64_t steps[] = { 40, 200, p / 2 + 1, p + 1, 4 * p, 3 * p, p,
			     100, 32, 20 };
	char buf[sizeof(text)];
	uint64_t h, u, nh, nu;
	size_t i;

	ASSERT_EQ(0, pgc_alloc(self->fd, 20, &h, &u));
	ASSERT_EQ(0, pgc_write(self->fd, h, 0, text, 20));
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		ASSERT_EQ(0, pgc_realloc(self->fd, h, steps[i], &nh, &nu));
		EXPECT_EQ(pgc_usable_for(p, steps[i]), nu);
		if (nh != h)	/* the old handle is stale */
			EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, 0, buf, 1));
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(0, pgc_read(self->fd, nh, 0, buf, 20));
		EXPECT_EQ(0, memcmp(text, buf, 20))
			TH_LOG("after realloc to %llu", (unsigned long long)steps[i]);
		h = nh;
	}
	ASSERT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dev, realloc_within_class_stays)
{
	uint64_t h, nh, u;

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, &u));
	ASSERT_EQ(128, u);
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 128, &nh, &u));
	EXPECT_EQ(h, nh);
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 65, &nh, &u));
	EXPECT_EQ(h, nh);
	EXPECT_EQ(128, u);
	ASSERT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dev, realloc_zeroes_what_it_adds)
{
	uint64_t p = self->page, h, u;
	unsigned char *buf = malloc(4 * p);

	ASSERT_NE(NULL, buf);
	/* Every data page holds 0x5a: whatever was not zeroed shows. */
	scribble_arena(_metadata, self->data_pages * p, 0x5a);

	ASSERT_EQ(0, pgc_alloc(self->fd, 10, &h, &u));
	ASSERT_EQ(0, pgc_write(self->fd, h, 0, "xxxxxxxxxxxxxxxx", 16));
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 100, &h, &u));
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, u));
	EXPECT_TRUE(pgc_all(buf, 16, 'x'));
	EXPECT_TRUE(pgc_all(buf + 16, u - 16, 0));

	ASSERT_EQ(0, pgc_realloc(self->fd, h, 2 * p - 5, &h, &u));
	ASSERT_EQ(2 * p, u);
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, u));
	EXPECT_TRUE(pgc_all(buf, 16, 'x'));
	EXPECT_TRUE(pgc_all(buf + 16, u - 16, 0));

	/* Grow a multi-page block (in place or not), then shrink it. */
	memset(buf, 'y', 2 * p);
	ASSERT_EQ(0, pgc_write(self->fd, h, 0, buf, 2 * p));
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 4 * p, &h, &u));
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, u));
	EXPECT_TRUE(pgc_all(buf, 2 * p, 'y'));
	EXPECT_TRUE(pgc_all(buf + 2 * p, 2 * p, 0));

	memset(buf, 'z', 4 * p);
	ASSERT_EQ(0, pgc_write(self->fd, h, 0, buf, 4 * p));
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 3 * p - 100, &h, &u));
	ASSERT_EQ(3 * p, u);
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, u));
	EXPECT_TRUE(pgc_all(buf, 3 * p - 100, 'z'));
	/* Past the new size reads zero, even in place. */
	EXPECT_TRUE(pgc_all(buf + 3 * p - 100, 100, 0));

	ASSERT_EQ(0, pgc_realloc(self->fd, h, 10, &h, &u));
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, u));
	EXPECT_TRUE(pgc_all(buf, 10, 'z'));
	EXPECT_TRUE(pgc_all(buf + 10, u - 10, 0));
	ASSERT_EQ(0, pgc_free(self->fd, h));
	free(buf);
}

TEST_F(dev, alloc_never_shows_an_earlier_owner)
{
	uint64_t p = self->page;
	uint64_t sizes[] = { 16, 64, 100, 1000, p / 2 + 1, p, 3 * p };
	unsigned char *buf = malloc(3 * p);
	uint64_t h[64], u;
	size_t i, j, n;

	ASSERT_NE(NULL, buf);
	scribble_arena(_metadata, self->data_pages * p, 0xa5);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (n = 0, j = 0; j < 64; j++) {
			ASSERT_EQ(0, pgc_alloc(self->fd, sizes[i], &h[j], &u));
			n++;
			ASSERT_EQ(0, pgc_read(self->fd, h[j], 0, buf, u));
			EXPECT_TRUE(pgc_all(buf, u, 0))
				TH_LOG("size %llu, block %zu",
				       (unsigned long long)sizes[i], j);
			memset(buf, 0xee, u);
			ASSERT_EQ(0, pgc_write(self->fd, h[j], 0, buf, u));
			if ((j + 1) * u >= self->data_pages * p / 4)
				break;
		}
		for (j = 0; j < n; j++)
			ASSERT_EQ(0, pgc_free(self->fd, h[j]));
	}
	free(buf);
}

TEST_F(dev, close_frees_everything)
{
	struct pgclass_ioc_stats st;
	int fd2 = pgc_open();
	uint64_t h;
	int i;

	ASSERT_LE(0, fd2);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(0, pgc_alloc(fd2, 1 + i * 97, &h, NULL));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(50, st.blocks);
	close(fd2);
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0, st.blocks);
	EXPECT_EQ(0, st.bytes_allocated);
	EXPECT_EQ(0, st.bytes_requested);
}

TEST_F(dev, exhaustion_then_whole_data_area)
{
	uint64_t p = self->page, n = 0, h, *hs;

	hs = calloc(self->data_pages + 1, sizeof(*hs));
	ASSERT_NE(NULL, hs);
	while (n <= self->data_pages && !pgc_alloc(self->fd, p, &hs[n], NULL))
		n++;
	/* Even a class's spare empty page is taken back when needed. */
	EXPECT_EQ(self->data_pages, n);
	EXPECT_EQ(-ENOMEM, pgc_alloc(self->fd, 16, &h, NULL));
	while (n--)
		ASSERT_EQ(0, pgc_free(self->fd, hs[n]));
	free(hs);

	ASSERT_EQ(0, pgc_alloc(self->fd, self->data_pages * p, &h, NULL));
	EXPECT_EQ(self->info.meta_pages * p, h);
	EXPECT_EQ(-ENOMEM, pgc_alloc(self->fd, 1, NULL, NULL));
	ASSERT_EQ(0, pgc_free(self->fd, h));
	/* Within the arena but beyond its data area: no room. */
	EXPECT_EQ(-ENOMEM, pgc_alloc(self->fd, self->data_pages * p + 1,
				     NULL, NULL));
}

TEST_F(dev, realloc_enomem_leaves_block)
{
	uint64_t h, nh, u;
	char buf[6];

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, &u));
	ASSERT_EQ(0, pgc_write(self->fd, h, 0, "hello", 6));
	EXPECT_EQ(-ENOMEM, pgc_realloc(self->fd, h, self->info.arena_size,
				       &nh, &u));
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, 6));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dev, err_unknown_command)
{
	char buf[256] = { 0 };

	const unsigned long cmds[] = {
		_IO(PGCLASS_IOC_MAGIC, 0x1f),
		_IOWR(PGCLASS_IOC_MAGIC, 0x07, struct pgclass_ioc_rw),
		/* A known number with another size or direction is not it. */
		_IOR(PGCLASS_IOC_MAGIC, 0x00, __u32),
		_IOW(PGCLASS_IOC_MAGIC, 0x01, struct pgclass_ioc_alloc),
		_IOR('X', 0x00, struct pgclass_ioc_info),
		0,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT_EQ(-ENOTTY, pgc_ioctl(self->fd, cmds[i], buf));
}

/*
 * Programs built before fit_scans ask for the 128-byte STATS: still
 * served, and nothing past those 128 bytes is written.
 */
TEST_F(dev, stats_of_older_headers)
{
	const size_t old = offsetof(struct pgclass_ioc_stats, fit_scans);
	struct pgclass_ioc_stats st;
	unsigned char buf[sizeof(st)];
	size_t i;

	ASSERT_EQ(128, old);
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, pgc_ioctl(self->fd,
			       _IOC(_IOC_READ, PGCLASS_IOC_MAGIC, 0x06, old),
			       buf));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0, memcmp(buf, &st, old));
	for (i = old; i < sizeof(buf); i++)
		EXPECT_EQ(0xa5, buf[i]) TH_LOG("byte %zu written", i);
	for (i = 0; i < ARRAY_SIZE(st.reserved); i++)
		EXPECT_EQ(0, st.reserved[i]);
}

TEST_F(dev, err_bad_user_pointer)
{
	static const unsigned long cmds[] = {
		PGCLASS_IOC_INFO, PGCLASS_IOC_ALLOC, PGCLASS_IOC_FREE,
		PGCLASS_IOC_REALLOC, PGCLASS_IOC_READ, PGCLASS_IOC_WRITE,
		PGCLASS_IOC_STATS,
	};
	struct pgclass_ioc_stats st;
	uint64_t h, u;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-EFAULT, pgc_ioctl(self->fd, cmds[i], NULL));
		EXPECT_EQ(-EFAULT, pgc_ioctl(self->fd, cmds[i], (void *)16));
	}
	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, &u));
	EXPECT_EQ(-EFAULT, pgc_read(self->fd, h, 0, NULL, 10));
	EXPECT_EQ(-EFAULT, pgc_write(self->fd, h, 0, (void *)16, 10));
	EXPECT_EQ(-EFAULT, pgc_read(self->fd, h, 0, (void *)-4096L, 10));
	ASSERT_EQ(0, pgc_free(self->fd, h));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0, st.blocks);
}

TEST_F(dev, err_efault_on_result_frees_new_block)
{
	struct pgclass_ioc_alloc *a;
	struct pgclass_ioc_stats st;

	/* The request can be read but the result cannot be written back. */
	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	a->size = 100;
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, pgc_ioctl(self->fd, PGCLASS_IOC_ALLOC, a));
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0, st.blocks);
	EXPECT_EQ(0, st.bytes_requested);
	munmap(a, 4096);
}

TEST_F(dev, err_reserved_fields)
{
	struct pgclass_ioc_alloc a = { .size = 16, .reserved = { 0, 1 } };
	struct pgclass_ioc_free f = { .reserved = 1 };
	struct pgclass_ioc_realloc r = { .size = 32, .reserved = { 1, 0 } };
	struct pgclass_ioc_rw io = { .len = 1, .reserved = { 0, 1 } };
	struct pgclass_ioc_stats st;
	char c;
	uint64_t h;

	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_ALLOC, &a));
	a.reserved[1] = 0;
	a.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_ALLOC, &a));

	ASSERT_EQ(0, pgc_alloc(self->fd, 16, &h, NULL));
	f.handle = h;
	r.handle = h;
	io.handle = h;
	io.buf = (uintptr_t)&c;
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_FREE, &f));
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_REALLOC, &r));
	r.reserved[0] = 0;
	r.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_REALLOC, &r));
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_READ, &io));
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_WRITE, &io));
	io.reserved[1] = 0;
	io.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, pgc_ioctl(self->fd, PGCLASS_IOC_READ, &io));
	/* Nothing happened: the block is still there, still 16 bytes. */
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(1, st.blocks);
	EXPECT_EQ(16, st.bytes_allocated);
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dev, err_bad_sizes)
{
	uint64_t h;

	EXPECT_EQ(-EINVAL, pgc_alloc(self->fd, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, pgc_alloc(self->fd, self->info.arena_size + 1,
				     NULL, NULL));
	EXPECT_EQ(-EINVAL, pgc_alloc(self->fd, UINT64_MAX, NULL, NULL));
	EXPECT_EQ(-ENOMEM, pgc_alloc(self->fd, self->info.arena_size,
				     NULL, NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 16, &h, NULL));
	EXPECT_EQ(-EINVAL, pgc_realloc(self->fd, h, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, pgc_realloc(self->fd, h, self->info.arena_size + 1,
				       NULL, NULL));
	EXPECT_EQ(-EINVAL, pgc_realloc(self->fd, h, UINT64_MAX, NULL, NULL));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dev, err_handle_of_another_open)
{
	int fd2 = pgc_open();
	uint64_t h, nh;
	char buf[8] = "";

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pgc_alloc(fd2, 100, &h, NULL));
	ASSERT_EQ(0, pgc_write(fd2, h, 0, "mine", 5));
	EXPECT_EQ(-EINVAL, pgc_free(self->fd, h));
	EXPECT_EQ(-EINVAL, pgc_realloc(self->fd, h, 200, &nh, NULL));
	EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, 0, buf, 5));
	EXPECT_EQ(-EINVAL, pgc_write(self->fd, h, 0, "ours", 5));
	/* The owner's block is untouched. */
	ASSERT_EQ(0, pgc_read(fd2, h, 0, buf, 5));
	EXPECT_STREQ("mine", buf);
	EXPECT_EQ(0, pgc_free(fd2, h));
	close(fd2);
}

TEST_F(dev, err_stale_and_double_free)
{
	uint64_t h, h2, nh;
	char c;

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, NULL));
	ASSERT_EQ(0, pgc_free(self->fd, h));
	EXPECT_EQ(-EINVAL, pgc_free(self->fd, h));
	EXPECT_EQ(-EINVAL, pgc_realloc(self->fd, h, 10, &nh, NULL));
	EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, 0, &c, 1));
	EXPECT_EQ(-EINVAL, pgc_write(self->fd, h, 0, &c, 1));

	/* A handle that moved away in a realloc is stale too. */
	ASSERT_EQ(0, pgc_alloc(self->fd, 16, &h, NULL));
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 3 * self->page, &h2, NULL));
	ASSERT_NE(h, h2);
	EXPECT_EQ(-EINVAL, pgc_free(self->fd, h));
	EXPECT_EQ(0, pgc_free(self->fd, h2));
}

TEST_F(dev, err_made_up_handles)
{
	uint64_t h, u;
	uint64_t bad[] = { 0, 1, 16, self->info.arena_size,
			   self->info.arena_size - 16, UINT64_MAX,
			   (uint64_t)1 << 63 };
	size_t i;
	char c;

	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * self->page, &h, &u));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, pgc_free(self->fd, bad[i]));
		EXPECT_EQ(-EINVAL, pgc_read(self->fd, bad[i], 0, &c, 1));
	}
	/* Inside a block is not a block. */
	EXPECT_EQ(-EINVAL, pgc_free(self->fd, h + 16));
	EXPECT_EQ(-EINVAL, pgc_free(self->fd, h + self->page));
	EXPECT_EQ(-EINVAL, pgc_realloc(self->fd, h + 1, 10, NULL, NULL));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dev, err_read_write_bounds)
{
	uint64_t h, u;
	char buf[300];

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, &u));
	ASSERT_EQ(128, u);
	EXPECT_EQ(0, pgc_read(self->fd, h, 0, buf, 128));
	EXPECT_EQ(0, pgc_read(self->fd, h, 127, buf, 1));
	EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, 0, buf, 129));
	EXPECT_EQ(-EINVAL, pgc_write(self->fd, h, 0, buf, 129));
	EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, 128, buf, 1));
	EXPECT_EQ(-EINVAL, pgc_write(self->fd, h, 100, buf, 29));
	EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, 129, buf, 0));
	/* offset + len wraps around. */
	EXPECT_EQ(-EINVAL, pgc_read(self->fd, h, UINT64_MAX, buf, 2));
	EXPECT_EQ(-EINVAL, pgc_write(self->fd, h, 1, buf, UINT64_MAX));
	EXPECT_EQ(-EINVAL, pgc_write(self->fd, h, UINT64_MAX - 10, buf, 20));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

/* Threads on one open and on another, with debugfs readers alongside. */
struct stress_arg {
	int fd;
	int id;
	uint64_t page;
	int errors;
};

static void *stress_thread(void *p)
{
	struct stress_arg *a = p;
	unsigned int seed = a->id * 7919 + 1;
	unsigned char *buf = malloc(4 * a->page), *chk = malloc(4 * a->page);
	int i;

	for (i = 0; i < 300 && buf && chk; i++) {
		uint64_t size = 1 + rand_r(&seed) % (3 * a->page), h, u, n;
		int ret = pgc_alloc(a->fd, size, &h, &u);

		if (ret == -ENOMEM)
			continue;
		if (ret) {
			a->errors++;
			continue;
		}
		memset(buf, a->id + i, size);
		if (pgc_write(a->fd, h, 0, buf, size) ||
		    pgc_read(a->fd, h, 0, chk, size) || memcmp(buf, chk, size))
			a->errors++;
		n = 1 + rand_r(&seed) % (3 * a->page);
		ret = pgc_realloc(a->fd, h, n, &h, &u);
		if (ret && ret != -ENOMEM)
			a->errors++;
		if (!ret && (pgc_read(a->fd, h, 0, chk, n < size ? n : size) ||
			     memcmp(buf, chk, n < size ? n : size)))
			a->errors++;
		if (pgc_free(a->fd, h))
			a->errors++;
	}
	free(buf);
	free(chk);
	return NULL;
}

static void *debugfs_reader(void *p)
{
	static const char * const files[] = { "pages", "map", "blocks",
					      "classes", "stats" };
	int *stop = p, i = 0;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED))
		free(pgc_slurp(files[i++ % 5]));
	return NULL;
}

TEST_F_TIMEOUT(dev, threads_and_debugfs_readers, 300)
{
	struct stress_arg args[4];
	pthread_t th[4], reader;
	struct pgclass_ioc_stats st;
	int fd2 = pgc_open(), stop = 0, i;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pthread_create(&reader, NULL, debugfs_reader, &stop));
	for (i = 0; i < 4; i++) {
		args[i] = (struct stress_arg){
			.fd = i < 3 ? self->fd : fd2, .id = i,
			.page = self->page,
		};
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stress_thread,
					    &args[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, args[i].errors) TH_LOG("thread %d", i);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(reader, NULL);
	close(fd2);
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0, st.blocks);
	EXPECT_EQ(0, st.bytes_requested);
}

TEST_HARNESS_MAIN
