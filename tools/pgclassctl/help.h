/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclassctl's help: the tool's, and each command's.
 */
#ifndef PGCLASSCTL_HELP_H
#define PGCLASSCTL_HELP_H

#include <stdio.h>

/* Whether @cmd is a command of pgclassctl. */
int pgc_is_command(const char *cmd);

/*
 * Prints the help of command @cmd, or the tool's if @cmd is NULL, to
 * @out.  Returns 0, or -1 if there is no such command.
 */
int pgc_help(const char *cmd, FILE *out);

/* Prints @cmd's usage lines (the tool's if NULL) to @out. */
void pgc_usage(const char *cmd, FILE *out);

#endif /* PGCLASSCTL_HELP_H */
