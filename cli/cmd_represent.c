/* ssmheads represent -- not implemented yet (its issue fills it in). */
#include "cli.h"
#include <string.h>

int cli_cmd_represent(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0)
        return cli_help("Usage: ssmheads represent ...\n(not implemented yet)\n");
    fprintf(stderr, "ssmheads: represent: not implemented yet\n");
    return CLI_EXIT_NOTIMPL;
}
