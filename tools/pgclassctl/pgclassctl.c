// SPDX-License-Identifier: GPL-2.0
/*
 * pgclassctl: look at the pgclass allocator and drive it from a shell.
 *
 *	pgclassctl info | stats | classes | pages | blocks | cpus
 *	pgclassctl map [--color[=WHEN]] [--svg FILE]
 *	pgclassctl run [--color[=WHEN]] [FILE]
 *	pgclassctl top [-d SECONDS] [--color[=WHEN]]
 *	pgclassctl help [COMMAND] | --help | COMMAND --help
 *
 * info and stats ask /dev/pgclass; classes, pages, blocks and map print
 * the debugfs files (debugfs.c), the map in colour on a terminal
 * (color.c) or drawn as an SVG picture (svg.c).  run plays a session
 * (session.c) through one open of /dev/pgclass, so the blocks it
 * allocates are freed when it ends.  top shows the stats that change,
 * the classes and the map, redrawn on a terminal (top.c).  PGCLASS_DEV
 * and PGCLASS_DEBUGFS override the device's and the debugfs directory's
 * paths; the help texts (help.c) say the rest.
 *
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pgclass.h>

#include "color.h"
#include "debugfs.h"
#include "help.h"
#include "session.h"
#include "top.h"

/* What the device backend of a session needs. */
struct pgc_dev {
	int fd;
	int color;		/* print the map in colour */
};

static const char *pgc_dev_path(void)
{
	const char *p = getenv("PGCLASS_DEV");

	return p && *p ? p : "/dev/pgclass";
}

static int dev_fd(void *ctx)
{
	return ((struct pgc_dev *)ctx)->fd;
}

static int pgc_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int dev_alloc(void *ctx, uint64_t size, uint64_t *handle,
		     uint64_t *usable)
{
	struct pgclass_ioc_alloc a = { .size = size };
	int ret = pgc_ioctl(dev_fd(ctx), PGCLASS_IOC_ALLOC, &a);

	*handle = a.handle;
	*usable = a.usable_size;
	return ret;
}

static int dev_free(void *ctx, uint64_t handle)
{
	struct pgclass_ioc_free f = { .handle = handle };

	return pgc_ioctl(dev_fd(ctx), PGCLASS_IOC_FREE, &f);
}

static int dev_realloc(void *ctx, uint64_t handle, uint64_t size,
		       uint64_t *new_handle, uint64_t *usable)
{
	struct pgclass_ioc_realloc r = { .handle = handle, .size = size };
	int ret = pgc_ioctl(dev_fd(ctx), PGCLASS_IOC_REALLOC, &r);

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

	return pgc_ioctl(dev_fd(ctx), PGCLASS_IOC_READ, &io);
}

static int dev_write(void *ctx, uint64_t handle, uint64_t offset,
		     const void *buf, uint64_t len)
{
	struct pgclass_ioc_rw io = {
		.handle = handle, .offset = offset, .len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	return pgc_ioctl(dev_fd(ctx), PGCLASS_IOC_WRITE, &io);
}

static int dev_mmap(void *ctx, uint64_t handle, uint64_t offset, uint64_t len,
		    void **addr)
{
	void *p;

	if (handle + offset < handle)
		return -EINVAL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev_fd(ctx),
		 (off_t)(handle + offset));
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int dev_munmap(void *ctx, void *addr, uint64_t len)
{
	(void)ctx;
	return munmap(addr, len) ? -errno : 0;
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
		{ "fit_scans", st.fit_scans },
		{ "cached_blocks", st.cached_blocks },
		{ "cached_pages", st.cached_pages },
		{ "cache_busy_failures", st.cache_busy_failures },
	};
	size_t i;

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		fprintf(out, "%s: %llu\n", rows[i].name,
			(unsigned long long)rows[i].val);
	return 0;
}

static int dev_dump(void *ctx, const char *what, FILE *out)
{
	struct pgc_dev *dev = ctx;

	if (!strcmp(what, "info"))
		return print_info(dev->fd, out);
	if (!strcmp(what, "stats"))
		return print_stats(dev->fd, out);
	fflush(out);
	return pgc_debugfs_print(what, out, dev->color);
}

static int dev_svg(void *ctx, const char *path, const char *caption)
{
	(void)ctx;
	return pgc_debugfs_svg(path, caption, NULL, 0);
}

static int open_dev(void)
{
	int fd = open(pgc_dev_path(), O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "pgclassctl: %s: %s (is pgclass.ko loaded?)\n",
			pgc_dev_path(), strerror(errno));
	return fd;
}

/* The command line: a command, its options and its arguments. */
struct pgc_args {
	const char *cmd;
	enum pgc_color_when color;
	const char *svg;	/* map --svg FILE */
	const char *file;	/* run FILE */
	double delay;		/* top -d SECONDS */
};

static int cmd_run(const struct pgc_args *a)
{
	struct pgc_backend be = {
		.alloc = dev_alloc, .free = dev_free, .realloc = dev_realloc,
		.read = dev_read, .write = dev_write, .dump = dev_dump,
		.svg = dev_svg, .mmap = dev_mmap, .munmap = dev_munmap,
	};
	struct pgc_session_opts opts = { 0 };
	struct pgc_dev dev;
	FILE *in = stdin;
	int failed;

	if (a->file && strcmp(a->file, "-")) {
		in = fopen(a->file, "r");
		if (!in) {
			fprintf(stderr, "pgclassctl: %s: %s\n", a->file,
				strerror(errno));
			return 2;
		}
	}
	dev.fd = open_dev();
	if (dev.fd < 0) {
		if (in != stdin)
			fclose(in);
		return 2;
	}
	dev.color = pgc_color_use(a->color, STDOUT_FILENO);
	be.ctx = &dev;
	/* Echo the commands unless someone is typing them. */
	opts.echo = !isatty(fileno(in));
	opts.svg_dir = getenv("PGCLASS_SVG_DIR");
	if (opts.svg_dir && !*opts.svg_dir)
		opts.svg_dir = NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	failed = pgc_session_run(&be, in, stdout, &opts);
	close(dev.fd);
	if (in != stdin)
		fclose(in);
	return failed ? 1 : 0;
}

/* info and stats: through the device. */
static int cmd_dev_dump(const char *what)
{
	struct pgc_dev dev = { .fd = open_dev() };
	int ret;

	if (dev.fd < 0)
		return 1;
	ret = dev_dump(&dev, what, stdout);
	close(dev.fd);
	if (ret) {
		fprintf(stderr, "pgclassctl: %s: %s\n", what, strerror(-ret));
		return 1;
	}
	return 0;
}

static int cmd_debugfs(const char *what, int color)
{
	int ret = pgc_debugfs_print(what, stdout, color);

	if (!ret && fflush(stdout))
		ret = -errno;
	if (ret) {
		fprintf(stderr, "pgclassctl: %s/%s: %s\n", pgc_debugfs_dir(),
			what, strerror(-ret));
		if (ret == -ENOENT)
			fprintf(stderr, "(is debugfs mounted and pgclass.ko loaded?)\n");
		return 1;
	}
	return 0;
}

static int cmd_map(const struct pgc_args *a)
{
	char why[4096 + 128];

	if (!a->svg)
		return cmd_debugfs("map",
				   pgc_color_use(a->color, STDOUT_FILENO));
	if (pgc_debugfs_svg(a->svg, NULL, why, sizeof(why))) {
		fprintf(stderr, "pgclassctl: map --svg: %s\n", why);
		return 1;
	}
	return 0;
}

/* Bad usage of @cmd: says why on stderr, with @cmd's usage; returns 2. */
static int usage_error(const char *cmd, const char *what, const char *word)
{
	fprintf(stderr, "pgclassctl: %s%s%s", cmd ? cmd : "", cmd ? ": " : "",
		what);
	if (word)
		fprintf(stderr, " \"%s\"", word);
	fputc('\n', stderr);
	pgc_usage(cmd, stderr);
	fprintf(stderr, "Try \"pgclassctl help%s%s\".\n", cmd ? " " : "",
		cmd ? cmd : "");
	return 2;
}

/* pgclassctl help [COMMAND] */
static int cmd_help(int argc, char **argv)
{
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")))
		argv[0] = "help";
	if (argc > 1)
		return usage_error("help", "too many arguments", NULL);
	if (argc == 1 && !pgc_is_command(argv[0]))
		return usage_error("help", "unknown command", argv[0]);
	pgc_help(argc ? argv[0] : NULL, stdout);
	return 0;
}

/*
 * The options and arguments after the command.  Returns 0, 1 if one was
 * --help (printed), or 2 after a usage error.
 */
static int parse_args(struct pgc_args *a, int argc, char **argv)
{
	int colors = !strcmp(a->cmd, "map") || !strcmp(a->cmd, "run") ||
		     !strcmp(a->cmd, "top");
	int top = !strcmp(a->cmd, "top");
	int options = 1, i;
	const char *w;

	for (i = 0; i < argc; i++) {
		w = argv[i];
		if (options && (!strcmp(w, "--help") || !strcmp(w, "-h"))) {
			pgc_help(a->cmd, stdout);
			return 1;
		} else if (options && !strcmp(w, "--")) {
			options = 0;
		} else if (options && colors && !strcmp(w, "--color")) {
			a->color = PGC_COLOR_ALWAYS;
		} else if (options && colors && !strncmp(w, "--color=", 8)) {
			if (pgc_color_parse(w + 8, &a->color))
				return usage_error(a->cmd,
						   "--color takes auto, always or never, not",
						   w + 8);
		} else if (options && !strcmp(a->cmd, "map") &&
			   !strncmp(w, "--svg", 5) && (!w[5] || w[5] == '=')) {
			a->svg = w[5] ? w + 6 : i + 1 < argc ? argv[++i] : NULL;
			if (!a->svg || !*a->svg)
				return usage_error(a->cmd, "--svg needs a FILE",
						   NULL);
		} else if (options && top &&
			   (!strncmp(w, "-d", 2) || !strcmp(w, "--delay") ||
			    !strncmp(w, "--delay=", 8))) {
			const char *d = !strncmp(w, "--delay", 7) ?
					(w[7] ? w + 8 : NULL) : (w[2] ? w + 2 : NULL);

			if (!d && i + 1 < argc)
				d = argv[++i];
			if (!d)
				return usage_error(a->cmd, "-d needs SECONDS", NULL);
			if (pgc_top_parse_delay(d, &a->delay))
				return usage_error(a->cmd,
						   "-d takes seconds from 0.1 to 86400, not",
						   d);
		} else if (options && w[0] == '-' && w[1]) {
			return usage_error(a->cmd, "unknown option", w);
		} else if (!strcmp(a->cmd, "run") && !a->file) {
			a->file = w;
		} else {
			return usage_error(a->cmd, "unexpected argument", w);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pgc_args a = { .color = PGC_COLOR_AUTO, .delay = 1 };
	int ret;

	if (argc < 2)
		return usage_error(NULL, "no command", NULL);
	a.cmd = argv[1];
	if (!strcmp(a.cmd, "--help") || !strcmp(a.cmd, "-h")) {
		pgc_help(NULL, stdout);
		return 0;
	}
	if (!strcmp(a.cmd, "help"))
		return cmd_help(argc - 2, argv + 2);
	if (!pgc_is_command(a.cmd))
		return usage_error(NULL, a.cmd[0] == '-' ? "unknown option" :
				   "unknown command", a.cmd);
	ret = parse_args(&a, argc - 2, argv + 2);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (!strcmp(a.cmd, "run"))
		return cmd_run(&a);
	if (!strcmp(a.cmd, "map"))
		return cmd_map(&a);
	if (!strcmp(a.cmd, "top")) {
		struct pgc_top_opts o = { .delay = a.delay, .color = a.color };

		return pgc_top(&o);
	}
	if (!strcmp(a.cmd, "info") || !strcmp(a.cmd, "stats"))
		return cmd_dev_dump(a.cmd);
	return cmd_debugfs(a.cmd, 0);
}
