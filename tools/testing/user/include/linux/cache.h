/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: the cache line size of x86 and most others. */
#ifndef _SHIM_LINUX_CACHE_H
#define _SHIM_LINUX_CACHE_H

#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		L1_CACHE_BYTES

#endif
