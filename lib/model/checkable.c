/*
 * Whether the independent checker can hold a model's certificate within the
 * limits (issue 15).  The checker bounds the model's realified matrices by
 * their dense size -- A is N x N for a dense model, a complex one has 2N
 * states -- and refuses, with exit 6, a dense matrix of more than 2^27
 * entries, or one whose exact entries (about 48 bytes each) need more than
 * a quarter (a square matrix: its working copies need the rest) or a half
 * (any other) of --max-memory (checker/limits.c, doc/trust.md).  It keeps B,
 * C and D sparse, but bounds them so all the same (the checks with dense
 * algorithms may copy them), so a sparse form in the file does not change
 * the rule.  Guarantee: the producer asks before it writes a certificate,
 * so it never writes one that the checker refuses under the same limits.
 * The rule is restated here, not shared: the checker shares no code with
 * the producer.
 */
#include "ssmheads-impl.h"

static int fits(slong rows, slong cols, const ssmh_limits_t *lim, const char *what,
                ssmh_error_t *err)
{
    ulong n = (ulong)rows * (ulong)cols, share = rows == cols ? 4 : 2;
    if (n > (ulong)SSMH_MAX_MATRIX_ENTRIES
        || (lim->max_memory > 0 && n * 48 > lim->max_memory / share))
        return ssmh_error_set(err, SSMH_E_LIMIT, "", "",
                              "no certificate can be written: the checker would hold %s as %ld x %ld "
                              "exact entries (about %lu MiB), more than %s of the memory limit "
                              "(--max-memory, %lu MiB) allows it", what, (long)rows, (long)cols,
                              (n * 48) >> 20, share == 4 ? "a quarter" : "half",
                              (ulong)(lim->max_memory >> 20));
    return SSMH_OK;
}

int ssmh_model_checkable(const ssmh_model_t m, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    slong M = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG ? 2 * m->N : m->N;
    ssmh_limits_t def;
    int rc = SSMH_OK;
    if (lim == NULL) {   /* the defaults, as everywhere in the library */
        ssmh_limits_default(&def);
        lim = &def;
    }
    if (m->structure == SSMH_STRUCTURE_DENSE)
        rc = fits(m->N, m->N, lim, "A", err);
    if (rc == SSMH_OK)
        rc = fits(M, m->d, lim, "B", err);
    if (rc == SSMH_OK)
        rc = fits(m->p, M, lim, "C", err);
    if (rc == SSMH_OK)
        rc = fits(m->p, m->d, lim, "D", err);
    return rc;
}
