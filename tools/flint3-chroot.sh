#!/usr/bin/env bash
# tools/flint3-chroot.sh -- prove the FLINT 3 build (Debian 13, Arb merged
# into FLINT) without touching the host: a debootstrap'ed trixie chroot
# builds the current HEAD and runs `make check` in it.  Needs root and
# Debian's archive.   Usage: tools/flint3-chroot.sh [CHROOT_DIR]
set -euo pipefail
root=${1:-/srv/trixie}
top=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
if [ ! -x "$root/usr/bin/make" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  debootstrap --variant=minbase \
    --include=build-essential,autoconf,automake,libtool,pkg-config,python3,libgmp-dev,libmpfr-dev,libflint-dev,libjansson-dev,libzip-dev,check,git \
    trixie "$root" http://deb.debian.org/debian
fi
rm -rf "$root/root/ssmheads"
git clone -q "$top" "$root/root/ssmheads"
chroot "$root" /bin/bash -c 'cd /root/ssmheads && autoreconf -fi >/dev/null 2>&1 &&
  ./configure -q && make -j"$(nproc)" >/dev/null && ./ssmheads --version &&
  make -j"$(nproc)" check; rc=$?; grep -hE "^[0-9]+%: Checks:|^[0-9]+ passed, [0-9]+ failed" tests/*.log; exit $rc'
