/*
 * Base64 (RFC 4648, section 4: the standard alphabet, '=' padding), read
 * strictly: the bytes of a tensor in a request (api.h "tensors").
 * Guarantee: a text is accepted only if it is the canonical encoding of the
 * bytes returned -- length a multiple of 4, padding only at the end, no
 * whitespace, and the unused low bits of the last symbol zero -- so one
 * byte string has exactly one accepted text and a damaged text is refused
 * (with the offset of the first bad character), never read as other bytes.
 * (Written here: jansson has no base64, and these 60 lines are less than
 * a new dependency of the library.)
 */
#include "api-impl.h"
#include <stdlib.h>
#include <string.h>

static int symbol(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int _ssmh_base64_decode(unsigned char **out, size_t *len, const char *s, size_t n,
                        size_t *bad)
{
    size_t i, k = 0, pad = 0;
    unsigned char *b;
    *out = NULL;
    *len = 0;
    *bad = n;
    if (n % 4 != 0)
        return -1;
    if (n > 0 && s[n - 1] == '=')
        pad = n > 1 && s[n - 2] == '=' ? 2 : 1;
    b = malloc(n / 4 * 3 + 1);
    if (b == NULL)
        return -2;
    for (i = 0; i < n; i += 4) {
        int v[4], j, last = i + 4 == n;
        for (j = 0; j < 4; j++) {
            v[j] = last && j >= 4 - (int)pad ? 0 : symbol((unsigned char)s[i + (size_t)j]);
            if (v[j] < 0) {
                *bad = i + (size_t)j;
                free(b);
                return -1;
            }
        }
        /* the bits that padding leaves over must be zero (canonical text) */
        if (last && ((pad == 1 && (v[2] & 3) != 0) || (pad == 2 && (v[1] & 15) != 0))) {
            *bad = i + 3 - pad;
            free(b);
            return -1;
        }
        b[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (!last || pad < 2)
            b[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        if (!last || pad < 1)
            b[k++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
    }
    *out = b;
    *len = k;
    return 0;
}
