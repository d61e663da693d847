# Certified approximate head count (issue 6).
ssmheads_SOURCES += cli/cmd_approx.c
