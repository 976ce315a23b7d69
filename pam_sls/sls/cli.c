/* sls - what every verb shares: privileges, the caller, sls.conf, the store, transactions. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pgstore.h"

/* ---- privileges --------------------------------------------------------------- */

/* Root's uid and gid, so that store files are root:root (when setuid); errno kept. */
void sls_cli_store_enter(const struct sls_cli *cli)
{
	int saved = errno;

	if (cli->setuid && (seteuid(0) != 0 || setegid(0) != 0))
		err(SLS_EXIT_STORE, _("cannot regain the privileges for the store"));
	errno = saved;
}

void sls_cli_store_leave(const struct sls_cli *cli)
{
	int saved = errno;

	/* Failing to give root up again must not go on: stop right here. */
	if (cli->setuid && (setegid(cli->rgid) != 0 || seteuid(cli->ruid) != 0))
		abort();
	errno = saved;
}

enum sls_rc sls_cli_as_store(struct sls_cli *cli, sls_cli_store_fn fn, void *arg)
{
	enum sls_rc rc;

	sls_cli_store_enter(cli);
	rc = fn(cli, arg);
	sls_cli_store_leave(cli);
	return rc;
}

uid_t sls_store_owner(const struct sls_cli *cli)
{
	return cli->setuid ? 0 : geteuid();
}

/* ---- the caller, sls.conf and the store ------------------------------------------------ */

static void who_am_i(struct sls_cli *cli)
{
	struct passwd *pw = getpwuid(cli->ruid);

	if (pw == NULL || !sls_name_valid(pw->pw_name) ||
	    strlen(pw->pw_name) >= sizeof(cli->caller))
		errx(SLS_EXIT_PERM, _("your user id %u has no usable user name"),
		     (unsigned)cli->ruid);
	snprintf(cli->caller, sizeof(cli->caller), "%s", pw->pw_name);
}

bool sls_cli_uid_name(const char *name, char *out, size_t size)
{
	struct passwd *pw = getpwnam(name);

	pw = pw != NULL ? getpwuid(pw->pw_uid) : NULL;
	if (pw == NULL || !sls_name_valid(pw->pw_name) || strlen(pw->pw_name) >= size)
		return false;
	snprintf(out, size, "%s", pw->pw_name);
	return true;
}

/* Whom the verb acts on: --user (root only), else the caller. */
static void pick_user(struct sls_cli *cli)
{
	const char *user = cli->user_opt;

	if (user == NULL) {
		snprintf(cli->user, sizeof(cli->user), "%s", cli->caller);
		return;
	}
	if (cli->ruid != 0)
		errx(SLS_EXIT_PERM, _("only root may act on another user (--user)"));
	if (!sls_name_valid(user) || strlen(user) >= sizeof(cli->user))
		errx(SLS_EXIT_INPUT, _("invalid user name (no '/', control characters or spaces)"));
	if (!sls_cli_uid_name(user, cli->user, sizeof(cli->user)))
		errx(SLS_EXIT_NOTFOUND, _("no such user: %s"), user);
}

/*
 * A user running a sls that is not setuid root cannot use root's sls.conf
 * or store: say that, and what to do, rather than call root's files unsafe.
 * Returns when path is not root's, or sls runs as root or setuid.
 */
static void needs_root(const struct sls_cli *cli, const char *path)
{
	int saved = errno; /* what the caller reports when this returns */
	struct stat st;

	if (cli->setuid || geteuid() == 0 || lstat(path, &st) != 0 || st.st_uid != 0) {
		errno = saved;
		return;
	}
	errx(SLS_EXIT_PERM,
	     /* TRANSLATORS: %s is root's file or directory; then the user and the command to run */
	     _("%s is root's, and this sls runs as you: it is not installed setuid root "
	       "(configure --enable-setuid, see sls(8)). Ask an administrator to run: "
	       "sls --user %s %s"),
	     path, cli->user, cli->verb_name);
}

void sls_cli_why(enum sls_rc rc, int errnum, char *out, size_t size)
{
	if (rc == SLS_ERR_UNSAFE)
		snprintf(out, size,
			 /* TRANSLATORS: %s says what is wrong with a file or directory */
			 _("%s (it must be owned by root, and it and every directory above it "
			   "writable by no one else)"),
			 sls_strerror_errno(rc, errnum));
	else
		snprintf(out, size, "%s", sls_strerror_errno(rc, errnum));
}

struct config_load {
	const char *path;
	struct sls_diag diag;
};

/* root's file (--conf is refused when setuid), which may be 0600 */
static enum sls_rc load_config_cb(struct sls_cli *cli, void *arg)
{
	struct config_load *c = arg;

	return sls_config_load(c->path, sls_store_owner(cli), &cli->conf, &c->diag);
}

static void load_config(struct sls_cli *cli)
{
	struct config_load c = {.path = cli->conf_path ? cli->conf_path : SLS_CONFIG_DEFAULT_PATH};
	enum sls_rc rc = sls_cli_as_store(cli, load_config_cb, &c);
	char group[SLS_USER_NAME_MAX + 1], why[512];

	if (rc == SLS_OK || (rc == SLS_ERR_NOENT && cli->conf_path == NULL)) {
		if (!sls_policy_groups_exist(&cli->conf, group, sizeof(group)))
			errx(SLS_EXIT_STORE,
			     /* TRANSLATORS: sls.conf's path, then a group name */
			     _("%s: [policy] mandatory_groups names %s, which is no group"), c.path,
			     group);
		return;
	}
	if (rc == SLS_ERR_INVAL && c.path[0] != '/')
		errx(SLS_EXIT_USAGE, _("--conf %s: give the file's absolute path"), c.path);
	if (rc == SLS_ERR_FORMAT)
		errx(SLS_EXIT_STORE, "%s:%d: %s", c.path, c.diag.line, c.diag.msg);
	if (rc == SLS_ERR_UNSAFE || rc == SLS_ERR_IO)
		needs_root(cli, c.path);
	sls_cli_why(rc, errno, why, sizeof(why));
	errx(SLS_EXIT_STORE, "%s: %s", c.path, why);
}

static enum sls_rc open_store_cb(struct sls_cli *cli, void *arg)
{
	return sls_pg_store_open(&cli->conf, sls_store_owner(cli), true, &cli->store, arg);
}

/* Open the store (creating it as needed). */
static int open_store(struct sls_cli *cli)
{
	struct sls_diag diag = {0};
	enum sls_rc rc = sls_cli_as_store(cli, open_store_cb, &diag);
	char why[512];

	if (rc == SLS_OK)
		return SLS_EXIT_OK;
	if (cli->conf.backend != SLS_BACKEND_FILES) {
		/* TRANSLATORS: what went wrong, then the database's own word (not translated) */
		warnx(_("the store's database: %s (%s)"), sls_strerror(rc), diag.msg);
		return SLS_EXIT_STORE;
	}
	if (rc == SLS_ERR_UNSAFE || rc == SLS_ERR_IO)
		needs_root(cli, cli->conf.store_dir);
	sls_cli_why(rc, errno, why, sizeof(why));
	/* TRANSLATORS: the store's directory, then what is wrong with it */
	warnx(_("store %s: %s"), cli->conf.store_dir, why);
	return SLS_EXIT_STORE;
}

int sls_cli_start_config(struct sls_cli *cli)
{
	if (cli->conf_path != NULL && cli->setuid)
		errx(SLS_EXIT_PERM, _("--conf is refused when sls runs setuid for a user"));
	who_am_i(cli);
	pick_user(cli);
	load_config(cli);
	cli->log.actor = cli->caller;
	cli->log.user = cli->verb->root_only ? NULL : cli->user; /* root verbs check USER first */
	return SLS_EXIT_OK;
}

int sls_cli_start(struct sls_cli *cli)
{
	sls_cli_start_config(cli);
	return open_store(cli);
}

/* ---- the command line ------------------------------------------------------------ */

int sls_cli_getopt(struct sls_cli *cli, int argc, char **argv, const struct option *longopts)
{
	int c;

	opterr = 0; /* getopt would name the verb as the program */
	for (;;) {
		c = getopt_long(argc, argv, "", longopts, NULL);
		if (c == 'C') {
			cli->conf_path = optarg;
		} else if (c == 'U') {
			cli->user_opt = optarg;
		} else if (c == 'H') {
			sls_cli_usage_all(0);
		} else if (c == '?' || c == ':') {
			char opt[3] = {'-', (char)optopt, '\0'};
			const char *typed = argv[optind - 1];

			/*
			 * A long option is the word before optind; an unknown short one
			 * ("-games": -g) is optopt, its word still being read.
			 */
			if (strncmp(typed, "--", 2) != 0 && optopt > 0 && optopt < 0x7f)
				typed = opt;
			/* TRANSLATORS: a command ("phone set"), then an option as typed */
			warnx(_("%s does not take %s, or it needs a value"), cli->verb_name, typed);
			sls_cli_usage(cli);
		} else {
			return c;
		}
	}
}

int sls_cli_run_args(struct sls_cli *cli, int argc, char **argv, int nargs,
		     int (*fn)(struct sls_cli *cli, char **args))
{
	static const struct option longopts[] = {SLS_COMMON_OPTIONS};
	int status;

	while (sls_cli_getopt(cli, argc, argv, longopts) != -1)
		;
	if (argc - optind != nargs)
		sls_cli_usage(cli);
	status = sls_cli_start(cli);
	return status == SLS_EXIT_OK ? fn(cli, argv + optind) : status;
}

int sls_cli_parse_fd(const char *s, const char *option)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1024)
		/* TRANSLATORS: an option ("--pin-fd"), then the value given to it */
		errx(SLS_EXIT_USAGE, _("invalid %s %s"), option, s);
	return (int)v;
}

/* ---- the user's files ------------------------------------------------------------- */

static enum sls_rc has_enrollment_cb(struct sls_cli *cli, void *arg)
{
	struct stat st;

	(void)arg;
	if (cli->store.backend != NULL) { /* a database: a row of the user's */
		struct sls_user *u = calloc(1, sizeof(*u));
		struct sls_diag diag = {0};
		enum sls_rc rc = u != NULL
				     ? sls_userdb_load_user(&cli->store, cli->user, 0, u, &diag)
				     : SLS_ERR_NOMEM;

		if (u != NULL)
			sls_user_clear(u);
		free(u);
		return rc == SLS_OK ? SLS_OK : SLS_ERR_NOENT;
	}
	return fstatat(cli->store.users_fd, cli->user, &st, AT_SYMLINK_NOFOLLOW) == 0
		   ? SLS_OK
		   : SLS_ERR_NOENT;
}

int sls_cli_target_user(struct sls_cli *cli, const char *name)
{
	if (cli->user_opt != NULL)
		sls_cli_usage(cli);
	if (!sls_name_valid(name) || strlen(name) >= sizeof(cli->user)) {
		warnx(_("invalid user name (no '/', control characters or spaces)"));
		return SLS_EXIT_INPUT;
	}
	if (sls_cli_uid_name(name, cli->user, sizeof(cli->user))) {
		cli->log.user = cli->user; /* a user of the system: named in the journal */
		return SLS_EXIT_OK;
	}
	snprintf(cli->user, sizeof(cli->user), "%s", name);
	if (sls_cli_as_store(cli, has_enrollment_cb, NULL) != SLS_OK) {
		warnx(_("no such user: %s"), cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	return SLS_EXIT_OK;
}

int sls_cli_lock_error(struct sls_cli *cli)
{
	pid_t holder;

	sls_cli_store_enter(cli);
	holder = sls_lock_holder(cli->store.lock_fd, cli->user);
	sls_cli_store_leave(cli);
	if (holder > 0)
		/* TRANSLATORS: a user name, then a process id (twice) */
		warnx(_("the lock of %s is held by process %ld; nothing was changed (stop that "
			"process, e.g. kill %ld, and try again)"),
		      cli->user, (long)holder, (long)holder);
	else
		warnx(_("the lock of %s is held by another process; nothing was changed"),
		      cli->user);
	sls_log_event(&cli->log, SLS_EV_SYSTEM_ERROR, NULL, "error", NULL,
		      "user's lock held too long; nothing changed");
	return SLS_EXIT_STORE;
}

int sls_cli_file_error(struct sls_cli *cli, const char *what, enum sls_rc rc,
		       const struct sls_diag *diag)
{
	int errnum = errno; /* of the failing call: ENOSPC, EROFS... */

	if (rc == SLS_ERR_FORMAT && diag != NULL)
		/* TRANSLATORS: a file's path and line number: what is wrong there */
		warnx(_("%s/%s/%s:%d: %s (the file was left as it is)"), cli->conf.store_dir, what,
		      cli->user, diag->line, diag->msg);
	else
		warnx("%s/%s/%s: %s", cli->conf.store_dir, what, cli->user,
		      sls_strerror_errno(rc, errnum));
	sls_log_event(&cli->log, SLS_EV_FILE_ERROR, NULL, "error", diag,
		      "enrolment or state file unusable");
	return rc == SLS_ERR_NOMEM ? SLS_EXIT_USAGE : SLS_EXIT_STORE;
}

void sls_cli_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, size, "-");
}

struct file_load {
	struct sls_user *user;
	struct sls_state *state;
	struct sls_diag diag;
};

static enum sls_rc load_user_cb(struct sls_cli *cli, void *arg)
{
	struct file_load *l = arg;

	return sls_userdb_load_user(&cli->store, cli->user, sls_store_owner(cli), l->user,
				    &l->diag);
}

static enum sls_rc load_state_cb(struct sls_cli *cli, void *arg)
{
	struct file_load *l = arg;

	return sls_userdb_load_state(&cli->store, cli->user, sls_store_owner(cli), l->state,
				     &l->diag);
}

int sls_cli_read_user(struct sls_cli *cli, struct sls_user *user, bool missing_ok)
{
	struct file_load l = {.user = user};
	enum sls_rc rc = sls_cli_as_store(cli, load_user_cb, &l);

	if (rc == SLS_OK || (rc == SLS_ERR_NOENT && missing_ok))
		return SLS_EXIT_OK;
	if (rc == SLS_ERR_NOENT) {
		warnx(_("%s has no devices"), cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	return sls_cli_file_error(cli, "users", rc, &l.diag);
}

/* The state file, read without the lock (it is only ever replaced whole). */
int sls_cli_read_state(struct sls_cli *cli, struct sls_state *state)
{
	struct file_load l = {.state = state};
	enum sls_rc rc = sls_cli_as_store(cli, load_state_cb, &l);

	return rc == SLS_OK ? SLS_EXIT_OK : sls_cli_file_error(cli, "state", rc, &l.diag);
}

int sls_cli_view(struct sls_cli *cli, sls_cli_view_fn fn, void *arg)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	struct sls_state *state = calloc(1, sizeof(*state));
	int status;

	if (user == NULL || state == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	status = sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK)
		status = sls_cli_read_state(cli, state);
	if (status == SLS_EXIT_OK)
		status = fn(cli, user, state, arg);
	sls_user_clear(user);
	sls_state_clear(state);
	free(user);
	free(state);
	return status;
}

int sls_cli_with_user(struct sls_cli *cli, bool missing_ok, sls_cli_user_fn fn, void *arg)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	int status;

	if (user == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	status = sls_cli_read_user(cli, user, missing_ok);
	if (status == SLS_EXIT_OK)
		status = fn(cli, user, arg);
	sls_user_clear(user);
	free(user);
	return status;
}

void sls_cli_stand_ins_revoked(struct sls_cli *cli, FILE *out, size_t n)
{
	if (n == 0)
		return;
	sls_log_event(&cli->log, SLS_EV_TEMPCODE, NULL, "success", NULL,
		      "temporary passcode revoked: a device was activated");
	fprintf(out,
		_("The temporary passcode of %s is revoked: a device of their own is active.\n"),
		cli->user);
}

/* ---- transactions ------------------------------------------------------------------ */

void sls_cli_later(struct sls_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->later[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(cli->later, sizeof(cli->later), fmt, ap);
	va_end(ap);
}

void sls_cli_say_later(struct sls_cli *cli)
{
	if (cli->later[0] != '\0')
		warnx("%s", cli->later);
	cli->later[0] = '\0';
}

/* One transaction's store work, and what went wrong in it. */
struct txn_work {
	struct sls_txn t;
	unsigned what;
	int errnum; /* the errno of a failing step */
	struct sls_diag diag;
};

static enum sls_rc txn_begin_cb(struct sls_cli *cli, void *arg)
{
	struct txn_work *w = arg;
	enum sls_rc rc =
	    sls_txn_begin(&w->t, &cli->store, cli->user, sls_store_owner(cli), w->what, &w->diag);

	w->errnum = errno;
	return rc;
}

static enum sls_rc txn_commit_cb(struct sls_cli *cli, void *arg)
{
	struct txn_work *w = arg;
	enum sls_rc rc = sls_txn_commit(&w->t);

	(void)cli;
	w->errnum = errno;
	return rc;
}

/* fn, once what it needs is known to be there. */
static int transact_locked(struct sls_cli *cli, struct sls_txn *t, unsigned load, sls_cli_txn_fn fn,
			   void *arg)
{
	if ((load & SLS_CLI_USER) && !t->user_exists) {
		sls_cli_later(cli, _("%s has no devices"), cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	return fn(cli, t, arg);
}

int sls_cli_transact(struct sls_cli *cli, unsigned load, sls_cli_txn_fn fn, void *arg)
{
	struct txn_work w = {
	    .what = (load & (SLS_CLI_USER | SLS_CLI_NEW_USER) ? SLS_TXN_USER : 0) |
		    (load & SLS_CLI_STATE ? SLS_TXN_STATE : 0),
	};
	int status = SLS_EXIT_STORE;
	enum sls_rc rc;

	cli->later[0] = '\0';
	rc = sls_cli_as_store(cli, txn_begin_cb, &w);
	if (rc == SLS_OK)
		status = transact_locked(cli, &w.t, load, fn, arg);
	if (rc == SLS_OK && status == SLS_EXIT_OK)
		rc = sls_cli_as_store(cli, txn_commit_cb, &w);
	if (status == SLS_EXIT_OK && rc != SLS_OK)
		cli->later[0] = '\0'; /* it spoke of a change that was not written */
	sls_txn_end(&w.t);            /* the lock is gone: now messages may block */
	sls_cli_say_later(cli);
	if (rc == SLS_ERR_LOCK)
		return sls_cli_lock_error(cli);
	if (rc != SLS_OK) {
		errno = w.errnum;
		return sls_cli_file_error(cli, w.t.failed ? w.t.failed : "lock", rc, &w.diag);
	}
	return status;
}

void sls_cli_cell(FILE *out, const char *s, int width)
{
	fputs(s, out);
	for (int cols = sls_text_width(s); cols < width; cols++)
		fputc(' ', out);
}
