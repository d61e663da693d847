/* ssmheads: the program's entry point; dispatches to one command. */
#include "cli.h"
#include <string.h>
#include <flint/flint.h>

static const cli_command_t commands[] = {
    {"heads", cli_cmd_heads, "exact head count k(n), k_inf and n* of an SSM"},
    {"construct", cli_cmd_construct, "build the k-head attention representation"},
    {"verify", cli_cmd_verify, "check a certificate with the independent checker"},
    {"span", cli_cmd_span, "dimension of an attention layer's value-map span"},
    {"represent", cli_cmd_represent, "can this attention layer represent the SSM?"},
    {"gradient", cli_cmd_gradient, "certified gradient attenuation and stability"},
    {"minimal", cli_cmd_minimal, "exact minimal realization (Kalman decomposition)"},
    {"approx", cli_cmd_approx, "certified least head count within epsilon"},
    {"import", cli_cmd_import, "convert trained weights to an exact model file"},
    {"inspect", cli_cmd_inspect, "list a checkpoint's tensors and SSM modules"},
    {"batch", cli_cmd_batch, "run many models, resumable, shardable"},
    {"call", cli_cmd_call, "answer one JSON request of the library's entry point"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *f)
{
    size_t i;
    fprintf(f,
            "Usage: ssmheads COMMAND [ARGS...]\n"
            "Exact answers to \"how many attention heads make this state-space model?\"\n\n"
            "Commands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n'ssmheads COMMAND --help' describes one command.  Every command takes\n"
            "--no-progress: no progress line on stderr (one is shown only on a terminal,\n"
            "for work longer than 2 seconds).\n"
            "Exit codes: 0 success (verify: accepted), 1 rejected or claim false,\n"
            "2 undecided, 3 usage error, 4 invalid input, 5 I/O error, 6 resource limit,\n"
            "7 not implemented yet.\n");
    return f == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    size_t i;
    int rc;
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "--version") == 0) {
        printf("ssmheads %s (%s)\n", ssmh_version(), ssmh_flint_version());
        return CLI_EXIT_OK;
    }
    cli_threads_init();
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            rc = commands[i].run(argc - 1, argv + 1);
            cli_progress_clear();
            flint_cleanup_master();
            return rc;
        }
    fprintf(stderr, "ssmheads: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
