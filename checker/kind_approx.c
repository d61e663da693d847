/* Checker for certificates of kind 'approx' (to be filled in by its issue). */
#include "ssmhc.h"

ssmhc_verdict_t ssmhc_check_approx(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    (void)cert;
    (void)m;
    return ssmhc_fail(r, "claim kind 'approx' is not supported by this checker yet");
}
