/* ssmheads-verify: the standalone independent checker (no FLINT). */
#include "ssmhc.h"

int main(int argc, char **argv)
{
    return ssmhc_main(argc, argv);
}
