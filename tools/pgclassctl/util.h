/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small things pgclassctl's files share.
 */
#ifndef PGCLASSCTL_UTIL_H
#define PGCLASSCTL_UTIL_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* PGCLASSCTL_UTIL_H */
