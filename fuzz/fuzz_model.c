/*
 * libFuzzer harness: the model reader (ssmheads-model/1).  Oracle: no crash
 * or sanitizer report; every model that reads writes back to JSON that reads
 * again to the same model (same hash); small models also go through the
 * head count, whose result must respect the trivial bounds.
 */
#include <ssmheads.h>
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    ssmh_model_t m, m2;
    ssmh_limits_t lim;
    ssmh_error_t err;
    ssmh_limits_default(&lim);
    lim.max_dim = 12;
    lim.max_digits = 200;
    ssmh_model_init(m);
    if (ssmh_model_read_string(m, (const char *)data, size, "fuzz.json", &lim, &err) == SSMH_OK) {
        json_t *j = ssmh_model_to_json(m);
        char *s = ssmh_json_dumps(j);
        ssmh_heads_t h;
        ssmh_model_init(m2);
        if (ssmh_model_read_string(m2, s, strlen(s), "again.json", &lim, &err) != SSMH_OK
            || ssmh_model_hash(m) != ssmh_model_hash(m2))
            abort();
        ssmh_model_clear(m2);
        free(s);
        json_decref(j);
        ssmh_heads_init(h);
        if (ssmh_heads_compute(h, m, 6, &lim, &err) == SSMH_OK
            && (h->k < 0 || h->k > m->p * m->d || h->k > 6))
            abort();
        ssmh_heads_clear(h);
    }
    ssmh_model_clear(m);
    flint_cleanup();
    return 0;
}
