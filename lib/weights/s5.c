/*
 * The s5 layout (lindermanlab/S5, s5/ssm.py, module S5SSM): one MIMO SSM
 * shared by the H channels of a layer, diagonalized with P complex modes,
 *   x_k = Lambda_bar x_{k-1} + B_bar u_k,  y_k = 2 Re(C_tilde x_k) + D * u_k
 * (conj_sym = True, the default) or Re(C_tilde x_k) + D * u_k.
 * Tensors (after the prefix): Lambda_re, Lambda_im (P), B (P x H x 2: real,
 * imaginary; or complex P x H), C (H x P x 2, or complex), log_step (P x 1,
 * or P), D (H, or a full H x H).  Lambda = Lambda_re + i Lambda_im, with
 * Lambda_re clipped to at most -1e-4 when clip_eigs; step = step_rescale *
 * exp(log_step[:, 0]), and
 *   ZOH:      Lambda_bar = exp(step Lambda), B_bar = (Lambda_bar - 1)/Lambda B
 *   bilinear: Lambda_bar = (1 + step Lambda/2)/(1 - step Lambda/2),
 *             B_bar = step/(1 - step Lambda/2) B.
 * conj_sym, clip_eigs, step_rescale and the discretization are constructor
 * settings (options).  Bidirectional S5 (C1 and C2, or C of width 2P) is
 * refused: it is not causal.  Guarantee: as for s4d, every exp/sin/cos and
 * discretization formula by MPFR at 256 bits, rounded to nearest at
 * `bits`; C_tilde and D are the file's numbers exactly.
 */
#include "weights-impl.h"
#include <string.h>

int _ssmh_layout_s5(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    ssmh_tensor_struct *lr, *li, *B, *C, *ls, *D;
    slong P, H, s, j, sh[2];
    json_t *re, *im, *Br, *Bi, *Cr, *Ci, *Dm, *x;
    mpfr_t ar, ai, dt, er, ei, pr, pi, br, bi, clip, resc;
    fmpq_t q;
    char src[1200], a[4][100];
    int rc, bad = 0;

    if ((rc = _ssmh_lay_need(&lr, L, "Lambda_re", "(P,)")) != SSMH_OK
        || (rc = _ssmh_lay_need(&li, L, "Lambda_im", "(P,)")) != SSMH_OK)
        return rc;
    if (_ssmh_lay_find(L, "C1") != NULL || _ssmh_lay_find(L, "C2") != NULL)
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "",
                              "'%sC1' and '%sC2' are the two output matrices of a bidirectional S5SSM, "
                              "which is not a causal SSM (import each direction as its own model)",
                              L->prefix, L->prefix);
    if ((rc = _ssmh_lay_need(&B, L, "B", "(P, H, 2)")) != SSMH_OK
        || (rc = _ssmh_lay_need(&C, L, "C", "(H, P, 2)")) != SSMH_OK
        || (rc = _ssmh_lay_need(&ls, L, "log_step", "(P, 1)")) != SSMH_OK)
        return rc;
    D = _ssmh_lay_find(L, "D");
    if (lr->ndim != 1 || lr->shape[0] < 1)
        return _ssmh_lay_shape_error(L, lr, "a vector (P,)");
    P = lr->shape[0];
    if (li->ndim != 1 || li->shape[0] != P)
        return _ssmh_lay_shape_error(L, li, "(%ld,) like Lambda_re", (long)P);
    if (B->ndim < 2 || B->shape[0] != P)
        return _ssmh_lay_shape_error(L, B, "(%ld, H, 2) (real, imaginary)", (long)P);
    H = B->shape[1];
    sh[0] = P;
    sh[1] = H;
    if (H < 1 || !_ssmh_is_complex_pairs(B, 2, sh) || B->ndim != (B->is_complex ? 2 : 3))
        return _ssmh_lay_shape_error(L, B, "(%ld, H, 2) (real, imaginary) or a complex (%ld, H)", (long)P, (long)P);
    sh[0] = H;
    sh[1] = 2 * P;
    if (C->ndim == (C->is_complex ? 2 : 3) && _ssmh_is_complex_pairs(C, 2, sh))
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, C->name,
                              "C is %ld x %ld: the output matrix of a bidirectional S5SSM (2P columns), "
                              "which is not a causal SSM", (long)H, (long)(2 * P));
    sh[1] = P;
    if (C->ndim != (C->is_complex ? 2 : 3) || !_ssmh_is_complex_pairs(C, 2, sh))
        return _ssmh_lay_shape_error(L, C, "(%ld, %ld, 2) (H x P, real and imaginary)", (long)H, (long)P);
    if (!((ls->ndim == 1 && ls->shape[0] == P) || (ls->ndim == 2 && ls->shape[0] == P && ls->shape[1] == 1)))
        return _ssmh_lay_shape_error(L, ls, "(%ld, 1) or (%ld,)", (long)P, (long)P);
    if (D == NULL)
        _ssmh_lay_note(L, "no D%s%s%s: S5SSM normally has a D (feedthrough); the model has D = 0",
                       *L->prefix ? " under '" : "", L->prefix, *L->prefix ? "'" : "");
    _ssmh_lay_size(L, "H", H);
    _ssmh_lay_size(L, "P", P);
    if (L->info)
        json_object_set_new(L->info, "form", json_string("S5 S5SSM"));
    if ((rc = _ssmh_lay_decode(L, lr, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, li, 0)) != SSMH_OK
        || (rc = _ssmh_lay_decode(L, B, 1)) != SSMH_OK || (rc = _ssmh_lay_decode(L, C, 1)) != SSMH_OK
        || (rc = _ssmh_lay_decode(L, ls, 0)) != SSMH_OK || (rc = _ssmh_lay_D(&Dm, L, D, H, H)) != SSMH_OK
        || L->dry)
        return rc;

    mpfr_inits2(SSMH_WP, ar, ai, dt, er, ei, pr, pi, br, bi, clip, resc, (mpfr_ptr)0);
    fmpq_init(q);
    mpfr_set_si(clip, -1, MPFR_RNDN);
    mpfr_div_ui(clip, clip, 10000, MPFR_RNDN);            /* np.clip(Lambda_re, None, -1e-4) */
    mpfr_set_ui(resc, 1, MPFR_RNDN);
    if (o->step_rescale[0]) {
        const char *why;
        ssmh_rational_parse(q, o->step_rescale, 1000, &why);
        _ssmh_q_to_mpfr(resc, q);
    }
    re = json_array();
    im = json_array();
    Br = json_array();
    Bi = json_array();
    for (s = 0; s < P; s++) {
        json_t *rr = json_array(), *ri = json_array();
        _ssmh_q_to_mpfr(ar, lr->data + s);
        if (o->clip_eigs && mpfr_cmp(ar, clip) > 0)
            mpfr_set(ar, clip, MPFR_RNDN);
        _ssmh_q_to_mpfr(ai, li->data + s);
        _ssmh_q_to_mpfr(dt, ls->data + s);
        mpfr_exp(dt, dt, MPFR_RNDN);
        mpfr_mul(dt, dt, resc, MPFR_RNDN);
        _ssmh_mpfr_guard(dt, &bad);
        _ssmh_discretize(er, ei, pr, pi, ar, ai, dt, o->bilinear);
        json_array_append_new(re, _ssmh_mpfr_json(er, o->bits, &bad));
        json_array_append_new(im, _ssmh_mpfr_json(ei, o->bits, &bad));
        for (j = 0; j < H; j++) {          /* B_bar = (pr + i pi)(br + i bi) */
            _ssmh_q_to_mpfr(br, B->data + 2 * (s * H + j));
            _ssmh_q_to_mpfr(bi, B->data + 2 * (s * H + j) + 1);
            _ssmh_cmul(br, bi, pr, pi);
            json_array_append_new(rr, _ssmh_mpfr_json(br, o->bits, &bad));
            json_array_append_new(ri, _ssmh_mpfr_json(bi, o->bits, &bad));
        }
        json_array_append_new(Br, rr);
        json_array_append_new(Bi, ri);
    }
    mpfr_clears(ar, ai, dt, er, ei, pr, pi, br, bi, clip, resc, (mpfr_ptr)0);
    fmpq_clear(q);
    Cr = json_array();
    Ci = json_array();
    for (j = 0; j < H; j++) {
        json_t *cr = json_array(), *ci = json_array();
        for (s = 0; s < P; s++) {
            json_array_append_new(cr, ssmh_json_rational(C->data + 2 * (j * P + s)));
            json_array_append_new(ci, ssmh_json_rational(C->data + 2 * (j * P + s) + 1));
        }
        json_array_append_new(Cr, cr);
        json_array_append_new(Ci, ci);
    }
    if (bad) {
        json_decref(re);
        json_decref(im);
        json_decref(Br);
        json_decref(Bi);
        json_decref(Cr);
        json_decref(Ci);
        json_decref(Dm);
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, ls->name,
                              "exp(log_step) or the discretized model leaves the range of the "
                              "%ld-bit format (overflow or NaN)", (long)o->bits);
    }
    _ssmh_opt_text(a[0], sizeof(a[0]), o, SSMH_OPT_DISCRETIZATION, "discretization", o->bilinear ? "bilinear" : "zoh");
    _ssmh_opt_text(a[1], sizeof(a[1]), o, SSMH_OPT_CONJ_SYM, "conj_sym", o->output_re ? "False" : "True");
    _ssmh_opt_text(a[2], sizeof(a[2]), o, SSMH_OPT_CLIP_EIGS, "clip_eigs", o->clip_eigs ? "True" : "False");
    _ssmh_opt_text(a[3], sizeof(a[3]), o, SSMH_OPT_STEP_RESCALE, "step_rescale", o->step_rescale[0] ? o->step_rescale : "1");
    snprintf(src, sizeof(src),
             "imported by ssmheads from %s (layout s5: S5SSM at prefix '%s', P = %ld complex modes, "
             "H = %ld; %s, %s, %s, %s); exp/sin/cos and the discretization by MPFR at %d bits, "
             "rounded to nearest at %ld bits",
             L->file, L->prefix, (long)P, (long)H, a[0], a[1], a[2], a[3], SSMH_WP, (long)o->bits);
    *out = _ssmh_model_object(src);
    x = json_object();
    json_object_set_new(x, "re", re);
    json_object_set_new(x, "im", im);
    json_object_set_new(*out, "A", json_pack("{s:o}", "complex_diag", x));
    json_object_set_new(*out, "B", json_pack("{s:o,s:o}", "re", Br, "im", Bi));
    json_object_set_new(*out, "C", json_pack("{s:o,s:o}", "re", Cr, "im", Ci));
    json_object_set_new(*out, "D", Dm);
    json_object_set_new(*out, "output", json_string(o->output_re ? "re" : "2re"));
    return SSMH_OK;
}
