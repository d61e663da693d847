/* ssmheads verify -- delegates to the independent checker (checker/). */
#include "cli.h"
#include "../checker/ssmhc.h"

int cli_cmd_verify(int argc, char **argv)
{
    return ssmhc_main(argc, argv);
}
