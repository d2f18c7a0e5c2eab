// SPDX-License-Identifier: GPL-2.0
/*
 * pgclassctl top: the allocator at a glance, refreshed, as slabtop shows
 * the slab caches.  A frame is
 *
 *	pgclassctl top  HH:MM:SS  every N s  (q quits, ...)	live only
 *	pages: ... used, ... free		from debugfs stats
 *	blocks: ..., ... B allocated, ... B requested
 *
 *	stats: | changed in the last N s:	every stat on the first frame,
 *	NAME  VALUE  DELTA ...			then those that changed
 *
 *	debugfs classes, as it is
 *
 *	debugfs map, in colour where colour is on
 *
 * Everything comes from debugfs (stats, classes, map), so top holds no
 * open of the device (rmmod is not refused while it runs) and works on a
 * directory of saved copies (PGCLASS_DEBUGFS) like the other commands.
 *
 * On a terminal the frame is redrawn in place, on the alternate screen,
 * clipped to the window; keys are read without echo or line editing.
 * Signals only set flags, read between frames with the signals blocked
 * and waited for in ppoll(), so none is lost and the terminal is put
 * back by the main line of the program on every way out: q, ^C, SIGTERM,
 * SIGHUP, SIGQUIT (then re-raised, so the parent sees it), ^Z (and set
 * up again on SIGCONT), or an error.  Only libc and termios: the guest's
 * static build has no curses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "debugfs.h"
#include "top.h"
#include "util.h"

#define PGC_TOP_MAX_STATS	64
#define PGC_TOP_NAME_MAX	31

struct pgc_top_stat {
	char name[PGC_TOP_NAME_MAX + 1];
	unsigned long long val;
};

/* What one refresh reads. */
struct pgc_top_sample {
	struct pgc_top_stat stats[PGC_TOP_MAX_STATS];
	size_t nr_stats;
	char *classes;
	char *map;
	size_t map_len;
	struct timespec when;	/* CLOCK_MONOTONIC */
	time_t wall;
};

/* How a frame is drawn. */
struct pgc_top_view {
	int live;
	int color;
	double delay;
	unsigned int width;	/* of the window; 80 when not on a terminal */
};

int pgc_top_parse_delay(const char *word, double *delay)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(word, &end);
	if (errno || end == word || *end || !isfinite(d) ||
	    d < PGC_TOP_DELAY_MIN || d > PGC_TOP_DELAY_MAX)
		return -1;
	*delay = d;
	return 0;
}

/* --- reading ------------------------------------------------------------ */

static void pgc_top_sample_free(struct pgc_top_sample *s)
{
	free(s->classes);
	free(s->map);
	s->classes = NULL;
	s->map = NULL;
}

/* "key: value" lines; others are skipped.  -EINVAL if none is one. */
static int pgc_top_parse_stats(struct pgc_top_sample *s, const char *text)
{
	const char *p = text;

	s->nr_stats = 0;
	while (*p && s->nr_stats < PGC_TOP_MAX_STATS) {
		struct pgc_top_stat *st = &s->stats[s->nr_stats];
		const char *nl = strchrnul(p, '\n');

		if (sscanf(p, "%31[a-z0-9_]: %llu", st->name, &st->val) == 2)
			s->nr_stats++;
		p = *nl ? nl + 1 : nl;
	}
	return s->nr_stats ? 0 : -EINVAL;
}

/*
 * Reads the three files into @s.  Returns 0, or a negative errno with
 * *@what naming the file at fault.
 */
static int pgc_top_read(struct pgc_top_sample *s, const char **what)
{
	char *text;
	size_t len;
	int ret;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &s->when);
	s->wall = time(NULL);
	*what = "stats";
	ret = pgc_debugfs_read("stats", &text, &len);
	if (ret)
		return ret;
	ret = pgc_top_parse_stats(s, text);
	free(text);
	if (ret)
		return ret;
	*what = "classes";
	ret = pgc_debugfs_read("classes", &s->classes, &len);
	if (ret)
		return ret;
	*what = "map";
	ret = pgc_debugfs_read("map", &s->map, &s->map_len);
	if (ret)
		pgc_top_sample_free(s);
	return ret;
}

static const struct pgc_top_stat *pgc_top_find(const struct pgc_top_sample *s,
					       const char *name)
{
	size_t i;

	for (i = 0; i < s->nr_stats; i++)
		if (!strcmp(s->stats[i].name, name))
			return &s->stats[i];
	return NULL;
}

/* --- drawing ------------------------------------------------------------ */

/* A stat's value as text, "-" if the file lacks it. */
static const char *pgc_top_val(const struct pgc_top_sample *s,
			       const char *name, char *buf, size_t len)
{
	const struct pgc_top_stat *st = pgc_top_find(s, name);

	if (!st)
		return "-";
	snprintf(buf, len, "%llu", st->val);
	return buf;
}

static void pgc_top_summary(FILE *f, const struct pgc_top_sample *s)
{
	char b[9][24];

	fprintf(f, "pages: %s of %s B, %s meta, %s used, %s free, %s at peak\n",
		pgc_top_val(s, "nr_pages", b[0], sizeof(b[0])),
		pgc_top_val(s, "page_size", b[1], sizeof(b[1])),
		pgc_top_val(s, "meta_pages", b[2], sizeof(b[2])),
		pgc_top_val(s, "used_pages", b[3], sizeof(b[3])),
		pgc_top_val(s, "free_pages", b[4], sizeof(b[4])),
		pgc_top_val(s, "peak_used_pages", b[5], sizeof(b[5])));
	fprintf(f, "blocks: %s, %s B allocated, %s B requested\n",
		pgc_top_val(s, "blocks", b[6], sizeof(b[6])),
		pgc_top_val(s, "bytes_allocated", b[7], sizeof(b[7])),
		pgc_top_val(s, "bytes_requested", b[8], sizeof(b[8])));
}

/*
 * Every stat of @cur (NAME VALUE) if there is no @prev, else those that
 * changed since @prev, with the change (NAME VALUE DELTA); in as many
 * columns as @width holds, filled downwards, in the file's order.
 */
static void pgc_top_stats(FILE *f, const struct pgc_top_sample *prev,
			  const struct pgc_top_sample *cur, unsigned int width)
{
	size_t show[PGC_TOP_MAX_STATS], n = 0, rows, r, c, i, cols;
	int namew = 0, cellw;
	char delta[32], line[512];

	for (i = 0; i < cur->nr_stats; i++) {
		const struct pgc_top_stat *old = prev ?
			pgc_top_find(prev, cur->stats[i].name) : NULL;
		int w = strlen(cur->stats[i].name);

		if (prev && old && old->val == cur->stats[i].val)
			continue;
		show[n++] = i;
		if (w > namew)
			namew = w;
	}
	if (!prev) {
		fputs("stats:\n", f);
	} else {
		double dt = (cur->when.tv_sec - prev->when.tv_sec) +
			    (cur->when.tv_nsec - prev->when.tv_nsec) / 1e9;

		fprintf(f, "changed in the last %.1f s:%s\n", dt,
			n ? "" : " nothing");
	}
	/* The last column stays empty on a terminal (pgc_top_clip_line). */
	cellw = namew + 1 + 9 + (prev ? 1 + 8 : 0);
	cols = (width + 1) / (cellw + 2);
	if (!cols)
		cols = 1;
	rows = (n + cols - 1) / cols;
	for (r = 0; r < rows; r++) {
		size_t len = 0;

		for (c = 0; c < cols; c++) {
			const struct pgc_top_stat *st, *old;

			i = c * rows + r;
			if (i >= n)
				break;
			st = &cur->stats[show[i]];
			old = prev ? pgc_top_find(prev, st->name) : NULL;
			delta[0] = '\0';
			if (old)
				snprintf(delta, sizeof(delta), " %+8lld",
					 (long long)(st->val - old->val));
			else if (prev)
				snprintf(delta, sizeof(delta), " %8s", "new");
			len += snprintf(line + len, sizeof(line) - len,
					"%s%-*s %9llu%s", c ? "  " : "",
					namew, st->name, st->val, delta);
			if (len >= sizeof(line))
				len = sizeof(line) - 1;
		}
		while (len && line[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s\n", (int)len, line);
	}
}

static void pgc_top_text(FILE *f, const char *text, size_t len, int color)
{
	if (color)
		pgc_color_map(text, len, f);
	else
		fwrite(text, 1, len, f);
}

/*
 * The map.  On a window narrower than its legend, the legend is wrapped
 * between its groups ("M meta", ". free", "a 16 ... h 2048", ...) rather
 * than cut; elsewhere the map is the debugfs file as it is.
 */
static void pgc_top_map(FILE *f, const struct pgc_top_sample *s,
			const struct pgc_top_view *v)
{
	const char *map = s->map, *p = map, *q, *sep, *stop, *nl;
	size_t llen;

	nl = memchr(map, '\n', s->map_len);
	llen = nl ? (size_t)(nl - map) : s->map_len;
	if (!v->live || llen + 1 < v->width || !memchr(map, ' ', llen)) {
		pgc_top_text(f, map, s->map_len, v->color);
		return;
	}
	while (p < map + llen) {
		/* As many groups as the width holds, at least one. */
		for (q = p, stop = p; ; q = sep + 2) {
			sep = memmem(q, map + llen - q, "  ", 2);
			if (stop > p && (size_t)((sep ? sep : map + llen) - p) + 1 > v->width)
				break;
			stop = sep ? sep : map + llen;
			if (!sep)
				break;
		}
		/* Each a legend line of its own, for pgc_color_map(). */
		pgc_top_text(f, p, stop - p, v->color);
		fputc('\n', f);
		for (p = stop; p < map + llen && *p == ' '; p++)
			;
	}
	if (nl)
		pgc_top_text(f, nl + 1, map + s->map_len - nl - 1, v->color);
}

/* One frame into @f. */
static void pgc_top_frame(FILE *f, const struct pgc_top_sample *prev,
			  const struct pgc_top_sample *cur,
			  const struct pgc_top_view *v)
{
	size_t len;

	if (v->live) {
		struct tm *tm = localtime(&cur->wall);
		char hms[16] = "--:--:--";

		if (tm)
			strftime(hms, sizeof(hms), "%H:%M:%S", tm);
		fprintf(f, "pgclassctl top  %s  every %g s  (q quits, any other key refreshes)\n",
			hms, v->delay);
	}
	pgc_top_summary(f, cur);
	fputc('\n', f);
	pgc_top_stats(f, prev, cur, v->width);
	fputc('\n', f);
	fputs(cur->classes, f);
	len = strlen(cur->classes);
	if (len && cur->classes[len - 1] != '\n')
		fputc('\n', f);
	fputc('\n', f);
	pgc_top_map(f, cur, v);
}

/* --- the terminal ------------------------------------------------------- */

#define PGC_TOP_ENTER	"\033[?1049h\033[?25l"	/* alternate screen, no cursor */
#define PGC_TOP_LEAVE	"\033[?25h\033[?1049l"

/*
 * Set by the handler, read and cleared by the main line: lock-free
 * atomics, which C11 lets a signal handler touch.
 */
static atomic_int pgc_top_quit;		/* the signal that ends top */
static atomic_int pgc_top_winch;
static atomic_int pgc_top_tstp;
static atomic_int pgc_top_cont;

static const int pgc_top_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT,
};

static void pgc_top_on_signal(int sig)
{
	switch (sig) {
	case SIGWINCH:
		atomic_store(&pgc_top_winch, 1);
		break;
	case SIGTSTP:
		atomic_store(&pgc_top_tstp, 1);
		break;
	case SIGCONT:
		atomic_store(&pgc_top_cont, 1);
		break;
	default:
		atomic_store(&pgc_top_quit, sig);
	}
}

struct pgc_top_term {
	int in;			/* the terminal keys come from, or -1 */
	struct termios saved;
	int entered;
	sigset_t waitmask;	/* the mask to wait with: ours unblocked */
	unsigned int rows, cols;
};

static int pgc_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static void pgc_top_leave(struct pgc_top_term *t)
{
	if (!t->entered)
		return;
	t->entered = 0;
	pgc_write_all(STDOUT_FILENO, PGC_TOP_LEAVE, strlen(PGC_TOP_LEAVE));
	if (t->in >= 0)
		tcsetattr(t->in, TCSADRAIN, &t->saved);
}

static void pgc_top_winsize(struct pgc_top_term *t)
{
	struct winsize ws;

	t->rows = 24;
	t->cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

/*
 * Appends line @s (@len bytes, no newline) to @f clipped to @cols - 1
 * visible characters (writing the last column would leave the cursor
 * waiting to wrap, and the erase after it would take that character),
 * escape sequences passed through and not counted.
 */
static void pgc_top_clip_line(FILE *f, const char *s, size_t len,
			      unsigned int cols)
{
	unsigned int seen = 0;
	int escapes = 0;
	size_t i = 0;

	while (i < len) {
		if (s[i] == '\033') {
			size_t j = i + 1;

			if (j < len && s[j] == '[')
				for (j++; j < len && !(s[j] >= '@' && s[j] <= '~'); j++)
					;
			j = j < len ? j + 1 : len;
			fwrite(s + i, 1, j - i, f);
			escapes = 1;
			i = j;
			continue;
		}
		if (seen + 1 >= cols)
			break;
		fputc(s[i++], f);
		seen++;
	}
	if (escapes && i < len)
		fputs("\033[0m", f);
}

/* Draws @frame over the screen, clipped to its size. */
static int pgc_top_show(struct pgc_top_term *t, const char *frame, size_t len)
{
	const char *p = frame, *end = frame + len;
	unsigned int row = 0;
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	int ret;

	if (!f)
		return -errno;
	/*
	 * Each row from its first column, erased after its text: no newline,
	 * which would scroll at the bottom, nor any need of the terminal's
	 * output processing.
	 */
	while (p < end && row < t->rows) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		fprintf(f, "\033[%u;1H", ++row);
		pgc_top_clip_line(f, p, n, t->cols);
		fputs("\033[K", f);
		p += n + (nl ? 1 : 0);
	}
	/* And the rows below it. */
	if (row < t->rows)
		fprintf(f, "\033[%u;1H", row + 1);
	fputs("\033[J", f);
	if (fclose(f))
		ret = -errno;
	else
		ret = pgc_write_all(STDOUT_FILENO, buf, blen);
	free(buf);
	return ret;
}

/* Sets the terminal up from @t->saved: keys one by one, unechoed. */
static int pgc_top_setup(struct pgc_top_term *t)
{
	struct termios raw = t->saved;

	if (t->in >= 0) {
		/* ^C and ^Z still signal. */
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(t->in, TCSADRAIN, &raw))
			return -errno;
	}
	return pgc_write_all(STDOUT_FILENO, PGC_TOP_ENTER,
			     strlen(PGC_TOP_ENTER));
}

static int pgc_top_enter(struct pgc_top_term *t)
{
	if (t->in >= 0 && tcgetattr(t->in, &t->saved))
		return -errno;
	t->entered = 1;
	return pgc_top_setup(t);
}

/* ^Z: the terminal as it was, stopped, then ours again. */
static int pgc_top_suspend(struct pgc_top_term *t)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ours;
	sigset_t tstp;

	pgc_top_leave(t);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigaction(SIGTSTP, &dfl, &ours);
	raise(SIGTSTP);
	/* Stops here, until SIGCONT. */
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	sigaction(SIGTSTP, &ours, NULL);
	atomic_store(&pgc_top_tstp, 0);
	atomic_store(&pgc_top_cont, 0);
	/* The shell may have changed the terminal meanwhile: save it anew. */
	return pgc_top_enter(t);
}

enum pgc_top_next {
	PGC_TOP_REFRESH,	/* read and draw a new frame */
	PGC_TOP_REDRAW,		/* draw the same frame again */
	PGC_TOP_QUIT,
};

/*
 * Waits until @deadline, a key or a signal, and puts what comes next in
 * @next.  Returns 0, or a negative errno if the terminal failed.
 */
static int pgc_top_wait(struct pgc_top_term *t, const struct timespec *deadline,
			enum pgc_top_next *next)
{
	struct pollfd pfd = { .fd = t->in, .events = POLLIN };
	struct timespec now, left;
	char keys[64];
	ssize_t n, i;
	int ret;

	for (;;) {
		*next = PGC_TOP_REDRAW;
		if (atomic_load(&pgc_top_quit)) {
			*next = PGC_TOP_QUIT;
			return 0;
		}
		if (atomic_load(&pgc_top_tstp))
			return pgc_top_suspend(t);
		if (atomic_exchange(&pgc_top_cont, 0)) {
			/* Stopped by another signal than ^Z: set up again. */
			return pgc_top_setup(t);
		}
		if (atomic_exchange(&pgc_top_winch, 0))
			return 0;
		*next = PGC_TOP_REFRESH;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline->tv_sec - now.tv_sec;
		left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000L;
			left.tv_sec--;
		}
		if (left.tv_sec < 0)
			return 0;
		/* The signals are blocked but while we wait here. */
		ret = ppoll(&pfd, t->in >= 0, &left, &t->waitmask);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		n = (pfd.revents & POLLIN) ? read(t->in, keys, sizeof(keys)) : 0;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		*next = PGC_TOP_QUIT;
		if (n <= 0)
			return 0;	/* the terminal hung up */
		for (i = 0; i < n; i++)
			if (keys[i] == 'q' || keys[i] == 'Q')
				return 0;
		*next = PGC_TOP_REFRESH;
		return 0;
	}
}

static void pgc_top_read_error(const char *what, int err)
{
	if (err == -EINVAL && !strcmp(what, "stats")) {
		fprintf(stderr, "pgclassctl: %s/stats: not in the stats format\n",
			pgc_debugfs_dir());
		return;
	}
	fprintf(stderr, "pgclassctl: %s/%s: %s\n", pgc_debugfs_dir(), what,
		strerror(-err));
	if (err == -ENOENT)
		fprintf(stderr, "(is debugfs mounted and pgclass.ko loaded?)\n");
}

static void pgc_top_delay(struct timespec *deadline, const struct timespec *from,
			  double delay)
{
	time_t sec = (time_t)delay;	/* delay is positive */
	long long ns = from->tv_nsec + (long long)((delay - sec) * 1e9);

	deadline->tv_sec = from->tv_sec + sec + ns / 1000000000;
	deadline->tv_nsec = ns % 1000000000;
}

static int pgc_top_live(const struct pgc_top_opts *o, int color)
{
	struct pgc_top_sample samples[2], *prev = NULL, *cur = &samples[0];
	struct pgc_top_term t = {
		.in = isatty(STDIN_FILENO) ? STDIN_FILENO : -1,
	};
	struct pgc_top_view v = { .live = 1, .color = color, .delay = o->delay };
	struct sigaction sa = { .sa_handler = pgc_top_on_signal };
	struct sigaction old[ARRAY_SIZE(pgc_top_signals)];
	enum pgc_top_next next = PGC_TOP_REFRESH;
	const char *what = NULL;
	struct timespec deadline;
	char *frame = NULL;
	size_t flen = 0, i;
	sigset_t block, orig;
	int err, sig;
	FILE *f;

	memset(samples, 0, sizeof(samples));
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(pgc_top_signals); i++)
		sigaddset(&block, pgc_top_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &orig);
	t.waitmask = orig;
	sa.sa_mask = block;
	for (i = 0; i < ARRAY_SIZE(pgc_top_signals); i++) {
		sig = pgc_top_signals[i];
		sigdelset(&t.waitmask, sig);
		sigaction(sig, NULL, &old[i]);
		/* What the shell ignores for us (nohup, &) stays ignored. */
		if (old[i].sa_handler != SIG_IGN)
			sigaction(sig, &sa, NULL);
	}

	err = pgc_top_enter(&t);
	while (!err && next != PGC_TOP_QUIT) {
		err = pgc_top_read(cur, &what);
		if (err)
			break;
		what = NULL;
		pgc_top_winsize(&t);
		v.width = t.cols;
		free(frame);
		frame = NULL;
		f = open_memstream(&frame, &flen);
		if (!f) {
			err = -errno;
			break;
		}
		pgc_top_frame(f, prev, cur, &v);
		if (fclose(f)) {
			err = -errno;
			break;
		}
		err = pgc_top_show(&t, frame, flen);
		if (prev)
			pgc_top_sample_free(prev);
		prev = cur;
		cur = prev == &samples[0] ? &samples[1] : &samples[0];
		pgc_top_delay(&deadline, &prev->when, o->delay);
		while (!err) {
			err = pgc_top_wait(&t, &deadline, &next);
			if (err || next != PGC_TOP_REDRAW)
				break;
			pgc_top_winsize(&t);
			err = pgc_top_show(&t, frame, flen);
		}
	}
	pgc_top_leave(&t);

	pgc_top_sample_free(&samples[0]);
	pgc_top_sample_free(&samples[1]);
	free(frame);
	if (err && what)
		pgc_top_read_error(what, err);
	else if (err)
		fprintf(stderr, "pgclassctl: top: the terminal: %s\n",
			strerror(-err));
	sig = atomic_load(&pgc_top_quit);
	for (i = 0; i < ARRAY_SIZE(pgc_top_signals); i++)
		sigaction(pgc_top_signals[i], &old[i], NULL);
	/* ^C quits as q does; other signals end the program as they would. */
	if (sig && sig != SIGINT) {
		sigprocmask(SIG_SETMASK, &orig, NULL);
		raise(sig);
		return 128 + sig;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return err ? 1 : 0;
}

/* Not on a terminal: one frame, the first, with every stat. */
static int pgc_top_plain(int color)
{
	struct pgc_top_view v = { .color = color, .width = 80 };
	struct pgc_top_sample s;
	const char *what;
	int err = pgc_top_read(&s, &what);

	if (err) {
		pgc_top_read_error(what, err);
		return 1;
	}
	pgc_top_frame(stdout, NULL, &s, &v);
	pgc_top_sample_free(&s);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "pgclassctl: top: standard output: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

int pgc_top(const struct pgc_top_opts *opts)
{
	const char *term = getenv("TERM");
	int color = pgc_color_use(opts->color, STDOUT_FILENO);

	if (!isatty(STDOUT_FILENO) || (term && !strcmp(term, "dumb")))
		return pgc_top_plain(color);
	return pgc_top_live(opts, color);
}
