/*
 * libFuzzer harness for the weight readers, one binary per format chosen at
 * compile time (FUZZ_NPY, FUZZ_NPZ, FUZZ_SAFETENSORS).  Oracle: no crash or
 * sanitizer report; a tensor that reads has len = product of its shape and
 * every decoded value a canonical rational.  Small files then go through
 * the recognizer and every model layout (errors are fine, crashes are not).
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
    rc = _ssmh_npy_parse(w, "x", data, size, NULL, "fuzz.npy", &err);
#elif defined(FUZZ_NPZ)
    rc = _ssmh_npz_parse(w, data, size, "fuzz.npz", &lim, &err);
#else
    rc = _ssmh_safetensors_parse(w, data, size, "fuzz.safetensors", &lim, &err);
#endif
    if (rc == SSMH_OK) {
        static const char *const layouts[] = {"dense", "diag", "s4d", "s5", "lru", "mamba2"};
        json_t *mods;
        for (i = 0; i < w->n; i++) {
            slong len = 1;
            for (j = 0; j < w->t[i].ndim; j++)
                len *= w->t[i].shape[j];
            if (len != w->t[i].len)
                abort();
            if (ssmh_weights_decode(w, w->t + i, "fuzz", &err) != SSMH_OK)
                continue;
            for (j = 0; j < (w->t[i].is_complex ? 2 : 1) * w->t[i].len; j++)
                if (!fmpz_is_one(fmpq_denref(w->t[i].data + j))
                    && fmpz_sgn(fmpq_denref(w->t[i].data + j)) <= 0)
                    abort();
        }
        mods = ssmh_weights_recognize(w);
        json_decref(mods);
        for (i = 0; i < 6; i++) {
            ssmh_model_t m;
            ssmh_import_opts_t o;
            json_t *notes = NULL;
            ssmh_import_opts_default(&o);
            o.layout = layouts[i];
            if (i == 3)
                o.bilinear = 1;
            ssmh_model_init(m);
            ssmh_import_weights(m, &notes, w, &o, "fuzz", &lim, &err);
            json_decref(notes);
            ssmh_model_clear(m);
        }
    }
    ssmh_weights_clear(w);
    flint_cleanup();
    return 0;
}
