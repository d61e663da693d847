/*
 * The gradient plot: ||K_l||_2 against the proven envelope sqrt(M2) gamma^l
 * and the attention highways, on a log10 scale (what `ssmheads gradient
 * --plot` writes).  Doubles only place the points.
 */
#include "svg-impl.h"
#include "ssmheads-impl.h"
#include <ssmheads/report.h>
#include <math.h>

char *ssmh_gradient_svg(const ssmh_gradient_t g, const ssmh_highways_t hw)
{
    _ssmh_svg_t s;
    slong l, h;
    double lo = INFINITY, hi = -INFINITY;
    if (_ssmh_svg_open(&s) != 0)
        return NULL;
#define EMIT(...) fprintf(s.f, __VA_ARGS__)
    for (l = 0; l <= g->lags; l++) {
        double a = fmpq_get_d(g->norm2_hi + l), b = ssmh_gradient_envelope_d(g, l);
        if (a > 0 && isfinite(a)) {
            lo = fmin(lo, log10(a));
            hi = fmax(hi, log10(a));
        }
        if (isfinite(b) && b > 0) {
            lo = fmin(lo, log10(b));
            hi = fmax(hi, log10(b));
        }
    }
    for (h = 0; h < hw->n; h++)
        if (fmpq_sgn(hw->lo + h) > 0) {
            lo = fmin(lo, log10(fmpq_get_d(hw->lo + h)));
            hi = fmax(hi, log10(fmpq_get_d(hw->lo + h)));
        }
    if (!isfinite(lo)) {
        lo = -1;
        hi = 1;
    }
    if (hi - lo < 1)
        hi = lo + 1;
    EMIT("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" viewBox=\"0 0 640 400\">\n"
         "<title>ssmheads gradient: ||K_l||_2 against the envelope sqrt(M2) gamma^l (log10 scale)</title>\n"
         "<rect x=\"60\" y=\"20\" width=\"560\" height=\"340\" fill=\"none\" stroke=\"black\"/>\n"
         "<text x=\"340\" y=\"392\" text-anchor=\"middle\" font-size=\"12\">lag l (distance i - j)</text>\n"
         "<text x=\"14\" y=\"190\" font-size=\"12\" transform=\"rotate(-90 14 190)\">log10 norm</text>\n"
         "<text x=\"56\" y=\"24\" text-anchor=\"end\" font-size=\"10\">%.1f</text>\n"
         "<text x=\"56\" y=\"360\" text-anchor=\"end\" font-size=\"10\">%.1f</text>\n"
         "<text x=\"620\" y=\"376\" text-anchor=\"end\" font-size=\"10\">%ld</text>\n",
         hi, lo, (long)g->lags);
#define PX(l) (60.0 + 560.0 * (double)(l) / (double)(g->lags > 0 ? g->lags : 1))
#define PY(v) (20.0 + 340.0 * (hi - (v)) / (hi - lo))
    EMIT("<polyline fill=\"none\" stroke=\"steelblue\" stroke-width=\"2\" points=\"");
    for (l = 0; l <= g->lags; l++) {
        double a = fmpq_get_d(g->norm2_hi + l);
        if (a > 0 && isfinite(a))
            EMIT("%.1f,%.1f ", PX(l), PY(log10(a)));
    }
    EMIT("\"/>\n<polyline fill=\"none\" stroke=\"firebrick\" stroke-dasharray=\"6 4\" points=\"");
    for (l = 0; l <= g->lags; l++) {
        double b = ssmh_gradient_envelope_d(g, l);
        if (isfinite(b) && b > 0)
            EMIT("%.1f,%.1f ", PX(l), PY(log10(b)));
    }
    EMIT("\"/>\n");
    for (h = 0; h < hw->n; h++)
        if (fmpq_sgn(hw->lo + h) > 0)
            EMIT("<line x1=\"60\" x2=\"620\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"seagreen\" "
                 "stroke-dasharray=\"2 3\"/>\n",
                 PY(log10(fmpq_get_d(hw->lo + h))), PY(log10(fmpq_get_d(hw->lo + h))));
    EMIT("<text x=\"70\" y=\"36\" font-size=\"11\" fill=\"steelblue\">||K_l||_2 (upper end of its enclosure)</text>\n"
         "<text x=\"70\" y=\"50\" font-size=\"11\" fill=\"firebrick\">proven envelope sqrt(M2) gamma^l</text>\n"
         "<text x=\"70\" y=\"64\" font-size=\"11\" fill=\"seagreen\">attention highway ||V_h||_2 (alpha = 1)</text>\n"
         "</svg>\n");
#undef EMIT
#undef PX
#undef PY
    return _ssmh_svg_close(&s);
}
