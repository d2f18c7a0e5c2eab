/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: the UAPI errno values are the kernel's. */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif
