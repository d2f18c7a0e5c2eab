/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: what KUnit builds make visible is visible here, and an
 * export for KUnit is an export (see linux/export.h).
 */
#ifndef _SHIM_KUNIT_VISIBILITY_H
#define _SHIM_KUNIT_VISIBILITY_H

#include <linux/export.h>

#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT	__shim_export

#endif
