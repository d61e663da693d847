/*
 * Whole-file reads and atomic writes.  Guarantee: ssmh_file_write_atomic
 * either leaves the complete new content at path or leaves path untouched
 * (a temporary file beside it, fsync, rename; the temporary file is removed
 * on every failure).
 */
#include "ssmheads-impl.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ssmh_file_read(char **buf, size_t *len, const char *path,
                   size_t max_bytes, ssmh_error_t *err)
{
    FILE *f;
    size_t cap = 65536, n = 0;
    char *b;
    int is_stdin = strcmp(path, "-") == 0;

    *buf = NULL;
    *len = 0;
    f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL)
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot open: %s",
                              strerror(errno));
    b = malloc(cap + 1);
    if (b == NULL) {
        if (!is_stdin)
            fclose(f);
        return ssmh_error_set(err, SSMH_E_NOMEM, path, "", "out of memory");
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            char *nb;
            cap *= 2;
            nb = realloc(b, cap + 1);
            if (nb == NULL) {
                free(b);
                if (!is_stdin)
                    fclose(f);
                return ssmh_error_set(err, SSMH_E_NOMEM, path, "", "out of memory");
            }
            b = nb;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (max_bytes && n > max_bytes) {
            free(b);
            if (!is_stdin)
                fclose(f);
            return ssmh_error_set(err, SSMH_E_LIMIT, path, "",
                                  "file larger than the limit of %zu bytes", max_bytes);
        }
        if (got == 0) {
            if (ferror(f)) {
                free(b);
                if (!is_stdin)
                    fclose(f);
                return ssmh_error_set(err, SSMH_E_IO, path, "", "read error: %s",
                                      strerror(errno));
            }
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return SSMH_OK;
}

int ssmh_file_write_atomic(const char *path, const char *data, size_t len,
                           ssmh_error_t *err)
{
    char *tmp;
    size_t plen = strlen(path);
    int fd;
    size_t off = 0;

    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return ssmh_error_set(err, SSMH_E_IO, "-", "", "cannot write to stdout");
        return SSMH_OK;
    }
    tmp = malloc(plen + 32);
    if (tmp == NULL)
        return ssmh_error_set(err, SSMH_E_NOMEM, path, "", "out of memory");
    snprintf(tmp, plen + 32, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot create: %s",
                              strerror(e));
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            close(fd);
            unlink(tmp);
            free(tmp);
            return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot write: %s",
                                  strerror(e));
        }
        off += (size_t)w;
    }
    /* mkstemp makes 0600; give the usual umask-governed mode. */
    {
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0666 & ~um);
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot write: %s",
                              strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot rename into place: %s",
                              strerror(e));
    }
    free(tmp);
    return SSMH_OK;
}
