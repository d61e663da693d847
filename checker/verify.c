/*
 * A whole certificate: the envelope of ssmheads-cert/1 (format, model,
 * claim, witness and nothing else), the embedded model, then the checker of
 * the claimed kind.
 */
#include "ssmhc.h"
#include <stdio.h>
#include <string.h>

static const struct {
    const char *kind;
    ssmhc_kind_fn fn;
} kinds[] = {
    {"heads", ssmhc_check_heads},
    {"represent", ssmhc_check_represent},
    {"gradient", ssmhc_check_gradient},
    {"approx", ssmhc_check_approx},
};

static json_t *load(const char *path, ssmhc_report_t *r)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        ssmhc_fail(r, "%s: not a valid JSON file (line %d: %s)", path, je.line, je.text);
    return j;
}


ssmhc_verdict_t ssmhc_verify_json(const json_t *cert, const json_t *model_file,
                                  ssmhc_report_t *r)
{
    const json_t *f, *claim, *kind;
    ssmhc_model m;
    ssmhc_verdict_t v = SSMHC_UNKNOWN;
    size_t i;

    r->verdict = SSMHC_UNKNOWN;
    r->step[0] = '\0';
    if (!json_is_object(cert)
        || json_object_size(cert) != (json_object_get(cert, "attention") ? 5u : 4u))
        return ssmhc_fail(r, "envelope: expected exactly format, model, claim, witness "
                             "(and attention, for kind represent)");
    f = json_object_get(cert, "format");
    if (!json_is_string(f) || strcmp(json_string_value(f), "ssmheads-cert/1") != 0)
        return ssmhc_fail(r, "envelope: format is not ssmheads-cert/1");
    claim = json_object_get(cert, "claim");
    if (!json_is_object(claim) || !json_object_get(cert, "witness") || !json_object_get(cert, "model"))
        return ssmhc_fail(r, "envelope: claim, model or witness missing");
    kind = json_object_get(claim, "kind");
    if (!json_is_string(kind))
        return ssmhc_fail(r, "claim: kind missing");
    if ((json_object_get(cert, "attention") != NULL) != (strcmp(json_string_value(kind), "represent") == 0))
        return ssmhc_fail(r, "envelope: an attention layer belongs to, and only to, kind represent");
    if (ssmhc_model_read(&m, json_object_get(cert, "model"), r) != 0)
        return SSMHC_REJECTED;
    if (model_file != NULL) {
        ssmhc_model m2;
        if (ssmhc_model_read(&m2, model_file, r) != 0) {
            ssmhc_model_clear(&m);
            return ssmhc_fail(r, "--model: %s", r->step);
        }
        if (!ssmhc_model_equal(&m, &m2))
            v = ssmhc_fail(r, "--model: the certificate is about a different model");
        ssmhc_model_clear(&m2);
    }
    if (v == SSMHC_UNKNOWN) {
        v = ssmhc_fail(r, "claim: unknown kind '%s'", json_string_value(kind));
        for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
            if (strcmp(json_string_value(kind), kinds[i].kind) == 0) {
                r->verdict = SSMHC_UNKNOWN;
                r->step[0] = '\0';
                v = kinds[i].fn(cert, &m, r);
                break;
            }
    }
    ssmhc_model_clear(&m);
    /* Only an explicit VERIFIED from the kind checker is acceptance. */
    if (v != SSMHC_VERIFIED) {
        if (r->step[0] == '\0')
            ssmhc_fail(r, "rejected");
        r->verdict = SSMHC_REJECTED;
        return SSMHC_REJECTED;
    }
    r->verdict = SSMHC_VERIFIED;
    return SSMHC_VERIFIED;
}

ssmhc_verdict_t ssmhc_verify_file(const char *cert_path, const char *model_path,
                                  ssmhc_report_t *r)
{
    json_t *cert, *model = NULL;
    ssmhc_verdict_t v;
    r->verdict = SSMHC_UNKNOWN;
    cert = load(cert_path, r);
    if (cert == NULL)
        return SSMHC_REJECTED;
    if (model_path != NULL && (model = load(model_path, r)) == NULL) {
        json_decref(cert);
        return SSMHC_REJECTED;
    }
    v = ssmhc_verify_json(cert, model, r);
    json_decref(cert);
    json_decref(model);
    return v;
}
