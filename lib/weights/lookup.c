/*
 * What a layout reads from a checkpoint.  Guarantee: every tensor a layout
 * looks up is marked, so the tensors under the prefix that it did not use
 * can be listed; a missing or misshapen tensor is reported with the name
 * and shape expected, what was found, and the prefix under which the
 * checkpoint has that name, if it has it elsewhere.
 */
#include "weights-impl.h"
#include <stdarg.h>
#include <string.h>

void _ssmh_prefix_normalize(char *out, size_t size, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    if (n == 0)
        snprintf(out, size, "%s", "");
    else if (prefix[n - 1] == '.' || prefix[n - 1] == '/')
        snprintf(out, size, "%s", prefix);
    else
        snprintf(out, size, "%s.", prefix);
}

ssmh_tensor_struct *_ssmh_lay_find(_ssmh_lay_t *L, const char *name)
{
    ssmh_tensor_struct *t = ssmh_weights_get(L->w, L->prefix, name);
    if (t != NULL && L->used != NULL)
        L->used[t - L->w->t] = 1;
    return t;
}

/* does full end with suffix at a name boundary ('.' or '/' before it, or all of it)? */
static int ends_at_boundary(const char *full, const char *suffix)
{
    size_t a = strlen(full), b = strlen(suffix);
    if (a < b || strcmp(full + a - b, suffix) != 0)
        return 0;
    return a == b || full[a - b - 1] == '.' || full[a - b - 1] == '/';
}

void _ssmh_lay_suggest(char *out, size_t size, const _ssmh_lay_t *L, const char *const *names)
{
    slong i, more = 0;
    const ssmh_tensor_struct *first = NULL;
    size_t flen = 0;
    int k;
    out[0] = '\0';
    for (i = 0; i < L->w->n; i++) {
        const char *nm = L->w->t[i].name;
        for (k = 0; names[k] != NULL; k++)
            if (ends_at_boundary(nm, names[k])
                && strlen(nm) - strlen(names[k]) != strlen(L->prefix)) {
                if (first == NULL) {
                    first = L->w->t + i;
                    flen = strlen(nm) - strlen(names[k]);
                } else {
                    more++;
                }
                break;
            }
    }
    if (first != NULL)
        snprintf(out, size, "; the checkpoint has '%.120s': use --prefix '%.*s'%s", first->name,
                 (int)FLINT_MIN(flen, 120), first->name, more ? " (ssmheads inspect lists every module)" : "");
}

int _ssmh_lay_need(ssmh_tensor_struct **t, _ssmh_lay_t *L, const char *name, const char *expect)
{
    char sug[300];
    const char *names[2];
    *t = _ssmh_lay_find(L, name);
    if (*t != NULL)
        return SSMH_OK;
    names[0] = name;
    names[1] = NULL;
    _ssmh_lay_suggest(sug, sizeof(sug), L, names);
    return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, "", "no tensor '%s%s' (expected %s, layout %s%s%s)%s",
                          L->prefix, name, expect, L->layout, *L->prefix ? ", prefix " : ", no prefix",
                          L->prefix, sug);
}

int _ssmh_lay_shape_error(_ssmh_lay_t *L, const ssmh_tensor_struct *t, const char *fmt, ...)
{
    char what[300], found[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    _ssmh_tensor_describe(found, sizeof(found), t);
    return ssmh_error_set(L->err, SSMH_E_SHAPE, L->file, t->name, "expected %s, found %s", what, found);
}

int _ssmh_lay_decode(_ssmh_lay_t *L, ssmh_tensor_struct *t, int complex_ok)
{
    if (t->is_complex && !complex_ok)
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, t->name,
                              "expected a real tensor, found the complex dtype %s", t->dtype);
    if (L->dry) {
        if (!t->readable)
            return ssmh_weights_decode(L->w, t, L->file, L->err);   /* the same refusal */
        return SSMH_OK;
    }
    return ssmh_weights_decode(L->w, t, L->file, L->err);
}

int _ssmh_squeeze_leading(slong *shape, const ssmh_tensor_struct *t)
{
    int i = 0, n = 0;
    while (i < t->ndim - 1 && t->shape[i] == 1)
        i++;
    for (; i < t->ndim; i++)
        shape[n++] = t->shape[i];
    return n;
}

int _ssmh_is_complex_pairs(const ssmh_tensor_struct *t, int n, const slong *S)
{
    int extra = t->is_complex ? 0 : 1, lead = t->ndim - n - extra, i;
    if (lead < 0)
        return 0;
    for (i = 0; i < lead; i++)
        if (t->shape[i] != 1)
            return 0;
    for (i = 0; i < n; i++)
        if (t->shape[lead + i] != S[i])
            return 0;
    return t->is_complex || t->shape[t->ndim - 1] == 2;
}

void _ssmh_lay_note(_ssmh_lay_t *L, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (L->notes == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    json_array_append_new(L->notes, json_string(buf));
}

void _ssmh_lay_note_unused(_ssmh_lay_t *L)
{
    size_t lp = strlen(L->prefix), k = 0, cap = 900;
    char buf[1024];
    slong i, count = 0, shown = 0;
    buf[0] = '\0';
    for (i = 0; i < L->w->n; i++) {
        const ssmh_tensor_struct *t = L->w->t + i;
        if (L->used[i] || strncmp(t->name, L->prefix, lp) != 0)
            continue;
        count++;
        if (k < cap) {
            k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", shown ? ", " : "", t->name + lp);
            shown++;
        }
    }
    if (count == 0)
        return;
    if (shown < count)
        snprintf(buf + FLINT_MIN(k, cap), sizeof(buf) - FLINT_MIN(k, cap), " and %ld more", (long)(count - shown));
    _ssmh_lay_note(L, "%s%s%s: not part of the SSM kernel, not used: %s", *L->prefix ? "under '" : "",
                   L->prefix, *L->prefix ? "'" : "at the top level", buf);
}

int _ssmh_lay_has_under(const _ssmh_lay_t *L, const char *sub)
{
    char p[512];
    size_t n;
    slong i;
    snprintf(p, sizeof(p), "%s%s", L->prefix, sub);
    n = strlen(p);
    for (i = 0; i < L->w->n; i++)
        if (strncmp(L->w->t[i].name, p, n) == 0)
            return 1;
    return 0;
}

void _ssmh_lay_size(_ssmh_lay_t *L, const char *key, slong v)
{
    json_t *s;
    if (L->info == NULL)
        return;
    s = json_object_get(L->info, "sizes");
    if (s == NULL) {
        s = json_object();
        json_object_set_new(L->info, "sizes", s);
    }
    json_object_set_new(s, key, json_integer(v));
}

int _ssmh_lay_D(json_t **out, _ssmh_lay_t *L, ssmh_tensor_struct *D, slong p, slong d)
{
    slong s[SSMH_TENSOR_MAX_DIM], i, j;
    int n, full, rc;
    *out = NULL;
    if (D == NULL) {
        if (!L->dry)
            *out = _ssmh_sparse_json(p, d);
        return SSMH_OK;
    }
    n = _ssmh_squeeze_leading(s, D);
    full = n == 2 && s[0] == p && s[1] == d;
    if (!full && !(n == 1 && s[0] == p && p == d) && !(D->ndim == 2 && D->shape[0] == p && D->shape[1] == d))
        return p == d ? _ssmh_lay_shape_error(L, D, "D of length %ld (one per channel) or a full %ld x %ld D",
                                              (long)p, (long)p, (long)d)
                      : _ssmh_lay_shape_error(L, D, "a %ld x %ld D", (long)p, (long)d);
    full = full || (D->ndim == 2 && D->shape[0] == p && D->shape[1] == d);
    if ((rc = _ssmh_lay_decode(L, D, 0)) != SSMH_OK || L->dry)
        return rc;
    *out = _ssmh_sparse_json(p, d);
    for (i = 0; i < p; i++)
        for (j = 0; j < d; j++) {
            const fmpq *v = full ? D->data + i * d + j : (i == j ? D->data + i : NULL);
            if (v != NULL && !fmpq_is_zero(v))
                _ssmh_sparse_json_add(*out, i, j, ssmh_json_rational(v));
        }
    return SSMH_OK;
}
