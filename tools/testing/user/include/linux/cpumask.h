/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: nr_cpu_ids is how many threads may hold a slot at once
 * (the "CPUs" of the user-space build); pgclass_pool_create() gives each a
 * slot as far as the metadata budget allows.  Tests may change it.
 */
#ifndef _SHIM_LINUX_CPUMASK_H
#define _SHIM_LINUX_CPUMASK_H

extern unsigned int nr_cpu_ids;

#endif
