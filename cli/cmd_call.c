/* ssmheads call -- one JSON request (ssmheads/api.h) answered in a process
   of its own, under the CPU-time and memory limits only a process can have.
   Parses, calls the library's entry point, prints. */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: ssmheads call [--timeout SEC] [--max-memory N] [REQUEST]\n"
    "Answer one JSON request of the library's entry point (the commands of this\n"
    "program as JSON: {\"command\": \"heads\", \"model\": {...}, \"n\": 64}; see\n"
    "ssmheads/api.h and doc/python.md) and print the JSON response on stdout.\n"
    "REQUEST is a file, or - (the default) for standard input.  The exit code is\n"
    "the response's \"exit\", as the matching command would exit.  Limits of the\n"
    "computation (max_bits, ...) go in the request's \"limits\"; these two limit\n"
    "the process:\n"
    "  --timeout SEC    CPU-time limit; exit 6 when hit (default none)\n"
    "  --max-memory N   memory (address space) limit in GiB, or N M for MiB; exit 6\n"
    "                   when hit (default 16 GiB, 0 for none)\n";

int cli_cmd_call(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"timeout", required_argument, NULL, CLI_OPT_TIMEOUT},
        {"max-memory", required_argument, NULL, CLI_OPT_MAX_MEMORY},
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_error_t err;
    const char *path = "-";
    char *request = NULL, *response = NULL;
    size_t len;
    int opt, rc, prc;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "call")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 < argc)
        return cli_usage_error("call", "expected at most one REQUEST");
    if (optind < argc)
        path = argv[optind];
    cli_limits_apply(&lim);
    ssmh_error_clear(&err);
    if (ssmh_file_read(&request, &len, path, lim.max_file_bytes, &err) != SSMH_OK)
        return cli_report(&err);
    if (strlen(request) != len) {
        free(request);
        fprintf(stderr, "%s: %s: the request holds a NUL byte\n", cli_progname, path);
        return CLI_EXIT_USAGE;
    }
    rc = ssmh_call_json(request, &response);
    free(request);
    if (response == NULL) {
        fprintf(stderr, "%s: out of memory\n", cli_progname);
        return CLI_EXIT_LIMIT;
    }
    prc = cli_print_text(response);
    ssmh_call_free(response);
    return prc != CLI_EXIT_OK ? prc : rc;
}
