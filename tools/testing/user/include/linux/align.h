/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: include/linux/align.h, each argument evaluated once. */
#ifndef _SHIM_LINUX_ALIGN_H
#define _SHIM_LINUX_ALIGN_H

#define ALIGN(x, a) ({						\
	__typeof__(x) __shim_mask = (__typeof__(x))(a) - 1;	\
	((x) + __shim_mask) & ~__shim_mask; })
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#endif
