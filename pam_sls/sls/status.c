/* sls status USER - (root) a user's devices, failures and lock. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

static void print_lock(const struct sls_cli *cli, const struct sls_state *state)
{
	time_t now = time(NULL);
	char when[32], window[16];

	sls_format_duration(cli->conf.window, window, sizeof(window));
	/* TRANSLATORS: the lockout window as sls.conf writes it (15m, 24h, 2d), then
	   failures counted and failures allowed */
	printf(_("Failures in the last %s: %zu of %u allowed\n"), window,
	       sls_state_count_failures(state, now, (time_t)cli->conf.window), cli->conf.deny);
	sls_cli_time(state->locked_until, when, sizeof(when));
	if (state->locked_until > now)
		/* TRANSLATORS: a date and time, then a user name */
		printf(_("Locked until %s (sls unlock %s clears it)\n"), when, cli->user);
	else
		printf(_("Not locked\n"));
}

static int status_of(struct sls_cli *cli, char **args)
{
	struct sls_state *state = calloc(1, sizeof(*state));
	size_t count = 0;
	int status = sls_cli_target_user(cli, args[0]);

	if (state == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	if (status == SLS_EXIT_OK)
		status = sls_cli_read_state(cli, state);
	if (status == SLS_EXIT_OK) {
		printf(_("User %s\n"), cli->user);
		status = sls_cli_show_devices(cli, &count);
	}
	if (status == SLS_EXIT_OK)
		print_lock(cli, state);
	sls_state_clear(state);
	free(state);
	return status;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 1, status_of);
}

const struct sls_verb sls_verb_status = {
    .name = "status",
    /* TRANSLATORS: USER in sls --help; may be translated */
    .synopsis = N_("USER"),
    .summary = N_("devices, failures, lock"),
    .root_only = true,
    .run = run,
};
