/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclassctl's session language, apart from the device, so that the
 * parser can be tested against a fake allocator.
 */
#ifndef PGCLASSCTL_SESSION_H
#define PGCLASSCTL_SESSION_H

#include <stdint.h>
#include <stdio.h>

#include "util.h"

/*
 * What a session drives.  Each call returns 0 or a negative errno; the
 * real one is /dev/pgclass (pgclassctl.c), the tests use a fake.
 */
struct pgc_backend {
	int (*alloc)(void *ctx, uint64_t size, uint64_t *handle,
		     uint64_t *usable);
	int (*free)(void *ctx, uint64_t handle);
	int (*realloc)(void *ctx, uint64_t handle, uint64_t size,
		       uint64_t *new_handle, uint64_t *usable);
	int (*read)(void *ctx, uint64_t handle, uint64_t offset, void *buf,
		    uint64_t len);
	int (*write)(void *ctx, uint64_t handle, uint64_t offset,
		     const void *buf, uint64_t len);
	/* Prints a table: "map", "classes", "pages", "blocks", "stats", "info". */
	int (*dump)(void *ctx, const char *what, FILE *out);
	/* Draws the map as an SVG picture into @path, under @caption. */
	int (*svg)(void *ctx, const char *path, const char *caption);
	/* Maps @len bytes of block @handle from @offset, shared; *@addr. */
	int (*mmap)(void *ctx, uint64_t handle, uint64_t offset, uint64_t len,
		    void **addr);
	int (*munmap)(void *ctx, void *addr, uint64_t len);
	void *ctx;
};

struct pgc_session_opts {
	int echo;		/* print each command as "> COMMAND" first */
	/*
	 * If not NULL, every map command also draws the map into
	 * svg_dir/NN-map.svg, NN = 01, 02, ... in the session's order.
	 */
	const char *svg_dir;
};

/*
 * Runs the commands of @in, printing to @out.  Returns the number of
 * commands that failed.
 */
int pgc_session_run(const struct pgc_backend *be, FILE *in, FILE *out,
		    const struct pgc_session_opts *opts);

/* "EINVAL" for EINVAL; "E123" for errnos it does not know. */
const char *pgc_errno_name(int err);

#endif /* PGCLASSCTL_SESSION_H */
