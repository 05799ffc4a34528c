/* hostile: leaves things behind that outlive a process: a SysV shared memory segment and a
 * semaphore set (key 0x6b617461, "kata"), and a file in each of /tmp, /var/tmp and /dev/shm
 * (leftover-kata-hostile-*), and then counts correctly. Each sandbox has an IPC namespace
 * and a /tmp, /var/tmp and /dev/shm of its own, which go with it: the verdict is a pass, and
 * afterwards run.sh finds none of them on the machine.
 * expect: status=pass
 * limit: 20
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#define KEY 0x6b617461

static void leave(void)
{
    int id = shmget(KEY, 4096, IPC_CREAT | 0666);
    if (id >= 0) {
        char *p = shmat(id, NULL, 0);
        if (p != (void *)-1) {
            p[0] = 1;
            shmdt(p);
        }
    }
    semget(KEY, 1, IPC_CREAT | 0666);
    static const char *const files[] = {"/tmp/leftover-kata-hostile-tmp",
                                        "/var/tmp/leftover-kata-hostile-var",
                                        "/dev/shm/leftover-kata-hostile-shm"};
    for (unsigned i = 0; i < 3; i++) {
        int fd = open(files[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd >= 0) {
            if (write(fd, "left\n", 5) < 0)
                break;
            close(fd);
        }
    }
}

static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    leave();
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    /* the contract: when a thread cannot be started, join those that were and fail */
    int started = 0;
    while (started < nthreads && pthread_create(&t[started], NULL, worker, &iters) == 0)
        started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? counter : -1;
}
