/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: cpu_relax() while spinning. */
#ifndef _SHIM_LINUX_PROCESSOR_H
#define _SHIM_LINUX_PROCESSOR_H

#include <sched.h>

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__builtin_ia32_pause()
#else
#define cpu_relax()	sched_yield()
#endif

#endif
