/*
 * A whole certificate: the file (within --max-file-bytes; something that is
 * not a certificate is named as what it is), the envelope of ssmheads-cert/1
 * (format, model, claim, witness and nothing else), the embedded model, then
 * the checker of the claimed kind.  A resource limit hit anywhere on the way
 * makes the answer SSMHC_LIMIT, never an acceptance.
 */
#include "ssmhc.h"
#include <stdio.h>
#include <stdlib.h>
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

/* The bytes of the files ssmhc_verify_file read (the digit budget's
   measure); 0: ssmhc_verify_json measures the parsed JSON itself. */
static size_t file_bytes;

/* The file, within --max-file-bytes, parsed strictly.  NULL with r set
   (verdict REJECTED, or NOT_CERTIFICATE / LIMIT in *v). */
static json_t *load(const char *path, ssmhc_report_t *r, ssmhc_verdict_t *v)
{
    const ssmhc_limits *lim = ssmhc_limits_get();
    json_error_t je;
    json_t *j = NULL;
    char *buf;
    size_t len = 0, cap = 1 << 16, got;
    FILE *f = fopen(path, "rb");
    *v = SSMHC_REJECTED;
    if (f == NULL) {
        ssmhc_fail(r, "%s: cannot open", path);
        return NULL;
    }
    buf = ssmhc_malloc(cap);
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (lim->max_file_bytes > 0 && len > lim->max_file_bytes) {
            fclose(f);
            free(buf);
            *v = SSMHC_LIMIT;
            ssmhc_limit(r, "%s: file larger than the limit of %zu bytes", path, lim->max_file_bytes);
            return NULL;
        }
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                ssmhc_out_of_memory(path);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    file_bytes += len;
    j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        const char *what = ssmhc_identify_bytes(buf, len);
        json_t *first = what ? NULL : json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, NULL);
        if (first != NULL)
            what = ssmhc_identify_json(first, 1);
        json_decref(first);
        if (what != NULL) {
            *v = SSMHC_NOT_CERTIFICATE;
            ssmhc_fail(r, "%s", what);
        } else {
            ssmhc_fail(r, "%s: not a valid JSON file (line %d: %s)", path, je.line, je.text);
        }
    }
    free(buf);
    return j;
}

/* Only an explicit VERIFIED from the kind checker is acceptance; a limit hit
   on the way is reported as such. */
static ssmhc_verdict_t finish(ssmhc_verdict_t v, ssmhc_report_t *r)
{
    if (ssmhc_limit_note() != NULL) {
        snprintf(r->step, sizeof(r->step), "%s", ssmhc_limit_note());
        r->verdict = SSMHC_LIMIT;
        return SSMHC_LIMIT;
    }
    if (v != SSMHC_VERIFIED) {
        if (r->step[0] == '\0')
            ssmhc_fail(r, "rejected");
        r->verdict = SSMHC_REJECTED;
        return SSMHC_REJECTED;
    }
    r->verdict = SSMHC_VERIFIED;
    return SSMHC_VERIFIED;
}

/* owned: the caller's cert may lose its "model" member once the model is
   read (the kind checkers look only at claim and witness): a channel bank's
   model is most of the document, and its JSON most of the memory. */
static ssmhc_verdict_t verify(json_t *owned, const json_t *cert, const json_t *model_file,
                              ssmhc_report_t *r);

ssmhc_verdict_t ssmhc_verify_json(const json_t *cert, const json_t *model_file,
                                  ssmhc_report_t *r)
{
    return verify(NULL, cert, model_file, r);
}

static ssmhc_verdict_t verify(json_t *owned, const json_t *cert, const json_t *model_file,
                              ssmhc_report_t *r)
{
    const json_t *f, *claim, *kind;
    ssmhc_model m;
    ssmhc_verdict_t v = SSMHC_UNKNOWN;
    size_t i;

    r->verdict = SSMHC_UNKNOWN;
    r->step[0] = '\0';
    ssmhc_limit_reset();
    ssmhc_budgets_set(file_bytes ? file_bytes
                                 : json_dumpb(cert, NULL, 0, JSON_COMPACT)
                                       + (model_file ? json_dumpb(model_file, NULL, 0, JSON_COMPACT) : 0));
    {
        const char *what = ssmhc_identify_json(cert, 0);
        if (what != NULL) {
            ssmhc_fail(r, "%s", what);
            r->verdict = SSMHC_NOT_CERTIFICATE;
            return SSMHC_NOT_CERTIFICATE;
        }
    }
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
        return finish(SSMHC_REJECTED, r);
    if (owned != NULL)
        json_object_del(owned, "model");
    if (model_file != NULL) {
        ssmhc_model m2;
        if (ssmhc_model_read(&m2, model_file, r) != 0) {
            ssmhc_model_clear(&m);
            return finish(ssmhc_fail(r, "--model: %s", r->step), r);
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
    return finish(v, r);
}

ssmhc_verdict_t ssmhc_verify_file(const char *cert_path, const char *model_path,
                                  ssmhc_report_t *r)
{
    json_t *cert, *model = NULL;
    ssmhc_verdict_t v;
    r->verdict = SSMHC_UNKNOWN;
    ssmhc_limit_reset();
    file_bytes = 0;
    cert = load(cert_path, r, &v);
    if (cert == NULL)
        return r->verdict = v;
    if (model_path != NULL && (model = load(model_path, r, &v)) == NULL) {
        json_decref(cert);
        if (v == SSMHC_NOT_CERTIFICATE)   /* --model takes a model, not a certificate */
            v = ssmhc_fail(r, "--model %s: not a model file", model_path);
        return r->verdict = v;
    }
    v = verify(cert, cert, model, r);
    file_bytes = 0;
    json_decref(cert);
    json_decref(model);
    return v;
}
