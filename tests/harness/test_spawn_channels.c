/* test_spawn_channels.c: tests of harness/spawn.c's report channels (struct child_channel):
 * what the child writes arrives, and a channel cut short or held open is noticed. */
#include "spawn.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void run_sh(const char *script, struct child_channel *ch, struct child *c)
{
    const char *argv[] = {"sh", "-c", script, NULL};
    memset(c, 0, sizeof *c);
    c->argv = argv;
    c->timeout = 10;
    ch->fd = 3;
    c->channels = ch;
    c->nchannels = 1;
    cr_assert_eq(child_run(c), 0);
}

Test(channels, what_the_child_writes_arrives_whole)
{
    struct child_channel ch = {0};
    struct child c;
    /* more than a pipe holds: the harness must read while the child writes */
    run_sh("head -c 300000 /dev/zero | tr '\\0' x >&3; echo end >&3", &ch, &c);
    cr_assert_eq(c.exit_code, 0);
    cr_assert_eq(ch.len, 300004);
    cr_assert(ch.text && !strcmp(ch.text + 300000, "end\n"));
    cr_assert_eq(ch.closed_early + ch.open_after + ch.truncated, 0);
    free(ch.text);
}

Test(channels, a_channel_closed_while_the_child_runs_is_noticed)
{
    struct child_channel ch = {0};
    struct child c;
    run_sh("echo a >&3; exec 3>&-; sleep 2", &ch, &c);
    cr_assert_str_eq(ch.text, "a\n");
    cr_assert_eq(ch.closed_early, 1);
    free(ch.text);
}

Test(channels, the_channel_is_the_childs_only_at_its_number)
{
    struct child_channel ch = {.max = 4};
    struct child c;
    run_sh("echo 123456 >&3", &ch, &c);
    cr_assert_eq(ch.len, 4);
    cr_assert_eq(ch.truncated, 1);
    free(ch.text);
}
