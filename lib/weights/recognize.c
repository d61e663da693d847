/*
 * The recognizer: which SSM modules does a checkpoint hold?  Candidates
 * come from the tensor names each layout anchors on (kernel.log_A_real,
 * kernel.A_real, Lambda_re, nu_log, A_log + dt_bias, A + B + C, W_V +
 * W_O); each candidate is checked by a dry run of the import itself (the
 * same code, shapes only, nothing decoded), so what the recognizer calls
 * importable is what `ssmheads import` accepts, and a module it cannot
 * import carries the import's own message.
 */
#include "weights-impl.h"
#include <string.h>

json_t *ssmh_weights_tensors_json(const ssmh_weights_t w)
{
    json_t *a = json_array();
    slong i;
    int k;
    for (i = 0; i < w->n; i++) {
        const ssmh_tensor_struct *t = w->t + i;
        json_t *sh = json_array();
        for (k = 0; k < t->ndim; k++)
            json_array_append_new(sh, json_integer(t->shape[k]));
        json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:b}", "name", t->name, "dtype", t->dtype,
                                           "shape", sh, "complex", t->is_complex));
    }
    return a;
}

/* name = prefix + suffix at a name boundary: the prefix into out */
static int split(char *out, size_t size, const char *name, const char *suffix)
{
    size_t a = strlen(name), b = strlen(suffix);
    if (a < b || strcmp(name + a - b, suffix) != 0)
        return 0;
    if (a > b && name[a - b - 1] != '.' && name[a - b - 1] != '/')
        return 0;
    if (a - b >= size)
        return 0;
    memcpy(out, name, a - b);
    out[a - b] = '\0';
    return 1;
}

static int ends(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int sibling(const ssmh_weights_t w, const char *prefix, const char *name)
{
    return ssmh_weights_get(w, prefix, name) != NULL;
}

/* The constructor settings a checkpoint cannot show, with the reference
   defaults the import assumes unless told otherwise. */
static json_t *assumed(const char *layout, const char *form)
{
    if (strcmp(layout, "s4d") == 0 && form && strncmp(form, "s4.py", 5) == 0)
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "--discretization", "zoh", "--dt-transform", "exp",
                         "--real-transform", "exp", "--imag-transform", "none", "--dt-fast", "false",
                         "--bandlimit", "None", "--swap-channels", "false");
    if (strcmp(layout, "s4d") == 0 && form && strncmp(form, "flat", 4) == 0)
        return json_pack("{s:s}", "--discretization", "zoh");
    if (strcmp(layout, "s5") == 0)
        return json_pack("{s:s,s:s,s:s,s:s}", "--discretization", "zoh", "--conj-sym", "true",
                         "--clip-eigs", "false", "--step-rescale", "1");
    if (strcmp(layout, "mamba2") == 0)
        return json_pack("{s:s}", "--dt-limit", "0,inf");
    return json_object();
}

static void add(json_t *mods, ssmh_weights_struct *w, const char *layout, const char *prefix)
{
    size_t i;
    ssmh_import_opts_t o;
    ssmh_error_t err;
    json_t *info, *args, *model = NULL;
    int rc;
    for (i = 0; i < json_array_size(mods); i++) {
        json_t *m = json_array_get(mods, i);
        if (strcmp(json_string_value(json_object_get(m, "layout")), layout) == 0
            && strcmp(json_string_value(json_object_get(m, "prefix")), prefix) == 0)
            return;
    }
    ssmh_import_opts_default(&o);
    o.layout = layout;
    o.prefix = prefix;
    ssmh_error_clear(&err);
    info = json_object();
    json_object_set_new(info, "layout", json_string(layout));
    json_object_set_new(info, "prefix", json_string(prefix));
    if (strcmp(layout, "attention") == 0) {
        json_object_set_new(info, "form", json_string("W_V, W_O"));
        rc = SSMH_OK;
    } else {
        rc = _ssmh_layout_run(&model, NULL, info, w, &o, 1, "", &err);
        json_decref(model);
    }
    if (json_object_get(info, "sizes") == NULL)
        json_object_set_new(info, "sizes", json_object());
    args = json_pack("[s,s]", "--layout", layout);
    if (*prefix) {
        json_array_append_new(args, json_string("--prefix"));
        json_array_append_new(args, json_string(prefix));
    }
    json_object_set_new(info, "args", args);
    json_object_set_new(info, "assumed", assumed(layout, json_string_value(json_object_get(info, "form"))));
    json_object_set_new(info, "importable", json_boolean(rc == SSMH_OK));
    if (rc != SSMH_OK)
        json_object_set_new(info, "problem", json_string(err.message));
    json_array_append_new(mods, info);
}

json_t *ssmh_weights_recognize(const ssmh_weights_t wc)
{
    ssmh_weights_struct *w = (ssmh_weights_struct *)wc;   /* dry runs decode nothing */
    json_t *mods = json_array();
    char p[512];
    slong i;
    for (i = 0; i < w->n; i++) {
        const char *nm = w->t[i].name;
        if (split(p, sizeof(p), nm, "kernel.log_A_real") || split(p, sizeof(p), nm, "kernel.A_real"))
            add(mods, w, "s4d", p);
        else if ((split(p, sizeof(p), nm, "log_A_real") || (split(p, sizeof(p), nm, "A_real")
                                                            && sibling(w, p, "inv_dt")))
                 && !ends(p, "kernel."))
            add(mods, w, "s4d", p);
        else if (split(p, sizeof(p), nm, "Lambda_re"))
            add(mods, w, "s5", p);
        else if (split(p, sizeof(p), nm, "nu_log"))
            add(mods, w, "lru", p);
        else if (split(p, sizeof(p), nm, "A_log") && sibling(w, p, "dt_bias"))
            add(mods, w, "mamba2", p);
        else if (split(p, sizeof(p), nm, "A") && sibling(w, p, "B") && sibling(w, p, "C")
                 && (w->t[i].ndim == 1 || w->t[i].ndim == 2))
            add(mods, w, w->t[i].ndim == 1 ? "diag" : "dense", p);
        else if (split(p, sizeof(p), nm, "W_V") && sibling(w, p, "W_O"))
            add(mods, w, "attention", p);
    }
    return mods;
}

int ssmh_weights_inspect(json_t **out, const char *path, const ssmh_limits_t *lim,
                         ssmh_error_t *err)
{
    ssmh_weights_t w;
    int rc;
    *out = NULL;
    ssmh_weights_init(w);
    rc = ssmh_weights_open(w, path, lim, err);
    if (rc == SSMH_OK)
        *out = json_pack("{s:s,s:o,s:o}", "file", path, "tensors", ssmh_weights_tensors_json(w),
                         "modules", ssmh_weights_recognize(w));
    ssmh_weights_clear(w);
    return rc;
}
