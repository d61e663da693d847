/* svg-impl.h -- private plumbing of the SVG plots: a memory stream whose
   numbers are printed in the C locale, whatever the calling program (an
   interpreter, say) set, so the same plot comes out everywhere. */
#ifndef SSMH_SVG_IMPL_H
#define SSMH_SVG_IMPL_H

#include <locale.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
    locale_t c_locale, old;
} _ssmh_svg_t;

/* 0 on success; -1 when out of memory (nothing to clean up then). */
int _ssmh_svg_open(_ssmh_svg_t *s);
/* The document (free()), or NULL when a write failed. */
char *_ssmh_svg_close(_ssmh_svg_t *s);

#endif
