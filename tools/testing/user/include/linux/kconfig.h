/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: IS_ENABLED() for the options the user-space build
 * sets, which are defined to 1.  The user-space build counts as a KUnit
 * build: functions the kernel makes visible only to KUnit
 * (VISIBLE_IF_KUNIT) are visible to the user-space tests too.
 */
#ifndef _SHIM_LINUX_KCONFIG_H
#define _SHIM_LINUX_KCONFIG_H

#define CONFIG_KUNIT 1

#define IS_ENABLED(CONFIG_option)	(CONFIG_option)

#endif
