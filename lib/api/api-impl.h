/*
 * api-impl.h -- private interface of the JSON entry point (lib/api/): the
 * strict readers of a request's members and one function per command.
 */
#ifndef SSMH_API_IMPL_H
#define SSMH_API_IMPL_H

#include "ssmheads-impl.h"
#include <ssmheads/api.h>
#include <ssmheads/report.h>

/* The file name that errors in the request itself give. */
#define _SSMH_REQUEST "request"

/* The layout options of an import request: the command-line names of
   `ssmheads import`'s options, parsed by ssmh_import_opts_set. */
#define _SSMH_IMPORT_OPTIONS                                                              \
    "discretization", "output", "conj-sym", "precision", "headdim", "ngroups",            \
        "dt-transform", "real-transform", "imag-transform", "dt-fast", "swap-channels",   \
        "bandlimit", "clip-eigs", "step-rescale", "dt-limit"

/* Every key of req is "command", "limits" or one of allowed (NULL-ended). */
int _ssmh_req_keys(const json_t *req, const char *const *allowed, ssmh_error_t *err);
/* Optional members: absent leaves *out (and *given = 0); present but of the
   wrong type or out of range is SSMH_E_USAGE naming $.key. */
int _ssmh_req_long(slong *out, int *given, const json_t *req, const char *key, slong lo,
                   slong hi, ssmh_error_t *err);
int _ssmh_req_bool(int *out, const json_t *req, const char *key, ssmh_error_t *err);
int _ssmh_req_string(const char **out, const json_t *req, const char *key, ssmh_error_t *err);
/* A string among names (NULL-ended): *out receives its index. */
int _ssmh_req_choice(int *out, const json_t *req, const char *key, const char *const *names,
                     ssmh_error_t *err);
/* "eps": an exact number > 0 (string or integer), as the CLI's --eps. */
int _ssmh_req_eps(fmpq_t eps, int *given, const json_t *req, ssmh_error_t *err);
/* The CLI's defaults, then "limits". */
int _ssmh_req_limits(ssmh_limits_t *lim, const json_t *req, ssmh_error_t *err);
/* The model of "model" (object or path); *label is the name its errors
   give (the path, or "model_file", or "model"). */
int _ssmh_req_model(ssmh_model_t m, const char **label, const json_t *req,
                    const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_req_attention(ssmh_attention_t a, const char **label, const json_t *req,
                        const ssmh_limits_t *lim, ssmh_error_t *err);
/* "n" in [1, max_length] (0 when absent), read before the model as the
   CLI reads -n; then, when absent, the model's length, and when required
   and still 0, SSMH_E_USAGE as the CLI's "-n N is required". */
int _ssmh_req_n(slong *n, int *given, const json_t *req, const ssmh_limits_t *lim,
                ssmh_error_t *err);
int _ssmh_req_default_n(slong *n, int given, const ssmh_model_t m, int required,
                        ssmh_error_t *err);
/* The checkpoint of a request (lib/api/tensors.c): "weights" (a path,
   opened headers only) or inline "tensors"; *label names it in errors and
   in `source` (the path, or "tensors_file", by default "<tensors>"). */
int _ssmh_req_weights(ssmh_weights_t w, const char **label, const json_t *req,
                      const ssmh_limits_t *lim, ssmh_error_t *err);
/* Strict base64 (lib/api/base64.c): 0 and a new buffer *out (malloc) of
   *len bytes; -1 when s is not the canonical encoding of any bytes (*bad:
   the offset of the first bad character); -2 when memory ran out. */
int _ssmh_base64_decode(unsigned char **out, size_t *len, const char *s, size_t n,
                        size_t *bad);

/* A computation's error names the model (label) when it named no file. */
int _ssmh_api_failed(int rc, ssmh_error_t *err, const char *label);

/* One command: fills resp ("result", "certificate", ...) and returns 0 or 1
   (the claim is false), or a negative status with err set. */
typedef int (*_ssmh_api_fn)(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                            ssmh_error_t *err);
int _ssmh_api_version(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_model(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_write_model(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                          ssmh_error_t *err);
int _ssmh_api_attention(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                        ssmh_error_t *err);
int _ssmh_api_import(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_inspect(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_lags(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_heads(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_construct(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                        ssmh_error_t *err);
int _ssmh_api_gradient(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                       ssmh_error_t *err);
int _ssmh_api_minimal(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_approx(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_span(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_api_represent(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                        ssmh_error_t *err);

#endif
