/*
 * The approx plot: E(H)^2 (upper ends of the certified curve) against eps^2
 * on a log10 scale, the answer H marked (what `ssmheads approx --plot`
 * writes).  Doubles only place the points.
 */
#include "svg-impl.h"
#include "ssmheads-impl.h"
#include <ssmheads/report.h>
#include <math.h>

static double lg(const fmpq_t x)
{
    double v = fmpq_get_d(x);
    return v > 0 ? log10(v) : -INFINITY;
}

char *ssmh_approx_svg(const ssmh_approx_t a)
{
    _ssmh_svg_t s;
    double lo = lg(a->tau), hi = lg(a->tau);
    slong h;
    if (a->curve_hi == NULL || _ssmh_svg_open(&s) != 0)
        return NULL;
#define EMIT(...) fprintf(s.f, __VA_ARGS__)
    for (h = 0; h <= a->k; h++) {
        double v = lg(a->curve_hi + h);
        if (isfinite(v)) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = -1;
        hi = 1;
    }
    if (hi - lo < 1)
        hi = lo + 1;
#define PX(h) (60.0 + 560.0 * (double)(h) / (double)(a->k > 0 ? a->k : 1))
#define PY(v) (20.0 + 340.0 * (hi - (v)) / (hi - lo))
    EMIT("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" viewBox=\"0 0 640 400\">\n"
         "<title>ssmheads approx: E(H)^2 against eps^2 (log10 scale)</title>\n"
         "<rect x=\"60\" y=\"20\" width=\"560\" height=\"340\" fill=\"none\" stroke=\"black\"/>\n"
         "<text x=\"340\" y=\"392\" text-anchor=\"middle\" font-size=\"12\">heads H</text>\n"
         "<text x=\"14\" y=\"190\" font-size=\"12\" transform=\"rotate(-90 14 190)\">log10 E(H)^2</text>\n"
         "<text x=\"56\" y=\"24\" text-anchor=\"end\" font-size=\"10\">%.1f</text>\n"
         "<text x=\"56\" y=\"360\" text-anchor=\"end\" font-size=\"10\">%.1f</text>\n"
         "<text x=\"620\" y=\"376\" text-anchor=\"end\" font-size=\"10\">%ld</text>\n"
         "<polyline fill=\"none\" stroke=\"steelblue\" stroke-width=\"2\" points=\"",
         hi, lo, (long)a->k);
    for (h = 0; h <= a->k; h++)
        if (isfinite(lg(a->curve_hi + h)))
            EMIT("%.1f,%.1f ", PX(h), PY(lg(a->curve_hi + h)));
    EMIT("\"/>\n<line x1=\"60\" x2=\"620\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"firebrick\" "
         "stroke-dasharray=\"6 4\"/>\n",
         PY(lg(a->tau)), PY(lg(a->tau)));
    EMIT("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"20\" y2=\"360\" stroke=\"seagreen\" stroke-dasharray=\"2 3\"/>\n",
         PX(a->H), PX(a->H));
    EMIT("<text x=\"70\" y=\"36\" font-size=\"11\" fill=\"steelblue\">E(H)^2 (upper end of its enclosure)</text>\n"
         "<text x=\"70\" y=\"50\" font-size=\"11\" fill=\"firebrick\">eps^2</text>\n"
         "<text x=\"70\" y=\"64\" font-size=\"11\" fill=\"seagreen\">H = %ld</text>\n</svg>\n",
         (long)a->H);
#undef PX
#undef PY
#undef EMIT
    return _ssmh_svg_close(&s);
}
