/*
 * pam_sls - one call of a PAM entry point, whoever hosts it: the module
 * in-process, or slsd for a call the module relays (module.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_modules.h>

#include "module.h"

void sls_login_init(struct sls_login *login, const char *ident)
{
	memset(login, 0, sizeof(*login));
	login->store.dirfd = login->store.users_fd = -1;
	login->store.state_fd = login->store.lock_fd = -1;
	login->log.ident = ident;
	login->log.hold = &login->hold;
	login->conf_default = SLS_CONFIG_DEFAULT_PATH;
}

void sls_login_say(struct sls_login *login, enum sls_say_kind kind, const char *text)
{
	login->ui.say(login->ui.ctx, kind, text);
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
	char group[SLS_USER_NAME_MAX + 1];
	struct sls_diag diag = {0};
	const char *path;
	enum sls_rc rc;

	if (sls_module_opts_parse(argc, argv, &login->opts, &diag) != SLS_OK) {
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", &diag,
			      "bad option on the PAM line");
		return PAM_SERVICE_ERR;
	}
	login->log.debug = login->opts.debug;
	if (login->only_self && login->opts.conf != NULL &&
	    strcmp(login->opts.conf, login->conf_default) != 0) {
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", NULL,
			      "a caller without root named its own sls.conf (conf=): refused");
		return PAM_SERVICE_ERR;
	}
	path = login->opts.conf ? login->opts.conf : login->conf_default;
	rc = sls_config_load(path, geteuid(), &login->conf, &diag);
	if (rc != SLS_OK &&
	    !(rc == SLS_ERR_NOENT && login->opts.conf == NULL && !login->conf_named)) {
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", &diag,
			      "sls.conf missing, unsafe or malformed");
		return PAM_SERVICE_ERR;
	}
	if (!sls_policy_groups_exist(&login->conf, group, sizeof(group))) {
		sls_diag_set(&diag, 0, "[policy] mandatory_groups: no group %s", group);
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", &diag,
			      "sls.conf names a mandatory group that does not exist");
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * slsd for a caller without root: its own uid's user, or no one. The name
 * was canonicalised through NSS first, so an alias of the caller's uid is
 * the caller, and another uid's is not whatever it is spelt like.
 */
static int only_self(struct sls_login *login)
{
	if (!login->only_self || (login->known && login->uid == login->self_uid))
		return PAM_SUCCESS;
	sls_log_event(&login->log, SLS_EV_FAILURE, NULL, "failure", NULL,
		      "a caller without root asked to verify another user: refused");
	sls_login_say(login, SLS_SAY_ERROR, _("Only your own second factor can be checked here."));
	return PAM_PERM_DENIED;
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
static int get_user(struct sls_login *login, const char *user)
{
	struct passwd pw, *found = NULL;
	char buf[16384];
	int e;

	if (user == NULL)
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
	if (found != NULL) {
		user = found->pw_name;
		login->uid = found->pw_uid;
	}
	if (!sls_name_valid(user) || strlen(user) >= sizeof(login->user_buf))
		return PAM_USER_UNKNOWN;
	login->known = found != NULL;
	snprintf(login->user_buf, sizeof(login->user_buf), "%s", user);
	login->user = login->user_buf;
	/* the passwd name of a user of the system; never a name NSS does not know */
	if (login->known)
		login->log.user = login->user;
	if (strcmp(login->alias, login->user) == 0)
		login->alias[0] = '\0';
	return only_self(login);
}

/*
 * An enrolment file under an alias of the uid (another passwd name, which
 * sls used to file under when root named it with --user) is never read:
 * the uid's own name is. Rather than pass such a user with nullok, deny,
 * and say in the log what to move where.
 */
static bool enrolled_under_alias(struct sls_login *login)
{
	struct sls_diag diag = {0};
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	enum sls_rc rc;

	if (login->alias[0] == '\0')
		return false;
	/* a database: a row under the alias (one that does not open, or an error: deny too) */
	if (login->store.backend != NULL) {
		rc = sls_userdb_load_text(&login->store, false, login->alias, geteuid(), &text,
					  &len, &diag);
		if (text != NULL)
			sls_free_secret(text, len + 1);
		if (rc == SLS_ERR_NOENT)
			return false;
	} else if (fstatat(login->store.users_fd, login->alias, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return false;
	}
	sls_log_event(&login->log, SLS_EV_FILE_ERROR, NULL, "error", NULL,
		      "an enrolment file is under another name of the user's uid: rename it to the "
		      "uid's name (getent passwd UID)");
	sls_login_say(login, SLS_SAY_ERROR,
		      _("The second factor cannot be checked now; ask an administrator."));
	return true;
}

/*
 * The store's database could not be reached, or failed a statement (or
 * took longer than db_timeout): not the user's failure, and not a pass.
 */
static int database_error(struct sls_login *login, struct sls_diag *diag)
{
	sls_log_event(&login->log, SLS_EV_SYSTEM_ERROR, NULL, "error", diag,
		      "the store's database cannot be reached or failed: denied");
	sls_login_say(login, SLS_SAY_ERROR,
		      _("The second factor cannot be checked now; ask an administrator."));
	return PAM_AUTHINFO_UNAVAIL;
}

bool sls_login_may_fail_open(const struct sls_login *login)
{
	/* the module without root has not read sls.conf; slsd's caller without root names its
	 * own service */
	bool root_caller = login->pamh != NULL ? geteuid() == 0 : !login->only_self;

	return root_caller && sls_policy_fails_open(&login->conf, login->log.service);
}

void sls_login_fail_open(struct sls_login *login, const struct sls_diag *why)
{
	sls_log_event(&login->log, SLS_EV_FAIL_OPEN, NULL, "ignore", why,
		      "the store is out of reach and sls.conf has failmode = open for this "
		      "service: let through without the second factor");
	sls_login_say(login, SLS_SAY_INFO,
		      _("The second factor cannot be checked now; this service lets you in "
			"without it."));
}

static int file_error(struct sls_login *login, enum sls_rc rc, struct sls_diag *diag)
{
	if (rc == SLS_ERR_NOMEM)
		return PAM_BUF_ERR;
	if (rc == SLS_ERR_IO && login->conf.backend != SLS_BACKEND_FILES)
		return database_error(login, diag);
	sls_diag_errno(diag, rc, errno);
	sls_log_event(&login->log, SLS_EV_FILE_ERROR, NULL, "error", diag,
		      "store, enrolment or state file unsafe, corrupt or unreadable");
	sls_login_say(login, SLS_SAY_ERROR,
		      _("The second factor cannot be checked now; ask an administrator."));
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
	if (login->open_store == NULL && login->conf.backend != SLS_BACKEND_FILES) {
		/* in-process (a store of the caller's own): the database is slsd's alone */
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", NULL,
			      "[store] backend is not files: only slsd reaches it");
		return PAM_SERVICE_ERR;
	}
	rc = login->open_store != NULL
		 ? login->open_store(login, &diag)
		 : sls_store_open(login->conf.store_dir, geteuid(), false, &login->store);
	/* a database that cannot be opened is never "no enrolment" (nullok) */
	if (rc != SLS_OK && login->conf.backend != SLS_BACKEND_FILES) {
		/* out of reach before anything was asked: failmode; a bad key or schema: never */
		if (rc == SLS_ERR_IO && login->store_unreachable != NULL &&
		    sls_login_may_fail_open(login) && login->store_unreachable(login)) {
			sls_login_fail_open(login, &diag);
			return PAM_IGNORE;
		}
		return file_error(login, rc == SLS_ERR_NOENT ? SLS_ERR_UNSAFE : rc, &diag);
	}
	if (rc == SLS_OK)
		rc = sls_userdb_load_user(&login->store, login->user, geteuid(), login->enrollment,
					  &diag);
	if (rc == SLS_ERR_NOENT)
		return enrolled_under_alias(login) ? PAM_SERVICE_ERR : PAM_SUCCESS;
	if (rc != SLS_OK)
		return file_error(login, rc, &diag);
	*enrolled = true;
	rc = sls_userdb_load_state(&login->store, login->user, geteuid(), login->state, &diag);
	return rc == SLS_OK ? PAM_SUCCESS : file_error(login, rc, &diag);
}

static int no_device(struct sls_login *login);

/* What the flow decided, as PAM says it. */
static int pam_result(struct sls_login *login, const struct sls_outcome *out)
{
	switch (out->verdict) {
	case SLS_VERDICT_SUCCESS:
		return PAM_SUCCESS;
	case SLS_VERDICT_LOCKED:
		return PAM_MAXTRIES;
	case SLS_VERDICT_NO_DEVICE:
		return no_device(login);
	case SLS_VERDICT_CONV:
		return PAM_CONV_ERR;
	case SLS_VERDICT_UNAVAILABLE: /* the SMS gateway failed: not the user's failure */
		return PAM_AUTHINFO_UNAVAIL;
	case SLS_VERDICT_ERROR:
		if (out->rc == SLS_ERR_NOMEM)
			return PAM_BUF_ERR;
		if ((out->rc == SLS_ERR_IO || out->rc == SLS_ERR_LOCK) &&
		    login->conf.backend != SLS_BACKEND_FILES)
			return database_error(login, NULL);
		sls_login_say(login, SLS_SAY_ERROR,
			      _("The second factor cannot be checked now; ask an administrator."));
		return out->rc == SLS_ERR_UNSAFE ? PAM_SERVICE_ERR : PAM_SYSTEM_ERR;
	default:
		return PAM_AUTH_ERR;
	}
}

/* The common login flow (sls_flow.h), through the PAM conversation. */
static struct sls_flow login_flow(struct sls_login *login)
{
	struct sls_flow flow = {
	    .conf = &login->conf,
	    .store = &login->store,
	    .owner = geteuid(),
	    .user = login->user,
	    .ui = &login->ui,
	    .log = &login->log,
	    .min_level = login->opts.min_level,
	    .type_mask = login->opts.types,
	    .debug = login->opts.debug ? login->debug : NULL,
	    .debug_arg = login->debug_arg,
	};

	return flow;
}

static void run_flow(struct sls_login *login, struct sls_outcome *out)
{
	struct sls_flow flow = login_flow(login);

	sls_flow_login(&flow, login->enrollment, login->state, out);
}

/*
 * No device at all: enrolment inside the login where sls.conf asks for it;
 * else nullok lets the user through; else a denial that says what to do.
 */
static int no_device(struct sls_login *login)
{
	struct sls_outcome out;
	struct sls_flow flow;

	/* a caller without root has shown no password: it may not enrol a first device */
	if (login->conf.enroll_at_login && !login->only_self) {
		/* sshd asks PAM for names no one has: none may leave a file behind */
		if (!login->known) {
			sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
				      "not a user of this system: no enrolment at login");
			return PAM_USER_UNKNOWN;
		}
		flow = login_flow(login);
		sls_flow_enroll(&flow, login->enrollment, &out);
		return out.verdict == SLS_VERDICT_NO_DEVICE ? PAM_AUTH_ERR
							    : pam_result(login, &out);
	}
	if (login->opts.nullok || login->conf.nullok) {
		sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "ignore", NULL,
			      "no second factor device; nullok");
		return PAM_IGNORE;
	}
	sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "no second factor device");
	sls_login_say(login, SLS_SAY_ERROR,
		      _("No second factor device is enrolled for you. Enroll one with "
			"\"sls enroll ibkey\", or ask an administrator (sls enroll --user USER)."));
	return PAM_AUTH_ERR;
}

/*
 * A user who opted out (and whom sls.conf still lets: sls_policy_opted_out)
 * passes where the service asks no min_level: PAM_SUCCESS, not
 * PAM_IGNORE, so that a required stack of pam_sls alone behaves. Where it
 * asks one, the user answers as anyone would; with no device, they are
 * told how to come back.
 */
static int opted_out(struct sls_login *login)
{
	struct sls_outcome out;

	if (login->opts.min_level == 0) {
		sls_log_event(&login->log, SLS_EV_OPTOUT, NULL, "success", NULL,
			      "user opted out: no second factor asked here");
		return PAM_SUCCESS;
	}
	run_flow(login, &out);
	if (out.verdict != SLS_VERDICT_NO_DEVICE)
		return pam_result(login, &out);
	sls_log_event(&login->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "opted-out user has no device for a service with min_level");
	sls_login_say(login, SLS_SAY_ERROR,
		      _("This service asks a second factor even of users who opted out, and you "
			"have no device: run \"sls optin\" and enroll one (sls enroll ibkey)."));
	return PAM_AUTH_ERR;
}

static int second_factor(struct sls_login *login)
{
	struct sls_outcome out;

	if (sls_policy_opted_out(&login->conf, login->user, login->enrollment))
		return opted_out(login);
	run_flow(login, &out);
	return pam_result(login, &out);
}

/* The name of a PAM return code, for the journal (SLS_PAM_RESULT). */
static const char *pam_code_name(int retval)
{
	switch (retval) {
	case PAM_SUCCESS:
		return "PAM_SUCCESS";
	case PAM_AUTH_ERR:
		return "PAM_AUTH_ERR";
	case PAM_PERM_DENIED:
		return "PAM_PERM_DENIED";
	case PAM_IGNORE:
		return "PAM_IGNORE";
	case PAM_USER_UNKNOWN:
		return "PAM_USER_UNKNOWN";
	case PAM_MAXTRIES:
		return "PAM_MAXTRIES";
	case PAM_CONV_ERR:
		return "PAM_CONV_ERR";
	case PAM_AUTHINFO_UNAVAIL:
		return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SERVICE_ERR:
		return "PAM_SERVICE_ERR";
	case PAM_SYSTEM_ERR:
		return "PAM_SYSTEM_ERR";
	case PAM_BUF_ERR:
		return "PAM_BUF_ERR";
	default:
		return "PAM_OTHER";
	}
}

/*
 * Every return of pam_sm_authenticate and pam_sm_acct_mgmt goes through
 * here: exactly one journal entry for the call (the decision its events
 * made, or, when none was logged, one read off retval), then the files are
 * let go.
 */
static int finish(struct sls_login *login, int retval, bool account)
{
	const char *code = pam_code_name(retval);

	switch (retval) {
	case PAM_SUCCESS:
		if (account)
			sls_log_decision(&login->log, code, SLS_EV_ACCOUNT, "success",
					 "account stage: the user is not locked");
		else
			sls_log_decision(&login->log, code, SLS_EV_SUCCESS, "success",
					 "second factor accepted");
		break;
	case PAM_IGNORE:
		sls_log_decision(&login->log, code, SLS_EV_NO_DEVICE, "ignore",
				 "no enrolment: pam_sls leaves the user to the other modules");
		break;
	case PAM_CONV_ERR:
		sls_log_decision(&login->log, code, SLS_EV_FAILURE, "failure",
				 "the conversation ended without an answer");
		break;
	case PAM_USER_UNKNOWN:
		sls_log_decision(&login->log, code, SLS_EV_FAILURE, "failure",
				 "no user name PAM could give, or not one the store can hold");
		break;
	case PAM_BUF_ERR:
		sls_log_decision(&login->log, code, SLS_EV_SYSTEM_ERROR, "error", "out of memory");
		break;
	case PAM_AUTHINFO_UNAVAIL:
		sls_log_decision(&login->log, code, SLS_EV_SMS_FAILED, "error",
				 "the device's code could not be sent: not the user's failure");
		break;
	case PAM_SERVICE_ERR:
	case PAM_SYSTEM_ERR:
		sls_log_decision(&login->log, code, SLS_EV_SYSTEM_ERROR, "error",
				 "denied: an error of the system or the configuration");
		break;
	default:
		sls_log_decision(&login->log, code, SLS_EV_FAILURE, "failure", "denied");
		break;
	}
	login_end(login);
	return retval;
}

/* What both stages read first: options, sls.conf, the user and the user's files. */
static int login_policy(struct sls_login *login, int argc, const char **argv)
{
	if (!sls_crypto_guest()) {
		sls_log_event(&login->log, SLS_EV_SYSTEM_ERROR, NULL, "error", NULL,
			      "OpenSSL could not be started");
		return PAM_SYSTEM_ERR;
	}
	return load_policy(login, argc, argv);
}

/* After login_policy: the user and the user's files. */
static int login_load(struct sls_login *login, int retval, bool *enrolled)
{
	const char *name = NULL;

	*enrolled = false;
	if (retval == PAM_SUCCESS && login->get_user(login, &name) != PAM_SUCCESS)
		name = NULL;
	if (retval == PAM_SUCCESS)
		retval = get_user(login, name);
	if (retval == PAM_SUCCESS)
		retval = load_user(login, enrolled);
	return retval;
}

/* The account stage denies a locked user, so that other auth paths cannot skip the lock. */
static int account(struct sls_login *login)
{
	if (login->state->locked_until <= time(NULL))
		return PAM_SUCCESS;
	sls_log_event(&login->log, SLS_EV_LOCKED, NULL, "locked", NULL,
		      "account refused: user is locked");
	sls_flow_say_locked(&login->ui, login->state->locked_until);
	return PAM_PERM_DENIED;
}

int sls_login_run(struct sls_login *login, enum sls_wire_stage stage, int argc, const char **argv)
{
	bool enrolled;
	int retval = login_policy(login, argc, argv);

	if (retval == PAM_SUCCESS && login->relay != NULL &&
	    login->conf.backend != SLS_BACKEND_FILES) {
		retval = login->relay(login, stage, argc, argv);
		login_end(login);
		return retval;
	}
	retval = login_load(login, retval, &enrolled);
	if (retval == PAM_SUCCESS && stage == SLS_WIRE_ACCOUNT)
		retval = enrolled ? account(login) : PAM_IGNORE;
	else if (retval == PAM_SUCCESS)
		retval = enrolled ? second_factor(login) : no_device(login);
	return finish(login, retval, stage == SLS_WIRE_ACCOUNT);
}
