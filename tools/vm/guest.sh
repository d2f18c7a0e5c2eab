#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One guest run from nothing: packages, the cached debug kernel, the
# modules and programs, the initramfs, the boot, the verdict.
#
#   tools/vm/guest.sh MODE [options]
#     MODE          check (the tests), run (the lab scenario) or vm (a shell)
#     --fault F     make the guest fault (check-harness only)
#     --extra DIR   copy DIR into the guest and run DIR/run (check only)
#     --counts FILE append the verdict's results to FILE
#     --no-build    reuse the last build (check-harness boots several times)
#
# Output goes under build/vm/: the guest build, and one directory per
# run with the console log and the results channel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: guest.sh check|run|vm [--fault F] [--extra DIR] [--counts FILE] [--no-build]}
shift
fault= extra= counts= build=1
while [ $# -gt 0 ]; do
	case "$1" in
	--fault) fault=$2; shift 2 ;;
	--extra) extra=$2; shift 2 ;;
	--counts) counts=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	*) die "guest.sh: unknown option $1" ;;
	esac
done

out=$TOP_DIR/build/vm
gout=$out/guest
rundir=$out/$mode${fault:+-$fault}
mkdir -p "$out"

"$VM_DIR/deps.sh" vm
kdir=$("$VM_DIR/build-kernel.sh")
if [ $build = 1 ] || [ ! -d "$gout/modules" ]; then
	"$VM_DIR/build-guest.sh" "$kdir" "$gout"
fi
initrd=$rundir.initrd.gz
"$VM_DIR/mkinitramfs.sh" "$gout" "$initrd" "$extra"

log "guest: booting ($mode${fault:+, fault=$fault}); console in $rundir/console.log"
"$VM_DIR/boot.sh" "$kdir/arch/x86/boot/bzImage" "$initrd" "$rundir" \
	"$mode" "$fault"
[ "$mode" = vm ] && exit 0

[ -n "$counts" ] || counts=$rundir/counts
[ -n "$counts" ] && [ -f "$counts" ] || : >"$counts"
python3 "$VM_DIR/verdict.py" guest "$rundir" "$kdir" "$counts" "$mode"
