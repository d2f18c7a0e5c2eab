#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh OUT SRC: pgclassctl's host test suites as one TAP stream
# (make test).  Each suite is a subtest: its own TAP indented, then one
# result line, so that a harness counts every case under a single plan.
# Exits 1 if any suite failed.
out=$1
src=$2
n=0
failed=0

suite() {
	name=$1
	shift
	n=$((n + 1))
	"$@" >"$out/$name.tap" 2>&1
	rc=$?
	sed 's/^/    /' "$out/$name.tap"
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: exit status $rc"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..4"
suite session "$out/test_session"
suite render "$out/test_render"
suite cli python3 "$src/test_cli.py" "$out/pgclassctl" "$src/testdata"
suite top python3 "$src/test_top.py" "$out/pgclassctl" "$src/testdata"
exit $failed
