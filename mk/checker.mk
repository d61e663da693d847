# The independent certificate checker (GMP + jansson only, no FLINT).
ssmheads_SOURCES += cli/cmd_verify.c
