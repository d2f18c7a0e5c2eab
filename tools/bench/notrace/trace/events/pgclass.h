/* SPDX-License-Identifier: GPL-2.0 */
/*
 * make bench's baseline for what the tracepoints cost: this header stands
 * in for include/trace/events/pgclass.h when bench.sh builds a second
 * pgclass.ko with this directory first on the include path.  Every
 * tracepoint is then compiled out, as on a kernel without
 * CONFIG_TRACEPOINTS: the _enabled() tests are constant false, so the
 * code that works out the events' arguments goes too.
 */
#ifndef _BENCH_NOTRACE_PGCLASS_H
#define _BENCH_NOTRACE_PGCLASS_H

#include <linux/types.h>

static inline void pgclass_notrace(int unused, ...)
{
}

#define trace_pgclass_alloc_enabled()		false
#define trace_pgclass_free_enabled()		false
#define trace_pgclass_realloc_enabled()		false
#define trace_pgclass_bad_free_enabled()	false
#define trace_pgclass_cache_refill_enabled()	false
#define trace_pgclass_cache_flush_enabled()	false

#define trace_pgclass_alloc(...)	pgclass_notrace(0, __VA_ARGS__)
#define trace_pgclass_free(...)		pgclass_notrace(0, __VA_ARGS__)
#define trace_pgclass_realloc(...)	pgclass_notrace(0, __VA_ARGS__)
#define trace_pgclass_bad_free(...)	pgclass_notrace(0, __VA_ARGS__)
#define trace_pgclass_cache_refill(...)	pgclass_notrace(0, __VA_ARGS__)
#define trace_pgclass_cache_flush(...)	pgclass_notrace(0, __VA_ARGS__)

#endif
