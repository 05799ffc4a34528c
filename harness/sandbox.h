/* sandbox.h: confine the harness and every child it starts to loopback networking. */
#ifndef KATA_SANDBOX_H
#define KATA_SANDBOX_H

/* Moves this process into a new network namespace whose only interface is loopback (up),
 * so learner code reaches 127.0.0.1 and nothing else; as root directly, otherwise through
 * a user namespace. Returns 1 when confined, 0 when the system allows neither (a warning
 * says so once). Call it before any thread or child is started. */
int sandbox_network(void);

#endif
