/*
 * Strict reading of exact numbers for the checker.  An independent
 * implementation (the producer's parser is not used): decimal, p/q and
 * hexadecimal binary-float forms; JSON integers; nothing else.
 */
#include "ssmhc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --max-digits: digits of the spelling, of the exponent, and of the
   canonical numerator and denominator ("1e100000" has 100001) */
#define MAX_DIGITS (ssmhc_limits_get()->max_digits)

static int too_many_digits(void)
{
    ssmhc_limit(NULL, "a number has more than %ld digits (--max-digits)", MAX_DIGITS);
    return -1;
}

static int all_digits(const char *s, size_t n, int base)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (base == 16 ? !isxdigit((unsigned char)s[i]) : !(s[i] >= '0' && s[i] <= '9'))
            return 0;
    return 1;
}

static int set_digits(mpz_t z, const char *s, size_t n, int base)
{
    char *t;
    int rc;
    if (n == 0) {
        mpz_set_ui(z, 0);
        return 0;
    }
    t = malloc(n + 1);
    if (t == NULL)
        return -1;
    memcpy(t, s, n);
    t[n] = '\0';
    rc = mpz_set_str(z, t, base);
    free(t);
    return rc;
}

static int parse(mpq_t out, const char *s)
{
    const char *p = s, *ip, *fp = NULL, *slash;
    size_t ilen, flen = 0;
    int neg = 0, base = 10, rc = -1;
    long e = 0;
    mpz_t num, den, t;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    slash = strchr(p, '/');
    if (slash != NULL) {
        size_t nl = (size_t)(slash - p), dl = strlen(slash + 1);
        if (nl == 0 || dl == 0 || !all_digits(p, nl, 10) || !all_digits(slash + 1, dl, 10))
            return -1;
        if ((long)nl > MAX_DIGITS || (long)dl > MAX_DIGITS)
            return too_many_digits();
        mpz_init(num);
        mpz_init(den);
        set_digits(num, p, nl, 10);
        set_digits(den, slash + 1, dl, 10);
        if (mpz_sgn(den) != 0) {
            if (neg)
                mpz_neg(num, num);
            mpq_set_num(out, num);
            mpq_set_den(out, den);
            mpq_canonicalize(out);
            rc = 0;
        }
        mpz_clear(num);
        mpz_clear(den);
        return rc;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    ip = p;
    while (base == 16 ? isxdigit((unsigned char)*p) : (*p >= '0' && *p <= '9'))
        p++;
    ilen = (size_t)(p - ip);
    if (*p == '.') {
        fp = ++p;
        while (base == 16 ? isxdigit((unsigned char)*p) : (*p >= '0' && *p <= '9'))
            p++;
        flen = (size_t)(p - fp);
    }
    if (ilen + flen == 0)
        return -1;
    if ((long)(ilen + flen) > MAX_DIGITS)
        return too_many_digits();
    /* 'd'/'D': the Fortran exponent ("0.1D+05"), a power of ten like 'e' */
    if ((base == 10 && (*p == 'e' || *p == 'E' || *p == 'd' || *p == 'D'))
        || (base == 16 && (*p == 'p' || *p == 'P'))) {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        while (*p >= '0' && *p <= '9') {
            e = e * 10 + (*p++ - '0');
            if (e > 4 * MAX_DIGITS)
                return too_many_digits();
        }
        if (eneg)
            e = -e;
    }
    if (*p != '\0')
        return -1;
    mpz_init(num);
    mpz_init(den);
    mpz_init(t);
    {
        char *all = malloc(ilen + flen + 1);
        if (all == NULL)
            ssmhc_out_of_memory(NULL);
        memcpy(all, ip, ilen);
        if (flen)
            memcpy(all + ilen, fp, flen);
        set_digits(num, all, ilen + flen, base);
        free(all);
    }
    mpz_set_ui(den, 1);
    if (base == 16) {
        long sh = e - 4 * (long)flen;
        if (sh >= 0)
            mpz_mul_2exp(num, num, (unsigned long)sh);
        else
            mpz_mul_2exp(den, den, (unsigned long)(-sh));
    } else {
        long sh = e - (long)flen;
        if (labs(e) > MAX_DIGITS) {
            too_many_digits();
            goto done;
        }
        mpz_ui_pow_ui(t, 10, (unsigned long)labs(sh));
        if (sh >= 0)
            mpz_mul(num, num, t);
        else
            mpz_set(den, t);
    }
    if (neg)
        mpz_neg(num, num);
    mpq_set_num(out, num);
    mpq_set_den(out, den);
    mpq_canonicalize(out);
    rc = 0;
    if ((long)mpz_sizeinbase(mpq_numref(out), 10) > MAX_DIGITS
        || (long)mpz_sizeinbase(mpq_denref(out), 10) > MAX_DIGITS)
        rc = too_many_digits();
    else if (ssmhc_digits_spend(mpz_sizeinbase(mpq_numref(out), 10)
                                + mpz_sizeinbase(mpq_denref(out), 10)) != 0)
        rc = -1;
done:
    mpz_clear(num);
    mpz_clear(den);
    mpz_clear(t);
    return rc;
}

int ssmhc_json_rational(mpq_t out, const json_t *v)
{
    if (json_is_integer(v)) {
        mpz_t z;
        mpz_init(z);
        /* json_int_t is long long */
        {
            long long x = json_integer_value(v);
            char buf[32];
            snprintf(buf, sizeof(buf), "%lld", x);
            mpz_set_str(z, buf, 10);
        }
        mpq_set_z(out, z);
        mpz_clear(z);
        return 0;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return -1;
    return parse(out, json_string_value(v));
}

/* {"rows": R, "cols": C, "entries": [[i, j, v], ...]}, positions strictly
   increasing row-major, the rest zero; R * C at most 2^27. */
int ssmhc_json_sparse_shape(long *r_out, long *c_out, const json_t **entries, const json_t *v,
                            long rows, long cols)
{
    long r, c, n, t, i, j;
    long long last = -1;
    const json_t *je = json_object_get(v, "entries");
    if (json_object_size(v) != 3 || ssmhc_json_long(&r, json_object_get(v, "rows"), 0, 1L << 40) != 0
        || ssmhc_json_long(&c, json_object_get(v, "cols"), 0, 1L << 40) != 0 || !json_is_array(je))
        return -1;
    if ((rows >= 0 && r != rows) || (cols >= 0 && c != cols))
        return -1;
    /* the dense size is not paid for by the entries: bounded before use */
    if (ssmhc_dense_check(r, c, "a sparse matrix") != 0)
        return -1;
    n = (long)json_array_size(je);
    for (t = 0; t < n; t++) {
        const json_t *e = json_array_get(je, (size_t)t);
        if (json_array_size(e) != 3 || ssmhc_json_long(&i, json_array_get(e, 0), 0, r - 1) != 0
            || ssmhc_json_long(&j, json_array_get(e, 1), 0, c - 1) != 0
            || (long long)i * c + j <= last)
            return -1;
        last = (long long)i * c + j;
    }
    *r_out = r;
    *c_out = c;
    *entries = je;
    return 0;
}

static int sparse_qmat(ssmhc_qmat *out, const json_t *v, long rows, long cols)
{
    long r, c, n, t, i, j;
    const json_t *je;
    if (ssmhc_json_sparse_shape(&r, &c, &je, v, rows, cols) != 0)
        return -1;
    n = (long)json_array_size(je);
    ssmhc_qmat_init(out, r, c);
    for (t = 0; t < n; t++) {
        const json_t *e = json_array_get(je, (size_t)t);
        i = (long)json_integer_value(json_array_get(e, 0));
        j = (long)json_integer_value(json_array_get(e, 1));
        if (ssmhc_json_rational(SSMHC_Q(out, i, j), json_array_get(e, 2)) != 0) {
            ssmhc_qmat_clear(out);
            return -1;
        }
    }
    return 0;
}

int ssmhc_json_dense_shape(long *r_out, long *c_out, const json_t *v, long rows, long cols)
{
    long r, c = -1, i;
    if (!json_is_array(v))
        return -1;
    r = (long)json_array_size(v);
    if ((rows >= 0 && r != rows) || r > 100000)
        return -1;
    for (i = 0; i < r; i++) {
        const json_t *row = json_array_get(v, (size_t)i);
        if (!json_is_array(row))
            return -1;
        if (i == 0)
            c = (long)json_array_size(row);
        if ((long)json_array_size(row) != c)
            return -1;
    }
    if (r == 0)
        c = cols >= 0 ? cols : 0;
    if ((cols >= 0 && c != cols) || c > 100000)
        return -1;
    if (ssmhc_dense_check(r, c, "a matrix") != 0)
        return -1;
    *r_out = r;
    *c_out = c;
    return 0;
}

int ssmhc_json_qmat(ssmhc_qmat *out, const json_t *v, long rows, long cols)
{
    long r, c, i, j;
    out->rows = out->cols = 0;
    out->e = NULL;
    if (json_is_object(v))
        return sparse_qmat(out, v, rows, cols);
    if (ssmhc_json_dense_shape(&r, &c, v, rows, cols) != 0)
        return -1;
    ssmhc_qmat_init(out, r, c);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            if (ssmhc_json_rational(SSMHC_Q(out, i, j),
                                    json_array_get(json_array_get(v, (size_t)i), (size_t)j)) != 0) {
                ssmhc_qmat_clear(out);
                return -1;
            }
    return 0;
}

int ssmhc_json_long(long *out, const json_t *v, long lo, long hi)
{
    long long x;
    if (!json_is_integer(v))
        return -1;
    x = json_integer_value(v);
    if (x < lo || x > hi)
        return -1;
    *out = (long)x;
    return 0;
}

int ssmhc_json_keys_exact(const json_t *o, const char *path, const char *const *names, int count,
                          ssmhc_report_t *r)
{
    const char *k;
    json_t *val;
    int i, ok;
    if (count < 0)
        for (count = 0; names[count] != NULL; count++)
            ;
    if (!json_is_object(o))
        return ssmhc_fail(r, "%s: expected an object", path), -1;
    json_object_foreach((json_t *)o, k, val) {
        for (i = 0, ok = 0; i < count; i++)
            ok |= strcmp(k, names[i]) == 0;
        if (!ok)
            return ssmhc_fail(r, "%s: unknown key '%s'", path, k), -1;
    }
    for (i = 0; i < count; i++)
        if (json_object_get(o, names[i]) == NULL)
            return ssmhc_fail(r, "%s: missing key '%s'", path, names[i]), -1;
    return 0;
}

int ssmhc_json_read_num(mpq_t out, const json_t *v, int nonneg, const char *path, ssmhc_report_t *r)
{
    if (ssmhc_json_rational(out, v) != 0 || (nonneg && mpq_sgn(out) < 0))
        return ssmhc_fail(r, "%s: expected an exact number%s", path, nonneg ? " >= 0" : ""), -1;
    return 0;
}
