/* report_guard.c: a seccomp filter around the report descriptors (see report_guard.h). */
#define _GNU_SOURCE /* syscall */
#include "report_guard.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STMT(code, val) (f[k++] = (struct sock_filter)BPF_STMT(code, val))
#define JUMP(code, val, t, e) (f[k++] = (struct sock_filter)BPF_JUMP(code, val, t, e))
#define LOAD_AT(offset) STMT(BPF_LD | BPF_W | BPF_ABS, offset)
#define LOAD(field) LOAD_AT(offsetof(struct seccomp_data, field))
#define ALLOW SECCOMP_RET_ALLOW
#define DENY (SECCOMP_RET_ERRNO | 1) /* EPERM */

/* Lays out at f[k] the check "argument arg (its low 32 bits) is one of fds: refused, else
 * allowed"; returns the next free place. */
static int refuse_if_one_of(struct sock_filter *f, int k, int arg, const int *fds, int n)
{
    LOAD_AT((unsigned)(offsetof(struct seccomp_data, args) + (size_t)arg * sizeof(__u64)));
    for (int i = 0; i < n; i++)
        JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)fds[i], (unsigned char)(n - i), 0);
    STMT(BPF_RET | BPF_K, ALLOW);
    STMT(BPF_RET | BPF_K, DENY);
    return k;
}

/* The filter: on x86-64, each guarded syscall jumps to the check of its argument; anything
 * else is allowed. Classic BPF jumps only forward, so the dispatch's targets are set once the
 * checks are laid out. */
int report_guard(const int *fds, int n)
{
    /* the switch is read at the first call, made before any learner code runs: a later
     * setenv of the learner's cannot turn the guard of a later copy off */
    static int off = -1;
    if (off < 0) {
        const char *v = getenv("KATA_REPORT_GUARD");
        off = v && !strcmp(v, "0");
    }
    if (off || n <= 0 || n > REPORT_GUARD_MAX)
        return -1;
    struct sock_filter f[24 + 7 * REPORT_GUARD_MAX]; /* what the layout below takes, at most */
    int k = 0;
    LOAD(arch);
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    STMT(BPF_RET | BPF_K, ALLOW);
    LOAD(nr);
    /* each syscall to its check below; the offsets are counted from the next instruction */
    int at_dup = k;
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_dup2, 0, 0);
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_dup3, 0, 0);
    int at_close = k;
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close, 0, 0);
    int at_range = k;
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 0, 0);
    int at_fcntl = k;
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fcntl, 0, 0);
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1);
    STMT(BPF_RET | BPF_K, DENY);
    STMT(BPF_RET | BPF_K, ALLOW);
    /* dup2, dup3: the new descriptor, args[1] */
    int dup_check = k;
    k = refuse_if_one_of(f, k, 1, fds, n);
    /* fcntl: F_SETFL on one of them */
    int fcntl_check = k;
    LOAD(args[1]);
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_SETFL, 1, 0);
    STMT(BPF_RET | BPF_K, ALLOW);
    /* close: args[0] (fcntl falls through to here with its descriptor in args[0]) */
    int close_check = k;
    k = refuse_if_one_of(f, k, 0, fds, n);
    /* close_range(first, last): refused when first <= fd <= last for one of them */
    int range_check = k;
    for (int i = 0; i < n; i++) {
        LOAD(args[0]);
        JUMP(BPF_JMP | BPF_JGT | BPF_K, (unsigned)fds[i], 3, 0); /* first > fd: the next one */
        LOAD(args[1]);
        JUMP(BPF_JMP | BPF_JGE | BPF_K, (unsigned)fds[i], 0, 1); /* last >= fd: refused */
        STMT(BPF_RET | BPF_K, DENY);
    }
    STMT(BPF_RET | BPF_K, ALLOW);
    /* the forward jumps of the dispatch, now that the checks' places are known */
    f[at_dup].jt = (unsigned char)(dup_check - at_dup - 1);
    f[at_dup + 1].jt = (unsigned char)(dup_check - at_dup - 2);
    f[at_close].jt = (unsigned char)(close_check - at_close - 1);
    f[at_range].jt = (unsigned char)(range_check - at_range - 1);
    f[at_fcntl].jt = (unsigned char)(fcntl_check - at_fcntl - 1);
    struct sock_fprog prog = {.len = (unsigned short)k, .filter = f};
    /* TSYNC: every thread at once (ThreadSanitizer's own thread is running already) */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
        return -1;
    return 0;
}
