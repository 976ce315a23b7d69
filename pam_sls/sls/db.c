/* sls db init - (root) make or upgrade the PostgreSQL store of [store] backend = postgresql. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pgstore.h"

static int init(struct sls_cli *cli, int argc, char **argv)
{
	struct sls_diag diag = {0};
	bool key_made = false;
	int from = 0;
	enum sls_rc rc;

	(void)argv;
	if (argc != 1) /* argv[0] is "init" */
		errx(SLS_EXIT_USAGE, _("db init takes no argument"));
	sls_cli_start_config(cli);
	if (cli->conf.backend != SLS_BACKEND_POSTGRESQL)
		errx(SLS_EXIT_USAGE, _("sls.conf's [store] backend is not postgresql"));
	rc = sls_pg_init(&cli->conf, &key_made, &from, &diag);
	if (rc != SLS_OK)
		errx(SLS_EXIT_STORE, "%s: %s", sls_strerror(rc), diag.msg);
	if (key_made)
		printf(_("A new sealing key is in %s: copy it to every server of the fleet "
			 "(root's, mode 0600).\n"),
		       cli->conf.key_file);
	if (from > 0 && from < SLS_PG_SCHEMA)
		printf(_("The database's schema was version %d.\n"), from);
	printf(_("The database's schema is version %d.\n"), SLS_PG_SCHEMA);
	return SLS_EXIT_OK;
}

static const struct sls_verb db_subs[] = {
    {.name = "init",
     .synopsis = "",
     .summary = N_("make or upgrade the PostgreSQL store"),
     .root_only = true,
     .run = init},
    {.name = NULL},
};

const struct sls_verb sls_verb_db = {
    .name = "db",
    .synopsis = "init", /* a command word, not translated */
    .summary = N_("the PostgreSQL store"),
    .root_only = true,
    .subs = db_subs,
};
