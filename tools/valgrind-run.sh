#!/bin/sh
# Run PROGRAM ARGS... under valgrind memcheck (through libtool, so libtool
# wrapper scripts work): any memory error or definite/indirect leak makes the
# exit status 99, otherwise the program's own status is kept.  Used by
# `make check-valgrind` for the Check suites and, as SSMHEADS /
# SSMHEADS_VERIFY wrappers, for every script test.
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
CK_FORK=no
export CK_FORK
exec "$top_builddir/libtool" --mode=execute valgrind -q --error-exitcode=99 \
    --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --track-origins=no "$@"
