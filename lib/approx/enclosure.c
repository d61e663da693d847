/*
 * enclosure.c -- the least head count within eps for long lengths, from
 * fixed-point lags with a certified error (doc/approx.md, "Enclosure
 * certificates").
 *
 * Guarantee: _ssmh_approx_enclosure returns SSMH_OK only after it checked,
 * in exact arithmetic and exactly as the checkers do: the envelope
 * (gamma < 1, proven by lib/gradient), e^2 >= E2, u^2 >= tr Gt, the upper
 * witness (error2_upper = rt + e (2 v + e) <= tau_lo) and the lower one
 * (M - L D L^T = R with (rho - delta)^2 >= ||R||_F^2, D >= 0, t >= rho >=
 * delta, error2_lower_prev > tau_hi).  Hence E(H)^2 <= tau < E(H-1)^2.
 * Doubles (Householder/QL eigenvectors, LDL^T) only propose.  SSMH_E_UNDECIDED
 * when the method does not apply (no envelope with gamma < 1, support too
 * large) or its witnesses do not separate eps^2 from a boundary.
 */
#include "approx-impl.h"
#include <math.h>
#include <ssmheads/gradient.h>
#ifdef SSMH_FLINT3
#include <flint/arb.h>
#else
#include <arb.h>
#endif

#define ENCL_VEC_BITS 52       /* eigenvector entries on the 2^-52 grid */
#define ENCL_MAX_SUPPORT 2048  /* eigen-decomposition and LDL^T are cubic in it */
#define ENCL_TRIES 3

/* The rounded problem: Gt = G / g2 on the support. */
typedef struct {
    slong S, *sup;
    fmpz_mat_t G;
    fmpz_t g2;
    fmpq_t tr;          /* tr Gt */
    double *Gd;         /* Gt 2^-sigma, S x S */
    slong sigma;
} rounded_t;

static void rounded_clear(rounded_t *R)
{
    flint_free(R->sup);
    fmpz_mat_clear(R->G);
    fmpz_clear(R->g2);
    fmpq_clear(R->tr);
    flint_free(R->Gd);
}

/* round(x / q) = floor((2 x + q) / (2 q)) for q > 0, entrywise in place. */
static void round_div(fmpz_mat_t X, const fmpz_t q)
{
    slong i, j;
    fmpz_t q2;
    fmpz_init(q2);
    fmpz_mul_2exp(q2, q, 1);
    for (i = 0; i < fmpz_mat_nrows(X); i++)
        for (j = 0; j < fmpz_mat_ncols(X); j++) {
            fmpz *x = fmpz_mat_entry(X, i, j);
            fmpz_mul_2exp(x, x, 1);
            fmpz_add(x, x, q);
            fmpz_fdiv_q(x, x, q2);
        }
    fmpz_clear(q2);
}

/* Column l of F (p d x n) = vec(Kint) scaled, plus Dn sd when add_D. */
static void put_lag(fmpz_mat_t F, slong l, const fmpz_mat_t K, const fmpz_t sc, int add_D,
                    const fmpz_mat_t Dn, const fmpz_t sd)
{
    slong i, j, d = fmpz_mat_ncols(Dn);
    for (i = 0; i < fmpz_mat_nrows(Dn); i++)
        for (j = 0; j < d; j++) {
            fmpz *f = fmpz_mat_entry(F, i * d + j, l);
            if (K != NULL)
                fmpz_mul(f, fmpz_mat_entry(K, i, j), sc);
            else
                fmpz_zero(f);
            if (add_D)
                fmpz_addmul(f, fmpz_mat_entry(Dn, i, j), sd);
        }
}

/* The rounded lags Kt_l (doc/approx.md) as integers over g, their support
   and Gt = G / g^2 on it. */
static void rounded_gram(rounded_t *R, const ssmh_model_t rm, slong n, slong s)
{
    slong N = rm->N, p = rm->p, d = rm->d, pd = rm->p * rm->d, l, i, j, c, J;
    int direct = rm->convention != SSMH_CONVENTION_DELAYED;
    fmpz_mat_t An, Bn, Cn, Dn, Z, T, K, F, Fs, FsW, Fst;
    fmpz_t aden, bden, cden, dden, g, sc, sd, t;
    slong *cols;
    fmpz_mat_init(An, N, N);
    fmpz_mat_init(Bn, N, d);
    fmpz_mat_init(Cn, p, N);
    fmpz_mat_init(Dn, p, d);
    fmpz_mat_init(Z, N, d);
    fmpz_mat_init(T, N, d);
    fmpz_mat_init(K, p, d);
    fmpz_mat_init(F, pd, n);
    fmpz_init(aden); fmpz_init(bden); fmpz_init(cden); fmpz_init(dden);
    fmpz_init(g); fmpz_init(sc); fmpz_init(sd); fmpz_init(t);
    fmpq_mat_get_fmpz_mat_matwise(An, aden, rm->A);
    ssmh_spmat_get_fmpz_mat_matwise(Bn, bden, rm->B);
    ssmh_spmat_get_fmpz_mat_matwise(Cn, cden, rm->C);
    fmpq_mat_get_fmpz_mat_matwise(Dn, dden, rm->D);
    fmpz_mul_2exp(t, cden, s);
    fmpz_lcm(g, t, dden);
    fmpz_divexact(sc, g, t);
    fmpz_divexact(sd, g, dden);
    /* Z_0 = round(2^s B) */
    fmpz_mat_scalar_mul_2exp(Z, Bn, s);
    round_div(Z, bden);
    J = direct ? n : n - 1;
    if (!direct)
        put_lag(F, 0, NULL, sc, 1, Dn, sd);
    for (j = 0; j < J; j++) {
        l = direct ? j : j + 1;
        fmpz_mat_mul(K, Cn, Z);
        put_lag(F, l, K, sc, direct && l == 0, Dn, sd);
        if (j + 1 == J)
            break;
        fmpz_mat_mul(T, An, Z);
        round_div(T, aden);
        fmpz_mat_swap(Z, T);
        if (fmpz_mat_is_zero(Z))   /* every later Xt_j is 0 too: F stays 0 */
            break;
    }
    /* support: rows of F that are nonzero; nonzero columns */
    R->sup = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(pd, 1));
    cols = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(n, 1));
    R->S = 0;
    for (i = 0; i < pd; i++) {
        for (l = 0; l < n && fmpz_is_zero(fmpz_mat_entry(F, i, l)); l++)
            ;
        if (l < n)
            R->sup[R->S++] = i;
    }
    c = 0;
    for (l = 0; l < n; l++) {
        for (i = 0; i < pd && fmpz_is_zero(fmpz_mat_entry(F, i, l)); i++)
            ;
        if (i < pd)
            cols[c++] = l;
    }
    fmpz_mat_init(Fs, R->S, c);
    fmpz_mat_init(FsW, R->S, c);
    fmpz_mat_init(Fst, c, R->S);
    for (i = 0; i < R->S; i++)
        for (j = 0; j < c; j++) {
            fmpz_set(fmpz_mat_entry(Fs, i, j), fmpz_mat_entry(F, R->sup[i], cols[j]));
            fmpz_set(fmpz_mat_entry(Fst, j, i), fmpz_mat_entry(Fs, i, j));
            fmpz_mul_si(fmpz_mat_entry(FsW, i, j), fmpz_mat_entry(Fs, i, j), n - cols[j]);
        }
    fmpz_mat_init(R->G, R->S, R->S);
    if (R->S > 0 && c > 0)
        fmpz_mat_mul(R->G, FsW, Fst);
    fmpz_init(R->g2);
    fmpz_mul(R->g2, g, g);
    fmpq_init(R->tr);
    fmpz_mat_trace(t, R->G);
    fmpq_set_fmpz_frac(R->tr, t, R->g2);
    /* doubles, scaled by 2^-sigma so that the largest diagonal entry is ~1 */
    R->Gd = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(R->S * R->S, 1));
    {
        slong eg, e, emax = WORD_MIN;
        double mg = fmpz_get_d_2exp(&eg, R->g2);
        for (i = 0; i < R->S; i++)
            if (!fmpz_is_zero(fmpz_mat_entry(R->G, i, i))) {
                fmpz_get_d_2exp(&e, fmpz_mat_entry(R->G, i, i));
                emax = FLINT_MAX(emax, e);
            }
        R->sigma = emax == WORD_MIN ? 0 : emax - eg;
        for (i = 0; i < R->S * R->S; i++) {
            double m = fmpz_get_d_2exp(&e, R->G->entries + i);
            R->Gd[i] = m == 0.0 ? 0.0 : ldexp(m / mg, (int)FLINT_MAX(e - eg - R->sigma, -2000));
        }
    }
    flint_free(cols);
    fmpz_mat_clear(An); fmpz_mat_clear(Bn); fmpz_mat_clear(Cn); fmpz_mat_clear(Dn);
    fmpz_mat_clear(Z); fmpz_mat_clear(T); fmpz_mat_clear(K); fmpz_mat_clear(F);
    fmpz_mat_clear(Fs); fmpz_mat_clear(FsW); fmpz_mat_clear(Fst);
    fmpz_clear(aden); fmpz_clear(bden); fmpz_clear(cden); fmpz_clear(dden);
    fmpz_clear(g); fmpz_clear(sc); fmpz_clear(sd); fmpz_clear(t);
}

void _ssmh_sqrt_up(fmpq_t y, const fmpq_t x_in)
{
    arb_t a;
    arf_t b;
    fmpq_t y2, x;
    slong prec = 64;
    arb_init(a);
    arf_init(b);
    fmpq_init(y2);
    fmpq_init(x);
    fmpq_set(x, x_in);
    do {   /* the upper bound of Arb's ball; squared back as a check */
        arb_set_fmpq(a, x, prec);
        arb_sqrt(a, a, prec);
        arb_get_ubound_arf(b, a, prec);
        arf_get_fmpq(y, b);
        fmpq_mul(y2, y, y);
        prec *= 2;
    } while (fmpq_cmp(y2, x) < 0 && prec < 100000);
    arb_clear(a);
    arf_clear(b);
    fmpq_clear(y2);
    fmpq_clear(x);
}

/* E2 = n (n+1)/2 d beta_C Lambda N 4^(-s-1) / (1 - gamma)^2. */
static void error_bound(fmpq_t E2, const ssmh_envelope_t env, slong N, slong d, slong n, slong s)
{
    fmpq_t lam, x, row;
    slong i, j;
    fmpq_init(lam);
    fmpq_init(x);
    fmpq_init(row);
    if (env->identity_P) {
        fmpq_one(lam);
    } else {
        for (i = 0; i < N; i++) {
            fmpq_zero(row);
            for (j = 0; j < N; j++) {
                fmpq_abs(x, fmpq_mat_entry(env->P, i, j));
                fmpq_add(row, row, x);
            }
            if (fmpq_cmp(row, lam) > 0)
                fmpq_set(lam, row);
        }
    }
    fmpz_set_si(fmpq_numref(E2), n);
    fmpz_mul_si(fmpq_numref(E2), fmpq_numref(E2), n + 1);
    fmpz_mul_si(fmpq_numref(E2), fmpq_numref(E2), d);
    fmpz_mul_si(fmpq_numref(E2), fmpq_numref(E2), N);
    fmpz_one(fmpq_denref(E2));
    fmpz_mul_2exp(fmpq_denref(E2), fmpq_denref(E2), (ulong)(2 * s + 3));
    fmpq_canonicalise(E2);
    fmpq_mul(E2, E2, env->beta_C);
    fmpq_mul(E2, E2, lam);
    fmpq_one(x);
    fmpq_sub(x, x, env->gamma);
    fmpq_mul(x, x, x);
    fmpq_div(E2, E2, x);
    fmpq_clear(lam);
    fmpq_clear(x);
    fmpq_clear(row);
}

/* fmpq = z 2^k (k of either sign). */
static void set_dyadic(fmpq_t out, const fmpz_t z, slong k)
{
    fmpq_set_fmpz(out, z);
    if (k >= 0)
        fmpq_mul_2exp(out, out, (ulong)k);
    else
        fmpq_div_2exp(out, out, (ulong)(-k));
}

/* x = z 2^k with z an integer of <= 53 bits; 0 when x is not finite. */
static int split_double(fmpz_t z, slong *k, double x)
{
    int e = 0;
    double f = isfinite(x) ? frexp(x, &e) : x;
    *k = (slong)e - 53;
    return _ssmh_fmpz_set_d(z, ldexp(f, 53));
}

/* The fixed-point bits s >= 64 for which E2 is about 2^-110 of tr G,
   with tr G estimated in doubles from its first lags (a guess: the loop in
   the caller re-checks against the exact tr Gt). */
static slong initial_bits(const ssmh_envelope_t env, const ssmh_model_t rm, slong n)
{
    slong N = rm->N, d = rm->d, p = rm->p, i, j, k, l, L = FLINT_MIN(n, 8);
    double *X = flint_calloc((size_t)FLINT_MAX(N * d, 1), sizeof(double));
    double *Y = flint_calloc((size_t)FLINT_MAX(N * d, 1), sizeof(double));
    double *Ad = flint_calloc((size_t)FLINT_MAX(N * N, 1), sizeof(double));
    double *Cd = flint_calloc((size_t)FLINT_MAX(p * N, 1), sizeof(double));
    double tr = 0.0, e2;
    fmpq_t E2;
    slong s;
    for (i = 0; i < N; i++)   /* (the zeros from calloc) */
        for (k = rm->B->rowptr[i]; k < rm->B->rowptr[i + 1]; k++)
            X[i * d + rm->B->col[k]] = fmpq_get_d(rm->B->val + k);
    for (i = 0; i < N * N; i++)
        Ad[i] = fmpq_get_d(fmpq_mat_entry(rm->A, i / N, i % N));
    for (i = 0; i < p; i++)
        for (k = rm->C->rowptr[i]; k < rm->C->rowptr[i + 1]; k++)
            Cd[i * N + rm->C->col[k]] = fmpq_get_d(rm->C->val + k);
    for (l = 0; l < L; l++) {
        double f = 0.0;
        for (i = 0; i < p; i++)
            for (j = 0; j < d; j++) {
                double c = 0.0;
                for (k = 0; k < N; k++)
                    c += Cd[i * N + k] * X[k * d + j];
                f += c * c;
            }
        tr += (double)(n - l) * f;
        for (i = 0; i < N; i++)
            for (j = 0; j < d; j++) {
                double c = 0.0;
                for (k = 0; k < N; k++)
                    c += Ad[i * N + k] * X[k * d + j];
                Y[i * d + j] = c;
            }
        memcpy(X, Y, sizeof(double) * (size_t)(N * d));
    }
    fmpq_init(E2);
    error_bound(E2, env, N, d, n, 0);
    e2 = fmpq_get_d(E2);
    s = 64;
    if (tr > 0 && isfinite(tr) && e2 > 0 && isfinite(e2))
        s = FLINT_MAX(64, (slong)ceil((log2(e2) - log2(tr) + 110.0) / 2.0));
    fmpq_clear(E2);
    flint_free(X);
    flint_free(Y);
    flint_free(Ad);
    flint_free(Cd);
    return FLINT_MIN(s, 2048);
}

/* Columns 0 .. h-1 of the eigenvectors Q (S x S, doubles) on the
   2^-ENCL_VEC_BITS grid: integer numerators Xz (S x h).  0 (and zero
   columns) when a floating-point entry is not finite. */
static int round_vectors(fmpz_mat_t Xz, const double *Q, slong S, slong h)
{
    slong i, j;
    int ok = 1;
    fmpz_mat_clear(Xz);
    fmpz_mat_init(Xz, S, h);
    for (i = 0; i < S; i++)
        for (j = 0; j < h; j++)
            ok &= _ssmh_fmpz_set_d(fmpz_mat_entry(Xz, i, j), nearbyint(ldexp(Q[i * S + j], ENCL_VEC_BITS)));
    return ok;
}

static void vectors_to_fmpq(fmpq_mat_t X, const fmpz_mat_t Xz)
{
    slong i, j;
    fmpq_mat_clear(X);
    fmpq_mat_init(X, fmpz_mat_nrows(Xz), fmpz_mat_ncols(Xz));
    for (i = 0; i < fmpz_mat_nrows(Xz); i++)
        for (j = 0; j < fmpz_mat_ncols(Xz); j++)
            set_dyadic(fmpq_mat_entry(X, i, j), fmpz_mat_entry(Xz, i, j), -ENCL_VEC_BITS);
}

/* rt = tr Gt - tr((V^T V)^{-1} V^T Gt V) for V = Vz 2^-b (the scale
   cancels).  Returns 0 when V^T V is singular. */
static int basis_residual(fmpq_t rt, const rounded_t *R, const fmpz_mat_t Vz)
{
    slong h = fmpz_mat_ncols(Vz), i;
    fmpz_mat_t Vt, VtV, GV, VtGV;
    fmpq_mat_t X;
    fmpq_t tr;
    int ok;
    fmpq_set(rt, R->tr);
    if (h == 0)
        return 1;
    fmpz_mat_init(Vt, h, R->S);
    fmpz_mat_init(VtV, h, h);
    fmpz_mat_init(GV, R->S, h);
    fmpz_mat_init(VtGV, h, h);
    fmpq_mat_init(X, h, h);
    fmpq_init(tr);
    fmpz_mat_transpose(Vt, Vz);
    fmpz_mat_mul(VtV, Vt, Vz);
    fmpz_mat_mul(GV, R->G, Vz);
    fmpz_mat_mul(VtGV, Vt, GV);
    ok = fmpq_mat_solve_fmpz_mat(X, VtV, VtGV);
    if (ok) {
        for (i = 0; i < h; i++)
            fmpq_add(tr, tr, fmpq_mat_entry(X, i, i));
        fmpq_div_fmpz(tr, tr, R->g2);
        fmpq_sub(rt, rt, tr);
    }
    fmpz_mat_clear(Vt);
    fmpz_mat_clear(VtV);
    fmpz_mat_clear(GV);
    fmpz_mat_clear(VtGV);
    fmpq_mat_clear(X);
    fmpq_clear(tr);
    return ok;
}

/* out = Xz diag(yz) Xz^T (integers). */
static void weighted_outer(fmpz_mat_t out, const fmpz_mat_t Xz, const fmpz *yz)
{
    slong S = fmpz_mat_nrows(Xz), r = fmpz_mat_ncols(Xz), i, j;
    fmpz_mat_t XY, Xt;
    fmpz_mat_init(XY, S, r);
    fmpz_mat_init(Xt, r, S);
    for (i = 0; i < S; i++)
        for (j = 0; j < r; j++)
            fmpz_mul(fmpz_mat_entry(XY, i, j), fmpz_mat_entry(Xz, i, j), yz + j);
    fmpz_mat_transpose(Xt, Xz);
    fmpz_mat_zero(out);
    if (r > 0 && S > 0)
        fmpz_mat_mul(out, XY, Xt);
    fmpz_mat_clear(XY);
    fmpz_mat_clear(Xt);
}

/* One attempt at the lower witness (doubles in units of 2^sigma): noise_d
   bounds what floating point does to M (rounded vectors, eigenvector and
   LDL^T errors), rho_d >= delta + ||R||_F is hoped for.  Z = sum y_i x_i
   x_i^T over r >= m top vectors (past gaps too small for the noise), t in
   the gap below lambda_r, y_i = (lambda_i - t + noise) / ||x_i||^2, L D L^T
   of M = Z - Gt + (t - rho) I in doubles, then the exact residual.  Fills
   a's lower witness and returns 1 when every check holds and the bound
   exceeds tau_hi. */
static int lower_try(ssmh_approx_t a, const rounded_t *R, const double *w, const double *Q,
                     const fmpq_t delta, const fmpq_t tau_hi, slong m, double rho_d,
                     double noise_d)
{
    slong S = R->S, r = m, i, j, q, kt, kr, E, sig = R->sigma;
    double t_d, eta_d = noise_d, *Md, *Ld, *Dd;
    int vec_ok;
    fmpz_mat_t Xz, XYX, LDL, Lz, LDz, Lt, Rz;
    fmpz *yz, *Dz;
    fmpz_t tz, rz, x, c;
    fmpq_t t, rho, low, f, nrm;
    int ok = 0;

    while (r < S && w[r - 1] - w[r] < 4.0 * (rho_d + noise_d))
        r++;
    t_d = r < S ? 0.5 * (w[r - 1] + FLINT_MAX(w[r], 0.0)) : 0.5 * w[r - 1];
    if (!(t_d >= 2.0 * rho_d))
        t_d = 2.0 * rho_d;
    fmpz_mat_init(Xz, 0, 0);
    vec_ok = round_vectors(Xz, Q, S, r);
    yz = _fmpz_vec_init(r);
    Dz = _fmpz_vec_init(FLINT_MAX(S, 1));
    Md = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(S * S, 1));
    Ld = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(S * S, 1));
    Dd = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(S, 1));
    fmpz_init(tz); fmpz_init(rz); fmpz_init(x); fmpz_init(c);
    fmpq_init(t); fmpq_init(rho); fmpq_init(low); fmpq_init(f); fmpq_init(nrm);
    fmpz_mat_init(XYX, S, S);
    fmpz_mat_init(LDL, S, S);
    fmpz_mat_init(Lz, S, S);
    fmpz_mat_init(LDz, S, S);
    fmpz_mat_init(Lt, S, S);
    fmpz_mat_init(Rz, S, S);
    if (!vec_ok)
        goto done;

    /* y_i on the 2^(sigma-64) grid; M in doubles from the rounded data;
       every double checked finite before it becomes an integer */
    for (q = 0; q < r; q++) {
        double nx = 0.0, yd;
        for (i = 0; i < S; i++) {
            double v = ldexp(fmpz_get_d(fmpz_mat_entry(Xz, i, q)), -ENCL_VEC_BITS);
            nx += v * v;
        }
        yd = (w[q] - t_d + eta_d) / nx;
        if (!_ssmh_fmpz_set_d(yz + q, nearbyint(ldexp(FLINT_MAX(yd, 0.0), 64))))
            goto done;
    }
    for (i = 0; i < S; i++)
        for (j = 0; j <= i; j++) {
            double s = -R->Gd[i * S + j];
            for (q = 0; q < r; q++)
                s += ldexp(fmpz_get_d(yz + q), -64)
                     * ldexp(fmpz_get_d(fmpz_mat_entry(Xz, i, q)), -ENCL_VEC_BITS)
                     * ldexp(fmpz_get_d(fmpz_mat_entry(Xz, j, q)), -ENCL_VEC_BITS);
            if (i == j)
                s += t_d - rho_d;
            Md[i * S + j] = Md[j * S + i] = s;
        }
    if (!_ssmh_ldlt_d(Ld, Dd, Md, S))
        goto done;
    for (i = 0; i < S; i++) {
        if (!_ssmh_fmpz_set_d(Dz + i, nearbyint(ldexp(Dd[i], 64))))
            goto done;
        for (j = 0; j < i; j++)
            if (!_ssmh_fmpz_set_d(fmpz_mat_entry(Lz, i, j), nearbyint(ldexp(Ld[i * S + j], 64))))
                goto done;
        fmpz_one(fmpz_mat_entry(Lz, i, i));
        fmpz_mul_2exp(fmpz_mat_entry(Lz, i, i), fmpz_mat_entry(Lz, i, i), 64);
    }
    if (!split_double(tz, &kt, t_d) || !split_double(rz, &kr, rho_d))
        goto done;
    kt += sig;
    kr += sig;
    set_dyadic(t, tz, kt);
    set_dyadic(rho, rz, kr);
    if (fmpq_cmp(rho, delta) < 0 || fmpq_cmp(t, rho) < 0)
        goto done;

    /* R g2 2^E = g2 XYX 2^(sig-64-2b+E) - G 2^E + g2 (t - rho) 2^E I
                  - g2 LDL 2^(sig-64-128+E), every power >= 0 */
    E = 0;
    E = FLINT_MAX(E, -(sig - 64 - 2 * ENCL_VEC_BITS));
    E = FLINT_MAX(E, -(sig - 64 - 128));
    E = FLINT_MAX(E, -kt);
    E = FLINT_MAX(E, -kr);
    weighted_outer(XYX, Xz, yz);
    for (i = 0; i < S; i++)
        for (j = 0; j < S; j++)
            fmpz_mul(fmpz_mat_entry(LDz, i, j), fmpz_mat_entry(Lz, i, j), Dz + j);
    fmpz_mat_transpose(Lt, Lz);
    fmpz_mat_mul(LDL, LDz, Lt);
    for (i = 0; i < S; i++)
        for (j = 0; j < S; j++) {
            fmpz *out = fmpz_mat_entry(Rz, i, j);
            fmpz_mul_2exp(out, fmpz_mat_entry(XYX, i, j), (ulong)(sig - 64 - 2 * ENCL_VEC_BITS + E));
            fmpz_mul_2exp(x, fmpz_mat_entry(LDL, i, j), (ulong)(sig - 64 - 128 + E));
            fmpz_sub(out, out, x);
            if (i == j) {
                fmpz_mul_2exp(x, tz, (ulong)(kt + E));
                fmpz_add(out, out, x);
                fmpz_mul_2exp(x, rz, (ulong)(kr + E));
                fmpz_sub(out, out, x);
            }
            fmpz_mul(out, out, R->g2);
            fmpz_mul_2exp(x, fmpz_mat_entry(R->G, i, j), (ulong)E);
            fmpz_sub(out, out, x);
        }
    /* ||R||_F^2 = sum Rz^2 / (g2 2^E)^2 */
    fmpz_zero(x);
    for (i = 0; i < S * S; i++)
        fmpz_addmul(x, Rz->entries + i, Rz->entries + i);
    fmpz_mul_2exp(c, R->g2, (ulong)E);
    fmpz_mul(c, c, c);
    fmpq_set_fmpz_frac(nrm, x, c);
    fmpq_sub(f, rho, delta);
    fmpq_mul(f, f, f);
    if (fmpq_cmp(f, nrm) < 0)
        goto done;

    /* low = tr Gt - delta - m t - sum_i y_i ||x_i||^2 */
    fmpq_sub(low, R->tr, delta);
    fmpq_mul_si(f, t, m);
    fmpq_sub(low, low, f);
    for (q = 0; q < r; q++) {
        fmpz_zero(x);
        for (i = 0; i < S; i++)
            fmpz_addmul(x, fmpz_mat_entry(Xz, i, q), fmpz_mat_entry(Xz, i, q));
        fmpz_mul(x, x, yz + q);
        set_dyadic(f, x, sig - 64 - 2 * ENCL_VEC_BITS);
        fmpq_sub(low, low, f);
    }
    if (fmpq_cmp(low, tau_hi) <= 0)
        goto done;

    ok = 1;
    fmpq_set(a->error2_lower_prev, low);
    fmpq_set(a->t, t);
    fmpq_set(a->rho, rho);
    vectors_to_fmpq(a->W, Xz);
    fmpq_mat_clear(a->Y);
    fmpq_mat_init(a->Y, r, r);
    for (q = 0; q < r; q++)
        set_dyadic(fmpq_mat_entry(a->Y, q, q), yz + q, sig - 64);
    fmpq_mat_clear(a->L);
    fmpq_mat_init(a->L, S, S);
    fmpq_mat_clear(a->Dl);
    fmpq_mat_init(a->Dl, S, 1);
    for (i = 0; i < S; i++) {
        set_dyadic(fmpq_mat_entry(a->Dl, i, 0), Dz + i, sig - 64);
        for (j = 0; j <= i; j++)
            set_dyadic(fmpq_mat_entry(a->L, i, j), fmpz_mat_entry(Lz, i, j), -64);
    }
done:
    fmpz_mat_clear(Xz);
    _fmpz_vec_clear(yz, r);
    _fmpz_vec_clear(Dz, FLINT_MAX(S, 1));
    flint_free(Md);
    flint_free(Ld);
    flint_free(Dd);
    fmpz_clear(tz); fmpz_clear(rz); fmpz_clear(x); fmpz_clear(c);
    fmpq_clear(t); fmpq_clear(rho); fmpq_clear(low); fmpq_clear(f); fmpq_clear(nrm);
    fmpz_mat_clear(XYX);
    fmpz_mat_clear(LDL);
    fmpz_mat_clear(Lz);
    fmpz_mat_clear(LDz);
    fmpz_mat_clear(Lt);
    fmpz_mat_clear(Rz);
    return ok;
}

/* A dyadic y <= sqrt(x) (x >= 0); y may alias x. */
static void sqrt_down(fmpq_t y, const fmpq_t x)
{
    arb_t a;
    arf_t b;
    arb_init(a);
    arf_init(b);
    arb_set_fmpq(a, x, 128);
    arb_sqrt(a, a, 128);
    arb_get_lbound_arf(b, a, 128);
    arf_get_fmpq(y, b);
    if (fmpq_sgn(y) < 0)
        fmpq_zero(y);
    arb_clear(a);
    arf_clear(b);
}

static int cmp_fmpq_desc(const void *x, const void *y)
{
    return -fmpq_cmp((const fmpq *)x, (const fmpq *)y);
}

/* The curve E(h)^2, h = 0 .. k, enclosed (for --curve): with V the
   rounded eigenvectors (all S), d the Rayleigh quotients diag(V^T Gt V)
   sorted, r >= ||offdiag(V^T Gt V)||_F and eps_V >= ||V^T V - I||_F < 1,
   Weyl and Ostrowski give lambda_i(Gt) in [max(0, d_i - r) / (1 + eps_V),
   (d_i + r) / (1 - eps_V)]; the tails of Gt then move by at most e in
   square root for G (E(h) is a distance to rank-h operators).  Returns 0
   when V is too far from orthonormal (no curve). */
static int curve_enclose(ssmh_approx_t a, const rounded_t *R, const double *Q)
{
    slong S = R->S, k = a->k, i, j, h;
    fmpz_mat_t Vz, Vt, VtV, GV, VtGV;
    fmpz_t x, c;
    fmpq *d;
    fmpq_t r, ev, lo, hi, q, one;
    int ok = 0, vec_ok;
    fmpz_mat_init(Vz, 0, 0);
    vec_ok = round_vectors(Vz, Q, S, S);
    fmpz_mat_init(Vt, S, S);
    fmpz_mat_init(VtV, S, S);
    fmpz_mat_init(GV, S, S);
    fmpz_mat_init(VtGV, S, S);
    fmpz_init(x);
    fmpz_init(c);
    d = _fmpq_vec_init(FLINT_MAX(S, 1));
    fmpq_init(r); fmpq_init(ev); fmpq_init(lo); fmpq_init(hi); fmpq_init(q); fmpq_init(one);
    if (!vec_ok)
        goto done;
    fmpz_mat_transpose(Vt, Vz);
    if (S > 0) {
        fmpz_mat_mul(VtV, Vt, Vz);
        fmpz_mat_mul(GV, R->G, Vz);
        fmpz_mat_mul(VtGV, Vt, GV);
    }
    /* eps_V^2 >= sum (V^T V - I)^2, V^T V = VtV 2^-2b */
    fmpz_zero(x);
    for (i = 0; i < S; i++)
        for (j = 0; j < S; j++) {
            fmpz_set(c, fmpz_mat_entry(VtV, i, j));
            if (i == j) {
                fmpz_one(GV->entries);   /* scratch: 2^2b */
                fmpz_mul_2exp(GV->entries, GV->entries, 2 * ENCL_VEC_BITS);
                fmpz_sub(c, c, GV->entries);
            }
            fmpz_addmul(x, c, c);
        }
    fmpq_set_fmpz(q, x);
    fmpq_div_2exp(q, q, 4 * ENCL_VEC_BITS);
    _ssmh_sqrt_up(ev, q);
    fmpq_one(one);
    if (fmpq_cmp(ev, one) >= 0)
        goto done;
    /* d = diag, r^2 >= sum offdiag^2, V^T Gt V = VtGV 2^-2b / g2 */
    fmpz_zero(x);
    fmpz_one(c);
    fmpz_mul_2exp(c, c, 2 * ENCL_VEC_BITS);
    fmpz_mul(c, c, R->g2);
    for (i = 0; i < S; i++) {
        fmpq_set_fmpz_frac(d + i, fmpz_mat_entry(VtGV, i, i), c);
        for (j = 0; j < S; j++)
            if (i != j)
                fmpz_addmul(x, fmpz_mat_entry(VtGV, i, j), fmpz_mat_entry(VtGV, i, j));
    }
    fmpz_mul(c, c, c);
    fmpq_set_fmpz_frac(q, x, c);
    _ssmh_sqrt_up(r, q);
    qsort(d, (size_t)S, sizeof(fmpq), cmp_fmpq_desc);
    a->curve_lo = _fmpq_vec_init(k + 1);
    a->curve_hi = _fmpq_vec_init(k + 1);
    for (h = S - 1; h >= 0; h--) {   /* tails of Gt, from the end */
        fmpq_sub(q, d + h, r);
        if (fmpq_sgn(q) > 0)
            fmpq_add(lo, lo, q);
        fmpq_add(q, d + h, r);
        fmpq_add(hi, hi, q);
        if (h > k)
            continue;
        /* E(h) in [sqrt(lo / (1 + ev)) - e, sqrt(hi / (1 - ev)) + e] */
        fmpq_add(q, one, ev);
        fmpq_div(q, lo, q);
        sqrt_down(q, q);
        fmpq_sub(q, q, a->e);
        if (fmpq_sgn(q) < 0)
            fmpq_zero(q);
        fmpq_mul(a->curve_lo + h, q, q);
        fmpq_sub(q, one, ev);
        fmpq_div(q, hi, q);
        _ssmh_sqrt_up(q, q);
        fmpq_add(q, q, a->e);
        fmpq_mul(a->curve_hi + h, q, q);
    }
    if (k <= S) {   /* E(k)^2 = 0: k = rank G */
        fmpq_zero(a->curve_lo + k);
        fmpq_zero(a->curve_hi + k);
    }
    /* E(0)^2 = tr G in [total, total_hi] */
    if (fmpq_cmp(a->curve_lo, a->total) < 0)
        fmpq_set(a->curve_lo, a->total);
    if (fmpq_cmp(a->curve_hi, a->total_hi) > 0)
        fmpq_set(a->curve_hi, a->total_hi);
    ok = 1;
done:
    fmpz_mat_clear(Vz);
    fmpz_mat_clear(Vt);
    fmpz_mat_clear(VtV);
    fmpz_mat_clear(GV);
    fmpz_mat_clear(VtGV);
    fmpz_clear(x);
    fmpz_clear(c);
    _fmpq_vec_clear(d, FLINT_MAX(S, 1));
    fmpq_clear(r); fmpq_clear(ev); fmpq_clear(lo); fmpq_clear(hi); fmpq_clear(q); fmpq_clear(one);
    return ok;
}

static int undecided(ssmh_error_t *err, const char *why)
{
    return ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL, "enclosure method: %s", why);
}

/* A lower bound on the support of the rounded lags, from one lag: the
   positions where C Xt_0 != 0 (Kt_1 for delayed; Kt_0 = D + C Xt_0 for
   direct, so positions where D != 0 are left out).  One N x d product: it
   refuses a layer whose Gram matrix could not be formed before the n
   rounded products are spent on it (a refusal, exit 2, never a claim). */
static slong support_lower_bound(const ssmh_model_t rm, slong s)
{
    slong i, j, cnt = 0;
    int direct = rm->convention != SSMH_CONVENTION_DELAYED;
    fmpz_mat_t Bn, Cn, K;
    fmpz_t bden, cden;
    fmpz_mat_init(Bn, rm->N, rm->d);
    fmpz_mat_init(Cn, rm->p, rm->N);
    fmpz_mat_init(K, rm->p, rm->d);
    fmpz_init(bden);
    fmpz_init(cden);
    ssmh_spmat_get_fmpz_mat_matwise(Bn, bden, rm->B);
    ssmh_spmat_get_fmpz_mat_matwise(Cn, cden, rm->C);
    fmpz_mat_scalar_mul_2exp(Bn, Bn, s);
    round_div(Bn, bden);
    fmpz_mat_mul(K, Cn, Bn);
    for (i = 0; i < rm->p; i++)
        for (j = 0; j < rm->d; j++)
            cnt += !fmpz_is_zero(fmpz_mat_entry(K, i, j))
                   && (!direct || fmpq_is_zero(fmpq_mat_entry(rm->D, i, j)));
    fmpz_mat_clear(Bn);
    fmpz_mat_clear(Cn);
    fmpz_mat_clear(K);
    fmpz_clear(bden);
    fmpz_clear(cden);
    return cnt;
}

int _ssmh_approx_enclosure(ssmh_approx_t a, const ssmh_model_t m, int curve, const ssmh_limits_t *lim,
                           ssmh_error_t *err)
{
    ssmh_spectrum_t spec;
    ssmh_model_t rm;
    rounded_t R;
    fmpq_t E2, delta, tau_hi, rt, x;
    fmpz_mat_t Vz;
    double *w = NULL, *Q = NULL, *Gc = NULL, tau_d, rho_d, delta_d;
    slong n = a->n, s, h, try_;
    int rc = SSMH_OK, have_R = 0;

    ssmh_spectrum_init(spec);
    ssmh_model_init(rm);
    fmpq_init(E2); fmpq_init(delta); fmpq_init(tau_hi); fmpq_init(rt); fmpq_init(x);
    fmpz_mat_init(Vz, 0, 0);
    if ((rc = ssmh_spectrum_compute(spec, m, 30, err)) != SSMH_OK)
        goto done;
    if (spec->verdict != SSMH_STABLE) {
        rc = undecided(err, "needs a stable model (an envelope with gamma < 1)");
        goto done;
    }
    ssmh_progress_step(lim, "approx: gradient envelope", 0, 3);
    if (ssmh_envelope_compute_limited(a->env, m, spec, lim, err) != SSMH_OK
        || fmpq_cmp_ui(a->env->gamma, 1) >= 0) {
        rc = undecided(err, "no envelope with gamma < 1 could be proven");
        goto done;
    }
    ssmh_model_realify(rm, m);
    /* (a refusal only, so the pattern at 64 bits is as good as any) */
    if (support_lower_bound(rm, 64) > ENCL_MAX_SUPPORT) {
        a->too_wide = 1;
        rc = undecided(err, "the rounded lags have more than 2048 nonzero positions, too many for "
                            "the dense Gram matrix on them (a layer with p d this large is "
                            "beyond this method)");
        goto done;
    }
    s = initial_bits(a->env, rm, n);
    for (;;) {   /* s: enough bits that E2 is at most ~2^-110 of tr Gt */
        ssmh_progress_step(lim, "approx: fixed-point lags and their Gram matrix", 1, 3);
        if (have_R)
            rounded_clear(&R);
        rounded_gram(&R, rm, n, s);
        have_R = 1;
        error_bound(E2, a->env, rm->N, rm->d, n, s);
        if (fmpq_is_zero(R.tr) || s >= 2048)
            break;
        fmpq_div(x, E2, R.tr);
        h = fmpz_bits(fmpq_denref(x)) - fmpz_bits(fmpq_numref(x));   /* ~ -log2(E2 / tr) */
        if (h >= 100)
            break;
        s += (110 - h) / 2 + 8;
    }
    a->s = s;
    if (R.S > ENCL_MAX_SUPPORT) {
        rc = undecided(err, "the support is too large for the dense Gram matrix");
        goto done;
    }
    _ssmh_sqrt_up(a->e, E2);
    _ssmh_sqrt_up(a->u, R.tr);
    fmpq_mul_2exp(delta, a->u, 1);
    fmpq_add(delta, delta, a->e);
    fmpq_mul(delta, delta, a->e);
    fmpq_set(a->total, R.tr);
    fmpq_sub(a->total, a->total, delta);
    if (fmpq_sgn(a->total) < 0)
        fmpq_zero(a->total);
    fmpq_add(a->total_hi, R.tr, delta);
    fmpq_mul(a->tau, a->eps, a->eps);
    fmpq_set(tau_hi, a->tau);
    if (a->relative) {
        fmpq_mul(tau_hi, a->tau, a->total_hi);
        fmpq_sub(x, R.tr, delta);
        fmpq_mul(a->tau, a->tau, x);
    }
    fmpq_set(a->tau_hi, tau_hi);

    /* guidance: the eigen-decomposition of Gt 2^-sigma */
    w = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(R.S, 1));
    Q = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(R.S * R.S, 1));
    Gc = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(R.S * R.S, 1));
    memcpy(Gc, R.Gd, sizeof(double) * (size_t)(R.S * R.S));
    if (!_ssmh_symeig(w, Q, Gc, R.S)) {
        rc = undecided(err, "the floating-point eigen-decomposition did not converge");
        goto done;
    }
    tau_d = ldexp(fmpq_get_d(a->tau), (int)FLINT_MAX(FLINT_MIN(-R.sigma, 4000), -4000));
    {
        double tail = 0.0;
        for (h = R.S - 1; h >= 0; h--)
            tail += FLINT_MAX(w[h], 0.0);
        /* E(k)^2 = 0: H <= k = k(n) (past it the doubles see only noise) */
        for (h = 0; h < FLINT_MIN(R.S, a->k) && tail > tau_d; h++)
            tail -= FLINT_MAX(w[h], 0.0);
        a->H = h;
    }

    /* upper witness: the top-H vectors, rounded */
    if (!round_vectors(Vz, Q, R.S, a->H)) {
        rc = undecided(err, "the floating-point eigenvectors are not finite");
        goto done;
    }
    if (!basis_residual(rt, &R, Vz)) {
        rc = undecided(err, "the rounded basis is singular");
        goto done;
    }
    _ssmh_sqrt_up(a->v, rt);
    fmpq_mul_2exp(x, a->v, 1);
    fmpq_add(x, x, a->e);
    fmpq_mul(x, x, a->e);
    fmpq_add(a->error2_upper, rt, x);
    if (fmpq_cmp(a->error2_upper, a->tau) > 0) {
        rc = undecided(err, "eps^2 is too close to E(H)^2 for the rounded lags");
        goto done;
    }
    vectors_to_fmpq(a->basis, Vz);

    /* lower witness */
    if (a->H == 1) {
        fmpq_sub(a->error2_lower_prev, R.tr, delta);
        if (fmpq_cmp(a->error2_lower_prev, tau_hi) <= 0) {
            rc = undecided(err, "eps^2 is too close to ||T||_F^2 for the rounded lags");
            goto done;
        }
    } else if (a->H >= 2) {
        int found = 0;
        delta_d = ldexp(fmpq_get_d(delta), (int)FLINT_MAX(FLINT_MIN(-R.sigma, 4000), -4000));
        for (try_ = 0; try_ < ENCL_TRIES && !found; try_++) {
            double noise_d = FLINT_MAX(w[0], 1e-300) * ldexp(1.0, -44 + 4 * (int)try_);
            rho_d = 2.0 * delta_d + noise_d / 16.0;
            found = lower_try(a, &R, w, Q, delta, tau_hi, a->H - 1, rho_d, noise_d);
        }
        if (!found) {
            rc = undecided(err, "eps^2 is too close to E(H-1)^2 for the rounded lags");
            goto done;
        }
    }
    if (curve && !curve_enclose(a, &R, Q)) {
        rc = undecided(err, "the rounded eigenvectors are too far from orthonormal for the curve");
        goto done;
    }
    /* the support and the coordinates of every witness vector */
    flint_free(a->support);
    a->support = R.sup;
    R.sup = NULL;
    a->dim = R.S;
    a->method = SSMH_APPROX_ENCLOSURE;
done:
    if (have_R)
        rounded_clear(&R);
    flint_free(w);
    flint_free(Q);
    flint_free(Gc);
    fmpz_mat_clear(Vz);
    ssmh_spectrum_clear(spec);
    ssmh_model_clear(rm);
    fmpq_clear(E2); fmpq_clear(delta); fmpq_clear(tau_hi); fmpq_clear(rt); fmpq_clear(x);
    return rc;
}
