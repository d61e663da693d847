/*
 * Checker for certificates of kind `represent` (doc/cert-represent.md).
 * The attention layer is read from the certificate's `attention` object and
 * its value maps formed exactly here (V_h = W_O W_V when given as
 * projections).  Representable: sum_h c_h(l) V_h = K_l is checked for every
 * tabulated lag l < min(L, n), and, when n > L, the monic recurrence must
 * annihilate B (or C) and L >= m + 1, so both sides obey it from lag L on.
 * Not representable: W is orthogonal to every V_h, <W, K_lag> != 0, and
 * every earlier lag is an exact combination of the V_h.
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    long H;
    ssmhc_qmat *V;
} layer_t;

static void layer_clear(layer_t *a)
{
    long h;
    for (h = 0; h < a->H; h++)
        ssmhc_qmat_clear(&a->V[h]);
    free(a->V);
    a->V = NULL;
    a->H = 0;
}

static int layer_read(layer_t *a, const json_t *o, long p, long d, ssmhc_report_t *r)
{
    const json_t *hs, *f;
    const char *key;
    json_t *val;
    long h, H;

    memset(a, 0, sizeof(*a));
    if (!json_is_object(o))
        return ssmhc_fail(r, "attention: missing or not an object"), -1;
    json_object_foreach((json_t *)o, key, val) {
        if (strcmp(key, "format") && strcmp(key, "heads") && strcmp(key, "name") && strcmp(key, "source"))
            return ssmhc_fail(r, "attention: unknown key"), -1;
    }
    f = json_object_get(o, "format");
    if (!json_is_string(f) || strcmp(json_string_value(f), "ssmheads-attention/1") != 0)
        return ssmhc_fail(r, "attention: format is not ssmheads-attention/1"), -1;
    hs = json_object_get(o, "heads");
    if (!json_is_array(hs) || json_array_size(hs) == 0 || json_array_size(hs) > 1000000)
        return ssmhc_fail(r, "attention: heads malformed"), -1;
    H = (long)json_array_size(hs);
    a->V = calloc((size_t)H, sizeof(ssmhc_qmat));
    if (a->V == NULL)
        ssmhc_out_of_memory(NULL);
    for (h = 0; h < H; h++) {
        const json_t *ho = json_array_get(hs, (size_t)h), *v, *wv, *wo;
        if (!json_is_object(ho))
            break;
        v = json_object_get(ho, "value");
        wv = json_object_get(ho, "W_V");
        wo = json_object_get(ho, "W_O");
        if (v != NULL && json_object_size(ho) == 1) {
            if (ssmhc_json_qmat(&a->V[h], v, p, d) != 0)
                break;
        } else if (v == NULL && wv != NULL && wo != NULL && json_object_size(ho) == 2) {
            ssmhc_qmat WV, WO;
            if (ssmhc_json_qmat(&WV, wv, -1, d) != 0)
                break;
            if (WV.rows < 1 || ssmhc_json_qmat(&WO, wo, p, WV.rows) != 0) {
                ssmhc_qmat_clear(&WV);
                break;
            }
            ssmhc_qmat_init(&a->V[h], p, d);
            ssmhc_qmat_mul(&a->V[h], &WO, &WV);
            ssmhc_qmat_clear(&WV);
            ssmhc_qmat_clear(&WO);
        } else {
            break;
        }
        a->H = h + 1;
    }
    if (a->H != H) {
        layer_clear(a);
        return ssmhc_fail(r, "attention: head %ld malformed or not %ld x %ld", h, p, d), -1;
    }
    return 0;
}

/* sum_h row[h] V_h == K ? row is a JSON array of H rationals. */
static int combination_is(const layer_t *a, const json_t *row, const ssmhc_qmat *K)
{
    ssmhc_qmat T;
    mpq_t c, t;
    long h;
    size_t e, n = (size_t)K->rows * (size_t)K->cols;
    int ok = json_is_array(row) && (long)json_array_size(row) == a->H;
    if (!ok)
        return 0;
    ssmhc_qmat_init(&T, K->rows, K->cols);
    mpq_init(c);
    mpq_init(t);
    for (h = 0; h < a->H && ok; h++) {
        if (ssmhc_json_rational(c, json_array_get(row, (size_t)h)) != 0) {
            ok = 0;
            break;
        }
        if (mpq_sgn(c) == 0)
            continue;
        for (e = 0; e < n; e++) {
            mpq_mul(t, c, a->V[h].e[e]);
            mpq_add(T.e[e], T.e[e], t);
        }
    }
    ok = ok && ssmhc_qmat_equal(&T, K);
    mpq_clear(c);
    mpq_clear(t);
    ssmhc_qmat_clear(&T);
    return ok;
}

static void frob(mpq_t out, const ssmhc_qmat *X, const ssmhc_qmat *Y)
{
    mpq_t t;
    size_t e, n = (size_t)X->rows * (size_t)X->cols;
    mpq_init(t);
    mpq_set_ui(out, 0, 1);
    for (e = 0; e < n; e++) {
        mpq_mul(t, X->e[e], Y->e[e]);
        mpq_add(out, out, t);
    }
    mpq_clear(t);
}

static ssmhc_verdict_t check_yes(const json_t *wit, const layer_t *a, const ssmhc_model *m,
                                 long n, ssmhc_report_t *r)
{
    const json_t *ks = json_object_get(wit, "kernels"), *rec = json_object_get(wit, "recurrence");
    long L, l, h, upto;
    ssmhc_verdict_t v = SSMHC_VERIFIED;

    if (json_object_size(wit) != (rec ? 3u : 2u))
        return ssmhc_fail(r, "witness: expected L, kernels and (when n > L) recurrence");
    if (ssmhc_json_long(&L, json_object_get(wit, "L"), 1, 100000000) != 0)
        return ssmhc_fail(r, "witness: L malformed");
    if (!json_is_array(ks) || (long)json_array_size(ks) != a->H)
        return ssmhc_fail(r, "witness: kernels must have one row per head");
    for (h = 0; h < a->H; h++)
        if (!json_is_array(json_array_get(ks, (size_t)h))
            || (long)json_array_size(json_array_get(ks, (size_t)h)) != L)
            return ssmhc_fail(r, "witness: kernel of head %ld must have L entries", h);
    if (n > L) {
        long deg;
        if (rec == NULL)
            return ssmhc_fail(r, "witness: n > L needs a recurrence");
        deg = ssmhc_check_annihilator(rec, m, r);
        if (deg < 0)
            return SSMHC_REJECTED;
        if (L < deg + 1)
            return ssmhc_fail(r, "witness: L = %ld < m + 1 = %ld: the recurrence would touch lag 0", L, deg + 1);
    } else if (rec != NULL) {
        return ssmhc_fail(r, "witness: a recurrence is given but n <= L");
    }
    /* lag by lag: the first kernel entry that does not reproduce K_l ends
       the check, so the work is what the kernels pay for */
    upto = n < L ? n : L;
    {
        ssmhc_lagstream ls;
        ssmhc_qmat K;
        ssmhc_qmat_init(&K, m->p, m->d);
        ssmhc_lagstream_init(&ls, m);
        for (l = 0; l < upto && v == SSMHC_VERIFIED; l++) {
            json_t *row;
            if (ssmhc_lagstream_next(&ls, &K) != 0) {
                v = ssmhc_limit(r, "witness: %s", ssmhc_limit_note());
                break;
            }
            row = json_array();
            for (h = 0; h < a->H; h++)
                json_array_append(row, json_array_get(json_array_get(ks, (size_t)h), (size_t)l));
            if (!combination_is(a, row, &K))
                v = ssmhc_fail(r, "witness: sum_h c_h(%ld) V_h != K_%ld", l, l);
            json_decref(row);
        }
        ssmhc_lagstream_clear(&ls);
        ssmhc_qmat_clear(&K);
    }
    return v;
}

static ssmhc_verdict_t check_no(const json_t *wit, const layer_t *a, const ssmhc_model *m,
                                long n, long lag, ssmhc_report_t *r)
{
    const json_t *bf = json_object_get(wit, "before");
    ssmhc_qmat W;
    mpq_t ip;
    long h, l;
    ssmhc_verdict_t v = SSMHC_VERIFIED;

    if (lag >= n)
        return ssmhc_fail(r, "claim: witness_lag must be < n");
    if (json_object_size(wit) != 2 || !json_is_array(bf) || (long)json_array_size(bf) != lag)
        return ssmhc_fail(r, "witness: expected W and before (one row per lag < witness_lag)");
    if (ssmhc_json_qmat(&W, json_object_get(wit, "W"), m->p, m->d) != 0)
        return ssmhc_fail(r, "witness: W is not a p x d matrix of exact numbers");
    mpq_init(ip);
    for (h = 0; h < a->H && v == SSMHC_VERIFIED; h++) {
        frob(ip, &W, &a->V[h]);
        if (mpq_sgn(ip) != 0)
            v = ssmhc_fail(r, "witness: <W, V_%ld> != 0", h);
    }
    if (v == SSMHC_VERIFIED) {   /* before[l] for l < lag, then K_lag itself */
        ssmhc_lagstream ls;
        ssmhc_qmat K;
        ssmhc_qmat_init(&K, m->p, m->d);
        ssmhc_lagstream_init(&ls, m);
        for (l = 0; l <= lag && v == SSMHC_VERIFIED; l++) {
            if (ssmhc_lagstream_next(&ls, &K) != 0)
                v = ssmhc_limit(r, "witness: %s", ssmhc_limit_note());
            else if (l < lag && !combination_is(a, json_array_get(bf, (size_t)l), &K))
                v = ssmhc_fail(r, "witness: before[%ld] is not an exact combination giving K_%ld", l, l);
        }
        if (v == SSMHC_VERIFIED) {
            frob(ip, &W, &K);
            if (mpq_sgn(ip) == 0)
                v = ssmhc_fail(r, "witness: <W, K_%ld> = 0", lag);
        }
        ssmhc_lagstream_clear(&ls);
        ssmhc_qmat_clear(&K);
    }
    mpq_clear(ip);
    ssmhc_qmat_clear(&W);
    return v;
}

ssmhc_verdict_t ssmhc_check_represent(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    const json_t *claim = json_object_get(cert, "claim"), *wit = json_object_get(cert, "witness");
    const json_t *rep = json_object_get(claim, "representable");
    layer_t a;
    long n, lag = -1;
    ssmhc_verdict_t v;

    if (!json_is_object(wit))
        return ssmhc_fail(r, "witness: missing");
    if (ssmhc_json_long(&n, json_object_get(claim, "n"), 1, 1000000000000L) != 0)
        return ssmhc_fail(r, "claim: n must be an integer >= 1");
    if (!json_is_boolean(rep))
        return ssmhc_fail(r, "claim: representable must be true or false");
    if (json_is_true(rep) ? json_object_size(claim) != 3
                          : (json_object_size(claim) != 4
                             || ssmhc_json_long(&lag, json_object_get(claim, "witness_lag"), 0,
                                                1000000000000L) != 0))
        return ssmhc_fail(r, "claim: expected kind, n, representable (and witness_lag when false)");
    if (layer_read(&a, json_object_get(cert, "attention"), m->p, m->d, r) != 0)
        return SSMHC_REJECTED;
    if (json_is_true(rep))
        v = check_yes(wit, &a, m, n, r);
    else
        v = check_no(wit, &a, m, n, lag, r);
    layer_clear(&a);
    if (v == SSMHC_VERIFIED)
        snprintf(r->step, sizeof(r->step), json_is_true(rep)
                     ? "represent: the layer represents the SSM on length %ld (kernels checked exactly)"
                     : "represent: the layer cannot represent the SSM on length %ld (K_%ld leaves its span)",
                 n, lag);
    return v;
}
