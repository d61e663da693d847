/*
 * ssmheads.h -- public interface of libssmheads.
 *
 * libssmheads decides, in exact rational arithmetic, how many attention heads
 * represent a linear state-space model (see SPEC.md).  This header is the only
 * one a user includes; it pulls in one sub-header per module from
 * <ssmheads/...>.  Conventions (written down once, kept everywhere):
 *
 *  - The library never prints and never exits.  Functions return SSMH_OK (0)
 *    or a negative ssmh_status_t and fill an optional caller-owned
 *    ssmh_error_t with the file, JSON path and a message.
 *  - Value objects are init/clear (one clear per init); handle objects are
 *    _new/_free (free(NULL) is safe).  No function takes ownership of its
 *    arguments.  Outputs come first, inputs are const.  After an error the
 *    outputs are unspecified but may still be cleared.
 *  - Verdict enums have "unknown" as their zero value, so zeroed memory never
 *    means "accepted".
 */
#ifndef SSMHEADS_H
#define SSMHEADS_H

#include <ssmheads/core.h>
#include <ssmheads/spmat.h>
#include <ssmheads/model.h>
#include <ssmheads/heads.h>
#include <ssmheads/gradient.h>
#include <ssmheads/minimal.h>
#include <ssmheads/attention.h>
#include <ssmheads/approx.h>
#include <ssmheads/weights.h>
#include <ssmheads/batch.h>
#include <ssmheads/report.h>
#include <ssmheads/api.h>

#endif
