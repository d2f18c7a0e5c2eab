// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c's size mix and random stream for pgclass_poolbench.ko.  kbuild
 * links an object into one module only, and pgclass_bench.ko has
 * trace.o: this one is the same source under another object's name.
 */
#include "trace.c"
