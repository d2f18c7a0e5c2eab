/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: cpu_relax() in a spin loop.  A compiler barrier only:
 * the loop re-reads what it waits for, and the shim stays portable.
 */
#ifndef _SHIM_LINUX_PROCESSOR_H
#define _SHIM_LINUX_PROCESSOR_H

#define cpu_relax()	__atomic_signal_fence(__ATOMIC_SEQ_CST)

#endif
