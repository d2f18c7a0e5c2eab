/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: include/linux/array_size.h. */
#ifndef _SHIM_LINUX_ARRAY_SIZE_H
#define _SHIM_LINUX_ARRAY_SIZE_H

/* The kernel's also refuses a pointer; -Wsizeof-pointer-div warns here. */
#define ARRAY_SIZE(arr)	(sizeof(arr) / sizeof((arr)[0]))

#endif
