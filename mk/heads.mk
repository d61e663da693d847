# Exact head count, construction, heads certificates (issue 3).
ssmheads_SOURCES += cli/cmd_heads.c cli/cmd_construct.c
