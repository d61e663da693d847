/*
 * The s4d layout: a bank of H diagonal SSMs, one per channel, in the three
 * forms that store one (detected from the tensor names, doc/weights.md):
 *
 *  - s4d.py S4D (state-spaces/s4 models/s4/s4d.py): kernel.log_A_real,
 *    kernel.A_imag (H x N/2), kernel.C (H x N/2 x 2), kernel.log_dt (H) and
 *    D (H) beside the kernel.  A = -exp(log_A_real) + i A_imag,
 *    dt = exp(log_dt), ZOH, B = 1.
 *  - s4.py FFTConv with SSMKernelDiag (mode 'diag'/'s4d'; inside an
 *    S4Block at layer.): kernel.A_real, kernel.A_imag (n_ssm x N/2),
 *    kernel.B (1 x n_ssm x N/2 x 2), kernel.C (channels x H x N/2 x 2),
 *    kernel.inv_dt (H x 1, or H x N/2) and D (channels x H).
 *    A = -T_real(A_real) - i T_imag(A_imag) (note the sign), dt =
 *    T_dt(inv_dt) (sinh first with dt_fast), head h uses copy h mod n_ssm,
 *    C~ = B C, ZOH or bilinear, optional bandlimit mask; is_real kernels
 *    (no A_imag) too.  Output (c, h) is row c H + h (h C + c with
 *    swap_channels).  DPLR kernels (a tensor P) and bidirectional ones are
 *    refused: they are not diagonal, or not causal.
 *  - flat (the ssmheads layout of earlier versions): log_A_real, A_imag,
 *    C, log_dt and D all under the prefix, as s4d.py, ZOH or bilinear.
 *
 * Every kernel computes K_l[c h, h] = 2 Re(sum_n Cbar_n Abar_n^l) (+ D at
 * l = 0).  Guarantee: every transcendental number and every discretization
 * formula is evaluated with MPFR at 256 bits and rounded to nearest at
 * `bits` (53 = binary64 by default): the same rationals on every machine.
 * The model is complex-diagonal and channel-sparse, never dense.
 */
#include "weights-impl.h"
#include <stdlib.h>
#include <string.h>

enum { FORM_S4D, FORM_S4, FORM_FLAT };

typedef struct {
    int form, is_real, tie;
    char kernel[64];        /* the kernel's tensors: prefix + kernel + name */
    char dname[64];         /* D: prefix + dname */
    ssmh_tensor_struct *lar, *aim, *B, *C, *dt, *D;
    slong H, N2, S, Ck;     /* channels, modes, n_ssm, output channels of C */
} s4_t;

static ssmh_tensor_struct *kfind(_ssmh_lay_t *L, const s4_t *k, const char *name)
{
    char full[128];
    snprintf(full, sizeof(full), "%s%s", k->kernel, name);
    return _ssmh_lay_find(L, full);
}

static int kneed(ssmh_tensor_struct **t, _ssmh_lay_t *L, const s4_t *k, const char *name, const char *expect)
{
    char full[128];
    snprintf(full, sizeof(full), "%s%s", k->kernel, name);
    return _ssmh_lay_need(t, L, full, expect);
}

static int has(const _ssmh_lay_t *L, const char *name)
{
    return ssmh_weights_get(L->w, L->prefix, name) != NULL;
}

/* The parent module of a bare kernel at "...kernel.", if it has a D. */
static int parent_with_D(char *parent, size_t size, const _ssmh_lay_t *L)
{
    size_t n = strlen(L->prefix);
    char d[300];
    if (n < 7 || strcmp(L->prefix + n - 7, "kernel.") != 0)
        return 0;
    snprintf(parent, size, "%.*s", (int)(n - 7), L->prefix);
    snprintf(d, sizeof(d), "%sD", parent);
    return ssmh_weights_get(L->w, NULL, d) != NULL;
}

static int detect(s4_t *k, _ssmh_lay_t *L)
{
    char parent[256], sug[300];
    static const char *const anchors[] = {"kernel.log_A_real", "kernel.A_real", "log_A_real", NULL};
    memset(k, 0, sizeof(*k));
    strcpy(k->dname, "D");
    if (has(L, "kernel.log_A_real")) {
        k->form = FORM_S4D;
        strcpy(k->kernel, "kernel.");
    } else if (has(L, "kernel.A_real")) {
        k->form = FORM_S4;
        strcpy(k->kernel, "kernel.");
    } else if (has(L, "layer.kernel.A_real")) {   /* an S4Block: its FFTConv is `layer` */
        k->form = FORM_S4;
        strcpy(k->kernel, "layer.kernel.");
        strcpy(k->dname, "layer.D");
    } else if (has(L, "log_A_real") || has(L, "A_real")) {
        if (parent_with_D(parent, sizeof(parent), L))
            return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "",
                                  "'%s' is the kernel of a module whose D is '%sD', beside the kernel: "
                                  "--prefix is the module's own path, use --prefix '%s'",
                                  L->prefix, parent, parent);
        k->form = has(L, "log_A_real") ? (has(L, "D") ? FORM_FLAT : FORM_S4D) : FORM_S4;
        if (k->form != FORM_FLAT)
            k->dname[0] = '\0';               /* a bare kernel has no D */
    } else {
        _ssmh_lay_suggest(sug, sizeof(sug), L, anchors);
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "",
                              "no S4D module at %s%s%s: expected kernel.log_A_real (s4d.py S4D), "
                              "kernel.A_real (s4.py FFTConv, mode diag) or log_A_real%s",
                              *L->prefix ? "prefix '" : "the top level (no prefix)", L->prefix,
                              *L->prefix ? "'" : "", sug);
    }
    if (k->form == FORM_S4 && kfind(L, k, "P") != NULL)
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "",
                              "'%s%sP' is the low-rank part of an S4 DPLR kernel (mode nplr/dplr): "
                              "its state matrix is not diagonal; only SSMKernelDiag (mode diag/s4d) "
                              "is supported", L->prefix, k->kernel);
    return SSMH_OK;
}

static int s4d_shapes(s4_t *k, _ssmh_lay_t *L)
{
    slong sh[2];
    int rc;
    if ((rc = kneed(&k->lar, L, k, "log_A_real", "(H, N/2)")) != SSMH_OK
        || (rc = kneed(&k->aim, L, k, "A_imag", "(H, N/2)")) != SSMH_OK
        || (rc = kneed(&k->C, L, k, "C", "(H, N/2, 2), view_as_real of a complex C")) != SSMH_OK
        || (rc = kneed(&k->dt, L, k, "log_dt", "(H,)")) != SSMH_OK)
        return rc;
    if (k->lar->ndim != 2)
        return _ssmh_lay_shape_error(L, k->lar, "(H, N/2)");
    k->H = k->lar->shape[0];
    k->N2 = k->lar->shape[1];
    k->S = k->H;
    k->Ck = 1;
    if (k->aim->ndim != 2 || k->aim->shape[0] != k->H || k->aim->shape[1] != k->N2)
        return _ssmh_lay_shape_error(L, k->aim, "(%ld, %ld) like log_A_real", (long)k->H, (long)k->N2);
    sh[0] = k->H;
    sh[1] = k->N2;
    if (!_ssmh_is_complex_pairs(k->C, 2, sh))
        return _ssmh_lay_shape_error(L, k->C, "(%ld, %ld, 2) (real, imaginary) or a complex (%ld, %ld)",
                                     (long)k->H, (long)k->N2, (long)k->H, (long)k->N2);
    if (!((k->dt->ndim == 1 && k->dt->shape[0] == k->H)
          || (k->dt->ndim == 2 && k->dt->shape[0] == k->H && k->dt->shape[1] == 1)))
        return _ssmh_lay_shape_error(L, k->dt, "(%ld,) or (%ld, 1)", (long)k->H, (long)k->H);
    k->tie = 1;
    return SSMH_OK;
}

static int s4_shapes(s4_t *k, _ssmh_lay_t *L)
{
    slong sh[4];
    int rc, bn;
    if ((rc = kneed(&k->lar, L, k, "A_real", "(n_ssm, N/2)")) != SSMH_OK
        || (rc = kneed(&k->B, L, k, "B", "(1, n_ssm, N/2, 2)")) != SSMH_OK
        || (rc = kneed(&k->C, L, k, "C", "(channels, H, N/2, 2)")) != SSMH_OK
        || (rc = kneed(&k->dt, L, k, "inv_dt", "(H, 1)")) != SSMH_OK)
        return rc;
    k->aim = kfind(L, k, "A_imag");
    k->is_real = k->aim == NULL;
    if (k->lar->ndim != 2)
        return _ssmh_lay_shape_error(L, k->lar, "(n_ssm, N/2)");
    k->S = k->lar->shape[0];
    k->N2 = k->lar->shape[1];
    if (k->aim != NULL && (k->aim->ndim != 2 || k->aim->shape[0] != k->S || k->aim->shape[1] != k->N2))
        return _ssmh_lay_shape_error(L, k->aim, "(%ld, %ld) like A_real", (long)k->S, (long)k->N2);
    if (k->dt->ndim < 1 || k->dt->ndim > 2)
        return _ssmh_lay_shape_error(L, k->dt, "(H, 1) or (H, N/2)");
    k->H = k->dt->shape[0];
    k->tie = k->dt->ndim == 1 || k->dt->shape[1] == 1;
    if (k->dt->ndim == 2 && !k->tie && k->dt->shape[1] != k->N2)
        return _ssmh_lay_shape_error(L, k->dt, "(%ld, 1) or (%ld, %ld)", (long)k->H, (long)k->H, (long)k->N2);
    if (k->S < 1 || k->H % k->S != 0)
        return _ssmh_lay_shape_error(L, k->lar, "n_ssm rows dividing H = %ld", (long)k->H);
    sh[0] = 1;
    sh[1] = k->S;
    sh[2] = k->N2;
    bn = k->is_real ? (k->B->ndim == 3 && !k->B->is_complex && k->B->shape[0] == 1 && k->B->shape[1] == k->S
                       && k->B->shape[2] == k->N2)
                    : _ssmh_is_complex_pairs(k->B, 3, sh);
    if (!bn)
        return _ssmh_lay_shape_error(L, k->B, k->is_real ? "(1, %ld, %ld) (is_real kernel: no A_imag)"
                                                          : "(1, %ld, %ld, 2) (real, imaginary)",
                                     (long)k->S, (long)k->N2);
    if (k->C->ndim < (k->is_real || k->C->is_complex ? 3 : 4))
        return _ssmh_lay_shape_error(L, k->C, "(channels, %ld, %ld%s)", (long)k->H, (long)k->N2,
                                     k->is_real ? "" : ", 2");
    k->Ck = k->C->shape[0];
    sh[0] = k->Ck;
    sh[1] = k->H;
    sh[2] = k->N2;
    if (k->is_real ? !(k->C->ndim == 3 && !k->C->is_complex && k->C->shape[1] == k->H && k->C->shape[2] == k->N2)
                   : !_ssmh_is_complex_pairs(k->C, 3, sh) || k->C->ndim > 4)
        return _ssmh_lay_shape_error(L, k->C, "(%ld, %ld, %ld%s)", (long)k->Ck, (long)k->H, (long)k->N2,
                                     k->is_real ? "" : ", 2");
    return SSMH_OK;
}

static int fetch_D(s4_t *k, _ssmh_lay_t *L)
{
    slong s[SSMH_TENSOR_MAX_DIM];
    int n;
    k->D = k->dname[0] ? _ssmh_lay_find(L, k->dname) : NULL;
    if (k->D == NULL) {
        _ssmh_lay_note(L, "no D%s%s%s: the %s module normally has a D (skip term); the model has D = 0",
                       *L->prefix ? " under '" : "", L->prefix, *L->prefix ? "'" : "",
                       k->form == FORM_S4 ? "FFTConv" : "S4D");
        return SSMH_OK;
    }
    if (k->form != FORM_S4)
        return SSMH_OK;                      /* (H) or full (H, H): _ssmh_lay_D */
    n = _ssmh_squeeze_leading(s, k->D);
    if (k->D->ndim == 2 && k->D->shape[1] == k->H && 2 * k->D->shape[0] == k->Ck)
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, k->D->name,
                              "C has %ld output channels for D's %ld: a bidirectional FFTConv (two-sided "
                              "kernel), which is not a causal SSM", (long)k->Ck, (long)k->D->shape[0]);
    if (!((k->D->ndim == 2 && k->D->shape[0] == k->Ck && k->D->shape[1] == k->H)
          || (k->Ck == 1 && n == 1 && s[0] == k->H)))
        return _ssmh_lay_shape_error(L, k->D, "(%ld, %ld) (channels x H)", (long)k->Ck, (long)k->H);
    return SSMH_OK;
}

static int check_options(const s4_t *k, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    static const struct { unsigned bit; const char *name; } s4only[] = {
        {SSMH_OPT_DT_TRANSFORM, "--dt-transform"}, {SSMH_OPT_REAL_TRANSFORM, "--real-transform"},
        {SSMH_OPT_IMAG_TRANSFORM, "--imag-transform"}, {SSMH_OPT_DT_FAST, "--dt-fast"},
        {SSMH_OPT_BANDLIMIT, "--bandlimit"}, {SSMH_OPT_SWAP_CHANNELS, "--swap-channels"}};
    size_t i;
    if (k->form != FORM_S4)
        for (i = 0; i < sizeof(s4only) / sizeof(s4only[0]); i++)
            if (o->given & s4only[i].bit)
                return ssmh_error_set(L->err, SSMH_E_USAGE, L->file, "",
                                      "%s is an option of s4.py's SSMKernelDiag (tensors A_real, inv_dt); "
                                      "this module is %s", s4only[i].name,
                                      k->form == FORM_S4D ? "s4d.py's S4D" : "the flat s4d layout");
    if (k->form == FORM_S4D && o->bilinear)
        return ssmh_error_set(L->err, SSMH_E_USAGE, L->file, "",
                              "s4d.py's S4DKernel discretizes by ZOH only: --discretization bilinear "
                              "applies to s4.py kernels and the flat layout");
    if (k->is_real && o->bandlimit[0])
        return ssmh_error_set(L->err, SSMH_E_USAGE, L->file, "",
                              "--bandlimit needs a complex kernel (this is_real kernel has no A_imag)");
    return SSMH_OK;
}

/* (re, im) of element i of a complex-pairs tensor, or (x, 0) of a real one */
static void cget(mpfr_t re, mpfr_t im, const ssmh_tensor_struct *t, slong i, int pairs)
{
    if (pairs) {
        _ssmh_q_to_mpfr(re, t->data + 2 * i);
        _ssmh_q_to_mpfr(im, t->data + 2 * i + 1);
    } else {
        _ssmh_q_to_mpfr(re, t->data + i);
        mpfr_set_ui(im, 0, MPFR_RNDN);
    }
}

static int build(json_t **out, s4_t *k, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    slong H = k->H, N2 = k->N2, M = H * N2, p = k->Ck * H, h, n, c, nt = 0, nd = 0;
    json_t *re = json_array(), *im = json_array(), *Bre = _ssmh_sparse_json(M, H), *m;
    _ssmh_triplet_t *tr = malloc(sizeof(*tr) * (size_t)FLINT_MAX(1, 2 * p * N2)), *td;
    mpfr_t ar, ai, dt, er, ei, pr, pi, br, bi, cr, ci, band, t;
    fmpq_t q;
    int bad = 0, bilinear = k->form == FORM_S4D ? 0 : o->bilinear;
    char src[2200], opts[1100], a[5][200];
    td = malloc(sizeof(*td) * (size_t)FLINT_MAX(1, p));
    mpfr_inits2(SSMH_WP, ar, ai, dt, er, ei, pr, pi, br, bi, cr, ci, band, t, (mpfr_ptr)0);
    fmpq_init(q);
    if (o->bandlimit[0]) {
        const char *why;
        ssmh_rational_parse(q, o->bandlimit, 1000, &why);
        _ssmh_q_to_mpfr(band, q);
        mpfr_div_2ui(band, band, 1, MPFR_RNDN);          /* freqs < bandlimit / 2 */
    }
    for (h = 0; h < H; h++)
        for (n = 0; n < N2; n++) {
            slong s = h * N2 + n, a_i = (h % k->S) * N2 + n;
            int masked = 0;
            /* dt */
            _ssmh_q_to_mpfr(dt, k->dt->data + (k->tie ? h : h * N2 + n));
            if (k->form == FORM_S4) {
                if (o->dt_fast)
                    mpfr_sinh(dt, dt, MPFR_RNDN);
                _ssmh_mpfr_guard(dt, &bad);
                _ssmh_transform(dt, dt, o->dt_transform);
            } else {
                mpfr_exp(dt, dt, MPFR_RNDN);
            }
            _ssmh_mpfr_guard(dt, &bad);
            /* A */
            _ssmh_q_to_mpfr(ar, k->lar->data + a_i);
            if (k->form == FORM_S4) {
                _ssmh_mpfr_guard(ar, &bad);
                _ssmh_transform(ar, ar, o->real_transform);
                mpfr_neg(ar, ar, MPFR_RNDN);
                if (k->is_real) {
                    mpfr_set_ui(ai, 0, MPFR_RNDN);
                } else {
                    _ssmh_q_to_mpfr(ai, k->aim->data + a_i);
                    _ssmh_mpfr_guard(ai, &bad);
                    _ssmh_transform(ai, ai, o->imag_transform);
                    mpfr_neg(ai, ai, MPFR_RNDN);         /* s4.py: A = -T(A_real) - i T(A_imag) */
                }
            } else {
                mpfr_exp(ar, ar, MPFR_RNDN);
                mpfr_neg(ar, ar, MPFR_RNDN);
                _ssmh_q_to_mpfr(ai, k->aim->data + a_i);  /* s4d.py: -exp(log_A_real) + i A_imag */
            }
            _ssmh_mpfr_guard(ar, &bad);
            _ssmh_mpfr_guard(ai, &bad);
            if (o->bandlimit[0]) {                       /* dt |A_imag| / (2 pi) < bandlimit / 2 */
                mpfr_const_pi(t, MPFR_RNDN);
                mpfr_mul_2ui(t, t, 1, MPFR_RNDN);
                mpfr_abs(cr, ai, MPFR_RNDN);
                mpfr_mul(cr, cr, dt, MPFR_RNDN);
                mpfr_div(cr, cr, t, MPFR_RNDN);
                masked = !(mpfr_cmp(cr, band) < 0);
            }
            _ssmh_discretize(er, ei, pr, pi, ar, ai, dt, bilinear);
            json_array_append_new(re, _ssmh_mpfr_json(er, o->bits, &bad));
            json_array_append_new(im, _ssmh_mpfr_json(ei, o->bits, &bad));
            _ssmh_sparse_json_add(Bre, s, h, json_string("1"));
            if (k->form == FORM_S4) {                    /* the input factor B times p */
                cget(br, bi, k->B, a_i, !k->is_real);
                _ssmh_cmul(pr, pi, br, bi);
            }
            for (c = 0; c < k->Ck; c++) {
                slong row = o->swap_channels ? h * k->Ck + c : c * H + h;
                if (masked)
                    continue;
                cget(cr, ci, k->C, (c * H + h) * N2 + n, !k->is_real);
                _ssmh_cmul(cr, ci, pr, pi);
                tr[nt].i = row;
                tr[nt].j = 2 * s;
                tr[nt++].v = _ssmh_mpfr_json(cr, o->bits, &bad);
                tr[nt].i = row;
                tr[nt].j = 2 * s + 1;
                tr[nt++].v = _ssmh_mpfr_json(ci, o->bits, &bad);
            }
        }
    mpfr_clears(ar, ai, dt, er, ei, pr, pi, br, bi, cr, ci, band, t, (mpfr_ptr)0);
    fmpq_clear(q);
    {   /* C re / im from the interleaved triplets (columns 2s, 2s + 1) */
        json_t *Cre, *Cim;
        slong i, a0 = 0, a1 = 0;
        _ssmh_triplet_t *t0 = malloc(sizeof(*t0) * (size_t)FLINT_MAX(1, nt / 2 + 1));
        _ssmh_triplet_t *t1 = malloc(sizeof(*t1) * (size_t)FLINT_MAX(1, nt / 2 + 1));
        for (i = 0; i < nt; i++) {
            _ssmh_triplet_t x = tr[i];
            int odd = (int)(x.j & 1);
            x.j /= 2;
            if (odd)
                t1[a1++] = x;
            else
                t0[a0++] = x;
        }
        Cre = _ssmh_sparse_from_triplets(p, M, t0, a0);
        Cim = _ssmh_sparse_from_triplets(p, M, t1, a1);
        free(t0);
        free(t1);
        free(tr);
        /* D: (channels, H) for s4.py, (H) or (H, H) otherwise */
        if (k->form == FORM_S4 && k->D != NULL) {
            for (c = 0; c < k->Ck; c++)
                for (h = 0; h < H; h++) {
                    const fmpq *v = k->D->data + c * H + h;
                    if (fmpq_is_zero(v))
                        continue;
                    td[nd].i = o->swap_channels ? h * k->Ck + c : c * H + h;
                    td[nd].j = h;
                    td[nd++].v = ssmh_json_rational(v);
                }
            m = _ssmh_sparse_from_triplets(p, H, td, nd);
        } else if (_ssmh_lay_D(&m, L, k->D, H, H) != SSMH_OK) {
            m = NULL;
        }
        free(td);
        if (bad || m == NULL) {
            json_decref(re);
            json_decref(im);
            json_decref(Bre);
            json_decref(Cre);
            json_decref(Cim);
            json_decref(m);
            if (m == NULL)
                return L->err ? L->err->code : SSMH_E_SHAPE;
            return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, k->lar->name,
                                  "the step, the transformed A or the discretized model leaves the "
                                  "range of the %ld-bit format (overflow or NaN)", (long)o->bits);
        }
        if (k->form == FORM_S4) {
            _ssmh_opt_text(a[0], sizeof(a[0]), o, SSMH_OPT_DISCRETIZATION, "disc", bilinear ? "bilinear" : "zoh");
            _ssmh_opt_text(a[1], sizeof(a[1]), o, SSMH_OPT_DT_TRANSFORM, "dt_transform", _ssmh_transform_name(o->dt_transform));
            _ssmh_opt_text(a[2], sizeof(a[2]), o, SSMH_OPT_REAL_TRANSFORM, "real_transform", _ssmh_transform_name(o->real_transform));
            _ssmh_opt_text(a[3], sizeof(a[3]), o, SSMH_OPT_IMAG_TRANSFORM, "imag_transform", _ssmh_transform_name(o->imag_transform));
            snprintf(a[4], sizeof(a[4]), "dt_fast %s, bandlimit %s, swap_channels %s",
                     o->dt_fast ? "true" : "false", o->bandlimit[0] ? o->bandlimit : "None",
                     o->swap_channels ? "true" : "false");
            snprintf(opts, sizeof(opts), "%s, %s, %s, %s, %s%s", a[0], a[1], a[2], a[3], a[4],
                     k->is_real ? ", is_real" : "");
        } else {
            _ssmh_opt_text(opts, sizeof(opts), o, SSMH_OPT_DISCRETIZATION, "disc", bilinear ? "bilinear" : "zoh");
        }
        snprintf(src, sizeof(src),
                 "imported by ssmheads from %s (layout s4d: %s at prefix '%s'; H = %ld channels x %ld "
                 "%s modes, %ld output channel(s), n_ssm %ld; %s); exp/sin/cos and the discretization "
                 "by MPFR at %d bits, rounded to nearest at %ld bits",
                 L->file, k->form == FORM_S4 ? "s4.py FFTConv / SSMKernelDiag" : k->form == FORM_S4D ? "s4d.py S4D" : "flat",
                 L->prefix, (long)H, (long)N2, k->is_real ? "real" : "complex", (long)k->Ck, (long)k->S,
                 opts, SSMH_WP, (long)o->bits);
        *out = _ssmh_model_object(src);
        json_object_set_new(*out, "A", json_pack("{s:{s:o,s:o}}", "complex_diag", "re", re, "im", im));
        json_object_set_new(*out, "B", json_pack("{s:o,s:o}", "re", Bre, "im", _ssmh_sparse_json(M, H)));
        json_object_set_new(*out, "C", json_pack("{s:o,s:o}", "re", Cre, "im", Cim));
        json_object_set_new(*out, "output", json_string("2re"));
        json_object_set_new(*out, "D", m);
    }
    return SSMH_OK;
}

int _ssmh_layout_s4d(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    s4_t k;
    int rc;
    static const char *const forms[] = {"s4d.py S4D", "s4.py FFTConv (SSMKernelDiag)", "flat s4d"};
    if ((rc = detect(&k, L)) != SSMH_OK)
        return rc;
    rc = k.form == FORM_S4 ? s4_shapes(&k, L) : s4d_shapes(&k, L);
    if (rc == SSMH_OK)
        rc = fetch_D(&k, L);
    if (L->info) {
        json_object_set_new(L->info, "form", json_string(forms[k.form]));
        if (rc == SSMH_OK) {
            _ssmh_lay_size(L, "H", k.H);
            _ssmh_lay_size(L, "N", k.is_real ? k.N2 : 2 * k.N2);
            _ssmh_lay_size(L, "channels", k.Ck);
            _ssmh_lay_size(L, "n_ssm", k.S);
        }
    }
    if (rc == SSMH_OK)
        rc = check_options(&k, L, o);
    if (rc != SSMH_OK)
        return rc;
    if ((rc = _ssmh_lay_decode(L, k.lar, 0)) != SSMH_OK
        || (k.aim && (rc = _ssmh_lay_decode(L, k.aim, 0)) != SSMH_OK)
        || (k.B && (rc = _ssmh_lay_decode(L, k.B, 1)) != SSMH_OK)
        || (rc = _ssmh_lay_decode(L, k.C, 1)) != SSMH_OK
        || (rc = _ssmh_lay_decode(L, k.dt, 0)) != SSMH_OK
        || (k.D && (rc = _ssmh_lay_decode(L, k.D, 0)) != SSMH_OK))
        return rc;
    if (k.form != FORM_S4 && k.D != NULL) {
        json_t *chk;                                  /* D's shape, before any work */
        if ((rc = _ssmh_lay_D(&chk, L, k.D, k.H, k.H)) != SSMH_OK)
            return rc;
        json_decref(chk);
    }
    if (L->dry)
        return SSMH_OK;
    return build(out, &k, L, o);
}
