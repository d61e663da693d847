# Gradient attenuation, stability, minimal realization (issue 4).
ssmheads_SOURCES += cli/cmd_gradient.c cli/cmd_minimal.c
