// SPDX-License-Identifier: GPL-2.0
/*
 * Handles are reused, as file descriptors are: what a stale handle does.
 *
 * A handle is the block's offset in the arena, so once a block is given
 * back (FREE, or a REALLOC that moved it) its offset can be handed out
 * again, at once.  Until the file gets a block there again, every call
 * with the old handle is EINVAL; once it does, the old handle names the
 * new block.  A block another file gets there stays out of reach.  The
 * uapi header (include/uapi/linux/pgclass.h) promises exactly this; these
 * tests hold it to it.  Needs pgclass.ko loaded and nobody else holding
 * blocks.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "pgclass_util.h"

/* Allocations tried before giving up on getting an offset back. */
#define PGC_REUSE_TRIES	1024

FIXTURE(handle)
{
	int fd;
	uint64_t page;
};

FIXTURE_SETUP(handle)
{
	struct pgclass_ioc_info info;

	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pgc_info(self->fd, &info));
	self->page = info.page_size;
}

/* Closing frees what the tests leave. */
FIXTURE_TEARDOWN(handle)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Allocates @size bytes through @fd until a block comes at @want, keeping
 * the others (closing @fd frees them).  Returns how many others there
 * were, or -1 if none came at @want.
 */
static int pgc_alloc_at(int fd, uint64_t size, uint64_t want)
{
	uint64_t h;
	int n;

	for (n = 0; n < PGC_REUSE_TRIES; n++) {
		if (pgc_alloc(fd, size, &h, NULL))
			return -1;
		if (h == want)
			return n;
	}
	return -1;
}

/* Every call with @h on @fd is EINVAL. */
static void pgc_expect_rejected(struct __test_metadata *_metadata, int fd,
				uint64_t h)
{
	char c = 'x';

	EXPECT_EQ(-EINVAL, pgc_read(fd, h, 0, &c, 1));
	EXPECT_EQ(-EINVAL, pgc_write(fd, h, 0, &c, 1));
	EXPECT_EQ(-EINVAL, pgc_realloc(fd, h, 8, NULL, NULL));
	EXPECT_EQ(-EINVAL, pgc_free(fd, h));
}

TEST_F(handle, freed_rejected_until_its_offset_comes_back)
{
	char buf[16];
	uint64_t h;
	int others;

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, NULL));
	ASSERT_EQ(0, pgc_write(self->fd, h, 0, "old owner", 10));
	ASSERT_EQ(0, pgc_free(self->fd, h));
	pgc_expect_rejected(_metadata, self->fd, h);

	/* The offset is handed out again: the old handle names the new block. */
	others = pgc_alloc_at(self->fd, 100, h);
	ASSERT_LE(0, others);
	if (others)
		pgc_diag("offset 0x%llx came back after %d other blocks",
			 (unsigned long long)h, others);
	ASSERT_EQ(0, pgc_read(self->fd, h, 0, buf, sizeof(buf)));
	EXPECT_TRUE(pgc_all(buf, sizeof(buf), 0));	/* a new, zeroed block */
	EXPECT_EQ(0, pgc_free(self->fd, h));
	pgc_expect_rejected(_metadata, self->fd, h);
}

TEST_F(handle, moved_away_rejected_until_its_offset_comes_back)
{
	uint64_t h, moved;

	ASSERT_EQ(0, pgc_alloc(self->fd, 16, &h, NULL));
	ASSERT_EQ(0, pgc_realloc(self->fd, h, 3 * self->page, &moved, NULL));
	ASSERT_NE(h, moved);
	pgc_expect_rejected(_metadata, self->fd, h);

	ASSERT_LE(0, pgc_alloc_at(self->fd, 16, h));
	EXPECT_EQ(0, pgc_write(self->fd, h, 0, "new", 4));
	EXPECT_EQ(0, pgc_free(self->fd, h));
	EXPECT_EQ(0, pgc_free(self->fd, moved));
}

TEST_F(handle, offset_reused_by_another_open_stays_foreign)
{
	int other = pgc_open();
	char buf[8] = "";
	uint64_t h;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, pgc_alloc(self->fd, 64, &h, NULL));
	ASSERT_EQ(0, pgc_free(self->fd, h));

	/* Another open gets the offset: not ours, whatever the number. */
	ASSERT_LE(0, pgc_alloc_at(other, 64, h));
	ASSERT_EQ(0, pgc_write(other, h, 0, "theirs", 7));
	pgc_expect_rejected(_metadata, self->fd, h);
	ASSERT_EQ(0, pgc_read(other, h, 0, buf, 7));
	EXPECT_STREQ("theirs", buf);
	close(other);
}

TEST_HARNESS_MAIN
