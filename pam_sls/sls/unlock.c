/* sls unlock USER - (root) clear a user's lock and failures. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static int clear_lock(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct sls_state *state = t->state;

	(void)cli;
	(void)arg;
	state->nfailures = 0;
	memset(state->failures, 0, sizeof(state->failures));
	state->locked_until = 0;
	t->state_changed = true;
	return SLS_EXIT_OK;
}

static int unlock(struct sls_cli *cli, char **args)
{
	int status = sls_cli_target_user(cli, args[0]);

	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_STATE, clear_lock, NULL);
	if (status == SLS_EXIT_OK) {
		printf(_("%s is unlocked; failures cleared.\n"), cli->user);
		sls_log_event(&cli->log, SLS_EV_UNLOCKED, NULL, "success", NULL,
			      "lock and failures cleared by an administrator");
	}
	return status;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 1, unlock);
}

const struct sls_verb sls_verb_unlock = {
    .name = "unlock",
    /* TRANSLATORS: USER in sls --help; may be translated */
    .synopsis = N_("USER"),
    .summary = N_("clear a lock and the failures"),
    .root_only = true,
    .run = run,
};
