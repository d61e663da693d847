/* Status codes, error reports, limits and version strings. */
#include "ssmheads-impl.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <mpfr.h>

const char *ssmh_version(void) { return SSMH_VERSION_STRING; }

const char *ssmh_flint_version(void)
{
#ifdef SSMH_FLINT3
    return "FLINT " FLINT_VERSION " (Arb merged)";
#else
    return "FLINT " FLINT_VERSION " + Arb " ARB_VERSION;
#endif
}

void ssmh_limits_default(ssmh_limits_t *lim)
{
    lim->max_dim = 1L << 16;
    lim->max_digits = 100000;
    lim->max_bits = 1L << 26;
    lim->max_length = 1L << 24;
    lim->max_file_bytes = (size_t)1 << 30;
    lim->max_memory = (size_t)16 << 30;   /* 16 GiB: a 24 GiB machine stays responsive */
    lim->timeout = 0;
    lim->progress = NULL;
}

const char *ssmh_strerror(int code)
{
    switch (code) {
    case SSMH_OK: return "success";
    case SSMH_E_PARSE: return "parse error";
    case SSMH_E_SHAPE: return "shape error";
    case SSMH_E_VALUE: return "invalid value";
    case SSMH_E_IO: return "I/O error";
    case SSMH_E_LIMIT: return "resource limit hit";
    case SSMH_E_USAGE: return "usage error";
    case SSMH_E_UNDECIDED: return "undecided within the limits";
    case SSMH_E_NOMEM: return "out of memory";
    case SSMH_E_NOTIMPL: return "not implemented yet";
    case SSMH_E_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

void ssmh_error_clear(ssmh_error_t *err)
{
    if (err != NULL)
        memset(err, 0, sizeof(*err));
}

int ssmh_error_set(ssmh_error_t *err, int code, const char *file,
                   const char *path, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void _ssmh_path_index(char *out, size_t size, const char *base, long i)
{
    snprintf(out, size, "%s[%ld]", base, i);
}

void _ssmh_path_key(char *out, size_t size, const char *base, const char *key)
{
    snprintf(out, size, "%s.%s", base, key);
}
