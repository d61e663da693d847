/*
 * The contraction envelope of a model (doc/gradient.md, doc/approx.md):
 * accepts only when, exactly, P (an N x N matrix or "identity") is symmetric
 * positive definite, gamma^2 P - A^T P A >= 0, beta_B I - B^T P B >= 0 (when
 * beta_B is given) and beta_C P - C^T C >= 0 (for P = I: beta_C I - C C^T
 * >= 0, the same largest eigenvalue).  Then ||A x||_P <= gamma ||x||_P,
 * ||B w||_P^2 <= beta_B ||w||^2 and ||C x||^2 <= beta_C ||x||_P^2.  Each
 * semidefiniteness by its own LDL^T without pivoting (ssmhc_qmat_psd).
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

static void transpose(ssmhc_qmat *out, const ssmhc_qmat *in)
{
    long i, j;
    ssmhc_qmat_init(out, in->cols, in->rows);
    for (i = 0; i < in->rows; i++)
        for (j = 0; j < in->cols; j++)
            mpq_set(SSMHC_Q(out, j, i), SSMHC_Q(in, i, j));
}

/* beta I - G >= 0 ? */
static int below_beta(const ssmhc_qmat *G, mpq_srcptr beta)
{
    ssmhc_qmat S;
    long i;
    int ok;
    ssmhc_qmat_init(&S, G->rows, G->cols);
    for (i = 0; i < G->rows * G->cols; i++)
        mpq_neg(S.e[i], G->e[i]);
    for (i = 0; i < G->rows; i++)
        mpq_add(SSMHC_Q(&S, i, i), SSMHC_Q(&S, i, i), beta);
    ok = ssmhc_qmat_psd(&S, 0);
    ssmhc_qmat_clear(&S);
    return ok;
}

/* gamma^2 I - A^T A >= 0 block by block (block-diagonal A, P = I). */
static int blocks_contract(const ssmhc_model *m, const mpq_t g2)
{
    long i = 0, b;
    int ok = 1;
    mpq_t a00, a01, a10, a11, s00, s01, s11, t;
    mpq_init(a00); mpq_init(a01); mpq_init(a10); mpq_init(a11);
    mpq_init(s00); mpq_init(s01); mpq_init(s11); mpq_init(t);
    for (i = 0; i < m->N && ok; i += b) {
        b = m->blk[i] == 1 ? 2 : 1;
        if (b == 1) {
            mpq_mul(t, SSMHC_Q(&m->Ab, i, 0), SSMHC_Q(&m->Ab, i, 0));
            ok = mpq_cmp(t, g2) <= 0;
            continue;
        }
        mpq_set(a00, ssmhc_model_A_entry(m, i, i));
        mpq_set(a01, ssmhc_model_A_entry(m, i, i + 1));
        mpq_set(a10, ssmhc_model_A_entry(m, i + 1, i));
        mpq_set(a11, ssmhc_model_A_entry(m, i + 1, i + 1));
        /* S = g2 I - A^T A */
        mpq_mul(s00, a00, a00); mpq_mul(t, a10, a10); mpq_add(s00, s00, t); mpq_sub(s00, g2, s00);
        mpq_mul(s11, a01, a01); mpq_mul(t, a11, a11); mpq_add(s11, s11, t); mpq_sub(s11, g2, s11);
        mpq_mul(s01, a00, a01); mpq_mul(t, a10, a11); mpq_add(s01, s01, t); mpq_neg(s01, s01);
        /* 2x2 PSD: s00 >= 0, s11 >= 0, s00 s11 >= s01^2 */
        mpq_mul(t, s00, s11);
        mpq_mul(a00, s01, s01);
        ok = mpq_sgn(s00) >= 0 && mpq_sgn(s11) >= 0 && mpq_cmp(t, a00) >= 0;
    }
    mpq_clear(a00); mpq_clear(a01); mpq_clear(a10); mpq_clear(a11);
    mpq_clear(s00); mpq_clear(s01); mpq_clear(s11); mpq_clear(t);
    return ok;
}

void ssmhc_envelope_stein(ssmhc_qmat *S, const ssmhc_model *m, const ssmhc_qmat *P, mpq_srcptr g2)
{
    ssmhc_qmat X, Xt, Y;
    mpq_t t;
    size_t e;
    mpq_init(t);
    ssmhc_qmat_init(&X, m->N, m->N);
    ssmhc_model_apply_A_right(&X, m, P);    /* P A */
    transpose(&Xt, &X);                     /* A^T P (P symmetric) */
    ssmhc_qmat_init(&Y, m->N, m->N);
    ssmhc_model_apply_A_right(&Y, m, &Xt);  /* A^T P A */
    ssmhc_qmat_init(S, m->N, m->N);
    for (e = 0; e < (size_t)m->N * (size_t)m->N; e++) {
        mpq_mul(t, g2, P->e[e]);
        mpq_sub(S->e[e], t, Y.e[e]);
    }
    ssmhc_qmat_clear(&X);
    ssmhc_qmat_clear(&Xt);
    ssmhc_qmat_clear(&Y);
    mpq_clear(t);
}

/* gamma^2 P - A^T P A >= 0 (P NULL: the identity) */
static int contracts(const ssmhc_model *m, const ssmhc_qmat *P, mpq_srcptr gamma)
{
    ssmhc_qmat Pm, S;
    mpq_t g2;
    long i;
    int ok;
    mpq_init(g2);
    mpq_mul(g2, gamma, gamma);
    if (P == NULL && m->block_diag) {
        ok = blocks_contract(m, g2);
        mpq_clear(g2);
        return ok;
    }
    ssmhc_qmat_init(&Pm, m->N, m->N);
    if (P == NULL)
        for (i = 0; i < m->N; i++)
            mpq_set_ui(SSMHC_Q(&Pm, i, i), 1, 1);
    else
        ssmhc_qmat_copy(&Pm, P);
    ssmhc_envelope_stein(&S, m, &Pm, g2);
    ok = ssmhc_qmat_psd(&S, 0);
    ssmhc_qmat_clear(&S);
    ssmhc_qmat_clear(&Pm);
    mpq_clear(g2);
    return ok;
}

static long find(long *par, long x)
{
    while (par[x] != x)
        x = par[x] = par[par[x]];
    return x;
}

/* beta I - G >= 0 for G = X^T X = sum over the rows x of X of x^T x (X
   sparse): columns sharing a row of X are linked, and G is zero between
   the connected components, so beta I - G is PSD iff each component's
   block is -- each checked exactly on its own (a channel bank's are 1 x 1;
   a dense X has a single one, the whole matrix as before). */
static int gram_below_beta(const ssmhc_smat *X, mpq_srcptr beta)
{
    long n = X->cols, i, j, k, a, b, g, ng;
    long *par = ssmhc_malloc(sizeof(long) * (size_t)(n > 0 ? n : 1));
    long *comp = ssmhc_malloc(sizeof(long) * (size_t)(n > 0 ? n : 1));   /* column -> component */
    long *pos = ssmhc_malloc(sizeof(long) * (size_t)(n > 0 ? n : 1));    /* column -> index in it */
    long *size, *cstart, *cols, *rstart, *rows, *fill;
    mpq_t t;
    int ok = 1;
    for (j = 0; j < n; j++)
        par[j] = j;
    for (i = 0; i < X->rows; i++)
        for (k = X->rowptr[i] + 1; k < X->rowptr[i + 1]; k++)
            par[find(par, X->col[k])] = find(par, X->col[X->rowptr[i]]);
    for (j = 0, ng = 0; j < n; j++)   /* number the components by their roots */
        comp[j] = find(par, j) == j ? ng++ : -1;
    for (j = 0; j < n; j++)
        comp[j] = comp[find(par, j)];
    size = ssmhc_calloc((size_t)ng + 1, sizeof(long));
    cstart = ssmhc_calloc((size_t)ng + 1, sizeof(long));
    rstart = ssmhc_calloc((size_t)ng + 1, sizeof(long));
    cols = ssmhc_malloc(sizeof(long) * (size_t)(n > 0 ? n : 1));
    rows = ssmhc_malloc(sizeof(long) * (size_t)(X->rows > 0 ? X->rows : 1));
    fill = ssmhc_malloc(sizeof(long) * (size_t)(ng + 1));
    for (j = 0; j < n; j++)
        pos[j] = size[comp[j]]++;
    for (g = 0; g < ng; g++)
        cstart[g + 1] = cstart[g] + size[g];
    for (j = 0; j < n; j++)
        cols[cstart[comp[j]] + pos[j]] = j;
    for (i = 0; i < X->rows; i++)   /* the rows of each component */
        if (X->rowptr[i + 1] > X->rowptr[i])
            rstart[comp[X->col[X->rowptr[i]]] + 1]++;
    for (g = 0; g < ng; g++)
        rstart[g + 1] += rstart[g];
    memcpy(fill, rstart, sizeof(long) * (size_t)(ng + 1));
    for (i = 0; i < X->rows; i++)
        if (X->rowptr[i + 1] > X->rowptr[i])
            rows[fill[comp[X->col[X->rowptr[i]]]]++] = i;
    mpq_init(t);
    for (g = 0; g < ng && ok; g++) {
        long sz = size[g];
        if (sz == 1) {   /* beta - sum_i x_i^2 >= 0 */
            mpq_set(t, beta);
            for (a = rstart[g]; a < rstart[g + 1]; a++) {
                const __mpq_struct *x = X->val[X->rowptr[rows[a]]];
                mpq_t u;
                mpq_init(u);
                mpq_mul(u, x, x);
                mpq_sub(t, t, u);
                mpq_clear(u);
            }
            ok = mpq_sgn(t) >= 0;
        } else {
            ssmhc_qmat S;
            long nr = rstart[g + 1] - rstart[g];
            double work = 0;
            if (ssmhc_entries_check(sz, sz, "envelope: a block of the Gram matrix") != 0
                || ssmhc_entries_check(nr, sz, "envelope: the rows of a Gram block") != 0) {
                ok = -1;
                break;
            }
            for (a = rstart[g]; a < rstart[g + 1]; a++) {
                double z = (double)(X->rowptr[rows[a] + 1] - X->rowptr[rows[a]]);
                work += z * z;
            }
            if (work * 8 >= (double)nr * (double)sz * (double)sz) {
                /* mostly nonzero (a dense layer): G = Xg^T Xg by the dense
                   product, Xg the component's rows on its columns */
                ssmhc_qmat Xg, Xt, G;
                ssmhc_qmat_init(&Xg, nr, sz);
                ssmhc_qmat_init(&Xt, sz, nr);
                ssmhc_qmat_init(&G, sz, sz);
                for (a = 0; a < nr; a++) {
                    long r = rows[rstart[g] + a];
                    for (k = X->rowptr[r]; k < X->rowptr[r + 1]; k++) {
                        mpq_set(SSMHC_Q(&Xg, a, pos[X->col[k]]), X->val[k]);
                        mpq_set(SSMHC_Q(&Xt, pos[X->col[k]], a), X->val[k]);
                    }
                }
                ssmhc_qmat_mul(&G, &Xt, &Xg);
                ssmhc_qmat_clear(&Xg);
                ssmhc_qmat_clear(&Xt);
                ok = below_beta(&G, beta);
                ssmhc_qmat_clear(&G);
                continue;
            }
            ssmhc_qmat_init(&S, sz, sz);
            for (a = 0; a < sz; a++)
                mpq_set(SSMHC_Q(&S, a, a), beta);
            for (a = rstart[g]; a < rstart[g + 1]; a++) {
                long r = rows[a];
                for (k = X->rowptr[r]; k < X->rowptr[r + 1]; k++)
                    for (b = X->rowptr[r]; b < X->rowptr[r + 1]; b++) {
                        mpq_mul(t, X->val[k], X->val[b]);
                        mpq_sub(SSMHC_Q(&S, pos[X->col[k]], pos[X->col[b]]),
                                SSMHC_Q(&S, pos[X->col[k]], pos[X->col[b]]), t);
                    }
            }
            ok = ssmhc_qmat_psd(&S, 0);
            ssmhc_qmat_clear(&S);
        }
    }
    mpq_clear(t);
    free(par);
    free(comp);
    free(pos);
    free(size);
    free(cstart);
    free(rstart);
    free(cols);
    free(rows);
    free(fill);
    return ok;
}

/* beta_B I - B^T P B >= 0 (-1: a limit) */
static int bounds_B(const ssmhc_model *m, const ssmhc_qmat *P, mpq_srcptr bB)
{
    ssmhc_qmat B, Bt, G, X;
    int ok;
    if (P == NULL)
        return gram_below_beta(&m->B, bB);
    /* a dense P (dense models): B densely, no larger than P's share */
    if (ssmhc_smat_dense(&B, &m->B, "envelope: B") != 0)
        return -1;
    transpose(&Bt, &B);
    ssmhc_qmat_init(&G, m->d, m->d);
    ssmhc_qmat_init(&X, m->N, m->d);
    ssmhc_qmat_mul(&X, P, &B);
    ssmhc_qmat_mul(&G, &Bt, &X);
    ssmhc_qmat_clear(&X);
    ok = below_beta(&G, bB);
    ssmhc_qmat_clear(&G);
    ssmhc_qmat_clear(&Bt);
    ssmhc_qmat_clear(&B);
    return ok;
}

/* beta_C P - C^T C >= 0 (P = I: beta_C I - C C^T >= 0; -1: a limit) */
static int bounds_C(const ssmhc_model *m, const ssmhc_qmat *P, mpq_srcptr bC)
{
    ssmhc_smat Cts;
    ssmhc_qmat C, Ct, G, S;
    mpq_t t;
    size_t e;
    int ok;
    if (P == NULL) {   /* C C^T: the outer products of C's columns (the rows of C^T) */
        ssmhc_smat_transpose(&Cts, &m->C);
        ok = gram_below_beta(&Cts, bC);
        ssmhc_smat_clear(&Cts);
        return ok;
    }
    if (ssmhc_smat_dense(&C, &m->C, "envelope: C") != 0)
        return -1;
    transpose(&Ct, &C);
    mpq_init(t);
    ssmhc_qmat_init(&G, m->N, m->N);
    ssmhc_qmat_mul(&G, &Ct, &C);
    ssmhc_qmat_init(&S, m->N, m->N);
    for (e = 0; e < (size_t)m->N * (size_t)m->N; e++) {
        mpq_mul(t, bC, P->e[e]);
        mpq_sub(S.e[e], t, G.e[e]);
    }
    ok = ssmhc_qmat_psd(&S, 0);
    ssmhc_qmat_clear(&S);
    ssmhc_qmat_clear(&G);
    ssmhc_qmat_clear(&Ct);
    ssmhc_qmat_clear(&C);
    mpq_clear(t);
    return ok;
}

/* max_i sum_j |P_ij| */
static void row_sum_max(mpq_ptr out, const ssmhc_qmat *P)
{
    mpq_t s, a;
    long i, j;
    mpq_init(s);
    mpq_init(a);
    mpq_set_ui(out, 0, 1);
    for (i = 0; i < P->rows; i++) {
        mpq_set_ui(s, 0, 1);
        for (j = 0; j < P->cols; j++) {
            mpq_abs(a, SSMHC_Q(P, i, j));
            mpq_add(s, s, a);
        }
        if (mpq_cmp(s, out) > 0)
            mpq_set(out, s);
    }
    mpq_clear(s);
    mpq_clear(a);
}

int ssmhc_check_envelope(const ssmhc_model *m, const json_t *jP, mpq_srcptr gamma,
                         mpq_srcptr beta_B, mpq_srcptr beta_C, const char *where,
                         mpq_ptr lambda, ssmhc_report_t *r)
{
    ssmhc_qmat P, S;
    const ssmhc_qmat *Pp = NULL;
    int identity = json_is_string(jP) && strcmp(json_string_value(jP), "identity") == 0, ok;
    if (!identity) {
        if (ssmhc_json_qmat(&P, jP, m->N, m->N) != 0)
            return ssmhc_fail(r, "%s: P must be \"identity\" or an N x N matrix of exact numbers", where), -1;
        ssmhc_qmat_init(&S, m->N, m->N);
        ssmhc_qmat_copy(&S, &P);
        ok = ssmhc_qmat_psd(&S, 1);
        ssmhc_qmat_clear(&S);
        if (!ok) {
            ssmhc_qmat_clear(&P);
            return ssmhc_fail(r, "%s: P is not symmetric positive definite", where), -1;
        }
        Pp = &P;
    }
    if (!contracts(m, Pp, gamma)) {
        ssmhc_fail(r, "%s: gamma^2 P - A^T P A is not positive semidefinite", where);
        ok = 0;
    } else if (beta_B != NULL && (ok = bounds_B(m, Pp, beta_B)) != 1) {
        if (ok < 0)
            ssmhc_limit(r, "%s", ssmhc_limit_note());
        else
            ssmhc_fail(r, "%s: beta_B I - B^T P B is not positive semidefinite", where);
        ok = 0;
    } else if ((ok = bounds_C(m, Pp, beta_C)) != 1) {
        if (ok < 0)
            ssmhc_limit(r, "%s", ssmhc_limit_note());
        else
            ssmhc_fail(r, "%s: beta_C P - C^T C is not positive semidefinite", where);
        ok = 0;
    } else {
        ok = 1;
        if (lambda != NULL) {
            if (Pp == NULL)
                mpq_set_ui(lambda, 1, 1);
            else
                row_sum_max(lambda, Pp);
        }
    }
    if (Pp != NULL)
        ssmhc_qmat_clear(&P);
    return ok ? 0 : -1;
}
