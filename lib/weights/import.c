/*
 * Importing a model from a checkpoint: pick the layout, check that every
 * option given applies to it, run it, list what it did not use.
 * Guarantee: the model is built as JSON and read back through the strict
 * model reader, so an imported model obeys every rule of a hand-written
 * one; an option that does not apply to the layout is refused, not ignored.
 */
#include "weights-impl.h"
#include <stdlib.h>
#include <string.h>

static const struct { unsigned bit; const char *name; } option_names[] = {
    {SSMH_OPT_DISCRETIZATION, "--discretization"}, {SSMH_OPT_CONJ_SYM, "--conj-sym/--output"},
    {SSMH_OPT_PRECISION, "--precision"}, {SSMH_OPT_HEADDIM, "--headdim"}, {SSMH_OPT_NGROUPS, "--ngroups"},
    {SSMH_OPT_DT_TRANSFORM, "--dt-transform"}, {SSMH_OPT_REAL_TRANSFORM, "--real-transform"},
    {SSMH_OPT_IMAG_TRANSFORM, "--imag-transform"}, {SSMH_OPT_DT_FAST, "--dt-fast"},
    {SSMH_OPT_SWAP_CHANNELS, "--swap-channels"}, {SSMH_OPT_BANDLIMIT, "--bandlimit"},
    {SSMH_OPT_CLIP_EIGS, "--clip-eigs"}, {SSMH_OPT_STEP_RESCALE, "--step-rescale"},
    {SSMH_OPT_DT_LIMIT, "--dt-limit"}};

static const struct {
    const char *layout;
    int (*run)(json_t **, _ssmh_lay_t *, const ssmh_import_opts_t *);
    unsigned allowed;
} layouts[] = {
    {"dense", _ssmh_layout_dense, 0},
    {"diag", _ssmh_layout_dense, 0},
    {"s4d", _ssmh_layout_s4d, SSMH_OPT_DISCRETIZATION | SSMH_OPT_PRECISION | SSMH_OPT_DT_TRANSFORM
                                  | SSMH_OPT_REAL_TRANSFORM | SSMH_OPT_IMAG_TRANSFORM | SSMH_OPT_DT_FAST
                                  | SSMH_OPT_SWAP_CHANNELS | SSMH_OPT_BANDLIMIT},
    {"s5", _ssmh_layout_s5, SSMH_OPT_DISCRETIZATION | SSMH_OPT_CONJ_SYM | SSMH_OPT_PRECISION
                                | SSMH_OPT_CLIP_EIGS | SSMH_OPT_STEP_RESCALE},
    {"lru", _ssmh_layout_lru, SSMH_OPT_PRECISION},
    {"mamba2", _ssmh_layout_mamba2, SSMH_OPT_PRECISION | SSMH_OPT_HEADDIM | SSMH_OPT_NGROUPS | SSMH_OPT_DT_LIMIT}};

int _ssmh_layout_run(json_t **out, json_t **notes, json_t *info, ssmh_weights_t w,
                     const ssmh_import_opts_t *o, int dry, const char *file, ssmh_error_t *err)
{
    _ssmh_lay_t L;
    size_t i, k;
    int rc;
    *out = NULL;
    if (notes)
        *notes = NULL;
    for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        if (o->layout && strcmp(o->layout, layouts[i].layout) == 0)
            break;
    if (i == sizeof(layouts) / sizeof(layouts[0]))
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "unknown model layout '%s'",
                              o->layout ? o->layout : "(none)");
    for (k = 0; k < sizeof(option_names) / sizeof(option_names[0]); k++)
        if ((o->given & option_names[k].bit) && !(layouts[i].allowed & option_names[k].bit))
            return ssmh_error_set(err, SSMH_E_USAGE, file, "", "%s does not apply to layout %s",
                                  option_names[k].name, o->layout);
    if (o->bits < 2 || o->bits > 4096)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "precision must be 2 .. 4096 bits");
    memset(&L, 0, sizeof(L));
    L.w = w;
    L.file = file;
    L.layout = o->layout;
    L.err = err;
    L.dry = dry;
    L.info = info;
    _ssmh_prefix_normalize(L.prefix, sizeof(L.prefix), o->prefix);
    L.used = calloc((size_t)FLINT_MAX(1, w->n), 1);
    L.notes = json_array();
    rc = layouts[i].run(out, &L, o);
    if (rc == SSMH_OK && !dry)
        _ssmh_lay_note_unused(&L);
    if (rc == SSMH_OK && notes)
        *notes = json_incref(L.notes);
    json_decref(L.notes);
    free(L.used);
    return rc;
}

int ssmh_import_weights(ssmh_model_t m, json_t **notes, ssmh_weights_t w,
                        const ssmh_import_opts_t *o, const char *file,
                        const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *obj = NULL;
    int rc = _ssmh_layout_run(&obj, notes, NULL, w, o, 0, file, err);
    if (rc == SSMH_OK)
        rc = ssmh_model_from_json(m, obj, file, "$", lim, err);
    json_decref(obj);
    if (rc != SSMH_OK && notes && *notes) {
        json_decref(*notes);
        *notes = NULL;
    }
    return rc;
}

int ssmh_import_file(ssmh_model_t m, json_t **notes, const char *path,
                     const ssmh_import_opts_t *o, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_weights_t w;
    int rc;
    if (notes)
        *notes = NULL;
    if (!ssmh_import_is_model_layout(o->layout))
        return ssmh_error_set(err, SSMH_E_USAGE, path, "", "unknown model layout '%s'",
                              o->layout ? o->layout : "(none)");
    ssmh_weights_init(w);
    rc = ssmh_weights_open(w, path, lim, err);
    if (rc == SSMH_OK)
        rc = ssmh_import_weights(m, notes, w, o, path, lim, err);
    ssmh_weights_clear(w);
    return rc;
}

int ssmh_import_model_file(ssmh_model_t m, const char *path, const ssmh_import_opts_t *o,
                           const ssmh_limits_t *lim, ssmh_error_t *err)
{
    return ssmh_import_file(m, NULL, path, o, lim, err);
}
