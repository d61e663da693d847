/*
 * Exact rationals from text.  Guarantee: ssmh_rational_parse accepts only
 * the documented forms and returns exactly the number written; it never
 * builds a number larger than the digit limit allows.
 */
#include "ssmheads-impl.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_hex(int c) { return isxdigit((unsigned char)c); }
static int is_dec(int c) { return c >= '0' && c <= '9'; }

/* Parse [+-]digits exponent; store it in *e.  Refuse more than cap. */
static int parse_exponent(const char **s, long *e, long cap)
{
    int neg = 0;
    long v = 0;
    const char *p = *s;
    if (*p == '+' || *p == '-')
        neg = (*p++ == '-');
    if (!is_dec(*p))
        return 0;
    while (is_dec(*p)) {
        if (v <= cap)
            v = v * 10 + (*p - '0');
        p++;
    }
    *e = neg ? -v : v;
    *s = p;
    return 1;
}

/* Set out to the integer written by digits[0..len) in base. */
static void set_digits(fmpz_t out, const char *digits, size_t len, int base)
{
    char *tmp;
    if (len == 0) {
        fmpz_zero(out);
        return;
    }
    tmp = malloc(len + 1);
    memcpy(tmp, digits, len);
    tmp[len] = '\0';
    fmpz_set_str(out, tmp, base);
    free(tmp);
}

int ssmh_rational_parse(fmpq_t out, const char *s, long max_digits,
                        const char **why)
{
    const char *p = s, *ip, *fp = NULL;
    size_t ilen, flen = 0;
    int neg = 0, hex = 0, base = 10;
    long e = 0;
    fmpz_t num, den, t;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (max_digits <= 0)
        max_digits = 100000;
    if (*p == '+' || *p == '-')
        neg = (*p++ == '-');
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        hex = 1;
        base = 16;
        p += 2;
    }
    ip = p;
    while (hex ? is_hex(*p) : is_dec(*p))
        p++;
    ilen = (size_t)(p - ip);
    if (*p == '/' && !hex) {
        const char *dp = ++p;
        if (ilen == 0) {
            *why = "not a number";
            return SSMH_E_PARSE;
        }
        while (is_dec(*p))
            p++;
        if (p == dp || *p != '\0') {
            *why = "not a number (expected p/q)";
            return SSMH_E_PARSE;
        }
        if ((long)ilen > max_digits || (long)(p - dp) > max_digits) {
            *why = "number has too many digits";
            return SSMH_E_LIMIT;
        }
        fmpz_init(num);
        fmpz_init(den);
        set_digits(num, ip, ilen, 10);
        set_digits(den, dp, (size_t)(p - dp), 10);
        if (fmpz_is_zero(den)) {
            fmpz_clear(num);
            fmpz_clear(den);
            *why = "zero denominator";
            return SSMH_E_VALUE;
        }
        if (neg)
            fmpz_neg(num, num);
        fmpq_set_fmpz_frac(out, num, den);
        fmpz_clear(num);
        fmpz_clear(den);
        return SSMH_OK;
    }
    if (*p == '.') {
        fp = ++p;
        while (hex ? is_hex(*p) : is_dec(*p))
            p++;
        flen = (size_t)(p - fp);
    }
    if (ilen + flen == 0) {
        *why = "not a number";
        return SSMH_E_PARSE;
    }
    /* 'd'/'D' is the Fortran exponent ("0.1D+05", as SLICOT data files
       write numbers): the same power of ten as 'e'. */
    if ((!hex && (*p == 'e' || *p == 'E' || *p == 'd' || *p == 'D'))
        || (hex && (*p == 'p' || *p == 'P'))) {
        p++;
        if (!parse_exponent(&p, &e, hex ? 4 * max_digits : max_digits)) {
            *why = "not a number (bad exponent)";
            return SSMH_E_PARSE;
        }
    }
    if (*p != '\0') {
        *why = "not a number";
        return SSMH_E_PARSE;
    }
    if ((long)(ilen + flen) > max_digits
        || (!hex && labs(e) > max_digits)
        || (hex && labs(e) > 4 * max_digits)) {
        *why = "number has too many digits";
        return SSMH_E_LIMIT;
    }
    fmpz_init(num);
    fmpz_init(den);
    fmpz_init(t);
    {
        char *all = malloc(ilen + flen + 1);
        memcpy(all, ip, ilen);
        if (flen)
            memcpy(all + ilen, fp, flen);
        all[ilen + flen] = '\0';
        set_digits(num, all, ilen + flen, base);
        free(all);
    }
    if (hex) {
        /* value = num * 16^-flen * 2^e */
        long shift = e - 4 * (long)flen;
        fmpz_one(den);
        if (shift >= 0)
            fmpz_mul_2exp(num, num, (ulong)shift);
        else
            fmpz_mul_2exp(den, den, (ulong)(-shift));
    } else {
        long shift = e - (long)flen;
        fmpz_one(den);
        fmpz_set_ui(t, 10);
        if (shift >= 0) {
            fmpz_pow_ui(t, t, (ulong)shift);
            fmpz_mul(num, num, t);
        } else {
            fmpz_pow_ui(den, t, (ulong)(-shift));
        }
    }
    if (neg)
        fmpz_neg(num, num);
    fmpq_set_fmpz_frac(out, num, den);
    fmpz_clear(num);
    fmpz_clear(den);
    fmpz_clear(t);
    /* The limit is on the number, not its spelling: "0x1p-800" is short but
       its canonical p/q (how ssmheads writes it) has 242 digits.  Checking
       the canonical size keeps every file ssmheads writes readable under the
       limits it was read with. */
    if ((long)fmpz_sizeinbase(fmpq_numref(out), 10) > max_digits
        || (long)fmpz_sizeinbase(fmpq_denref(out), 10) > max_digits) {
        *why = "number has too many digits";
        return SSMH_E_LIMIT;
    }
    return SSMH_OK;
}

char *ssmh_rational_get_str(const fmpq_t x)
{
    return fmpq_get_str(NULL, 10, x);
}

uint64_t ssmh_hash_bytes(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    size_t i;
    if (h == 0)
        h = UINT64_C(1469598103934665603);
    for (i = 0; i < len; i++) {
        h ^= b[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* ssmh_hash_bytes(h, "0", 2) applied k times (k zero entries), in
   O(log k) steps.  One step is h <- (h ^ 0x30) P^2 (the byte 0 changes
   nothing before its multiplication).  h ^ 0x30 = h + delta, with delta
   depending only on bits 4 and 5 of h, and the low 6 bits of the next h
   only on the low 6 bits of this one: they run through a cycle of length
   T <= 64 (at most 8 for this P), so T steps are one affine map
   h -> a h + b (mod 2^64), applied k / T times by repeated squaring, then
   the k mod T remaining steps one by one.  Exact, except that
   ssmh_hash_bytes starts afresh when it is called with h = 0, which the
   jumps cannot see inside a run (probability 2^-64 per entry): the hash
   only seeds random choices, and any seed gives a proven answer. */
#define FNV_PRIME UINT64_C(1099511628211)
uint64_t _ssmh_hash_zeros(uint64_t h, ulong k)
{
    const uint64_t Q = FNV_PRIME * FNV_PRIME;
    uint64_t a = 1, b = 0, x, pa, pb;
    ulong T = 0, q;
    if (k == 0)
        return h;
    if (h == 0)
        h = UINT64_C(1469598103934665603);
    if (k < 64) {   /* step by step, as ssmh_hash_bytes would */
        while (k-- > 0) {
            h = (h ^ 0x30) * Q;
            if (h == 0 && k > 0)
                h = UINT64_C(1469598103934665603);
        }
        return h;
    }
    /* one cycle of the low bits from h: h_T = a h + b */
    x = h;
    do {
        uint64_t delta = (uint64_t)0x30 - 2 * (x & 0x30);   /* x ^ 0x30 = x + delta */
        x = (x ^ 0x30) * Q;
        b = (b + delta) * Q;
        a *= Q;
        T++;
    } while ((x & 63) != (h & 63));
    q = k / T;
    k -= q * T;
    /* (a, b)^q by squaring: apply (pa, pb) for each bit of q */
    pa = a;
    pb = b;
    while (q > 0) {
        if (q & 1)
            h = pa * h + pb;
        pb = pa * pb + pb;
        pa *= pa;
        q >>= 1;
    }
    while (k-- > 0)
        h = (h ^ 0x30) * Q;
    return h;
}

uint64_t ssmh_hash_fmpq_mat(uint64_t h, const fmpq_mat_t m)
{
    slong i, j;
    slong dims[2];
    dims[0] = fmpq_mat_nrows(m);
    dims[1] = fmpq_mat_ncols(m);
    h = ssmh_hash_bytes(h, dims, sizeof(dims));
    for (i = 0; i < dims[0]; i++)
        for (j = 0; j < dims[1]; j++) {
            char *s;
            if (fmpq_is_zero(fmpq_mat_entry(m, i, j))) {   /* "0", without a string */
                h = ssmh_hash_bytes(h, "0", 2);
                continue;
            }
            s = ssmh_rational_get_str(fmpq_mat_entry(m, i, j));
            h = ssmh_hash_bytes(h, s, strlen(s) + 1);
            flint_free(s);
        }
    return h;
}
