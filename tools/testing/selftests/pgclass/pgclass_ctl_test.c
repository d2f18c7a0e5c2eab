// SPDX-License-Identifier: GPL-2.0
/*
 * pgclassctl top against the live module: one plain frame that agrees
 * with the device and debugfs when standard output is a pipe, and on a
 * pseudo-terminal the live view, coloured unless NO_COLOR is set, with
 * the terminal's modes given back after q.  Needs pgclass.ko loaded,
 * debugfs mounted, nobody else holding blocks, and pgclassctl in PATH
 * (the guest has it in /bin; $PGCLASSCTL names another).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

#define PGC_ENTER	"\033[?1049h"
#define PGC_LEAVE	"\033[?25h\033[?1049l"
#define PGC_COLOUR	"\033[38;5;"

static const char *pgc_ctl(void)
{
	const char *p = getenv("PGCLASSCTL");

	return p && *p ? p : "pgclassctl";
}

/*
 * Starts pgclassctl @args with standard input @in and output @out, and
 * NO_COLOR set to @no_color (unset if NULL).  Returns the pid, or -1.
 */
static pid_t pgc_spawn(const char *const *args, int in, int out,
		       const char *no_color)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	dup2(in, 0);
	dup2(out, 1);
	setenv("TERM", "xterm", 1);
	if (no_color)
		setenv("NO_COLOR", no_color, 1);
	else
		unsetenv("NO_COLOR");
	unsetenv("PGCLASS_DEBUGFS");
	unsetenv("PGCLASS_DEV");
	execvp(pgc_ctl(), (char *const *)args);
	_exit(127);
}

/*
 * Reads @fd into @buf (at most @cap - 1 bytes, NUL-terminated) until @want
 * shows (any end if NULL) or @ms pass without a byte.  Returns the length.
 */
static size_t pgc_read_until(int fd, char *buf, size_t cap, size_t len,
			     const char *want, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (len + 1 < cap && (!want || !memmem(buf, len, want, strlen(want)))) {
		if (poll(&p, 1, ms) <= 0)
			break;
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/* The exit status of @pid, or -1 if it did not end within @ms. */
static int pgc_wait(pid_t pid, int ms)
{
	int status, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

FIXTURE(ctl)
{
	int fd;
	uint64_t h[3];
	char *out;
	size_t cap;
};

FIXTURE_SETUP(ctl)
{
	static const uint64_t sizes[] = { 10, 100, 5000 };
	char *stats;
	int i;

	self->out = NULL;
	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	stats = pgc_slurp("stats");
	if (!stats)
		SKIP(return, PGC_DEBUGFS "/stats missing: is debugfs mounted?");
	free(stats);
	/* Something to see: a small block, a second class, two pages. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pgc_alloc(self->fd, sizes[i], &self->h[i], NULL));
	self->cap = 1 << 20;
	self->out = malloc(self->cap);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(ctl)
{
	free(self->out);
	if (self->fd >= 0)
		close(self->fd);
}

/* pgclassctl top to a pipe; its status, the output in @out. */
static int pgc_top_pipe(char *out, size_t cap, const char *const *args,
			const char *no_color, size_t *len)
{
	int p[2], in = open("/dev/null", O_RDONLY);
	pid_t pid;

	if (in < 0 || pipe(p))
		return -1;
	pid = pgc_spawn(args, in, p[1], no_color);
	close(p[1]);
	close(in);
	*len = pgc_read_until(p[0], out, cap, 0, NULL, 20000);
	close(p[0]);
	return pid < 0 ? -1 : pgc_wait(pid, 20000);
}

TEST_F(ctl, top_to_a_pipe_is_one_plain_frame)
{
	static const char *const args[] = { "pgclassctl", "top", NULL };
	struct pgclass_ioc_stats st;
	char *classes, *map, want[128], *tail;
	size_t len, clen, mlen;
	int status;

	status = pgc_top_pipe(self->out, self->cap, args, NULL, &len);
	if (status == 127)
		SKIP(return, "%s not found: set PGCLASSCTL", pgc_ctl());
	ASSERT_EQ(0, status);
	EXPECT_EQ(NULL, memchr(self->out, '\033', len));

	/* Nothing changed meanwhile: it agrees with the device... */
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	snprintf(want, sizeof(want), "blocks: %llu, %llu B allocated, ",
		 (unsigned long long)st.blocks,
		 (unsigned long long)st.bytes_allocated);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no \"%s\" in:\n%s",
							want, self->out);
	EXPECT_NE(NULL, strstr(self->out, "\nstats:\n"));
	EXPECT_NE(NULL, strstr(self->out, "alloc_calls "));

	/* ...and ends with the classes and the map, as debugfs has them. */
	classes = pgc_slurp("classes");
	map = pgc_slurp("map");
	ASSERT_NE(NULL, classes);
	ASSERT_NE(NULL, map);
	clen = strlen(classes);
	mlen = strlen(map);
	ASSERT_LT(clen + mlen + 1, len);
	tail = self->out + len - mlen - 1 - clen;
	EXPECT_EQ(0, memcmp(tail, classes, clen));
	EXPECT_EQ('\n', tail[clen]);
	EXPECT_EQ(0, memcmp(tail + clen + 1, map, mlen)) TH_LOG("%s", self->out);
	free(classes);
	free(map);
}

TEST_F(ctl, top_to_a_pipe_colours_only_when_told)
{
	static const char *const never[] = {
		"pgclassctl", "top", "--color=never", NULL
	};
	static const char *const always[] = {
		"pgclassctl", "top", "--color=always", NULL
	};
	static const char *const dflt[] = { "pgclassctl", "top", NULL };
	size_t len;
	int status;

	status = pgc_top_pipe(self->out, self->cap, dflt, "1", &len);
	if (status == 127)
		SKIP(return, "%s not found: set PGCLASSCTL", pgc_ctl());
	EXPECT_EQ(0, status);
	EXPECT_EQ(NULL, memchr(self->out, '\033', len));
	EXPECT_EQ(0, pgc_top_pipe(self->out, self->cap, never, NULL, &len));
	EXPECT_EQ(NULL, memchr(self->out, '\033', len));
	/* The option wins over NO_COLOR, as no-color.org has it. */
	EXPECT_EQ(0, pgc_top_pipe(self->out, self->cap, always, "1", &len));
	EXPECT_NE(NULL, memmem(self->out, len, PGC_COLOUR, strlen(PGC_COLOUR)));
}

/* A pseudo-terminal's master; its slave's path in @name. */
static int pgc_openpty(char *name, size_t len)
{
	int m;

	/* A bare guest has no devpts: mount it where ptsname() looks. */
	if (access("/dev/pts/ptmx", F_OK)) {
		mkdir("/dev/pts", 0755);
		mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666");
	}
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) || unlockpt(m) ||
	    ptsname_r(m, name, len)) {
		if (m >= 0)
			close(m);
		return -1;
	}
	return m;
}

/*
 * pgclassctl top on a terminal with NO_COLOR as @no_color, until its
 * first frame, then q.  Returns its status, or -2 without a terminal;
 * the output in @out.
 */
static int pgc_top_tty(struct __test_metadata *_metadata, char *out,
		       size_t cap, const char *no_color, size_t *len)
{
	static const char *const args[] = {
		"pgclassctl", "top", "-d", "30", NULL
	};
	struct winsize ws = { .ws_row = 60, .ws_col = 100 };
	struct termios before, after;
	char name[64];
	int m, s, status;
	pid_t pid;

	m = pgc_openpty(name, sizeof(name));
	if (m < 0)
		return -2;
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		close(m);
		return -2;
	}
	/* Room for the whole first frame, the map at its end included. */
	EXPECT_EQ(0, ioctl(m, TIOCSWINSZ, &ws));
	EXPECT_EQ(0, tcgetattr(s, &before));
	pid = pgc_spawn(args, s, s, no_color);
	*len = pgc_read_until(m, out, cap, 0, "\033[J", 20000);
	EXPECT_EQ(1, write(m, "q", 1));
	status = pgc_wait(pid, 20000);
	*len = pgc_read_until(m, out, cap, *len, PGC_LEAVE, 2000);
	EXPECT_EQ(0, tcgetattr(s, &after));
	EXPECT_EQ(before.c_lflag, after.c_lflag);
	EXPECT_EQ(before.c_cc[VMIN], after.c_cc[VMIN]);
	close(s);
	close(m);
	return status;
}

TEST_F(ctl, top_on_a_terminal_honours_no_color)
{
	size_t len;
	int status = pgc_top_tty(_metadata, self->out, self->cap, "1", &len);

	if (status == -2)
		SKIP(return, "no pseudo-terminal: %s", strerror(errno));
	if (status == 127)
		SKIP(return, "%s not found: set PGCLASSCTL", pgc_ctl());
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(self->out, PGC_ENTER)) TH_LOG("%.200s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pgclassctl top "));
	EXPECT_NE(NULL, strstr(self->out, "multi-page run"));	/* the legend */
	EXPECT_EQ(NULL, strstr(self->out, PGC_COLOUR));
	EXPECT_NE(NULL, strstr(self->out, PGC_LEAVE));

	/* NO_COLOR empty is NO_COLOR unset: the map in colour. */
	status = pgc_top_tty(_metadata, self->out, self->cap, "", &len);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(self->out, PGC_COLOUR));
	EXPECT_NE(NULL, strstr(self->out, PGC_LEAVE));
}

TEST_HARNESS_MAIN
