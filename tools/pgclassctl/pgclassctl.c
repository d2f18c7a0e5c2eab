// SPDX-License-Identifier: GPL-2.0
/*
 * pgclassctl: look at the pgclass allocator and drive it from a shell.
 *
 *	pgclassctl info | stats | classes | pages | blocks | map
 *	pgclassctl run [FILE]
 *
 * info and stats ask /dev/pgclass; classes, pages, blocks and map print
 * the debugfs files.  run plays a session (see session.c) through one
 * open of /dev/pgclass, so the blocks it allocates are freed when it
 * ends.  PGCLASS_DEV and PGCLASS_DEBUGFS override the device's and the
 * debugfs directory's paths.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pgclass.h>

#include "session.h"

static const char *pgc_dev_path(void)
{
	const char *p = getenv("PGCLASS_DEV");

	return p && *p ? p : "/dev/pgclass";
}

static const char *pgc_debugfs_dir(void)
{
	const char *p = getenv("PGCLASS_DEBUGFS");

	return p && *p ? p : "/sys/kernel/debug/pgclass";
}

static int pgc_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int dev_alloc(void *ctx, uint64_t size, uint64_t *handle,
		     uint64_t *usable)
{
	struct pgclass_ioc_alloc a = { .size = size };
	int ret = pgc_ioctl(*(int *)ctx, PGCLASS_IOC_ALLOC, &a);

	*handle = a.handle;
	*usable = a.usable_size;
	return ret;
}

static int dev_free(void *ctx, uint64_t handle)
{
	struct pgclass_ioc_free f = { .handle = handle };

	return pgc_ioctl(*(int *)ctx, PGCLASS_IOC_FREE, &f);
}

static int dev_realloc(void *ctx, uint64_t handle, uint64_t size,
		       uint64_t *new_handle, uint64_t *usable)
{
	struct pgclass_ioc_realloc r = { .handle = handle, .size = size };
	int ret = pgc_ioctl(*(int *)ctx, PGCLASS_IOC_REALLOC, &r);

	*new_handle = r.new_handle;
	*usable = r.usable_size;
	return ret;
}

static int dev_read(void *ctx, uint64_t handle, uint64_t offset, void *buf,
		    uint64_t len)
{
	struct pgclass_ioc_rw io = {
		.handle = handle, .offset = offset, .len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	return pgc_ioctl(*(int *)ctx, PGCLASS_IOC_READ, &io);
}

static int dev_write(void *ctx, uint64_t handle, uint64_t offset,
		     const void *buf, uint64_t len)
{
	struct pgclass_ioc_rw io = {
		.handle = handle, .offset = offset, .len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	return pgc_ioctl(*(int *)ctx, PGCLASS_IOC_WRITE, &io);
}

static int print_info(int fd, FILE *out)
{
	struct pgclass_ioc_info i;
	int ret = pgc_ioctl(fd, PGCLASS_IOC_INFO, &i);

	if (ret)
		return ret;
	fprintf(out, "abi_version: %u\n", i.abi_version);
	fprintf(out, "page_size: %u\n", i.page_size);
	fprintf(out, "page_shift: %u\n", i.page_shift);
	fprintf(out, "nr_pages: %u\n", i.nr_pages);
	fprintf(out, "meta_pages: %u\n", i.meta_pages);
	fprintf(out, "nr_classes: %u\n", i.nr_classes);
	fprintf(out, "arena_size: %llu\n", (unsigned long long)i.arena_size);
	return 0;
}

/* The same lines, in the same order, as debugfs pgclass/stats. */
static int print_stats(int fd, FILE *out)
{
	struct pgclass_ioc_stats st;
	int ret = pgc_ioctl(fd, PGCLASS_IOC_STATS, &st);
	const struct {
		const char *name;
		__u64 val;
	} rows[] = {
		{ "page_size", st.page_size },
		{ "nr_pages", st.nr_pages },
		{ "meta_pages", st.meta_pages },
		{ "free_pages", st.free_pages },
		{ "used_pages", st.used_pages },
		{ "blocks", st.blocks },
		{ "bytes_allocated", st.bytes_allocated },
		{ "bytes_requested", st.bytes_requested },
		{ "peak_used_pages", st.peak_used_pages },
		{ "alloc_calls", st.alloc_calls },
		{ "free_calls", st.free_calls },
		{ "realloc_calls", st.realloc_calls },
		{ "failed_calls", st.failed_calls },
	};
	size_t i;

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		fprintf(out, "%s: %llu\n", rows[i].name,
			(unsigned long long)rows[i].val);
	return 0;
}

/* Copies debugfs pgclass/@what to @out. */
static int print_debugfs(const char *what, FILE *out)
{
	char path[4096], buf[65536];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pgc_debugfs_dir(), what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fflush(out);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, out);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int dev_dump(void *ctx, const char *what, FILE *out)
{
	int fd = *(int *)ctx;

	if (!strcmp(what, "info"))
		return print_info(fd, out);
	if (!strcmp(what, "stats"))
		return print_stats(fd, out);
	return print_debugfs(what, out);
}

static int open_dev(void)
{
	int fd = open(pgc_dev_path(), O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "pgclassctl: %s: %s (is pgclass.ko loaded?)\n",
			pgc_dev_path(), strerror(errno));
	return fd;
}

static int cmd_run(const char *file)
{
	struct pgc_backend be = {
		.alloc = dev_alloc, .free = dev_free, .realloc = dev_realloc,
		.read = dev_read, .write = dev_write, .dump = dev_dump,
	};
	FILE *in = stdin;
	int fd, failed;

	if (file && strcmp(file, "-")) {
		in = fopen(file, "r");
		if (!in) {
			fprintf(stderr, "pgclassctl: %s: %s\n", file,
				strerror(errno));
			return 2;
		}
	}
	fd = open_dev();
	if (fd < 0)
		return 2;
	be.ctx = &fd;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Echo the commands unless someone is typing them. */
	failed = pgc_session_run(&be, in, stdout, !isatty(fileno(in)));
	close(fd);
	if (in != stdin)
		fclose(in);
	return failed ? 1 : 0;
}

/* info and stats: through the device. */
static int cmd_dev_dump(const char *what)
{
	int fd = open_dev(), ret;

	if (fd < 0)
		return 1;
	ret = dev_dump(&fd, what, stdout);
	close(fd);
	if (ret) {
		fprintf(stderr, "pgclassctl: %s: %s\n", what, strerror(-ret));
		return 1;
	}
	return 0;
}

static int cmd_debugfs(const char *what)
{
	int ret = print_debugfs(what, stdout);

	if (ret) {
		fprintf(stderr, "pgclassctl: %s/%s: %s\n", pgc_debugfs_dir(),
			what, strerror(-ret));
		if (ret == -ENOENT)
			fprintf(stderr, "(is debugfs mounted and pgclass.ko loaded?)\n");
		return 1;
	}
	return 0;
}

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: pgclassctl info|stats|classes|pages|blocks|map\n"
		"       pgclassctl run [FILE]\n"
		"\n"
		"run reads commands from FILE or standard input, one a line:\n"
		"  NAME = alloc SIZE          NAME = realloc NAME SIZE\n"
		"  free NAME                  write NAME OFFSET TEXT\n"
		"  read NAME OFFSET LEN       map | classes | pages | blocks | stats | info\n"
		"  # comment                  ## heading (printed)\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		print_usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "run") && argc <= 3)
		return cmd_run(argc == 3 ? argv[2] : NULL);
	if (argc == 2 && (!strcmp(cmd, "info") || !strcmp(cmd, "stats")))
		return cmd_dev_dump(cmd);
	if (argc == 2 && (!strcmp(cmd, "classes") || !strcmp(cmd, "pages") ||
			  !strcmp(cmd, "blocks") || !strcmp(cmd, "map")))
		return cmd_debugfs(cmd);
	print_usage(stderr);
	return 2;
}
