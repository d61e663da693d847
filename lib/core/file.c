/*
 * Whole-file reads and atomic writes.  Guarantee: ssmh_file_write_atomic
 * either leaves the complete new content at path or leaves path untouched
 * (a temporary file beside it, fsync, rename; the temporary file is removed
 * on every failure, and SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGXCPU wait until the
 * rename is done, so an interruption leaves no temporary file either).
 */
#include "ssmheads-impl.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

/* The temporary file's name: path.tmp.<pid>.<n>, created with O_EXCL (so
   the kernel applies the umask: no process-wide umask() calls, which would
   race between threads). */
static int create_tmp(char *tmp, size_t size, const char *path)
{
    static unsigned long counter;   /* uniqueness only; races merely retry */
    int i, fd = -1;
    for (i = 0; i < 100 && fd < 0; i++) {
        unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
        snprintf(tmp, size, "%s.tmp.%ld.%lu", path, (long)getpid(), n);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    return fd;
}

int ssmh_file_write_atomic(const char *path, const char *data, size_t len,
                           ssmh_error_t *err)
{
    char *tmp;
    size_t plen = strlen(path);
    int fd, rc = SSMH_OK, e = 0;
    size_t off = 0;
    sigset_t block, old;

    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return ssmh_error_set(err, SSMH_E_IO, "-", "", "cannot write to stdout");
        return SSMH_OK;
    }
    tmp = malloc(plen + 64);
    if (tmp == NULL)
        return ssmh_error_set(err, SSMH_E_NOMEM, path, "", "out of memory");
    /* From the temporary file's creation to the rename, the signals that end
       a run wait: an interruption leaves the old file or the new one, never
       a stray temporary file. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT);
    sigaddset(&block, SIGXCPU);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    fd = create_tmp(tmp, plen + 64, path);
    if (fd < 0) {
        e = errno;
        rc = ssmh_error_set(err, SSMH_E_IO, path, "", "cannot create: %s", strerror(e));
        goto done;
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            e = errno;
            break;
        }
        off += (size_t)w;
    }
    if (e == 0 && (fsync(fd) != 0 || close(fd) != 0))
        e = errno;
    else if (e != 0)
        close(fd);
    if (e != 0) {
        unlink(tmp);
        rc = ssmh_error_set(err, SSMH_E_IO, path, "", "cannot write: %s", strerror(e));
    } else if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        rc = ssmh_error_set(err, SSMH_E_IO, path, "", "cannot rename into place: %s", strerror(e));
    }
done:
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(tmp);
    return rc;
}
