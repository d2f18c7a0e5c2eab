// SPDX-License-Identifier: GPL-2.0
/*
 * The files in /sys/kernel/debug/pgclass: present, mode 0400, in the
 * documented formats, and agreeing with what the ioctls did.  Needs pgclass.ko
 * loaded, debugfs mounted, and nobody else holding blocks.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

/* More than the lines of "pages" for the largest arena a test loads. */
#define MAX_LINES	1048576

/* A debugfs file, cut into lines. */
struct text {
	char *buf;
	char **lines;
	int nr_lines;
};

FIXTURE(dbg)
{
	int fd;
	struct pgclass_ioc_info info;
	struct text t;
};

FIXTURE_SETUP(dbg)
{
	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pgc_info(self->fd, &self->info));
	if (access(PGC_DEBUGFS, F_OK))
		SKIP(return, PGC_DEBUGFS " missing: is debugfs mounted?");
	self->t.lines = calloc(MAX_LINES, sizeof(*self->t.lines));
	ASSERT_NE(NULL, self->t.lines);
}

FIXTURE_TEARDOWN(dbg)
{
	free(self->t.buf);
	free(self->t.lines);
	if (self->fd >= 0)
		close(self->fd);
}

/* Reads debugfs @name into @t; every line must end in '\n'. */
static int load_text(struct text *t, const char *name)
{
	char *p;

	free(t->buf);
	t->buf = pgc_slurp(name);
	t->nr_lines = 0;
	if (!t->buf)
		return -1;
	for (p = t->buf; *p && t->nr_lines < MAX_LINES;) {
		char *nl = strchr(p, '\n');

		if (!nl)
			return -1;
		*nl = '\0';
		t->lines[t->nr_lines++] = p;
		p = nl + 1;
	}
	return 0;
}

/* Splits @line, copied to @copy (512 bytes), into at most @max words. */
static int words(const char *line, char *copy, char **w, int max)
{
	char *save = NULL, *t;
	int n = 0;

	snprintf(copy, 512, "%s", line);
	for (t = strtok_r(copy, " \t", &save); t && n < max;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	return n;
}

static void expect_words(struct __test_metadata *_metadata, const char *line,
			 const char *const *want, int n)
{
	char copy[512], *w[16];
	int i;

	ASSERT_EQ(n, words(line, copy, w, 16)) TH_LOG("line \"%s\"", line);
	for (i = 0; i < n; i++)
		EXPECT_STREQ(want[i], w[i]);
}

TEST_F(dbg, files_present_mode_0400)
{
	static const char * const files[] = { "stats", "classes", "pages",
					      "blocks", "map", "cpus" };
	char path[256];
	struct stat st;
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/%s", PGC_DEBUGFS, files[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_TRUE(S_ISREG(st.st_mode));
		EXPECT_EQ(0400, st.st_mode & 07777) TH_LOG("%s", path);
	}
}

TEST_F(dbg, stats_keys_in_order)
{
	static const char * const keys[] = { "page_size", "nr_pages", "meta_pages",
			       "free_pages", "used_pages", "blocks",
			       "bytes_allocated", "bytes_requested",
			       "peak_used_pages", "alloc_calls", "free_calls",
			       "realloc_calls", "failed_calls", "fit_scans",
			       "cached_blocks", "cached_pages",
			       "cache_busy_failures" };
	const int nr = ARRAY_SIZE(keys);
	uint64_t h;
	int i;

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h, NULL));
	ASSERT_EQ(0, load_text(&self->t, "stats"));
	/* These keys in this order; more may follow. */
	ASSERT_LE(nr, self->t.nr_lines);
	for (i = 0; i < nr; i++) {
		size_t k = strlen(keys[i]);
		char *end;

		ASSERT_EQ(0, strncmp(self->t.lines[i], keys[i], k))
			TH_LOG("line %d: \"%s\"", i, self->t.lines[i]);
		ASSERT_EQ(':', self->t.lines[i][k]);
		ASSERT_EQ(' ', self->t.lines[i][k + 1]);
		strtoull(self->t.lines[i] + k + 2, &end, 10);
		EXPECT_EQ('\0', *end);
	}
	EXPECT_EQ(self->info.page_size, pgc_debugfs_stat("page_size"));
	EXPECT_EQ(self->info.nr_pages, pgc_debugfs_stat("nr_pages"));
	EXPECT_EQ(self->info.meta_pages, pgc_debugfs_stat("meta_pages"));
	EXPECT_EQ(1, pgc_debugfs_stat("blocks"));
	EXPECT_EQ(128, pgc_debugfs_stat("bytes_allocated"));
	EXPECT_EQ(100, pgc_debugfs_stat("bytes_requested"));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

/*
 * cpus: a header, a row per CPU whose slot holds or did something, a total
 * that adds them up.  The module's arena may be too small for slots: then
 * there are no CPU rows and the total is zero, and STATS agrees.
 */
TEST_F(dbg, cpus_table)
{
	static const char * const header[] = { "cpu", "alloc_calls",
		"free_calls", "realloc_calls", "remote_frees", "refills",
		"flushes", "cached_pages", "cached_blocks" };
	unsigned long long sum[8] = { 0 }, v;
	struct pgclass_ioc_stats st;
	char copy[512], *w[16], *end;
	uint64_t h;
	int i, j, n;

	ASSERT_EQ(0, pgc_alloc(self->fd, 64, &h, NULL));
	ASSERT_EQ(0, load_text(&self->t, "cpus"));
	ASSERT_LE(2, self->t.nr_lines);
	expect_words(_metadata, self->t.lines[0], header, 9);
	for (i = 1; i < self->t.nr_lines; i++) {
		n = words(self->t.lines[i], copy, w, 16);
		ASSERT_EQ(9, n) TH_LOG("line \"%s\"", self->t.lines[i]);
		if (i == self->t.nr_lines - 1) {
			EXPECT_STREQ("total", w[0]);
		} else {
			strtoul(w[0], &end, 10);
			EXPECT_EQ('\0', *end) TH_LOG("cpu \"%s\"", w[0]);
		}
		for (j = 1; j < 9; j++) {
			v = strtoull(w[j], &end, 10);
			EXPECT_EQ('\0', *end);
			if (i < self->t.nr_lines - 1)
				sum[j - 1] += v;
			else
				EXPECT_EQ(sum[j - 1], v)
					TH_LOG("column %s", header[j]);
		}
	}
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(sum[6], st.cached_pages);
	EXPECT_EQ(sum[7], st.cached_blocks);
	EXPECT_EQ(sum[6], pgc_debugfs_stat("cached_pages"));
	EXPECT_EQ(0, pgc_free(self->fd, h));
}

TEST_F(dbg, classes_table)
{
	const char *const header[] = { "class", "block_size", "pages",
				       "blocks_used", "blocks_total",
				       "util_pct" };
	unsigned int nr = self->info.nr_classes, i;
	uint64_t h[3];
	char copy[512], *w[8];
	unsigned long long sum_pages = 0;

	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h[0], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, self->info.page_size, &h[1], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * self->info.page_size, &h[2], NULL));
	ASSERT_EQ(0, load_text(&self->t, "classes"));
	ASSERT_EQ(1 + nr + 1, self->t.nr_lines);
	expect_words(_metadata, self->t.lines[0], header, 6);
	for (i = 0; i < nr; i++) {
		char name[16];

		ASSERT_EQ(6, words(self->t.lines[1 + i], copy, w, 8));
		if (i < nr - 2) {
			snprintf(name, sizeof(name), "%u", 16U << i);
			EXPECT_STREQ(name, w[0]);
			EXPECT_STREQ(name, w[1]);
		} else if (i == nr - 2) {
			snprintf(name, sizeof(name), "%u", self->info.page_size);
			EXPECT_STREQ("page", w[0]);
			EXPECT_STREQ(name, w[1]);
		} else {
			EXPECT_STREQ("multi", w[0]);
			EXPECT_STREQ("-", w[1]);
		}
		sum_pages += strtoull(w[2], NULL, 10);
		if (!strcmp(w[0], "128") || !strcmp(w[0], "page") ||
		    !strcmp(w[0], "multi"))
			EXPECT_LE(1, strtoull(w[3], NULL, 10)) TH_LOG("%s", w[0]);
		if (!strcmp(w[0], "multi"))
			EXPECT_LE(3, strtoull(w[2], NULL, 10));
		EXPECT_GE(100, strtoull(w[5], NULL, 10));
	}
	ASSERT_EQ(6, words(self->t.lines[1 + nr], copy, w, 8));
	EXPECT_STREQ("total", w[0]);
	EXPECT_EQ(sum_pages, strtoull(w[2], NULL, 10));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, pgc_free(self->fd, h[i]));
}

static const char *const states[] = { "meta", "free", "small", "whole",
				      "head", "tail" };

TEST_F(dbg, pages_one_line_per_page)
{
	const char *const header[] = { "index", "offset", "state", "class",
				       "used", "total" };
	uint64_t p = self->info.page_size, h[3];
	unsigned int i, meta = 0;
	char copy[512], *w[8], want[32];

	ASSERT_EQ(0, pgc_alloc(self->fd, 20, &h[0], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, p, &h[1], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * p - 1, &h[2], NULL));
	ASSERT_EQ(0, load_text(&self->t, "pages"));
	ASSERT_EQ(1 + self->info.nr_pages, self->t.nr_lines);
	expect_words(_metadata, self->t.lines[0], header, 6);
	for (i = 0; i < self->info.nr_pages; i++) {
		const char *line = self->t.lines[1 + i];
		int s;

		ASSERT_EQ(6, words(line, copy, w, 8)) TH_LOG("\"%s\"", line);
		snprintf(want, sizeof(want), "%u", i);
		EXPECT_STREQ(want, w[0]);
		snprintf(want, sizeof(want), "0x%llx", (unsigned long long)i * p);
		EXPECT_STREQ(want, w[1]);
		for (s = 0; s < 6 && strcmp(states[s], w[2]); s++)
			;
		EXPECT_GT(6, s) TH_LOG("state \"%s\"", w[2]);
		if (!strcmp(w[2], "meta"))
			meta++;
		if (!strcmp(w[2], "meta") || !strcmp(w[2], "free")) {
			EXPECT_STREQ("-", w[3]);
			EXPECT_STREQ("-", w[4]);
			EXPECT_STREQ("-", w[5]);
		}
	}
	EXPECT_EQ(self->info.meta_pages, meta);

	/* The small block's page, the whole page, the run of three. */
	ASSERT_EQ(6, words(self->t.lines[1 + h[0] / p], copy, w, 8));
	EXPECT_STREQ("small", w[2]);
	EXPECT_STREQ("32", w[3]);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)p / 32);
	EXPECT_STREQ(want, w[5]);
	ASSERT_EQ(6, words(self->t.lines[1 + h[1] / p], copy, w, 8));
	EXPECT_STREQ("whole", w[2]);
	EXPECT_STREQ("page", w[3]);
	ASSERT_EQ(6, words(self->t.lines[1 + h[2] / p], copy, w, 8));
	EXPECT_STREQ("head", w[2]);
	EXPECT_STREQ("multi", w[3]);
	EXPECT_STREQ("3", w[5]);
	for (i = 1; i < 3; i++) {
		ASSERT_EQ(6, words(self->t.lines[1 + h[2] / p + i], copy, w, 8));
		EXPECT_STREQ("tail", w[2]);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, pgc_free(self->fd, h[i]));
}

TEST_F(dbg, blocks_show_owner)
{
	const char *const header[] = { "offset", "size", "class", "owner",
				       "mapped" };
	uint64_t h[2], u[2];
	char copy[512], *w[8], want[64], owner[32];
	int fd2 = pgc_open(), i, found = 0;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pgc_alloc(self->fd, 60, &h[0], &u[0]));
	ASSERT_EQ(0, pgc_alloc(fd2, 2 * self->info.page_size, &h[1], &u[1]));
	ASSERT_EQ(0, load_text(&self->t, "blocks"));
	/* A header line, then one line per block. */
	ASSERT_EQ(3, self->t.nr_lines);
	expect_words(_metadata, self->t.lines[0], header, 5);
	snprintf(owner, sizeof(owner), "pid:%d/", getpid());
	for (i = 1; i < 3; i++) {
		int k;

		ASSERT_EQ(5, words(self->t.lines[i], copy, w, 8));
		k = strtoull(w[0], NULL, 16) == h[0] ? 0 : 1;
		snprintf(want, sizeof(want), "0x%llx", (unsigned long long)h[k]);
		EXPECT_STREQ(want, w[0]);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)u[k]);
		EXPECT_STREQ(want, w[1]);
		EXPECT_STREQ(k ? "multi" : "64", w[2]);
		EXPECT_EQ(0, strncmp(owner, w[3], strlen(owner))) TH_LOG("%s", w[3]);
		/* Nothing is mapped (pgclass_mmap_test counts mappings). */
		EXPECT_STREQ("0", w[4]);
		found |= 1 << k;
	}
	EXPECT_EQ(3, found);
	/* Two opens by one process are two owners. */
	ASSERT_EQ(5, words(self->t.lines[1], copy, w, 8));
	snprintf(want, sizeof(want), "%s", w[3]);
	ASSERT_EQ(5, words(self->t.lines[2], copy, w, 8));
	EXPECT_STRNE(want, w[3]);
	EXPECT_GT(strtoull(self->t.lines[2], NULL, 16),
		  strtoull(self->t.lines[1], NULL, 16));
	close(fd2);
	ASSERT_EQ(0, load_text(&self->t, "blocks"));
	EXPECT_EQ(2, self->t.nr_lines);
	EXPECT_EQ(0, pgc_free(self->fd, h[0]));
}

TEST_F(dbg, map_letters)
{
	unsigned int nr = self->info.nr_pages, i;
	uint64_t p = self->info.page_size, h[4];
	int lines = (nr + 63) / 64;
	char *map;

	ASSERT_EQ(0, pgc_alloc(self->fd, 10, &h[0], NULL));	/* a: 16 B */
	ASSERT_EQ(0, pgc_alloc(self->fd, 100, &h[1], NULL));	/* d: 128 B */
	ASSERT_EQ(0, pgc_alloc(self->fd, p, &h[2], NULL));
	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * p, &h[3], NULL));
	ASSERT_EQ(0, load_text(&self->t, "map"));
	ASSERT_EQ(1 + lines, self->t.nr_lines);
	/* The legend names the letters. */
	EXPECT_NE(NULL, strstr(self->t.lines[0], "M meta"));
	EXPECT_NE(NULL, strstr(self->t.lines[0], ". free"));
	EXPECT_NE(NULL, strstr(self->t.lines[0], "a 16"));
	EXPECT_NE(NULL, strstr(self->t.lines[0], "P page"));
	map = malloc(nr + 1);
	ASSERT_NE(NULL, map);
	map[0] = '\0';
	for (i = 0; i < (unsigned int)lines; i++) {
		size_t len = strlen(self->t.lines[1 + i]);

		EXPECT_EQ(i + 1 < (unsigned int)lines ? 64 : nr - 64 * i, len);
		strncat(map, self->t.lines[1 + i], nr - strlen(map));
	}
	ASSERT_EQ(nr, strlen(map));
	for (i = 0; i < self->info.meta_pages; i++)
		EXPECT_EQ('M', map[i]);
	for (i = self->info.meta_pages; i < nr; i++)
		EXPECT_NE(NULL, strchr(".abcdefghijklPH=", map[i]))
			TH_LOG("page %u is '%c'", i, map[i]);
	EXPECT_EQ('a', map[h[0] / p]);
	EXPECT_EQ('d', map[h[1] / p]);
	EXPECT_EQ('P', map[h[2] / p]);
	EXPECT_EQ('H', map[h[3] / p]);
	EXPECT_EQ('=', map[h[3] / p + 1]);
	EXPECT_EQ('=', map[h[3] / p + 2]);
	free(map);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, pgc_free(self->fd, h[i]));
}

TEST_HARNESS_MAIN
