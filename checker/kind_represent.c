/* Checker for certificates of kind 'represent' (to be filled in by its issue). */
#include "ssmhc.h"

ssmhc_verdict_t ssmhc_check_represent(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    (void)cert;
    (void)m;
    return ssmhc_fail(r, "claim kind 'represent' is not supported by this checker yet");
}
