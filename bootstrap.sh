#!/usr/bin/env bash
# bootstrap.sh -- one-command set-up on Debian 12 (or 13).
#   ./bootstrap.sh run    install missing Debian packages, build, and run
#                         `ssmheads heads` on the bundled default model
#   ./bootstrap.sh test   the same set-up, then the whole test suite
# Re-running is cheap: packages already present are not reinstalled and the
# build is incremental.
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-run}
case "$mode" in run|test) ;; *) echo "usage: $0 run|test" >&2; exit 3 ;; esac

pkgs=(build-essential autoconf automake libtool pkg-config python3
      python3-numpy python3-setuptools
      libgmp-dev libmpfr-dev libflint-dev libjansson-dev libzip-dev check)
# FLINT 2.9 (Debian 12) ships Arb separately; FLINT 3 (Debian 13) merges it.
if ! grep -qs '__FLINT_VERSION 3' /usr/include/flint/flint.h; then
  pkgs+=(libflint-arb-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "bootstrap: installing ${missing[*]}"
  $SUDO apt-get update -q
  # On Debian 13 libflint-arb-dev does not exist (Arb is inside libflint-dev).
  if ! apt-cache show libflint-arb-dev >/dev/null 2>&1; then
    missing=("${missing[@]/libflint-arb-dev}")
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q ${missing[@]}
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
  autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
  ./configure ${SSMH_CONFIGURE_FLAGS:-}
fi
make -j"$jobs"

if [ "$mode" = run ]; then
  ./ssmheads heads witnesses/models/default.json
  exit $?
fi

status=0
make -j"$jobs" check || status=$?
# Check's own summary lines ("N%: Checks: N, Failures: N, Errors: N") and the
# witness replay's closing line live in the test logs: show them.
for log in tests/*.log; do
  [ -f "$log" ] || continue
  grep -hE '^[0-9]+%: Checks: |^[0-9]+ passed, [0-9]+ failed|^python: ' "$log" | sed "s|^|$(basename "$log" .log): |" || true
done
if [ "$status" -ne 0 ]; then
  cat test-suite.log 2>/dev/null | tail -n 200
fi
exit "$status"
