/*
 * pam_sls - count before check: the attempt is recorded as a failure before
 * the prompt, and a right answer clears it in a second write.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "module.h"

/* The store could not count the attempt or record its outcome. */
static int store_error(struct sls_login *login, const struct sls_device *d, enum sls_rc rc,
		       struct sls_diag *diag)
{
	if (rc == SLS_ERR_NOMEM)
		return PAM_BUF_ERR;
	sls_diag_errno(diag, rc, errno);
	sls_log_event(&login->log, rc == SLS_ERR_LOCK ? SLS_EV_SYSTEM_ERROR : SLS_EV_FILE_ERROR,
		      d->name, "error", diag, "cannot write the state file: denied");
	sls_login_say(login, PAM_ERROR_MSG,
		      "The second factor cannot be checked now; ask an administrator.");
	return rc == SLS_ERR_UNSAFE ? PAM_SERVICE_ERR : PAM_SYSTEM_ERR;
}

int sls_login_begin(struct sls_login *login, const struct sls_device *d, struct sls_attempt *a)
{
	struct sls_diag diag = {0};
	time_t until = 0;
	enum sls_rc rc = sls_attempt_begin(&login->store, login->user, geteuid(), &login->conf, d,
					   a, &until, &diag);

	switch (rc) {
	case SLS_OK:
		return PAM_SUCCESS;
	case SLS_ERR_LOCKED:
		sls_log_event(&login->log, SLS_EV_LOCKED, d->name, "locked", NULL,
			      "refused: user is locked");
		sls_login_say_locked(login, until);
		return PAM_MAXTRIES;
	case SLS_ERR_GONE:
		sls_log_event(&login->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "device revoked, replaced or expired before its prompt");
		return PAM_AUTH_ERR;
	default:
		return store_error(login, d, rc, &diag);
	}
}

/* Not a right answer: the failure recorded before the prompt is the record. */
static int not_right(struct sls_login *login, const struct sls_device *d,
		     const struct sls_attempt *a, int result)
{
	if (a->lock_set != 0) {
		sls_log_event(&login->log, SLS_EV_LOCKOUT, d->name, "locked", NULL,
			      "too many failures: user locked");
		sls_login_say_locked(login, a->lock_set);
		return PAM_MAXTRIES;
	}
	if (result == PAM_CONV_ERR)
		sls_log_event(&login->log, SLS_EV_FAILURE, d->name, "error", NULL,
			      "conversation failed or gave no answer: counted as a failure");
	else
		sls_log_event(&login->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "wrong answer");
	return result == PAM_CONV_ERR || result == PAM_SYSTEM_ERR ? result : PAM_AUTH_ERR;
}

int sls_login_finish(struct sls_login *login, const struct sls_device *d,
		     const struct sls_attempt *a, int result, uint64_t step)
{
	struct sls_diag diag = {0};
	time_t until = 0;
	enum sls_rc rc;

	if (result != PAM_SUCCESS)
		return not_right(login, d, a, result);
	rc = sls_attempt_succeed(&login->store, login->user, geteuid(), d, a, step, &until, &diag);
	switch (rc) {
	case SLS_OK:
		sls_log_event(&login->log, SLS_EV_SUCCESS, d->name, "success", NULL,
			      "second factor accepted");
		return PAM_SUCCESS;
	case SLS_ERR_MISMATCH: /* a TOTP code of a step that was used meanwhile */
		return not_right(login, d, a, PAM_AUTH_ERR);
	case SLS_ERR_LOCKED:
		sls_log_event(&login->log, SLS_EV_LOCKED, d->name, "locked", NULL,
			      "refused: user locked while the prompt was open");
		sls_login_say_locked(login, until);
		return PAM_MAXTRIES;
	case SLS_ERR_GONE:
		sls_log_event(&login->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "device revoked or replaced while its prompt was open");
		return PAM_AUTH_ERR;
	default:
		return store_error(login, d, rc, &diag);
	}
}
