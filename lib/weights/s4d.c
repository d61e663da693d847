/*
 * The s4d layout: a layer of H channels, each a diagonal SSM with N2
 * complex modes (S4D parameterization), discretized by ZOH or bilinear.
 * Guarantee: every transcendental number (exp, cos, sin) and every
 * discretization formula is evaluated with MPFR at 256 bits and rounded to
 * nearest at `bits` (53 = binary64 by default): the same rationals on every
 * machine.  The model is complex-diagonal and channel-sparse, never dense.
 *
 * Tensors (after the prefix): log_A_real (H x N2), A_imag (H x N2),
 * C (H x N2 x 2: real and imaginary parts), log_dt (H), optional D (H).
 * A = -exp(log_A_real) + i A_imag, dt = exp(log_dt); the channel h computes
 * y = 2 Re(sum_n Cbar_n Abar_n^l) x + D_h x, with
 *   ZOH:      Abar = exp(dt A),               Cbar = C (exp(dt A) - 1) / A
 *   bilinear: Abar = (1 + dt A/2)/(1 - dt A/2), Cbar = C dt / (1 - dt A/2).
 */
#include "weights-impl.h"
#include <mpfr.h>
#include <string.h>

#define WP 256

void _ssmh_mpfr_to_q(fmpq_t out, const mpfr_t x, slong bits)
{
    mpfr_t r;
    mpz_t m;
    fmpz_t z;
    mpfr_exp_t e;
    mpfr_init2(r, bits);
    mpfr_set(r, x, MPFR_RNDN);
    mpz_init(m);
    fmpz_init(z);
    if (mpfr_zero_p(r)) {
        fmpq_zero(out);
    } else {
        e = mpfr_get_z_2exp(m, r);
        fmpz_set_mpz(z, m);
        fmpz_set(fmpq_numref(out), z);
        fmpz_one(fmpq_denref(out));
        if (e >= 0)
            fmpq_mul_2exp(out, out, (ulong)e);
        else
            fmpq_div_2exp(out, out, (ulong)(-e));
    }
    mpz_clear(m);
    fmpz_clear(z);
    mpfr_clear(r);
}

void _ssmh_q_to_mpfr(mpfr_t x, const fmpq_t q)
{
    mpq_t t;
    mpq_init(t);
    fmpq_get_mpq(t, q);
    mpfr_set_q(x, t, MPFR_RNDN);
    mpq_clear(t);
}

/* (xr + i xi) / (yr + i yi) */
static void cdiv(mpfr_t qr, mpfr_t qi, const mpfr_t xr, const mpfr_t xi, const mpfr_t yr, const mpfr_t yi)
{
    mpfr_t d, t, u;
    mpfr_inits2(WP, d, t, u, (mpfr_ptr)0);
    mpfr_sqr(d, yr, MPFR_RNDN);
    mpfr_sqr(t, yi, MPFR_RNDN);
    mpfr_add(d, d, t, MPFR_RNDN);
    mpfr_mul(t, xr, yr, MPFR_RNDN);
    mpfr_mul(u, xi, yi, MPFR_RNDN);
    mpfr_add(t, t, u, MPFR_RNDN);          /* xr yr + xi yi */
    mpfr_mul(u, xi, yr, MPFR_RNDN);
    mpfr_mul(qi, xr, yi, MPFR_RNDN);
    mpfr_sub(qi, u, qi, MPFR_RNDN);        /* xi yr - xr yi */
    mpfr_div(qi, qi, d, MPFR_RNDN);
    mpfr_div(qr, t, d, MPFR_RNDN);
    mpfr_clears(d, t, u, (mpfr_ptr)0);
}

static int s4d_json(json_t **out, const ssmh_weights_t w, const char *prefix, int bilinear,
                    slong bits, const char *file, ssmh_error_t *err)
{
    const ssmh_tensor_struct *lar, *aim, *C, *ldt, *D;
    slong H, N2, h, n, M;
    json_t *o, *re, *im, *Bre, *Bim, *Cre, *Cim, *Dm, *row;
    mpfr_t ar, ai, dt, er, ei, t, u, cr, ci, nr, ni, pr, pi;
    fmpq_t q;
    char src[700];
    static const char *need_names[] = {"log_A_real", "A_imag", "C", "log_dt"};
    const ssmh_tensor_struct *got[4];
    int i;

    for (i = 0; i < 4; i++) {
        got[i] = ssmh_weights_get(w, prefix, need_names[i]);
        if (got[i] == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, need_names[i], "no tensor named %s%s",
                                  prefix ? prefix : "", need_names[i]);
    }
    lar = got[0];
    aim = got[1];
    C = got[2];
    ldt = got[3];
    D = ssmh_weights_get(w, prefix, "D");
    if (lar->ndim != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, lar->name, "log_A_real must be H x N/2");
    H = lar->shape[0];
    N2 = lar->shape[1];
    if (aim->ndim != 2 || aim->shape[0] != H || aim->shape[1] != N2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, aim->name, "A_imag must be %ld x %ld", (long)H, (long)N2);
    if (C->ndim != 3 || C->shape[0] != H || C->shape[1] != N2 || C->shape[2] != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, C->name, "C must be %ld x %ld x 2 (real, imaginary)",
                              (long)H, (long)N2);
    if (ldt->ndim != 1 || ldt->shape[0] != H)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, ldt->name, "log_dt must have length %ld", (long)H);
    if (D != NULL && (D->ndim != 1 || D->shape[0] != H))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, D->name, "D must have length %ld", (long)H);
    M = H * N2;
    mpfr_inits2(WP, ar, ai, dt, er, ei, t, u, cr, ci, nr, ni, pr, pi, (mpfr_ptr)0);
    fmpq_init(q);
    re = json_array();
    im = json_array();
    Bre = json_array();
    Bim = json_array();
    Cre = json_array();
    Cim = json_array();
    for (h = 0; h < H; h++) {
        json_array_append_new(Cre, json_array());
        json_array_append_new(Cim, json_array());
    }
    for (h = 0; h < H; h++) {
        _ssmh_q_to_mpfr(dt, ldt->data + h);
        mpfr_exp(dt, dt, MPFR_RNDN);
        for (n = 0; n < N2; n++) {
            slong s = h * N2 + n, j;
            _ssmh_q_to_mpfr(ar, lar->data + s);
            mpfr_exp(ar, ar, MPFR_RNDN);
            mpfr_neg(ar, ar, MPFR_RNDN);                      /* A = ar + i ai */
            _ssmh_q_to_mpfr(ai, aim->data + s);
            if (!bilinear) {
                mpfr_mul(t, dt, ar, MPFR_RNDN);
                mpfr_exp(t, t, MPFR_RNDN);                    /* |exp(dt A)| */
                mpfr_mul(u, dt, ai, MPFR_RNDN);
                mpfr_sin_cos(ei, er, u, MPFR_RNDN);
                mpfr_mul(er, er, t, MPFR_RNDN);
                mpfr_mul(ei, ei, t, MPFR_RNDN);               /* Abar = er + i ei */
                mpfr_sub_ui(nr, er, 1, MPFR_RNDN);
                mpfr_set(ni, ei, MPFR_RNDN);
                cdiv(pr, pi, nr, ni, ar, ai);                 /* (Abar - 1) / A */
            } else {
                mpfr_mul(nr, dt, ar, MPFR_RNDN);
                mpfr_div_2ui(nr, nr, 1, MPFR_RNDN);
                mpfr_mul(ni, dt, ai, MPFR_RNDN);
                mpfr_div_2ui(ni, ni, 1, MPFR_RNDN);           /* dt A / 2 */
                mpfr_ui_sub(t, 1, nr, MPFR_RNDN);
                mpfr_neg(u, ni, MPFR_RNDN);                   /* 1 - dt A/2 */
                mpfr_add_ui(cr, nr, 1, MPFR_RNDN);
                cdiv(er, ei, cr, ni, t, u);                   /* Abar */
                mpfr_set_ui(cr, 0, MPFR_RNDN);
                cdiv(pr, pi, dt, cr, t, u);                   /* dt / (1 - dt A/2) */
            }
            /* Cbar = C * (pr + i pi) */
            _ssmh_q_to_mpfr(cr, C->data + 2 * s);
            _ssmh_q_to_mpfr(ci, C->data + 2 * s + 1);
            mpfr_mul(nr, cr, pr, MPFR_RNDN);
            mpfr_mul(t, ci, pi, MPFR_RNDN);
            mpfr_sub(nr, nr, t, MPFR_RNDN);
            mpfr_mul(ni, cr, pi, MPFR_RNDN);
            mpfr_mul(t, ci, pr, MPFR_RNDN);
            mpfr_add(ni, ni, t, MPFR_RNDN);
            _ssmh_mpfr_to_q(q, er, bits);
            json_array_append_new(re, ssmh_json_rational(q));
            _ssmh_mpfr_to_q(q, ei, bits);
            json_array_append_new(im, ssmh_json_rational(q));
            row = json_array();
            for (j = 0; j < H; j++)
                json_array_append_new(row, json_string(j == h ? "1" : "0"));
            json_array_append_new(Bre, row);
            row = json_array();
            for (j = 0; j < H; j++)
                json_array_append_new(row, json_string("0"));
            json_array_append_new(Bim, row);
            for (j = 0; j < H; j++) {
                if (j == h) {
                    _ssmh_mpfr_to_q(q, nr, bits);
                    json_array_append_new(json_array_get(Cre, (size_t)j), ssmh_json_rational(q));
                    _ssmh_mpfr_to_q(q, ni, bits);
                    json_array_append_new(json_array_get(Cim, (size_t)j), ssmh_json_rational(q));
                } else {
                    json_array_append_new(json_array_get(Cre, (size_t)j), json_string("0"));
                    json_array_append_new(json_array_get(Cim, (size_t)j), json_string("0"));
                }
            }
        }
    }
    mpfr_clears(ar, ai, dt, er, ei, t, u, cr, ci, nr, ni, pr, pi, (mpfr_ptr)0);
    o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    snprintf(src, sizeof(src),
             "imported by ssmheads from %s (layout s4d, %s, %ld channels x %ld complex modes); "
             "exp/sin/cos and the discretization by MPFR at %d bits, rounded to nearest at %ld bits",
             file, bilinear ? "bilinear" : "ZOH", (long)H, (long)N2, WP, (long)bits);
    json_object_set_new(o, "source", json_string(src));
    {
        json_t *cd = json_object(), *a = json_object(), *b = json_object(), *c = json_object();
        json_object_set_new(cd, "re", re);
        json_object_set_new(cd, "im", im);
        json_object_set_new(a, "complex_diag", cd);
        json_object_set_new(o, "A", a);
        json_object_set_new(b, "re", Bre);
        json_object_set_new(b, "im", Bim);
        json_object_set_new(o, "B", b);
        json_object_set_new(c, "re", Cre);
        json_object_set_new(c, "im", Cim);
        json_object_set_new(o, "C", c);
    }
    json_object_set_new(o, "output", json_string("2re"));
    Dm = json_array();
    for (h = 0; h < H; h++) {
        slong j;
        row = json_array();
        for (j = 0; j < H; j++)
            json_array_append_new(row, j == h && D ? ssmh_json_rational(D->data + h) : json_string("0"));
        json_array_append_new(Dm, row);
    }
    json_object_set_new(o, "D", Dm);
    fmpq_clear(q);
    (void)M;
    *out = o;
    return SSMH_OK;
}

int ssmh_import_s4d(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, int bilinear,
                    slong bits, const char *file, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *o = NULL;
    int rc;
    if (bits < 2 || bits > 4096)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "precision must be 2 .. 4096 bits");
    if ((rc = s4d_json(&o, w, prefix, bilinear, bits, file, err)) != SSMH_OK)
        return rc;
    rc = ssmh_model_from_json(m, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}
