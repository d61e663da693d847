/*
 * Layout options: the settings of a reference module that only its
 * constructor knows.  Guarantee: each default is the reference's default
 * (doc/weights.md), every value is checked here once for `import`, `batch`
 * manifests and the library, and `source` can say which were given.
 */
#include "weights-impl.h"
#include <stdlib.h>
#include <string.h>

void ssmh_import_opts_default(ssmh_import_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->layout = NULL;
    o->prefix = "";
    o->bits = 53;
    o->dt_transform = SSMH_TRANSFORM_EXP;      /* s4.py SSMKernel: dt_transform='exp' */
    o->real_transform = SSMH_TRANSFORM_EXP;    /* SSMKernelDiag: real_transform='exp' */
    o->imag_transform = SSMH_TRANSFORM_NONE;   /* SSMKernelDiag: imag_transform='none' */
}

int ssmh_import_is_model_layout(const char *layout)
{
    static const char *const names[] = {"dense", "diag", "s4d", "s5", "lru", "mamba2", NULL};
    int i;
    for (i = 0; layout != NULL && names[i] != NULL; i++)
        if (strcmp(layout, names[i]) == 0)
            return 1;
    return 0;
}

static const char *const transforms[] = {"none", "exp", "relu", "sigmoid", "softplus", NULL};

static int parse_bool(int *out, const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "True") == 0) {
        *out = 1;
        return 1;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "False") == 0) {
        *out = 0;
        return 1;
    }
    return 0;
}

static int parse_long(slong *out, const char *v, long lo, long hi)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

static int parse_number(char *out, size_t size, const char *v, int positive)
{
    fmpq_t q;
    const char *why;
    int ok;
    if (strlen(v) >= size)
        return 0;
    fmpq_init(q);
    ok = ssmh_rational_parse(q, v, 1000, &why) == SSMH_OK && (!positive || fmpq_sgn(q) > 0);
    fmpq_clear(q);
    if (ok)
        snprintf(out, size, "%s", v);
    return ok;
}

/* "LO,HI" with 0 <= LO < HI; HI may be "inf" */
static int parse_limit(char *out, size_t size, const char *v)
{
    const char *c = strchr(v, ',');
    char lo[64];
    fmpq_t a, b;
    const char *why;
    int ok;
    if (c == NULL || (size_t)(c - v) >= sizeof(lo) || strlen(v) >= size)
        return 0;
    memcpy(lo, v, (size_t)(c - v));
    lo[c - v] = '\0';
    fmpq_init(a);
    fmpq_init(b);
    ok = ssmh_rational_parse(a, lo, 1000, &why) == SSMH_OK && fmpq_sgn(a) >= 0;
    if (ok && strcmp(c + 1, "inf") != 0)
        ok = ssmh_rational_parse(b, c + 1, 1000, &why) == SSMH_OK && fmpq_cmp(a, b) < 0;
    fmpq_clear(a);
    fmpq_clear(b);
    if (ok)
        snprintf(out, size, "%s", v);
    return ok;
}

int ssmh_import_opts_set(ssmh_import_opts_t *o, const char *key, const char *val,
                         ssmh_error_t *err)
{
    int b, i;
    if (strcmp(key, "discretization") == 0) {
        if (strcmp(val, "zoh") && strcmp(val, "bilinear"))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--discretization must be zoh or bilinear");
        o->bilinear = strcmp(val, "bilinear") == 0;
        o->given |= SSMH_OPT_DISCRETIZATION;
    } else if (strcmp(key, "output") == 0) {
        if (strcmp(val, "2re") && strcmp(val, "re"))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--output must be 2re or re");
        o->output_re = strcmp(val, "re") == 0;
        o->given |= SSMH_OPT_CONJ_SYM;
    } else if (strcmp(key, "conj-sym") == 0) {
        if (!parse_bool(&b, val))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--conj-sym must be true or false");
        o->output_re = !b;
        o->given |= SSMH_OPT_CONJ_SYM;
    } else if (strcmp(key, "precision") == 0) {
        if (!parse_long(&o->bits, val, 2, 4096))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--precision must be an integer in [2, 4096]");
        o->given |= SSMH_OPT_PRECISION;
    } else if (strcmp(key, "headdim") == 0 || strcmp(key, "ngroups") == 0) {
        int h = key[0] == 'h';
        if (!parse_long(h ? &o->headdim : &o->ngroups, val, 1, 1L << 16))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--%s must be an integer in [1, 65536]", key);
        o->given |= h ? SSMH_OPT_HEADDIM : SSMH_OPT_NGROUPS;
    } else if (strcmp(key, "dt-transform") == 0 || strcmp(key, "real-transform") == 0
               || strcmp(key, "imag-transform") == 0) {
        ssmh_transform_t *t = key[0] == 'd' ? &o->dt_transform
                              : key[0] == 'r' ? &o->real_transform : &o->imag_transform;
        for (i = 0; transforms[i] != NULL && strcmp(transforms[i], val) != 0; i++)
            ;
        if (transforms[i] == NULL)
            return ssmh_error_set(err, SSMH_E_USAGE, "", "",
                                  "--%s must be none, exp, relu, sigmoid or softplus", key);
        *t = (ssmh_transform_t)i;
        o->given |= key[0] == 'd' ? SSMH_OPT_DT_TRANSFORM
                    : key[0] == 'r' ? SSMH_OPT_REAL_TRANSFORM : SSMH_OPT_IMAG_TRANSFORM;
    } else if (strcmp(key, "dt-fast") == 0 || strcmp(key, "swap-channels") == 0
               || strcmp(key, "clip-eigs") == 0) {
        if (!parse_bool(&b, val))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--%s must be true or false", key);
        if (key[0] == 'd')
            o->dt_fast = b, o->given |= SSMH_OPT_DT_FAST;
        else if (key[0] == 's')
            o->swap_channels = b, o->given |= SSMH_OPT_SWAP_CHANNELS;
        else
            o->clip_eigs = b, o->given |= SSMH_OPT_CLIP_EIGS;
    } else if (strcmp(key, "bandlimit") == 0 || strcmp(key, "step-rescale") == 0) {
        int bl = key[0] == 'b';
        if (!parse_number(bl ? o->bandlimit : o->step_rescale, sizeof(o->bandlimit), val, 1))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "", "--%s must be an exact number > 0", key);
        o->given |= bl ? SSMH_OPT_BANDLIMIT : SSMH_OPT_STEP_RESCALE;
    } else if (strcmp(key, "dt-limit") == 0) {
        if (!parse_limit(o->dt_limit, sizeof(o->dt_limit), val))
            return ssmh_error_set(err, SSMH_E_USAGE, "", "",
                                  "--dt-limit must be LO,HI with 0 <= LO < HI (HI may be inf)");
        o->given |= SSMH_OPT_DT_LIMIT;
    } else {
        return ssmh_error_set(err, SSMH_E_USAGE, "", "", "unknown option '%s'", key);
    }
    return SSMH_OK;
}

const char *_ssmh_transform_name(ssmh_transform_t t)
{
    return (unsigned)t < 5 ? transforms[t] : "?";
}

void _ssmh_opt_text(char *out, size_t size, const ssmh_import_opts_t *o, unsigned bit,
                    const char *name, const char *value)
{
    snprintf(out, size, "%s %s (%s)", name, value, (o->given & bit) ? "given" : "default");
}

json_t *_ssmh_model_object(const char *source)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    json_object_set_new(o, "source", json_string(source));
    return o;
}
