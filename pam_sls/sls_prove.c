/* sls - a device's answer asked on the terminal, and a user proving who they are. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sls_cli.h"
#include "sls_tty.h"

static bool check_answer(const struct sls_device *d, const char *challenge, const char *answer,
			 uint64_t not_before, uint64_t *step)
{
	struct sls_ocra_input in = {
	    .question = challenge, .pin_hash = d->pin_hash, .pin_hash_len = d->pin_hash_len};

	if (d->type == SLS_DEV_TOTP)
		return sls_totp_verify(d->totp_hash, d->secret, d->secret_len, time(NULL),
				       d->totp_period, d->totp_digits, 1, not_before, answer,
				       step) == SLS_OK;
	return sls_ocra_verify(&d->suite, d->secret, d->secret_len, &in, answer) == SLS_OK;
}

bool sls_cli_answer(const struct sls_device *d, uint64_t not_before, uint64_t *step, bool *eof)
{
	char challenge[7] = "", line[64], answer[64];
	bool ok;

	*eof = false;
	if (d->type != SLS_DEV_TOTP) {
		if (sls_random_digits(challenge, sizeof(challenge), 6) != SLS_OK)
			return false;
		printf("Challenge: %s\n", challenge);
	}
	if (!sls_tty_ask_line(stdout,
			      d->type == SLS_DEV_TOTP ? "Verification code: " : "Response: ", line,
			      sizeof(line))) {
		*eof = true;
		return false;
	}
	ok = sls_strip_separators(line, answer, sizeof(answer)) &&
	     check_answer(d, challenge, answer, not_before, step);
	sls_wipe(line, sizeof(line));
	sls_wipe(answer, sizeof(answer));
	return ok;
}

/* ---- proving who the caller is ------------------------------------------------------ */

struct proof {
	struct sls_device dev; /* the device that answered */
	uint64_t step;
	bool right;
	bool counted;
};

/* The strongest active device the terminal can ask (ibkey, dsc, totp), or NULL. */
static const struct sls_device *strongest(const struct sls_user *user)
{
	const struct sls_device *best = NULL;

	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];

		if (d->status == SLS_STATUS_ACTIVE &&
		    (d->type == SLS_DEV_IBKEY || d->type == SLS_DEV_DSC ||
		     d->type == SLS_DEV_TOTP) &&
		    (best == NULL || d->level > best->level))
			best = d;
	}
	return best;
}

static int locked_message(time_t until)
{
	char when[32];

	sls_cli_time(until, when, sizeof(when));
	warnx("Too many failed attempts; try again after %s or ask an administrator.", when);
	return SLS_EXIT_REFUSED;
}

/* Under the lock: the same rules as a login (a lock taken meanwhile wins). */
static int note_outcome(struct sls_cli *cli, struct sls_state *state, void *arg)
{
	struct proof *p = arg;
	time_t now = time(NULL);

	if (state->locked_until > now) {
		p->right = false;
		return SLS_EXIT_OK;
	}
	if (p->right && sls_state_note_success(state, &p->dev, p->step, now) == SLS_OK)
		return SLS_EXIT_OK;
	p->right = false;
	if (p->counted && sls_state_note_failure(state, now, cli->conf.window, cli->conf.deny,
						 cli->conf.unlock_time))
		sls_log_event(&cli->log, SLS_EV_LOCKOUT, p->dev.name, "locked", NULL,
			      "too many failures: user locked");
	else if (p->counted)
		sls_log_event(&cli->log, SLS_EV_FAILURE, p->dev.name, "failure", NULL,
			      "wrong answer to prove the user's identity");
	return SLS_EXIT_OK;
}

static uint64_t last_step(const struct sls_state *state, const char *name)
{
	for (size_t i = 0; i < state->ndevices; i++)
		if (strcmp(state->devices[i].name, name) == 0)
			return state->devices[i].totp_last_step;
	return 0;
}

/* Ask best for one answer and record it; SLS_EXIT_OK only for a right one. */
static int ask_proof(struct sls_cli *cli, const struct sls_device *best,
		     const struct sls_state *state)
{
	struct proof *p = calloc(1, sizeof(*p));
	bool eof = false;
	int status;

	if (p == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	p->dev = *best;
	printf("To add a device, first answer with your %s device %s.\n",
	       sls_device_type_name(best->type), best->name);
	p->right = sls_cli_answer(best, last_step(state, best->name), &p->step, &eof);
	p->counted = !eof;
	status = sls_cli_edit_state(cli, note_outcome, p);
	if (status == SLS_EXIT_OK && !p->right) {
		warnx("not proven: no device was added");
		status = SLS_EXIT_REFUSED;
	}
	sls_wipe(p, sizeof(*p));
	free(p);
	return status;
}

int sls_cli_prove(struct sls_cli *cli, int new_level)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	struct sls_state *state = calloc(1, sizeof(*state));
	const struct sls_device *best;
	int status;

	if (user == NULL || state == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	status = cli->ruid == 0 ? SLS_EXIT_OK : sls_cli_read_user(cli, user, true);
	best = cli->ruid == 0 ? NULL : strongest(user);
	if (status == SLS_EXIT_OK && best != NULL)
		status = sls_cli_read_state(cli, state);
	if (status == SLS_EXIT_OK && best != NULL && best->level < new_level) {
		warnx("a level-%d device is stronger than any you have (level %d): ask an "
		      "administrator to run sls enroll --user %s",
		      new_level, best->level, cli->user);
		status = SLS_EXIT_REFUSED;
	} else if (status == SLS_EXIT_OK && best != NULL && state->locked_until > time(NULL)) {
		status = locked_message(state->locked_until);
	} else if (status == SLS_EXIT_OK && best != NULL) {
		status = ask_proof(cli, best, state);
	}
	sls_user_clear(user);
	sls_state_clear(state);
	free(user);
	free(state);
	return status;
}
