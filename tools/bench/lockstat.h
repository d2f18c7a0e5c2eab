/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark shim's timing of spinlock holds (tools/bench/shim.c), for
 * walkhold: off unless shim_time_locks is set, by one thread at a time.
 */
#ifndef _PGCLASS_BENCH_LOCKSTAT_H
#define _PGCLASS_BENCH_LOCKSTAT_H

#include <stdbool.h>

extern bool shim_time_locks;
/* Holds timed, the longest, and their sum, in nanoseconds. */
extern unsigned long long shim_lock_holds, shim_hold_max_ns;
extern unsigned long long shim_hold_total_ns;

#endif
