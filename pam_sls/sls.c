/* sls - the server-side tool: enrolment, devices, status and unlock. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sls_cli.h"
#include "sls_opts.h"

#define UNSAFE_PATH_HINT                                                                           \
	" (it must be owned by root, and it and every directory above it writable by no one "      \
	"else)"

static void __attribute__((noreturn)) usage(int status)
{
	FILE *out = status == 0 ? stdout : stderr;

	fprintf(out,
		"usage: sls [--conf FILE] [--user USER] COMMAND [ARGS]\n"
		"  enroll ibkey|dsc|totp [--name NAME] [--label TEXT] [--png FILE] [--svg FILE]\n"
		"                        [--pin-fd N]\n"
		"  devices                 list your devices\n"
		"  revoke NAME [--force]   revoke a device\n"
		"  status USER             (root) devices, failures, lock\n"
		"  unlock USER             (root) clear a lock and the failures\n"
		"  --help | --version\n");
	exit(status);
}

/*
 * Root's uid and gid, so that store files are root:root. Both brackets keep
 * errno: what failed in between is reported after them.
 */
bool sls_priv_store(const struct sls_cli *cli)
{
	int saved = errno;
	bool ok = !cli->setuid || (seteuid(0) == 0 && setegid(0) == 0);

	if (ok)
		errno = saved;
	return ok;
}

void sls_priv_user(const struct sls_cli *cli)
{
	int saved = errno;

	/* Failing to give root up again must not go on: stop right here. */
	if (cli->setuid && (setegid(cli->rgid) != 0 || seteuid(cli->ruid) != 0))
		abort();
	errno = saved;
}

uid_t sls_store_owner(const struct sls_cli *cli)
{
	return cli->setuid ? 0 : geteuid();
}

/* Without a journal, decisions go to syslog; the user has seen the message already. */
static void log_to_syslog(void *arg, int priority, const char *line)
{
	(void)arg;
	syslog(LOG_AUTHPRIV | priority, "%s", line);
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
	     "%s is root's, and this sls runs as you: it is not installed setuid root "
	     "(configure --enable-setuid, see sls(8)). Ask an administrator to run: "
	     "sls --user %s %s",
	     path, cli->user, cli->verb);
}

int sls_cli_open_store(struct sls_cli *cli)
{
	enum sls_rc rc;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	rc = sls_store_open(cli->conf.store_dir, sls_store_owner(cli), true, &cli->store);
	sls_priv_user(cli);
	if (rc == SLS_OK)
		return SLS_EXIT_OK;
	if (rc == SLS_ERR_UNSAFE || rc == SLS_ERR_IO)
		needs_root(cli, cli->conf.store_dir);
	warnx("store %s: %s%s", cli->conf.store_dir, sls_strerror_errno(rc, errno),
	      rc == SLS_ERR_UNSAFE ? UNSAFE_PATH_HINT : "");
	return SLS_EXIT_STORE;
}

int sls_cli_file_error(struct sls_cli *cli, const char *what, enum sls_rc rc,
		       const struct sls_diag *diag)
{
	int errnum = errno; /* of the failing call: ENOSPC, EROFS... */

	if (rc == SLS_ERR_FORMAT && diag != NULL)
		warnx("%s/%s/%s:%d: %s (the file was left as it is)", cli->conf.store_dir, what,
		      cli->user, diag->line, diag->msg);
	else
		warnx("%s/%s/%s: %s", cli->conf.store_dir, what, cli->user,
		      sls_strerror_errno(rc, errnum));
	sls_log_event(&cli->log, SLS_EV_FILE_ERROR, NULL, "error", diag,
		      "enrolment or state file unusable");
	return rc == SLS_ERR_NOMEM ? SLS_EXIT_USAGE : SLS_EXIT_STORE;
}

int sls_cli_lock_error(struct sls_cli *cli)
{
	pid_t holder;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	holder = sls_lock_holder(cli->store.lock_fd, cli->user);
	sls_priv_user(cli);
	if (holder > 0)
		warnx("the lock of %s is held by process %ld; nothing was changed (stop that "
		      "process, e.g. kill %ld, and try again)",
		      cli->user, (long)holder, (long)holder);
	else
		warnx("the lock of %s is held by another process; nothing was changed", cli->user);
	sls_log_event(&cli->log, SLS_EV_SYSTEM_ERROR, NULL, "error", NULL,
		      "user's lock held too long; nothing changed");
	return SLS_EXIT_STORE;
}

void sls_cli_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, size, "-");
}

static void who_am_i(struct sls_cli *cli)
{
	struct passwd *pw = getpwuid(cli->ruid);

	if (pw == NULL || !sls_name_valid(pw->pw_name) ||
	    strlen(pw->pw_name) >= sizeof(cli->caller))
		errx(SLS_EXIT_PERM, "your user id %u has no usable user name", (unsigned)cli->ruid);
	snprintf(cli->caller, sizeof(cli->caller), "%s", pw->pw_name);
}

static void load_config(struct sls_cli *cli, const char *path)
{
	struct sls_diag diag = {0};
	enum sls_rc rc;

	/* root's file (--conf is refused when setuid), which may be 0600 */
	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	rc = sls_config_load(path ? path : SLS_CONFIG_DEFAULT_PATH, sls_store_owner(cli),
			     &cli->conf, &diag);
	sls_priv_user(cli);

	if (rc == SLS_OK || (rc == SLS_ERR_NOENT && path == NULL))
		return;
	if (rc == SLS_ERR_FORMAT)
		errx(SLS_EXIT_STORE, "%s:%d: %s", path ? path : SLS_CONFIG_DEFAULT_PATH, diag.line,
		     diag.msg);
	if (rc == SLS_ERR_UNSAFE || rc == SLS_ERR_IO)
		needs_root(cli, path ? path : SLS_CONFIG_DEFAULT_PATH);
	errx(SLS_EXIT_STORE, "%s: %s%s", path ? path : SLS_CONFIG_DEFAULT_PATH,
	     sls_strerror_errno(rc, errno), rc == SLS_ERR_UNSAFE ? UNSAFE_PATH_HINT : "");
}

/* Whom the verb acts on: --user (root only), else the caller. */
static void pick_user(struct sls_cli *cli, const char *user)
{
	if (user == NULL) {
		snprintf(cli->user, sizeof(cli->user), "%s", cli->caller);
		return;
	}
	if (cli->ruid != 0)
		errx(SLS_EXIT_PERM, "only root may act on another user (--user)");
	if (!sls_name_valid(user) || strlen(user) >= sizeof(cli->user))
		errx(SLS_EXIT_INPUT, "invalid user name (no '/', control characters or spaces)");
	if (!sls_cli_uid_name(user, cli->user, sizeof(cli->user)))
		errx(SLS_EXIT_NOTFOUND, "no such user: %s", user);
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

/* Set up privileges: setuid root for a non-root caller drops to the caller. */
static void init_cli(struct sls_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->store.dirfd = cli->store.users_fd = cli->store.state_fd = cli->store.lock_fd = -1;
	cli->ruid = getuid();
	cli->rgid = getgid();
	cli->setuid = geteuid() == 0 && cli->ruid != 0;
	umask(077);
	if (cli->setuid && seteuid(cli->ruid) != 0)
		err(SLS_EXIT_PERM, "cannot drop privileges");
	cli->stdout_tty = isatty(STDOUT_FILENO);
	cli->log.ident = "sls";
	cli->log.service = "sls";
	cli->log.fallback = log_to_syslog;
	openlog("sls", LOG_PID, LOG_AUTHPRIV);
}

struct verb {
	const char *name;
	int (*run)(struct sls_cli *cli, int argc, char **argv);
	bool root_only;
};

static const struct verb verbs[] = {
    {"enroll", sls_cmd_enroll, false}, {"devices", sls_cmd_devices, false},
    {"revoke", sls_cmd_revoke, false}, {"status", sls_cmd_status, true},
    {"unlock", sls_cmd_unlock, true},
};

int main(int argc, char **argv)
{
	struct sls_cli cli;
	struct sls_opts opts;
	const struct sls_opts *o = &opts;
	const struct verb *v = NULL;
	int status;

	init_cli(&cli);
	sls_opts_parse(argc, argv, &opts);
	cli.opts = o;
	if (o->version) {
		printf("sls (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (o->help)
		usage(0);
	if (o->nargs == 0)
		usage(SLS_EXIT_USAGE);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(o->args[0], verbs[i].name) == 0)
			v = &verbs[i];
	if (v == NULL) {
		warnx("unknown command %s", o->args[0]);
		usage(SLS_EXIT_USAGE);
	}
	if (v->root_only && cli.ruid != 0)
		errx(SLS_EXIT_PERM, "%s is for root only", v->name);
	cli.verb = v->name;
	if (o->conf != NULL && cli.setuid)
		errx(SLS_EXIT_PERM, "--conf is refused when sls runs setuid for a user");
	who_am_i(&cli);
	pick_user(&cli, o->user);
	load_config(&cli, o->conf);
	cli.log.actor = cli.caller;
	cli.log.user = v->root_only ? NULL : cli.user; /* root verbs check their USER first */
	status = sls_cli_open_store(&cli);
	if (status == SLS_EXIT_OK)
		status = v->run(&cli, o->nargs - 1, o->args + 1);
	sls_store_close(&cli.store);
	return status;
}

/* Load the user's enrolment file (a missing one is an empty user when allowed). */
int sls_cli_read_user(struct sls_cli *cli, struct sls_user *user, bool missing_ok)
{
	struct sls_diag diag = {0};
	enum sls_rc rc;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	rc = sls_userdb_load_user(&cli->store, cli->user, sls_store_owner(cli), user, &diag);
	sls_priv_user(cli);
	if (rc == SLS_OK || (rc == SLS_ERR_NOENT && missing_ok))
		return SLS_EXIT_OK;
	if (rc == SLS_ERR_NOENT) {
		warnx("%s has no devices", cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	return sls_cli_file_error(cli, "users", rc, &diag);
}

/* The state file, read without the lock (it is only ever replaced whole). */
int sls_cli_read_state(struct sls_cli *cli, struct sls_state *state)
{
	struct sls_diag diag = {0};
	enum sls_rc rc;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	rc = sls_userdb_load_state(&cli->store, cli->user, sls_store_owner(cli), state, &diag);
	sls_priv_user(cli);
	return rc == SLS_OK ? SLS_EXIT_OK : sls_cli_file_error(cli, "state", rc, &diag);
}

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

/* fn, once what it needs is known to be there. */
static int transact_locked(struct sls_cli *cli, struct sls_txn *t, unsigned load, sls_cli_txn_fn fn,
			   void *arg)
{
	if ((load & SLS_CLI_USER) && !t->user_exists) {
		sls_cli_later(cli, "%s has no devices", cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	return fn(cli, t, arg);
}

/* What went wrong in a transaction's store work, said once the lock is gone. */
struct txn_error {
	enum sls_rc rc;
	int errnum; /* the errno of the failing call */
	struct sls_diag diag;
};

/* After a store step (begin or commit) run with the store's privileges: note it, drop them. */
static void store_step(struct sls_cli *cli, struct txn_error *e, enum sls_rc rc)
{
	e->rc = rc;
	e->errnum = errno;
	sls_priv_user(cli);
}

static void priv_store_or_die(const struct sls_cli *cli)
{
	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
}

int sls_cli_transact(struct sls_cli *cli, unsigned load, sls_cli_txn_fn fn, void *arg)
{
	unsigned what = (load & (SLS_CLI_USER | SLS_CLI_NEW_USER) ? SLS_TXN_USER : 0) |
			(load & SLS_CLI_STATE ? SLS_TXN_STATE : 0);
	struct txn_error e = {0};
	struct sls_txn t;
	int status = SLS_EXIT_STORE;

	cli->later[0] = '\0';
	priv_store_or_die(cli);
	store_step(cli, &e,
		   sls_txn_begin(&t, &cli->store, cli->user, sls_store_owner(cli), what, &e.diag));
	if (e.rc == SLS_OK)
		status = transact_locked(cli, &t, load, fn, arg);
	if (e.rc == SLS_OK && status == SLS_EXIT_OK) {
		priv_store_or_die(cli);
		store_step(cli, &e, sls_txn_commit(&t));
	}
	sls_txn_end(&t); /* the lock is gone: now messages may block */
	sls_cli_say_later(cli);
	if (e.rc == SLS_ERR_LOCK)
		return sls_cli_lock_error(cli);
	if (e.rc != SLS_OK) {
		errno = e.errnum;
		return sls_cli_file_error(cli, t.failed ? t.failed : "lock", e.rc, &e.diag);
	}
	return status;
}
