/*
 * ssmh_call_json: the JSON entry point (ssmheads/api.h).  Guarantee: every
 * request gets exactly one response object -- the command's results, or
 * an error with the exit code the CLI would give -- and nothing outlives
 * the call but that response.
 */
#include "api-impl.h"
#include <stdlib.h>
#include <string.h>

#define MODEL "model", "model_file"
#define ATTENTION "attention", "attention_file"
#define WEIGHTS "weights", "tensors", "tensors_file"

static const struct {
    const char *name;
    _ssmh_api_fn run;
    const char *const keys[24];   /* the members it takes besides command, limits */
} commands[] = {
    {"version", _ssmh_api_version, {NULL}},
    {"model", _ssmh_api_model, {MODEL, NULL}},
    {"write_model", _ssmh_api_write_model, {MODEL, "path", NULL}},
    {"attention", _ssmh_api_attention, {ATTENTION, NULL}},
    {"import", _ssmh_api_import, {WEIGHTS, "layout", "prefix", _SSMH_IMPORT_OPTIONS, NULL}},
    {"inspect", _ssmh_api_inspect, {WEIGHTS, NULL}},
    {"lags", _ssmh_api_lags, {MODEL, "count", NULL}},
    {"heads", _ssmh_api_heads, {MODEL, "n", "budget", "certificate", "profile", NULL}},
    {"construct", _ssmh_api_construct, {MODEL, "n", NULL}},
    {"gradient", _ssmh_api_gradient,
     {MODEL, "n", "eps", "lags", "certificate", "plot", ATTENTION, NULL}},
    {"minimal", _ssmh_api_minimal, {MODEL, NULL}},
    {"approx", _ssmh_api_approx,
     {MODEL, "n", "eps", "relative", "curve", "plot", "method", "certificate", NULL}},
    {"span", _ssmh_api_span, {ATTENTION, NULL}},
    {"represent", _ssmh_api_represent, {ATTENTION, MODEL, "n", "certificate", NULL}},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int ssmh_exit_code(int status)
{
    switch (status) {
    case SSMH_OK: return 0;
    case SSMH_E_PARSE:
    case SSMH_E_SHAPE:
    case SSMH_E_VALUE: return 4;
    case SSMH_E_IO: return 5;
    case SSMH_E_USAGE: return 3;
    case SSMH_E_UNDECIDED: return 2;
    case SSMH_E_NOTIMPL: return 7;
    default: return 6;   /* SSMH_E_LIMIT, SSMH_E_NOMEM, SSMH_E_INTERNAL */
    }
}

/* A JSON string of s; a message cut inside a UTF-8 sequence (the error
   struct's buffers are fixed-size) keeps its ASCII and marks the rest. */
static json_t *text(const char *s)
{
    json_t *j = json_string(s);
    char *t;
    size_t i;
    if (j != NULL || (t = strdup(s)) == NULL)
        return j;
    for (i = 0; t[i] != '\0'; i++)
        if ((unsigned char)t[i] >= 0x80)
            t[i] = '?';
    j = json_string(t);
    free(t);
    return j;
}

/* Find and run the command; returns its exit code (0, 1) or a status. */
static int dispatch(json_t *resp, const char *request, ssmh_progress_t *progress,
                    ssmh_error_t *err)
{
    ssmh_limits_t lim;
    json_t *req;
    const char *name;
    size_t i;
    int rc;
    ssmh_limits_default(&lim);
    req = ssmh_json_parse(request, strlen(request), _SSMH_REQUEST, &lim, err);
    if (req == NULL)
        return err->code == SSMH_E_LIMIT || err->code == SSMH_E_NOMEM ? err->code : SSMH_E_USAGE;
    if (!json_is_object(req)) {
        json_decref(req);
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$", "a request is a JSON object");
    }
    name = json_string_value(json_object_get(req, "command"));
    for (i = 0; name != NULL && i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            break;
    if (name == NULL || i == NCOMMANDS) {
        rc = ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$.command",
                            name ? "unknown command \"%s\"" : "missing (a string naming the "
                                                              "command)%s",
                            name ? name : "");
    } else if ((rc = _ssmh_req_keys(req, commands[i].keys, err)) == SSMH_OK
               && (rc = _ssmh_req_limits(&lim, req, err)) == SSMH_OK) {
        lim.progress = progress;
        rc = commands[i].run(resp, req, &lim, err);
    }
    json_decref(req);
    return rc;
}

int ssmh_call_json(const char *request, char **response)
{
    return ssmh_call_json_progress(request, response, NULL);
}

int ssmh_call_json_progress(const char *request, char **response, ssmh_progress_t *progress)
{
    ssmh_error_t err;
    json_t *resp = json_object();
    int rc, code;
    ssmh_error_clear(&err);
    *response = NULL;
    if (resp == NULL)
        return 6;
    if (request == NULL)
        rc = ssmh_error_set(&err, SSMH_E_USAGE, _SSMH_REQUEST, "", "no request (NULL)");
    else
        rc = dispatch(resp, request, progress, &err);
    if (rc < 0) {
        json_t *e = json_object();
        json_object_clear(resp);   /* an error leaves no partial result */
        code = ssmh_exit_code(rc);
        json_object_set_new(e, "code", json_integer(rc));
        json_object_set_new(e, "status", json_string(ssmh_strerror(rc)));
        json_object_set_new(e, "file", text(err.file));
        json_object_set_new(e, "path", text(err.path));
        json_object_set_new(e, "line", json_integer(err.line));
        json_object_set_new(e, "column", json_integer(err.column));
        json_object_set_new(e, "message", text(err.message[0] ? err.message
                                                                      : ssmh_strerror(rc)));
        json_object_set_new(resp, "error", e);
    } else {
        code = rc;
    }
    json_object_set_new(resp, "exit", json_integer(code));
    *response = ssmh_json_dumps(resp);
    json_decref(resp);
    /* FLINT keeps per-thread caches; a binding's threads come and go (a
       Python thread pool), so the call leaves none behind. */
    flint_cleanup();
    return *response != NULL ? code : 6;
}

void ssmh_call_free(char *response)
{
    free(response);
}
