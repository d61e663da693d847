/* Checker for certificates of kind 'gradient' (to be filled in by its issue). */
#include "ssmhc.h"

ssmhc_verdict_t ssmhc_check_gradient(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    (void)cert;
    (void)m;
    return ssmhc_fail(r, "claim kind 'gradient' is not supported by this checker yet");
}
