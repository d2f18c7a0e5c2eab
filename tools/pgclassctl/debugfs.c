// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs files of pgclass, from $PGCLASS_DEBUGFS (by default
 * /sys/kernel/debug/pgclass): any directory holding files of those
 * names will do, saved copies included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color.h"
#include "debugfs.h"
#include "pgmap.h"
#include "svg.h"

const char *pgc_debugfs_dir(void)
{
	const char *p = getenv("PGCLASS_DEBUGFS");

	return p && *p ? p : "/sys/kernel/debug/pgclass";
}

int pgc_debugfs_read(const char *what, char **text, size_t *len)
{
	size_t cap = 65536, n = 0;
	char path[4096], *buf = malloc(cap + 1), *bigger;
	ssize_t got;
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%s", pgc_debugfs_dir(), what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(buf);
		return ret;
	}
	/* debugfs files have no size: read until the end. */
	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += got;
		if (n < cap)
			continue;
		bigger = realloc(buf, 2 * cap + 1);
		if (!bigger) {
			ret = -ENOMEM;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (got < 0)
		ret = -errno;
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int pgc_debugfs_print(const char *what, FILE *out, int color)
{
	char *text;
	size_t len;
	int ret = pgc_debugfs_read(what, &text, &len);

	if (ret)
		return ret;
	if (color && !strcmp(what, "map"))
		pgc_color_map(text, len, out);
	else
		fwrite(text, 1, len, out);
	free(text);
	return ferror(out) ? -EIO : 0;
}

/* Returns @err, having said why in @why. */
static int pgc_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Parses pages and, if it can be read, blocks into @m. */
static int pgc_debugfs_pgmap(struct pgm_map *m, char *why, size_t why_len)
{
	unsigned int line = 0;
	char *text;
	size_t len;
	int ret;

	ret = pgc_debugfs_read("pages", &text, &len);
	if (ret)
		return pgc_why(why, why_len, ret, "%s/pages: %s",
			       pgc_debugfs_dir(), strerror(-ret));
	ret = pgm_parse_pages(m, text, &line);
	free(text);
	if (ret)
		return pgc_why(why, why_len, ret,
			       "%s/pages: line %u is not in the pages format",
			       pgc_debugfs_dir(), line);
	/* Without blocks, the picture says where blocks are not known. */
	if (pgc_debugfs_read("blocks", &text, &len))
		return 0;
	ret = pgm_parse_blocks(m, text, &line);
	free(text);
	if (ret) {
		pgm_free(m);
		return pgc_why(why, why_len, ret,
			       "%s/blocks: line %u is not in the blocks format",
			       pgc_debugfs_dir(), line);
	}
	return 0;
}

int pgc_debugfs_svg(const char *path, const char *caption, char *why,
		    size_t why_len)
{
	int to_stdout = !strcmp(path, "-");
	struct pgm_map m;
	FILE *out;
	int ret;

	ret = pgc_debugfs_pgmap(&m, why, why_len);
	if (ret)
		return ret;
	out = to_stdout ? stdout : fopen(path, "w");
	if (!out) {
		ret = -errno;
		pgm_free(&m);
		return pgc_why(why, why_len, ret, "%s: %s", path,
			       strerror(-ret));
	}
	ret = pgm_svg_write(&m, caption, out);
	if (!to_stdout && fclose(out) && !ret)
		ret = -errno;
	pgm_free(&m);
	if (ret)
		return pgc_why(why, why_len, ret, "%s: %s", path,
			       strerror(-ret));
	return 0;
}
