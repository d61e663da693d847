/*
 * libFuzzer harness: the independent checker on arbitrary certificate text.
 * Oracle: no crash or sanitizer report, and a verdict that is VERIFIED,
 * REJECTED, LIMIT (a resource limit) or NOT_CERTIFICATE (never unknown).
 */
#include "../checker/ssmhc.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    json_error_t je;
    json_t *cert = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    ssmhc_report_t r;
    ssmhc_verdict_t v;
    if (cert == NULL)
        return 0;
    memset(&r, 0, sizeof(r));
    v = ssmhc_verify_json(cert, NULL, &r);
    if (v != SSMHC_VERIFIED && v != SSMHC_REJECTED && v != SSMHC_LIMIT
        && v != SSMHC_NOT_CERTIFICATE)
        abort();
    json_decref(cert);
    return 0;
}
