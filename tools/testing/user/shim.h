/* SPDX-License-Identifier: GPL-2.0 */
/* What the shims record, for the tests to check. */
#ifndef _PGCLASS_TEST_SHIM_H
#define _PGCLASS_TEST_SHIM_H

#include <stdbool.h>

/* pr_warn*() calls so far, printed or suppressed by the rate limit. */
extern unsigned long shim_warnings;
/* The text of the last one (after pr_fmt), truncated to fit. */
extern char shim_last_warning[512];
/* Do not print messages (the calls are still counted). */
extern bool shim_quiet;
/* Spinlocks this thread holds now, and has taken so far. */
extern __thread int shim_lock_depth;
extern __thread unsigned long shim_lock_count;
/* Called once, then cleared, when this thread next holds no spinlock. */
extern __thread void (*shim_unlock_hook)(void);

#endif
