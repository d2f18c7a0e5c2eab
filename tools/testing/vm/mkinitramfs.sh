#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack the guest's initramfs: busybox, /init, the modules, the static
# programs and tests that build-guest.sh made, the lab sessions, and
# optionally a GUEST_EXTRA directory as /extra.
#
#   tools/testing/vm/mkinitramfs.sh GUEST_OUT INITRD [EXTRA_DIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

gout=${1:?usage: mkinitramfs.sh GUEST_OUT INITRD [EXTRA_DIR]}
initrd=${2:?usage: mkinitramfs.sh GUEST_OUT INITRD [EXTRA_DIR]}
extra=${3:-}

# busybox-static installs its static binary as /bin/busybox; the guest
# has no libc, so the dynamic busybox package would not do.
bb=/bin/busybox
dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null |
	grep -qx installed || die "busybox-static missing: run tools/testing/vm/deps.sh"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp -d makes a 0700 directory, which would become the guest's / and
# refuse a non-root test before the modes it means to test ever could.
chmod 0755 "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,tests/selftests,lab}
cp "$bb" "$root/bin/busybox"
cp "$VM_DIR/guest-init.sh" "$root/init"
cp "$gout"/modules/*.ko "$root/modules/"
cp -a "$gout"/bin/. "$root/bin/"
cp -a "$gout"/selftests/. "$root/tests/selftests/"
if compgen -G "$TOP_DIR/tools/pgclassctl/*.pgc" >/dev/null; then
	cp "$TOP_DIR"/tools/pgclassctl/*.pgc "$root/lab/"
fi
if [ -n "$extra" ]; then
	[ -d "$extra" ] || die "GUEST_EXTRA=$extra is not a directory"
	cp -a "$extra" "$root/extra"
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) |
	gzip -1 >"$initrd"
