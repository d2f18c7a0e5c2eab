#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: the project's main job, from nothing.  Boots the debug guest,
# loads pgclass.ko and plays the lab's scenario (tools/pgclassctl/*.pgc)
# through `pgclassctl run`, printing the page map and the class table
# after each step; then unloads the module and checks the kernel stayed
# clean.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$TOP_DIR/build/run
mkdir -p "$out"
counts=$out/counts
: >"$counts"
ls "$TOP_DIR"/tools/pgclassctl/*.pgc >/dev/null 2>&1 ||
	die "no lab scenario in tools/pgclassctl/*.pgc yet"
host_color 1
export PGCLASS_COLOR
# A small arena, like the lab's pictures: its map fits in two lines.
export PGCLASS_MODPARAMS=${RUN_PARAMS:-nr_pages=128}
# check-harness runs this after its own guest build: PGCLASS_NO_BUILD=1.
build=()
[ "${PGCLASS_NO_BUILD:-0}" = 1 ] && build=(--no-build)
if ! "$VM_DIR/guest.sh" run --counts "$counts" "${build[@]}"; then
	echo "FAIL guest: the test bed could not run the guest" >>"$counts"
fi
# The page map after each step, drawn by pgclassctl (open in a browser).
rm -rf "$out/maps"
mkdir -p "$out/maps"
if cp "$TOP_DIR"/build/vm/run/*.svg "$out/maps/" 2>/dev/null; then
	log "run: page maps as pictures in $out/maps/"
fi
python3 "$VM_DIR/verdict.py" total "$counts"
