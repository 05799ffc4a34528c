/* serve_main.c - kata-serve: runs the latency server on its own until SIGINT or SIGTERM. */
#include "latency_server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void usage(FILE *to)
{
    fputs("usage: kata-serve [--port N]\n"
          "  serves http://127.0.0.1:N (N = 0 or absent: the kernel picks a port)\n",
          to);
}

/* Each waiting client holds a descriptor, and a class of downloads can hold thousands. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            perror("kata-serve: cannot raise the open file limit");
    }
}

int main(int argc, char **argv)
{
    unsigned long port = 0;
    struct latency_server *srv;
    sigset_t stop_signals;
    int sig;

    for (int i = 1; i < argc; i++) {
        char *end;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--port") != 0 || i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        port = strtoul(argv[++i], &end, 10);
        if (*argv[i] == '\0' || *end != '\0' || port > 65535) {
            fprintf(stderr, "kata-serve: bad port '%s'\n", argv[i]);
            return 2;
        }
    }

    raise_fd_limit();
    /* Blocked before the server starts its threads, so that only sigwait() below gets them. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    srv = latency_server_start("127.0.0.1", (unsigned short)port);
    if (srv == NULL)
        return 3;
    printf("latency server listening on %s\n", latency_server_url(srv));
    printf("endpoints: GET /body/<N>/<any>[?delay=<ms>][&status=<code>], GET /stats, "
           "GET|POST /stats/reset\n");
    fflush(stdout);

    sigwait(&stop_signals, &sig);
    latency_server_stop(srv);
    printf("latency server stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}
