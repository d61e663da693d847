/*
 * ssmheads/approx.h -- (module under construction; see the issue that owns it).
 */
#ifndef SSMHEADS_APPROX_H
#define SSMHEADS_APPROX_H

#include <ssmheads/model.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
