// SPDX-License-Identifier: GPL-2.0
/*
 * The pgclass tracepoints, as a user sees them: enable events/pgclass in
 * tracefs, run a pgclassctl session, and find each of its calls in the
 * trace with its fields in their order, the session's handles as the
 * events' offsets, one pool id throughout, and no kernel address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define TRACEFS		"/sys/kernel/tracing"
#define SESSION		"/tmp/pgclass-trace-session"

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* The whole of @path, NUL-terminated; NULL if it cannot be read. */
static char *slurp(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The line of @text that matches @pattern (POSIX ERE), or NULL. */
static char *find_line(char *text, const char *pattern)
{
	regex_t re;
	char *line, *end, *found = NULL;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return NULL;
	for (line = text; line && *line && !found; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!regexec(&re, line, 0, NULL, 0))
			found = line;
		if (end)
			*end = '\n';
	}
	regfree(&re);
	return found;
}

FIXTURE(trace) {
	unsigned long long a, a2, b, b2;
	char *trace;
};

FIXTURE_SETUP(trace)
{
	static const char * const session =
		"a = alloc 100\n"
		"b = alloc 5000\n"
		"b = realloc b 9000\n"
		"a = realloc a 40\n"
		"free a\n"
		"free b\n";
	unsigned long long *handle[] = {
		&self->a, &self->b, &self->b2, &self->a2,
	};
	char line[256], name[8];
	unsigned long long h;
	int n = 0;
	FILE *f;

	self->trace = NULL;
	if (access(TRACEFS "/trace", F_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	ASSERT_EQ(0, access(TRACEFS "/events/pgclass/enable", W_OK))
		TH_LOG("no pgclass events in " TRACEFS);
	ASSERT_EQ(0, put(TRACEFS "/events/pgclass/enable", "1"));
	ASSERT_EQ(0, put(TRACEFS "/trace", ""));
	ASSERT_EQ(0, put(TRACEFS "/tracing_on", "1"));

	f = fopen(SESSION, "w");
	ASSERT_NE(NULL, f);
	fputs(session, f);
	fclose(f);
	f = popen("pgclassctl run " SESSION, "r");
	ASSERT_NE(NULL, f);
	/* "ok a = 0x1040 (128 bytes)": each alloc and realloc, in order. */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ok %7s = 0x%llx", name, &h) != 2)
			continue;
		if (n < 4)
			*handle[n] = h;
		n++;
	}
	ASSERT_EQ(0, pclose(f));
	ASSERT_EQ(4, n);
	ASSERT_EQ(0, put(TRACEFS "/events/pgclass/enable", "0"));
	self->trace = slurp(TRACEFS "/trace");
	ASSERT_NE(NULL, self->trace);
}

FIXTURE_TEARDOWN(trace)
{
	put(TRACEFS "/events/pgclass/enable", "0");
	free(self->trace);
	unlink(SESSION);
}

/* One event of the session: its line, with its fields in this order. */
static char *expect(struct __test_metadata *_metadata, char *trace,
		    const char *what)
{
	char pattern[512];
	char *l;

	snprintf(pattern, sizeof(pattern), "pgclass_%s$", what);
	l = find_line(trace, pattern);
	EXPECT_NE(NULL, l) TH_LOG("no line matches %s", pattern);
	return l;
}

/* The fields every event of a call begins with: a symbol, not an address. */
#define CALL	"call_site=[a-z_][a-z0-9_.]*\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[pgclass\\] pool=[0-9]+ "
#define ALLOC	"alloc: " CALL "offset=%#llx "
#define REALLOC	"realloc: " CALL "offset=%#llx new_offset=%#llx "

TEST_F(trace, session_events_and_fields)
{
	char what[256];

	snprintf(what, sizeof(what),
		 ALLOC "bytes_req=100 bytes_alloc=128 cached=[01]", self->a);
	expect(_metadata, self->trace, what);
	snprintf(what, sizeof(what),
		 ALLOC "bytes_req=5000 bytes_alloc=8192 cached=0", self->b);
	expect(_metadata, self->trace, what);
	snprintf(what, sizeof(what),
		 REALLOC "bytes_req=9000 bytes_alloc=12288 in_place=%d",
		 self->b, self->b2, self->b == self->b2);
	expect(_metadata, self->trace, what);
	/* 100 B to 40 B: another class, so the block moves. */
	EXPECT_NE(self->a, self->a2);
	snprintf(what, sizeof(what),
		 REALLOC "bytes_req=40 bytes_alloc=64 in_place=0",
		 self->a, self->a2);
	expect(_metadata, self->trace, what);
	snprintf(what, sizeof(what), "free: " CALL "offset=%#llx cached=[01]",
		 self->a2);
	expect(_metadata, self->trace, what);
	snprintf(what, sizeof(what), "free: " CALL "offset=%#llx cached=0",
		 self->b2);
	expect(_metadata, self->trace, what);
}

/* Every event of the session names the same pool, and no address. */
TEST_F(trace, one_pool_no_address)
{
	char *l, *end, *p;
	long pool = -1, id;
	int events = 0;

	for (l = self->trace; l && *l; l = end ? end + 1 : NULL) {
		end = strchr(l, '\n');
		if (end)
			*end = '\0';
		p = strstr(l, " pgclass_");
		if (p && !strstr(l, "pgclass_cache_")) {
			events++;
			p = strstr(l, " pool=");
			ASSERT_NE(NULL, p) TH_LOG("%s", l);
			id = strtol(p + 6, NULL, 10);
			if (pool < 0)
				pool = id;
			EXPECT_EQ(pool, id) TH_LOG("%s", l);
			/* A kernel address would be 0xffff... */
			EXPECT_EQ(NULL, strstr(l, "ffff")) TH_LOG("%s", l);
		}
		if (end)
			*end = '\n';
	}
	/* Two allocs, two reallocs, two frees. */
	EXPECT_EQ(6, events);
}

TEST_HARNESS_MAIN
