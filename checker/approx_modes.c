/*
 * Checker for the mode variant of kind `approx` (witness.method "modes";
 * doc/approx.md, "Mode certificates"), for wide diag / complex_diag layers.
 * Everything is recomputed here from the embedded model, in integers (GMP;
 * products by 62-bit chunks and exact 64-bit dot products), sharing no
 * code with the producer.  Accepts only when, exactly:
 *  - every block has |lambda|^2 <= 1, 1 <= s <= 96, e^2 >= E2 and
 *    u^2 >= tr Gammat for the fixed-point mode functions recomputed here,
 *    so ||Gamma - Gammat||_2 <= delta = e (2u + e) and tr G lies in
 *    [T_lo, T_hi] = tr(Gammat Psi) -+ delta tr Psi;
 *  - upper: (1 + eta) I - Y^T Psi Y >= 0 and error2_upper =
 *    T_hi - (tr(S^T Gammat S) - delta tr(S^T S)) / (1 + eta) <= tau_lo;
 *  - lower: error2_lower_prev > tau_hi and equals T_lo (H = 1) or, for
 *    H >= 2, T_lo - (H-1) t - sum_i b_i^T Psi b_i, with t >= 0, L lower
 *    triangular with a nonzero diagonal, 0 < c2 <= 1, L L^T - c2 Psi_up >= 0
 *    and L^T (Yz - Gammat - delta I) L + t c2 I >= 0.
 * Hence E(H)^2 <= tau < E(H-1)^2 for the true operator.
 */
#include "ssmhc-impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_S 96
#define MAX_Q 4096
#define CHUNK 50   /* products below 2^100: 2^26 of them sum in 128 bits */

/* ---- integer matrices ------------------------------------------------------ */

typedef struct {
    long r, c;
    mpz_t *e;
} zmat;
#define ZM(m, i, j) ((m)->e[(size_t)(i) * (size_t)(m)->c + (size_t)(j)])

static void zmat_init(zmat *m, long r, long c)
{
    size_t i, n = (size_t)r * (size_t)c;
    m->r = r;
    m->c = c;
    m->e = ssmhc_malloc(sizeof(mpz_t) * (n ? n : 1));
    for (i = 0; i < n; i++)
        mpz_init(m->e[i]);
}

static void zmat_clear(zmat *m)
{
    size_t i, n = (size_t)m->r * (size_t)m->c;
    if (m->e == NULL)
        return;
    for (i = 0; i < n; i++)
        mpz_clear(m->e[i]);
    free(m->e);
    m->e = NULL;
}

static void zmat_transpose(zmat *out, const zmat *a)
{
    long i, j;
    zmat_init(out, a->c, a->r);
    for (i = 0; i < a->r; i++)
        for (j = 0; j < a->c; j++)
            mpz_set(ZM(out, j, i), ZM(a, i, j));
}

/* The entries of a as `chunks` planes of signed 62-bit pieces:
   x = sum_c p_c 2^(62 c), each p_c with the sign of x. */
static long long *planes(long *chunks, const zmat *a)
{
    size_t n = (size_t)a->r * (size_t)a->c, i, bits = 1;
    long c;
    long long *p;
    mpz_t t;
    for (i = 0; i < n; i++)
        if (mpz_sizeinbase(a->e[i], 2) > bits)
            bits = mpz_sizeinbase(a->e[i], 2);
    *chunks = (long)((bits + CHUNK - 1) / CHUNK);
    p = ssmhc_malloc(sizeof(long long) * (n ? n : 1) * (size_t)*chunks);
    mpz_init(t);
    for (i = 0; i < n; i++) {
        int neg = mpz_sgn(a->e[i]) < 0;
        mpz_abs(t, a->e[i]);
        for (c = 0; c < *chunks; c++) {
            long long v = (long long)(mpz_get_ui(t) & ((1UL << CHUNK) - 1));
            mpz_fdiv_q_2exp(t, t, CHUNK);
            p[(size_t)c * n + i] = neg ? -v : v;
        }
    }
    mpz_clear(t);
    return p;
}

typedef __int128 i128;

/* sum_k a_k b_k for |a_k| < 2^61, |b_k| < 2^50 and n < 2^16 (or |a_k| <
   2^50 and n < 2^26): every partial sum stays below 2^127. */
static i128 dot_small(const long long *a, const long long *b, long n)
{
    i128 acc = 0;
    long k;
    for (k = 0; k < n; k++)
        acc += (i128)a[k] * b[k];
    return acc;
}

/* out = A diag(w) B^T (A: r x k, Bt: c x k, rows contiguous; w NULL: 1;
   0 < w_k < 2^11 and k < 2^16 otherwise), exactly. */
static void zmat_mul_tw(zmat *out, const zmat *A, const zmat *Bt, const long *w)
{
    long ca, cb, x, y, i, j, k = A->c, l;
    long long *pa = planes(&ca, A), *pb = planes(&cb, Bt);
    size_t na = (size_t)A->r * (size_t)k, nb = (size_t)Bt->r * (size_t)k;
    mpz_t d;
    if (w != NULL)   /* the weights into A's pieces: below 2^61 */
        for (x = 0; x < ca; x++)
            for (i = 0; i < A->r; i++)
                for (l = 0; l < k; l++)
                    pa[(size_t)x * na + (size_t)i * (size_t)k + (size_t)l] *= w[l];
    mpz_init(d);
    zmat_init(out, A->r, Bt->r);
    for (x = 0; x < ca; x++)
        for (y = 0; y < cb; y++)
            for (i = 0; i < A->r; i++)
                for (j = 0; j < Bt->r; j++) {
                    i128 v = dot_small(pa + (size_t)x * na + (size_t)i * (size_t)k,
                                       pb + (size_t)y * nb + (size_t)j * (size_t)k, k);
                    if (v == 0)
                        continue;
                    ssmhc_mpz_set_i128(d, v);
                    mpz_mul_2exp(d, d, (mp_bitcnt_t)(CHUNK * (x + y)));
                    mpz_add(ZM(out, i, j), ZM(out, i, j), d);
                }
    mpz_clear(d);
    free(pa);
    free(pb);
}

/* out = A B^T, exactly. */
static void zmat_mul_t(zmat *out, const zmat *A, const zmat *Bt)
{
    zmat_mul_tw(out, A, Bt, NULL);
}

/* out = A B (out initialised by the call). */
static void zmat_mul(zmat *out, const zmat *A, const zmat *B)
{
    zmat Bt;
    zmat_transpose(&Bt, B);
    zmat_mul_t(out, A, &Bt);
    zmat_clear(&Bt);
}

/* A rational matrix as integers over one denominator. */
static void zmat_from_q(zmat *out, mpz_t den, const ssmhc_qmat *q)
{
    mpz_t *z = ssmhc_qmat_integers(den, q);
    size_t i, n = (size_t)q->rows * (size_t)q->cols;
    out->r = q->rows;
    out->c = q->cols;
    out->e = ssmhc_malloc(sizeof(mpz_t) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        mpz_init_set(out->e[i], z[i]);
        mpz_clear(z[i]);
    }
    free(z);
}

/* sum_ij A_ij B_ij */
static void zmat_frob(mpz_t out, const zmat *A, const zmat *B)
{
    size_t i, n = (size_t)A->r * (size_t)A->c;
    mpz_set_ui(out, 0);
    for (i = 0; i < n; i++)
        mpz_addmul(out, A->e[i], B->e[i]);
}

/* q = z / (den 2^k) */
static void q_of(mpq_t q, const mpz_t z, const mpz_t den, long k)
{
    mpz_set(mpq_numref(q), z);
    mpz_mul_2exp(mpq_denref(q), den, (mp_bitcnt_t)k);
    mpq_canonicalize(q);
}

/* ---- the model's modes ---------------------------------------------------- */

typedef struct {
    long M, m, nblk, n1, n2, p, d;
    long *bt, *bsz;     /* blocks: first state, size */
    long *fb, *fpart;   /* functions: block (-1: D), part */
    int has_D;
} layout;

static void layout_clear(layout *w)
{
    free(w->bt);
    free(w->bsz);
    free(w->fb);
    free(w->fpart);
}

/* 0, or -1 with r set (|lambda|^2 > 1). */
static int layout_read(layout *w, const ssmhc_model *m, ssmhc_report_t *r)
{
    long t, j = 0;
    mpq_t r2, x;
    int ok = 1;
    memset(w, 0, sizeof(*w));
    w->M = m->N;
    w->p = m->p;
    w->d = m->d;
    w->bt = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    w->bsz = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    w->fb = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 2));
    w->fpart = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 2));
    mpq_init(r2);
    mpq_init(x);
    for (t = 0; t < m->N; t += w->bsz[w->nblk++]) {
        w->bt[w->nblk] = t;
        w->bsz[w->nblk] = m->blk[t] == 1 ? 2 : 1;
        mpq_mul(r2, SSMHC_Q(&m->Ab, t, 0), SSMHC_Q(&m->Ab, t, 0));
        if (m->blk[t] == 1) {   /* beta = A[t+1][t] */
            mpq_mul(x, SSMHC_Q(&m->Ab, t + 1, 1), SSMHC_Q(&m->Ab, t + 1, 1));
            mpq_add(r2, r2, x);
            w->n2++;
        } else {
            w->n1++;
        }
        if (mpq_cmp_ui(r2, 1, 1) > 0)
            ok = 0;
        w->fb[j] = w->nblk;
        w->fpart[j++] = 0;
        if (m->blk[t] == 1) {
            w->fb[j] = w->nblk;
            w->fpart[j++] = 1;
        }
    }
    w->has_D = !ssmhc_smat_is_zero(&m->D);
    if (w->has_D) {
        w->fb[j] = -1;
        w->fpart[j++] = 0;
    }
    w->m = j;
    mpq_clear(r2);
    mpq_clear(x);
    if (!ok) {
        layout_clear(w);
        return ssmhc_fail(r, "model: a block has |lambda|^2 > 1 (the mode witness needs <= 1)"), -1;
    }
    return 0;
}

/* Z_j = sum sg c_tc b_tb^T: at most two terms. */
static long terms(long *tc, long *tb, long *sg, const layout *w, long j)
{
    long b = w->fb[j], t = w->bt[b], k;
    if (w->fpart[j] == 0) {
        for (k = 0; k < w->bsz[b]; k++) {
            tc[k] = tb[k] = t + k;
            sg[k] = 1;
        }
        return w->bsz[b];
    }
    tc[0] = t + 1; tb[0] = t; sg[0] = 1;
    tc[1] = t; tb[1] = t + 1; sg[1] = -1;
    return 2;
}

/* Psi_jk = <Z_j, Z_k>_F, exactly (the Gram matrices of C's columns and B's
   rows; c_t^T D b_u for the D function). */
static void mode_psi(ssmhc_qmat *Psi, const layout *w, const ssmhc_model *m)
{
    ssmhc_qmat Bq, Cq;
    ssmhc_smat Ct;
    zmat Bz, Cz, Gb, Gc;
    mpz_t dB, dC, acc, x;
    mpq_t q, y;
    long j, k, a, b, mm = w->m;
    long tc[2], tb[2], sg[2], uc[2], ub[2], ug[2];
    mpz_init(dB); mpz_init(dC); mpz_init(acc); mpz_init(x);
    mpq_init(q); mpq_init(y);
    ssmhc_smat_transpose(&Ct, &m->C);     /* row t: column t of C */
    if (ssmhc_smat_dense(&Bq, &m->B, "approx: B") != 0 || ssmhc_smat_dense(&Cq, &Ct, "approx: C") != 0)
        ssmhc_out_of_memory("approx: the dense realified B and C");
    zmat_from_q(&Bz, dB, &Bq);
    zmat_from_q(&Cz, dC, &Cq);
    zmat_mul_t(&Gb, &Bz, &Bz);            /* b_t . b_u  dB^2 */
    zmat_mul_t(&Gc, &Cz, &Cz);            /* c_t . c_u  dC^2 */
    ssmhc_qmat_init(Psi, mm, mm);
    for (j = 0; j < mm; j++)
        for (k = j; k < mm; k++) {
            if (w->fb[j] >= 0 && w->fb[k] >= 0) {
                long nj = terms(tc, tb, sg, w, j), nk = terms(uc, ub, ug, w, k);
                mpz_set_ui(acc, 0);
                for (a = 0; a < nj; a++)
                    for (b = 0; b < nk; b++) {
                        mpz_mul(x, ZM(&Gc, tc[a], uc[b]), ZM(&Gb, tb[a], ub[b]));
                        if (sg[a] * ug[b] > 0)
                            mpz_add(acc, acc, x);
                        else
                            mpz_sub(acc, acc, x);
                    }
                mpz_mul(x, dB, dC);
                mpz_mul(x, x, x);
                mpq_set_num(q, acc);
                mpq_set_den(q, x);
                mpq_canonicalize(q);
            } else if (w->fb[j] >= 0 || w->fb[k] >= 0) {   /* sum sg c^T D b */
                long nj = terms(tc, tb, sg, w, w->fb[j] >= 0 ? j : k), i, e;
                mpq_set_ui(q, 0, 1);
                for (a = 0; a < nj; a++)
                    for (i = 0; i < m->D.rows; i++)
                        for (e = m->D.rowptr[i]; e < m->D.rowptr[i + 1]; e++) {
                            mpq_mul(y, SSMHC_Q(&Cq, tc[a], i), m->D.val[e]);
                            mpq_mul(y, y, SSMHC_Q(&Bq, tb[a], m->D.col[e]));
                            if (sg[a] > 0)
                                mpq_add(q, q, y);
                            else
                                mpq_sub(q, q, y);
                        }
            } else {   /* ||D||_F^2 */
                long e;
                mpq_set_ui(q, 0, 1);
                for (e = 0; e < m->D.rowptr[m->D.rows]; e++) {
                    mpq_mul(y, m->D.val[e], m->D.val[e]);
                    mpq_add(q, q, y);
                }
            }
            mpq_set(SSMHC_Q(Psi, j, k), q);
            mpq_set(SSMHC_Q(Psi, k, j), q);
        }
    zmat_clear(&Bz); zmat_clear(&Cz); zmat_clear(&Gb); zmat_clear(&Gc);
    ssmhc_qmat_clear(&Bq);
    ssmhc_qmat_clear(&Cq);
    ssmhc_smat_clear(&Ct);
    mpz_clear(dB); mpz_clear(dC); mpz_clear(acc); mpz_clear(x);
    mpq_clear(q); mpq_clear(y);
}

/* round(num / den) = floor((2 num + den) / (2 den)), den > 0 */
static void round_div(mpz_t out, const mpz_t num, const mpz_t den)
{
    mpz_t a, b;
    mpz_init(a);
    mpz_init(b);
    mpz_mul_2exp(a, num, 1);
    mpz_add(a, a, den);
    mpz_mul_2exp(b, den, 1);
    mpz_fdiv_q(out, a, b);
    mpz_clear(a);
    mpz_clear(b);
}

/* out = round((u x + sg v y) / den), den = den u den v (num, t scratch). */
static void round_lin(mpz_t out, mpz_t num, mpz_t t, const __mpq_struct *u, const mpz_t x,
                      const __mpq_struct *v, const mpz_t y, int sg, const mpz_t den)
{
    mpz_mul(num, mpq_numref(u), mpq_denref(v));
    mpz_mul(num, num, x);
    mpz_mul(t, mpq_numref(v), mpq_denref(u));
    mpz_mul(t, t, y);
    if (sg < 0)
        mpz_sub(num, num, t);
    else
        mpz_add(num, num, t);
    round_div(out, num, den);
}

/* Gammat 4^s = Phit W Phit^T from the fixed-point recursion. */
static void mode_gamma(zmat *Gam, const layout *w, const ssmhc_model *m, long n, long s)
{
    zmat Phi, PhiW;
    long b, j, l, g0 = m->delayed ? 1 : 0;
    mpz_t x, y, nx, ny, num, t1, den;
    mpz_init(x); mpz_init(y); mpz_init(nx); mpz_init(ny); mpz_init(num); mpz_init(t1);
    mpz_init(den);
    zmat_init(&Phi, w->m, n);
    for (j = 0, b = 0; b < w->nblk; b++) {
        long t = w->bt[b];
        const __mpq_struct *a = SSMHC_Q(&m->Ab, t, 0);
        const __mpq_struct *be = w->bsz[b] == 2 ? SSMHC_Q(&m->Ab, t + 1, 1) : NULL;
        mpz_set_ui(x, 1);
        mpz_mul_2exp(x, x, (mp_bitcnt_t)s);
        mpz_set_ui(y, 0);
        if (be != NULL)
            mpz_mul(den, mpq_denref(a), mpq_denref(be));
        for (l = g0; l < n; l++) {
            mpz_set(ZM(&Phi, j, l), x);
            if (be != NULL)
                mpz_set(ZM(&Phi, j + 1, l), y);
            if (l + 1 >= n)
                break;
            if (be == NULL) {
                mpz_mul(num, mpq_numref(a), x);
                round_div(nx, num, mpq_denref(a));
            } else {   /* (a x - beta y, beta x + a y) */
                round_lin(nx, num, t1, a, x, be, y, -1, den);
                round_lin(ny, num, t1, be, x, a, y, 1, den);
                mpz_swap(y, ny);
            }
            mpz_swap(x, nx);
        }
        j += w->bsz[b];
    }
    if (w->has_D) {
        mpz_set_ui(ZM(&Phi, j, 0), 1);
        mpz_mul_2exp(ZM(&Phi, j, 0), ZM(&Phi, j, 0), (mp_bitcnt_t)s);
    }
    if (n < 2048) {   /* the weights n - l < 2^11 folded into 50-bit pieces */
        long *wt = ssmhc_malloc(sizeof(long) * (size_t)n);
        for (l = 0; l < n; l++)
            wt[l] = n - l;
        zmat_mul_tw(Gam, &Phi, &Phi, wt);
        free(wt);
    } else {
        zmat_init(&PhiW, w->m, n);
        for (j = 0; j < w->m; j++)
            for (l = 0; l < n; l++)
                mpz_mul_ui(ZM(&PhiW, j, l), ZM(&Phi, j, l), (unsigned long)(n - l));
        zmat_mul_t(Gam, &PhiW, &Phi);
        zmat_clear(&PhiW);
    }
    zmat_clear(&Phi);
    mpz_clear(x); mpz_clear(y); mpz_clear(nx); mpz_clear(ny); mpz_clear(num); mpz_clear(t1);
    mpz_clear(den);
}

/* E2 = (n1 + 2 n2) 4^(-s-1) (n S2 - S3). */
static void mode_E2(mpq_t E2, const layout *w, long n, long s)
{
    mpz_t S2, S3, c;
    mpz_init(S2); mpz_init(S3); mpz_init(c);
    mpz_set_si(S2, n - 1);
    mpz_mul_si(S2, S2, n);
    mpz_mul_si(S2, S2, 2 * n - 1);
    mpz_divexact_ui(S2, S2, 6);
    mpz_set_si(S3, n - 1);
    mpz_mul_si(S3, S3, n);
    mpz_divexact_ui(S3, S3, 2);
    mpz_mul(S3, S3, S3);
    mpz_mul_si(c, S2, n);
    mpz_sub(c, c, S3);
    mpz_mul_si(c, c, w->n1 + 2 * w->n2);
    mpq_set_num(E2, c);
    mpz_set_ui(c, 1);
    mpz_mul_2exp(c, c, (mp_bitcnt_t)(2 * s + 2));
    mpq_set_den(E2, c);
    mpq_canonicalize(E2);
    mpz_clear(S2); mpz_clear(S3); mpz_clear(c);
}

/* ---- reading --------------------------------------------------------------- */

/* An array of `count` (any when < 0) vectors of m numbers, as the columns
   of out (m x count). */
static int read_vectors(ssmhc_qmat *out, const json_t *a, long count, long m, const char *path,
                        ssmhc_report_t *r)
{
    long i, j, c;
    if (!json_is_array(a) || (count >= 0 && (long)json_array_size(a) != count))
        return ssmhc_fail(r, "%s: expected an array of %ld vectors", path, count), -1;
    c = (long)json_array_size(a);
    ssmhc_qmat_init(out, m, c);
    for (j = 0; j < c; j++) {
        const json_t *v = json_array_get(a, (size_t)j);
        if (!json_is_array(v) || (long)json_array_size(v) != m)
            return ssmhc_fail(r, "%s[%ld]: expected %ld numbers", path, j, m), -1;
        for (i = 0; i < m; i++)
            if (ssmhc_json_rational(SSMHC_Q(out, i, j), json_array_get(v, (size_t)i)) != 0)
                return ssmhc_fail(r, "%s[%ld][%ld]: expected an exact number", path, j, i), -1;
    }
    return 0;
}

/* S >= 0: by a rounded factor, or exactly when small. */
static int psd(const ssmhc_qmat *S)
{
    int rc = ssmhc_psd_factor(S, 0);
    if (rc == -1 && S->rows < 24) {
        ssmhc_qmat T;
        ssmhc_qmat_init(&T, S->rows, S->cols);
        ssmhc_qmat_copy(&T, S);
        rc = ssmhc_qmat_psd(&T, 0);
        ssmhc_qmat_clear(&T);
    }
    return rc == 1;
}

/* out = A / dA as rationals (out initialised, same shape). */
static void set_q(ssmhc_qmat *out, const zmat *A, const mpz_t dA, long k)
{
    size_t i, n = (size_t)A->r * (size_t)A->c;
    for (i = 0; i < n; i++)
        q_of(out->e[i], A->e[i], dA, k);
}

/* ---- the check ---------------------------------------------------------------- */

ssmhc_verdict_t ssmhc_check_approx_modes(const json_t *cert, const ssmhc_model *m, long n, long H,
                                         ssmhc_report_t *r)
{
    static const char *const wkeys2[] = {"method", "s", "e", "u", "basis", "eta", "lower", NULL};
    static const char *const lkeys[] = {"t", "vectors", "L", "c2", "q", NULL};
    const json_t *claim = json_object_get(cert, "claim"), *wit = json_object_get(cert, "witness");
    const json_t *low = NULL;
    layout w;
    ssmhc_qmat Psi, Y, Bv, Lq, X, U;
    zmat Gam, Pz, Yz, S, T, GS, Lz, Lt, Bz, LL, Pb, Pbt, LtG, LGL, LtL, Yq;
    mpz_t dP, dY, dL, dB, z1, z2;
    mpq_t eps, up, lowv, e, u, eta, t, c2, E2, x, y, delta, trG, trP, Tlo, Thi, taulo, tauhi;
    long s = 0, q = 0, mm, i, j;
    int have_layout = 0;
    ssmhc_verdict_t v = SSMHC_VERIFIED;

    memset(&Psi, 0, sizeof(Psi)); memset(&Y, 0, sizeof(Y)); memset(&Bv, 0, sizeof(Bv));
    memset(&Lq, 0, sizeof(Lq)); memset(&X, 0, sizeof(X)); memset(&U, 0, sizeof(U));
    memset(&Gam, 0, sizeof(zmat)); memset(&Pz, 0, sizeof(zmat)); memset(&Yz, 0, sizeof(zmat));
    memset(&S, 0, sizeof(zmat)); memset(&T, 0, sizeof(zmat)); memset(&GS, 0, sizeof(zmat));
    memset(&Lz, 0, sizeof(zmat)); memset(&Lt, 0, sizeof(zmat)); memset(&Bz, 0, sizeof(zmat));
    memset(&LL, 0, sizeof(zmat)); memset(&Pb, 0, sizeof(zmat)); memset(&Pbt, 0, sizeof(zmat));
    memset(&LtG, 0, sizeof(zmat)); memset(&LGL, 0, sizeof(zmat)); memset(&LtL, 0, sizeof(zmat));
    memset(&Yq, 0, sizeof(zmat));
    mpz_init(dP); mpz_init(dY); mpz_init(dL); mpz_init(dB); mpz_init(z1); mpz_init(z2);
    mpq_init(eps); mpq_init(up); mpq_init(lowv); mpq_init(e); mpq_init(u); mpq_init(eta);
    mpq_init(t); mpq_init(c2); mpq_init(E2); mpq_init(x); mpq_init(y); mpq_init(delta);
    mpq_init(trG); mpq_init(trP); mpq_init(Tlo); mpq_init(Thi); mpq_init(taulo); mpq_init(tauhi);

    /* the claim's numbers, the witness's shape */
    if (ssmhc_json_rational(eps, json_object_get(claim, "eps")) != 0 || mpq_sgn(eps) <= 0
        || ssmhc_json_rational(up, json_object_get(claim, "error2_upper")) != 0
        || (H >= 1 && ssmhc_json_rational(lowv, json_object_get(claim, "error2_lower_prev")) != 0)) {
        v = ssmhc_fail(r, "claim: eps (> 0), error2_upper and error2_lower_prev must be exact numbers");
        goto done;
    }
    if (!m->block_diag) {
        v = ssmhc_fail(r, "witness.method modes: needs a diag or complex_diag model");
        goto done;
    }
    {
        const char *const *keys = wkeys2;
        static const char *const wkeys1[] = {"method", "s", "e", "u", "basis", "eta", NULL};
        if (H < 2)
            keys = wkeys1;
        if (ssmhc_json_keys_exact(wit, "witness", keys, -1, r) != 0) {
            v = SSMHC_REJECTED;
            goto done;
        }
    }
    if (ssmhc_json_long(&s, json_object_get(wit, "s"), 1, MAX_S) != 0) {
        v = ssmhc_fail(r, "witness.s: expected an integer in [1, %d]", MAX_S);
        goto done;
    }
    if (ssmhc_json_read_num(e, json_object_get(wit, "e"), 1, "witness.e", r)
        || ssmhc_json_read_num(u, json_object_get(wit, "u"), 1, "witness.u", r)
        || ssmhc_json_read_num(eta, json_object_get(wit, "eta"), 1, "witness.eta", r)) {
        v = SSMHC_REJECTED;
        goto done;
    }
    if (layout_read(&w, m, r) != 0) {
        v = SSMHC_REJECTED;
        goto done;
    }
    have_layout = 1;
    mm = w.m;
    if (ssmhc_dense_check(mm, n, "witness: the mode functions (m x n)") != 0
        || ssmhc_dense_check(w.M, w.M, "witness: the mode Gram matrices") != 0) {
        v = ssmhc_limit(r, "%s", ssmhc_limit_note());
        goto done;
    }
    if (read_vectors(&Y, json_object_get(wit, "basis"), H, mm, "witness.basis", r) != 0) {
        v = SSMHC_REJECTED;
        goto done;
    }
    if (H >= 2) {
        const json_t *jL;
        low = json_object_get(wit, "lower");
        if (ssmhc_json_keys_exact(low, "witness.lower", lkeys, -1, r) != 0
            || ssmhc_json_read_num(t, json_object_get(low, "t"), 1, "witness.lower.t", r)
            || ssmhc_json_read_num(c2, json_object_get(low, "c2"), 1, "witness.lower.c2", r)
            || read_vectors(&Bv, json_object_get(low, "vectors"), -1, mm, "witness.lower.vectors", r)) {
            v = SSMHC_REJECTED;
            goto done;
        }
        if (mpq_sgn(c2) <= 0 || mpq_cmp_ui(c2, 1, 1) > 0) {
            v = ssmhc_fail(r, "witness.lower.c2: expected 0 < c2 <= 1");
            goto done;
        }
        if (ssmhc_json_long(&q, json_object_get(low, "q"), 0, MAX_Q) != 0) {
            v = ssmhc_fail(r, "witness.lower.q: expected an integer in [0, %d]", MAX_Q);
            goto done;
        }
        jL = json_object_get(low, "L");
        if (!json_is_array(jL) || (long)json_array_size(jL) != mm) {
            v = ssmhc_fail(r, "witness.lower.L: expected %ld rows", mm);
            goto done;
        }
        ssmhc_qmat_init(&Lq, mm, mm);
        for (i = 0; i < mm; i++) {
            const json_t *row = json_array_get(jL, (size_t)i);
            if (!json_is_array(row) || (long)json_array_size(row) != i + 1) {
                v = ssmhc_fail(r, "witness.lower.L[%ld]: expected %ld numbers", i, i + 1);
                goto done;
            }
            for (j = 0; j <= i; j++)
                if (ssmhc_json_rational(SSMHC_Q(&Lq, i, j), json_array_get(row, (size_t)j)) != 0) {
                    v = ssmhc_fail(r, "witness.lower.L[%ld][%ld]: expected an exact number", i, j);
                    goto done;
                }
            if (mpq_sgn(SSMHC_Q(&Lq, i, i)) == 0) {
                v = ssmhc_fail(r, "witness.lower.L[%ld][%ld]: the diagonal must be nonzero", i, i);
                goto done;
            }
        }
    }

    /* Psi, Gammat, delta, T_lo, T_hi, tau */
    mode_E2(E2, &w, n, s);
    mpq_mul(y, e, e);
    if (mpq_cmp(y, E2) < 0) {
        v = ssmhc_fail(r, "witness.e: e^2 < E2");
        goto done;
    }
    {   /* the work is paid for before it is done: Gammat (m^2 n, two pieces each
           side), the Gram matrices (M^2 (p + d)) and the m x m products */
        double mq = (double)mm, M = (double)w.M;
        if (ssmhc_work_spend(4.0 * mq * mq * (double)n + M * M * (double)(w.p + w.d)
                                 + 40.0 * mq * mq * (mq + (double)H),
                             "approx: the mode witness") != 0) {
            v = ssmhc_limit(r, "%s", ssmhc_limit_note());
            goto done;
        }
    }
    mode_psi(&Psi, &w, m);
    mode_gamma(&Gam, &w, m, n, s);
    mpz_set_ui(z1, 0);
    for (i = 0; i < mm; i++)
        mpz_add(z1, z1, ZM(&Gam, i, i));
    mpz_set_ui(z2, 1);
    q_of(x, z1, z2, 2 * s);                      /* tr Gammat */
    mpq_mul(y, u, u);
    if (mpq_cmp(y, x) < 0) {
        v = ssmhc_fail(r, "witness.u: u^2 < tr Gammat");
        goto done;
    }
    mpq_add(delta, u, u);
    mpq_add(delta, delta, e);
    mpq_mul(delta, delta, e);
    zmat_from_q(&Pz, dP, &Psi);
    zmat_frob(z1, &Gam, &Pz);                    /* tr(Gammat Psi) dP 4^s */
    q_of(trG, z1, dP, 2 * s);
    mpq_set_ui(trP, 0, 1);
    for (i = 0; i < mm; i++)
        mpq_add(trP, trP, SSMHC_Q(&Psi, i, i));
    mpq_mul(x, delta, trP);
    mpq_sub(Tlo, trG, x);
    mpq_add(Thi, trG, x);
    mpq_mul(taulo, eps, eps);
    mpq_set(tauhi, taulo);
    if (json_is_true(json_object_get(claim, "relative"))) {
        mpq_mul(tauhi, taulo, Thi);
        mpq_mul(taulo, taulo, Tlo);
    }

    /* upper: (1 + eta) I - Y^T Psi Y >= 0; error2_upper */
    zmat_from_q(&Yz, dY, &Y);
    zmat_mul(&S, &Pz, &Yz);                       /* Psi Y: dP dY */
    zmat_transpose(&Yq, &Yz);
    zmat_mul(&T, &Yq, &S);                        /* Y^T Psi Y: dP dY^2 */
    ssmhc_qmat_init(&X, H, H);
    mpz_mul(z1, dP, dY);
    mpz_mul(z1, z1, dY);
    set_q(&X, &T, z1, 0);
    for (i = 0; i < H * H; i++)
        mpq_neg(X.e[i], X.e[i]);
    mpq_set_ui(y, 1, 1);
    mpq_add(y, y, eta);
    for (i = 0; i < H; i++)
        mpq_add(SSMHC_Q(&X, i, i), SSMHC_Q(&X, i, i), y);
    if (H > 0 && !psd(&X)) {
        v = ssmhc_fail(r, "witness.eta: (1 + eta) I - Y^T Psi Y is not proven >= 0");
        goto done;
    }
    zmat_mul(&GS, &Gam, &S);
    zmat_frob(z1, &S, &GS);                       /* tr(S^T Gammat S): (dP dY)^2 4^s */
    mpz_mul(z2, dP, dY);
    mpz_mul(z2, z2, z2);
    q_of(x, z1, z2, 2 * s);
    zmat_frob(z1, &S, &S);
    q_of(E2, z1, z2, 0);                          /* tr(S^T S) (E2 reused) */
    mpq_mul(E2, E2, delta);
    mpq_sub(x, x, E2);
    mpq_div(x, x, y);                             /* / (1 + eta) */
    mpq_sub(x, Thi, x);
    if (!mpq_equal(x, up)) {
        v = ssmhc_fail(r, "claim.error2_upper: differs from T_hi - (tr(S^T Gammat S) - delta "
                          "tr(S^T S)) / (1 + eta)");
        goto done;
    }
    if (mpq_cmp(up, taulo) > 0) {
        v = ssmhc_fail(r, "claim.error2_upper: exceeds eps^2");
        goto done;
    }

    /* lower */
    if (H == 1) {
        if (!mpq_equal(lowv, Tlo) || mpq_cmp(lowv, tauhi) <= 0) {
            v = ssmhc_fail(r, "claim.error2_lower_prev: for H = 1 it is T_lo and above eps^2");
            goto done;
        }
    } else if (H >= 2) {
        ssmhc_qmat_clear(&X);
        memset(&X, 0, sizeof(X));
        /* (i) L L^T - c2 Psi_up >= 0 */
        zmat_from_q(&Lz, dL, &Lq);
        zmat_mul_t(&LL, &Lz, &Lz);                /* dL^2 */
        ssmhc_qmat_init(&X, mm, mm);
        mpz_mul(z1, dL, dL);
        set_q(&X, &LL, z1, 0);
        ssmhc_qmat_init(&U, mm, mm);
        {   /* Psi_up = round(2^q Psi) / 2^q + diag(row sums of |Psi - that|) */
            mpz_t zq;
            mpq_t d, h;
            mpz_init(zq);
            mpq_init(d);
            mpq_init(h);
            for (i = 0; i < mm; i++) {
                mpq_set_ui(d, 0, 1);
                for (j = 0; j < mm; j++) {
                    const __mpq_struct *pij = SSMHC_Q(&Psi, i, j);
                    mpz_mul_2exp(zq, mpq_numref(pij), 1 + (mp_bitcnt_t)q);
                    mpz_add(zq, zq, mpq_denref(pij));
                    mpz_mul_2exp(z2, mpq_denref(pij), 1);
                    mpz_fdiv_q(zq, zq, z2);       /* floor(2^q Psi_ij + 1/2) */
                    mpq_set_z(h, zq);
                    mpq_div_2exp(h, h, (mp_bitcnt_t)q);
                    mpq_set(SSMHC_Q(&U, i, j), h);
                    mpq_sub(h, pij, h);
                    mpq_abs(h, h);
                    mpq_add(d, d, h);
                }
                mpq_add(SSMHC_Q(&U, i, i), SSMHC_Q(&U, i, i), d);
            }
            mpz_clear(zq);
            mpq_clear(d);
            mpq_clear(h);
        }
        for (i = 0; i < mm * mm; i++) {
            mpq_mul(x, c2, U.e[i]);
            mpq_sub(X.e[i], X.e[i], x);
        }
        if (!psd(&X)) {
            v = ssmhc_fail(r, "witness.lower: L L^T - c2 Psi_up is not proven >= 0");
            goto done;
        }
        /* (ii) L^T (Yz - Gammat - delta I) L + t c2 I >= 0 */
        zmat_transpose(&Lt, &Lz);
        zmat_from_q(&Bz, dB, &Bv);                /* m x r */
        zmat_mul(&Pb, &Lt, &Bz);                  /* L^T b_i: dL dB */
        zmat_mul_t(&Pbt, &Pb, &Pb);              /* L^T Yz L: (dL dB)^2 */
        zmat_mul(&LtG, &Lt, &Gam);
        zmat_mul(&LGL, &LtG, &Lz);                /* L^T Gammat L: dL^2 4^s */
        zmat_mul_t(&LtL, &Lt, &Lt);               /* L^T L: dL^2 */
        mpz_mul(z1, dL, dB);
        mpz_mul(z1, z1, z1);
        set_q(&X, &Pbt, z1, 0);
        mpz_mul(z1, dL, dL);
        set_q(&U, &LGL, z1, 2 * s);
        for (i = 0; i < mm * mm; i++)
            mpq_sub(X.e[i], X.e[i], U.e[i]);
        set_q(&U, &LtL, z1, 0);
        for (i = 0; i < mm * mm; i++) {
            mpq_mul(x, delta, U.e[i]);
            mpq_sub(X.e[i], X.e[i], x);
        }
        mpq_mul(x, t, c2);
        for (i = 0; i < mm; i++)
            mpq_add(SSMHC_Q(&X, i, i), SSMHC_Q(&X, i, i), x);
        if (!psd(&X)) {
            v = ssmhc_fail(r, "witness.lower: L^T (Yz - Gammat - delta I) L + t c2 I is not proven >= 0");
            goto done;
        }
        /* error2_lower_prev = T_lo - (H-1) t - sum b_i^T Psi b_i */
        zmat_clear(&GS);
        zmat_mul(&GS, &Pz, &Bz);                  /* Psi B: dP dB */
        zmat_frob(z1, &Bz, &GS);
        mpz_mul(z2, dP, dB);
        mpz_mul(z2, z2, dB);
        q_of(x, z1, z2, 0);
        mpq_set_si(y, H - 1, 1);
        mpq_mul(y, y, t);
        mpq_sub(y, Tlo, y);
        mpq_sub(y, y, x);
        if (!mpq_equal(y, lowv)) {
            v = ssmhc_fail(r, "claim.error2_lower_prev: differs from T_lo - (H-1) t - sum b_i^T Psi b_i");
            goto done;
        }
        if (mpq_cmp(lowv, tauhi) <= 0) {
            v = ssmhc_fail(r, "claim.error2_lower_prev: not above eps^2");
            goto done;
        }
    }
    snprintf(r->step, sizeof(r->step),
             "approx: H = %ld within eps on n = %ld (modes: m = %ld, s = %ld)", H, n, mm, s);
done:
    if (have_layout)
        layout_clear(&w);
    if (Psi.e) ssmhc_qmat_clear(&Psi);
    if (Y.e) ssmhc_qmat_clear(&Y);
    if (Bv.e) ssmhc_qmat_clear(&Bv);
    if (Lq.e) ssmhc_qmat_clear(&Lq);
    if (X.e) ssmhc_qmat_clear(&X);
    if (U.e) ssmhc_qmat_clear(&U);
    zmat_clear(&Gam); zmat_clear(&Pz); zmat_clear(&Yz); zmat_clear(&S); zmat_clear(&T);
    zmat_clear(&GS); zmat_clear(&Lz); zmat_clear(&Lt); zmat_clear(&Bz); zmat_clear(&LL);
    zmat_clear(&Pb); zmat_clear(&Pbt); zmat_clear(&LtG); zmat_clear(&LGL); zmat_clear(&LtL);
    zmat_clear(&Yq);
    mpz_clear(dP); mpz_clear(dY); mpz_clear(dL); mpz_clear(dB); mpz_clear(z1); mpz_clear(z2);
    mpq_clear(eps); mpq_clear(up); mpq_clear(lowv); mpq_clear(e); mpq_clear(u); mpq_clear(eta);
    mpq_clear(t); mpq_clear(c2); mpq_clear(E2); mpq_clear(x); mpq_clear(y); mpq_clear(delta);
    mpq_clear(trG); mpq_clear(trP); mpq_clear(Tlo); mpq_clear(Thi); mpq_clear(taulo);
    mpq_clear(tauhi);
    return v;
}
