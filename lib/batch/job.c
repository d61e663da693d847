/*
 * One batch job: load (or import) one model, run the task, and describe
 * the outcome as one result object.  Guarantee: a job never prints, never
 * exits and shares no state with other jobs, so jobs may run in parallel
 * threads; every outcome, success or error, becomes one result object.
 */
#include "ssmheads-impl.h"
#include <string.h>

void ssmh_task_init(ssmh_task_t t)
{
    memset(t, 0, sizeof(*t));
    t->kind = SSMH_TASK_HEADS;
    t->lags = 16;
    fmpq_init(t->eps);
}

void ssmh_task_clear(ssmh_task_t t)
{
    fmpq_clear(t->eps);
}

const char *ssmh_task_name(ssmh_task_kind_t k)
{
    return k == SSMH_TASK_GRADIENT ? "gradient" : k == SSMH_TASK_MINIMAL ? "minimal" : "heads";
}

static int run_task(json_t **out, json_t **cert, const ssmh_model_t m, slong n,
                    const ssmh_task_t task, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    int rc;
    if (task->kind == SSMH_TASK_GRADIENT) {
        ssmh_gradient_t g;
        ssmh_gradient_init(g);
        rc = ssmh_gradient_compute(g, m, task->lags, task->eps, lim, err);
        if (rc == SSMH_OK) {
            *out = ssmh_gradient_to_json(g);
            if (task->certify)
                *cert = ssmh_gradient_certificate(g, m);
        }
        ssmh_gradient_clear(g);
    } else if (task->kind == SSMH_TASK_MINIMAL) {
        ssmh_minimal_t r;
        ssmh_minimal_init(r);
        rc = ssmh_minimal_compute(r, m, lim, err);
        if (rc == SSMH_OK)
            *out = ssmh_minimal_to_json(r);
        ssmh_minimal_clear(r);
    } else {
        ssmh_heads_t h;
        ssmh_heads_init(h);
        /* as `ssmheads heads` does: k_inf from modes for the diagonal
           layers whose lag witness would cost far more */
        rc = ssmh_heads_compute_opts(h, m, n, SSMH_HEADS_AUTO, lim, err);
        if (rc == SSMH_OK) {
            *out = ssmh_heads_to_json(h, -1);
            if (task->certify)
                *cert = ssmh_heads_certificate(h, m);
        }
        ssmh_heads_clear(h);
    }
    return rc;
}

int ssmh_batch_run(json_t **result, json_t **cert, const ssmh_batch_entry_t *e,
                   const ssmh_task_t task, const ssmh_limits_t *lim)
{
    ssmh_model_t m;
    ssmh_error_t err;
    json_t *r = json_object(), *out = NULL;
    const char *src = e->model ? e->model : e->weights;
    slong n;
    int rc;

    *cert = NULL;
    ssmh_error_clear(&err);
    json_object_set_new(r, "id", json_string(e->id));
    json_object_set_new(r, "line", json_integer(e->line));
    json_object_set_new(r, "source", json_string(src));
    if (e->weights != NULL)
        json_object_set_new(r, "layout", json_string(e->import.layout));
    ssmh_model_init(m);
    rc = e->model ? ssmh_model_read_file(m, e->model, lim, &err)
                  : ssmh_import_model_file(m, e->weights, &e->import, lim, &err);
    if (rc == SSMH_OK && task->certify)   /* never a certificate the checker refuses */
        rc = ssmh_model_checkable(m, lim, &err);
    if (rc == SSMH_OK) {
        n = e->n > 0 ? e->n : task->n > 0 ? task->n : m->length;
        rc = run_task(&out, cert, m, n, task, lim, &err);
        if (rc == SSMH_OK && out == NULL)
            rc = ssmh_error_set(&err, SSMH_E_NOMEM, src, "", "out of memory");
    }
    if (rc != SSMH_OK && !err.file[0])
        snprintf(err.file, sizeof(err.file), "%s", src);
    json_object_set_new(r, "status", json_string(rc == SSMH_OK ? "ok" : ssmh_strerror(rc)));
    if (rc == SSMH_OK) {
        json_object_set_new(r, ssmh_task_name(task->kind), out);
    } else {
        json_t *eo = json_object();
        json_object_set_new(eo, "file", json_string(err.file));
        json_object_set_new(eo, "path", json_string(err.path));
        json_object_set_new(eo, "message", json_string(err.message[0] ? err.message : ssmh_strerror(rc)));
        json_object_set_new(r, "error", eo);
        if (*cert != NULL) {
            json_decref(*cert);
            *cert = NULL;
        }
    }
    ssmh_model_clear(m);
    *result = r;
    return rc;
}
