// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c's traces for pgclass_tracecost.ko, under another object's name
 * (kbuild links an object into one module only; see poolbench_trace.c).
 */
#include "trace.c"
