/* sls - a user proving who they are, with the login flow's counted attempt (sls_flow.h). */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sls_share.h"
#include "sls_tempcode.h"

bool sls_cli_answers(struct sls_cli *cli, const struct sls_user *u, const struct sls_state *st,
		     const struct sls_device *d, time_t now)
{
	struct sls_device live;
	struct sls_diag diag = {0};
	enum sls_rc rc;

	/* a temporary passcode past its login days is for sls card print alone */
	if (d->type->stand_in && sls_tempcode_phase(d, now) != SLS_TEMPCODE_LOGIN)
		return false;
	if (!sls_devtype_askable(d->type) || !sls_device_usable(u, d, now))
		return false;
	if (st != NULL && sls_devtype_spent(d, sls_state_find(st, d)))
		return false;
	if (d->shared_from[0] == '\0')
		return true;
	sls_cli_store_enter(cli);
	rc = sls_share_resolve(&cli->store, sls_store_owner(cli), cli->user, u, d, now, &live,
			       &diag);
	sls_cli_store_leave(cli);
	sls_wipe(&live, sizeof(live));
	return rc == SLS_OK;
}

bool sls_cli_dead_share(struct sls_cli *cli, const struct sls_user *u, const struct sls_device *d,
			time_t now)
{
	return d->shared_from[0] != '\0' && d->status == SLS_STATUS_ACTIVE &&
	       !sls_cli_answers(cli, u, NULL, d, now);
}

/* The strongest device that can answer now, or NULL. */
static const struct sls_device *strongest(struct sls_cli *cli, const struct sls_user *user,
					  const struct sls_state *state)
{
	const struct sls_device *best = NULL;
	time_t now = time(NULL);

	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];

		/* on a tie the administrator's temporary passcode: it reaches any level */
		if (sls_cli_answers(cli, user, state, d, now) &&
		    (best == NULL || d->level > best->level ||
		     (d->level == best->level && d->type->stand_in)))
			best = d;
	}
	return best;
}

static bool has_active(const struct sls_user *user)
{
	for (size_t i = 0; i < user->ndevices; i++)
		if (user->devices[i].status == SLS_STATUS_ACTIVE)
			return true;
	return false;
}

/* The flow writes with the store's privileges; the prompt runs as the caller. */
static void store_enter(void *arg)
{
	sls_cli_store_enter(arg);
}

static void store_leave(void *arg)
{
	sls_cli_store_leave(arg);
}

/* What the flow said, as an exit status (its messages are out already). */
static int proof_status(struct sls_cli *cli, const struct sls_outcome *out)
{
	switch (out->verdict) {
	case SLS_VERDICT_SUCCESS:
		return SLS_EXIT_OK;
	case SLS_VERDICT_ERROR:
		if (out->rc == SLS_ERR_LOCK)
			return sls_cli_lock_error(cli);
		errno = out->errnum;
		return sls_cli_file_error(cli, "state", out->rc, &out->diag);
	case SLS_VERDICT_LOCKED:
		return SLS_EXIT_REFUSED;
	case SLS_VERDICT_UNAVAILABLE: /* the proof's SMS could not be sent (or not yet) */
		return SLS_EXIT_SENDER;
	default:
		warnx(_("not proven: nothing was changed"));
		return SLS_EXIT_REFUSED;
	}
}

int sls_cli_prove_with(struct sls_cli *cli, const struct sls_device *d, const char *purpose,
		       bool card_print)
{
	struct sls_flow flow = {
	    .conf = &cli->conf,
	    .store = &cli->store,
	    .owner = sls_store_owner(cli),
	    .user = cli->user,
	    .ui = &cli->ui,
	    .log = &cli->log,
	    .store_enter = store_enter,
	    .store_leave = store_leave,
	    .store_arg = cli,
	    .card_print = card_print,
	};
	struct sls_outcome out;

	/*
	 * TRANSLATORS: the purpose ("To add a device", translated too), a device
	 * type ("totp") and a device's name
	 */
	printf(_("%s, first answer with your %s device %s.\n"), purpose, d->type->name, d->name);
	fflush(stdout);
	sls_flow_attempt(&flow, d, &out);
	/* what a proof may hand on (a card): a stand-in's days are not a device's */
	if (out.verdict == SLS_VERDICT_SUCCESS)
		cli->proven_until = d->type->stand_in ? 0 : d->expires;
	return proof_status(cli, &out);
}

int sls_cli_prove(struct sls_cli *cli, int new_level, const char *purpose)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	struct sls_state *state = calloc(1, sizeof(*state));
	const struct sls_device *best;
	int status;

	if (user == NULL || state == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	status = cli->ruid == 0 ? SLS_EXIT_OK : sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK && cli->ruid != 0 && user->ndevices > 0)
		status = sls_cli_read_state(cli, state);
	best = cli->ruid == 0 || status != SLS_EXIT_OK ? NULL : strongest(cli, user, state);
	if (status == SLS_EXIT_OK && best == NULL && cli->ruid != 0 && has_active(user)) {
		/* devices that cannot answer are no licence to add or remove one */
		/* TRANSLATORS: a user name and a command ("enroll") of what to run */
		warnx(_("none of your devices can answer (expired, used up, shared from a device "
			"that no longer answers, or of a kind sls cannot ask): "
			"ask an administrator to run sls --user %s %s"),
		      cli->user, cli->verb_name);
		status = SLS_EXIT_REFUSED;
	} else if (status == SLS_EXIT_OK && best != NULL && best->level < new_level &&
		   !best->type->stand_in) { /* a temporary passcode stands for the admin: any */
		warnx(_("a level-%d device is stronger than any you have (level %d): ask an "
			"administrator to run sls enroll --user %s"),
		      new_level, best->level, cli->user);
		status = SLS_EXIT_REFUSED;
	} else if (status == SLS_EXIT_OK && best != NULL && state->locked_until > time(NULL)) {
		sls_flow_say_locked(&cli->ui, state->locked_until);
		status = SLS_EXIT_REFUSED;
	} else if (status == SLS_EXIT_OK && best != NULL) {
		status = sls_cli_prove_with(cli, best, purpose, false);
	}
	sls_user_clear(user);
	sls_state_clear(state);
	free(user);
	free(state);
	return status;
}
