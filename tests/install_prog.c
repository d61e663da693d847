/* Compiled against an installed libssmheads by `make installcheck`:
   proves that ssmheads.h and ssmheads.pc work for a user program. */
#include <stdio.h>
#include <string.h>
#include <ssmheads.h>

int main(void)
{
    const char *js = "{\"format\":\"ssmheads-model/1\",\"A\":[[\"1/2\"]],\"B\":[[1]],\"C\":[[1]]}";
    ssmh_model_t m;
    ssmh_error_t err;
    int ok;
    ssmh_model_init(m);
    ok = ssmh_model_read_string(m, js, strlen(js), "inline", NULL, &err) == SSMH_OK && m->N == 1;
    printf("ssmheads %s: %s\n", ssmh_version(), ok ? "ok" : err.message);
    ssmh_model_clear(m);
    flint_cleanup();
    return ok ? 0 : 1;
}
