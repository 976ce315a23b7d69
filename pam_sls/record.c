/* pam_sls - the outcome of an attempt, written to the state file under the user's lock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "module.h"

/* A right answer: refused if the TOTP step was used meanwhile (a concurrent login). */
static int record_success(struct sls_state *st, const struct sls_device *d, uint64_t step,
			  time_t now)
{
	enum sls_rc rc = sls_state_note_success(st, d, step, now);

	return rc == SLS_OK ? PAM_SUCCESS : rc == SLS_ERR_MISMATCH ? PAM_AUTH_ERR : PAM_SYSTEM_ERR;
}

/* A counted failure: at deny failures within the window, lock until unlock_time. */
static int record_failure(struct sls_login *login, struct sls_state *st, const struct sls_device *d,
			  time_t now)
{
	const struct sls_config *c = &login->conf;

	if (!sls_state_note_failure(st, now, c->window, c->deny, c->unlock_time)) {
		sls_log_event(&login->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "wrong answer");
		return PAM_AUTH_ERR;
	}
	sls_log_event(&login->log, SLS_EV_LOCKOUT, d->name, "locked", NULL,
		      "too many failures: user locked");
	return PAM_MAXTRIES;
}

static int update(struct sls_login *login, struct sls_state *st, const struct sls_device *d,
		  int result, bool counted, uint64_t step)
{
	time_t now = time(NULL);

	if (st->locked_until > now) {
		sls_log_event(&login->log, SLS_EV_LOCKED, d->name, "locked", NULL,
			      "refused: user is locked");
		return PAM_MAXTRIES;
	}
	if (result == PAM_SUCCESS) {
		result = record_success(st, d, step, now);
		if (result != PAM_AUTH_ERR)
			return result;
		counted = true; /* a replayed TOTP code is a wrong answer */
	}
	if (!counted)
		return result;
	return record_failure(login, st, d, now);
}

/* The device as it is now: revoked or replaced while its prompt was open means no. */
static bool still_active(const struct sls_user *now, const struct sls_device *d)
{
	for (size_t i = 0; i < now->ndevices; i++) {
		const struct sls_device *n = &now->devices[i];

		if (strcmp(n->name, d->name) == 0)
			return n->status == SLS_STATUS_ACTIVE && n->secret_len == d->secret_len &&
			       sls_secure_equal(n->secret, d->secret, d->secret_len);
	}
	return false;
}

int sls_login_record(struct sls_login *login, const struct sls_device *d, int result, bool counted,
		     uint64_t totp_step)
{
	struct sls_state *st = calloc(1, sizeof(*st));
	struct sls_user *now = calloc(1, sizeof(*now));
	struct sls_diag diag = {0};
	int lockfd = -1, retval = PAM_SYSTEM_ERR;
	enum sls_rc rc = SLS_ERR_NOMEM;

	if (st == NULL || now == NULL)
		goto out;
	rc = sls_userdb_lock(&login->store, login->user, geteuid(), &lockfd);
	if (rc == SLS_OK)
		rc = sls_userdb_load_user(&login->store, login->user, geteuid(), now, &diag);
	if (rc == SLS_OK)
		rc = sls_userdb_load_state(&login->store, login->user, geteuid(), st, &diag);
	if (rc != SLS_OK) {
		sls_log_event(&login->log,
			      rc == SLS_ERR_LOCK ? SLS_EV_SYSTEM_ERROR : SLS_EV_FILE_ERROR, d->name,
			      "error", &diag, "cannot read the state file under its lock");
		retval = rc == SLS_ERR_UNSAFE ? PAM_SERVICE_ERR : PAM_SYSTEM_ERR;
		goto out;
	}
	if (result == PAM_SUCCESS && !still_active(now, d)) {
		sls_log_event(&login->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "device revoked or replaced while its prompt was open");
		result = PAM_AUTH_ERR;
		counted = false;
	}
	sls_state_prune(st, now);
	retval = update(login, st, d, result, counted, totp_step);
	if ((retval == PAM_SUCCESS || counted) &&
	    sls_userdb_save_state(&login->store, login->user, st) != SLS_OK) {
		sls_log_event(&login->log, SLS_EV_FILE_ERROR, d->name, "error", NULL,
			      "cannot write the state file");
		retval = PAM_SYSTEM_ERR; /* an unrecorded success could be replayed */
	}
	if (retval == PAM_MAXTRIES)
		sls_login_say_locked(login, st->locked_until);
out:
	sls_lock_release(lockfd);
	if (st != NULL)
		sls_state_clear(st);
	if (now != NULL)
		sls_user_clear(now);
	free(st);
	free(now);
	return rc == SLS_ERR_NOMEM ? PAM_BUF_ERR : retval;
}
