/* sandbox.c: a network namespace with loopback only, for the harness and its children, and
 * the bubblewrap sandbox every child that handles learner input runs in. */
#include "sandbox.h"

#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return rc;
}

static void write_proc(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = write(fd, text, strlen(text));
    (void)n;
    close(fd);
}

/* Is the harness in a loopback-only network namespace? Children share it then. */
static int net_confined;

static int sandbox_disabled(void)
{
    const char *off = getenv("KATA_NO_SANDBOX");
    return off && *off && strcmp(off, "0");
}

int sandbox_network(void)
{
    if (sandbox_disabled())
        return 0;
    if (unshare(CLONE_NEWNET) == 0)
        return net_confined = loopback_up() == 0;
    /* Not root: a user namespace lets an ordinary user make the network namespace. The
     * user maps to itself, so files it creates keep their owner. */
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0) {
        char map[64];
        write_proc("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
        write_proc("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
        write_proc("/proc/self/gid_map", map);
        return net_confined = loopback_up() == 0;
    }
    warning("learner code is not confined to loopback here (%s): no network namespace",
            strerror(errno));
    return 0;
}

/* The path of an executable named `name` on PATH, or NULL; a new string. */
static char *on_path(const char *name)
{
    const char *path = getenv("PATH");
    char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
    char *save = NULL, *found = NULL;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *p = xasprintf("%s/%s", *d ? d : ".", name);
        if (access(p, X_OK) == 0)
            found = p;
        else
            free(p);
    }
    free(copy);
    return found;
}

/* kata-init lives beside the harness's own binary (the Makefile builds both). */
static char *init_path(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char *p = xasprintf("%s/kata-init", self);
    if (access(p, X_OK) == 0)
        return p;
    free(p);
    return NULL;
}

/* Found once per process: bwrap, kata-init, and whether a sandbox starts ("" when it does,
 * else why not). */
static char *bwrap_path, *kata_init, *unavailable;

/* Starts `true` in the sandbox, as learner code would be: does it come up? Returns NULL when
 * it does, else a new string saying why not (bwrap's own first line). */
static char *probe(const char *work)
{
    char *log = xasprintf("%s/sandbox-probe.log", work);
    const char *argv[] = {"/usr/bin/true", NULL};
    struct child c = {.argv = argv,
                      .stdout_path = log,
                      .stderr_path = log,
                      .timeout = 10,
                      .limits = {.unprivileged = 1}};
    int rc = child_run(&c);
    char *why = NULL;
    if (rc || !c.exited || c.exit_code) {
        char *text = read_file(log, 4096, NULL);
        char *said = text ? text + strspn(text, " \n") : NULL;
        if (said && starts_with(said, "bwrap: "))
            said += strlen("bwrap: ");
        why = said && *said ? xasprintf("bwrap did not start: %.*s", (int)strcspn(said, "\n"), said)
                            : xasprintf("bwrap did not start (%s)",
                                        c.timed_out ? "timed out" : "no reason given");
        free(text);
    }
    unlink(log);
    free(log);
    return why;
}

char *sandbox_start(const char *work)
{
    if (sandbox_disabled()) {
        spawn_sandbox(NULL);
        return xstrdup("none: KATA_NO_SANDBOX is set");
    }
    if (!unavailable) {
        bwrap_path = on_path("bwrap");
        kata_init = init_path();
        if (!bwrap_path)
            unavailable = xstrdup("bubblewrap (bwrap) is not installed: `make deps`");
        else if (!kata_init)
            unavailable = xstrdup("kata-init is missing beside the harness: `make`");
    }
    struct sandbox_config cfg = {
        .bwrap = bwrap_path, .init = kata_init, .share_net = net_confined, .work = work};
    if (!unavailable) {
        spawn_sandbox(&cfg);
        char *why = probe(work);
        unavailable = why ? why : xstrdup("");
        if (why)
            warning("learner code runs without a sandbox here: %s", why);
    } else if (*unavailable) {
        static int told;
        if (!told++)
            warning("learner code runs without a sandbox here: %s", unavailable);
    }
    if (*unavailable) {
        spawn_sandbox(NULL);
        return xasprintf("none: %s", unavailable);
    }
    spawn_sandbox(&cfg);
    return xstrdup(net_confined ? "bubblewrap" : "bubblewrap (its own empty network: no server)");
}

void sandbox_stop(void)
{
    spawn_sandbox(NULL);
}

char *sandbox_limits(void)
{
    /* a grading's total memory: only a cgroup v2 memory controller could bound it */
    char *controllers = read_file("/sys/fs/cgroup/cgroup.controllers", 4096, NULL);
    int memory = controllers && strstr(controllers, "memory");
    free(controllers);
    return xasprintf("per process: CPU time, memory (address space; RSS for sanitizers), file "
                     "size, open files, processes; a grading's total memory: not bounded (%s)",
                     memory ? "cgroup v2 is there but the harness does not use it yet"
                            : "no cgroup v2 memory controller here");
}
