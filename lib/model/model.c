/*
 * The exact model value type: life cycle, copies, realification, hashing.
 * Guarantee: ssmh_model_realify returns a real dense model with exactly the
 * same lag operators K_l as its input, for every l.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

void ssmh_model_init(ssmh_model_t m)
{
    memset(m, 0, sizeof(*m));
    fmpq_mat_init(m->A, 0, 0);
    fmpq_mat_init(m->lambda_re, 0, 0);
    fmpq_mat_init(m->lambda_im, 0, 0);
    ssmh_spmat_init(m->B, 0, 0);
    ssmh_spmat_init(m->C, 0, 0);
    ssmh_spmat_init(m->B_im, 0, 0);
    ssmh_spmat_init(m->C_im, 0, 0);
    fmpq_mat_init(m->D, 0, 0);
}

void ssmh_model_clear(ssmh_model_t m)
{
    fmpq_mat_clear(m->A);
    fmpq_mat_clear(m->lambda_re);
    fmpq_mat_clear(m->lambda_im);
    ssmh_spmat_clear(m->B);
    ssmh_spmat_clear(m->C);
    ssmh_spmat_clear(m->B_im);
    ssmh_spmat_clear(m->C_im);
    fmpq_mat_clear(m->D);
    free(m->name);
    free(m->source);
    memset(m, 0, sizeof(*m));
}

static void mat_copy(fmpq_mat_t out, const fmpq_mat_t in)
{
    fmpq_mat_clear(out);
    fmpq_mat_init(out, fmpq_mat_nrows(in), fmpq_mat_ncols(in));
    fmpq_mat_set(out, in);
}

void ssmh_model_set(ssmh_model_t out, const ssmh_model_t in)
{
    if (out == in)
        return;
    ssmh_model_clear(out);
    ssmh_model_init(out);
    out->convention = in->convention;
    out->structure = in->structure;
    out->output = in->output;
    out->N = in->N;
    out->d = in->d;
    out->p = in->p;
    mat_copy(out->A, in->A);
    mat_copy(out->lambda_re, in->lambda_re);
    mat_copy(out->lambda_im, in->lambda_im);
    ssmh_spmat_set(out->B, in->B);
    ssmh_spmat_set(out->C, in->C);
    ssmh_spmat_set(out->B_im, in->B_im);
    ssmh_spmat_set(out->C_im, in->C_im);
    mat_copy(out->D, in->D);
    out->has_D = in->has_D;
    out->length = in->length;
    out->name = in->name ? strdup(in->name) : NULL;
    out->source = in->source ? strdup(in->source) : NULL;
}

void ssmh_model_set_dense(ssmh_model_t m, ssmh_convention_t conv,
                          const fmpq_mat_t A, const fmpq_mat_t B,
                          const fmpq_mat_t C, const fmpq_mat_t D)
{
    ssmh_model_clear(m);
    ssmh_model_init(m);
    m->convention = conv;
    m->structure = SSMH_STRUCTURE_DENSE;
    m->output = SSMH_OUTPUT_REAL;
    m->N = fmpq_mat_nrows(A);
    m->d = fmpq_mat_ncols(B);
    m->p = fmpq_mat_nrows(C);
    mat_copy(m->A, A);
    ssmh_spmat_set_fmpq_mat(m->B, B);
    ssmh_spmat_set_fmpq_mat(m->C, C);
    fmpq_mat_clear(m->D);
    fmpq_mat_init(m->D, m->p, m->d);
    if (D != NULL) {
        fmpq_mat_set(m->D, D);
        m->has_D = 1;
    }
}

void ssmh_model_realify(ssmh_model_t out, const ssmh_model_t in)
{
    ssmh_model_t r;
    slong s, j, k, N = in->N;

    if (in->structure == SSMH_STRUCTURE_DENSE) {
        ssmh_model_set(out, in);
        return;
    }
    ssmh_model_init(r);
    r->convention = in->convention;
    r->structure = SSMH_STRUCTURE_DENSE;
    r->output = SSMH_OUTPUT_REAL;
    r->d = in->d;
    r->p = in->p;
    mat_copy(r->D, in->D);
    r->has_D = in->has_D;
    r->length = in->length;
    r->name = in->name ? strdup(in->name) : NULL;
    r->source = in->source ? strdup(in->source) : NULL;
    if (in->structure == SSMH_STRUCTURE_DIAG) {
        r->N = N;
        fmpq_mat_clear(r->A);
        fmpq_mat_init(r->A, N, N);
        for (s = 0; s < N; s++)
            fmpq_set(fmpq_mat_entry(r->A, s, s), fmpq_mat_entry(in->lambda_re, s, 0));
        ssmh_spmat_set(r->B, in->B);
        ssmh_spmat_set(r->C, in->C);
    } else {
        slong f = in->output == SSMH_OUTPUT_RE ? 1 : 2;
        fmpq_t t;
        fmpq_init(t);
        r->N = 2 * N;
        fmpq_mat_clear(r->A);
        fmpq_mat_init(r->A, 2 * N, 2 * N);
        for (s = 0; s < N; s++) {
            const fmpq *a = fmpq_mat_entry(in->lambda_re, s, 0);
            const fmpq *b = fmpq_mat_entry(in->lambda_im, s, 0);
            fmpq_set(fmpq_mat_entry(r->A, 2 * s, 2 * s), a);
            fmpq_neg(fmpq_mat_entry(r->A, 2 * s, 2 * s + 1), b);
            fmpq_set(fmpq_mat_entry(r->A, 2 * s + 1, 2 * s), b);
            fmpq_set(fmpq_mat_entry(r->A, 2 * s + 1, 2 * s + 1), a);
        }
        /* B: rows (Re b_s, Im b_s); C: columns f (Re c_s, -Im c_s), each
           row a merge of C's and C_im's rows */
        ssmh_spmat_clear(r->B);
        ssmh_spmat_init(r->B, 2 * N, in->d);
        _ssmh_spmat_fit(r->B, in->B->nnz + in->B_im->nnz);
        for (s = 0; s < N; s++) {
            for (k = in->B->rowptr[s]; k < in->B->rowptr[s + 1]; k++)
                _ssmh_spmat_append(r->B, 2 * s, in->B->col[k], in->B->val + k);
            for (k = in->B_im->rowptr[s]; k < in->B_im->rowptr[s + 1]; k++)
                _ssmh_spmat_append(r->B, 2 * s + 1, in->B_im->col[k], in->B_im->val + k);
        }
        _ssmh_spmat_finish(r->B);
        ssmh_spmat_clear(r->C);
        ssmh_spmat_init(r->C, in->p, 2 * N);
        _ssmh_spmat_fit(r->C, in->C->nnz + in->C_im->nnz);
        for (j = 0; j < in->p; j++) {
            slong a = in->C->rowptr[j], ae = in->C->rowptr[j + 1];
            slong b = in->C_im->rowptr[j], be = in->C_im->rowptr[j + 1];
            while (a < ae || b < be) {
                if (b >= be || (a < ae && in->C->col[a] <= in->C_im->col[b])) {
                    fmpq_mul_si(t, in->C->val + a, f);
                    _ssmh_spmat_append_swap(r->C, j, 2 * in->C->col[a], t);
                    a++;
                } else {
                    fmpq_mul_si(t, in->C_im->val + b, -f);
                    _ssmh_spmat_append_swap(r->C, j, 2 * in->C_im->col[b] + 1, t);
                    b++;
                }
            }
        }
        _ssmh_spmat_finish(r->C);
        fmpq_clear(t);
    }
    ssmh_model_clear(out);
    *out = *r; /* move */
}

uint64_t ssmh_model_hash(const ssmh_model_t m)
{
    uint64_t h = ssmh_hash_bytes(0, "ssmheads-model/1", 16);
    int tags[3];
    tags[0] = m->convention;
    tags[1] = m->structure;
    tags[2] = m->output;
    h = ssmh_hash_bytes(h, tags, sizeof(tags));
    h = ssmh_hash_fmpq_mat(h, m->A);
    h = ssmh_hash_fmpq_mat(h, m->lambda_re);
    h = ssmh_hash_fmpq_mat(h, m->lambda_im);
    h = ssmh_hash_spmat(h, m->B);
    h = ssmh_hash_spmat(h, m->B_im);
    h = ssmh_hash_spmat(h, m->C);
    h = ssmh_hash_spmat(h, m->C_im);
    h = ssmh_hash_fmpq_mat(h, m->D);
    return h;
}

const char *ssmh_convention_name(ssmh_convention_t c)
{
    return c == SSMH_CONVENTION_DELAYED ? "delayed"
         : c == SSMH_CONVENTION_DIRECT ? "direct" : "unknown";
}
