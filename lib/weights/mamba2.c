/*
 * The mamba2 layout: a frozen slice of a Mamba-2 (SSD) layer
 * (state-spaces/mamba, mamba_ssm/modules/mamba2.py, module Mamba2).
 * Mamba-2 is selective -- B, C and the step dt depend on the input -- so
 * ssmheads takes the values of one slice (one token's B, C and raw dt, as
 * the xBC split and in_proj give them, or any fixed choice) added under the
 * module's prefix, and analyses the linear time-invariant SSM they define.
 * Per head h, in group g = h / (nheads / ngroups), channel p < headdim:
 *   Delta_h = softplus(dt_h + dt_bias_h) (clamped to dt_limit),
 *   a_h = exp(-Delta_h exp(A_log_h)),
 *   state_t = a_h state_{t-1} + Delta_h x_t[p] B_g,  y_t[p] = state_t . C_g + D x_t[p],
 * so K_l = blockdiag(a_h^l Delta_h (C_g . B_g)) (+ D at l = 0), with D per
 * head, or per head channel (D_has_hdim).  The model written realizes
 * exactly these K_l with one state per head channel: A = diag(a_h), B = I,
 * C = diag(Delta_h C_g . B_g), D = diag(D).
 *
 * Sizes come from the checkpoint: nheads = len(A_log); d_ssm = nheads x
 * headdim from norm.weight, D (D_has_hdim) or conv1d.weight (d_ssm +
 * 2 ngroups d_state channels), checked against in_proj and out_proj;
 * ngroups from B of shape (ngroups, d_state).  B and C given flat (length
 * ngroups d_state, before the (g n) split) leave ngroups open: then
 * --ngroups is needed unless only 1 divides both nheads and the length.
 * Guarantee: C_g . B_g is exact; softplus (torch's: x itself above 20), exp
 * and the product with Delta by MPFR at 256 bits, each of a_h and c_h
 * rounded once to nearest at `bits`; a setting the file leaves open is
 * refused with the option named, never guessed.
 */
#include "weights-impl.h"
#include <string.h>

/* length of a 1-D tensor after leading singleton axes, or -1 */
static slong vec_len(const ssmh_tensor_struct *t)
{
    slong s[SSMH_TENSOR_MAX_DIM];
    return _ssmh_squeeze_leading(s, t) == 1 ? s[0] : -1;
}

/* B or C of the slice: (g, n) with g > 1, or flat (.., g n) */
static int slice_shape(slong *g, slong *total, const ssmh_tensor_struct *t)
{
    int i;
    for (i = 0; i + 2 < t->ndim; i++)
        if (t->shape[i] != 1)
            return 0;
    if (t->ndim >= 2 && t->shape[t->ndim - 2] > 1 && (t->ndim == 2 || t->ndim == 4)) {
        *g = t->shape[t->ndim - 2];
        *total = *g * t->shape[t->ndim - 1];
        return 1;
    }
    if (t->ndim >= 2 && t->shape[t->ndim - 2] != 1)
        return 0;
    *g = 0;
    *total = t->shape[t->ndim - 1];
    return t->ndim >= 1;
}

static int agree(slong *dssm, const char **from, slong v, const char *src, _ssmh_lay_t *L)
{
    if (v <= 0)
        return SSMH_OK;
    if (*dssm > 0 && *dssm != v)
        return ssmh_error_set(L->err, SSMH_E_SHAPE, L->file, "",
                              "the checkpoint's shapes disagree: %s gives nheads x headdim = %ld, %s "
                              "gives %ld", *from, (long)*dssm, src, (long)v);
    *dssm = v;
    *from = src;
    return SSMH_OK;
}

int _ssmh_layout_mamba2(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    ssmh_tensor_struct *Al, *db, *dt, *B, *C, *D, *nw, *cw, *ip, *op;
    slong H, G = 0, GN = 0, GNm = 0, gC, tC, N, h, q, M, P, dssm = 0, dlen, gi;
    const char *from = "";
    json_t *lam, *Bm, *Cm, *Dm;
    mpfr_t delta, a, x, cb, lo, hi;
    fmpq_t dot, t;
    char src[1400], ng[100], hd[100], lim[160];
    int rc, bad = 0, hdim_D = 0, module;

    if ((rc = _ssmh_lay_need(&Al, L, "A_log", "(nheads,)")) != SSMH_OK)
        return rc;
    if (Al->ndim == 2)
        return _ssmh_lay_shape_error(L, Al, "(nheads,): a 2-D A_log (d_inner, d_state) is Mamba (v1), "
                                            "whose state matrix is not one scalar per head");
    if (Al->ndim != 1 || Al->shape[0] < 1)
        return _ssmh_lay_shape_error(L, Al, "(nheads,)");
    H = Al->shape[0];
    if ((rc = _ssmh_lay_need(&db, L, "dt_bias", "(nheads,)")) != SSMH_OK)
        return rc;
    if (db->ndim != 1 || db->shape[0] != H)
        return _ssmh_lay_shape_error(L, db, "(%ld,) like A_log", (long)H);
    D = _ssmh_lay_find(L, "D");
    nw = _ssmh_lay_find(L, "norm.weight");
    cw = _ssmh_lay_find(L, "conv1d.weight");
    ip = _ssmh_lay_find(L, "in_proj.weight");
    op = _ssmh_lay_find(L, "out_proj.weight");
    module = nw || cw || ip || op;
    _ssmh_lay_find(L, "conv1d.bias");   /* part of the module, not of the slice's kernel */
    B = _ssmh_lay_find(L, "B");
    C = _ssmh_lay_find(L, "C");
    dt = _ssmh_lay_find(L, "dt");
    if (L->info)
        json_object_set_new(L->info, "form", json_string(module ? "mamba_ssm Mamba2" : "Mamba-2 frozen slice"));
    _ssmh_lay_size(L, "nheads", H);
    /* d_ssm = nheads x headdim, from every tensor that fixes it */
    if (nw && (rc = agree(&dssm, &from, vec_len(nw), "norm.weight", L)) != SSMH_OK)
        return rc;
    if (D != NULL) {
        dlen = vec_len(D);
        if (D->ndim == 2 && D->shape[0] == H && D->shape[1] > 1)
            dlen = H * D->shape[1];
        if (dlen < 1 || dlen % H != 0)
            return _ssmh_lay_shape_error(L, D, "(%ld,) (one per head) or (nheads x headdim,) (D_has_hdim)", (long)H);
        hdim_D = dlen != H;
        if (hdim_D && (rc = agree(&dssm, &from, dlen, "D (D_has_hdim)", L)) != SSMH_OK)
            return rc;
    }
    if (ip && ip->ndim == 2 && op && op->ndim == 2)   /* d_in_proj = 2 d_inner + 2 g n + nheads */
        GNm = (ip->shape[0] - 2 * op->shape[1] - H) / 2;
    if (B != NULL && C != NULL) {
        if (!slice_shape(&G, &GN, B))
            return _ssmh_lay_shape_error(L, B, "(ngroups x d_state,) as the xBC split gives it, or (ngroups, d_state)");
        if (!slice_shape(&gC, &tC, C) || gC != G || tC != GN)
            return _ssmh_lay_shape_error(L, C, "the shape of B");
        if (GNm > 0 && GN != GNm)
            return _ssmh_lay_shape_error(L, B, "ngroups x d_state = %ld elements, as in_proj.weight and "
                                               "out_proj.weight give it", (long)GNm);
    }
    if (GN == 0)
        GN = GNm;
    if (GN > 0)
        _ssmh_lay_size(L, "ngroups_x_d_state", GN);
    if (cw && cw->ndim >= 1 && GN > 0
        && (rc = agree(&dssm, &from, cw->shape[0] - 2 * GN, "conv1d.weight", L)) != SSMH_OK)
        return rc;
    if (dssm > 0 && dssm % H != 0)
        return ssmh_error_set(L->err, SSMH_E_SHAPE, L->file, "",
                              "%s gives d_ssm = %ld, not a multiple of nheads = %ld", from, (long)dssm, (long)H);
    if (dssm > 0 && (o->given & SSMH_OPT_HEADDIM) && o->headdim * H != dssm)
        return ssmh_error_set(L->err, SSMH_E_USAGE, L->file, "",
                              "--headdim %ld contradicts the checkpoint: %s gives nheads x headdim = %ld, "
                              "so headdim = %ld", (long)o->headdim, from, (long)dssm, (long)(dssm / H));
    P = dssm > 0 ? dssm / H : (o->given & SSMH_OPT_HEADDIM) ? o->headdim : 0;
    if (P > 0)
        _ssmh_lay_size(L, "headdim", P);
    if (P > 0)
        _ssmh_lay_size(L, "d_ssm", P * H);
    if (B == NULL || C == NULL)
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "",
                              "no frozen slice under '%s': Mamba-2 is selective (B, C and dt depend on the "
                              "input), so add one token's '%sB', '%sC' (ngroups x d_state, from the xBC "
                              "split) and '%sdt' (nheads, from in_proj) to the checkpoint",
                              L->prefix, L->prefix, L->prefix, L->prefix);
    if (G > 0) {
        if ((o->given & SSMH_OPT_NGROUPS) && o->ngroups != G)
            return ssmh_error_set(L->err, SSMH_E_USAGE, L->file, B->name,
                                  "--ngroups %ld contradicts B's shape (%ld groups)", (long)o->ngroups, (long)G);
    } else if (o->given & SSMH_OPT_NGROUPS) {
        G = o->ngroups;
        if (GN % G != 0)
            return _ssmh_lay_shape_error(L, B, "a length divisible by --ngroups %ld", (long)G);
    } else {
        char cand[200];
        size_t k = 0;
        slong count = 0;
        for (gi = 1; gi <= H; gi++)
            if (H % gi == 0 && GN % gi == 0) {
                k += (size_t)snprintf(cand + k, sizeof(cand) - FLINT_MIN(k, sizeof(cand)), "%s%ld",
                                      count ? ", " : "", (long)gi);
                if (k >= sizeof(cand))
                    k = sizeof(cand) - 1;
                count++;
            }
        if (count > 1)
            return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, B->name,
                                  "B is flat (%ld = ngroups x d_state, before Mamba's (g n) split), and "
                                  "ngroups is not fixed by the checkpoint: give --ngroups (%s fit; the "
                                  "Mamba2 default is 1), or store B and C as (ngroups, d_state)",
                                  (long)GN, cand);
        G = 1;
    }
    if (H % G != 0)
        return _ssmh_lay_shape_error(L, B, "ngroups dividing nheads = %ld (found %ld groups)", (long)H, (long)G);
    N = GN / G;
    _ssmh_lay_size(L, "ngroups", G);
    _ssmh_lay_size(L, "d_state", N);
    if (P == 0)
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "",
                              "headdim is not fixed by the checkpoint (no norm.weight, conv1d.weight or "
                              "D of length nheads x headdim under '%s'): give --headdim", L->prefix);
    if (hdim_D && D->ndim == 2 && D->shape[1] != P)
        return _ssmh_lay_shape_error(L, D, "(%ld, %ld)", (long)H, (long)P);
    if (dt != NULL && vec_len(dt) != H)
        return _ssmh_lay_shape_error(L, dt, "(nheads,) = (%ld,), the slice's raw step", (long)H);
    if (dt == NULL)
        _ssmh_lay_note(L, "no '%sdt': the slice's raw step is taken as 0 (Delta = softplus(dt_bias))", L->prefix);
    if (D == NULL)
        _ssmh_lay_note(L, "no D%s%s%s: Mamba2 normally has a D (skip term); the model has D = 0",
                       *L->prefix ? " under '" : "", L->prefix, *L->prefix ? "'" : "");
    if (H * P > (WORD(1) << 24))
        return ssmh_error_set(L->err, SSMH_E_LIMIT, L->file, "", "nheads x headdim = %ld is too large", (long)(H * P));
    if ((rc = _ssmh_lay_decode(L, Al, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, db, 0)) != SSMH_OK
        || (rc = _ssmh_lay_decode(L, B, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, C, 0)) != SSMH_OK
        || (dt && (rc = _ssmh_lay_decode(L, dt, 0)) != SSMH_OK) || (D && (rc = _ssmh_lay_decode(L, D, 0)) != SSMH_OK)
        || L->dry)
        return rc;

    M = H * P;
    mpfr_inits2(SSMH_WP, delta, a, x, cb, lo, hi, (mpfr_ptr)0);
    fmpq_init(dot);
    fmpq_init(t);
    if (o->dt_limit[0]) {
        char buf[128], *c;
        const char *why;
        snprintf(buf, sizeof(buf), "%s", o->dt_limit);
        c = strchr(buf, ',');
        *c = '\0';
        ssmh_rational_parse(t, buf, 1000, &why);
        _ssmh_q_to_mpfr(lo, t);
        if (strcmp(c + 1, "inf") == 0)
            mpfr_set_inf(hi, 1);
        else {
            ssmh_rational_parse(t, c + 1, 1000, &why);
            _ssmh_q_to_mpfr(hi, t);
        }
    }
    lam = json_array();
    Bm = _ssmh_sparse_json(M, M);
    Cm = _ssmh_sparse_json(M, M);
    Dm = _ssmh_sparse_json(M, M);
    for (h = 0; h < H; h++) {
        slong g = h / (H / G), n;
        fmpq_zero(dot);                              /* C_g . B_g, exactly */
        for (n = 0; n < N; n++) {
            fmpq_mul(t, C->data + g * N + n, B->data + g * N + n);
            fmpq_add(dot, dot, t);
        }
        fmpq_set(t, db->data + h);
        if (dt != NULL)
            fmpq_add(t, t, dt->data + h);
        _ssmh_q_to_mpfr(x, t);
        _ssmh_mpfr_guard(x, &bad);
        _ssmh_transform(delta, x, SSMH_TRANSFORM_SOFTPLUS);
        if (o->dt_limit[0]) {                        /* dt.clamp(dt_limit[0], dt_limit[1]) */
            if (mpfr_cmp(delta, lo) < 0)
                mpfr_set(delta, lo, MPFR_RNDN);
            if (mpfr_cmp(delta, hi) > 0)
                mpfr_set(delta, hi, MPFR_RNDN);
        }
        _ssmh_mpfr_guard(delta, &bad);
        _ssmh_q_to_mpfr(a, Al->data + h);
        mpfr_exp(a, a, MPFR_RNDN);
        _ssmh_mpfr_guard(a, &bad);
        mpfr_mul(a, a, delta, MPFR_RNDN);
        mpfr_neg(a, a, MPFR_RNDN);
        mpfr_exp(a, a, MPFR_RNDN);                   /* a_h = exp(-Delta exp(A_log)) */
        _ssmh_q_to_mpfr(cb, dot);
        mpfr_mul(cb, cb, delta, MPFR_RNDN);          /* c_h = Delta (C . B) */
        for (q = 0; q < P; q++) {
            slong s = h * P + q;
            const fmpq *dv = D == NULL ? NULL : hdim_D ? D->data + s : D->data + h;
            json_array_append_new(lam, _ssmh_mpfr_json(a, o->bits, &bad));
            _ssmh_sparse_json_add(Bm, s, s, json_string("1"));
            _ssmh_sparse_json_add(Cm, s, s, _ssmh_mpfr_json(cb, o->bits, &bad));
            if (dv != NULL && !fmpq_is_zero(dv))
                _ssmh_sparse_json_add(Dm, s, s, ssmh_json_rational(dv));
        }
    }
    mpfr_clears(delta, a, x, cb, lo, hi, (mpfr_ptr)0);
    fmpq_clear(dot);
    fmpq_clear(t);
    if (bad) {
        json_decref(lam);
        json_decref(Bm);
        json_decref(Cm);
        json_decref(Dm);
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, db->name,
                              "softplus(dt + dt_bias), exp(A_log) or the discretized model leaves the "
                              "range of the %ld-bit format (overflow or NaN)", (long)o->bits);
    }
    snprintf(ng, sizeof(ng), "%ld (%s)", (long)G,
             (o->given & SSMH_OPT_NGROUPS) ? "given" : "from the shape of B");
    snprintf(hd, sizeof(hd), "%ld (%s)", (long)P, dssm > 0 ? from : "given");
    _ssmh_opt_text(lim, sizeof(lim), o, SSMH_OPT_DT_LIMIT, "dt_limit", o->dt_limit[0] ? o->dt_limit : "(0, inf)");
    snprintf(src, sizeof(src),
             "imported by ssmheads from %s (layout mamba2: %s at prefix '%s', a frozen slice: %ld heads x "
             "headdim %s, ngroups %s, d_state %ld, D %s; %s; realization of the slice's lag operators, "
             "one state per head channel); softplus/exp by MPFR at %d bits, rounded to nearest at %ld bits",
             L->file, module ? "Mamba2" : "slice", L->prefix, (long)H, hd, ng, (long)N,
             D == NULL ? "none" : hdim_D ? "per head channel (D_has_hdim)" : "per head", lim, SSMH_WP,
             (long)o->bits);
    *out = _ssmh_model_object(src);
    json_object_set_new(*out, "A", json_pack("{s:o}", "diag", lam));
    json_object_set_new(*out, "B", Bm);
    json_object_set_new(*out, "C", Cm);
    json_object_set_new(*out, "D", Dm);
    return SSMH_OK;
}
