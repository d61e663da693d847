/*
 * ssmheads/weights.h -- (module under construction; see the issue that owns it).
 */
#ifndef SSMHEADS_WEIGHTS_H
#define SSMHEADS_WEIGHTS_H

#include <ssmheads/model.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
