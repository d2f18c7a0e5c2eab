/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: IS_ENABLED() as the kernel has it.  The user-space
 * build counts as a KUnit build: functions the kernel makes visible only
 * to KUnit (VISIBLE_IF_KUNIT) are visible to the user-space tests too.
 */
#ifndef _SHIM_LINUX_KCONFIG_H
#define _SHIM_LINUX_KCONFIG_H

#define CONFIG_KUNIT 1

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option)		__is_defined(option)

#endif
