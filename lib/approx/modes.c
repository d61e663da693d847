/*
 * modes.c -- the least head count within eps for wide diagonal layers, in
 * the m-dimensional mode space (doc/approx.md, "Mode certificates").
 *
 * Guarantee: _ssmh_approx_modes returns SSMH_OK only after it checked, in
 * exact arithmetic and exactly as the checkers do: |lambda| <= 1 for every
 * block, e^2 >= E2 and u^2 >= tr Gammat (so ||Gamma - Gammat||_2 <= delta),
 * the upper witness ((1 + eta) I - Y^T Psi Y >= 0, error2_upper <= tau_lo)
 * and the lower one (L L^T - c2 Psi_up >= 0, L^T (Yz - Gammat - delta I) L
 * + t c2 I >= 0, error2_lower_prev > tau_hi).  Hence E(H)^2 <= tau <
 * E(H-1)^2.  Doubles (Cholesky of Psi, eigenvectors of L^T Gammat L) only
 * propose; SSMH_E_UNDECIDED when the method does not apply or its
 * witnesses do not separate eps^2 from a boundary.
 */
#include "approx-impl.h"
#include <math.h>

#define MODES_MAX_DENSE (WORD(1) << 25)  /* realified M (p + d) entries */
#define MODES_MAX_M 4096                  /* m x m doubles and exact products */
#define MODES_GRID 61                     /* witness integers below 2^61 */
#define MODES_C2_BITS 20                  /* c2 = 1 - 2^-20 */
#define MODES_TRIES 3
#define MODES_BITS 96                     /* fixed-point bits of the mode functions */

/* One block of the realified A: states t (and t + 1), lambda = re + i im
   (im = 0 for a 1 x 1 block). */
typedef struct {
    slong t, size;
    fmpq re, im;   /* not owned */
} blk_t;

typedef struct {
    slong M, p, d, n, m, nblk, n1, n2;
    blk_t *blk;
    slong *fb, *fpart;     /* mode function j: block (or -1: D) and part */
    int delayed, has_D;
    fmpq_mat_t Psi;        /* m x m, exact */
    fmpz_mat_t Gam;        /* Gammat 4^s, m x m */
    slong s;
    fmpq_t trGP, trPsi;    /* tr(Gammat Psi), tr Psi */
} modes_t;

static void modes_clear(modes_t *w)
{
    flint_free(w->blk);
    flint_free(w->fb);
    flint_free(w->fpart);
    fmpq_mat_clear(w->Psi);
    fmpz_mat_clear(w->Gam);
    fmpq_clear(w->trGP);
    fmpq_clear(w->trPsi);
}

static int undecided(ssmh_error_t *err, const char *why)
{
    return ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL,
                          "approx (mode method): %s (undecided)", why);
}

/* Blocks and mode functions; 0 when a block has |lambda| > 1. */
static int modes_layout(modes_t *w, const ssmh_model_t m)
{
    int cplx = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG;
    slong s, b = 0, j = 0;
    fmpq_t r2, t;
    int ok = 1;
    w->M = cplx ? 2 * m->N : m->N;
    w->blk = flint_malloc(sizeof(blk_t) * (size_t)FLINT_MAX(1, w->M));
    fmpq_init(r2);
    fmpq_init(t);
    for (s = 0; s < m->N; s++) {
        const fmpq *re = fmpq_mat_entry(m->lambda_re, s, 0);
        const fmpq *im = cplx ? fmpq_mat_entry(m->lambda_im, s, 0) : NULL;
        fmpq_mul(r2, re, re);
        if (im != NULL) {
            fmpq_mul(t, im, im);
            fmpq_add(r2, r2, t);
        }
        ok &= fmpq_cmp_ui(r2, 1) <= 0;
        if (im != NULL && !fmpq_is_zero(im)) {
            w->blk[b].t = 2 * s;
            w->blk[b].size = 2;
            w->blk[b].re = *re;
            w->blk[b++].im = *im;
            w->n2++;
        } else {   /* a real eigenvalue: one state, or two 1 x 1 blocks */
            slong k, c = cplx ? 2 : 1;
            for (k = 0; k < c; k++) {
                w->blk[b].t = c * s + k;
                w->blk[b].size = 1;
                w->blk[b].re = *re;
                fmpq_init(&w->blk[b].im);   /* a shallow zero: never cleared */
                b++;
                w->n1++;
            }
        }
    }
    w->nblk = b;
    w->has_D = !fmpq_mat_is_zero(m->D);
    w->fb = flint_malloc(sizeof(slong) * (size_t)(2 * b + 1));
    w->fpart = flint_malloc(sizeof(slong) * (size_t)(2 * b + 1));
    for (s = 0; s < b; s++) {
        w->fb[j] = s;
        w->fpart[j++] = 0;
        if (w->blk[s].size == 2) {
            w->fb[j] = s;
            w->fpart[j++] = 1;
        }
    }
    if (w->has_D) {
        w->fb[j] = -1;
        w->fpart[j++] = 0;
    }
    w->m = j;
    fmpq_clear(r2);
    fmpq_clear(t);
    return ok;
}

/* The realified B (M x d) and C^T (M x p), dense, as integers over one
   denominator each. */
static void realified_BC(fmpz_mat_t Bz, fmpz_t dB, fmpz_mat_t Cz, fmpz_t dC, const ssmh_model_t m)
{
    int cplx = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG;
    slong N = m->N, M = cplx ? 2 * N : N, s, k;
    slong f = m->output == SSMH_OUTPUT_RE ? 1 : 2;
    fmpq_mat_t B, Ct;
    ssmh_spmat_t T;
    fmpq_t x;
    fmpq_mat_init(B, M, m->d);
    fmpq_mat_init(Ct, M, m->p);
    fmpq_init(x);
    ssmh_spmat_init(T, 0, 0);
    for (s = 0; s < N; s++)
        for (k = m->B->rowptr[s]; k < m->B->rowptr[s + 1]; k++)
            fmpq_set(fmpq_mat_entry(B, cplx ? 2 * s : s, m->B->col[k]), m->B->val + k);
    ssmh_spmat_transpose(T, m->C);
    for (s = 0; s < N; s++)
        for (k = T->rowptr[s]; k < T->rowptr[s + 1]; k++) {
            fmpq_mul_si(x, T->val + k, cplx ? f : 1);
            fmpq_set(fmpq_mat_entry(Ct, cplx ? 2 * s : s, T->col[k]), x);
        }
    if (cplx) {
        for (s = 0; s < N; s++)
            for (k = m->B_im->rowptr[s]; k < m->B_im->rowptr[s + 1]; k++)
                fmpq_set(fmpq_mat_entry(B, 2 * s + 1, m->B_im->col[k]), m->B_im->val + k);
        ssmh_spmat_clear(T);
        ssmh_spmat_init(T, 0, 0);
        ssmh_spmat_transpose(T, m->C_im);
        for (s = 0; s < N; s++)
            for (k = T->rowptr[s]; k < T->rowptr[s + 1]; k++) {
                fmpq_mul_si(x, T->val + k, -f);
                fmpq_set(fmpq_mat_entry(Ct, 2 * s + 1, T->col[k]), x);
            }
    }
    fmpz_mat_init(Bz, M, m->d);
    fmpz_mat_init(Cz, M, m->p);
    fmpq_mat_get_fmpz_mat_matwise(Bz, dB, B);
    fmpq_mat_get_fmpz_mat_matwise(Cz, dC, Ct);
    fmpq_mat_clear(B);
    fmpq_mat_clear(Ct);
    fmpq_clear(x);
    ssmh_spmat_clear(T);
}

/* The terms of mode function j: Z_j = sum sg c_{tc} b_{tb}^T (at most 2). */
static slong terms(slong *tc, slong *tb, slong *sg, const modes_t *w, slong j)
{
    const blk_t *b = w->blk + w->fb[j];
    if (w->fpart[j] == 0) {
        slong k;
        for (k = 0; k < b->size; k++) {
            tc[k] = tb[k] = b->t + k;
            sg[k] = 1;
        }
        return b->size;
    }
    tc[0] = b->t + 1; tb[0] = b->t; sg[0] = 1;   /* c_{t+1} b_t^T - c_t b_{t+1}^T */
    tc[1] = b->t; tb[1] = b->t + 1; sg[1] = -1;
    return 2;
}

/* Psi = [<Z_j, Z_k>_F] from the Gram matrices of C's columns and B's rows
   (and C^T D B for the D function). */
static void mode_gram(modes_t *w, const ssmh_model_t m)
{
    fmpz_mat_t Bz, Cz, Gb, Gc, Dz, CD, Bt, Ctr;
    fmpz_t dB, dC, dD, x, acc;
    fmpq_t q;
    slong j, k, a, b, m_ = w->m, M = w->M;
    slong tc[2], tb[2], sg[2], uc[2], ub[2], ug[2];
    fmpz_init(dB); fmpz_init(dC); fmpz_init(dD); fmpz_init(x); fmpz_init(acc);
    fmpq_init(q);
    realified_BC(Bz, dB, Cz, dC, m);
    fmpz_mat_init(Gb, M, M);
    fmpz_mat_init(Gc, M, M);
    fmpz_mat_init(Bt, m->d, M);
    fmpz_mat_init(Ctr, m->p, M);
    fmpz_mat_transpose(Bt, Bz);
    fmpz_mat_transpose(Ctr, Cz);
    fmpz_mat_mul(Gb, Bz, Bt);
    fmpz_mat_mul(Gc, Cz, Ctr);
    fmpz_mat_init(Dz, m->p, m->d);
    fmpz_mat_init(CD, M, m->d);
    fmpq_mat_get_fmpz_mat_matwise(Dz, dD, m->D);
    if (w->has_D)
        fmpz_mat_mul(CD, Cz, Dz);   /* row t: c_t^T D */
    fmpq_mat_init(w->Psi, m_, m_);
    for (j = 0; j < m_; j++)
        for (k = j; k < m_; k++) {
            fmpz_zero(acc);
            if (w->fb[j] >= 0 && w->fb[k] >= 0) {
                slong nj = terms(tc, tb, sg, w, j), nk = terms(uc, ub, ug, w, k);
                for (a = 0; a < nj; a++)
                    for (b = 0; b < nk; b++) {
                        fmpz_mul(x, fmpz_mat_entry(Gc, tc[a], uc[b]), fmpz_mat_entry(Gb, tb[a], ub[b]));
                        if (sg[a] * ug[b] > 0)
                            fmpz_add(acc, acc, x);
                        else
                            fmpz_sub(acc, acc, x);
                    }
                fmpz_mul(fmpq_denref(q), dB, dC);
                fmpz_mul(fmpq_denref(q), fmpq_denref(q), fmpq_denref(q));
            } else if (w->fb[j] >= 0 || w->fb[k] >= 0) {   /* <Z_j, D> = sum sg c^T D b */
                slong nj = terms(tc, tb, sg, w, w->fb[j] >= 0 ? j : k), c;
                for (a = 0; a < nj; a++) {
                    fmpz_zero(x);
                    for (c = 0; c < m->d; c++)
                        fmpz_addmul(x, fmpz_mat_entry(CD, tc[a], c), fmpz_mat_entry(Bz, tb[a], c));
                    if (sg[a] > 0)
                        fmpz_add(acc, acc, x);
                    else
                        fmpz_sub(acc, acc, x);
                }
                fmpz_mul(fmpq_denref(q), dB, dC);
                fmpz_mul(fmpq_denref(q), fmpq_denref(q), dD);
            } else {   /* ||D||_F^2 */
                slong r, c;
                for (r = 0; r < m->p; r++)
                    for (c = 0; c < m->d; c++)
                        fmpz_addmul(acc, fmpz_mat_entry(Dz, r, c), fmpz_mat_entry(Dz, r, c));
                fmpz_mul(fmpq_denref(q), dD, dD);
            }
            fmpz_set(fmpq_numref(q), acc);
            fmpq_canonicalise(q);
            fmpq_set(fmpq_mat_entry(w->Psi, j, k), q);
            fmpq_set(fmpq_mat_entry(w->Psi, k, j), q);
        }
    fmpz_mat_clear(Bz); fmpz_mat_clear(Cz); fmpz_mat_clear(Gb); fmpz_mat_clear(Gc);
    fmpz_mat_clear(Dz); fmpz_mat_clear(CD); fmpz_mat_clear(Bt); fmpz_mat_clear(Ctr);
    fmpz_clear(dB); fmpz_clear(dC); fmpz_clear(dD); fmpz_clear(x); fmpz_clear(acc);
    fmpq_clear(q);
}

/* round(num / den) = floor((2 num + den) / (2 den)), den > 0. */
static void round_q(fmpz_t out, const fmpz_t num, const fmpz_t den)
{
    fmpz_t a, b;
    fmpz_init(a);
    fmpz_init(b);
    fmpz_mul_2exp(a, num, 1);
    fmpz_add(a, a, den);
    fmpz_mul_2exp(b, den, 1);
    fmpz_fdiv_q(out, a, b);
    fmpz_clear(a);
    fmpz_clear(b);
}

/* Phit (m x n) by the fixed-point recursion, then Gammat 4^s = Phit W Phit^T. */
static void mode_gamma(modes_t *w)
{
    slong n = w->n, m_ = w->m, b, l, j;
    fmpz_mat_t Phi, PhiW, PhiT;
    fmpz_t x, y, nx, ny, num, den, an, ad, bn, bd;
    fmpz_init(x); fmpz_init(y); fmpz_init(nx); fmpz_init(ny); fmpz_init(num); fmpz_init(den);
    fmpz_init(an); fmpz_init(ad); fmpz_init(bn); fmpz_init(bd);
    fmpz_mat_init(Phi, m_, n);
    for (j = 0, b = 0; b < w->nblk; b++) {
        const blk_t *k = w->blk + b;
        slong g0 = w->delayed ? 1 : 0;
        fmpz_one(x);
        fmpz_mul_2exp(x, x, (ulong)w->s);
        fmpz_zero(y);
        fmpz_set(an, fmpq_numref(&k->re));
        fmpz_set(ad, fmpq_denref(&k->re));
        fmpz_set(bn, fmpq_numref(&k->im));
        fmpz_set(bd, fmpq_denref(&k->im));
        for (l = g0; l < n; l++) {
            fmpz_set(fmpz_mat_entry(Phi, j, l), x);
            if (k->size == 2)
                fmpz_set(fmpz_mat_entry(Phi, j + 1, l), y);
            if (l + 1 >= n)
                break;
            if (k->size == 1) {
                fmpz_mul(num, an, x);
                round_q(nx, num, ad);
            } else {   /* (a x - beta y, beta x + a y) over ad bd */
                fmpz_mul(den, ad, bd);
                fmpz_mul(num, an, bd);
                fmpz_mul(num, num, x);
                fmpz_mul(nx, bn, ad);
                fmpz_submul(num, nx, y);
                round_q(nx, num, den);
                fmpz_mul(num, bn, ad);
                fmpz_mul(num, num, x);
                fmpz_mul(ny, an, bd);
                fmpz_addmul(num, ny, y);
                round_q(ny, num, den);
                fmpz_swap(y, ny);
            }
            fmpz_swap(x, nx);
        }
        j += k->size;
    }
    if (w->has_D) {   /* [l = 0], exactly */
        fmpz_one(fmpz_mat_entry(Phi, j, 0));
        fmpz_mul_2exp(fmpz_mat_entry(Phi, j, 0), fmpz_mat_entry(Phi, j, 0), (ulong)w->s);
    }
    fmpz_mat_init(PhiW, m_, n);
    fmpz_mat_init(PhiT, n, m_);
    for (j = 0; j < m_; j++)
        for (l = 0; l < n; l++)
            fmpz_mul_si(fmpz_mat_entry(PhiW, j, l), fmpz_mat_entry(Phi, j, l), n - l);
    fmpz_mat_transpose(PhiT, Phi);
    fmpz_mat_init(w->Gam, m_, m_);
    fmpz_mat_mul(w->Gam, PhiW, PhiT);
    fmpz_mat_clear(Phi);
    fmpz_mat_clear(PhiW);
    fmpz_mat_clear(PhiT);
    fmpz_clear(x); fmpz_clear(y); fmpz_clear(nx); fmpz_clear(ny); fmpz_clear(num); fmpz_clear(den);
    fmpz_clear(an); fmpz_clear(ad); fmpz_clear(bn); fmpz_clear(bd);
}

/* E2 = (n1 4^(-s-1) + n2 2^(-2s-1)) (n S2 - S3). */
static void mode_error_bound(fmpq_t E2, const modes_t *w)
{
    fmpz_t S2, S3, n, c;
    fmpz_init(S2); fmpz_init(S3); fmpz_init(n); fmpz_init(c);
    fmpz_set_si(n, w->n);
    /* S2 = (n-1) n (2n-1) / 6, S3 = ((n-1) n / 2)^2 */
    fmpz_set_si(S2, w->n - 1);
    fmpz_mul(S2, S2, n);
    fmpz_mul_si(S2, S2, 2 * w->n - 1);
    fmpz_divexact_ui(S2, S2, 6);
    fmpz_set_si(S3, w->n - 1);
    fmpz_mul(S3, S3, n);
    fmpz_divexact_ui(S3, S3, 2);
    fmpz_mul(S3, S3, S3);
    fmpz_mul(c, n, S2);
    fmpz_sub(c, c, S3);
    /* (n1 + 2 n2) / 4^(s+1) */
    fmpz_mul_si(fmpq_numref(E2), c, w->n1 + 2 * w->n2);
    fmpz_one(fmpq_denref(E2));
    fmpz_mul_2exp(fmpq_denref(E2), fmpq_denref(E2), (ulong)(2 * w->s + 2));
    fmpq_canonicalise(E2);
    fmpz_clear(S2); fmpz_clear(S3); fmpz_clear(n); fmpz_clear(c);
}

/* x as an integer on the grid 2^-k, k chosen so every |entry| of the
   column-major n-vector x (count entries) is below 2^MODES_GRID: returns k,
   or WORD_MIN when an entry is not finite. */
static slong grid_of(const double *x, slong count)
{
    double mx = 0.0;
    slong i;
    int e;
    for (i = 0; i < count; i++) {
        if (!isfinite(x[i]))
            return WORD_MIN;
        mx = FLINT_MAX(mx, fabs(x[i]));
    }
    if (mx == 0.0)
        return 0;
    frexp(mx, &e);   /* mx < 2^e */
    return MODES_GRID - 1 - e;
}

static int to_grid(fmpz_t z, double x, slong k)
{
    return _ssmh_fmpz_set_d(z, nearbyint(ldexp(x, (int)k)));
}

/* The fmpq matrix Z 2^-k. */
static void grid_to_fmpq(fmpq_mat_t out, const fmpz_mat_t Z, slong k)
{
    slong i, j;
    for (i = 0; i < fmpz_mat_nrows(Z); i++)
        for (j = 0; j < fmpz_mat_ncols(Z); j++) {
            fmpq_set_fmpz(fmpq_mat_entry(out, i, j), fmpz_mat_entry(Z, i, j));
            _ssmh_fmpq_mul_2exp_si(fmpq_mat_entry(out, i, j), fmpq_mat_entry(out, i, j), -k);
        }
}

/* x = L^-T v (L lower triangular, doubles). */
static void solve_lt(double *x, const double *L, const double *v, slong n)
{
    slong i, k;
    for (i = n - 1; i >= 0; i--) {
        double s = v[i];
        for (k = i + 1; k < n; k++)
            s -= L[k * n + i] * x[k];
        x[i] = s / L[i * n + i];
    }
}

/* tr(A^T X B) for fmpz matrices of equal shape A, XB: sum of products. */
static void frob_dot(fmpz_t out, const fmpz_mat_t A, const fmpz_mat_t B)
{
    slong i, j;
    fmpz_zero(out);
    for (i = 0; i < fmpz_mat_nrows(A); i++)
        for (j = 0; j < fmpz_mat_ncols(A); j++)
            fmpz_addmul(out, fmpz_mat_entry(A, i, j), fmpz_mat_entry(B, i, j));
}

/* S >= 0 proven: by a rounded factor, or exactly when S is small (a large
   S the factor cannot settle is left unproven: its exact elimination on
   these numbers would take far too long). */
static int psd_proven(const fmpq_mat_t S)
{
    int r = _ssmh_psd_by_factor(S, 0);
    if (r == -1 && fmpq_mat_nrows(S) < 24)
        r = _ssmh_is_psd(S, 0);
    return r == 1;
}

/* The upper witness: basis Y (m x H) on its grid, eta, error2_upper. */
static int upper_witness(ssmh_approx_t a, const modes_t *w, const double *Lc, const double *V,
                         const fmpq_t delta, fmpz_mat_t Yz, slong *ky)
{
    slong m_ = w->m, H = a->H, i, h;
    double *Y = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(1, m_ * H));
    double *v = flint_malloc(sizeof(double) * (size_t)m_), *x = flint_malloc(sizeof(double) * (size_t)m_);
    fmpz_mat_t Pz, S, Yt, T, GS;
    fmpz_t dP, tr1, tr2;
    fmpq_mat_t Tq;
    fmpq_t q, r;
    int ok = 1;
    double lmax = 0.0;
    for (h = 0; h < H; h++) {   /* y_h = Lc^-T v_h, column h */
        for (i = 0; i < m_; i++)
            v[i] = V[i * m_ + h];
        solve_lt(x, Lc, v, m_);
        for (i = 0; i < m_; i++)
            Y[i * H + h] = x[i];
    }
    *ky = grid_of(Y, m_ * H);
    fmpz_mat_init(Yz, m_, H);
    for (i = 0; i < m_ * H && ok; i++)
        ok = *ky != WORD_MIN && to_grid(fmpz_mat_entry(Yz, i / H, i % H), Y[i], *ky);
    flint_free(Y);
    flint_free(v);
    flint_free(x);
    if (!ok)
        return 0;
    fmpz_init(dP); fmpz_init(tr1); fmpz_init(tr2);
    fmpq_init(q); fmpq_init(r);
    fmpz_mat_init(Pz, m_, m_);
    fmpz_mat_init(S, m_, H);
    fmpz_mat_init(Yt, H, m_);
    fmpz_mat_init(T, H, H);
    fmpz_mat_init(GS, m_, H);
    fmpq_mat_get_fmpz_mat_matwise(Pz, dP, w->Psi);
    fmpz_mat_mul(S, Pz, Yz);          /* S = Psi Y  dP 2^ky */
    fmpz_mat_transpose(Yt, Yz);
    fmpz_mat_mul(T, Yt, S);           /* Y^T Psi Y  dP 4^ky */
    fmpq_mat_init(Tq, H, H);
    fmpq_mat_set_fmpz_mat_div_fmpz(Tq, T, dP);
    for (i = 0; i < H; i++)
        for (h = 0; h < H; h++)
            _ssmh_fmpq_mul_2exp_si(fmpq_mat_entry(Tq, i, h), fmpq_mat_entry(Tq, i, h), -2 * *ky);
    {   /* eta: lambda_max(T) - 1, from doubles, then proven */
        double *td = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(1, H * H));
        double *tv = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(1, H * H));
        double *tw = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(1, H));
        for (i = 0; i < H * H; i++)
            td[i] = fmpq_get_d(fmpq_mat_entry(Tq, i / H, i % H));
        ok = H == 0 || _ssmh_symeig(tw, tv, td, H);
        if (H > 0)
            lmax = tw[0];
        flint_free(td);
        flint_free(tv);
        flint_free(tw);
    }
    for (i = 0; i < MODES_TRIES && ok; i++) {
        double eta = FLINT_MAX(lmax - 1.0, 0.0) + ldexp(1.0, -40 + 8 * (int)i);
        fmpq_mat_t X;
        slong u;
        if (!_ssmh_round_up(a->eta, eta)) {
            ok = 0;
            break;
        }
        fmpq_mat_init(X, H, H);
        fmpq_mat_neg(X, Tq);
        for (u = 0; u < H; u++) {
            fmpq_add_ui(fmpq_mat_entry(X, u, u), fmpq_mat_entry(X, u, u), 1);
            fmpq_add(fmpq_mat_entry(X, u, u), fmpq_mat_entry(X, u, u), a->eta);
        }
        ok = H == 0 || psd_proven(X);
        fmpq_mat_clear(X);
        if (ok)
            break;
        ok = i + 1 < MODES_TRIES;
    }
    if (ok) {
        /* error2_upper = T_hi - (tr(S^T Gammat S) - delta tr(S^T S)) / (1 + eta) */
        fmpz_mat_mul(GS, w->Gam, S);
        frob_dot(tr1, S, GS);         /* dP^2 4^(ky + s) */
        frob_dot(tr2, S, S);          /* dP^2 4^ky */
        fmpq_set_fmpz_frac(q, tr1, dP);
        fmpq_div_fmpz(q, q, dP);
        _ssmh_fmpq_mul_2exp_si(q, q, -2 * (*ky + w->s));
        fmpq_set_fmpz_frac(r, tr2, dP);
        fmpq_div_fmpz(r, r, dP);
        _ssmh_fmpq_mul_2exp_si(r, r, -2 * *ky);
        fmpq_mul(r, r, delta);
        fmpq_sub(q, q, r);
        fmpq_add_ui(r, a->eta, 1);
        fmpq_div(q, q, r);
        fmpq_sub(a->error2_upper, a->total_hi, q);
        ok = fmpq_cmp(a->error2_upper, a->tau) <= 0;
    }
    fmpq_mat_clear(Tq);
    fmpz_mat_clear(Pz); fmpz_mat_clear(S); fmpz_mat_clear(Yt); fmpz_mat_clear(T); fmpz_mat_clear(GS);
    fmpz_clear(dP); fmpz_clear(tr1); fmpz_clear(tr2);
    fmpq_clear(q); fmpq_clear(r);
    return ok;
}

/* Psi_up = round(2^q Psi) / 2^q + diag(row sums of the rounding). */
static void psi_up(fmpq_mat_t U, const fmpq_mat_t Psi, slong q)
{
    slong i, j, n = fmpq_mat_nrows(Psi);
    fmpq_t d, x;
    fmpz_t z;
    fmpq_init(d);
    fmpq_init(x);
    fmpz_init(z);
    for (i = 0; i < n; i++) {
        fmpq_zero(d);
        for (j = 0; j < n; j++) {
            const fmpq *p = fmpq_mat_entry(Psi, i, j);
            fmpq_mul_2exp(x, p, (ulong)q);
            round_q(z, fmpq_numref(x), fmpq_denref(x));
            fmpq_set_fmpz(fmpq_mat_entry(U, i, j), z);
            fmpq_div_2exp(fmpq_mat_entry(U, i, j), fmpq_mat_entry(U, i, j), (ulong)q);
            fmpq_sub(x, p, fmpq_mat_entry(U, i, j));
            fmpq_abs(x, x);
            fmpq_add(d, d, x);
        }
        fmpq_add(fmpq_mat_entry(U, i, i), fmpq_mat_entry(U, i, i), d);
    }
    fmpq_clear(d);
    fmpq_clear(x);
    fmpz_clear(z);
}

/* The lower witness for m' = H - 1: t, vectors b_i (m x m'), L, c2, q. */
static int lower_witness(ssmh_approx_t a, const modes_t *w, const double *Lc, const double *V,
                         const double *lam, const fmpq_t delta, slong try_)
{
    slong m_ = w->m, mp = a->H - 1, i, j, kb, kl;
    double sigma = FLINT_MAX(lam[0], 1e-300) * ldexp(1.0, -36 + 6 * (int)try_);
    double c2 = 1.0 - ldexp(1.0, -MODES_C2_BITS), td, *Bd, *x, *v;
    fmpz_mat_t Bz, Lz, Lt, Yz, G1, G2, LL, Pz, PB;
    fmpq_mat_t X, U;
    fmpz_t dP, z;
    fmpq_t q1, q2;
    int ok = 1;

    td = (lam[mp] > 0 ? lam[mp] : 0.0) + sigma;   /* t c2 = lambda_{m'+1} + sigma */
    td /= c2;
    if (!_ssmh_round_up(a->t, td))
        return 0;
    fmpq_set_si(a->c2, (WORD(1) << MODES_C2_BITS) - 1, WORD(1) << MODES_C2_BITS);
    /* b_i = sqrt(lambda_i - t c2 + sigma) Lc^-T v_i */
    Bd = flint_malloc(sizeof(double) * (size_t)FLINT_MAX(1, m_ * mp));
    x = flint_malloc(sizeof(double) * (size_t)m_);
    v = flint_malloc(sizeof(double) * (size_t)m_);
    for (i = 0; i < mp; i++) {
        double y = lam[i] - fmpq_get_d(a->t) * c2 + sigma;
        for (j = 0; j < m_; j++)
            v[j] = V[j * m_ + i];
        solve_lt(x, Lc, v, m_);
        for (j = 0; j < m_; j++)
            Bd[j * mp + i] = sqrt(FLINT_MAX(y, 0.0)) * x[j];
    }
    flint_free(x);
    flint_free(v);
    kb = grid_of(Bd, m_ * mp);
    kl = grid_of(Lc, m_ * m_);
    fmpz_mat_init(Bz, m_, mp);
    fmpz_mat_init(Lz, m_, m_);
    for (i = 0; i < m_ * mp && ok; i++)
        ok = kb != WORD_MIN && to_grid(fmpz_mat_entry(Bz, i / mp, i % mp), Bd[i], kb);
    for (i = 0; i < m_ && ok; i++)
        for (j = 0; j <= i && ok; j++)
            ok = kl != WORD_MIN && to_grid(fmpz_mat_entry(Lz, i, j), Lc[i * m_ + j], kl)
                 && (j < i || !fmpz_is_zero(fmpz_mat_entry(Lz, i, j)));
    flint_free(Bd);
    fmpz_init(dP); fmpz_init(z);
    fmpq_init(q1); fmpq_init(q2);
    fmpz_mat_init(Lt, m_, m_);
    fmpz_mat_init(Yz, m_, m_);
    fmpz_mat_init(G1, m_, m_);
    fmpz_mat_init(G2, m_, m_);
    fmpz_mat_init(LL, m_, m_);
    fmpz_mat_init(Pz, m_, m_);
    fmpz_mat_init(PB, m_, mp);
    fmpq_mat_init(X, m_, m_);
    fmpq_mat_init(U, m_, m_);
    if (ok) {   /* (i) L L^T - c2 Psi_up >= 0 */
        slong qb;
        double mx = 0.0;
        int e;
        for (i = 0; i < m_; i++)   /* |Psi_ij| <= max Psi_ii: Psi_up below 2^59 on its grid */
            mx = FLINT_MAX(mx, fabs(fmpq_get_d(fmpq_mat_entry(w->Psi, i, i))));
        frexp(FLINT_MAX(mx, 1e-300), &e);
        qb = FLINT_MAX(0, MODES_GRID - 2 - (slong)e);
        a->q = qb;
        psi_up(U, w->Psi, qb);
        fmpz_mat_transpose(Lt, Lz);
        fmpz_mat_mul(LL, Lz, Lt);     /* 4^kl */
        grid_to_fmpq(X, LL, 2 * kl);
        fmpq_mat_scalar_mul_fmpq(U, U, a->c2);
        fmpq_mat_sub(X, X, U);
        ok = psd_proven(X);
    }
    if (ok) {   /* (ii) L^T (Yz - Gammat - delta I) L + t c2 I >= 0 */
        fmpz_mat_t Bt, LtB, Gl;
        fmpz_mat_init(Bt, mp, m_);
        fmpz_mat_init(LtB, m_, mp);
        fmpz_mat_init(Gl, m_, m_);
        fmpz_mat_mul(LtB, Lt, Bz);                /* L^T b_i: 2^(kl + kb) */
        fmpz_mat_transpose(Bt, LtB);
        fmpz_mat_mul(Yz, LtB, Bt);                /* 4^(kl + kb) */
        fmpz_mat_mul(Gl, Lt, w->Gam);
        fmpz_mat_mul(G1, Gl, Lz);                 /* L^T Gammat L: 4^(kl + s) */
        fmpz_mat_mul(G2, Lt, Lz);                 /* L^T L: 4^kl */
        grid_to_fmpq(X, Yz, 2 * (kl + kb));
        grid_to_fmpq(U, G1, 2 * (kl + w->s));
        fmpq_mat_sub(X, X, U);
        grid_to_fmpq(U, G2, 2 * kl);
        fmpq_mat_scalar_mul_fmpq(U, U, delta);
        fmpq_mat_sub(X, X, U);
        fmpq_mul(q1, a->t, a->c2);
        for (i = 0; i < m_; i++)
            fmpq_add(fmpq_mat_entry(X, i, i), fmpq_mat_entry(X, i, i), q1);
        ok = psd_proven(X);
        fmpz_mat_clear(Bt);
        fmpz_mat_clear(LtB);
        fmpz_mat_clear(Gl);
    }
    if (ok) {   /* error2_lower_prev = T_lo - m' t - sum b_i^T Psi b_i */
        fmpq_mat_get_fmpz_mat_matwise(Pz, dP, w->Psi);
        fmpz_mat_mul(PB, Pz, Bz);
        frob_dot(z, Bz, PB);                      /* dP 4^kb */
        fmpq_set_fmpz_frac(q2, z, dP);
        _ssmh_fmpq_mul_2exp_si(q2, q2, -2 * kb);
        fmpq_mul_si(q1, a->t, mp);
        fmpq_sub(a->error2_lower_prev, a->total, q1);
        fmpq_sub(a->error2_lower_prev, a->error2_lower_prev, q2);
        ok = fmpq_cmp(a->error2_lower_prev, a->tau_hi) > 0;
    }
    if (ok) {
        fmpq_mat_clear(a->W);
        fmpq_mat_init(a->W, m_, mp);
        grid_to_fmpq(a->W, Bz, kb);
        fmpq_mat_clear(a->L);
        fmpq_mat_init(a->L, m_, m_);
        grid_to_fmpq(a->L, Lz, kl);
    }
    fmpz_mat_clear(Bz); fmpz_mat_clear(Lz); fmpz_mat_clear(Lt);
    fmpz_mat_clear(Yz); fmpz_mat_clear(G1); fmpz_mat_clear(G2); fmpz_mat_clear(LL);
    fmpz_mat_clear(Pz); fmpz_mat_clear(PB);
    fmpq_mat_clear(X); fmpq_mat_clear(U);
    fmpz_clear(dP); fmpz_clear(z);
    fmpq_clear(q1); fmpq_clear(q2);
    return ok;
}

int _ssmh_approx_modes(ssmh_approx_t a, const ssmh_model_t m, const ssmh_limits_t *lim,
                       ssmh_error_t *err)
{
    modes_t w;
    fmpq_t E2, delta, x;
    double *Pd = NULL, *Lc = NULL, *K = NULL, *V = NULL, *lam = NULL, *Gd = NULL, *T1 = NULL;
    fmpz_mat_t Yz;
    slong m_, i, j, k, h, ky = 0;
    double dk;
    int rc = SSMH_OK, have_Y = 0;

    memset(&w, 0, sizeof(w));
    fmpq_mat_init(w.Psi, 0, 0);
    fmpz_mat_init(w.Gam, 0, 0);
    fmpq_init(w.trGP);
    fmpq_init(w.trPsi);
    fmpq_init(E2); fmpq_init(delta); fmpq_init(x);
    if (m->structure == SSMH_STRUCTURE_DENSE) {
        rc = undecided(err, "needs a diag or complex_diag model");
        goto done;
    }
    w.n = a->n;
    w.p = m->p;
    w.d = m->d;
    w.delayed = m->convention == SSMH_CONVENTION_DELAYED;
    if (!modes_layout(&w, m)) {
        rc = undecided(err, "an eigenvalue has |lambda| > 1");
        goto done;
    }
    m_ = w.m;
    if (w.M * (w.p + w.d) > MODES_MAX_DENSE || m_ > MODES_MAX_M || m_ == 0) {
        rc = undecided(err, "the layer is too large for dense mode Gram matrices");
        goto done;
    }
    w.s = MODES_BITS;
    a->s = w.s;
    ssmh_progress_step(lim, "approx: mode Gram matrices", 0, 3);
    mode_gram(&w, m);
    ssmh_progress_step(lim, "approx: fixed-point mode functions", 1, 3);
    mode_gamma(&w);

    /* u^2 >= tr Gammat, e^2 >= E2, delta; tr(Gammat Psi) and tr Psi */
    fmpq_zero(x);
    for (j = 0; j < m_; j++)
        fmpq_add_fmpz(x, x, fmpz_mat_entry(w.Gam, j, j));
    _ssmh_fmpq_mul_2exp_si(x, x, -2 * w.s);
    _ssmh_sqrt_up(a->u, x);
    mode_error_bound(E2, &w);
    _ssmh_sqrt_up(a->e, E2);
    fmpq_mul_2exp(delta, a->u, 1);
    fmpq_add(delta, delta, a->e);
    fmpq_mul(delta, delta, a->e);
    {
        fmpq_t g;
        fmpq_init(g);
        for (j = 0; j < m_; j++) {
            fmpq_add(w.trPsi, w.trPsi, fmpq_mat_entry(w.Psi, j, j));
            for (k = 0; k < m_; k++) {
                fmpq_set_fmpz(g, fmpz_mat_entry(w.Gam, j, k));
                fmpq_mul(g, g, fmpq_mat_entry(w.Psi, j, k));
                fmpq_add(w.trGP, w.trGP, g);
            }
        }
        _ssmh_fmpq_mul_2exp_si(w.trGP, w.trGP, -2 * w.s);
        fmpq_clear(g);
    }
    fmpq_mul(x, delta, w.trPsi);
    fmpq_sub(a->total, w.trGP, x);
    if (fmpq_sgn(a->total) < 0)
        fmpq_zero(a->total);
    fmpq_add(a->total_hi, w.trGP, x);
    fmpq_mul(a->tau, a->eps, a->eps);
    fmpq_set(a->tau_hi, a->tau);
    if (a->relative) {
        fmpq_mul(a->tau_hi, a->tau, a->total_hi);
        fmpq_mul(a->tau, a->tau, a->total);
    }

    /* guidance: Psi = Lc Lc^T, the eigen-decomposition of Lc^T Gammat Lc */
    ssmh_progress_step(lim, "approx: eigenvectors in mode space", 2, 3);
    Pd = flint_malloc(sizeof(double) * (size_t)(m_ * m_));
    Gd = flint_malloc(sizeof(double) * (size_t)(m_ * m_));
    Lc = flint_malloc(sizeof(double) * (size_t)(m_ * m_));
    K = flint_malloc(sizeof(double) * (size_t)(m_ * m_));
    T1 = flint_malloc(sizeof(double) * (size_t)(m_ * m_));
    V = flint_malloc(sizeof(double) * (size_t)(m_ * m_));
    lam = flint_malloc(sizeof(double) * (size_t)m_);
    for (i = 0; i < m_; i++)
        for (j = 0; j < m_; j++) {
            Pd[i * m_ + j] = fmpq_get_d(fmpq_mat_entry(w.Psi, i, j));
            Gd[i * m_ + j] = ldexp(fmpz_get_d(fmpz_mat_entry(w.Gam, i, j)), (int)(-2 * w.s));
        }
    if (_ssmh_cholesky_d(Lc, Pd, m_, 0.0, &dk) != m_) {
        rc = undecided(err, "the mode matrices are linearly dependent or too ill-conditioned "
                            "for the floating-point guidance");
        goto done;
    }
    for (i = 0; i < m_; i++)   /* T1 = Gd Lc */
        for (j = 0; j < m_; j++) {
            double s = 0.0;
            for (k = j; k < m_; k++)
                s += Gd[i * m_ + k] * Lc[k * m_ + j];
            T1[i * m_ + j] = s;
        }
    for (i = 0; i < m_; i++)   /* K = Lc^T T1 */
        for (j = 0; j <= i; j++) {
            double s = 0.0;
            for (k = i; k < m_; k++)
                s += Lc[k * m_ + i] * T1[k * m_ + j];
            K[i * m_ + j] = K[j * m_ + i] = s;
        }
    if (!_ssmh_symeig(lam, V, K, m_)) {
        rc = undecided(err, "the floating-point eigen-decomposition did not converge");
        goto done;
    }
    {
        double tail = 0.0, tau_d = fmpq_get_d(a->tau);
        for (h = m_ - 1; h >= 0; h--)
            tail += FLINT_MAX(lam[h], 0.0);
        for (h = 0; h < FLINT_MIN(m_, a->k) && tail > tau_d; h++)
            tail -= FLINT_MAX(lam[h], 0.0);
        a->H = h;
    }

    /* upper witness */
    have_Y = 1;
    if (!upper_witness(a, &w, Lc, V, delta, Yz, &ky)) {
        rc = undecided(err, "eps^2 is too close to E(H)^2 for the fixed-point mode functions");
        goto done;
    }
    fmpq_mat_clear(a->basis);
    fmpq_mat_init(a->basis, m_, a->H);
    grid_to_fmpq(a->basis, Yz, ky);

    /* lower witness */
    if (a->H == 1) {
        fmpq_set(a->error2_lower_prev, a->total);
        if (fmpq_cmp(a->error2_lower_prev, a->tau_hi) <= 0) {
            rc = undecided(err, "eps^2 is too close to ||T||_F^2 for the fixed-point mode functions");
            goto done;
        }
    } else if (a->H >= 2) {
        int found = 0;
        slong try_;
        for (try_ = 0; try_ < MODES_TRIES && !found; try_++)
            found = lower_witness(a, &w, Lc, V, lam, delta, try_);
        if (!found) {
            rc = undecided(err, "eps^2 is too close to E(H-1)^2 for the fixed-point mode functions");
            goto done;
        }
    }
    a->dim = m_;
    a->method = SSMH_APPROX_MODES;
done:
    if (have_Y)
        fmpz_mat_clear(Yz);
    flint_free(Pd); flint_free(Gd); flint_free(Lc); flint_free(K); flint_free(T1);
    flint_free(V); flint_free(lam);
    modes_clear(&w);
    fmpq_clear(E2); fmpq_clear(delta); fmpq_clear(x);
    return rc;
}
