#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One guest run from nothing: packages, the cached debug kernel, the
# modules and programs, the initramfs, the boot, the verdict.
#
#   tools/testing/vm/guest.sh MODE [options]
#     MODE          check (the tests), run (the lab scenario), vm (a shell)
#                   or bench (runs --extra DIR's run; its output is saved
#                   as build/vm/[stock-]bench/bench.out)
#     --fault F     make the guest fault (check-harness only)
#     --extra DIR   copy DIR into the guest and run DIR/run (check, bench)
#     --counts FILE append the verdict's results to FILE
#     --no-build    reuse the last build (check-harness boots several times)
#     --stock       boot Debian's stock linux-image-6.12-amd64 instead, with
#                   the module built against linux-headers-6.12-amd64 (no
#                   KUnit, KASAN or kmemleak there: a smoke test of the
#                   module on the kernel users run)
#
# Output goes under build/vm/: the guest build, and one directory per
# run with the console log and the results channel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: guest.sh check|run|vm [--fault F] [--extra DIR] [--counts FILE] [--no-build]}
shift
fault= extra= counts= build=1 stock=0
while [ $# -gt 0 ]; do
	case "$1" in
	--fault) fault=$2; shift 2 ;;
	--extra) extra=$2; shift 2 ;;
	--counts) counts=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--stock) stock=1; shift ;;
	*) die "guest.sh: unknown option $1" ;;
	esac
done

out=$TOP_DIR/build/vm
name=$mode${fault:+-$fault}
"$VM_DIR/deps.sh" vm
# The debug tree is also the full source the guest programs build with.
ksrc=$("$VM_DIR/build-kernel.sh")
if [ $stock = 1 ]; then
	"$VM_DIR/deps.sh" stock
	kdir=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -1)
	kver=${kdir#/usr/src/linux-headers-}
	kernel=/boot/vmlinuz-$kver
	[ -f "$kernel" ] || die "$kernel missing for headers $kdir"
	name=stock-$name
	gout=$out/guest-stock
	verdict_mode=$mode
	[ "$mode" = check ] && verdict_mode=smoke
else
	kdir=$ksrc
	kernel=$kdir/arch/x86/boot/bzImage
	gout=$out/guest
	verdict_mode=$mode
fi
rundir=$out/$name
mkdir -p "$out"
# Two runs in one checkout would rebuild build/vm/guest under each other:
# the second waits for the first.
exec 8>"$out/.lock"
flock 8

if [ $build = 1 ] || [ ! -d "$gout/modules" ]; then
	"$VM_DIR/build-guest.sh" "$kdir" "$gout" "$ksrc"
fi
initrd=$rundir.initrd.gz
"$VM_DIR/mkinitramfs.sh" "$gout" "$initrd" "$extra"

log "guest: booting ($mode${fault:+, fault=$fault}); console in $rundir/console.log"
"$VM_DIR/boot.sh" "$kernel" "$initrd" "$rundir" "$mode" "$fault"
[ "$mode" = vm ] && exit 0

[ -n "$counts" ] || counts=$rundir/counts
[ -n "$counts" ] && [ -f "$counts" ] || : >"$counts"
python3 "$VM_DIR/verdict.py" guest "$rundir" "$kdir" "$counts" \
	"$verdict_mode"
