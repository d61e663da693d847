/*
 * libFuzzer harness for the weight readers, one binary per format chosen at
 * compile time (FUZZ_NPY, FUZZ_NPZ, FUZZ_SAFETENSORS).  Oracle: no crash or
 * sanitizer report; a tensor that reads has len = product of its shape and
 * every value a canonical rational.  Small files then go through every
 * model layout (errors are fine, crashes are not).
 */
#include <ssmheads.h>
#include "weights/weights-impl.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    ssmh_weights_t w;
    ssmh_limits_t lim;
    ssmh_error_t err;
    int rc;
    slong i, j;
    ssmh_limits_default(&lim);
    lim.max_file_bytes = 1 << 20;
    lim.max_dim = 16;
    ssmh_weights_init(w);
#if defined(FUZZ_NPY)
    rc = _ssmh_npy_parse(w, "x", data, size, "fuzz.npy", &err);
#elif defined(FUZZ_NPZ)
    rc = _ssmh_npz_parse(w, data, size, "fuzz.npz", &lim, &err);
#else
    rc = _ssmh_safetensors_parse(w, data, size, "fuzz.safetensors", &lim, &err);
#endif
    if (rc == SSMH_OK) {
        static const char *const layouts[] = {"dense", "diag", "s4d", "s5", "lru"};
        for (i = 0; i < w->n; i++) {
            slong len = 1;
            for (j = 0; j < w->t[i].ndim; j++)
                len *= w->t[i].shape[j];
            if (len != w->t[i].len)
                abort();
            for (j = 0; j < w->t[i].len; j++)
                if (!fmpz_is_one(fmpq_denref(w->t[i].data + j))
                    && fmpz_sgn(fmpq_denref(w->t[i].data + j)) <= 0)
                    abort();
        }
        for (i = 0; i < 5; i++) {
            ssmh_model_t m;
            ssmh_model_init(m);
            if (strcmp(layouts[i], "s4d") == 0)
                ssmh_import_s4d(m, w, "", 0, 53, "fuzz", &lim, &err);
            else if (strcmp(layouts[i], "s5") == 0)
                ssmh_import_s5(m, w, "", 1, 0, 53, "fuzz", &lim, &err);
            else if (strcmp(layouts[i], "lru") == 0)
                ssmh_import_lru(m, w, "", 53, "fuzz", &lim, &err);
            else
                ssmh_import_model(m, w, layouts[i], "", "fuzz", &lim, &err);
            ssmh_model_clear(m);
        }
    }
    ssmh_weights_clear(w);
    flint_cleanup();
    return 0;
}
