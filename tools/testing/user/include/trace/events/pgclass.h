/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the pgclass tracepoints of include/trace/events/
 * pgclass.h do nothing here.  Whether they count as enabled is
 * shim_trace_on's: the tests set it, so that the code working out their
 * arguments runs under the sanitizers too; the benchmarks do not.  With
 * it set, a thread sees them on at every other test: pgclass_alloc() and
 * pgclass_free() take one path with their events off and another with
 * them on, and the tests run both.
 */
#ifndef _SHIM_TRACE_PGCLASS_H
#define _SHIM_TRACE_PGCLASS_H

#include <stdbool.h>

static inline void shim_trace(int unused, ...)
{
	(void)unused;
}

extern bool shim_trace_on;

static inline bool shim_trace_enabled(void)
{
	static __thread unsigned int turn;

	return shim_trace_on && (++turn & 1);
}

#define trace_pgclass_alloc_enabled()		shim_trace_enabled()
#define trace_pgclass_free_enabled()		shim_trace_enabled()
#define trace_pgclass_realloc_enabled()		shim_trace_enabled()
#define trace_pgclass_bad_free_enabled()	shim_trace_enabled()
#define trace_pgclass_cache_refill_enabled()	shim_trace_enabled()
#define trace_pgclass_cache_flush_enabled()	shim_trace_enabled()

#define trace_pgclass_alloc(...)	shim_trace(0, __VA_ARGS__)
#define trace_pgclass_free(...)		shim_trace(0, __VA_ARGS__)
#define trace_pgclass_realloc(...)	shim_trace(0, __VA_ARGS__)
#define trace_pgclass_bad_free(...)	shim_trace(0, __VA_ARGS__)
#define trace_pgclass_cache_refill(...)	shim_trace(0, __VA_ARGS__)
#define trace_pgclass_cache_flush(...)	shim_trace(0, __VA_ARGS__)

#endif
