/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: memcpy(), memset() and co. from the C library. */
#ifndef _SHIM_LINUX_STRING_H
#define _SHIM_LINUX_STRING_H

#include <string.h>

#endif
