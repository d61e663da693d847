# Attention layers: spans and representability (issue 8).
ssmheads_SOURCES += cli/cmd_span.c cli/cmd_represent.c
