/*
 * ssmheads/api.h -- the JSON entry point: one request object in, one
 * response object out, for bindings (the Python package, doc/python.md) and
 * for `ssmheads call`.
 *
 * Guarantee: ssmh_call_json answers every request with the same numbers,
 * JSON reports, certificates and plots as the matching `ssmheads` command
 * with --json (it calls the same library functions and report builders),
 * and the same exit-code meaning (SPEC 4).  It never prints, never exits,
 * reads no standard input, and is reentrant: calls from several threads at
 * once are independent (no global state is touched).  Bad input of any kind
 * -- a malformed request, a bad model, a value out of range -- is an error
 * response, never a crash.
 *
 * Request: a JSON object {"command": C, ...}.  Keys not listed for C are
 * a usage error naming them.
 *   "model":      an ssmheads-model/1 object, or the path of a model file
 *   "model_file": the name errors give for an inline model ("model")
 *   "attention", "attention_file": the same for an ssmheads-attention/1 layer
 *   "limits":     {"max_dim", "max_digits", "max_bits", "max_length",
 *                  "max_file_bytes"} (JSON integers; defaults as the CLI's).
 *                 CPU time and memory are limits of a process, not of a call:
 *                 `ssmheads call --timeout S --max-memory N` applies them to
 *                 its own process; a request holding them is refused.
 * Commands and their keys (as the CLI options of the same name):
 *   "version"
 *   "model"       model                    -> "model" (canonical), "result"
 *                                              (N, d, p, structure, ...)
 *   "write_model" model, path              (written atomically)
 *   "attention"   attention                -> "attention", "result" (H, p, d)
 *   "import"      weights (path) or tensors, layout, prefix, and every layout
 *                 option by its CLI name (discretization, output, conj-sym,
 *                 precision, headdim, ngroups, dt-transform, real-transform,
 *                 imag-transform, dt-fast, swap-channels, bandlimit,
 *                 clip-eigs, step-rescale, dt-limit: strings, integers or
 *                 booleans, as ssmh_import_opts_set reads them)
 *                                          -> "model" or "attention", "result",
 *                                             "notes" (the import's notes: unused
 *                                             tensors, a missing D)
 *   "inspect"     weights (path) or tensors -> "result": {"file", "tensors",
 *                                             "modules"}: ssmh_weights_recognize
 *                                             (`ssmheads inspect --json` without
 *                                             its shell "command" lines)
 *   "lags"        model, count             -> "result": {"lags": [K_0 ..]}
 *   "heads"       model, n, budget, certificate
 *   "construct"   model, n
 *   "gradient"    model, n, eps, lags, certificate, plot, attention
 *   "minimal"     model                    (and "model": the minimal
 *                                              realization, when it has a state)
 *   "approx"      model, n, eps, relative, curve, plot, method, certificate
 *   "span"        attention
 *   "represent"   attention, model, n, certificate
 * A checkpoint is "weights", the path of a .npz, .safetensors or directory
 * of .npy files, or "tensors", a state_dict in memory:
 *   {NAME: {"dtype": D, "shape": [..], "data": B64}, ...}
 * D a safetensors dtype name ("F32", "BF16", "C64", ...) or numpy descr
 * ("<c16", ...), B64 the standard base64 of the raw little-endian C-order
 * bytes, decoded by the code that reads a file of them (ssmh_weights_add);
 * without "data" a tensor is known by dtype and shape only (enough for
 * inspect; refused by a layout that needs its numbers).  "tensors_file"
 * names inline tensors in errors and `source` (default "<tensors>").
 * n, budget, lags, count, precision, headdim: JSON integers; eps: an exact
 * number (a string such as "1/1000" or "0x1p-10", or an integer);
 * certificate, plot, relative, curve: booleans.
 *
 * Response: {"exit": E, "result": R, "certificate": C, "svg": S, "model": M,
 * "attention": T, "error": X} with only the members that apply.  E is the
 * exit code `ssmheads` would give (0 ok; 1 the claim is false -- a budget
 * not met, a layer that cannot represent the model -- with a result; 2
 * undecided, 3 usage, 4 invalid input, 5 I/O, 6 resource limit, 7 not
 * implemented, each with X = {"code": ssmh_status_t, "status": its name,
 * "file", "path", "line", "column", "message"}).  R is the command's --json
 * object; C the certificate --cert writes; S the SVG --plot writes.
 */
#ifndef SSMHEADS_API_H
#define SSMHEADS_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* Answer one request (a NUL-terminated JSON text).  *response receives a
   new NUL-terminated JSON text, to be released with ssmh_call_free; it is
   NULL only when memory ran out.  Returns the response's exit code. */
int ssmh_call_json(const char *request, char **response);
/* The same, with the library's progress reports of long loops passed to
   progress (ssmheads/core.h: fn(arg, what, done, total), rate-limited, from
   the calling thread; fn must not call back into the library).  NULL is
   ssmh_call_json.  The reports cannot stop the call. */
struct ssmh_progress_struct;
int ssmh_call_json_progress(const char *request, char **response,
                            struct ssmh_progress_struct *progress);
/* Release a response of ssmh_call_json (NULL is allowed). */
void ssmh_call_free(char *response);

/* The exit code (SPEC 4) of a library status: SSMH_OK 0, parse/shape/value
   errors 4, I/O 5, limits and out of memory 6, usage 3, undecided 2, not
   implemented 7, anything else 6. */
int ssmh_exit_code(int status);

#ifdef __cplusplus
}
#endif
#endif
