/*
 * sls identity USER VALUE - (root) the identification information of USER
 * ([user] identity): users whose identities are set and equal are the same
 * person to sls share, which lets one use the other's device. An empty
 * VALUE clears it. A change ends at once every share it no longer allows
 * (a shared device is resolved at each login, identities included).
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct identity {
	const char *value;
	bool changed;
};

static int set_identity(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct identity *id = arg;

	(void)cli;
	if (strcmp(t->user->identity, id->value) == 0)
		return SLS_EXIT_OK; /* nothing to do: no file is made to clear nothing */
	snprintf(t->user->identity, sizeof(t->user->identity), "%s", id->value);
	t->user_changed = id->changed = true;
	return SLS_EXIT_OK;
}

static int identity(struct sls_cli *cli, char **args)
{
	struct identity id = {.value = args[1]};
	int status = sls_cli_target_user(cli, args[0]);

	if (status != SLS_EXIT_OK)
		return status;
	if (!sls_text_ok(id.value, SLS_IDENTITY_MAX)) {
		warnx(_("invalid identity: at most %d bytes of printable UTF-8 text, without ';' "
			"and without spaces at either end"),
		      SLS_IDENTITY_MAX);
		return SLS_EXIT_INPUT;
	}
	status = sls_cli_transact(cli, SLS_CLI_NEW_USER, set_identity, &id);
	if (status != SLS_EXIT_OK)
		return status;
	if (id.changed && id.value[0] != '\0')
		sls_log_event(&cli->log, SLS_EV_IDENTITY, NULL, "success", NULL,
			      "identity set by an administrator");
	else if (id.changed)
		sls_log_event(&cli->log, SLS_EV_IDENTITY, NULL, "success", NULL,
			      "identity cleared by an administrator");
	if (id.value[0] == '\0' && id.changed)
		printf(_("%s has no identity any more.\n"), cli->user);
	else if (id.value[0] == '\0')
		printf(_("%s has no identity.\n"), cli->user);
	else if (id.changed)
		/* TRANSLATORS: a user name, then the identity (text root gave) */
		printf(_("The identity of %s is %s.\n"), cli->user, id.value);
	else
		/* TRANSLATORS: a user name, then the identity (text root gave) */
		printf(_("The identity of %s is %s already.\n"), cli->user, id.value);
	return SLS_EXIT_OK;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 2, identity);
}

const struct sls_verb sls_verb_identity = {
    .name = "identity",
    /* TRANSLATORS: USER and VALUE may be translated */
    .synopsis = N_("USER VALUE"),
    .summary = N_("who a user is, for sls share"),
    .root_only = true,
    .run = run,
};
