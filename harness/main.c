/* main.c: the `kata` program; its subcommands are in cli.c. */
#include "cli.h"
#include "spawn.h"

int main(int argc, char **argv)
{
    spawn_init();
    return cli_main(argc, argv);
}
