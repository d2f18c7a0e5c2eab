// SPDX-License-Identifier: GPL-2.0
/*
 * pgclassctl run: one command a line.
 *
 *	NAME = alloc SIZE
 *	free NAME
 *	NAME = realloc NAME SIZE
 *	write NAME OFFSET TEXT		TEXT: the rest of the line, as is
 *	read NAME OFFSET LEN
 *	map [--svg FILE]
 *	classes | pages | blocks | stats | info
 *	MAP = mmap NAME [OFFSET LEN]	maps the block, or LEN bytes of it
 *	mwrite MAP OFFSET TEXT		through the mapping, TEXT as for write
 *	mread MAP OFFSET LEN
 *	munmap MAP
 *
 * Mappings have names of their own, apart from blocks' names.  mmap
 * without OFFSET LEN maps the whole block, whose size the session knows
 * from the alloc or realloc that named it.  mread and mwrite check the
 * range against the mapping (the device cannot: they touch memory).
 * Mappings left at the end of the session are unmapped.
 *
 * A NAME is a letter or '_' then letters, digits and '_'; where a block
 * is expected, a number (a handle, as debugfs prints it) may stand
 * instead.  Numbers are decimal, or hexadecimal after 0x.  '#' starts a
 * comment, at the start of a line or after a command other than write;
 * a line starting with "##" is a heading and is printed, after a blank
 * line unless the line before was a heading too.
 *
 * map --svg FILE draws the map into FILE rather than printing it.  With
 * an SVG directory (PGCLASS_SVG_DIR), every map command also draws it
 * there as NN-map.svg, NN counting the session's map commands from 01;
 * each picture is captioned with the first line of the last heading.
 *
 * Each command ends with one line starting with "ok" or "error:".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

struct pgc_name {
	char *name;
	uint64_t handle;
	uint64_t usable;	/* its size, 0 where unknown */
};

struct pgc_mapping {
	char *name;
	unsigned char *addr;
	uint64_t len;
};

#define PGC_CAPTION_MAX	160

struct pgc_session {
	const struct pgc_backend *be;
	const struct pgc_session_opts *opts;
	FILE *out;
	struct pgc_name *names;
	size_t nr_names;
	struct pgc_mapping *maps;
	size_t nr_maps_live;
	unsigned long lineno;
	const char *cmd;	/* the command's text, for error lines */
	int printed;		/* anything printed yet */
	int heading;		/* the line before was a heading */
	unsigned int nr_maps;	/* map commands so far */
	char caption[PGC_CAPTION_MAX];	/* the last heading's first line */
};

static const struct {
	int err;
	const char *name;
} pgc_errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" }, { ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" },
	{ ERANGE, "ERANGE" }, { EOVERFLOW, "EOVERFLOW" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },
};

const char *pgc_errno_name(int err)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pgc_errnos); i++)
		if (pgc_errnos[i].err == err)
			return pgc_errnos[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* Ends a command with an error line naming @err and saying why. */
static int pgc_fail(struct pgc_session *s, int err, const char *why)
{
	fprintf(s->out, "error: line %lu: %s: %s (%s)\n", s->lineno, s->cmd,
		pgc_errno_name(err), why);
	return -1;
}

/* The same, why being @before, then @word quoted, then @after. */
static int pgc_fail_word(struct pgc_session *s, int err, const char *before,
			 const char *word, const char *after)
{
	char why[256];

	snprintf(why, sizeof(why), "%s\"%s\"%s", before, word, after);
	return pgc_fail(s, err, why);
}

/* Ends a command whose call returned @ret, a negative errno. */
static int pgc_call_failed(struct pgc_session *s, int ret)
{
	return pgc_fail(s, -ret, strerror(-ret));
}

#define PGC_MAX_TOKENS	8

/*
 * Splits @p into words separated by blanks, '=' being a word of its own,
 * copying them to @store (room for twice @p) so that each ends in a NUL.
 * Returns the number of words, or -1 if there are too many to be a
 * command.
 */
static int pgc_split(const char *p, char **tok, char *store)
{
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == PGC_MAX_TOKENS)
			return -1;
		tok[n++] = store;
		if (*p == '=')
			*store++ = *p++;
		else
			while (*p && *p != ' ' && *p != '\t' && *p != '=')
				*store++ = *p++;
		*store++ = '\0';
	}
}

static int pgc_is_name(const char *w)
{
	const char *p = w;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (*++p)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

/* Decimal, or hexadecimal after 0x; all of @w, and nothing too large. */
static int pgc_parse_u64(const char *w, uint64_t *val)
{
	int hex = w[0] == '0' && (w[1] == 'x' || w[1] == 'X');
	const char *digits = hex ? w + 2 : w;
	char *end;

	if (!(hex ? isxdigit((unsigned char)*digits) :
		    isdigit((unsigned char)*digits)))
		return -1;
	errno = 0;
	*val = strtoull(digits, &end, hex ? 16 : 10);
	return errno || *end ? -1 : 0;
}

static struct pgc_name *pgc_find(struct pgc_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nr_names; i++)
		if (!strcmp(s->names[i].name, name))
			return &s->names[i];
	return NULL;
}

static int pgc_bind(struct pgc_session *s, const char *name, uint64_t handle,
		    uint64_t usable)
{
	struct pgc_name *n = pgc_find(s, name), *names;
	char *copy;

	if (n) {
		n->handle = handle;
		n->usable = usable;
		return 0;
	}
	copy = strdup(name);
	names = copy ? realloc(s->names, (s->nr_names + 1) * sizeof(*names)) :
		NULL;
	if (!names) {
		free(copy);
		return -ENOMEM;
	}
	s->names = names;
	names[s->nr_names].name = copy;
	names[s->nr_names].handle = handle;
	names[s->nr_names].usable = usable;
	s->nr_names++;
	return 0;
}

/* A block: a NAME bound earlier, or a handle written as a number. */
static int pgc_block(struct pgc_session *s, const char *w, uint64_t *handle)
{
	struct pgc_name *n;

	if (!pgc_parse_u64(w, handle))
		return 0;
	if (!pgc_is_name(w))
		return pgc_fail_word(s, EINVAL, "", w,
				     " is neither a name nor a handle");
	n = pgc_find(s, w);
	if (!n)
		return pgc_fail_word(s, ENOENT, "no block is named ", w, "");
	*handle = n->handle;
	return 0;
}

static int pgc_number(struct pgc_session *s, const char *w, const char *what,
		      uint64_t *val)
{
	if (pgc_parse_u64(w, val))
		return pgc_fail_word(s, EINVAL, what, w, " is not a number");
	return 0;
}

static int pgc_cmd_alloc(struct pgc_session *s, const char *name,
			 const char *size_w)
{
	uint64_t size, handle, usable;
	int ret;

	if (pgc_number(s, size_w, "SIZE ", &size))
		return -1;
	ret = s->be->alloc(s->be->ctx, size, &handle, &usable);
	if (ret)
		return pgc_call_failed(s, ret);
	ret = pgc_bind(s, name, handle, usable);
	if (ret)
		return pgc_call_failed(s, ret);
	fprintf(s->out, "ok %s = 0x%llx (%llu bytes)\n", name,
		(unsigned long long)handle, (unsigned long long)usable);
	return 0;
}

static int pgc_cmd_realloc(struct pgc_session *s, const char *name,
			   const char *old_w, const char *size_w)
{
	uint64_t old, size, handle, usable;
	int ret;

	if (pgc_block(s, old_w, &old) || pgc_number(s, size_w, "SIZE ", &size))
		return -1;
	ret = s->be->realloc(s->be->ctx, old, size, &handle, &usable);
	if (ret)
		return pgc_call_failed(s, ret);
	ret = pgc_bind(s, name, handle, usable);
	if (ret)
		return pgc_call_failed(s, ret);
	fprintf(s->out, "ok %s = 0x%llx (%llu bytes, ", name,
		(unsigned long long)handle, (unsigned long long)usable);
	if (handle == old)
		fprintf(s->out, "in place)\n");
	else
		fprintf(s->out, "moved from 0x%llx)\n", (unsigned long long)old);
	return 0;
}

static int pgc_cmd_free(struct pgc_session *s, const char *block_w)
{
	uint64_t handle;
	int ret;

	if (pgc_block(s, block_w, &handle))
		return -1;
	ret = s->be->free(s->be->ctx, handle);
	if (ret)
		return pgc_call_failed(s, ret);
	fprintf(s->out, "ok\n");
	return 0;
}

/* Printable bytes as they are, '\' as "\\", others as \xNN. */
static void pgc_print_bytes(FILE *out, const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\\')
			fputs("\\\\", out);
		else if (isprint(buf[i]))
			fputc(buf[i], out);
		else
			fprintf(out, "\\x%02x", buf[i]);
	}
}

static int pgc_cmd_read(struct pgc_session *s, const char *block_w,
			const char *off_w, const char *len_w)
{
	uint64_t handle, off, len;
	unsigned char *buf;
	int ret;

	if (pgc_block(s, block_w, &handle) ||
	    pgc_number(s, off_w, "OFFSET ", &off) ||
	    pgc_number(s, len_w, "LEN ", &len))
		return -1;
	/* The device checks the length against the block; malloc must cope. */
	buf = malloc(len ? len : 1);
	if (!buf)
		return pgc_fail(s, ENOMEM, "cannot buffer that many bytes");
	ret = s->be->read(s->be->ctx, handle, off, buf, len);
	if (ret) {
		free(buf);
		return pgc_call_failed(s, ret);
	}
	fputs("ok ", s->out);
	pgc_print_bytes(s->out, buf, len);
	fputc('\n', s->out);
	free(buf);
	return 0;
}

static int pgc_cmd_write(struct pgc_session *s, const char *block_w,
			 const char *off_w, const char *text)
{
	uint64_t handle, off;
	size_t len = strlen(text);
	int ret;

	if (pgc_block(s, block_w, &handle) ||
	    pgc_number(s, off_w, "OFFSET ", &off))
		return -1;
	ret = s->be->write(s->be->ctx, handle, off, text, len);
	if (ret)
		return pgc_call_failed(s, ret);
	fprintf(s->out, "ok %zu bytes\n", len);
	return 0;
}

static int pgc_usage(struct pgc_session *s, const char *usage)
{
	char why[128];

	snprintf(why, sizeof(why), "usage: %s", usage);
	return pgc_fail(s, EINVAL, why);
}

static struct pgc_mapping *pgc_find_map(struct pgc_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nr_maps_live; i++)
		if (!strcmp(s->maps[i].name, name))
			return &s->maps[i];
	return NULL;
}

/* MAP = mmap NAME [OFFSET LEN] */
static int pgc_cmd_mmap(struct pgc_session *s, const char *map_w,
			const char *block_w, const char *off_w,
			const char *len_w)
{
	struct pgc_mapping *maps;
	uint64_t handle, off = 0, len;
	struct pgc_name *n;
	char *copy;
	void *addr;
	int ret;

	if (pgc_find_map(s, map_w))
		return pgc_fail_word(s, EEXIST, "", map_w,
				     " is mapped already: munmap it first");
	if (pgc_block(s, block_w, &handle))
		return -1;
	if (off_w) {
		if (pgc_number(s, off_w, "OFFSET ", &off) ||
		    pgc_number(s, len_w, "LEN ", &len))
			return -1;
	} else {
		n = pgc_find(s, block_w);
		if (!n || !n->usable)
			return pgc_usage(s, "MAP = mmap HANDLE OFFSET LEN");
		len = n->usable;
	}
	if (!s->be->mmap)
		return pgc_call_failed(s, -EOPNOTSUPP);
	copy = strdup(map_w);
	maps = copy ? realloc(s->maps, (s->nr_maps_live + 1) * sizeof(*maps)) :
	       NULL;
	if (!maps) {
		free(copy);
		return pgc_call_failed(s, -ENOMEM);
	}
	s->maps = maps;
	ret = s->be->mmap(s->be->ctx, handle, off, len, &addr);
	if (ret) {
		free(copy);
		return pgc_call_failed(s, ret);
	}
	maps[s->nr_maps_live].name = copy;
	maps[s->nr_maps_live].addr = addr;
	maps[s->nr_maps_live].len = len;
	s->nr_maps_live++;
	fprintf(s->out, "ok %s = 0x%llx+%llu (%llu bytes mapped)\n", map_w,
		(unsigned long long)handle, (unsigned long long)off,
		(unsigned long long)len);
	return 0;
}

/* The mapping named @w, and [@off_w, + @len) checked against it. */
static struct pgc_mapping *pgc_map_range(struct pgc_session *s,
					 const char *w, const char *off_w,
					 uint64_t *off, uint64_t len)
{
	struct pgc_mapping *m = pgc_find_map(s, w);
	char why[128];

	if (!m) {
		pgc_fail_word(s, ENOENT, "no mapping is named ", w, "");
		return NULL;
	}
	if (pgc_number(s, off_w, "OFFSET ", off))
		return NULL;
	if (*off > m->len || len > m->len - *off) {
		snprintf(why, sizeof(why), "past the mapping's %llu bytes",
			 (unsigned long long)m->len);
		pgc_fail(s, EINVAL, why);
		return NULL;
	}
	return m;
}

static int pgc_cmd_mread(struct pgc_session *s, const char *map_w,
			 const char *off_w, const char *len_w)
{
	struct pgc_mapping *m;
	uint64_t off, len;

	if (pgc_number(s, len_w, "LEN ", &len))
		return -1;
	m = pgc_map_range(s, map_w, off_w, &off, len);
	if (!m)
		return -1;
	fputs("ok ", s->out);
	pgc_print_bytes(s->out, m->addr + off, len);
	fputc('\n', s->out);
	return 0;
}

static int pgc_cmd_mwrite(struct pgc_session *s, const char *map_w,
			  const char *off_w, const char *text)
{
	size_t len = strlen(text);
	struct pgc_mapping *m;
	uint64_t off;

	m = pgc_map_range(s, map_w, off_w, &off, len);
	if (!m)
		return -1;
	memcpy(m->addr + off, text, len);
	fprintf(s->out, "ok %zu bytes\n", len);
	return 0;
}

static int pgc_cmd_munmap(struct pgc_session *s, const char *map_w)
{
	struct pgc_mapping *m = pgc_find_map(s, map_w);
	int ret;

	if (!m)
		return pgc_fail_word(s, ENOENT, "no mapping is named ", map_w,
				     "");
	ret = s->be->munmap(s->be->ctx, m->addr, m->len);
	if (ret)
		return pgc_call_failed(s, ret);
	free(m->name);
	*m = s->maps[--s->nr_maps_live];
	fprintf(s->out, "ok\n");
	return 0;
}

static const char *const pgc_dumps[] = {
	"classes", "pages", "blocks", "stats", "info",
};

static int pgc_cmd_dump(struct pgc_session *s, const char *what)
{
	int ret;

	fflush(s->out);
	ret = s->be->dump(s->be->ctx, what, s->out);
	if (ret)
		return pgc_call_failed(s, ret);
	fprintf(s->out, "ok\n");
	return 0;
}

static int pgc_svg(struct pgc_session *s, const char *path)
{
	char why[PATH_MAX + 128];
	int ret;

	ret = s->be->svg ? s->be->svg(s->be->ctx, path, s->caption) :
	      -EOPNOTSUPP;
	if (!ret)
		return 0;
	snprintf(why, sizeof(why), "cannot draw \"%s\": %s", path,
		 strerror(-ret));
	return pgc_fail(s, -ret, why);
}

/* map: printed, or drawn into @file; and drawn into the SVG directory. */
static int pgc_cmd_map(struct pgc_session *s, const char *file)
{
	unsigned int nr = ++s->nr_maps;
	char path[PATH_MAX];
	int ret;

	if (file) {
		if (pgc_svg(s, file))
			return -1;
	} else {
		fflush(s->out);
		ret = s->be->dump(s->be->ctx, "map", s->out);
		if (ret)
			return pgc_call_failed(s, ret);
	}
	if (s->opts->svg_dir) {
		snprintf(path, sizeof(path), "%s/%02u-map.svg",
			 s->opts->svg_dir, nr);
		if (pgc_svg(s, path))
			return -1;
	}
	if (file)
		fprintf(s->out, "ok %s\n", file);
	else
		fprintf(s->out, "ok\n");
	return 0;
}

static int pgc_is_dump(const char *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pgc_dumps); i++)
		if (!strcmp(w, pgc_dumps[i]))
			return 1;
	return 0;
}

/*
 * write NAME OFFSET TEXT: TEXT is everything after the blank that ends
 * OFFSET, '#' and all.  The same for mwrite MAP OFFSET TEXT.
 */
static int pgc_write_line(struct pgc_session *s, char *line)
{
	const char *usage = line[0] == 'm' ? "mwrite MAP OFFSET TEXT" :
					      "write NAME OFFSET TEXT";
	char *tok[3], *ends[3];
	char *p = line, *text;
	int i;

	/* Split off the first three words by hand: the rest is data. */
	for (i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		tok[i] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		ends[i] = p;
		if (tok[i] == p)
			return pgc_usage(s, usage);
	}
	if (!*p || !p[1])
		return pgc_usage(s, usage);
	text = p + 1;
	for (i = 0; i < 3; i++)
		*ends[i] = '\0';
	if (line[0] == 'm')
		return pgc_cmd_mwrite(s, tok[1], tok[2], text);
	return pgc_cmd_write(s, tok[1], tok[2], text);
}

/* @word then a blank, and not a name @word being assigned. */
static int pgc_is_word_cmd(const char *line, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(line, word, n) || (line[n] != ' ' && line[n] != '\t'))
		return 0;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	return *line != '=';
}

/* write or mwrite: the rest of the line is data. */
static int pgc_is_write(const char *line)
{
	return pgc_is_word_cmd(line, "write") || pgc_is_word_cmd(line, "mwrite");
}

/* A command other than write, cut into @n words. */
static int pgc_words(struct pgc_session *s, char **tok, int n)
{
	if (!n)
		return 0;
	if (n >= 2 && !strcmp(tok[1], "=")) {
		if (!pgc_is_name(tok[0]))
			return pgc_fail_word(s, EINVAL, "", tok[0],
					     " is not a NAME");
		if (n >= 3 && !strcmp(tok[2], "alloc"))
			return n == 4 ? pgc_cmd_alloc(s, tok[0], tok[3]) :
			       pgc_usage(s, "NAME = alloc SIZE");
		if (n >= 3 && !strcmp(tok[2], "realloc"))
			return n == 5 ?
			       pgc_cmd_realloc(s, tok[0], tok[3], tok[4]) :
			       pgc_usage(s, "NAME = realloc NAME SIZE");
		if (n >= 3 && !strcmp(tok[2], "mmap"))
			return n == 4 ?
			       pgc_cmd_mmap(s, tok[0], tok[3], NULL, NULL) :
			       n == 6 ?
			       pgc_cmd_mmap(s, tok[0], tok[3], tok[4], tok[5]) :
			       pgc_usage(s, "MAP = mmap NAME [OFFSET LEN]");
		return pgc_fail(s, EINVAL, "NAME = must be followed by alloc, realloc or mmap");
	}
	if (!strcmp(tok[0], "free"))
		return n == 2 ? pgc_cmd_free(s, tok[1]) :
		       pgc_usage(s, "free NAME");
	if (!strcmp(tok[0], "read"))
		return n == 4 ? pgc_cmd_read(s, tok[1], tok[2], tok[3]) :
		       pgc_usage(s, "read NAME OFFSET LEN");
	if (!strcmp(tok[0], "write"))
		return pgc_usage(s, "write NAME OFFSET TEXT");
	if (!strcmp(tok[0], "mwrite"))
		return pgc_usage(s, "mwrite MAP OFFSET TEXT");
	if (!strcmp(tok[0], "mread"))
		return n == 4 ? pgc_cmd_mread(s, tok[1], tok[2], tok[3]) :
		       pgc_usage(s, "mread MAP OFFSET LEN");
	if (!strcmp(tok[0], "munmap"))
		return n == 2 ? pgc_cmd_munmap(s, tok[1]) :
		       pgc_usage(s, "munmap MAP");
	if (!strcmp(tok[0], "map"))
		return n == 1 ? pgc_cmd_map(s, NULL) :
		       n == 3 && !strcmp(tok[1], "--svg") ?
		       pgc_cmd_map(s, tok[2]) :
		       pgc_usage(s, "map [--svg FILE]");
	if (pgc_is_dump(tok[0]))
		return n == 1 ? pgc_cmd_dump(s, tok[0]) :
		       pgc_usage(s, tok[0]);
	return pgc_fail_word(s, EINVAL, "unknown command ", tok[0], "");
}

static int pgc_command(struct pgc_session *s, char *line)
{
	char *tok[PGC_MAX_TOKENS], *hash, *store;
	int n, ret;

	if (pgc_is_write(line))
		return pgc_write_line(s, line);

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	store = malloc(2 * strlen(line) + 2);
	if (!store)
		return pgc_fail(s, ENOMEM, strerror(ENOMEM));
	n = pgc_split(line, tok, store);
	ret = n < 0 ? pgc_fail(s, EINVAL, "too many words") :
	      pgc_words(s, tok, n);
	free(store);
	return ret;
}

/*
 * A heading line, "##" cut off: the first of a block of them, or the
 * first that is not empty, is the caption of the maps drawn after it.
 */
static void pgc_heading(struct pgc_session *s, const char *text)
{
	while (*text == ' ' || *text == '\t' || *text == '#')
		text++;
	if (!s->heading)
		s->caption[0] = '\0';
	if (!s->caption[0])
		snprintf(s->caption, sizeof(s->caption), "%s", text);
}

/* Returns -1 if the line was a command that failed. */
static int pgc_line(struct pgc_session *s, char *line, int echo)
{
	char *cmd, *copy, *end;
	size_t len = strlen(line);
	int ret;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	cmd = line;
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;

	if (!strncmp(cmd, "##", 2)) {
		pgc_heading(s, cmd + 2);
		/* A block of heading lines is set apart from what came before. */
		fprintf(s->out, "%s%s\n", s->printed && !s->heading ? "\n" : "",
			cmd);
		s->printed = 1;
		s->heading = 1;
		return 0;
	}
	s->heading = 0;
	if (*cmd == '#' || *cmd == '\0')
		return 0;

	/* Parsing cuts up the copy; the line is quoted without its comment. */
	copy = strdup(cmd);
	if (!pgc_is_write(cmd)) {
		end = strchr(cmd, '#');
		if (end)
			*end = '\0';
		end = cmd + strlen(cmd);
		while (end > cmd && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
	}
	s->cmd = cmd;
	if (echo)
		fprintf(s->out, "> %s\n", cmd);
	s->printed = 1;
	if (!copy)
		return pgc_fail(s, ENOMEM, strerror(ENOMEM));
	ret = pgc_command(s, copy);
	free(copy);
	return ret;
}

int pgc_session_run(const struct pgc_backend *be, FILE *in, FILE *out,
		    const struct pgc_session_opts *opts)
{
	struct pgc_session s = { .be = be, .opts = opts, .out = out };
	char *line = NULL;
	size_t cap = 0;
	int failed = 0;
	size_t i;

	while (getline(&line, &cap, in) >= 0) {
		s.lineno++;
		if (pgc_line(&s, line, opts->echo))
			failed++;
		fflush(out);
	}
	free(line);
	for (i = 0; i < s.nr_names; i++)
		free(s.names[i].name);
	free(s.names);
	for (i = 0; i < s.nr_maps_live; i++) {
		be->munmap(be->ctx, s.maps[i].addr, s.maps[i].len);
		free(s.maps[i].name);
	}
	free(s.maps);
	return failed;
}
