/*
 * ssmheads/heads.h -- lag operators, interaction rank, k-head construction.
 * (Issue 3 fills this module in; ssmh_lags is the first entry point other
 * modules build on.)
 */
#ifndef SSMHEADS_HEADS_H
#define SSMHEADS_HEADS_H

#include <ssmheads/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The lag operators K_0 ... K_{count-1} of the model, exactly, under its
   convention (SPEC 1.2).  K is an array of count matrices, each initialised
   by the caller (any shape: they are resized to p x d).  Exploits diagonal
   structure.  Returns SSMH_OK or SSMH_E_LIMIT. */
int ssmh_lags(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
              ssmh_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
