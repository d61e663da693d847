/* The plots' memory stream (svg-impl.h).  Guarantee: the document is
   complete or NULL, and the thread's locale is restored on close. */
#include "svg-impl.h"
#include <stdlib.h>

int _ssmh_svg_open(_ssmh_svg_t *s)
{
    s->buf = NULL;
    s->len = 0;
    s->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (s->c_locale == (locale_t)0)
        return -1;
    s->f = open_memstream(&s->buf, &s->len);
    if (s->f == NULL) {
        freelocale(s->c_locale);
        return -1;
    }
    s->old = uselocale(s->c_locale);
    return 0;
}

char *_ssmh_svg_close(_ssmh_svg_t *s)
{
    int bad = ferror(s->f);
    if (fclose(s->f) != 0)
        bad = 1;
    uselocale(s->old);
    freelocale(s->c_locale);
    if (bad) {
        free(s->buf);
        return NULL;
    }
    return s->buf;
}
