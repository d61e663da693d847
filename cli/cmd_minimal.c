/* ssmheads minimal -- not implemented yet (its issue fills it in); reads and
   validates the model so that bad input is refused already. */
#include "cli.h"
#include <string.h>

int cli_cmd_minimal(int argc, char **argv)
{
    ssmh_model_t m;
    ssmh_limits_t lim;
    int rc;
    if (argc >= 2 && strcmp(argv[1], "--help") == 0)
        return cli_help("Usage: ssmheads minimal MODEL ...\n(not implemented yet)\n");
    if (argc < 2)
        return cli_usage_error("minimal", "missing MODEL");
    ssmh_limits_default(&lim);
    ssmh_model_init(m);
    rc = cli_load_model(m, argv[1], &lim);
    ssmh_model_clear(m);
    if (rc != CLI_EXIT_OK)
        return rc;
    fprintf(stderr, "ssmheads: minimal: not implemented yet\n");
    return CLI_EXIT_NOTIMPL;
}
