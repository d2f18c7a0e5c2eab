// SPDX-License-Identifier: GPL-2.0
/*
 * The texts of pgclassctl --help and pgclassctl help COMMAND.
 */
#include <string.h>

#include "help.h"
#include "util.h"

struct pgc_cmd_help {
	const char *name;
	const char *usage;	/* without "usage: " */
	const char *text;
};

static const char pgc_status[] =
	"Exit status: 0 on success, 1 if it failed, 2 on bad usage.\n";

static const struct pgc_cmd_help pgc_cmds[] = {
	{ "info", "pgclassctl info",
	  "Prints the arena's geometry, as the device reports it (ioctl\n"
	  "PGCLASS_IOC_INFO), one \"key: value\" a line: abi_version,\n"
	  "page_size, page_shift, nr_pages, meta_pages, nr_classes,\n"
	  "arena_size.\n"
	  "\n"
	  "Files: the device, $PGCLASS_DEV (default /dev/pgclass).\n" },
	{ "stats", "pgclassctl stats",
	  "Prints the allocator's counters (ioctl PGCLASS_IOC_STATS): the\n"
	  "same \"key: value\" lines, in the same order, as debugfs stats:\n"
	  "page_size, nr_pages, meta_pages, free_pages, used_pages, blocks,\n"
	  "bytes_allocated, bytes_requested, peak_used_pages, alloc_calls,\n"
	  "free_calls, realloc_calls, failed_calls, fit_scans,\n"
	  "cached_blocks, cached_pages, cache_busy_failures.\n"
	  "\n"
	  "Files: the device, $PGCLASS_DEV (default /dev/pgclass).\n" },
	{ "classes", "pgclassctl classes",
	  "Prints debugfs classes: one row per size class (16, 32, ... up to\n"
	  "half a page, then page and multi) and a total row, columns class,\n"
	  "block_size, pages, blocks_used, blocks_total, util_pct.\n"
	  "\n"
	  "Files: $PGCLASS_DEBUGFS/classes (default\n"
	  "/sys/kernel/debug/pgclass/classes).\n" },
	{ "pages", "pgclassctl pages",
	  "Prints debugfs pages: one line per allocator page, columns index,\n"
	  "offset (hex), state (meta, free, small, whole, head, tail), class,\n"
	  "used, total (\"-\" where they do not apply; a head gives its block's\n"
	  "length in pages as total).\n"
	  "\n"
	  "Files: $PGCLASS_DEBUGFS/pages (default\n"
	  "/sys/kernel/debug/pgclass/pages).\n" },
	{ "blocks", "pgclassctl blocks",
	  "Prints debugfs blocks: a header line, then one line per block\n"
	  "handed out through /dev/pgclass, by offset, columns offset, size\n"
	  "(usable), class, owner (pid:PID/N, the process and the number of\n"
	  "its open).\n"
	  "\n"
	  "Files: $PGCLASS_DEBUGFS/blocks (default\n"
	  "/sys/kernel/debug/pgclass/blocks).\n" },
	{ "cpus", "pgclassctl cpus",
	  "Prints debugfs cpus: what each CPU's slot holds and has done, a\n"
	  "row per CPU that holds a page or has served a call, then total.\n"
	  "Columns: cpu, alloc_calls, free_calls and realloc_calls it served\n"
	  "without the pool lock, remote_frees (of those frees, the ones from\n"
	  "other CPUs), refills (pages it took from the shared lists),\n"
	  "flushes (times its pages were taken back), cached_pages (pages it\n"
	  "owns, at most one per small class) and cached_blocks (their free\n"
	  "blocks).\n"
	  "\n"
	  "Files: $PGCLASS_DEBUGFS/cpus (default\n"
	  "/sys/kernel/debug/pgclass/cpus).\n" },
	{ "map", "pgclassctl map [--color[=WHEN]]\n"
		 "       pgclassctl map --svg FILE",
	  "Prints debugfs map: a legend line, then one character per\n"
	  "allocator page, 64 to a line: M metadata, . free, a letter per\n"
	  "small class (a 16 B, b 32 B, c 64 B, ...), P a whole page, H and =\n"
	  "the head and the rest of a multi-page block.\n"
	  "\n"
	  "  --color[=WHEN]  each page on its class's colour (the colours of\n"
	  "                  the SVG): WHEN is auto (the default: when\n"
	  "                  standard output is a terminal, NO_COLOR is unset\n"
	  "                  or empty and TERM is not dumb), always (also\n"
	  "                  --color alone) or never.  Without colour the\n"
	  "                  output is the debugfs file, byte for byte.\n"
	  "  --svg FILE      instead, draw the map as an SVG picture into FILE\n"
	  "                  (\"-\": standard output): a cell per page coloured\n"
	  "                  by class, the used and free blocks inside each\n"
	  "                  small-class page, a multi-page block as one shape,\n"
	  "                  metadata hatched, a legend; hover over a page or\n"
	  "                  a block for its offset.  Reads debugfs pages and\n"
	  "                  blocks (a directory of saved copies will do, with\n"
	  "                  PGCLASS_DEBUGFS).\n"
	  "\n"
	  "Files: $PGCLASS_DEBUGFS/map, or pages and blocks with --svg\n"
	  "(default /sys/kernel/debug/pgclass/).\n"
	  "Environment: NO_COLOR, TERM.\n" },
	{ "run", "pgclassctl run [--color[=WHEN]] [FILE]",
	  "Plays a session from FILE or standard input (also \"-\"): one open\n"
	  "of the device, so what it allocates is freed when it ends.  One\n"
	  "command a line:\n"
	  "\n"
	  "  NAME = alloc SIZE          NAME = realloc NAME SIZE\n"
	  "  free NAME                  write NAME OFFSET TEXT\n"
	  "  read NAME OFFSET LEN       map [--svg FILE]\n"
	  "  classes | pages | blocks | stats | info\n"
	  "  MAP = mmap NAME [OFFSET LEN]  mwrite MAP OFFSET TEXT\n"
	  "  mread MAP OFFSET LEN       munmap MAP\n"
	  "  # comment                  ## heading (printed)\n"
	  "\n"
	  "A NAME is a letter or _, then letters, digits and _; a handle (a\n"
	  "number) may stand for one.  Numbers are decimal, or hexadecimal\n"
	  "after 0x.  write takes the rest of the line, # and all.  Each\n"
	  "command ends with a line starting \"ok\" or \"error:\"; alloc and\n"
	  "realloc give the handle on it, read the bytes.  Commands not read\n"
	  "from a terminal are echoed as \"> COMMAND\".\n"
	  "\n"
	  "mmap maps a whole-page or multi-page block (all of it, or LEN\n"
	  "bytes from OFFSET, a multiple of the CPU page) under a name of its\n"
	  "own; mread and mwrite use that memory directly, as read and write\n"
	  "use the ioctls.  A mapped block cannot be freed or reallocated\n"
	  "(EBUSY) until munmap; the session unmaps what is left at its end.\n"
	  "\n"
	  "map --svg FILE draws the map into FILE instead of printing it (its\n"
	  "ok line names FILE).  With PGCLASS_SVG_DIR set, every map command\n"
	  "also draws $PGCLASS_SVG_DIR/NN-map.svg, NN = 01, 02, ... in the\n"
	  "session's order, captioned with the heading above it.\n"
	  "--color: the maps printed in colour, as for map.\n"
	  "\n"
	  "Files: the device, $PGCLASS_DEV (default /dev/pgclass); the debugfs\n"
	  "files of the dump commands, in $PGCLASS_DEBUGFS.\n"
	  "Exit status: 0 if every command succeeded, 1 if any failed, 2 if\n"
	  "the session could not start (no device, no FILE) or on bad usage.\n" },
	{ "top", "pgclassctl top [-d SECONDS] [--color[=WHEN]]",
	  "A live view, in the manner of slabtop: a summary (pages used and\n"
	  "free, blocks, bytes), the stats that changed since the last\n"
	  "refresh with their change (the first frame lists every stat), the\n"
	  "classes table and the page map, redrawn in place every SECONDS\n"
	  "and clipped to the window.  q quits; any other key refreshes at\n"
	  "once.  ^C quits too, ^Z suspends; the terminal is restored on\n"
	  "every way out.\n"
	  "\n"
	  "When standard output is not a terminal, or TERM is dumb: the first\n"
	  "frame once, plain text with no escape codes, and no key is read.\n"
	  "\n"
	  "  -d, --delay SECONDS  between refreshes: 0.1 to 86400, fractions\n"
	  "                       allowed (default 1)\n"
	  "  --color[=WHEN]       the map in colour, as for map: auto (the\n"
	  "                       default), always or never\n"
	  "\n"
	  "Files: $PGCLASS_DEBUGFS/stats, classes and map (default\n"
	  "/sys/kernel/debug/pgclass/); top does not open the device.\n"
	  "Environment: NO_COLOR, TERM.\n" },
	{ "help", "pgclassctl help [COMMAND]",
	  "Prints pgclassctl's help, or COMMAND's (as pgclassctl COMMAND\n"
	  "--help does).\n" },
};

static const struct pgc_cmd_help *pgc_find_cmd(const char *cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pgc_cmds); i++)
		if (!strcmp(cmd, pgc_cmds[i].name))
			return &pgc_cmds[i];
	return NULL;
}

int pgc_is_command(const char *cmd)
{
	return !!pgc_find_cmd(cmd);
}

void pgc_usage(const char *cmd, FILE *out)
{
	const struct pgc_cmd_help *h = cmd ? pgc_find_cmd(cmd) : NULL;

	if (h) {
		fprintf(out, "usage: %s\n", h->usage);
		return;
	}
	fputs("usage: pgclassctl info | stats | classes | pages | blocks | cpus\n"
	      "       pgclassctl map [--color[=WHEN]] [--svg FILE]\n"
	      "       pgclassctl run [--color[=WHEN]] [FILE]\n"
	      "       pgclassctl top [-d SECONDS] [--color[=WHEN]]\n"
	      "       pgclassctl help [COMMAND] | --help\n", out);
}

int pgc_help(const char *cmd, FILE *out)
{
	const struct pgc_cmd_help *h;

	if (cmd) {
		h = pgc_find_cmd(cmd);
		if (!h)
			return -1;
		fprintf(out, "usage: %s\n\n%s", h->usage, h->text);
		if (strcmp(cmd, "run"))
			fprintf(out, "%s", strcmp(cmd, "help") ? pgc_status :
				"Exit status: 0, or 2 for an unknown COMMAND.\n");
		return 0;
	}
	pgc_usage(NULL, out);
	fputs("\n"
	      "Looks at the pgclass page-class allocator (pgclass.ko) and\n"
	      "drives it from the shell.\n"
	      "\n"
	      "Commands:\n"
	      "  info     the arena's geometry, from the device\n"
	      "  stats    the allocator's counters, from the device\n"
	      "  classes  the size classes' table (debugfs)\n"
	      "  pages    one line per allocator page (debugfs)\n"
	      "  blocks   one line per block handed out by the device (debugfs)\n"
	      "  cpus     what each CPU's cache holds and has done (debugfs)\n"
	      "  map      one character per page (debugfs), in colour on a\n"
	      "           terminal; --svg FILE draws it as a picture\n"
	      "  run      plays a session of commands from FILE or stdin\n"
	      "  top      stats, classes and map, refreshed until q (debugfs)\n"
	      "  help     this text, or a command's\n"
	      "\n"
	      "pgclassctl help COMMAND or pgclassctl COMMAND --help says more.\n"
	      "\n"
	      "Environment:\n"
	      "  PGCLASS_DEV      the device (default /dev/pgclass)\n"
	      "  PGCLASS_DEBUGFS  the debugfs directory (default\n"
	      "                   /sys/kernel/debug/pgclass)\n"
	      "  PGCLASS_SVG_DIR  run: every map also drawn as NN-map.svg there\n"
	      "  NO_COLOR         set and not empty: no colour unless\n"
	      "                   --color=always (https://no-color.org)\n"
	      "\n"
	      "Exit status: 0 on success; 1 if the command failed (no device or\n"
	      "debugfs file, an ioctl failed, a session command failed); 2 on\n"
	      "bad usage, or if a session could not start.\n", out);
	return 0;
}
