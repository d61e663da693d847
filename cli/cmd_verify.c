/* ssmheads verify -- delegates to the independent checker (checker/). */
#include "cli.h"
#include "../checker/ssmhc.h"
#include <stdlib.h>
#include <string.h>

int cli_cmd_verify(int argc, char **argv)
{
    /* --no-progress is taken as by every command: the checker shows none */
    char **v = malloc(sizeof(char *) * (size_t)(argc + 1));
    int i, n = 0, rc;
    if (v == NULL)
        return CLI_EXIT_LIMIT;
    for (i = 0; i < argc; i++)
        if (i == 0 || strcmp(argv[i], "--no-progress") != 0)
            v[n++] = argv[i];
    v[n] = NULL;
    rc = ssmhc_main(n, v);
    free(v);
    return rc;
}
