# Weight import, layouts, discretization, batch (issue 5).
ssmheads_SOURCES += cli/cmd_import.c cli/cmd_batch.c
