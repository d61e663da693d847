/*
 * Mode rows of a block-diagonal model modulo a prime, for the mode form of
 * the heads lower witness (doc/cert-heads.md).  Independent of the
 * producer's code.
 *
 * Guarantee: ssmhc_mode_entries_mod accepts a list of [mode, part] pairs
 * only when each names a nonzero eigenvalue (part 1 only for a non-real
 * one) and no two name the same group of equal eigenvalues and part; it
 * then writes, for each pair, the entries of its row -- X (part 0) or Y
 * (part 1), summed over the whole group -- at the given positions, mod P.
 */
#include "ssmhc-impl.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const __mpq_struct *re;
    mpq_t absim;
    long mode;
} eig_key;

static int cmp_eig(const eig_key *a, const eig_key *b)
{
    int c = mpq_cmp(a->re, b->re);
    return c ? c : mpq_cmp(a->absim, b->absim);
}

static int cmp_key(const void *x, const void *y)
{
    const eig_key *a = *(const eig_key *const *)x, *b = *(const eig_key *const *)y;
    int c = cmp_eig(a, b);
    return c ? c : (a->mode > b->mode) - (a->mode < b->mode);
}

/* The first state of mode s and its number of states (1 or 2). */
static long first_state(const ssmhc_model *m, long s)
{
    return m->complex_modes ? 2 * s : s;
}

/* Scatter row t of S (reduced values red) into v (or clear it: val 0). */
static void scatter(u64 *v, const ssmhc_smat *S, const u64 *red, long t, int clear)
{
    long k;
    for (k = S->rowptr[t]; k < S->rowptr[t + 1]; k++)
        v[S->col[k]] = clear ? 0 : red[k];
}

int ssmhc_mode_entries_mod(u64 *out, uint32_t *out32, const ssmhc_model *m, const long *mode,
                           const long *part, long r, const long *erow, const long *ecol, u64 P,
                           ssmhc_report_t *rep)
{
    long nm = m->complex_modes ? m->N / 2 : m->N, i, j, g, ng = 0, q;
    long spm = m->complex_modes ? 2 : 1;
    eig_key *keys = ssmhc_malloc(sizeof(eig_key) * (size_t)(nm > 0 ? nm : 1));
    eig_key **ord = ssmhc_malloc(sizeof(eig_key *) * (size_t)(nm > 0 ? nm : 1));
    long *gid = ssmhc_malloc(sizeof(long) * (size_t)(nm > 0 ? nm : 1));
    long *gstart = ssmhc_malloc(sizeof(long) * (size_t)(nm + 1));
    unsigned char *used;
    u64 *Bred = NULL, *Cred = NULL, *cv[2], *bv[2], *scratch = NULL;
    ssmhc_smat Ct;
    int rc = -2;

    ssmhc_smat_transpose(&Ct, &m->C);   /* row t: column t of C */
    for (i = 0; i < nm; i++) {
        long t = first_state(m, i);
        keys[i].re = SSMHC_Q(&m->Ab, t, 0);
        mpq_init(keys[i].absim);
        if (m->complex_modes)
            mpq_abs(keys[i].absim, SSMHC_Q(&m->Ab, t + 1, 1));
        keys[i].mode = i;
        ord[i] = keys + i;
    }
    qsort(ord, (size_t)nm, sizeof(eig_key *), cmp_key);
    for (i = 0; i < nm; i++) {
        if (i == 0 || cmp_eig(ord[i], ord[i - 1]) != 0)
            gstart[ng++] = i;
        gid[ord[i]->mode] = ng - 1;
    }
    gstart[ng] = nm;
    used = ssmhc_calloc((size_t)(2 * ng > 0 ? 2 * ng : 1), 1);
    for (i = 0; i < r; i++) {
        const eig_key *e = keys + mode[i];
        if (mpq_sgn(e->re) == 0 && mpq_sgn(e->absim) == 0) {
            ssmhc_fail(rep, "lower: mode %ld has eigenvalue 0", mode[i]);
            goto done;
        }
        if (part[i] == 1 && mpq_sgn(e->absim) == 0) {
            ssmhc_fail(rep, "lower: mode %ld is real: it has no part 1", mode[i]);
            goto done;
        }
        if (used[2 * gid[mode[i]] + part[i]]++) {
            ssmhc_fail(rep, "lower: row %ld repeats the eigenvalue group and part of an "
                            "earlier row", i);
            goto done;
        }
    }
    /* every nonzero of B and C reduced once */
    Bred = ssmhc_malloc(sizeof(u64) * (size_t)(m->B.rowptr[m->B.rows] + 1));
    Cred = ssmhc_malloc(sizeof(u64) * (size_t)(Ct.rowptr[Ct.rows] + 1));
    if (ssmhc_reduce_smat_values(Bred, &m->B, P) != 0 || ssmhc_reduce_smat_values(Cred, &Ct, P) != 0) {
        rc = -1;
        goto done;
    }
    scratch = ssmhc_malloc(sizeof(u64) * (size_t)(r > 0 ? r : 1));
    for (j = 0; j < 2; j++) {
        cv[j] = ssmhc_calloc((size_t)(m->p > 0 ? m->p : 1), sizeof(u64));
        bv[j] = ssmhc_calloc((size_t)(m->d > 0 ? m->d : 1), sizeof(u64));
    }
    for (i = 0; i < r; i++) {
        u64 *row = out != NULL ? out + (size_t)i * (size_t)r : scratch;
        g = gid[mode[i]];
        memset(row, 0, sizeof(u64) * (size_t)r);
        for (q = gstart[g]; q < gstart[g + 1]; q++) {
            long u = ord[q]->mode, t0 = first_state(m, u), s;
            for (s = 0; s < spm; s++) {
                scatter(cv[s], &Ct, Cred, t0 + s, 0);
                scatter(bv[s], &m->B, Bred, t0 + s, 0);
            }
            for (j = 0; j < r; j++) {
                long er = erow[j], ec = ecol[j];
                u64 v;
                if (part[i] == 0) {
                    v = ssmhc_mulmod(cv[0][er], bv[0][ec], P);
                    if (spm == 2)
                        v = (v + ssmhc_mulmod(cv[1][er], bv[1][ec], P)) % P;
                } else {   /* sgn(beta_u) (c_{t+1} b_t^T - c_t b_{t+1}^T) */
                    u64 a = ssmhc_mulmod(cv[1][er], bv[0][ec], P);
                    u64 b = ssmhc_mulmod(cv[0][er], bv[1][ec], P);
                    v = a >= b ? a - b : a + P - b;
                    if (mpq_sgn(SSMHC_Q(&m->Ab, t0 + 1, 1)) < 0 && v != 0)
                        v = P - v;
                }
                row[j] = (row[j] + v) % P;
            }
            for (s = 0; s < spm; s++) {
                scatter(cv[s], &Ct, Cred, t0 + s, 1);
                scatter(bv[s], &m->B, Bred, t0 + s, 1);
            }
        }
        if (out32 != NULL)   /* P < 2^32: the residues fit */
            for (j = 0; j < r; j++)
                out32[(size_t)i * (size_t)r + j] = (uint32_t)row[j];
    }
    for (j = 0; j < 2; j++) {
        free(cv[j]);
        free(bv[j]);
    }
    rc = 0;
done:
    for (i = 0; i < nm; i++)
        mpq_clear(keys[i].absim);
    free(keys);
    free(ord);
    free(gid);
    free(gstart);
    free(used);
    free(Bred);
    free(Cred);
    free(scratch);
    ssmhc_smat_clear(&Ct);
    return rc;
}
