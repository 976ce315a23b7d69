/* sls gaimport - (being written) */
#include "config.h"

#include "cli.h"

static int run(struct sls_cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	return SLS_EXIT_USAGE;
}

const struct sls_verb sls_verb_import_ga = {
    .name = "import-google-authenticator", .synopsis = "", .run = run};
