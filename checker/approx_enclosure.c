/*
 * Checker for the enclosure variant of kind `approx` (witness.method
 * "enclosure"; doc/approx.md, "Enclosure certificates").  The lags are
 * replaced by fixed-point lags Kt_l (precision 2^-s, round = floor(x + 1/2))
 * recomputed here in integers from the embedded model; G by
 * Gt = sum_{l<n} (n - l) vec(Kt_l) vec(Kt_l)^T.  Accepts only when, exactly:
 *  - the envelope (gamma < 1, P, beta_C) checks (ssmhc_check_envelope), so
 *    ||(F - Ft) W^(1/2)||_F^2 <= E2 and e^2 >= E2, u^2 >= tr Gt; with
 *    delta = e (2u + e), ||G - Gt||_2 <= delta and |tr G - tr Gt| <= delta;
 *  - upper: the H maps of the basis are independent, v^2 >= rt (their
 *    residual on Gt) and error2_upper = rt + e (2v + e) <= tau_lo;
 *  - lower: error2_lower_prev > tau_hi and equals tr Gt - delta (H = 1) or,
 *    for H >= 2, tr Gt - delta - (H-1) t - sum_i y_i ||x_i||^2 with y >= 0,
 *    D >= 0, t >= rho >= delta and (rho - delta)^2 >= ||R||_F^2 for
 *    R = M - L diag(D) L^T on the support (Ky Fan).
 * Hence E(H)^2 <= tau < E(H-1)^2 for the true operator.  Every malformed
 * field is rejected with its JSON path.
 */
#include "ssmhc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_S 4096L

/* The witness as read (every field checked for type and shape). */
typedef struct {
    long n, H, s, nb, S, r;
    int relative;
    mpq_t eps, up, low, gamma, bC, e, u, v, t, rho;
    ssmhc_qmat *basis;  /* nb value maps */
    long *sup;          /* S increasing vec positions */
    ssmhc_qmat *x;      /* r value maps */
    mpq_t *y;           /* r numbers >= 0 */
    mpq_t *L;           /* strict lower triangle, row i at i (i - 1) / 2 */
    mpq_t *D;           /* S numbers >= 0 */
} enc_cert;

/* ---- small helpers -------------------------------------------------------- */

static mpz_t *zvec_new(size_t n)
{
    size_t i;
    mpz_t *v = malloc(sizeof(mpz_t) * (n ? n : 1));
    if (v == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < n; i++)
        mpz_init(v[i]);
    return v;
}

static void zvec_free(mpz_t *v, size_t n)
{
    size_t i;
    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        mpz_clear(v[i]);
    free(v);
}

static mpq_t *qvec_new(size_t n)
{
    size_t i;
    mpq_t *v = malloc(sizeof(mpq_t) * (n ? n : 1));
    if (v == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

static void qvec_free(mpq_t *v, size_t n)
{
    size_t i;
    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

static void maps_free(ssmhc_qmat *v, long count)
{
    long i;
    if (v == NULL)
        return;
    for (i = 0; i < count; i++)
        ssmhc_qmat_clear(v + i);
    free(v);
}

/* out[i] = in[i] * den as integers, den = the lcm of the denominators. */
static void to_int(mpz_t *out, mpz_t den, mpq_t *const in, size_t n)
{
    size_t i;
    mpz_set_ui(den, 1);
    for (i = 0; i < n; i++)
        if (mpz_cmp_ui(mpq_denref(in[i]), 1) != 0)
            mpz_lcm(den, den, mpq_denref(in[i]));
    for (i = 0; i < n; i++) {
        mpz_divexact(out[i], den, mpq_denref(in[i]));
        mpz_mul(out[i], out[i], mpq_numref(in[i]));
    }
}

/* ---- strict reading ------------------------------------------------------- */

/* An array of count (any when < 0) p x d value maps. */
static int read_maps(ssmhc_qmat **out, long *got, const json_t *a, long count, const char *path,
                     const ssmhc_model *m, ssmhc_report_t *r)
{
    long i, len;
    *out = NULL;
    *got = 0;
    if (!json_is_array(a) || (count >= 0 && (long)json_array_size(a) != count)) {
        if (count < 0)
            return ssmhc_fail(r, "%s: expected an array of value maps", path), -1;
        return ssmhc_fail(r, "%s: expected an array of %ld value maps", path, count), -1;
    }
    len = (long)json_array_size(a);
    *out = calloc((size_t)(len > 0 ? len : 1), sizeof(ssmhc_qmat));
    if (*out == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < len; i++) {
        if (ssmhc_json_qmat(*out + i, json_array_get(a, (size_t)i), m->p, m->d) != 0)
            return ssmhc_fail(r, "%s[%ld]: expected a %ld x %ld value map of exact numbers", path,
                              i, m->p, m->d), -1;
        *got = i + 1;
    }
    return 0;
}

/* An array of exactly count numbers >= 0 (*out allocated on success). */
static int read_nums(mpq_t **out, const json_t *a, long count, const char *path, ssmhc_report_t *r)
{
    long i;
    char where[64];
    *out = NULL;
    if (!json_is_array(a) || (long)json_array_size(a) != count)
        return ssmhc_fail(r, "%s: expected an array of %ld numbers", path, count), -1;
    *out = qvec_new((size_t)count);
    for (i = 0; i < count; i++) {
        snprintf(where, sizeof(where), "%s[%ld]", path, i);
        if (ssmhc_json_read_num((*out)[i], json_array_get(a, (size_t)i), 1, where, r) != 0) {
            qvec_free(*out, (size_t)count);
            *out = NULL;
            return -1;
        }
    }
    return 0;
}

static int read_support(enc_cert *c, const json_t *a, long pd, ssmhc_report_t *r)
{
    long i, last = -1;
    if (!json_is_array(a) || (long)json_array_size(a) > pd)
        return ssmhc_fail(r, "witness.lower.support: expected an array of at most p d = %ld positions",
                          pd), -1;
    c->S = (long)json_array_size(a);
    c->sup = malloc(sizeof(long) * (size_t)(c->S > 0 ? c->S : 1));
    if (c->sup == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < c->S; i++) {
        if (ssmhc_json_long(&c->sup[i], json_array_get(a, (size_t)i), 0, pd - 1) != 0
            || c->sup[i] <= last)
            return ssmhc_fail(r, "witness.lower.support[%ld]: expected an integer in [0, %ld) above "
                              "the previous one", i, pd), -1;
        last = c->sup[i];
    }
    return 0;
}

static int read_L(enc_cert *c, const json_t *a, ssmhc_report_t *r)
{
    long i, j, S = c->S;
    size_t cnt = (size_t)S * (size_t)(S > 0 ? S - 1 : 0) / 2;
    char where[96];
    if (!json_is_array(a) || (long)json_array_size(a) != S)
        return ssmhc_fail(r, "witness.lower.L: expected %ld rows", S), -1;
    for (i = 0; i < S; i++) {
        const json_t *row = json_array_get(a, (size_t)i);
        if (!json_is_array(row) || (long)json_array_size(row) != i)
            return ssmhc_fail(r, "witness.lower.L[%ld]: expected an array of %ld numbers", i, i), -1;
    }
    c->L = qvec_new(cnt);
    for (i = 0; i < S; i++)
        for (j = 0; j < i; j++) {
            snprintf(where, sizeof(where), "witness.lower.L[%ld][%ld]", i, j);
            if (ssmhc_json_read_num(c->L[(size_t)i * (size_t)(i - 1) / 2 + (size_t)j],
                         json_array_get(json_array_get(a, (size_t)i), (size_t)j), 0, where, r) != 0)
                return -1;
        }
    return 0;
}

/* Every vector zero off the support. */
static int vectors_on_support(const enc_cert *c, long pd, ssmhc_report_t *r)
{
    char *in = calloc((size_t)(pd > 0 ? pd : 1), 1);
    long i, a;
    int ok = 1;
    if (in == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < c->S; i++)
        in[c->sup[i]] = 1;
    for (i = 0; i < c->r && ok; i++)
        for (a = 0; a < pd && ok; a++)
            if (!in[a] && mpq_sgn(c->x[i].e[a]) != 0) {
                ssmhc_fail(r, "witness.lower.vectors[%ld]: nonzero at vec position %ld, outside the "
                           "support", i, a);
                ok = 0;
            }
    free(in);
    return ok ? 0 : -1;
}

static int read_lower(enc_cert *c, const json_t *lo, const ssmhc_model *m, ssmhc_report_t *r)
{
    static const char *const keys[] = {"support", "t", "rho", "vectors", "y", "L", "D"};
    long pd = m->p * m->d;
    if (ssmhc_json_keys_exact(lo, "witness.lower", keys, 7, r) != 0
        || read_support(c, json_object_get(lo, "support"), pd, r) != 0
        || ssmhc_json_read_num(c->t, json_object_get(lo, "t"), 1, "witness.lower.t", r) != 0
        || ssmhc_json_read_num(c->rho, json_object_get(lo, "rho"), 1, "witness.lower.rho", r) != 0
        || read_maps(&c->x, &c->r, json_object_get(lo, "vectors"), -1, "witness.lower.vectors", m, r) != 0)
        return -1;
    if (c->r < 1)
        return ssmhc_fail(r, "witness.lower.vectors: expected at least one value map"), -1;
    if (read_nums(&c->y, json_object_get(lo, "y"), c->r, "witness.lower.y", r) != 0
        || read_L(c, json_object_get(lo, "L"), r) != 0
        || read_nums(&c->D, json_object_get(lo, "D"), c->S, "witness.lower.D", r) != 0)
        return -1;
    return vectors_on_support(c, pd, r);
}

static int read_cert(enc_cert *c, const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    static const char *const wkeys[] = {"method", "s", "envelope", "e", "u", "basis", "v", "lower"};
    const json_t *claim = json_object_get(cert, "claim"), *wit = json_object_get(cert, "witness");
    const json_t *js = json_object_get(wit, "s");
    c->relative = json_is_true(json_object_get(claim, "relative"));
    if (ssmhc_json_read_num(c->eps, json_object_get(claim, "eps"), 0, "claim.eps", r) != 0)
        return -1;
    if (mpq_sgn(c->eps) <= 0)
        return ssmhc_fail(r, "claim.eps: expected an exact number > 0"), -1;
    if (ssmhc_json_read_num(c->up, json_object_get(claim, "error2_upper"), 0, "claim.error2_upper", r) != 0
        || (c->H >= 1 && ssmhc_json_read_num(c->low, json_object_get(claim, "error2_lower_prev"), 0,
                                  "claim.error2_lower_prev", r) != 0))
        return -1;
    if (ssmhc_json_keys_exact(wit, "witness", wkeys, c->H >= 2 ? 8 : 7, r) != 0)
        return -1;
    if (ssmhc_json_long(&c->s, js, 1, MAX_S) != 0)
        return ssmhc_fail(r, "witness.s: expected an integer in 1 .. %ld", MAX_S), -1;
    if (ssmhc_json_read_num(c->e, json_object_get(wit, "e"), 1, "witness.e", r) != 0
        || ssmhc_json_read_num(c->u, json_object_get(wit, "u"), 1, "witness.u", r) != 0
        || ssmhc_json_read_num(c->v, json_object_get(wit, "v"), 1, "witness.v", r) != 0
        || read_maps(&c->basis, &c->nb, json_object_get(wit, "basis"), c->H, "witness.basis", m, r) != 0)
        return -1;
    return c->H >= 2 ? read_lower(c, json_object_get(wit, "lower"), m, r) : 0;
}

/* The envelope: exactly gamma (0 <= gamma < 1), P, beta_C, and its checks;
   lambda = max_i sum_j |P_ij|. */
static int check_env(enc_cert *c, const json_t *wit, const ssmhc_model *m, mpq_t lambda,
                     ssmhc_report_t *r)
{
    static const char *const keys[] = {"gamma", "P", "beta_C"};
    const json_t *env = json_object_get(wit, "envelope");
    if (ssmhc_json_keys_exact(env, "witness.envelope", keys, 3, r) != 0
        || ssmhc_json_read_num(c->gamma, json_object_get(env, "gamma"), 1, "witness.envelope.gamma", r) != 0
        || ssmhc_json_read_num(c->bC, json_object_get(env, "beta_C"), 1, "witness.envelope.beta_C", r) != 0)
        return -1;
    if (mpq_cmp_ui(c->gamma, 1, 1) >= 0)
        return ssmhc_fail(r, "witness.envelope.gamma: expected 0 <= gamma < 1"), -1;
    return ssmhc_check_envelope(m, json_object_get(env, "P"), c->gamma, NULL, c->bC,
                                "witness.envelope", lambda, r);
}

/* ---- the fixed-point recursion in integers --------------------------------- */

typedef struct {
    const ssmhc_model *m;
    long s;
    mpz_t *An;      /* dense: N x N numerators; block_diag: N x 2 (Ab) */
    mpz_t aden;     /* A = An / aden */
    mpz_t *Cn;      /* p x N, C = Cn / (g 2^-s)  (K = Cn Z / g) */
    mpz_t *Dn;      /* p x d, D = Dn / g */
    mpz_t g;        /* the common denominator of every rounded lag */
    mpz_t *Z, *T;   /* N x d: 2^s Xt_j, and the next one */
} recur_t;

static void recur_init(recur_t *q, const ssmhc_model *m, long s)
{
    size_t N = (size_t)m->N, d = (size_t)m->d, p = (size_t)m->p, i, na;
    mpz_t cd, dd, t;
    ssmhc_qmat Bm, Cm, Dm;   /* dense copies (the model's dimensions passed the bounds) */
    if (ssmhc_smat_dense(&Bm, &m->B, "approx: B") != 0 || ssmhc_smat_dense(&Cm, &m->C, "approx: C") != 0
        || ssmhc_smat_dense(&Dm, &m->D, "approx: D") != 0)
        ssmhc_out_of_memory(ssmhc_limit_note());
    q->m = m;
    q->s = s;
    na = m->block_diag ? N * 2 : N * N;
    q->An = zvec_new(na);
    mpz_init(q->aden);
    to_int(q->An, q->aden, m->block_diag ? m->Ab.e : m->A.e, na);
    mpz_init(cd);
    mpz_init(dd);
    mpz_init(t);
    q->Cn = zvec_new(p * N);
    q->Dn = zvec_new(p * d);
    to_int(q->Cn, cd, Cm.e, p * N);
    to_int(q->Dn, dd, Dm.e, p * d);
    /* g = lcm(cd, dd) 2^s: Cn <- Cn lcm / cd, Dn <- Dn g / dd */
    mpz_init(q->g);
    mpz_lcm(q->g, cd, dd);
    mpz_divexact(t, q->g, cd);
    for (i = 0; i < p * N; i++)
        mpz_mul(q->Cn[i], q->Cn[i], t);
    mpz_mul_2exp(q->g, q->g, (unsigned long)s);
    mpz_divexact(t, q->g, dd);
    for (i = 0; i < p * d; i++)
        mpz_mul(q->Dn[i], q->Dn[i], t);
    /* Z_0 = round(2^s B) = floor((2^(s+1) b + q) / (2 q)) for b / q */
    q->Z = zvec_new(N * d);
    q->T = zvec_new(N * d);
    for (i = 0; i < N * d; i++) {
        mpz_mul_2exp(q->Z[i], mpq_numref(Bm.e[i]), (unsigned long)s + 1);
        mpz_add(q->Z[i], q->Z[i], mpq_denref(Bm.e[i]));
        mpz_mul_2exp(t, mpq_denref(Bm.e[i]), 1);
        mpz_fdiv_q(q->Z[i], q->Z[i], t);
    }
    ssmhc_qmat_clear(&Bm);
    ssmhc_qmat_clear(&Cm);
    ssmhc_qmat_clear(&Dm);
    mpz_clear(cd);
    mpz_clear(dd);
    mpz_clear(t);
}

static void recur_clear(recur_t *q)
{
    size_t N = (size_t)q->m->N, d = (size_t)q->m->d, p = (size_t)q->m->p;
    zvec_free(q->An, q->m->block_diag ? N * 2 : N * N);
    zvec_free(q->Cn, p * N);
    zvec_free(q->Dn, p * d);
    zvec_free(q->Z, N * d);
    zvec_free(q->T, N * d);
    mpz_clear(q->aden);
    mpz_clear(q->g);
}

static size_t max_bits(const mpz_t *v, size_t n)
{
    size_t i, b = 1, x;
    for (i = 0; i < n; i++)
        if (mpz_sgn(v[i]) != 0 && (x = mpz_sizeinbase(v[i], 2)) > b)
            b = x;
    return b;
}

/* Dense T = An Z by Kronecker substitution: row k of Z packed into
   Zp_k = sum_j Z_kj 2^(j W), so row i of T is sum_k An_ik Zp_k (N^2 long
   products instead of N^2 d short ones), unpacked slot by slot as balanced
   remainders.  W - 1 >= bits(N) + bits(max |An|) + bits(max |Z|) > log2 of
   every |T_ij|, so the slots never overlap. */
static void apply_packed(recur_t *q)
{
    long N = q->m->N, d = q->m->d, i, j, k;
    size_t W = max_bits(q->An, (size_t)(N * N)) + max_bits(q->Z, (size_t)(N * d)) + 2;
    for (k = N; k > 0; k >>= 1)
        W++;   /* + bits(N) */
    mpz_t *Zp = zvec_new((size_t)N), acc, r;
    mpz_init(acc);
    mpz_init(r);
    for (k = 0; k < N; k++) {
        mpz_set(Zp[k], q->Z[k * d + d - 1]);
        for (j = d - 2; j >= 0; j--) {
            mpz_mul_2exp(Zp[k], Zp[k], W);
            mpz_add(Zp[k], Zp[k], q->Z[k * d + j]);
        }
    }
    for (i = 0; i < N; i++) {
        mpz_set_ui(acc, 0);
        for (k = 0; k < N; k++)
            if (mpz_sgn(q->An[i * N + k]) != 0 && mpz_sgn(Zp[k]) != 0)
                mpz_addmul(acc, Zp[k], q->An[i * N + k]);
        for (j = 0; j < d; j++) {
            mpz_fdiv_r_2exp(r, acc, W);
            if (mpz_tstbit(r, W - 1)) {   /* a negative slot */
                mpz_set_ui(q->T[i * d + j], 1);
                mpz_mul_2exp(q->T[i * d + j], q->T[i * d + j], W);
                mpz_sub(r, r, q->T[i * d + j]);
            }
            mpz_set(q->T[i * d + j], r);
            mpz_sub(acc, acc, r);
            mpz_fdiv_q_2exp(acc, acc, W);
        }
    }
    zvec_free(Zp, (size_t)N);
    mpz_clear(acc);
    mpz_clear(r);
}

/* T = An Z (the numerator of 2^s A Xt_j times aden). */
static void recur_apply(recur_t *q)
{
    const ssmhc_model *m = q->m;
    long N = m->N, d = m->d, i, j, b;
    if (!m->block_diag) {
        apply_packed(q);
        return;
    }
    for (i = 0; i < N; i += b) {
        b = m->blk[i] == 1 ? 2 : 1;
        for (j = 0; j < d; j++) {
            mpz_mul(q->T[i * d + j], q->An[i * 2], q->Z[i * d + j]);
            if (b == 2) {
                mpz_addmul(q->T[i * d + j], q->An[i * 2 + 1], q->Z[(i + 1) * d + j]);
                mpz_mul(q->T[(i + 1) * d + j], q->An[(i + 1) * 2], q->Z[(i + 1) * d + j]);
                mpz_addmul(q->T[(i + 1) * d + j], q->An[(i + 1) * 2 + 1], q->Z[i * d + j]);
            }
        }
    }
}

/* Z <- round(T / aden) = floor((2 T + aden) / (2 aden)); returns 1 when Z
   did not change (a fixed point: every later Z equals it). */
static int recur_step(recur_t *q)
{
    size_t i, nd = (size_t)q->m->N * (size_t)q->m->d;
    int same = 1;
    mpz_t den2;
    mpz_init(den2);
    mpz_mul_2exp(den2, q->aden, 1);
    recur_apply(q);
    for (i = 0; i < nd; i++) {
        mpz_mul_2exp(q->T[i], q->T[i], 1);
        mpz_add(q->T[i], q->T[i], q->aden);
        mpz_fdiv_q(q->T[i], q->T[i], den2);
        if (same && mpz_cmp(q->T[i], q->Z[i]) != 0)
            same = 0;
    }
    { mpz_t *s = q->Z; q->Z = q->T; q->T = s; }
    mpz_clear(den2);
    return same;
}

static int recur_zero(const recur_t *q)
{
    size_t i, nd = (size_t)q->m->N * (size_t)q->m->d;
    for (i = 0; i < nd; i++)
        if (mpz_sgn(q->Z[i]) != 0)
            return 0;
    return 1;
}

/* K = g Kt: Cn Z (+ Dn when with_D), or Dn alone when !with_Z. */
static void recur_lag(mpz_t *K, const recur_t *q, int with_Z, int with_D)
{
    const ssmhc_model *m = q->m;
    long p = m->p, d = m->d, N = m->N, i, k, j;
    for (i = 0; i < p * d; i++) {
        if (with_D)
            mpz_set(K[i], q->Dn[i]);
        else
            mpz_set_ui(K[i], 0);
    }
    if (!with_Z)
        return;
    for (i = 0; i < p; i++)
        for (k = 0; k < N; k++) {
            if (mpz_sgn(q->Cn[i * N + k]) == 0)
                continue;
            for (j = 0; j < d; j++)
                if (mpz_sgn(q->Z[k * d + j]) != 0)
                    mpz_addmul(K[i * d + j], q->Cn[i * N + k], q->Z[k * d + j]);
        }
}

/* ---- what the lags feed: tr Gt, V^T Gt V, Gt on the support --------------- */

typedef struct {
    long pd, H, S;
    mpz_t trG;      /* g^2 tr Gt */
    mpz_t *Vn;      /* H maps, each pd integers (scaled per map) */
    mpz_t *XV;      /* H x H: Vn^T (g^2 Gt) Vn, upper triangle */
    long *pos;      /* vec position -> support index, or -1 (H >= 2) */
    mpz_t *G;       /* S x S: g^2 Gt on the support, upper triangle (H >= 2) */
    long *nz;       /* scratch: nonzero positions of a lag */
    mpz_t *q, *wk;  /* scratch: Vn^T K (H), w K (pd) */
    mpz_t wq;       /* scratch */
} sink_t;

static void sink_init(sink_t *k, const enc_cert *c, long pd)
{
    long h, i;
    mpz_t den;
    k->pd = pd;
    k->H = c->H;
    k->S = c->H >= 2 ? c->S : 0;
    mpz_init(k->trG);
    mpz_init(den);
    k->Vn = zvec_new((size_t)(c->H * pd));
    for (h = 0; h < c->H; h++)
        to_int(k->Vn + h * pd, den, c->basis[h].e, (size_t)pd);
    mpz_clear(den);
    k->XV = zvec_new((size_t)(c->H * c->H));
    k->G = zvec_new((size_t)k->S * (size_t)k->S);
    k->pos = malloc(sizeof(long) * (size_t)(pd > 0 ? pd : 1));
    k->nz = malloc(sizeof(long) * (size_t)(pd > 0 ? pd : 1));
    if (k->pos == NULL || k->nz == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < pd; i++)
        k->pos[i] = -1;
    for (i = 0; i < k->S; i++)
        k->pos[c->sup[i]] = i;
    k->q = zvec_new((size_t)c->H);
    k->wk = zvec_new((size_t)pd);
    mpz_init(k->wq);
}

static void sink_clear(sink_t *k)
{
    mpz_clear(k->trG);
    zvec_free(k->Vn, (size_t)(k->H * k->pd));
    zvec_free(k->XV, (size_t)(k->H * k->H));
    zvec_free(k->G, (size_t)k->S * (size_t)k->S);
    free(k->pos);
    free(k->nz);
    zvec_free(k->q, (size_t)k->H);
    zvec_free(k->wk, (size_t)k->pd);
    mpz_clear(k->wq);
}

/* Add w vec(K) vec(K)^T (K = g Kt_l); -1 when K leaves the support (H >= 2). */
static int sink_add(sink_t *k, const mpz_t *K, const mpz_t w, long lag, ssmhc_report_t *r)
{
    long a, b, h, h2, nnz = 0, H = k->H, S = k->S;
    for (a = 0; a < k->pd; a++)
        if (mpz_sgn(K[a]) != 0) {
            if (H >= 2 && k->pos[a] < 0)
                return ssmhc_fail(r, "witness.lower.support: the rounded lag Kt_%ld is nonzero at vec "
                                  "position %ld, outside the support", lag, a), -1;
            k->nz[nnz++] = a;
        }
    for (a = 0; a < nnz; a++) {
        mpz_mul(k->wk[a], w, K[k->nz[a]]);
        mpz_addmul(k->trG, k->wk[a], K[k->nz[a]]);
    }
    for (h = 0; h < H; h++) {
        const mpz_t *V = (const mpz_t *)(k->Vn + h * k->pd);
        mpz_set_ui(k->q[h], 0);
        for (a = 0; a < nnz; a++)
            if (mpz_sgn(V[k->nz[a]]) != 0)
                mpz_addmul(k->q[h], V[k->nz[a]], K[k->nz[a]]);
    }
    for (h = 0; h < H; h++) {
        if (mpz_sgn(k->q[h]) == 0)
            continue;
        mpz_mul(k->wq, w, k->q[h]);
        for (h2 = h; h2 < H; h2++)
            if (mpz_sgn(k->q[h2]) != 0)
                mpz_addmul(k->XV[h * H + h2], k->wq, k->q[h2]);
    }
    for (a = 0; a < nnz && H >= 2; a++) {
        long ia = k->pos[k->nz[a]];
        for (b = a; b < nnz; b++)
            mpz_addmul(k->G[ia * S + k->pos[k->nz[b]]], k->wk[a], K[k->nz[b]]);
    }
    return 0;
}

/* Every rounded lag Kt_l, l < n, into the sink, with weight n - l; stops at
   Xt_j = 0 and sums a repeating tail in closed form: the recursion is a
   deterministic map on the integer state Z, so once Z equals the state of a
   saved lag s < l (saved at l = 1, 2, 4, ...: Brent), the lags from s on
   repeat with period P = l - s (P = 1 when Z is a fixed point, seen at
   once), and lag s + r comes back at s + r + P t, t = 1 .. T_r =
   (n - 1 - s - r) / P: extra weight T_r (n - s - r) - P T_r (T_r + 1) / 2,
   added by running the P lags once more.  A claimed n beyond the
   repetition costs nothing; without one, at most max_length lags. */
static int stream_lags(sink_t *k, recur_t *q, long n, ssmhc_report_t *r)
{
    const ssmhc_model *m = q->m;
    size_t nd = (size_t)m->N * (size_t)m->d, i;
    mpz_t *K = zvec_new((size_t)(m->p * m->d)), *saved = zvec_new(nd);
    mpz_t w, x;
    long l = 0, s = -1, P, rr, T, maxl = ssmhc_limits_get()->max_length;
    int rc = 0, fixed = 0, same;
    mpz_init(w);
    mpz_init(x);
    if (m->delayed) {   /* Kt_0 = D */
        recur_lag(K, q, 0, 1);
        mpz_set_si(w, n);
        rc = sink_add(k, K, w, 0, r);
        l = 1;
    }
    while (rc == 0 && l < n && !recur_zero(q)) {
        int with_D = !m->delayed && l == 0;
        for (i = 0, same = s >= 1; i < nd && same; i++)
            same = mpz_cmp(q->Z[i], saved[i]) == 0;
        if (same && !fixed) {   /* the lags from s on repeat with period l - s */
            P = l - s;
            for (rr = 0; rr < P && rc == 0; rr++) {
                T = (n - 1 - s - rr) / P;
                mpz_set_si(w, T);
                mpz_mul_si(w, w, n - s - rr);
                mpz_set_si(x, T);
                mpz_mul_si(x, x, T + 1);
                mpz_mul_si(x, x, P);
                mpz_fdiv_q_2exp(x, x, 1);
                mpz_sub(w, w, x);
                if (mpz_sgn(w) > 0) {
                    recur_lag(K, q, 1, 0);
                    rc = sink_add(k, K, w, s + rr, r);
                }
                recur_step(q);
            }
            break;
        }
        recur_lag(K, q, 1, with_D);
        if (!with_D && fixed) {   /* every lag from l on equals this one */
            mpz_set_si(w, n - l);
            mpz_mul_si(w, w, n - l + 1);
            mpz_fdiv_q_2exp(w, w, 1);
            rc = sink_add(k, K, w, l, r);
            break;
        }
        mpz_set_si(w, n - l);
        rc = sink_add(k, K, w, l, r);
        if (l >= 1 && (l & (l - 1)) == 0) {
            for (i = 0; i < nd; i++)
                mpz_set(saved[i], q->Z[i]);
            s = l;
        }
        if (l + 1 < n)
            fixed = recur_step(q);
        l++;
        if (rc == 0 && l < n && l >= maxl) {
            ssmhc_limit(r, "claim.n = %ld: the rounded lags do not repeat within %ld lags "
                        "(the sequence-length limit)", n, maxl);
            rc = -1;
        }
    }
    if (rc == 0 && l == 0 && !m->delayed) {   /* Xt_0 = 0: Kt_0 = D */
        recur_lag(K, q, 0, 1);
        mpz_set_si(w, n);
        rc = sink_add(k, K, w, 0, r);
    }
    zvec_free(K, (size_t)(m->p * m->d));
    zvec_free(saved, nd);
    mpz_clear(w);
    mpz_clear(x);
    return rc;
}

/* ---- the upper witness ---------------------------------------------------- */

/* out = tr((Vn^T Vn)^{-1} XV), by fraction-free Gauss-Jordan on
   [Vn^T Vn | XV] without pivoting (every division exact; at the end the
   left half is det I).  Vn^T Vn is positive semidefinite, so a zero pivot
   (a zero leading principal minor) means the maps are dependent: -1. */
static int trace_solve(mpq_t out, const sink_t *k)
{
    long H = k->H, w = 2 * H, pd = k->pd, i, j, c, a;
    mpz_t *M = zvec_new((size_t)(H * w)), prev, t;
    int ok = 1;
    mpz_init_set_ui(prev, 1);
    mpz_init(t);
    for (i = 0; i < H; i++)
        for (j = i; j < H; j++) {
            for (a = 0; a < pd; a++)
                if (mpz_sgn(k->Vn[i * pd + a]) != 0 && mpz_sgn(k->Vn[j * pd + a]) != 0)
                    mpz_addmul(M[i * w + j], k->Vn[i * pd + a], k->Vn[j * pd + a]);
            mpz_set(M[j * w + i], M[i * w + j]);
            mpz_set(M[i * w + H + j], k->XV[i * H + j]);
            mpz_set(M[j * w + H + i], k->XV[i * H + j]);
        }
    for (c = 0; c < H && ok; c++) {
        const mpz_t *P = (const mpz_t *)&M[c * w + c];
        if (mpz_sgn(*P) == 0) {
            ok = 0;
            break;
        }
        for (i = 0; i < H; i++) {
            if (i == c)
                continue;
            for (j = 0; j < w; j++) {
                if (j == c)
                    continue;
                mpz_mul(t, *P, M[i * w + j]);
                if (mpz_sgn(M[i * w + c]) != 0 && mpz_sgn(M[c * w + j]) != 0)
                    mpz_submul(t, M[i * w + c], M[c * w + j]);
                mpz_divexact(M[i * w + j], t, prev);
            }
            mpz_set_ui(M[i * w + c], 0);
        }
        mpz_set(prev, *P);
    }
    if (ok) {
        mpz_set_ui(t, 0);
        for (i = 0; i < H; i++)
            mpz_add(t, t, M[i * w + H + i]);
        mpq_set_num(out, t);
        mpq_set_den(out, M[0]);
        mpq_canonicalize(out);
    }
    zvec_free(M, (size_t)(H * w));
    mpz_clear(prev);
    mpz_clear(t);
    return ok ? 0 : -1;
}

/* ---- the lower witness (H >= 2) ------------------------------------------- */

/* Z = sum_i y_i x_i x_i^T on the support: Zn / yden (upper triangle);
   trZ = tr Z = sum_i y_i ||x_i||^2. */
static void gram_z(mpz_t *Zn, mpz_t yden, mpq_t trZ, const enc_cert *c)
{
    long S = c->S, i, a, b;
    mpq_t *yq = qvec_new((size_t)c->r);
    mpz_t *yn = zvec_new((size_t)c->r), *xn = zvec_new((size_t)(c->r * S)), *yx = zvec_new((size_t)S);
    mpq_t *xs = qvec_new((size_t)S);
    mpz_t cx, t;
    mpz_init(cx);
    mpz_init(t);
    for (i = 0; i < c->r; i++) {   /* x_i = xn_i / cx, y'_i = y_i / cx^2 */
        for (a = 0; a < S; a++)
            mpq_set(xs[a], c->x[i].e[c->sup[a]]);
        to_int(xn + i * S, cx, xs, (size_t)S);
        mpz_mul(t, cx, cx);
        mpq_set_z(yq[i], t);
        mpq_div(yq[i], c->y[i], yq[i]);
    }
    to_int(yn, yden, yq, (size_t)c->r);
    for (i = 0; i < c->r; i++) {
        const mpz_t *x = (const mpz_t *)(xn + i * S);
        if (mpz_sgn(yn[i]) == 0)
            continue;
        for (a = 0; a < S; a++)
            if (mpz_sgn(x[a]) != 0)
                mpz_mul(yx[a], yn[i], x[a]);
        for (a = 0; a < S; a++) {
            if (mpz_sgn(x[a]) == 0)
                continue;
            for (b = a; b < S; b++)
                if (mpz_sgn(x[b]) != 0)
                    mpz_addmul(Zn[a * S + b], yx[a], x[b]);
        }
    }
    mpz_set_ui(t, 0);
    for (a = 0; a < S; a++)
        mpz_add(t, t, Zn[a * S + a]);
    mpq_set_num(trZ, t);
    mpq_set_den(trZ, yden);
    mpq_canonicalize(trZ);
    qvec_free(yq, (size_t)c->r);
    qvec_free(xs, (size_t)S);
    zvec_free(yn, (size_t)c->r);
    zvec_free(xn, (size_t)(c->r * S));
    zvec_free(yx, (size_t)S);
    mpz_clear(cx);
    mpz_clear(t);
}

/* sumsq = sum_ij R_ij^2, R = Z - Gt + (t - rho) I - L diag(D) L^T, all in
   integers over one common denominator T (sumsq returned over T^2), and
   trZ = sum_i y_i ||x_i||^2. */
static void residual2(mpq_t sumsq, mpq_t trZ, const enc_cert *c, const sink_t *k, const mpz_t g)
{
    long S = c->S, i, j, kk;
    size_t ntri = (size_t)S * (size_t)(S > 0 ? S - 1 : 0) / 2;
    mpz_t *Zn = zvec_new((size_t)S * (size_t)S), *Ln = zvec_new(ntri), *Dn = zvec_new((size_t)S);
    mpz_t *LD = zvec_new(ntri + (size_t)S);   /* L_ik D_k, k <= i, row i at i (i + 1) / 2 */
    mpz_t yden, lden, dden, T, fZ, fG, fI, fL, g2, x, acc, sum;
    mpq_t tr;
    mpz_inits(yden, lden, dden, T, fZ, fG, fI, fL, g2, x, acc, sum, NULL);
    mpq_init(tr);
    gram_z(Zn, yden, trZ, c);
    to_int(Ln, lden, c->L, ntri);
    to_int(Dn, dden, c->D, (size_t)S);
    for (i = 0; i < S; i++)
        for (kk = 0; kk <= i; kk++)
            mpz_mul(LD[(size_t)i * (size_t)(i + 1) / 2 + (size_t)kk],
                    kk < i ? Ln[(size_t)i * (size_t)(i - 1) / 2 + (size_t)kk] : lden, Dn[kk]);
    /* T = lcm(yden, g^2, den(t - rho), lden^2 dden) and the factors */
    mpq_sub(tr, c->t, c->rho);
    mpz_mul(g2, g, g);
    mpz_mul(x, lden, lden);
    mpz_mul(x, x, dden);
    mpz_lcm(T, yden, g2);
    mpz_lcm(T, T, mpq_denref(tr));
    mpz_lcm(T, T, x);
    mpz_divexact(fL, T, x);
    mpz_divexact(fZ, T, yden);
    mpz_divexact(fG, T, g2);
    mpz_divexact(fI, T, mpq_denref(tr));
    mpz_mul(fI, fI, mpq_numref(tr));
    for (i = 0; i < S; i++)
        for (j = 0; j <= i; j++) {
            const mpz_t *LDi = (const mpz_t *)(LD + (size_t)i * (size_t)(i + 1) / 2);
            mpz_set_ui(acc, 0);   /* (L D L^T)_ij numerator, sum over k <= j */
            for (kk = 0; kk <= j; kk++) {
                const __mpz_struct *ljk = kk < j ? Ln[(size_t)j * (size_t)(j - 1) / 2 + (size_t)kk] : lden;
                if (mpz_sgn(LDi[kk]) != 0 && mpz_sgn(ljk) != 0)
                    mpz_addmul(acc, LDi[kk], ljk);
            }
            mpz_mul(x, acc, fL);
            mpz_neg(x, x);
            mpz_addmul(x, Zn[j * S + i], fZ);
            mpz_submul(x, k->G[j * S + i], fG);
            if (i == j)
                mpz_add(x, x, fI);
            mpz_mul(x, x, x);
            if (i != j)
                mpz_mul_2exp(x, x, 1);
            mpz_add(sum, sum, x);
        }
    mpz_mul(T, T, T);
    mpq_set_num(sumsq, sum);
    mpq_set_den(sumsq, T);
    mpq_canonicalize(sumsq);
    mpz_clears(yden, lden, dden, T, fZ, fG, fI, fL, g2, x, acc, sum, NULL);
    mpq_clear(tr);
    zvec_free(Zn, (size_t)S * (size_t)S);
    zvec_free(Ln, ntri);
    zvec_free(Dn, (size_t)S);
    zvec_free(LD, ntri + (size_t)S);
}

/* rho >= delta, t >= rho, (rho - delta)^2 >= ||R||_F^2 and
   error2_lower_prev = tr Gt - delta - (H-1) t - tr Z > tau_hi. */
static int check_lower(const enc_cert *c, const sink_t *k, const mpz_t g, const mpq_t trGt,
                       const mpq_t delta, const mpq_t tau_hi, ssmhc_report_t *r)
{
    mpq_t sumsq, trZ, x;
    int rc = -1;
    if (mpq_cmp(c->rho, delta) < 0)
        return ssmhc_fail(r, "witness.lower.rho: below delta = e (2u + e)"), -1;
    if (mpq_cmp(c->t, c->rho) < 0)
        return ssmhc_fail(r, "witness.lower.t: below rho"), -1;
    mpq_init(sumsq);
    mpq_init(trZ);
    mpq_init(x);
    residual2(sumsq, trZ, c, k, g);
    mpq_sub(x, c->rho, delta);
    mpq_mul(x, x, x);
    if (mpq_cmp(x, sumsq) < 0) {
        ssmhc_fail(r, "witness.lower: (rho - delta)^2 < ||M - L diag(D) L^T||_F^2");
        goto out;
    }
    mpq_set_si(x, c->H - 1, 1);
    mpq_mul(x, x, c->t);
    mpq_add(x, x, trZ);
    mpq_add(x, x, delta);
    mpq_sub(x, trGt, x);
    if (!mpq_equal(x, c->low)) {
        ssmhc_fail(r, "claim.error2_lower_prev: differs from tr Gt - delta - (H-1) t - sum_i y_i ||x_i||^2");
        goto out;
    }
    if (mpq_cmp(c->low, tau_hi) <= 0) {
        ssmhc_fail(r, "claim.error2_lower_prev: not above tau_hi");
        goto out;
    }
    rc = 0;
out:
    mpq_clear(sumsq);
    mpq_clear(trZ);
    mpq_clear(x);
    return rc;
}

/* ---- the whole check ------------------------------------------------------ */

static void cert_init(enc_cert *c, long n, long H)
{
    memset(c, 0, sizeof(*c));
    c->n = n;
    c->H = H;
    mpq_init(c->eps); mpq_init(c->up); mpq_init(c->low); mpq_init(c->gamma); mpq_init(c->bC);
    mpq_init(c->e); mpq_init(c->u); mpq_init(c->v); mpq_init(c->t); mpq_init(c->rho);
}

static void cert_clear(enc_cert *c)
{
    mpq_clear(c->eps); mpq_clear(c->up); mpq_clear(c->low); mpq_clear(c->gamma); mpq_clear(c->bC);
    mpq_clear(c->e); mpq_clear(c->u); mpq_clear(c->v); mpq_clear(c->t); mpq_clear(c->rho);
    maps_free(c->basis, c->nb);
    maps_free(c->x, c->r);
    free(c->sup);
    qvec_free(c->y, (size_t)c->r);
    qvec_free(c->L, (size_t)c->S * (size_t)(c->S > 0 ? c->S - 1 : 0) / 2);
    qvec_free(c->D, (size_t)c->S);
}

/* E2 = n (n + 1) / 2 * d * beta_C * Lambda * N * 4^(-s-1) / (1 - gamma)^2 */
static void rounding_bound(mpq_t E2, const enc_cert *c, const ssmhc_model *m, const mpq_t lambda)
{
    mpz_t z;
    mpq_t x;
    mpz_init(z);
    mpq_init(x);
    mpz_set_si(z, c->n);
    mpz_mul_si(z, z, c->n + 1);
    mpz_mul_si(z, z, m->d);
    mpz_mul_si(z, z, m->N);
    mpq_set_z(E2, z);
    mpq_div_2exp(E2, E2, 2 * (unsigned long)c->s + 3);   /* / 2 / 4^(s+1) */
    mpq_mul(E2, E2, c->bC);
    mpq_mul(E2, E2, lambda);
    mpq_set_ui(x, 1, 1);
    mpq_sub(x, x, c->gamma);
    mpq_mul(x, x, x);
    mpq_div(E2, E2, x);
    mpz_clear(z);
    mpq_clear(x);
}

/* sq(a) >= b ? */
static int square_covers(const mpq_t a, const mpq_t b)
{
    mpq_t x;
    int ok;
    mpq_init(x);
    mpq_mul(x, a, a);
    ok = mpq_cmp(x, b) >= 0;
    mpq_clear(x);
    return ok;
}

/* x = a (2 b + a) */
static void widen(mpq_t x, const mpq_t a, const mpq_t b)
{
    mpq_add(x, b, b);
    mpq_add(x, x, a);
    mpq_mul(x, x, a);
}

/* e^2 >= E2: it depends on n and the witness only, so it is checked before
   the n lags are (a claimed n of 10^8 with a small e ends here). */
static int check_rounding(const enc_cert *c, const ssmhc_model *m, const mpq_t lambda,
                          ssmhc_report_t *r)
{
    mpq_t E2;
    int ok;
    mpq_init(E2);
    rounding_bound(E2, c, m, lambda);
    ok = square_covers(c->e, E2);
    mpq_clear(E2);
    if (!ok)
        return ssmhc_fail(r, "witness.e: e^2 is below the rounding bound E2"), -1;
    return 0;
}

/* The checks after the lags: u, delta, tau, upper and lower witness. */
static int check_bounds(const enc_cert *c, const ssmhc_model *m, const sink_t *k, const mpz_t g,
                        const mpq_t lambda, ssmhc_report_t *r)
{
    mpq_t trGt, E2, delta, tau_lo, tau_hi, rt, x;
    mpz_t g2;
    int rc = -1;
    mpq_init(trGt); mpq_init(E2); mpq_init(delta); mpq_init(tau_lo); mpq_init(tau_hi);
    mpq_init(rt); mpq_init(x);
    mpz_init(g2);
    mpz_mul(g2, g, g);
    mpq_set_num(trGt, k->trG);
    mpq_set_den(trGt, g2);
    mpq_canonicalize(trGt);
    if (!square_covers(c->u, trGt)) {
        ssmhc_fail(r, "witness.u: u^2 is below tr Gt");
        goto out;
    }
    widen(delta, c->e, c->u);
    mpq_mul(tau_lo, c->eps, c->eps);
    mpq_set(tau_hi, tau_lo);
    if (c->relative) {
        mpq_sub(x, trGt, delta);
        mpq_mul(tau_lo, tau_lo, x);
        mpq_add(x, trGt, delta);
        mpq_mul(tau_hi, tau_hi, x);
    }
    /* upper: rt = tr Gt - tr((V^T V)^{-1} V^T Gt V) */
    mpq_set(rt, trGt);
    if (c->H >= 1) {
        if (trace_solve(x, k) != 0) {
            ssmhc_fail(r, "witness.basis: the value maps are linearly dependent");
            goto out;
        }
        mpq_set_z(E2, g2);
        mpq_div(x, x, E2);
        mpq_sub(rt, rt, x);
    }
    if (!square_covers(c->v, rt)) {
        ssmhc_fail(r, "witness.v: v^2 is below the basis's residual rt on Gt");
        goto out;
    }
    widen(x, c->e, c->v);
    mpq_add(x, x, rt);
    if (!mpq_equal(x, c->up)) {
        ssmhc_fail(r, "claim.error2_upper: differs from rt + e (2v + e)");
        goto out;
    }
    if (mpq_cmp(c->up, tau_lo) > 0) {
        ssmhc_fail(r, "claim.error2_upper: exceeds tau_lo");
        goto out;
    }
    /* lower */
    if (c->H == 1) {
        mpq_sub(x, trGt, delta);
        if (!mpq_equal(x, c->low)) {
            ssmhc_fail(r, "claim.error2_lower_prev: for H = 1 it is tr Gt - delta");
            goto out;
        }
        if (mpq_cmp(c->low, tau_hi) <= 0) {
            ssmhc_fail(r, "claim.error2_lower_prev: not above tau_hi");
            goto out;
        }
    } else if (c->H >= 2 && check_lower(c, k, g, trGt, delta, tau_hi, r) != 0) {
        goto out;
    }
    rc = 0;
out:
    mpq_clear(trGt); mpq_clear(E2); mpq_clear(delta); mpq_clear(tau_lo); mpq_clear(tau_hi);
    mpq_clear(rt); mpq_clear(x);
    mpz_clear(g2);
    return rc;
}

ssmhc_verdict_t ssmhc_check_approx_enclosure(const json_t *cert, const ssmhc_model *m, long n,
                                             long H, ssmhc_report_t *r)
{
    enc_cert c;
    recur_t q;
    sink_t k;
    mpq_t lambda;
    ssmhc_verdict_t v = SSMHC_REJECTED;
    cert_init(&c, n, H);
    mpq_init(lambda);
    if (read_cert(&c, cert, m, r) == 0
        && check_env(&c, json_object_get(cert, "witness"), m, lambda, r) == 0
        && check_rounding(&c, m, lambda, r) == 0) {
        recur_init(&q, m, c.s);
        sink_init(&k, &c, m->p * m->d);
        if (stream_lags(&k, &q, n, r) == 0 && check_bounds(&c, m, &k, q.g, lambda, r) == 0) {
            v = SSMHC_VERIFIED;
            snprintf(r->step, sizeof(r->step),
                     "approx (enclosure, s = %ld): H = %ld heads within eps on n = %ld "
                     "(E(H)^2 <= eps^2 < E(H-1)^2 with the rounding error enclosed, exact)",
                     c.s, H, n);
        }
        sink_clear(&k);
        recur_clear(&q);
    }
    mpq_clear(lambda);
    cert_clear(&c);
    return v;
}
