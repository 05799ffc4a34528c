/* hostile: under a detector (not under the tests), forks a helper that leaves the driver's
 * process group, waits for the driver to end, and then blanks every report file of the
 * detectors' (ThreadSanitizer's logs emptied, Valgrind's XML replaced by a clean document):
 * they were written into a folder the learner's uid could write and read once the driver was
 * gone, so all three detectors passed the racy code below. Reports now travel on a pipe the
 * harness reads while the driver runs (Valgrind keeps its end out of the program's reach):
 * nothing is left to blank, and a helper that stays is a reason not to trust the run.
 * expect: stage=tsan status=fail first match="data race|not trusted"
 * expect: status=fail
 * limit: 20
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char clean[] = "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<status>\n"
                            "<state>FINISHED</state>\n</status>\n</valgrindoutput>\n";

/* Blanks the reports in one work folder. */
static void blank_folder(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int xml = strstr(e->d_name, ".xml") != NULL;
        if (strncmp(e->d_name, "tsan.", 5) && strncmp(e->d_name, "helgrind.", 9) &&
            strncmp(e->d_name, "drd.", 4))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, O_WRONLY | O_TRUNC);
        if (fd >= 0 && xml && write(fd, clean, sizeof clean - 1) < 0)
            break;
        if (fd >= 0)
            close(fd);
    }
    if (d)
        closedir(d);
}

static void start_helper(void)
{
    char exe[4096] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !strstr(exe, "/driver-"))
        return; /* the tests count processes: only the detectors' driver gets a helper */
    pid_t driver = getpid();
    if (fork() != 0)
        return;
    setsid();
    if (fork() != 0)
        _exit(0);
    while (kill(driver, 0) == 0)
        usleep(1000);
    DIR *d = opendir("build/run/race_counter");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char dir[4096];
        snprintf(dir, sizeof dir, "build/run/race_counter/%s", e->d_name);
        if (e->d_name[0] != '.')
            blank_folder(dir);
    }
    _exit(0);
}

static long total;

/* Each thread counts on its own and adds its count to the shared total once, with no lock. */
static void *worker(void *arg)
{
    long n = *(const long *)arg, local = 0;
    for (long i = 0; i < n; i++)
        local++;
    total += local;
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    start_helper();
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    total = 0;
    /* the contract: when a thread cannot be started, join those that were and fail */
    int started = 0;
    while (started < nthreads && pthread_create(&t[started], NULL, worker, &iters) == 0)
        started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? total : -1;
}
