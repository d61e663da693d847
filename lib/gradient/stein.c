/*
 * A proven Stein form: P > 0 with gamma^2 P - A^T P A >= 0, for the hard
 * cases where doubles fail (eigenvalues a hair inside the circle, Jordan
 * blocks, strongly non-normal or badly scaled A).  Guarantee: when
 * _ssmh_stein_form returns 1, P is symmetric and both inequalities have
 * been proven here by exact arithmetic (the Bareiss/LDL^T tests of psd.c);
 * no floating-point value reaches P unchecked.  Returns 0, with the reason
 * in `why`, when no method fits its limits.
 *
 * Methods, cheapest first; each is a proposal for the solution of
 *     P - (A/gamma)^T P (A/gamma) = Q,  Q > 0,
 * which exists and is positive definite exactly when rho(A) < gamma, and
 * then makes gamma^2 P - A^T P A = gamma^2 Q strictly definite, so that a
 * close enough rounding of P still passes:
 *  1. doubling in doubles (numeric.c), in the given basis;
 *  2. the same in a balanced basis D^-1 A D (D a diagonal of powers of 2,
 *     as LAPACK's gebal chooses it), P = D^-1 P~ D^-1 exactly;
 *  3. doubling in extended precision (Arb midpoints, 128 .. 4096 bits, the
 *     largest within a work budget that shrinks with N^3), balanced basis,
 *     rounded to prec - 24 bits; the precision doubles after each failure;
 *  4. for N <= STEIN_EXACT_MAX_N, the exact solution of
 *     gamma^2 P - A^T P A = I over the N (N + 1) / 2 entries of P (one
 *     rational linear solve), rounded to 64, 256, 1024 or 4096 bits when that
 *     still proves, else kept exact.
 */
#include "ssmheads-impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define STEIN_EXACT_MAX_N 12
#define STEIN_MP_MIN_PREC 128
#define STEIN_MP_MAX_PREC 4096
#define STEIN_MP_BUDGET 4.0e9   /* N^3 * 192 * (prec / 64)^2 limb products */
#define STEIN_MP_MAX_ITER 160

/* P > 0 and gamma^2 P - A^T P A >= 0, exactly. */
static int proves(const fmpq_mat_t P, const fmpq_mat_t A, const fmpq_t gamma)
{
    slong N = fmpq_mat_nrows(A);
    fmpq_mat_t S;
    int ok;
    if (!_ssmh_is_psd(P, 1))
        return 0;
    fmpq_mat_init(S, N, N);
    _ssmh_stein_residual(S, A, P, gamma);
    ok = _ssmh_is_psd(S, 0);
    fmpq_mat_clear(S);
    return ok;
}

/* log2 sum 2^x_k over the finite x_k (-INFINITY when none). */
static double log2_sum(const double *x, slong n)
{
    double mx = -INFINITY, s = 0;
    slong k;
    for (k = 0; k < n; k++)
        mx = fmax(mx, x[k]);
    if (mx == -INFINITY)
        return mx;
    for (k = 0; k < n; k++)
        if (x[k] > -INFINITY)
            s += exp2(x[k] - mx);
    return mx + log2(s);
}

/* Balancing exponents e (D = diag(2^e_i)): off-diagonal row and column
   sums of D^-1 A D equal to within a factor of 4, computed on log2 |a_ij|
   so that no entry's size can overflow.  Returns 0 when D = I. */
static int balance_exponents(slong *e, const fmpq_mat_t A)
{
    slong N = fmpq_mat_nrows(A), i, j, it, n;
    double *lg = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(N * N, 1));
    double *row = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(N, 1));
    double *col = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(N, 1));
    int changed = 1, any = 0;
    for (i = 0; i < N; i++) {
        e[i] = 0;
        for (j = 0; j < N; j++) {
            const fmpq *a = fmpq_mat_entry(A, i, j);
            slong en, ed;
            double mn, md;
            if (fmpq_is_zero(a)) {
                lg[i * N + j] = -INFINITY;
                continue;
            }
            mn = fmpz_get_d_2exp(&en, fmpq_numref(a));
            md = fmpz_get_d_2exp(&ed, fmpq_denref(a));
            lg[i * N + j] = log2(fabs(mn)) - log2(md) + (double)(en - ed);
        }
    }
    for (it = 0; it < 64 && changed; it++) {
        changed = 0;
        for (i = 0; i < N; i++) {
            double r, c;
            slong k;
            for (j = 0, n = 0; j < N; j++)
                if (j != i) {
                    row[n] = lg[i * N + j] + (double)(e[j] - e[i]);
                    col[n++] = lg[j * N + i] + (double)(e[i] - e[j]);
                }
            r = log2_sum(row, n);
            c = log2_sum(col, n);
            if (r == -INFINITY || c == -INFINITY)
                continue;
            k = (slong)floor((r - c) / 2.0 + 0.5);
            if (k > 1 || k < -1) {   /* a factor of 4 is close enough */
                e[i] += FLINT_MAX(FLINT_MIN(k, 1L << 16), -(1L << 16));
                e[i] = FLINT_MAX(FLINT_MIN(e[i], 1L << 20), -(1L << 20));
                changed = 1;
                any = 1;
            }
        }
    }
    flint_free(lg);
    flint_free(row);
    flint_free(col);
    return any;
}

/* out = D^-1 A D / gamma, i.e. out_ij = a_ij 2^(e_j - e_i) / gamma. */
static void balanced(fmpq_mat_t out, const fmpq_mat_t A, const slong *e, const fmpq_t gamma)
{
    slong N = fmpq_mat_nrows(A), i, j;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            fmpq *o = fmpq_mat_entry(out, i, j);
            fmpq_div(o, fmpq_mat_entry(A, i, j), gamma);
            _ssmh_fmpq_mul_2exp_si(o, o, e[j] - e[i]);
        }
}

/* P = D^-1 P~ D^-1: P_ij = P~_ij 2^(-e_i - e_j), in place. */
static void unbalance(fmpq_mat_t P, const slong *e)
{
    slong N = fmpq_mat_nrows(P), i, j;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            _ssmh_fmpq_mul_2exp_si(fmpq_mat_entry(P, i, j), fmpq_mat_entry(P, i, j), -(e[i] + e[j]));
}

/* The largest 2^b bounding an entry of an Arb matrix's midpoints; 0 when
   an entry is not finite (and *b unset), 1 otherwise (b = WORD_MIN for a
   zero matrix). */
static int mid_bound(slong *b, const arb_mat_t X)
{
    slong i, j;
    *b = WORD_MIN;
    for (i = 0; i < arb_mat_nrows(X); i++)
        for (j = 0; j < arb_mat_ncols(X); j++) {
            const arf_struct *m = arb_midref(arb_mat_entry(X, i, j));
            if (!arf_is_finite(m))
                return 0;
            if (!arf_is_zero(m))
                *b = FLINT_MAX(*b, arf_abs_bound_lt_2exp_si(m));
        }
    return 1;
}

/* Doubling p = sum_k (a^T)^k a^k at prec bits (Arb midpoints only: a
   proposal), for a = the balanced A / gamma given exactly; P~ rounded to
   the grid 2^(top - prec + 24), symmetrised.  0 when the iteration
   diverges (precision too low for this A) or does not converge. */
static int doubling_mp(fmpq_mat_t P, const fmpq_mat_t Ab, slong prec)
{
    slong N = fmpq_mat_nrows(Ab), i, j, it, ba, bp;
    arb_mat_t a, at, p, t, u;
    arf_t x;
    fmpz_t z;
    int ok = 0;
    arb_mat_init(a, N, N);
    arb_mat_init(at, N, N);
    arb_mat_init(p, N, N);
    arb_mat_init(t, N, N);
    arb_mat_init(u, N, N);
    arf_init(x);
    fmpz_init(z);
    arb_mat_set_fmpq_mat(a, Ab, prec);
    arb_mat_get_mid(a, a);
    arb_mat_one(p);
    for (it = 0; it < STEIN_MP_MAX_ITER; it++) {
        arb_mat_approx_mul(t, p, a, prec);
        arb_mat_transpose(at, a);
        arb_mat_approx_mul(u, at, t, prec);
        arb_mat_add(p, p, u, prec);
        arb_mat_get_mid(p, p);
        arb_mat_approx_mul(t, a, a, prec);
        arb_mat_swap(a, t);
        if (!mid_bound(&bp, p) || !mid_bound(&ba, a) || bp > prec || ba > prec)
            break;   /* diverged: eigenvalues of the rounded a outside the circle */
        if (ba < -(prec / 2) - 16) {   /* the tail (a^T)^k p a^k is below the grid */
            ok = 1;
            break;
        }
    }
    if (ok) {
        slong shift = bp - prec + 24;
        for (i = 0; i < N; i++)
            for (j = 0; j <= i; j++) {
                fmpq *q = fmpq_mat_entry(P, i, j);
                arf_add(x, arb_midref(arb_mat_entry(p, i, j)), arb_midref(arb_mat_entry(p, j, i)),
                        ARF_PREC_EXACT, ARF_RND_DOWN);
                arf_mul_2exp_si(x, x, -1 - shift);
                arf_get_fmpz(z, x, ARF_RND_NEAR);
                fmpz_set(fmpq_numref(q), z);
                fmpz_one(fmpq_denref(q));
                _ssmh_fmpq_mul_2exp_si(q, q, shift);
                fmpq_set(fmpq_mat_entry(P, j, i), q);
            }
    }
    arb_mat_clear(a);
    arb_mat_clear(at);
    arb_mat_clear(p);
    arb_mat_clear(t);
    arb_mat_clear(u);
    arf_clear(x);
    fmpz_clear(z);
    return ok;
}

/* The exact solution of gamma^2 X - A^T X A = I on symmetric X; 0 when the
   system is singular (gamma^2 = lambda_i lambda_j for eigenvalues of A). */
static int stein_exact(fmpq_mat_t X, const fmpq_mat_t A, const fmpq_t gamma)
{
    slong N = fmpq_mat_nrows(A), q = N * (N + 1) / 2, i, j, a, b, row;
    slong *idx = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(N * N, 1));
    fmpq_mat_t L, x, y;
    fmpq_t g2, t;
    int ok;
    fmpq_mat_init(L, q, q);
    fmpq_mat_init(x, q, 1);
    fmpq_mat_init(y, q, 1);
    fmpq_init(g2);
    fmpq_init(t);
    fmpq_mul(g2, gamma, gamma);
    for (i = 0, row = 0; i < N; i++)
        for (j = i; j < N; j++, row++)
            idx[i * N + j] = idx[j * N + i] = row;
    /* row (i, j): gamma^2 x_ij - sum_ab a_ai a_bj x_ab */
    for (i = 0; i < N; i++)
        for (j = i; j < N; j++) {
            row = idx[i * N + j];
            fmpq_add(fmpq_mat_entry(L, row, row), fmpq_mat_entry(L, row, row), g2);
            if (i == j)
                fmpq_one(fmpq_mat_entry(y, row, 0));
            for (a = 0; a < N; a++) {
                if (fmpq_is_zero(fmpq_mat_entry(A, a, i)))
                    continue;
                for (b = 0; b < N; b++) {
                    fmpq *e = fmpq_mat_entry(L, row, idx[a * N + b]);
                    fmpq_mul(t, fmpq_mat_entry(A, a, i), fmpq_mat_entry(A, b, j));
                    fmpq_sub(e, e, t);
                }
            }
        }
    ok = fmpq_mat_solve(x, L, y);
    for (i = 0; i < N && ok; i++)
        for (j = 0; j < N; j++)
            fmpq_set(fmpq_mat_entry(X, i, j), fmpq_mat_entry(x, idx[i * N + j], 0));
    flint_free(idx);
    fmpq_mat_clear(L);
    fmpq_mat_clear(x);
    fmpq_mat_clear(y);
    fmpq_clear(g2);
    fmpq_clear(t);
    return ok;
}

/* P rounded entrywise to about `bits` significant bits (each entry on its
   own scale, which diagonal scalings respect): r = floor(p 2^s) 2^-s. */
static void round_entries(fmpq_mat_t R, const fmpq_mat_t P, slong bits)
{
    slong i, j;
    fmpq_t t;
    fmpq_init(t);
    for (i = 0; i < fmpq_mat_nrows(P); i++)
        for (j = 0; j < fmpq_mat_ncols(P); j++) {
            const fmpq *p = fmpq_mat_entry(P, i, j);
            fmpq *r = fmpq_mat_entry(R, i, j);
            slong s = fmpq_is_zero(p) ? 0 : bits - _ssmh_fmpq_log2(p);
            _ssmh_fmpq_mul_2exp_si(t, p, s);
            fmpz_fdiv_q(fmpq_numref(r), fmpq_numref(t), fmpq_denref(t));
            fmpz_one(fmpq_denref(r));
            _ssmh_fmpq_mul_2exp_si(r, r, -s);
        }
    fmpq_clear(t);
}

int _ssmh_stein_form(fmpq_mat_t P, const fmpq_mat_t A, const fmpq_t gamma, const ssmh_limits_t *lim,
                     const char **method, char *why, size_t why_size)
{
    slong N = fmpq_mat_nrows(A), prec, max_prec = 0, *e = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(N, 1));
    fmpq_mat_t Ab, Pb;
    double gd = fmpq_get_d(gamma), work = (double)N * (double)N * (double)N * 192.0;
    const char *dummy;
    int ok = 0, bal;
    if (method == NULL)
        method = &dummy;
    *method = NULL;
    fmpq_mat_init(Ab, N, N);
    fmpq_mat_init(Pb, N, N);

    /* 1. doubles, as given */
    ssmh_progress_step(lim, "gradient: Stein form in doubles", 0, 4);
    if (isfinite(gd) && gd > 0 && _ssmh_stein_numeric(P, A, gd) && proves(P, A, gamma)) {
        *method = "doubling in doubles";
        ok = 1;
    }
    /* 2. doubles, balanced basis */
    bal = balance_exponents(e, A);
    balanced(Ab, A, e, gamma);
    if (!ok && bal) {
        ssmh_progress_step(lim, "gradient: Stein form in doubles, balanced basis", 1, 4);
        if (_ssmh_stein_numeric(Pb, Ab, 1.0)) {
            fmpq_mat_set(P, Pb);
            unbalance(P, e);
            if (proves(P, A, gamma)) {
                *method = "doubling in doubles, balanced basis";
                ok = 1;
            }
        }
    }
    /* 3. extended precision, balanced basis */
    for (prec = STEIN_MP_MIN_PREC; !ok && prec <= STEIN_MP_MAX_PREC; prec *= 2) {
        double r = (double)prec / 64.0;
        if (work * r * r > STEIN_MP_BUDGET)
            break;
        max_prec = prec;
        ssmh_progress_step(lim, "gradient: Stein form in extended precision", 2, 4);
        if (doubling_mp(Pb, Ab, prec)) {
            fmpq_mat_set(P, Pb);
            unbalance(P, e);
            if (proves(P, A, gamma)) {
                static const char *names[] = {"doubling at 128 bits", "doubling at 256 bits",
                                              "doubling at 512 bits", "doubling at 1024 bits",
                                              "doubling at 2048 bits", "doubling at 4096 bits"};
                *method = names[FLINT_MIN(5, (slong)(log2((double)prec) + 0.5) - 7)];
                ok = 1;
            }
        }
    }
    /* 4. exact, small N */
    if (!ok && N <= STEIN_EXACT_MAX_N) {
        ssmh_progress_step(lim, "gradient: exact Stein solve", 3, 4);
        if (stein_exact(Pb, A, gamma) && proves(Pb, A, gamma)) {
            static const slong bits[] = {64, 256, 1024, 4096};
            size_t k;
            *method = "exact Stein solve";
            ok = 1;
            fmpq_mat_set(P, Pb);
            for (k = 0; k < sizeof(bits) / sizeof(bits[0]); k++) {
                round_entries(Ab, Pb, bits[k]);
                if (proves(Ab, A, gamma)) {
                    fmpq_mat_set(P, Ab);
                    *method = "exact Stein solve, rounded";
                    break;
                }
            }
        }
    }
    if (!ok && why != NULL && why_size > 0) {
        char g[64];
        if (fmpz_bits(fmpq_numref(gamma)) + fmpz_bits(fmpq_denref(gamma)) <= 120) {
            char *t = fmpq_get_str(NULL, 10, gamma);
            snprintf(g, sizeof(g), "%s", t);
            flint_free(t);
        } else {
            snprintf(g, sizeof(g), "%.17g (rounded)", gd);
        }
        if (N <= STEIN_EXACT_MAX_N)
            snprintf(why, why_size, "no Stein form proves gamma = %s: doubles%s and extended precision "
                     "up to %ld bits failed, and the exact solve found no positive definite P",
                     g, bal ? " (plain and balanced)" : "", (long)max_prec);
        else
            snprintf(why, why_size, "no Stein form proves gamma = %s: doubles%s failed, extended "
                     "precision was tried up to %ld bits (the limit for N = %ld), and the exact solve "
                     "is limited to N <= %d", g, bal ? " (plain and balanced)" : "", (long)max_prec,
                     (long)N, STEIN_EXACT_MAX_N);
    }
    fmpq_mat_clear(Ab);
    fmpq_mat_clear(Pb);
    flint_free(e);
    return ok;
}
