/*
 * ssmheads/minimal.h -- exact minimal realization (SPEC 1.5): the
 * tolerance-free ctrb / obsv / minreal.
 *
 * Guarantee: every rank is exact, and the minimal realization is derived
 * through identities that are each checked exactly (R A_r = A R, R B_r = B,
 * A_m T = T A_r, C_m T = C_r, B_m = T B_r), so it reproduces every Markov
 * parameter C A^l B and D of the model; its dimension is the McMillan degree
 * (the rank of the block Hankel matrix), since the result is both reachable
 * and observable.
 */
#ifndef SSMHEADS_MINIMAL_H
#define SSMHEADS_MINIMAL_H

#include <ssmheads/model.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    slong N;                /* state dimension of the (realified) model */
    slong reachable_rank;   /* rank [B, AB, ..., A^(N-1) B] */
    slong observable_rank;  /* rank [C; CA; ...; C A^(N-1)] */
    slong mcmillan_degree;  /* rank of the block Hankel matrix = minimal dimension */
    ssmh_model_t minimal;   /* a dense minimal realization, same convention and D */
} ssmh_minimal_struct;
typedef ssmh_minimal_struct ssmh_minimal_t[1];

void ssmh_minimal_init(ssmh_minimal_t r);
void ssmh_minimal_clear(ssmh_minimal_t r);
/* Returns SSMH_OK, SSMH_E_LIMIT or SSMH_E_INTERNAL (a failed self-check). */
int ssmh_minimal_compute(ssmh_minimal_t r, const ssmh_model_t m, const ssmh_limits_t *lim,
                         ssmh_error_t *err);
/* The stable JSON report of SPEC 4 (`minimal`). */
json_t *ssmh_minimal_to_json(const ssmh_minimal_t r);

#ifdef __cplusplus
}
#endif
#endif
