/* main_end.c: whether a driver's main returned (main_end.h; the driver's side is
 * harness/runtime/main_end.c). */
#include "stages/main_end.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char main_end_wrap[] = "-Wl,--wrap=main";

int main_end_open(struct main_end *e)
{
    memset(e, 0, sizeof *e);
    e->secret_fd = -1;
    e->pass[0] = e->pass[1] = -1;
    if (random_hex(e->secret, 16))
        return -1;
    int p[2];
    if (pipe2(p, O_CLOEXEC))
        return error("cannot open a pipe: %s", strerror(errno));
    /* 32 bytes fit in the pipe, so it is filled and closed before the driver starts; the read
     * end goes above every report channel's number (3 to 63), which the child's set-up
     * places by dup2 */
    ssize_t w = write(p[1], e->secret, strlen(e->secret));
    close(p[1]);
    e->secret_fd = fcntl(p[0], F_DUPFD_CLOEXEC, 100);
    close(p[0]);
    if (w != (ssize_t)strlen(e->secret) || e->secret_fd < 0) {
        if (e->secret_fd >= 0)
            close(e->secret_fd);
        e->secret_fd = -1;
        return error("cannot hand the driver its secret");
    }
    e->pass[0] = e->secret_fd;
    e->channel.fd = MAIN_END_FD;
    e->channel.max = 4096;
    snprintf(e->env, sizeof e->env, "KATA_MAIN_END=%d,%d", MAIN_END_FD, e->secret_fd);
    return 0;
}

void main_end_attach(struct main_end *e, struct child *c, struct child_channel *channels, size_t n)
{
    channels[n] = e->channel;
    e->placed = &channels[n];
    c->channels = channels;
    c->nchannels = n + 1;
    c->pass_fds = e->pass;
}

/* Is text nothing but lines "main returned <code> <secret>", at least one? */
static int only_end_lines(const char *text, const char *secret)
{
    int lines = 0;
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        if (!nl)
            return 0;
        int code, used = 0;
        char said[72];
        if (sscanf(l, "main returned %d %71[0-9a-f]%n", &code, said, &used) != 2 ||
            l + used != nl || strcmp(said, secret))
            return 0;
        lines++;
        l = nl + 1;
    }
    return lines > 0;
}

char *main_end_check(const struct main_end *e, const struct child *c)
{
    if (!c->exited || c->timed_out)
        return NULL; /* a deadline, a signal or a failed start: the caller says which */
    const struct child_channel *ch = e->placed ? e->placed : &e->channel;
    if (ch->text && *ch->text && !ch->truncated && only_end_lines(ch->text, e->secret))
        return NULL;
    if (ch->text && *ch->text)
        return xstrdup("something other than the driver wrote to the channel that tells the "
                       "harness the driver's main returned: the run's end cannot be trusted");
    return xasprintf("the program ended (exit code %d) before the driver's main returned: "
                     "something in your code called exit() or _exit() (return from your "
                     "functions instead), or took the harness's descriptor %d away",
                     c->exit_code, MAIN_END_FD);
}

void main_end_release(struct main_end *e)
{
    if (e->secret_fd >= 0)
        close(e->secret_fd);
    e->secret_fd = -1;
    struct child_channel *ch = e->placed ? e->placed : &e->channel;
    free(ch->text);
    ch->text = NULL;
}
