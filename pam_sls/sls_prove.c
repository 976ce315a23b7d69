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

bool sls_cli_answer(const struct sls_device *d, const char *challenge, uint64_t not_before,
		    uint64_t *step, bool *eof)
{
	char fresh[SLS_CHALLENGE_DIGITS + 1] = "", line[64], answer[64];
	bool ok;

	*eof = false;
	if (d->type != SLS_DEV_TOTP) {
		if (challenge == NULL && sls_challenge_draw(NULL, fresh, sizeof(fresh)) != SLS_OK)
			return false;
		challenge = challenge != NULL ? challenge : fresh;
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

/* The strongest usable device the terminal can ask (ibkey, dsc, totp), or NULL. */
static const struct sls_device *strongest(const struct sls_user *user)
{
	const struct sls_device *best = NULL;
	time_t now = time(NULL);

	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];

		if (sls_device_usable(d, now) && sls_device_type_askable(d->type) &&
		    (best == NULL || d->level > best->level))
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

static int locked_message(time_t until)
{
	char when[32];

	sls_cli_time(until, when, sizeof(when));
	warnx("Too many failed attempts; try again after %s or ask an administrator.", when);
	return SLS_EXIT_REFUSED;
}

/* What an attempt's store step said, as an exit status (printed after the lock is gone). */
static int attempt_status(struct sls_cli *cli, enum sls_rc rc, time_t until,
			  const struct sls_diag *diag)
{
	if (rc == SLS_OK)
		return SLS_EXIT_OK;
	if (rc == SLS_ERR_LOCKED)
		return locked_message(until);
	if (rc == SLS_ERR_LOCK)
		return sls_cli_lock_error(cli);
	if (rc == SLS_ERR_GONE || rc == SLS_ERR_MISMATCH) {
		warnx("not proven: that answer cannot be used (the device changed, or the code was "
		      "used already)");
		return SLS_EXIT_REFUSED;
	}
	return sls_cli_file_error(cli, "state", rc, diag);
}

/* Count before check (sls_attempt.h): step one, with the store's privileges. */
static int begin(struct sls_cli *cli, const struct sls_device *best, struct sls_attempt *a)
{
	struct sls_diag diag = {0};
	time_t until = 0;
	enum sls_rc rc;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	rc = sls_attempt_begin(&cli->store, cli->user, sls_store_owner(cli), &cli->conf, best, a,
			       &until, &diag);
	sls_priv_user(cli);
	return attempt_status(cli, rc, until, &diag);
}

static int succeed(struct sls_cli *cli, const struct sls_device *best, const struct sls_attempt *a,
		   uint64_t step)
{
	struct sls_diag diag = {0};
	time_t until = 0;
	enum sls_rc rc;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	rc = sls_attempt_succeed(&cli->store, cli->user, sls_store_owner(cli), best, a, step,
				 &until, &diag);
	sls_priv_user(cli);
	return attempt_status(cli, rc, until, &diag);
}

static int not_proven(struct sls_cli *cli, const struct sls_device *best,
		      const struct sls_attempt *a)
{
	if (a->lock_set != 0) {
		sls_log_event(&cli->log, SLS_EV_LOCKOUT, best->name, "locked", NULL,
			      "too many failures: user locked");
		return locked_message(a->lock_set);
	}
	sls_log_event(&cli->log, SLS_EV_FAILURE, best->name, "failure", NULL,
		      "wrong answer to prove the user's identity");
	warnx("not proven: nothing was changed");
	return SLS_EXIT_REFUSED;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* One counted answer of best; SLS_EXIT_OK only for a right one, in time, recorded. */
static int ask_proof(struct sls_cli *cli, const struct sls_device *best, const char *purpose)
{
	struct sls_attempt a;
	struct timespec asked;
	uint64_t step = 0;
	bool eof = false, right;
	int status = begin(cli, best, &a);

	if (status != SLS_EXIT_OK)
		return status;
	printf("%s, first answer with your %s device %s.\n", purpose,
	       sls_device_type_name(best->type), best->name);
	clock_gettime(CLOCK_MONOTONIC, &asked);
	right = sls_cli_answer(best, a.challenge, a.not_before, &step, &eof);
	if (right && seconds_since(&asked) > (double)cli->conf.challenge_timeout) {
		warnx("The response has expired; start again.");
		right = false;
	}
	status = right ? succeed(cli, best, &a, step) : not_proven(cli, best, &a);
	sls_wipe(&a, sizeof(a));
	return status;
}

int sls_cli_prove(struct sls_cli *cli, int new_level, const char *purpose)
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
	if (status == SLS_EXIT_OK && best == NULL && cli->ruid != 0 && has_active(user)) {
		/* devices that cannot answer are no licence to add or remove one */
		warnx("none of your devices can answer (expired, or of a kind sls cannot ask): "
		      "ask an administrator to run sls --user %s %s",
		      cli->user, cli->verb);
		status = SLS_EXIT_REFUSED;
	} else if (status == SLS_EXIT_OK && best != NULL && best->level < new_level) {
		warnx("a level-%d device is stronger than any you have (level %d): ask an "
		      "administrator to run sls enroll --user %s",
		      new_level, best->level, cli->user);
		status = SLS_EXIT_REFUSED;
	} else if (status == SLS_EXIT_OK && best != NULL && state->locked_until > time(NULL)) {
		status = locked_message(state->locked_until);
	} else if (status == SLS_EXIT_OK && best != NULL) {
		status = ask_proof(cli, best, purpose);
	}
	sls_user_clear(user);
	sls_state_clear(state);
	free(user);
	free(state);
	return status;
}
