/*
 * Reading back a JSON-lines results file for --resume.  Guarantee: only
 * complete lines (ending in a newline, each a JSON object with a string
 * "id") count as done; an unterminated last line -- an append cut short --
 * is left out and *good stops before it, so the caller can cut it off;
 * anything else that is not a result line is refused, naming the line.
 */
#include "ssmheads-impl.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ssmh_results_scan(char ***ids, slong *n, size_t *good, const char *path,
                      ssmh_error_t *err)
{
    char *buf, where[64];
    size_t len, pos = 0;
    slong line = 0, alloc = 0;
    struct stat st;
    int rc;

    *ids = NULL;
    *n = 0;
    *good = 0;
    if (stat(path, &st) != 0 && errno == ENOENT)
        return SSMH_OK;
    if ((rc = ssmh_file_read(&buf, &len, path, 0, err)) != SSMH_OK)
        return rc;
    while (pos < len) {
        char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
        json_t *o, *id;
        json_error_t je;
        line++;
        if (nl == NULL)   /* an interrupted append: not done, cut off */
            break;
        snprintf(where, sizeof(where), "line %ld", (long)line);
        o = json_loadb(s, (size_t)(nl - s), JSON_REJECT_DUPLICATES, &je);
        id = json_object_get(o, "id");
        if (o == NULL || !json_is_string(id)) {
            json_decref(o);
            while (*n > 0)
                free((*ids)[--*n]);
            free(*ids);
            *ids = NULL;
            free(buf);
            return ssmh_error_set(err, SSMH_E_PARSE, path, where,
                                  "not a result line (a JSON object with an \"id\"): "
                                  "is this the results file of a batch run?");
        }
        if (*n == alloc) {
            char **t;
            alloc = alloc ? 2 * alloc : 64;
            t = realloc(*ids, sizeof(char *) * (size_t)alloc);
            if (t == NULL)
                abort();
            *ids = t;
        }
        (*ids)[(*n)++] = strdup(json_string_value(id));
        json_decref(o);
        pos = (size_t)(nl - buf) + 1;
        *good = pos;
    }
    free(buf);
    return SSMH_OK;
}
