/* pam_sls - the PAM entry points: a second factor after the password. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "module.h"

static void log_to_pam_syslog(void *arg, int priority, const char *line)
{
	pam_syslog(arg, priority, "%s", line);
}

static void login_init(struct sls_login *login, pam_handle_t *pamh, int flags)
{
	const void *item = NULL;

	memset(login, 0, sizeof(*login));
	login->pamh = pamh;
	login->silent = (flags & PAM_SILENT) != 0;
	login->store.dirfd = login->store.users_fd = -1;
	login->store.state_fd = login->store.lock_fd = -1;
	login->log.ident = "pam_sls";
	login->log.fallback = log_to_pam_syslog;
	login->log.fallback_arg = pamh;
	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		login->log.service = item;
	item = NULL;
	if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS)
		login->log.rhost = item;
}

static void login_end(struct sls_login *login)
{
	if (login->enrollment != NULL)
		sls_user_clear(login->enrollment);
	if (login->state != NULL)
		sls_state_clear(login->state);
	free(login->enrollment);
	free(login->state);
	sls_store_close(&login->store);
}

/* Options and sls.conf; any problem is PAM_SERVICE_ERR, logged, fail closed. */
static int load_policy(struct sls_login *login, int argc, const char **argv)
{
	struct sls_diag diag = {0};
	const char *path;
	enum sls_rc rc;

	if (sls_module_opts_parse(argc, argv, &login->opts, &diag) != SLS_OK) {
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", &diag,
			      "bad option on the PAM line");
		return PAM_SERVICE_ERR;
	}
	login->log.debug = login->opts.debug;
	path = login->opts.conf ? login->opts.conf : SLS_CONFIG_DEFAULT_PATH;
	rc = sls_config_load(path, geteuid(), &login->conf, &diag);
	if (rc == SLS_OK || (rc == SLS_ERR_NOENT && login->opts.conf == NULL))
		return PAM_SUCCESS;
	sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", &diag,
		      "sls.conf missing, unsafe or malformed");
	return PAM_SERVICE_ERR;
}

/*
 * The user name from PAM, refused before any path is built from it, then
 * keyed as sls keys it: the name passwd gives the account's uid
 * (getpwuid(getpwnam(name)->pw_uid)). sshd passes what the client typed,
 * NSS backends (SSSD, LDAP) accept other spellings of one account, and a
 * uid may have several names (useradd -o): each must find the one
 * enrolment sls keeps under the uid's name, or nullok would let an alias
 * in with the password alone. A name NSS does not know is kept as typed:
 * no login for it can succeed past the account stage.
 */
static int get_user(struct sls_login *login)
{
	struct passwd pw, *found = NULL;
	const char *user = NULL;
	char buf[16384];
	int e;

	if (pam_get_user(login->pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return PAM_USER_UNKNOWN;
	if (!sls_name_valid(user)) {
		sls_log_event(&login->log, SLS_EV_FAILURE, NULL, "error", NULL,
			      "user name unsafe as a file name");
		return PAM_USER_UNKNOWN;
	}
	e = getpwnam_r(user, &pw, buf, sizeof(buf), &found);
	if (found != NULL) {
		uid_t uid = pw.pw_uid;

		if (sls_name_valid(pw.pw_name) && strlen(pw.pw_name) < sizeof(login->alias))
			snprintf(login->alias, sizeof(login->alias), "%s", pw.pw_name);
		/* a name NSS knows must have a uid NSS can name: else fail closed */
		e = getpwuid_r(uid, &pw, buf, sizeof(buf), &found);
		e = found == NULL ? EIO : e;
	}
	if (e != 0 && e != ENOENT && e != ESRCH) {
		sls_log_event(&login->log, SLS_EV_SYSTEM_ERROR, NULL, "error", NULL,
			      "cannot look the user up (NSS)");
		return PAM_SYSTEM_ERR;
	}
	if (found != NULL)
		user = found->pw_name;
	if (!sls_name_valid(user) || strlen(user) >= sizeof(login->user_buf))
		return PAM_USER_UNKNOWN;
	snprintf(login->user_buf, sizeof(login->user_buf), "%s", user);
	login->user = login->user_buf;
	if (strcmp(login->alias, login->user) == 0)
		login->alias[0] = '\0';
	return PAM_SUCCESS;
}

/*
 * An enrolment file under an alias of the uid (another passwd name, which
 * sls used to file under when root named it with --user) is never read:
 * the uid's own name is. Rather than pass such a user with nullok, deny,
 * and say in the log what to move where.
 */
static bool enrolled_under_alias(struct sls_login *login)
{
	struct stat st;

	if (login->alias[0] == '\0' ||
	    fstatat(login->store.users_fd, login->alias, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	sls_log_event(&login->log, SLS_EV_FILE_ERROR, NULL, "error", NULL,
		      "an enrolment file is under another name of the user's uid: rename it to the "
		      "uid's name (getent passwd UID)");
	sls_login_say(login, PAM_ERROR_MSG,
		      "The second factor cannot be checked now; ask an administrator.");
	return true;
}

static int file_error(struct sls_login *login, enum sls_rc rc, struct sls_diag *diag)
{
	if (rc == SLS_ERR_NOMEM)
		return PAM_BUF_ERR;
	sls_diag_errno(diag, rc, errno);
	sls_log_event(&login->log, SLS_EV_FILE_ERROR, NULL, "error", diag,
		      "store, enrolment or state file unsafe, corrupt or unreadable");
	sls_login_say(login, PAM_ERROR_MSG,
		      "The second factor cannot be checked now; ask an administrator.");
	return rc == SLS_ERR_UNSAFE ? PAM_SERVICE_ERR : PAM_SYSTEM_ERR;
}

/*
 * Store, enrolment and state. *enrolled is false when the user has no
 * enrolment file (or there is no store yet): the caller applies nullok.
 */
static int load_user(struct sls_login *login, bool *enrolled)
{
	struct sls_diag diag = {0};
	enum sls_rc rc;

	*enrolled = false;
	login->enrollment = calloc(1, sizeof(*login->enrollment));
	login->state = calloc(1, sizeof(*login->state));
	if (login->enrollment == NULL || login->state == NULL)
		return PAM_BUF_ERR;
	rc = sls_store_open(login->conf.store_dir, geteuid(), false, &login->store);
	if (rc == SLS_OK)
		rc = sls_userdb_load_user(&login->store, login->user, geteuid(), login->enrollment,
					  &diag);
	if (rc == SLS_ERR_NOENT)
		return enrolled_under_alias(login) ? PAM_SERVICE_ERR : PAM_SUCCESS;
	if (rc != SLS_OK)
		return file_error(login, rc, &diag);
	login->log.user = login->user; /* enrolled: a real user name, safe to log */
	*enrolled = true;
	rc = sls_userdb_load_state(&login->store, login->user, geteuid(), login->state, &diag);
	return rc == SLS_OK ? PAM_SUCCESS : file_error(login, rc, &diag);
}

/*
 * Active devices, none of them usable (expired, or of a type with no prompt
 * yet): a denial, even with nullok, which is for users without a second
 * factor, not for those whose second factor ran out or cannot be asked.
 */
static int none_usable(struct sls_login *login)
{
	if (login->nexpired > 0) {
		sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
			      "every second factor device is past its expiry");
		sls_login_say(login, PAM_ERROR_MSG,
			      "Your second factor device has expired; ask an administrator for a "
			      "new one.");
		return PAM_AUTH_ERR;
	}
	sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "no active device is of a type the login can ask");
	sls_login_say(login, PAM_ERROR_MSG,
		      "None of your second factor devices can be used to log in here; ask an "
		      "administrator.");
	return PAM_AUTH_ERR;
}

/* No usable device at all: nullok lets the user through, else a denial that says what to do. */
static int no_device(struct sls_login *login)
{
	if (login->opts.nullok || login->conf.nullok) {
		sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "ignore", NULL,
			      "no second factor device; nullok");
		return PAM_IGNORE;
	}
	sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "no second factor device");
	sls_login_say(login, PAM_ERROR_MSG,
		      "No second factor device is enrolled for you. Enroll one with "
		      "\"sls enroll ibkey\", or ask an administrator (sls enroll --user USER).");
	return PAM_AUTH_ERR;
}

/* Devices exist, but none this service accepts (min_level=, devices=). */
static int none_good_enough(struct sls_login *login)
{
	sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "no device meets the service's min_level or devices");
	if (login->opts.min_level > login->best_level)
		sls_login_say(login, PAM_ERROR_MSG,
			      "This service needs a second factor device of level %d or higher "
			      "(4: dsc, 3: ibkey, 2: totp); yours reach level %d.",
			      login->opts.min_level, login->best_level);
	else
		sls_login_say(login, PAM_ERROR_MSG,
			      "None of your second factor devices is accepted by this service.");
	return PAM_AUTH_ERR;
}

static int second_factor(struct sls_login *login)
{
	const struct sls_device *d;
	struct sls_attempt a;
	size_t choice = 0;
	uint64_t step = 0;
	int retval;

	if (login->state->locked_until > time(NULL)) {
		sls_log_event(&login->log, SLS_EV_LOCKED, NULL, "locked", NULL,
			      "refused: user is locked");
		sls_login_say_locked(login, login->state->locked_until);
		return PAM_MAXTRIES;
	}
	sls_login_usable(login);
	sls_login_debug(login, "%zu usable device(s) of %zu; best level %d, min_level %d",
			login->nusable, login->enrollment->ndevices, login->best_level,
			login->opts.min_level);
	if (login->best_level == 0)
		return login->nexpired + login->nunaskable > 0 ? none_usable(login)
							       : no_device(login);
	if (login->nusable == 0)
		return none_good_enough(login);
	if (login->nusable > 1 && (retval = sls_login_menu(login, &choice)) != PAM_SUCCESS)
		return retval;
	d = &login->enrollment->devices[login->usable[choice]];
	/* count before check: no prompt unless the attempt is recorded first */
	retval = sls_login_begin(login, d, &a);
	if (retval != PAM_SUCCESS)
		return retval;
	sls_log_event(&login->log, SLS_EV_DEVICE_OFFERED, d->name, "offered", NULL,
		      "device prompt shown");
	retval = sls_login_ask(login, d, &a, &step);
	sls_login_debug(login, "device %s answered: %s", d->name,
			retval == PAM_SUCCESS ? "right" : "not right");
	retval = sls_login_finish(login, d, &a, retval, step);
	sls_wipe(&a, sizeof(a));
	return retval;
}

/* What both stages read first: options, sls.conf, the user and the user's files. */
static int login_load(struct sls_login *login, pam_handle_t *pamh, int flags, int argc,
		      const char **argv, bool *enrolled)
{
	int retval;

	*enrolled = false;
	login_init(login, pamh, flags);
	retval = load_policy(login, argc, argv);
	if (retval == PAM_SUCCESS)
		retval = get_user(login);
	if (retval == PAM_SUCCESS)
		retval = load_user(login, enrolled);
	return retval;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sls_login login;
	bool enrolled;
	int retval;

	retval = login_load(&login, pamh, flags, argc, argv, &enrolled);
	if (retval == PAM_SUCCESS)
		retval = enrolled ? second_factor(&login) : no_device(&login);
	login_end(&login);
	return retval;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

/* The account stage denies a locked user, so that other auth paths cannot skip the lock. */
PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sls_login login;
	bool enrolled;
	int retval;

	retval = login_load(&login, pamh, flags, argc, argv, &enrolled);
	if (retval == PAM_SUCCESS && !enrolled)
		retval = PAM_IGNORE;
	if (retval == PAM_SUCCESS && login.state->locked_until > time(NULL)) {
		sls_log_event(&login.log, SLS_EV_LOCKED, NULL, "locked", NULL,
			      "account refused: user is locked");
		sls_login_say_locked(&login, login.state->locked_until);
		retval = PAM_PERM_DENIED;
	}
	login_end(&login);
	return retval;
}
