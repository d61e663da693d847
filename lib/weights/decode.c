/*
 * Exact decoding of binary numbers: IEEE binary64/32/16, bfloat16,
 * integers and bool, little-endian, into rationals (a complex element is
 * two reals, each decoded by itself).  Guarantee: the result is the
 * exact value of the bits; NaN and Inf are refused (return -1).
 */
#include "weights-impl.h"
#include <string.h>

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* value = (-1)^s (implicit.mant) 2^(e - bias - mbits), IEEE layout */
static int ieee(fmpq_t out, uint64_t bits, int ebits, int mbits)
{
    uint64_t mant = bits & ((UWORD(1) << mbits) - 1);
    int64_t e = (int64_t)((bits >> mbits) & ((UWORD(1) << ebits) - 1));
    int sign = (int)((bits >> (mbits + ebits)) & 1);
    int64_t bias = ((int64_t)1 << (ebits - 1)) - 1, shift;
    if (e == ((int64_t)1 << ebits) - 1)
        return -1;               /* Inf or NaN */
    if (e == 0)
        shift = 1 - bias - mbits; /* subnormal */
    else {
        mant |= UWORD(1) << mbits;
        shift = e - bias - mbits;
    }
    fmpz_set_ui(fmpq_numref(out), mant);
    fmpz_one(fmpq_denref(out));
    if (sign)
        fmpz_neg(fmpq_numref(out), fmpq_numref(out));
    if (shift >= 0)
        fmpq_mul_2exp(out, out, (ulong)shift);
    else
        fmpq_div_2exp(out, out, (ulong)(-shift));
    return 0;
}

int _ssmh_decode(fmpq_t out, const unsigned char *p, _ssmh_dtype_t t)
{
    uint64_t v;
    switch (t) {
    case SSMH_DT_F64: return ieee(out, le(p, 8), 11, 52);
    case SSMH_DT_F32: return ieee(out, le(p, 4), 8, 23);
    case SSMH_DT_F16: return ieee(out, le(p, 2), 5, 10);
    case SSMH_DT_BF16: return ieee(out, le(p, 2), 8, 7);
    case SSMH_DT_I8: fmpq_set_si(out, (int8_t)p[0], 1); return 0;
    case SSMH_DT_U8: fmpq_set_si(out, p[0], 1); return 0;
    case SSMH_DT_I16: fmpq_set_si(out, (int16_t)le(p, 2), 1); return 0;
    case SSMH_DT_U16: fmpq_set_si(out, (slong)le(p, 2), 1); return 0;
    case SSMH_DT_I32: fmpq_set_si(out, (int32_t)le(p, 4), 1); return 0;
    case SSMH_DT_U32: fmpq_set_si(out, (slong)le(p, 4), 1); return 0;
    case SSMH_DT_I64: fmpq_set_si(out, (slong)(int64_t)le(p, 8), 1); return 0;
    case SSMH_DT_BOOL: fmpq_set_si(out, p[0] != 0, 1); return 0;
    case SSMH_DT_C64: return ieee(out, le(p, 4), 8, 23);   /* one part */
    case SSMH_DT_C128: return ieee(out, le(p, 8), 11, 52);
    case SSMH_DT_U64:
        v = le(p, 8);
        fmpz_set_ui(fmpq_numref(out), v);
        fmpz_one(fmpq_denref(out));
        return 0;
    default: return -1;
    }
}

int _ssmh_dtype_size(_ssmh_dtype_t t)
{
    switch (t) {
    case SSMH_DT_C128: return 16;
    case SSMH_DT_F64: case SSMH_DT_I64: case SSMH_DT_U64: case SSMH_DT_C64: return 8;
    case SSMH_DT_F32: case SSMH_DT_I32: case SSMH_DT_U32: return 4;
    case SSMH_DT_F16: case SSMH_DT_BF16: case SSMH_DT_I16: case SSMH_DT_U16: return 2;
    case SSMH_DT_I8: case SSMH_DT_U8: case SSMH_DT_BOOL: return 1;
    default: return 0;
    }
}
