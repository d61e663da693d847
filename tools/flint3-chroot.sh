#!/usr/bin/env bash
# tools/flint3-chroot.sh -- prove the FLINT 3 build (Debian 13, Arb merged
# into FLINT) without touching the host: a debootstrap'ed trixie chroot
# builds the current HEAD and runs `make check` in it.  Needs root and a
# Debian archive.   Usage: tools/flint3-chroot.sh [CHROOT_DIR]
# The archive is the one this machine's own apt already uses (the first
# "deb" source that is not a -security or -updates suite, from
# /etc/apt/sources.list or the deb822 files /etc/apt/sources.list.d/*.sources
# and *.list); MIRROR=URL overrides it.  The project names no archive host.
set -euo pipefail
root=${1:-/srv/trixie}
top=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)

# The URI of the machine's main Debian archive, or nothing.
apt_archive() {
  local f
  # one-line format: deb [options] URI SUITE COMPONENTS...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '$1 == "deb" {
           i = 2
           if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           if ($(i + 1) !~ /-(security|updates|backports)$/ && $i ~ /^(https?|file):/) { print $i; exit }
         }' "$f"
  done | head -n 1 | grep . && return 0
  # deb822 format: stanzas of Types:, URIs:, Suites:, separated by blank lines
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk 'function flush() {
           if (types ~ /(^| )deb( |$)/ && uris != "" && suites !~ /^[^ ]*-(security|updates|backports)( |$)/) {
             split(uris, u, " "); print u[1]; found = 1; exit
           }
           types = uris = suites = ""
         }
         /^[ \t]*#/ { next }
         /^[ \t]*$/ { flush(); next }
         tolower($1) == "types:"  { $1 = ""; types = substr($0, 2) }
         tolower($1) == "uris:"   { $1 = ""; uris = substr($0, 2) }
         tolower($1) == "suites:" { $1 = ""; suites = substr($0, 2) }
         END { if (!found) flush() }' "$f"
  done | head -n 1 | grep .
}

if [ ! -x "$root/usr/bin/make" ]; then
  mirror=${MIRROR:-$(apt_archive || true)}
  if [ -z "$mirror" ]; then
    echo "flint3-chroot: no Debian archive found in /etc/apt/sources.list{,.d/}; set MIRROR=URL" >&2
    exit 3
  fi
  echo "flint3-chroot: using the archive $mirror (from this machine's apt sources)" >&2
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  debootstrap --variant=minbase \
    --include=build-essential,autoconf,automake,libtool,pkg-config,python3,libgmp-dev,libmpfr-dev,libflint-dev,libjansson-dev,libzip-dev,check,git \
    trixie "$root" "$mirror"
fi
rm -rf "$root/root/ssmheads"
git clone -q "$top" "$root/root/ssmheads"
# the tests read /proc (memory use) and open pseudo-terminals (the progress
# line): give the chroot its own, and take them away again however it ends
mkdir -p "$root/proc" "$root/dev/pts"
mountpoint -q "$root/proc" || { mount -t proc proc "$root/proc"; mounted_proc=1; }
mountpoint -q "$root/dev/pts" || { mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"; mounted_pts=1; }
[ -e "$root/dev/ptmx" ] || ln -sf pts/ptmx "$root/dev/ptmx"
trap '[ -z "${mounted_pts:-}" ] || umount "$root/dev/pts"; [ -z "${mounted_proc:-}" ] || umount "$root/proc"' EXIT
chroot "$root" /bin/bash -c 'cd /root/ssmheads && autoreconf -fi >/dev/null 2>&1 &&
  ./configure -q && make -j"$(nproc)" >/dev/null && ./ssmheads --version &&
  make -j"$(nproc)" check; rc=$?; grep -hE "^[0-9]+%: Checks:|^[0-9]+ passed, [0-9]+ failed" tests/*.log; exit $rc'
