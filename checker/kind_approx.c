/*
 * Checker for certificates of kind `approx` (doc/approx.md).  With
 * G = sum_{l<n} (n-l) vec(K_l) vec(K_l)^T recomputed from the embedded model
 * and tau = eps^2 (times tr G when relative), accepts only when, exactly:
 *  - upper: the H value maps of witness.basis are independent and their
 *    residual tr G - tr((V^T V)^{-1} V^T G V) equals claim.error2_upper and is
 *    <= tau; the best H-head error E(H)^2 is at most that residual;
 *  - lower (H >= 1): claim.error2_lower_prev > tau and equals tr G (H = 1, as
 *    E(0)^2 = ||T||_F^2) or, for H >= 2, tr G - (H-1) t - tr Z with t >= 0,
 *    Z = W Y W^T, Y >= 0 and Z - G + t I >= 0 (Ky Fan: the H-1 largest
 *    eigenvalues of G sum to at most (H-1) t + tr Z, so E(H-1)^2 >= that).
 * Hence E(H)^2 <= tau < E(H-1)^2: H is the least head count within eps.
 * A witness with method "enclosure" (fixed-point lags with a certified
 * error, for long lengths) goes, after the same claim checks, to
 * ssmhc_check_approx_enclosure (approx_enclosure.c); without a method the
 * exact witness above is required.
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

#define MAX_LAG 100000000L

/* X = A^{-1} B by Gauss-Jordan (A square).  Returns 0, or -1 if singular.
   X is initialised by the call on success. */
static int solve(ssmhc_qmat *X, const ssmhc_qmat *A, const ssmhc_qmat *B)
{
    long n = A->rows, m = B->cols, i, j, c;
    ssmhc_qmat a;
    mpq_t f, t;
    int ok = 1;
    ssmhc_qmat_init(&a, n, n);
    ssmhc_qmat_copy(&a, A);
    ssmhc_qmat_init(X, n, m);
    ssmhc_qmat_copy(X, B);
    mpq_init(f);
    mpq_init(t);
    for (c = 0; c < n && ok; c++) {
        long piv = -1;
        for (i = c; i < n && piv < 0; i++)
            if (mpq_sgn(SSMHC_Q(&a, i, c)) != 0)
                piv = i;
        if (piv < 0) {
            ok = 0;
            break;
        }
        for (j = 0; j < n; j++)
            mpq_swap(SSMHC_Q(&a, piv, j), SSMHC_Q(&a, c, j));
        for (j = 0; j < m; j++)
            mpq_swap(SSMHC_Q(X, piv, j), SSMHC_Q(X, c, j));
        for (i = 0; i < n; i++) {
            if (i == c || mpq_sgn(SSMHC_Q(&a, i, c)) == 0)
                continue;
            mpq_div(f, SSMHC_Q(&a, i, c), SSMHC_Q(&a, c, c));
            for (j = c; j < n; j++) {
                mpq_mul(t, f, SSMHC_Q(&a, c, j));
                mpq_sub(SSMHC_Q(&a, i, j), SSMHC_Q(&a, i, j), t);
            }
            for (j = 0; j < m; j++) {
                mpq_mul(t, f, SSMHC_Q(X, c, j));
                mpq_sub(SSMHC_Q(X, i, j), SSMHC_Q(X, i, j), t);
            }
        }
    }
    for (c = 0; c < n && ok; c++)
        for (j = 0; j < m; j++)
            mpq_div(SSMHC_Q(X, c, j), SSMHC_Q(X, c, j), SSMHC_Q(&a, c, c));
    mpq_clear(f);
    mpq_clear(t);
    ssmhc_qmat_clear(&a);
    if (!ok)
        ssmhc_qmat_clear(X);
    return ok ? 0 : -1;
}

/* Read an array of exactly `count` (any count when < 0) p x d value maps. */
static int read_maps(ssmhc_qmat **out, long *count, const json_t *a, long want, long p, long d)
{
    long i;
    if (!json_is_array(a) || (want >= 0 && (long)json_array_size(a) != want)
        || json_array_size(a) > (size_t)(p * d))
        return -1;
    *count = (long)json_array_size(a);
    *out = calloc((size_t)(*count > 0 ? *count : 1), sizeof(ssmhc_qmat));
    if (*out == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < *count; i++)
        if (ssmhc_json_qmat(*out + i, json_array_get(a, (size_t)i), p, d) != 0) {
            while (i-- > 0)
                ssmhc_qmat_clear(*out + i);
            free(*out);
            *out = NULL;
            *count = 0;
            return -1;
        }
    return 0;
}

static void free_maps(ssmhc_qmat *v, long count)
{
    long i;
    for (i = 0; i < count; i++)
        ssmhc_qmat_clear(v + i);
    free(v);
}

/* The s x count matrix of the maps on the support. */
static void on_support(ssmhc_qmat *out, const ssmhc_qmat *v, long count, const long *sup, long s)
{
    long i, j;
    ssmhc_qmat_init(out, s, count);
    for (j = 0; j < count; j++)
        for (i = 0; i < s; i++)
            mpq_set(SSMHC_Q(out, i, j), v[j].e[sup[i]]);
}

static void mark(char *used, const ssmhc_qmat *v, long count)
{
    long j;
    size_t i, pd;
    for (j = 0; j < count; j++) {
        pd = (size_t)v[j].rows * (size_t)v[j].cols;
        for (i = 0; i < pd; i++)
            if (mpq_sgn(v[j].e[i]) != 0)
                used[i] = 1;
    }
}

/* out = A^T B (out initialised a->cols x b->cols), by ssmhc_qmat_mul on the
   transpose (which clears denominators once per row and column). */
static void tmul(ssmhc_qmat *out, const ssmhc_qmat *a, const ssmhc_qmat *b)
{
    ssmhc_qmat at;
    long i, j;
    if (a->rows == 0) {
        for (i = 0; i < out->rows * out->cols; i++)
            mpq_set_ui(out->e[i], 0, 1);
        return;
    }
    ssmhc_qmat_init(&at, a->cols, a->rows);
    for (i = 0; i < a->rows; i++)
        for (j = 0; j < a->cols; j++)
            mpq_set(SSMHC_Q(&at, j, i), SSMHC_Q(a, i, j));
    ssmhc_qmat_mul(out, &at, b);
    ssmhc_qmat_clear(&at);
}

/* out = A^T G A = (A^T F) W (F^T A), W = diag(weights): no s x s G formed. */
static void gram_w(ssmhc_qmat *out, const ssmhc_qmat *a, const ssmhc_qmat *F, const mpz_t *wts)
{
    ssmhc_qmat C, CW, Ct;
    long i, l, n = F->cols;
    mpq_t wl;
    ssmhc_qmat_init(&C, a->cols, n);
    ssmhc_qmat_init(&CW, a->cols, n);
    ssmhc_qmat_init(&Ct, n, a->cols);
    mpq_init(wl);
    tmul(&C, a, F);
    for (i = 0; i < a->cols; i++)
        for (l = 0; l < n; l++) {
            mpq_set_z(wl, wts[l]);
            mpq_mul(SSMHC_Q(&CW, i, l), SSMHC_Q(&C, i, l), wl);
            mpq_set(SSMHC_Q(&Ct, l, i), SSMHC_Q(&C, i, l));
        }
    if (a->cols > 0 && n > 0)
        ssmhc_qmat_mul(out, &CW, &Ct);
    ssmhc_qmat_clear(&C);
    ssmhc_qmat_clear(&CW);
    ssmhc_qmat_clear(&Ct);
    mpq_clear(wl);
}

/* The lags K_l, l < n, as distinct lags K[c] with multiplicities wts[c]
   (G = sum_c wts[c] vec K[c] vec K[c]^T).  Lag l counts n - l times.  For
   l >= 1, K_l = C X with X the exact state A^l B (A^(l-1) B when delayed),
   so once X vanishes every later lag is 0, and once X equals the state s
   of a saved lag s < l (saved at l = 1, 2, 4, 8, ...: Brent), the lags from
   s on repeat with period P = l - s, and lag s + r (0 <= r < P) occurs
   again at s + r + P t, t = 1 .. T_r = (n - 1 - s - r) / P, with the extra
   weight T_r (n - s - r) - P T_r (T_r + 1) / 2.  Either way a claimed n of
   10^8 costs only the lags before the repetition.  Without one, at most
   max_length lags and 16 max_bits bits of states in total (limits). */
static int lag_columns(ssmhc_qmat **Kout, mpz_t **wout, long *count, const ssmhc_model *m, long n,
                       ssmhc_report_t *r)
{
    const ssmhc_limits *lim = ssmhc_limits_get();
    ssmhc_lagstream ls;
    ssmhc_qmat saved, *K = NULL;
    mpz_t *w = NULL, x;
    long l, cap = 0, s = -1, i, P, rr;
    double work = 0, budget = lim->max_bits > 0 ? 16.0 * (double)lim->max_bits : -1;
    int rc = 0;
    ssmhc_lagstream_init(&ls, m);
    ssmhc_qmat_init(&saved, m->N, m->d);
    mpz_init(x);
    for (l = 0; l < n && rc == 0; l++) {
        if (l == cap) {   /* grow the column arrays */
            cap = cap ? 2 * cap : 16;
            K = realloc(K, sizeof(ssmhc_qmat) * (size_t)cap);
            w = realloc(w, sizeof(mpz_t) * (size_t)cap);
            if (K == NULL || w == NULL)
                ssmhc_out_of_memory(NULL);
        }
        ssmhc_qmat_init(&K[l], m->p, m->d);
        if (ssmhc_lagstream_next(&ls, &K[l]) != 0) {
            ssmhc_qmat_clear(&K[l]);
            ssmhc_limit(r, "claim.n = %ld: %s", n, ssmhc_limit_note());
            rc = -1;
            break;
        }
        if (l >= 1 && ssmhc_qmat_is_zero(&ls.X)) {   /* every later lag is 0 */
            ssmhc_qmat_clear(&K[l]);
            break;
        }
        if (l >= 2 && s >= 1 && ssmhc_qmat_equal(&ls.X, &saved)) {
            ssmhc_qmat_clear(&K[l]);
            P = l - s;
            for (rr = 0; rr < P; rr++) {
                long T = (n - 1 - s - rr) / P;
                mpz_set_si(x, T);
                mpz_mul_si(x, x, n - s - rr);
                mpz_add(w[s + rr], w[s + rr], x);
                mpz_set_si(x, T);
                mpz_mul_si(x, x, T + 1);
                mpz_mul_si(x, x, P);
                mpz_fdiv_q_2exp(x, x, 1);
                mpz_sub(w[s + rr], w[s + rr], x);
            }
            break;
        }
        mpz_init_set_si(w[l], n - l);
        *count = l + 1;
        if (l >= 1 && (l & (l - 1)) == 0) {
            ssmhc_qmat_copy(&saved, &ls.X);
            s = l;
        }
        for (i = 0; i < m->N * m->d; i++)
            work += (double)(mpz_sizeinbase(mpq_numref(ls.X.e[i]), 2)
                             + mpz_sizeinbase(mpq_denref(ls.X.e[i]), 2));
        if (l + 1 < n && (l + 1 >= lim->max_length || (budget > 0 && work > budget))) {
            ssmhc_limit(r, "claim.n = %ld: the exact lags do not repeat within %ld lags and "
                        "%.0f bits of states (the limits: %ld lags, 16 --max-bits bits)",
                        n, l + 1, work, lim->max_length);
            rc = -1;
        }
    }
    ssmhc_lagstream_clear(&ls);
    ssmhc_qmat_clear(&saved);
    mpz_clear(x);
    *Kout = K;
    *wout = w;
    return rc;
}

ssmhc_verdict_t ssmhc_check_approx(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    const json_t *claim = json_object_get(cert, "claim"), *wit = json_object_get(cert, "witness");
    const json_t *jrel, *jlow = NULL, *val;
    const char *key;
    long n, H, nb = 0, nw = 0, s = 0, pd = m->p * m->d, i, j, l;
    ssmhc_qmat *K = NULL, *basis = NULL, *wv = NULL, F, V, VtV, VtGV, X, W, Y, M;
    mpz_t *wts = NULL;
    long nk = 0;
    mpq_t eps, tau, total, up, low, t, q, w;
    long *sup = NULL;
    char *used = NULL;
    ssmhc_verdict_t v = SSMHC_VERIFIED;

    json_object_foreach((json_t *)claim, key, val) {
        if (strcmp(key, "kind") && strcmp(key, "n") && strcmp(key, "H") && strcmp(key, "eps")
            && strcmp(key, "relative") && strcmp(key, "error2_upper")
            && strcmp(key, "error2_lower_prev"))
            return ssmhc_fail(r, "claim: unknown field '%s'", key);
    }
    if (ssmhc_json_long(&n, json_object_get(claim, "n"), 1, MAX_LAG) != 0
        || ssmhc_json_long(&H, json_object_get(claim, "H"), 0, pd) != 0)
        return ssmhc_fail(r, "claim: n (>= 1) and H (0 .. p d) must be integers");
    jrel = json_object_get(claim, "relative");
    if (!json_is_boolean(jrel))
        return ssmhc_fail(r, "claim: relative must be true or false");
    if ((json_object_get(claim, "error2_lower_prev") != NULL) != (H >= 1))
        return ssmhc_fail(r, "claim: error2_lower_prev is given exactly when H >= 1");
    if (json_is_object(wit) && json_object_get(wit, "method") != NULL) {
        const json_t *jm = json_object_get(wit, "method");
        if (json_is_string(jm) && strcmp(json_string_value(jm), "modes") == 0)
            return ssmhc_check_approx_modes(cert, m, n, H, r);
        if (!json_is_string(jm) || strcmp(json_string_value(jm), "enclosure") != 0)
            return ssmhc_fail(r, "witness.method: expected \"enclosure\" or \"modes\" (no method: "
                                 "the exact witness)");
        return ssmhc_check_approx_enclosure(cert, m, n, H, r);
    }
    if (!json_is_object(wit) || json_object_get(wit, "basis") == NULL
        || json_object_size(wit) != 1u + (H >= 2))
        return ssmhc_fail(r, "witness: expected basis (and lower when H >= 2)");
    if (H >= 2) {
        jlow = json_object_get(wit, "lower");
        if (!json_is_object(jlow) || json_object_size(jlow) != 3)
            return ssmhc_fail(r, "witness.lower: expected t, vectors, Y");
    }
    mpq_init(eps);
    mpq_init(tau);
    mpq_init(total);
    mpq_init(up);
    mpq_init(low);
    mpq_init(t);
    mpq_init(q);
    mpq_init(w);
    memset(&Y, 0, sizeof(Y));
    if (ssmhc_json_rational(eps, json_object_get(claim, "eps")) != 0 || mpq_sgn(eps) <= 0
        || ssmhc_json_rational(up, json_object_get(claim, "error2_upper")) != 0
        || (H >= 1 && ssmhc_json_rational(low, json_object_get(claim, "error2_lower_prev")) != 0)) {
        v = ssmhc_fail(r, "claim: eps (> 0), error2_upper and error2_lower_prev must be exact numbers");
        goto out;
    }
    if (read_maps(&basis, &nb, json_object_get(wit, "basis"), H, m->p, m->d) != 0) {
        v = ssmhc_fail(r, "witness.basis: expected %ld value maps of shape %ld x %ld", H, m->p, m->d);
        goto out;
    }
    if (H >= 2) {
        if (read_maps(&wv, &nw, json_object_get(jlow, "vectors"), -1, m->p, m->d) != 0 || nw < 1) {
            v = ssmhc_fail(r, "witness.lower.vectors: expected 1 .. p d value maps of shape %ld x %ld",
                           m->p, m->d);
            goto out;
        }
        if (ssmhc_json_rational(t, json_object_get(jlow, "t")) != 0 || mpq_sgn(t) < 0) {
            v = ssmhc_fail(r, "witness.lower.t: expected an exact number >= 0");
            goto out;
        }
        if (ssmhc_json_qmat(&Y, json_object_get(jlow, "Y"), nw, nw) != 0) {
            v = ssmhc_fail(r, "witness.lower.Y: expected a %ld x %ld matrix", nw, nw);
            goto out;
        }
    }

    /* G on the support of the lags and of the witness's maps */
    if (lag_columns(&K, &wts, &nk, m, n, r) != 0) {
        v = SSMHC_REJECTED;
        goto lags_out;
    }
    used = ssmhc_calloc((size_t)(pd > 0 ? pd : 1), 1);
    mark(used, K, nk);
    mark(used, basis, nb);
    mark(used, wv, nw);
    sup = malloc(sizeof(long) * (size_t)(pd > 0 ? pd : 1));
    if (sup == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < pd; i++)
        if (used[i])
            sup[s++] = i;
    on_support(&F, K, nk, sup, s);
    /* tr G = sum_l (n - l) ||K_l||_F^2; G itself (s x s) is formed only
       when the lower witness needs it and no smaller form does */
    for (l = 0; l < nk; l++)
        for (i = 0; i < s; i++)
            if (mpq_sgn(SSMHC_Q(&F, i, l)) != 0) {
                mpq_mul(w, SSMHC_Q(&F, i, l), SSMHC_Q(&F, i, l));
                mpq_set_z(q, wts[l]);
                mpq_mul(w, w, q);
                mpq_add(total, total, w);
            }
    mpq_mul(tau, eps, eps);
    if (json_is_true(jrel))
        mpq_mul(tau, tau, total);

    /* upper: residual tr G - tr((V^T V)^{-1} V^T G V), V^T G V = U W U^T
       with U = V^T F */
    on_support(&V, basis, nb, sup, s);
    ssmhc_qmat_init(&VtV, nb, nb);
    ssmhc_qmat_init(&VtGV, nb, nb);
    tmul(&VtV, &V, &V);
    gram_w(&VtGV, &V, &F, wts);
    if (solve(&X, &VtV, &VtGV) != 0) {
        v = ssmhc_fail(r, "witness.basis: the value maps are linearly dependent");
    } else {
        mpq_set(q, total);
        for (i = 0; i < nb; i++)
            mpq_sub(q, q, SSMHC_Q(&X, i, i));
        ssmhc_qmat_clear(&X);
        if (!mpq_equal(q, up))
            v = ssmhc_fail(r, "claim.error2_upper: the basis's exact residual differs");
        else if (mpq_cmp(up, tau) > 0)
            v = ssmhc_fail(r, "claim.error2_upper: the residual exceeds eps^2");
    }
    ssmhc_qmat_clear(&VtV);
    ssmhc_qmat_clear(&VtGV);
    ssmhc_qmat_clear(&V);

    /* lower: E(H-1)^2 >= low > tau */
    if (v == SSMHC_VERIFIED && H >= 1 && mpq_cmp(low, tau) <= 0)
        v = ssmhc_fail(r, "claim.error2_lower_prev: not above eps^2");
    if (v == SSMHC_VERIFIED && H == 1 && !mpq_equal(low, total))
        v = ssmhc_fail(r, "claim.error2_lower_prev: for H = 1 it is ||T||_F^2 = tr G");
    if (v == SSMHC_VERIFIED && H >= 2) {
        ssmhc_qmat Yc, Qm, QtW, QtWY, WtQ, A;
        long nq = nk + nw < s ? nk + nw : s;
        ssmhc_qmat_init(&Yc, nw, nw);
        ssmhc_qmat_copy(&Yc, &Y);
        if (!ssmhc_qmat_psd(&Yc, 0))
            v = ssmhc_fail(r, "witness.lower.Y: not symmetric positive semidefinite");
        ssmhc_qmat_clear(&Yc);
        on_support(&W, wv, nw, sup, s);
        /* Q: [F W] when smaller than the support, else the identity.  Every
           column of G lies in span F and of Z = W Y W^T in span W, so off
           span Q the form M = Z - G + t I is t I (t >= 0): M >= 0 iff
           Q^T M Q >= 0, for Q of any rank. */
        ssmhc_qmat_init(&Qm, s, nq);
        for (i = 0; i < s; i++)
            for (j = 0; j < nq; j++) {
                if (nq == s)
                    mpq_set_si(SSMHC_Q(&Qm, i, j), i == j, 1);
                else
                    mpq_set(SSMHC_Q(&Qm, i, j), j < nk ? SSMHC_Q(&F, i, j) : SSMHC_Q(&W, i, j - nk));
            }
        /* M' = (Q^T W) Y (W^T Q) - (Q^T F) W (F^T Q) + t Q^T Q */
        ssmhc_qmat_init(&QtW, nq, nw);
        ssmhc_qmat_init(&QtWY, nq, nw);
        ssmhc_qmat_init(&WtQ, nw, nq);
        ssmhc_qmat_init(&M, nq, nq);
        ssmhc_qmat_init(&A, nq, nq);
        tmul(&QtW, &Qm, &W);
        ssmhc_qmat_mul(&QtWY, &QtW, &Y);
        for (i = 0; i < nq; i++)
            for (j = 0; j < nw; j++)
                mpq_set(SSMHC_Q(&WtQ, j, i), SSMHC_Q(&QtW, i, j));
        ssmhc_qmat_mul(&M, &QtWY, &WtQ);
        gram_w(&A, &Qm, &F, wts);
        for (i = 0; i < nq * nq; i++)
            mpq_sub(M.e[i], M.e[i], A.e[i]);
        tmul(&A, &Qm, &Qm);
        for (i = 0; i < nq * nq; i++) {
            mpq_mul(w, A.e[i], t);
            mpq_add(M.e[i], M.e[i], w);
        }
        if (v == SSMHC_VERIFIED && !ssmhc_qmat_psd(&M, 0))
            v = ssmhc_fail(r, "witness.lower: Z - G + t I is not positive semidefinite");
        /* bound = tr G - (H-1) t - tr(Y W^T W) */
        ssmhc_qmat_clear(&A);
        ssmhc_qmat_init(&A, nw, nw);
        tmul(&A, &W, &W);
        mpq_set_si(q, H - 1, 1);
        mpq_mul(q, q, t);
        mpq_sub(q, total, q);
        for (i = 0; i < nw; i++)
            for (j = 0; j < nw; j++) {
                mpq_mul(w, SSMHC_Q(&Y, i, j), SSMHC_Q(&A, j, i));
                mpq_sub(q, q, w);
            }
        if (v == SSMHC_VERIFIED && !mpq_equal(q, low))
            v = ssmhc_fail(r, "claim.error2_lower_prev: differs from tr G - (H-1) t - tr Z");
        ssmhc_qmat_clear(&M);
        ssmhc_qmat_clear(&A);
        ssmhc_qmat_clear(&Qm);
        ssmhc_qmat_clear(&QtW);
        ssmhc_qmat_clear(&QtWY);
        ssmhc_qmat_clear(&WtQ);
        ssmhc_qmat_clear(&W);
    }
    if (v == SSMHC_VERIFIED)
        snprintf(r->step, sizeof(r->step),
                 "approx: H = %ld heads within eps on n = %ld (E(H)^2 <= eps^2 < E(H-1)^2, exact)",
                 H, n);
    ssmhc_qmat_clear(&F);
lags_out:
    for (l = 0; l < nk; l++) {
        ssmhc_qmat_clear(K + l);
        mpz_clear(wts[l]);
    }
    free(K);
    free(wts);
out:
    free(sup);
    free(used);
    free_maps(basis, nb);
    free_maps(wv, nw);
    if (Y.e != NULL)
        ssmhc_qmat_clear(&Y);
    mpq_clear(eps);
    mpq_clear(tau);
    mpq_clear(total);
    mpq_clear(up);
    mpq_clear(low);
    mpq_clear(t);
    mpq_clear(q);
    mpq_clear(w);
    return v;
}
