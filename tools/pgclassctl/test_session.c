// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pgclassctl's session parser, against a fake allocator:
 * every command and error line, byte for byte, and the pictures the map
 * commands ask for.  TAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

#define FAKE_BLOCKS	8
#define FAKE_SIZE	64

/* Blocks of FAKE_SIZE bytes at handles 0x100, 0x200, ... */
struct fake {
	int used[FAKE_BLOCKS];
	unsigned char data[FAKE_BLOCKS][FAKE_SIZE];
	char svgs[512];		/* "PATH|CAPTION\n" per picture drawn */
	int mapped;		/* mappings not unmapped */
};

static int fake_slot(struct fake *f, uint64_t handle)
{
	uint64_t i = handle / 0x100 - 1;

	if (handle % 0x100 || handle < 0x100 || i >= FAKE_BLOCKS || !f->used[i])
		return -1;
	return (int)i;
}

static int fake_alloc(void *ctx, uint64_t size, uint64_t *handle,
		      uint64_t *usable)
{
	struct fake *f = ctx;
	int i;

	if (!size)
		return -EINVAL;
	if (size > FAKE_SIZE)
		return -ENOMEM;
	for (i = 0; i < FAKE_BLOCKS; i++) {
		if (!f->used[i]) {
			f->used[i] = 1;
			memset(f->data[i], 0, FAKE_SIZE);
			*handle = 0x100 * (i + 1);
			*usable = FAKE_SIZE;
			return 0;
		}
	}
	return -ENOMEM;
}

static int fake_free(void *ctx, uint64_t handle)
{
	struct fake *f = ctx;
	int i = fake_slot(f, handle);

	if (i < 0)
		return -EINVAL;
	f->used[i] = 0;
	return 0;
}

/* Grows by moving to the next free slot, to show both ok lines. */
static int fake_realloc(void *ctx, uint64_t handle, uint64_t size,
			uint64_t *new_handle, uint64_t *usable)
{
	struct fake *f = ctx;
	int i = fake_slot(f, handle), ret;

	if (i < 0 || !size)
		return -EINVAL;
	if (size <= FAKE_SIZE / 2) {
		*new_handle = handle;
		*usable = FAKE_SIZE;
		return 0;
	}
	ret = fake_alloc(ctx, size, new_handle, usable);
	if (ret)
		return ret;
	memcpy(f->data[*new_handle / 0x100 - 1], f->data[i], FAKE_SIZE);
	f->used[i] = 0;
	return 0;
}

static int fake_rw(struct fake *f, uint64_t handle, uint64_t off,
		   uint64_t len, unsigned char **p)
{
	int i = fake_slot(f, handle);

	if (i < 0 || off > FAKE_SIZE || len > FAKE_SIZE - off)
		return -EINVAL;
	*p = f->data[i] + off;
	return 0;
}

static int fake_read(void *ctx, uint64_t handle, uint64_t off, void *buf,
		     uint64_t len)
{
	unsigned char *p;
	int ret = fake_rw(ctx, handle, off, len, &p);

	if (!ret)
		memcpy(buf, p, len);
	return ret;
}

static int fake_write(void *ctx, uint64_t handle, uint64_t off,
		      const void *buf, uint64_t len)
{
	unsigned char *p;
	int ret = fake_rw(ctx, handle, off, len, &p);

	if (!ret)
		memcpy(p, buf, len);
	return ret;
}

/* A mapping is the fake block's own bytes; counted to see munmap. */
static int fake_mmap(void *ctx, uint64_t handle, uint64_t off, uint64_t len,
		     void **addr)
{
	struct fake *f = ctx;
	unsigned char *p;
	int ret = fake_rw(f, handle, off, len, &p);

	if (ret || !len || off % 16)
		return -EINVAL;
	f->mapped++;
	*addr = p;
	return 0;
}

static int fake_munmap(void *ctx, void *addr, uint64_t len)
{
	struct fake *f = ctx;

	(void)addr;
	(void)len;
	f->mapped--;
	return 0;
}

static int fake_dump(void *ctx, const char *what, FILE *out)
{
	(void)ctx;
	if (!strcmp(what, "pages"))
		return -ENOENT;
	fprintf(out, "<%s table>\n", what);
	return 0;
}

/* A picture that cannot be written to "full". */
static int fake_svg(void *ctx, const char *path, const char *caption)
{
	struct fake *f = ctx;
	size_t len = strlen(f->svgs);

	if (!strcmp(path, "full") || !strcmp(path, "full/02-map.svg"))
		return -ENOSPC;
	snprintf(f->svgs + len, sizeof(f->svgs) - len, "%s|%s\n", path,
		 caption);
	return 0;
}

struct test {
	const char *name;
	const char *in;
	int echo;
	const char *out;
	int failed;
	const char *svg_dir;	/* PGCLASS_SVG_DIR */
	const char *svgs;	/* the pictures drawn, as fake_svg logs them */
};

static const struct test tests[] = {
	{ "alloc, write, read, free",
	  "a = alloc 10\nwrite a 0 hello\nread a 0 5\nfree a\n", 0,
	  "ok a = 0x100 (64 bytes)\nok 5 bytes\nok hello\nok\n", 0,
	  NULL, NULL },
	{ "echo and headings",
	  "## Heading\n## more\n# silent\n\n## after a blank\nb=alloc 0x20\n"
	  "## Next\n##\n", 1,
	  "## Heading\n## more\n\n## after a blank\n> b=alloc 0x20\n"
	  "ok b = 0x100 (64 bytes)\n\n## Next\n##\n", 0,
	  NULL, NULL },
	{ "realloc in place and moved, contents kept",
	  "a = alloc 8\nwrite a 0 abc\na = realloc a 16\nb = realloc a 40\nread b 0 3\n", 0,
	  "ok a = 0x100 (64 bytes)\nok 3 bytes\n"
	  "ok a = 0x100 (64 bytes, in place)\n"
	  "ok b = 0x200 (64 bytes, moved from 0x100)\nok abc\n", 0,
	  NULL, NULL },
	{ "write takes the rest of the line, hash and blanks included",
	  "a = alloc 1\nwrite a 0  x # y\x20\nread a 0 8\n", 0,
	  "ok a = 0x100 (64 bytes)\nok 7 bytes\nok  x # y \\x00\n", 0,
	  NULL, NULL },
	{ "read escapes bytes that are not printable, and backslashes",
	  "a = alloc 1\nwrite a 1 \\ok\nread a 0 4\n", 0,
	  "ok a = 0x100 (64 bytes)\nok 3 bytes\nok \\x00\\\\ok\n", 0,
	  NULL, NULL },
	{ "an error names line, command and errno; the session goes on",
	  "a = alloc 1\nfree a\nfree a   # again\nstats\n", 0,
	  "ok a = 0x100 (64 bytes)\nok\n"
	  "error: line 3: free a: EINVAL (Invalid argument)\n"
	  "<stats table>\nok\n", 1,
	  NULL, NULL },
	{ "a handle can stand for a name",
	  "a = alloc 1\nfree 0x100\nfree 256\n", 0,
	  "ok a = 0x100 (64 bytes)\nok\n"
	  "error: line 3: free 256: EINVAL (Invalid argument)\n", 1,
	  NULL, NULL },
	{ "unknown names and commands",
	  "free nope\nfrobnicate x\n", 0,
	  "error: line 1: free nope: ENOENT (no block is named \"nope\")\n"
	  "error: line 2: frobnicate x: EINVAL (unknown command \"frobnicate\")\n", 2,
	  NULL, NULL },
	{ "usage errors",
	  "a = alloc\nfree\nread a 0\nwrite a 0\nwrite\nmap now\nx = free a\n", 0,
	  "error: line 1: a = alloc: EINVAL (usage: NAME = alloc SIZE)\n"
	  "error: line 2: free: EINVAL (usage: free NAME)\n"
	  "error: line 3: read a 0: EINVAL (usage: read NAME OFFSET LEN)\n"
	  "error: line 4: write a 0: EINVAL (usage: write NAME OFFSET TEXT)\n"
	  "error: line 5: write: EINVAL (usage: write NAME OFFSET TEXT)\n"
	  "error: line 6: map now: EINVAL (usage: map [--svg FILE])\n"
	  "error: line 7: x = free a: EINVAL (NAME = must be followed by alloc, realloc or mmap)\n",
	  7,
	  NULL, NULL },
	{ "bad numbers and names",
	  "a = alloc ten\nb = alloc 0x\nc = alloc 99999999999999999999\n1a = alloc 1\n", 0,
	  "error: line 1: a = alloc ten: EINVAL (SIZE \"ten\" is not a number)\n"
	  "error: line 2: b = alloc 0x: EINVAL (SIZE \"0x\" is not a number)\n"
	  "error: line 3: c = alloc 99999999999999999999: EINVAL (SIZE \"99999999999999999999\" is not a number)\n"
	  "error: line 4: 1a = alloc 1: EINVAL (\"1a\" is not a NAME)\n", 4,
	  NULL, NULL },
	{ "errors from the allocator",
	  "a = alloc 0\nb = alloc 100\nc = alloc 1\nread c 60 5\npages\n", 0,
	  "error: line 1: a = alloc 0: EINVAL (Invalid argument)\n"
	  "error: line 2: b = alloc 100: ENOMEM (Cannot allocate memory)\n"
	  "ok c = 0x100 (64 bytes)\n"
	  "error: line 4: read c 60 5: EINVAL (Invalid argument)\n"
	  "error: line 5: pages: ENOENT (No such file or directory)\n", 4,
	  NULL, NULL },
	{ "a block named write, CRLF line ends, dumps",
	  "write = alloc 3\r\nwrite write 0 hi\r\nmap\r\n", 0,
	  "ok write = 0x100 (64 bytes)\nok 2 bytes\n<map table>\nok\n", 0,
	  NULL, NULL },
	{ "map --svg FILE draws the map instead of printing it",
	  "## Title\n##\n## more\nmap --svg out.svg\nmap\n", 0,
	  "## Title\n##\n## more\nok out.svg\n<map table>\nok\n", 0,
	  NULL, "out.svg|Title\n" },
	{ "an SVG directory: every map drawn as NN-map.svg, captioned",
	  "map\n##\n##  Example 1: alloc\n## the rest\na = alloc 1\nmap\n"
	  "## Example 2\nmap --svg x.svg # too\nstats\nmap\n", 1,
	  "> map\n<map table>\nok\n\n##\n##  Example 1: alloc\n## the rest\n"
	  "> a = alloc 1\nok a = 0x100 (64 bytes)\n> map\n<map table>\nok\n"
	  "\n## Example 2\n> map --svg x.svg\nok x.svg\n"
	  "> stats\n<stats table>\nok\n> map\n<map table>\nok\n", 0,
	  "d", "d/01-map.svg|\nd/02-map.svg|Example 1: alloc\n"
	  "x.svg|Example 2\nd/03-map.svg|Example 2\nd/04-map.svg|Example 2\n" },
	{ "a picture that cannot be drawn is an error; the numbers go on",
	  "map --svg full\nmap\nmap\n", 0,
	  "error: line 1: map --svg full: ENOSPC (cannot draw \"full\": No space left on device)\n"
	  "<map table>\n"
	  "error: line 2: map: ENOSPC (cannot draw \"full/02-map.svg\": No space left on device)\n"
	  "<map table>\nok\n", 2,
	  "full", "full/03-map.svg|\n" },
	{ "mmap, mwrite, mread, munmap; the same bytes as read and write",
	  "a = alloc 40\nm = mmap a\nmwrite m 2 via # the map\nread a 0 7\n"
	  "write a 8 by ioctl\nmread m 8 8\nn = mmap a 16 32\nmwrite n 0 io\n"
	  "read a 16 2\nmunmap m\nmunmap n\n", 0,
	  "ok a = 0x100 (64 bytes)\nok m = 0x100+0 (64 bytes mapped)\n"
	  "ok 13 bytes\nok \\x00\\x00via #\nok 8 bytes\nok by ioctl\n"
	  "ok n = 0x100+16 (32 bytes mapped)\nok 2 bytes\nok io\nok\nok\n", 0,
	  NULL, NULL },
	{ "mmap errors: ranges, names, usage; mappings left are unmapped",
	  "a = alloc 1\nm = mmap a 0 16\nm = mmap a\nmread m 10 7\n"
	  "mwrite m 16 x\nmread q 0 1\nmunmap q\nx = mmap 0x100\n"
	  "y = mmap 0x100 0 8\nz = mmap a 8 8\nz = mmap nope\nmread m\n"
	  "mwrite m 0\nmunmap\n", 0,
	  "ok a = 0x100 (64 bytes)\nok m = 0x100+0 (16 bytes mapped)\n"
	  "error: line 3: m = mmap a: EEXIST (\"m\" is mapped already: munmap it first)\n"
	  "error: line 4: mread m 10 7: EINVAL (past the mapping's 16 bytes)\n"
	  "error: line 5: mwrite m 16 x: EINVAL (past the mapping's 16 bytes)\n"
	  "error: line 6: mread q 0 1: ENOENT (no mapping is named \"q\")\n"
	  "error: line 7: munmap q: ENOENT (no mapping is named \"q\")\n"
	  "error: line 8: x = mmap 0x100: EINVAL (usage: MAP = mmap HANDLE OFFSET LEN)\n"
	  "ok y = 0x100+0 (8 bytes mapped)\n"
	  "error: line 10: z = mmap a 8 8: EINVAL (Invalid argument)\n"
	  "error: line 11: z = mmap nope: ENOENT (no block is named \"nope\")\n"
	  "error: line 12: mread m: EINVAL (usage: mread MAP OFFSET LEN)\n"
	  "error: line 13: mwrite m 0: EINVAL (usage: mwrite MAP OFFSET TEXT)\n"
	  "error: line 14: munmap: EINVAL (usage: munmap MAP)\n", 11,
	  NULL, NULL },
	{ "map usage",
	  "map --svg\nmap --png x\nmap --svg a b\nmap x\n", 0,
	  "error: line 1: map --svg: EINVAL (usage: map [--svg FILE])\n"
	  "error: line 2: map --png x: EINVAL (usage: map [--svg FILE])\n"
	  "error: line 3: map --svg a b: EINVAL (usage: map [--svg FILE])\n"
	  "error: line 4: map x: EINVAL (usage: map [--svg FILE])\n", 4,
	  NULL, "" },
};

int main(void)
{
	size_t i, n = ARRAY_SIZE(tests);
	int bad = 0;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		const struct test *t = &tests[i];
		struct fake f;
		struct pgc_backend be = {
			.alloc = fake_alloc, .free = fake_free,
			.realloc = fake_realloc, .read = fake_read,
			.write = fake_write, .dump = fake_dump, .svg = fake_svg,
			.mmap = fake_mmap, .munmap = fake_munmap, .ctx = &f,
		};
		struct pgc_session_opts opts = {
			.echo = t->echo, .svg_dir = t->svg_dir,
		};
		FILE *in, *o;
		char *out = NULL;
		size_t len = 0;
		int failed, ok;

		memset(&f, 0, sizeof(f));
		in = fmemopen((void *)t->in, strlen(t->in), "r");
		o = open_memstream(&out, &len);
		failed = pgc_session_run(&be, in, o, &opts);

		fclose(in);
		fclose(o);
		ok = failed == t->failed && !strcmp(out, t->out) &&
		     (!t->svgs || !strcmp(f.svgs, t->svgs)) && !f.mapped;
		printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 1, t->name);
		if (!ok) {
			printf("# failed %d, expected %d\n# got:\n%s# expected:\n%s",
			       failed, t->failed, out, t->out);
			if (t->svgs)
				printf("# pictures:\n%s# expected:\n%s",
				       f.svgs, t->svgs);
			bad++;
		}
		free(out);
	}
	return bad ? 1 : 0;
}
