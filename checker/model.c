/*
 * The embedded model, read strictly and realified exactly: diag -> diagonal
 * A; complex_diag -> 2x2 blocks [[a, -b], [b, a]], B rows (Re b, Im b),
 * C columns f (Re c, -Im c) with f = 2 ("2re", the default) or 1 ("re").
 * B, C and D are kept sparse (their nonzeros only: a channel bank's are a
 * few thousand of millions of entries); their dimensions pass the same
 * dense bounds as before (ssmhc_dense_check, ssmhc_entries_check), so a
 * check that needs one densely may copy it.
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

static int keys_ok(const json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        int i, ok = 0;
        for (i = 0; allowed[i]; i++)
            ok |= strcmp(k, allowed[i]) == 0;
        if (!ok)
            return 0;
    }
    return 1;
}

/* A complex matrix {"re": M, "im": M} or a real matrix (imaginary part 0). */
static int cmat(ssmhc_smat *re, ssmhc_smat *im, const json_t *v, long rows, long cols)
{
    static const char *const k[] = {"re", "im", NULL};
    if (json_is_object(v) && json_object_get(v, "entries") == NULL) {
        if (!keys_ok(v, k) || ssmhc_json_smat(re, json_object_get(v, "re"), rows, cols) != 0)
            return -1;
        if (ssmhc_json_smat(im, json_object_get(v, "im"), re->rows, re->cols) != 0) {
            ssmhc_smat_clear(re);
            return -1;
        }
        return 0;
    }
    if (ssmhc_json_smat(re, v, rows, cols) != 0)
        return -1;
    ssmhc_smat_init(im, re->rows, re->cols);
    return 0;
}

/* The realified B of a complex model: rows (Re b_s, Im b_s), the parts'
   values moved in. */
static void realify_B(ssmhc_smat *out, ssmhc_smat *re, ssmhc_smat *im)
{
    long s, k;
    ssmhc_smat_init(out, 2 * re->rows, re->cols);
    ssmhc_smat_reserve(out, re->nnz + im->nnz);
    for (s = 0; s < re->rows; s++) {
        for (k = re->rowptr[s]; k < re->rowptr[s + 1]; k++)
            ssmhc_smat_push(out, 2 * s, re->col[k], re->val[k]);
        for (k = im->rowptr[s]; k < im->rowptr[s + 1]; k++)
            ssmhc_smat_push(out, 2 * s + 1, im->col[k], im->val[k]);
    }
    ssmhc_smat_finish(out);
}

/* The realified C: columns f (Re c_s, -Im c_s), each row a merge of the
   parts' rows (values moved in and scaled). */
static void realify_C(ssmhc_smat *out, ssmhc_smat *re, ssmhc_smat *im, unsigned long f)
{
    long i, a, b;
    ssmhc_smat_init(out, re->rows, 2 * re->cols);
    ssmhc_smat_reserve(out, re->nnz + im->nnz);
    for (i = 0; i < re->rows; i++) {
        a = re->rowptr[i];
        b = im->rowptr[i];
        while (a < re->rowptr[i + 1] || b < im->rowptr[i + 1]) {
            if (b >= im->rowptr[i + 1] || (a < re->rowptr[i + 1] && re->col[a] <= im->col[b])) {
                if (f == 2)
                    mpq_mul_2exp(re->val[a], re->val[a], 1);
                ssmhc_smat_push(out, i, 2 * re->col[a], re->val[a]);
                a++;
            } else {
                if (f == 2)
                    mpq_mul_2exp(im->val[b], im->val[b], 1);
                mpq_neg(im->val[b], im->val[b]);
                ssmhc_smat_push(out, i, 2 * im->col[b] + 1, im->val[b]);
                b++;
            }
        }
    }
    ssmhc_smat_finish(out);
}

static int vec(ssmhc_qmat *out, const json_t *v, long n)
{
    long i, len;
    if (!json_is_array(v))
        return -1;
    len = (long)json_array_size(v);
    if ((n >= 0 && len != n) || len == 0)
        return -1;
    if (len > ssmhc_limits_get()->max_dim) {
        ssmhc_limit(NULL, "model: %ld states exceed the dimension limit %ld (--max-dim)", len,
                    ssmhc_limits_get()->max_dim);
        return -1;
    }
    ssmhc_qmat_init(out, len, 1);
    for (i = 0; i < len; i++)
        if (ssmhc_json_rational(SSMHC_Q(out, i, 0), json_array_get(v, (size_t)i)) != 0) {
            ssmhc_qmat_clear(out);
            return -1;
        }
    return 0;
}

static void block_init(ssmhc_model *m, long n)
{
    m->block_diag = 1;
    ssmhc_qmat_init(&m->Ab, n, 2);
    mpq_init(m->zero);
    m->blk = ssmhc_calloc((size_t)n, 1);
}

int ssmhc_model_read(ssmhc_model *m, const json_t *o, ssmhc_report_t *r)
{
    static const char *const keys[] = {"format", "convention", "A", "B", "C", "D", "length",
                                       "name", "source", "output", NULL};
    const json_t *jA, *jf, *jc, *jo, *jD, *jl;
    ssmhc_qmat lre, lim;
    ssmhc_smat Bre, Bim, Cre, Cim;
    long n, i, M;
    int kind; /* 0 dense, 1 diag, 2 complex */
    unsigned long f = 2;

    memset(m, 0, sizeof(*m));
    if (!json_is_object(o) || !keys_ok(o, keys))
        return ssmhc_fail(r, "model: not a model object, or unknown keys"), -1;
    jf = json_object_get(o, "format");
    if (!json_is_string(jf) || strcmp(json_string_value(jf), "ssmheads-model/1") != 0)
        return ssmhc_fail(r, "model: format is not ssmheads-model/1"), -1;
    jc = json_object_get(o, "convention");
    if (jc == NULL || (json_is_string(jc) && strcmp(json_string_value(jc), "direct") == 0))
        m->delayed = 0;
    else if (json_is_string(jc) && strcmp(json_string_value(jc), "delayed") == 0)
        m->delayed = 1;
    else
        return ssmhc_fail(r, "model: unknown convention"), -1;
    jl = json_object_get(o, "length");
    if (jl != NULL && (!json_is_integer(jl) || json_integer_value(jl) < 1))
        return ssmhc_fail(r, "model: bad length"), -1;
    jA = json_object_get(o, "A");
    if (jA == NULL)
        return ssmhc_fail(r, "model: no A"), -1;
    if (json_is_array(jA) || (json_is_object(jA) && json_object_get(jA, "entries"))) {
        kind = 0;
        if (ssmhc_json_qmat(&m->A, jA, -1, -1) != 0 || m->A.rows != m->A.cols || m->A.rows == 0) {
            ssmhc_qmat_clear(&m->A);
            return ssmhc_fail(r, "model: A is not a nonempty square matrix of exact numbers"), -1;
        }
        n = m->A.rows;
    } else if (json_is_object(jA) && json_object_size(jA) == 1 && json_object_get(jA, "diag")) {
        kind = 1;
        if (vec(&lre, json_object_get(jA, "diag"), -1) != 0)
            return ssmhc_fail(r, "model: bad A.diag"), -1;
        n = lre.rows;
    } else if (json_is_object(jA) && json_object_size(jA) == 1
               && json_is_object(json_object_get(jA, "complex_diag"))) {
        const json_t *cd = json_object_get(jA, "complex_diag");
        static const char *const k[] = {"re", "im", NULL};
        kind = 2;
        if (!keys_ok(cd, k) || vec(&lre, json_object_get(cd, "re"), -1) != 0)
            return ssmhc_fail(r, "model: bad A.complex_diag"), -1;
        if (vec(&lim, json_object_get(cd, "im"), lre.rows) != 0) {
            ssmhc_qmat_clear(&lre);
            return ssmhc_fail(r, "model: bad A.complex_diag.im"), -1;
        }
        n = lre.rows;
    } else {
        return ssmhc_fail(r, "model: bad A"), -1;
    }
    jo = json_object_get(o, "output");
    if (jo != NULL) {
        if (kind != 2 || !json_is_string(jo)
            || (strcmp(json_string_value(jo), "2re") != 0 && strcmp(json_string_value(jo), "re") != 0))
            goto bad;
        f = strcmp(json_string_value(jo), "re") == 0 ? 1 : 2;
    }
    if (kind == 2) {
        if (cmat(&Bre, &Bim, json_object_get(o, "B"), n, -1) != 0)
            goto bad;
        if (cmat(&Cre, &Cim, json_object_get(o, "C"), -1, n) != 0) {
            ssmhc_smat_clear(&Bre);
            ssmhc_smat_clear(&Bim);
            goto bad;
        }
        m->d = Bre.cols;
        m->p = Cre.rows;
        m->complex_modes = 1;
        M = 2 * n;
        /* the dense realified sizes stay bounded (the checks that need
           them densely: annihilators, lags of dense forms, approx) */
        if (ssmhc_entries_check(M, m->d, "model: the realified B") != 0
            || ssmhc_entries_check(m->p, M, "model: the realified C") != 0) {
            ssmhc_smat_clear(&Bre);
            ssmhc_smat_clear(&Bim);
            ssmhc_smat_clear(&Cre);
            ssmhc_smat_clear(&Cim);
            goto bad;
        }
        block_init(m, M);
        for (i = 0; i < n; i++) {
            /* [[re, -im], [im, re]]; two 1x1 blocks when im = 0 (no mixing,
               so the structural support is that of two real modes) */
            if (mpq_sgn(SSMHC_Q(&lim, i, 0)) != 0) {
                m->blk[2 * i] = 1;
                m->blk[2 * i + 1] = 2;
            }
            mpq_set(SSMHC_Q(&m->Ab, 2 * i, 0), SSMHC_Q(&lre, i, 0));
            mpq_neg(SSMHC_Q(&m->Ab, 2 * i, 1), SSMHC_Q(&lim, i, 0));
            mpq_set(SSMHC_Q(&m->Ab, 2 * i + 1, 1), SSMHC_Q(&lim, i, 0));
            mpq_set(SSMHC_Q(&m->Ab, 2 * i + 1, 0), SSMHC_Q(&lre, i, 0));
        }
        realify_B(&m->B, &Bre, &Bim);
        realify_C(&m->C, &Cre, &Cim, f);
        ssmhc_smat_clear(&Bre);
        ssmhc_smat_clear(&Bim);
        ssmhc_smat_clear(&Cre);
        ssmhc_smat_clear(&Cim);
        ssmhc_qmat_clear(&lre);
        ssmhc_qmat_clear(&lim);
    } else {
        if (kind == 1) {
            block_init(m, n);
            for (i = 0; i < n; i++)
                mpq_set(SSMHC_Q(&m->Ab, i, 0), SSMHC_Q(&lre, i, 0));
            ssmhc_qmat_clear(&lre);
        }
        M = n;
        if (ssmhc_json_smat(&m->B, json_object_get(o, "B"), n, -1) != 0)
            goto bad;
        if (ssmhc_json_smat(&m->C, json_object_get(o, "C"), -1, n) != 0)
            goto bad;
        m->d = m->B.cols;
        m->p = m->C.rows;
    }
    m->N = M;
    if (m->d == 0 || m->p == 0)
        goto bad;
    jD = json_object_get(o, "D");
    if (jD != NULL) {
        if (ssmhc_json_smat(&m->D, jD, m->p, m->d) != 0)
            goto bad;
    } else {
        /* D omitted: p x d zeros, within the bounds of a given D */
        if (ssmhc_dense_check(m->p, m->d, "model: D (omitted: p x d zeros)") != 0)
            goto bad;
        ssmhc_smat_init(&m->D, m->p, m->d);
    }
    return 0;
bad:
    if (kind == 1 && m->Ab.e == NULL)
        ssmhc_qmat_clear(&lre);
    if (kind == 2 && m->Ab.e == NULL) {
        ssmhc_qmat_clear(&lre);
        ssmhc_qmat_clear(&lim);
    }
    ssmhc_model_clear(m);
    return ssmhc_fail(r, "model: B, C, D or output missing or malformed"), -1;
}

void ssmhc_model_clear(ssmhc_model *m)
{
    ssmhc_qmat_clear(&m->A);
    if (m->blk != NULL) {
        ssmhc_qmat_clear(&m->Ab);
        mpq_clear(m->zero);
        free(m->blk);
        m->blk = NULL;
    }
    ssmhc_smat_clear(&m->B);
    ssmhc_smat_clear(&m->C);
    ssmhc_smat_clear(&m->D);
}

/* The size of the block starting at state i. */
static long block_size(const ssmhc_model *m, long i)
{
    return m->blk[i] == 1 ? 2 : 1;
}

const __mpq_struct *ssmhc_model_A_entry(const ssmhc_model *m, long i, long j)
{
    if (!m->block_diag)
        return SSMHC_Q(&m->A, i, j);
    if (i == j)
        return SSMHC_Q(&m->Ab, i, 0);
    if ((m->blk[i] == 1 && j == i + 1) || (m->blk[i] == 2 && j == i - 1))
        return SSMHC_Q(&m->Ab, i, 1);
    return m->zero;
}

long ssmhc_model_block_support(long *act, long *part, const ssmhc_model *m,
                               const ssmhc_smat *W, long v)
{
    long na = 0, prev = -1, k, t;
    for (k = W->rowptr[v]; k < W->rowptr[v + 1]; k++) {
        long s = W->col[k], b;
        if (m->blk[s] == 2)   /* the second state of a 2 x 2 block */
            s--;
        if (s <= prev)        /* its block is in already (the states increase) */
            continue;
        prev = s;
        b = block_size(m, s);
        for (t = s; t < s + b; t++) {
            if (part != NULL)
                part[na] = b == 1 ? -1 : (t == s ? na + 1 : na - 1);
            act[na++] = t;
        }
    }
    return na;
}

int ssmhc_model_equal(const ssmhc_model *a, const ssmhc_model *b)
{
    long i, j, lo, hi;
    if (a->delayed != b->delayed || a->N != b->N || a->d != b->d || a->p != b->p
        || !ssmhc_smat_equal(&a->B, &b->B) || !ssmhc_smat_equal(&a->C, &b->C)
        || !ssmhc_smat_equal(&a->D, &b->D))
        return 0;
    if (!a->block_diag && !b->block_diag)
        return ssmhc_qmat_equal(&a->A, &b->A);
    /* at least one is block diagonal: only the tridiagonal band can differ
       from zero in it, so compare the band, and the rest of a dense one
       against zero */
    for (i = 0; i < a->N; i++) {
        int band_only = a->block_diag && b->block_diag;
        lo = band_only ? (i > 0 ? i - 1 : 0) : 0;
        hi = band_only ? (i + 1 < a->N ? i + 1 : i) : a->N - 1;
        for (j = lo; j <= hi; j++)
            if (mpq_equal(ssmhc_model_A_entry(a, i, j), ssmhc_model_A_entry(b, i, j)) == 0)
                return 0;
    }
    return 1;
}

void ssmhc_model_apply_A(ssmhc_qmat *out, const ssmhc_model *m, const ssmhc_qmat *X)
{
    long i, j, b;
    mpq_t t, u;
    if (!m->block_diag) {
        ssmhc_qmat_mul(out, &m->A, X);
        return;
    }
    mpq_init(t);
    mpq_init(u);
    for (i = 0; i < m->N; i += b) {
        b = block_size(m, i);
        for (j = 0; j < X->cols; j++) {
            if (mpq_sgn(SSMHC_Q(X, i, j)) == 0 && (b == 1 || mpq_sgn(SSMHC_Q(X, i + 1, j)) == 0)) {
                mpq_set_ui(SSMHC_Q(out, i, j), 0, 1);   /* sparse B: most rows stay zero */
                if (b == 2)
                    mpq_set_ui(SSMHC_Q(out, i + 1, j), 0, 1);
            } else if (b == 1) {
                mpq_mul(SSMHC_Q(out, i, j), SSMHC_Q(&m->Ab, i, 0), SSMHC_Q(X, i, j));
            } else {
                mpq_mul(t, SSMHC_Q(&m->Ab, i, 0), SSMHC_Q(X, i, j));
                mpq_mul(u, SSMHC_Q(&m->Ab, i, 1), SSMHC_Q(X, i + 1, j));
                mpq_add(t, t, u);
                mpq_mul(u, SSMHC_Q(&m->Ab, i + 1, 1), SSMHC_Q(X, i, j));
                mpq_mul(SSMHC_Q(out, i + 1, j), SSMHC_Q(&m->Ab, i + 1, 0), SSMHC_Q(X, i + 1, j));
                mpq_add(SSMHC_Q(out, i + 1, j), SSMHC_Q(out, i + 1, j), u);
                mpq_set(SSMHC_Q(out, i, j), t);
            }
        }
    }
    mpq_clear(t);
    mpq_clear(u);
}

void ssmhc_model_apply_A_right(ssmhc_qmat *out, const ssmhc_model *m, const ssmhc_qmat *X)
{
    long i, j, b;
    mpq_t t, u;
    if (!m->block_diag) {
        ssmhc_qmat_mul(out, X, &m->A);
        return;
    }
    mpq_init(t);
    mpq_init(u);
    for (j = 0; j < m->N; j += b) {
        b = block_size(m, j);
        for (i = 0; i < X->rows; i++) {
            if (b == 1) {
                mpq_mul(SSMHC_Q(out, i, j), SSMHC_Q(X, i, j), SSMHC_Q(&m->Ab, j, 0));
            } else { /* (x0, x1) [[a00, a01], [a10, a11]] */
                mpq_mul(t, SSMHC_Q(X, i, j), SSMHC_Q(&m->Ab, j, 0));
                mpq_mul(u, SSMHC_Q(X, i, j + 1), SSMHC_Q(&m->Ab, j + 1, 1));
                mpq_add(t, t, u);
                mpq_mul(u, SSMHC_Q(X, i, j), SSMHC_Q(&m->Ab, j, 1));
                mpq_mul(SSMHC_Q(out, i, j + 1), SSMHC_Q(X, i, j + 1), SSMHC_Q(&m->Ab, j + 1, 0));
                mpq_add(SSMHC_Q(out, i, j + 1), SSMHC_Q(out, i, j + 1), u);
                mpq_set(SSMHC_Q(out, i, j), t);
            }
        }
    }
    mpq_clear(t);
    mpq_clear(u);
}

/* limbs of an exact number over a common denominator: num and den bits */
static double limbs(const mpq_t x)
{
    return (double)((mpz_sizeinbase(mpq_numref(x), 2) + mpz_sizeinbase(mpq_denref(x), 2)) / 64 + 1);
}

/* K += D */
static void add_D(ssmhc_qmat *K, const ssmhc_model *m)
{
    long i, k;
    for (i = 0; i < m->p; i++)
        for (k = m->D.rowptr[i]; k < m->D.rowptr[i + 1]; k++)
            mpq_add(SSMHC_Q(K, i, m->D.col[k]), SSMHC_Q(K, i, m->D.col[k]), m->D.val[k]);
}

void ssmhc_lagstream_init(ssmhc_lagstream *s, const ssmhc_model *m)
{
    const ssmhc_qmat *A = m->block_diag ? &m->Ab : &m->A;
    size_t i, nnz = 0;
    double big = 1;
    for (i = 0; i < (size_t)A->rows * (size_t)A->cols; i++)
        if (mpq_sgn(A->e[i]) != 0) {
            nnz++;
            if (limbs(A->e[i]) > big)
                big = limbs(A->e[i]);
        }
    s->cost_A = (double)nnz * (double)m->d * big;
    s->m = m;
    s->l = 0;
    ssmhc_qmat_init(&s->X, m->N, m->d);   /* N x d: validated with the model */
    ssmhc_qmat_init(&s->Y, m->N, m->d);
    for (i = 0; i < (size_t)m->N; i++) {   /* X = B */
        long k;
        for (k = m->B.rowptr[i]; k < m->B.rowptr[i + 1]; k++)
            mpq_set(SSMHC_Q(&s->X, i, m->B.col[k]), m->B.val[k]);
    }
}

int ssmhc_lagstream_next(ssmhc_lagstream *s, ssmhc_qmat *K)
{
    const ssmhc_model *m = s->m;
    long l = s->l++;
    size_t i;
    if (m->delayed && l == 0) {
        for (i = 0; i < (size_t)m->p * (size_t)m->d; i++)
            mpq_set_ui(K->e[i], 0, 1);
        add_D(K, m);
        return 0;
    }
    if (l > (long)m->delayed) {   /* the power this lag needs: one more A */
        ssmhc_model_apply_A(&s->Y, m, &s->X);
        { ssmhc_qmat t = s->X; s->X = s->Y; s->Y = t; }
        /* the exact powers grow with the lag: stop them at --max-bits, and
           the work (the next step's products) at the budget */
        double big = 1;
        for (i = 0; i < (size_t)m->N * (size_t)m->d; i++) {
            if (ssmhc_bits_check(s->X.e[i], "the lags C A^l B") != 0)
                return -1;
            if (mpq_sgn(s->X.e[i]) != 0 && limbs(s->X.e[i]) > big)
                big = limbs(s->X.e[i]);
        }
        if (ssmhc_work_spend(s->cost_A * big, "the lags C A^l B") != 0)
            return -1;
    }
    ssmhc_smat_mul_qmat(K, &m->C, &s->X);
    if (l == 0)
        add_D(K, m);
    return 0;
}

void ssmhc_lagstream_clear(ssmhc_lagstream *s)
{
    ssmhc_qmat_clear(&s->X);
    ssmhc_qmat_clear(&s->Y);
}

int ssmhc_model_lags(ssmhc_qmat *K, const ssmhc_model *m, long count)
{
    ssmhc_lagstream s;
    long l;
    int rc = 0;
    for (l = 0; l < count; l++)
        ssmhc_qmat_init(&K[l], m->p, m->d);
    ssmhc_lagstream_init(&s, m);
    for (l = 0; l < count && rc == 0; l++)
        rc = ssmhc_lagstream_next(&s, &K[l]);
    ssmhc_lagstream_clear(&s);
    return rc;
}
