/*
 * sls share --from OWNER [--device NAME] [--password-fd N] - a user uses
 * OWNER's device as a device of their own: the same person with two
 * accounts, as the identities root set (sls identity) say. Only OWNER's
 * highest-level device, never while either holds a temporary passcode or an
 * online card, once. OWNER proves it with their password (PAM) and a right
 * answer from the device. The shared device keeps no secret: at each login
 * it answers with OWNER's device as OWNER's files say then (sls_share.h),
 * and stops when OWNER revokes or transfers it.
 * sls unshare [NAME] - the shared device is removed.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "password.h"
#include "sls_share.h"
#include "sls_tempcode.h"

struct share {
	const char *device;               /* --device NAME, or NULL: the highest */
	int password_fd;                  /* --password-fd, or -1: the terminal */
	char from[SLS_USER_NAME_MAX + 1]; /* OWNER, keyed by the uid's name */
	struct sls_device dev;            /* OWNER's device as read (every byte) */
};

/* ---- what may be shared ---- */

/* What keeps u from sharing now, or NULL: a temporary passcode or an online card in use. */
static const char *holds_stand_in(const struct sls_user *u, time_t now)
{
	if (sls_tempcode_find(u, now, false) != NULL)
		/* TRANSLATORS: what a user holds, in "%s holds %s: no device ..." */
		return _("a temporary passcode");
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct sls_device *d = &u->devices[i];

		if (d->type == &sls_devtype_card && strcmp(d->label, "online") == 0 &&
		    d->status == SLS_STATUS_ACTIVE && (d->expires == 0 || now < d->expires))
			/* TRANSLATORS: what a user holds, in "%s holds %s: no device ..." */
			return _("an online security code card");
	}
	return NULL;
}

/* A device of u's own (not shared to u) that can answer now. */
static bool own_usable(const struct sls_user *u, const struct sls_device *d, time_t now)
{
	return d->shared_from[0] == '\0' && sls_devtype_askable(d->type) &&
	       sls_device_usable(u, d, now);
}

/* The highest level of from's own usable devices (0: none); *n: how many have it. */
static int top_level(const struct sls_user *from, time_t now, size_t *n)
{
	int top = 0;

	*n = 0;
	for (size_t i = 0; i < from->ndevices; i++) {
		const struct sls_device *d = &from->devices[i];

		if (!own_usable(from, d, now) || d->level < top)
			continue;
		*n = d->level > top ? 1 : *n + 1;
		top = d->level;
	}
	return top;
}

/* The first of from's own usable devices of level top. */
static const struct sls_device *first_at(const struct sls_user *from, int top, time_t now)
{
	for (size_t i = 0; i < from->ndevices; i++)
		if (own_usable(from, &from->devices[i], now) && from->devices[i].level == top)
			return &from->devices[i];
	return NULL;
}

/*
 * The device of from that s asks for: --device, or the highest-level one.
 * Only a device of from's highest level may be shared (a weaker one would
 * stand for the stronger); several of that level: --device names one.
 */
static int pick(struct sls_cli *cli, const struct share *s, struct sls_user *from, time_t now,
		const struct sls_device **out)
{
	size_t n;
	int top = top_level(from, now, &n);
	const struct sls_device *d = s->device ? sls_user_find_device(from, s->device) : NULL;

	if (top == 0 || (s->device != NULL && (d == NULL || !own_usable(from, d, now)))) {
		if (s->device != NULL)
			/* TRANSLATORS: a user name, then a device's name */
			sls_cli_later(cli, _("%s has no active device %s to share"), s->from,
				      s->device);
		else
			sls_cli_later(cli, _("%s has no active device to share"), s->from);
		return SLS_EXIT_NOTFOUND;
	}
	if (d != NULL && d->level < top) {
		sls_cli_later(cli,
			      /* TRANSLATORS: a device's name, its level, a user name, a level */
			      _("Less secure device: share your highest-level device (%s is level "
				"%d; %s has a device of level %d)"),
			      d->name, d->level, s->from, top);
		return SLS_EXIT_REFUSED;
	}
	if (d == NULL && n > 1) {
		sls_cli_later(cli, _("%s has %zu devices of level %d: name one with --device"),
			      s->from, n, top);
		return SLS_EXIT_USAGE;
	}
	d = d != NULL ? d : first_at(from, top, now);
	if (d == NULL) /* top_level found one */
		return SLS_EXIT_NOTFOUND;
	if (!sls_share_type_ok(d->type)) {
		sls_cli_later(cli,
			      /* TRANSLATORS: a device type ("card") */
			      _("a %s device cannot be shared: only a device its holder carries "
				"and answers with (ibkey, dsc, totp)"),
			      d->type->name);
		return SLS_EXIT_REFUSED;
	}
	*out = d;
	return SLS_EXIT_OK;
}

/*
 * Whether user may take d of s->from: not shared already, no device of
 * another kind by its name, d shared with fewer than SLS_SHARED_WITH_MAX.
 */

static int room_for(struct sls_cli *cli, const struct share *s, struct sls_user *user,
		    const struct sls_device *d)
{
	const struct sls_device *o = sls_user_find_device(user, d->name);
	size_t live = 0;

	if (o != NULL && strcmp(o->shared_from, s->from) == 0 && o->created == d->created &&
	    o->status != SLS_STATUS_REVOKED) {
		/* TRANSLATORS: a user name, a device's name, then another user's name */
		sls_cli_later(cli, _("%s already shares device %s of %s"), cli->user, d->name,
			      s->from);
		return SLS_EXIT_EXISTS;
	}
	if (o != NULL && o->status != SLS_STATUS_REVOKED && strcmp(o->shared_from, s->from) != 0) {
		sls_cli_later(cli, _("%s has a device named %s already: revoke it first"),
			      cli->user, d->name);
		return SLS_EXIT_EXISTS;
	}
	if (!sls_share_with_has(d, cli->user) && sls_share_with_count(d) >= SLS_SHARED_WITH_MAX) {
		/* TRANSLATORS: a device, its owner, a number, then the users (comma-separated) */
		sls_cli_later(cli, _("device %s of %s is shared with %d users already (%s)"),
			      d->name, s->from, SLS_SHARED_WITH_MAX, d->shared_with);
		return SLS_EXIT_INPUT;
	}
	for (size_t i = 0; i < user->ndevices; i++)
		live += user->devices[i].status != SLS_STATUS_REVOKED;
	if (o == NULL && live >= SLS_DEVICES_MAX) {
		sls_cli_later(cli, _("%s has %d devices that are not revoked; revoke one first"),
			      cli->user, SLS_DEVICES_MAX);
		return SLS_EXIT_INPUT;
	}
	return SLS_EXIT_OK;
}

/*
 * The rules of sls share on the files as read (user: cli->user's, from:
 * s->from's, NULL when not enrolled), said with sls_cli_later: the device
 * to share into *out.
 */
static int may_share(struct sls_cli *cli, const struct share *s, struct sls_user *user,
		     struct sls_user *from, const struct sls_device **out)
{
	time_t now = time(NULL);
	const char *why;
	int status;

	if (from == NULL) {
		sls_cli_later(cli,
			      _("%s is not enrolled: they have no second factor device to share"),
			      s->from);
		return SLS_EXIT_NOTFOUND;
	}
	if (!sls_share_identities_match(user, from)) {
		sls_cli_later(cli,
			      /* TRANSLATORS: two user names */
			      _("Different identification information: %s and %s are not recorded "
				"as the same person (an administrator records it: sls identity "
				"USER VALUE)"),
			      cli->user, s->from);
		return SLS_EXIT_REFUSED;
	}
	if ((why = holds_stand_in(user, now)) != NULL ||
	    (why = holds_stand_in(from, now)) != NULL) {
		/* TRANSLATORS: a user name, then "a temporary passcode" (translated too) */
		sls_cli_later(cli, _("%s holds %s: no device is shared while one is in use"),
			      holds_stand_in(user, now) ? cli->user : s->from, why);
		return SLS_EXIT_REFUSED;
	}
	status = pick(cli, s, from, now, out);
	return status == SLS_EXIT_OK ? room_for(cli, s, user, *out) : status;
}

/* ---- reading both users (no lock: to decide and to prove) ---- */

struct read_user {
	const char *name;
	struct sls_user *user;
	struct sls_diag diag;
};

static enum sls_rc read_user_cb(struct sls_cli *cli, void *arg)
{
	struct read_user *r = arg;

	return sls_userdb_load_user(&cli->store, r->name, sls_store_owner(cli), r->user, &r->diag);
}

/* name's enrolment into *user; *exists false when there is none. An error is said. */
static int read_named(struct sls_cli *cli, const char *name, struct sls_user *user, bool *exists)
{
	struct read_user r = {.name = name, .user = user};
	enum sls_rc rc = sls_cli_as_store(cli, read_user_cb, &r);

	*exists = rc == SLS_OK;
	if (rc == SLS_OK || rc == SLS_ERR_NOENT)
		return SLS_EXIT_OK;
	if (rc == SLS_ERR_FORMAT)
		warnx("%s/users/%s:%d: %s", cli->conf.store_dir, name, r.diag.line, r.diag.msg);
	else
		warnx("%s/users/%s: %s", cli->conf.store_dir, name, sls_strerror_errno(rc, errno));
	return rc == SLS_ERR_NOMEM ? SLS_EXIT_USAGE : SLS_EXIT_STORE;
}

/* may_share on the files as they are, before any proof: a refusal costs no answer. */
static int dry_run(struct sls_cli *cli, struct share *s)
{
	struct sls_user *user = calloc(1, sizeof(*user)), *from = calloc(1, sizeof(*from));
	const struct sls_device *d = NULL;
	bool user_exists, from_exists;
	int status;

	if (user == NULL || from == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	status = read_named(cli, cli->user, user, &user_exists);
	if (status == SLS_EXIT_OK)
		status = read_named(cli, s->from, from, &from_exists);
	if (status == SLS_EXIT_OK)
		status = may_share(cli, s, user, from_exists ? from : NULL, &d);
	if (status == SLS_EXIT_OK)
		memcpy(&s->dev, d, sizeof(s->dev));
	sls_cli_say_later(cli);
	sls_user_clear(user);
	sls_user_clear(from);
	free(user);
	free(from);
	return status;
}

/* ---- the proofs ---- */

static void store_enter(void *arg)
{
	sls_cli_store_enter(arg);
}

static void store_leave(void *arg)
{
	sls_cli_store_leave(arg);
}

/* OWNER answers with the device, counted as a login of theirs (their failures, their lock). */
static int prove_owner(struct sls_cli *cli, const struct share *s)
{
	struct sls_log_ctx log = cli->log;
	struct sls_flow flow = {
	    .conf = &cli->conf,
	    .store = &cli->store,
	    .owner = sls_store_owner(cli),
	    .user = s->from,
	    .ui = &cli->ui,
	    .log = &log,
	    .store_enter = store_enter,
	    .store_leave = store_leave,
	    .store_arg = cli,
	};
	struct sls_outcome out;

	log.user = s->from;
	/* TRANSLATORS: a user name, a device type ("totp"), then a device's name */
	printf(_("Now %s answers with their %s device %s.\n"), s->from, s->dev.type->name,
	       s->dev.name);
	fflush(stdout);
	switch (sls_flow_attempt(&flow, &s->dev, &out)) {
	case SLS_VERDICT_SUCCESS:
		return SLS_EXIT_OK;
	case SLS_VERDICT_ERROR:
		/* TRANSLATORS: a user name, then why */
		warnx(_("the state of %s cannot be written: %s; nothing was shared"), s->from,
		      sls_strerror_errno(out.rc, out.errnum));
		return SLS_EXIT_STORE;
	case SLS_VERDICT_LOCKED: /* said by the flow */
		return SLS_EXIT_REFUSED;
	default:
		warnx(_("%s's device did not answer right: nothing was shared"), s->from);
		return SLS_EXIT_REFUSED;
	}
}

/* *arg: the user has active devices, each shared from a device that no longer answers. */
static int only_dead_shares(struct sls_cli *cli, struct sls_user *u, void *arg)
{
	bool *dead = arg;
	time_t now = time(NULL);

	*dead = false;
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct sls_device *d = &u->devices[i];

		if (d->status != SLS_STATUS_ACTIVE)
			continue;
		if (!sls_cli_dead_share(cli, u, d, now)) {
			*dead = false;
			return SLS_EXIT_OK;
		}
		*dead = true;
	}
	return SLS_EXIT_OK;
}

/*
 * Root needs no proof. A user proves it is them, then OWNER with password
 * and device. A user whose only devices are shares that stopped answering
 * (OWNER transferred the device) cannot prove and is not asked to: the
 * share anew is proven by OWNER alone, and it adds nothing OWNER did not
 * give.
 */
static int prove(struct sls_cli *cli, struct share *s)
{
	bool dead = false;
	int status;

	if (cli->ruid == 0)
		return SLS_EXIT_OK;
	status = sls_cli_with_user(cli, true, only_dead_shares, &dead);
	if (status == SLS_EXIT_OK && !dead)
		status = sls_cli_prove(cli, 0, _("To share a device"));
	if (status != SLS_EXIT_OK)
		return status;
	/* TRANSLATORS: a device's name, then its owner's user name (twice) */
	printf(_("To share device %s of %s, %s gives their password, then answers with it.\n"),
	       s->dev.name, s->from, s->from);
	fflush(stdout);
	status = sls_cli_check_password(cli, s->from, s->password_fd);
	if (status == SLS_EXIT_REFUSED)
		sls_log_event(&cli->log, SLS_EV_SHARE, s->dev.name, "failure", NULL,
			      "share refused: the password of the user it is shared from was not "
			      "accepted");
	return status == SLS_EXIT_OK ? prove_owner(cli, s) : status;
}

/* ---- the two-user transaction ---- */

struct pair {
	const char *from;
	bool adding; /* a share, not an unshare */
	struct sls_txn user, owner;
	int errnum;
	struct sls_diag diag;
};

static enum sls_rc pair_begin_cb(struct sls_cli *cli, void *arg)
{
	struct pair *p = arg;
	enum sls_rc rc = sls_txn_begin2(&p->user, cli->user, &p->owner, p->from, &cli->store,
					sls_store_owner(cli), SLS_TXN_USER, &p->diag);

	p->errnum = errno;
	return rc;
}

/*
 * The owner's file first when a share is added, the user's first when one
 * is removed: if the second write fails, what is left is an owner's
 * shared_with naming a user without the device, which lets no one in (a
 * shared device answers only while both files say so) and which a share
 * anew or an unshare mends.
 */
static enum sls_rc pair_commit_cb(struct sls_cli *cli, void *arg)
{
	struct pair *p = arg;
	struct sls_txn *first = p->adding ? &p->owner : &p->user;
	struct sls_txn *second = p->adding ? &p->user : &p->owner;
	enum sls_rc rc = sls_txn_commit(first);

	(void)cli;
	if (rc == SLS_OK)
		rc = sls_txn_commit(second);
	p->errnum = errno;
	return rc;
}

/* Under both locks: the rules again, the device still the one proven, then it is added. */
static int add_share(struct sls_cli *cli, struct share *s, struct pair *p)
{
	const struct sls_device *d = NULL;
	struct sls_device *n;
	int status =
	    may_share(cli, s, p->user.user, p->owner.user_exists ? p->owner.user : NULL, &d);

	if (status != SLS_EXIT_OK)
		return status;
	if (!sls_device_unchanged(d, &s->dev)) {
		sls_cli_later(cli, _("device %s of %s changed meanwhile; nothing was shared"),
			      s->dev.name, s->from);
		return SLS_EXIT_CONFIRM;
	}
	/* its name's place, a new one or a revoked one's; created stays the owner's */
	n = sls_user_place_device(p->user.user, d->name, &(time_t){d->created});
	if (n == NULL) /* room_for saw to it */
		return SLS_EXIT_INPUT;
	/* the owner's record of it (may_share saw there was room) */
	if (sls_share_with_add(sls_user_find_device(p->owner.user, d->name), cli->user) != SLS_OK)
		return SLS_EXIT_INPUT;
	p->owner.user_changed = true;
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", d->name);
	snprintf(n->label, sizeof(n->label), "%s", d->label);
	snprintf(n->shared_from, sizeof(n->shared_from), "%s", s->from);
	n->type = d->type;
	n->level = d->level;
	n->status = SLS_STATUS_ACTIVE;
	n->created = d->created; /* its identity: the owner's device's */
	n->expires = d->expires;
	p->user.user_changed = true;
	return SLS_EXIT_OK;
}

/* A failed begin or commit of the pair, said. */
static int pair_error(struct sls_cli *cli, const struct pair *p, enum sls_rc rc)
{
	if (rc == SLS_ERR_LOCK)
		warnx(_("the lock of %s or of %s is held by another process; nothing was changed"),
		      cli->user, p->from);
	else if (rc == SLS_ERR_FORMAT)
		/* TRANSLATORS: two user names, a line number, then what is wrong there */
		warnx(_("the enrolment of %s or of %s is corrupt (line %d: %s); nothing was "
			"changed"),
		      cli->user, p->from, p->diag.line, p->diag.msg);
	else
		/* TRANSLATORS: two user names, then what is wrong */
		warnx(_("the files of %s and %s: %s; nothing was changed"), cli->user, p->from,
		      sls_strerror_errno(rc, p->errnum));
	return rc == SLS_ERR_NOMEM ? SLS_EXIT_USAGE : SLS_EXIT_STORE;
}

/*
 * The two-user transaction of cli->user and from: both locks, change (under
 * them: SLS_EXIT_OK to write), both files written in pair_commit_cb's order.
 */
static int pair_transact(struct sls_cli *cli, const char *from, bool adding,
			 int (*change)(struct sls_cli *cli, struct pair *p, void *arg), void *arg)
{
	struct pair p = {.from = from, .adding = adding};
	enum sls_rc rc;
	int status = SLS_EXIT_STORE;

	cli->later[0] = '\0';
	rc = sls_cli_as_store(cli, pair_begin_cb, &p);
	if (rc == SLS_OK)
		status = change(cli, &p, arg);
	if (rc == SLS_OK && status == SLS_EXIT_OK)
		rc = sls_cli_as_store(cli, pair_commit_cb, &p);
	sls_txn_end(&p.user);
	sls_txn_end(&p.owner);
	sls_cli_say_later(cli);
	return rc == SLS_OK ? status : pair_error(cli, &p, rc);
}

static int add_share_cb(struct sls_cli *cli, struct pair *p, void *arg)
{
	return add_share(cli, arg, p);
}

static int commit_share(struct sls_cli *cli, struct share *s)
{
	return pair_transact(cli, s->from, true, add_share_cb, s);
}

/* ---- sls share ---- */

static void shared_said(struct sls_cli *cli, const struct share *s)
{
	struct sls_log_ctx log = cli->log;

	sls_log_event(&cli->log, SLS_EV_SHARE, s->dev.name, "success", NULL,
		      "device shared from another user (same identity)");
	log.user = s->from;
	sls_log_event(&log, SLS_EV_SHARE, s->dev.name, "success", NULL,
		      "device shared with another user (same identity)");
	/*
	 * TRANSLATORS: a device's name, its type, its level, its owner, the user
	 * it is shared with, then the owner (twice)
	 */
	printf(_("Device %s (%s, level %d) of %s is now shared with %s: it answers with %s's "
		 "authenticator and PIN, and stops when %s revokes or transfers it.\n"),
	       s->dev.name, s->dev.type->name, s->dev.level, s->from, cli->user, s->from, s->from);
}

static int share(struct sls_cli *cli, struct share *s, const char *from)
{
	int status;

	if (!sls_name_valid(from) || !sls_cli_uid_name(from, s->from, sizeof(s->from))) {
		warnx(_("no such user: %s"), from);
		return SLS_EXIT_NOTFOUND;
	}
	if (strcmp(s->from, cli->user) == 0) {
		warnx(_("%s cannot share a device with themselves"), cli->user);
		return SLS_EXIT_INPUT;
	}
	status = dry_run(cli, s);
	if (status == SLS_EXIT_OK)
		status = prove(cli, s);
	if (status == SLS_EXIT_OK)
		status = commit_share(cli, s);
	if (status == SLS_EXIT_OK)
		shared_said(cli, s);
	return status;
}

static int run_share(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"from", required_argument, NULL, 'f'},
						 {"device", required_argument, NULL, 'd'},
						 {"password-fd", required_argument, NULL, 'p'},
						 SLS_COMMON_OPTIONS};
	struct share *s = calloc(1, sizeof(*s));
	const char *from = NULL;
	int c, status;

	if (s == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	s->password_fd = -1;
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 'f')
			from = optarg;
		else if (c == 'd')
			s->device = optarg;
		else if (c == 'p')
			s->password_fd = sls_cli_parse_fd(optarg, "--password-fd");
	}
	if (argc != optind || from == NULL)
		sls_cli_usage(cli);
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = share(cli, s, from);
	sls_wipe(s, sizeof(*s));
	free(s);
	return status;
}

/* ---- sls unshare ---- */

struct unshare {
	const char *name; /* NAME, or NULL: the only shared device */
	struct sls_device dev;
	bool mandatory; /* the user is in a group that must keep a second factor */
	bool dead;      /* the device it is shared from no longer answers for it */
};

static size_t active_others(const struct sls_user *user, const struct sls_device *d)
{
	size_t n = 0;

	for (size_t i = 0; i < user->ndevices; i++)
		n += &user->devices[i] != d && user->devices[i].status == SLS_STATUS_ACTIVE;
	return n;
}

/* The shared device to remove, said with sls_cli_later when there is none to. */
static int pick_shared(struct sls_cli *cli, struct sls_user *user, const struct unshare *u,
		       struct sls_device **out)
{
	struct sls_device *d = u->name ? sls_user_find_device(user, u->name) : NULL;
	size_t n = 0;

	for (size_t i = 0; u->name == NULL && i < user->ndevices; i++)
		if (user->devices[i].shared_from[0] != '\0' && n++ == 0)
			d = &user->devices[i];
	if (d == NULL || (u->name == NULL && n == 0)) {
		if (u->name != NULL)
			/* TRANSLATORS: a user name, then a device's name */
			sls_cli_later(cli, _("%s has no shared device named %s"), cli->user,
				      u->name);
		else
			sls_cli_later(cli, _("%s has no shared device"), cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	if (n > 1) {
		sls_cli_later(cli,
			      _("%s has %zu shared devices: name one (sls devices lists them)"),
			      cli->user, n);
		return SLS_EXIT_USAGE;
	}
	if (d->shared_from[0] == '\0') {
		/* TRANSLATORS: a device's name, a user name, then the device's name again */
		sls_cli_later(cli, _("device %s of %s is not shared: sls revoke %s revokes it"),
			      d->name, cli->user, d->name);
		return SLS_EXIT_INPUT;
	}
	*out = d;
	return SLS_EXIT_OK;
}

/*
 * Removing the last active device is opting out (as sls revoke): a user
 * only where allowed. One that no longer answers is no device to keep.
 */
static int may_remove(struct sls_cli *cli, const struct sls_user *user, const struct unshare *u,
		      const struct sls_device *d)
{
	if (cli->ruid == 0 || u->dead || d->status != SLS_STATUS_ACTIVE ||
	    active_others(user, d) > 0 || (!u->mandatory && cli->conf.optout == SLS_OPTOUT_ALLOWED))
		return SLS_EXIT_OK;
	if (u->mandatory)
		/* TRANSLATORS: a device's name */
		sls_cli_later(cli,
			      _("%s is your last active device and your group must use a second "
				"factor; enroll another first"),
			      d->name);
	else
		/* TRANSLATORS: a device's name */
		sls_cli_later(cli,
			      _("%s is your last active device and opting out is not allowed "
				"here; enroll another first"),
			      d->name);
	return SLS_EXIT_REFUSED;
}

static int unshare_dry_run(struct sls_cli *cli, struct sls_user *user, void *arg)
{
	struct unshare *u = arg;
	struct sls_device *d = NULL;
	int status = pick_shared(cli, user, u, &d);

	if (status == SLS_EXIT_OK) {
		u->dead = sls_cli_dead_share(cli, user, d, time(NULL));
		status = may_remove(cli, user, u, d);
	}
	if (status == SLS_EXIT_OK)
		memcpy(&u->dev, d, sizeof(u->dev));
	return status;
}

/*
 * Under both locks: the device out of the user's file, and the user out of
 * the owner's record of it (when the owner's device is still there).
 */
static int remove_share(struct sls_cli *cli, struct pair *p, struct unshare *u)
{
	struct sls_user *user = p->user.user;
	struct sls_device *d = sls_user_find_device(user, u->dev.name), *od;
	size_t i;
	int status;

	if (d == NULL || !sls_device_unchanged(d, &u->dev)) {
		sls_cli_later(cli, _("device %s changed meanwhile; nothing was removed"),
			      u->dev.name);
		return SLS_EXIT_CONFIRM;
	}
	status = may_remove(cli, user, u, d);
	if (status != SLS_EXIT_OK)
		return status;
	i = (size_t)(d - user->devices);
	memmove(d, d + 1, (user->ndevices - i - 1) * sizeof(*d));
	user->ndevices--;
	sls_wipe(&user->devices[user->ndevices], sizeof(*d));
	p->user.user_changed = true;
	od = p->owner.user_exists ? sls_user_find_device(p->owner.user, u->dev.name) : NULL;
	if (od != NULL && sls_share_with_has(od, cli->user)) {
		sls_share_with_remove(od, cli->user);
		p->owner.user_changed = true;
	}
	return SLS_EXIT_OK;
}

static int remove_share_cb(struct sls_cli *cli, struct pair *p, void *arg)
{
	return remove_share(cli, p, arg);
}

static int commit_unshare(struct sls_cli *cli, struct unshare *u)
{
	return pair_transact(cli, u->dev.shared_from, false, remove_share_cb, u);
}

static int unshare(struct sls_cli *cli, struct unshare *u)
{
	char group[SLS_USER_NAME_MAX + 1];
	int status;

	if (u->name != NULL && !sls_name_valid(u->name)) {
		warnx(_("invalid device name"));
		return SLS_EXIT_INPUT;
	}
	u->mandatory = sls_policy_mandatory_group(&cli->conf, cli->user, group, sizeof(group));
	status = sls_cli_with_user(cli, false, unshare_dry_run, u);
	sls_cli_say_later(cli);
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, 0, _("To stop sharing a device"));
	if (status == SLS_EXIT_OK)
		status = commit_unshare(cli, u);
	if (status != SLS_EXIT_OK)
		return status;
	sls_log_event(&cli->log, SLS_EV_SHARE, u->dev.name, "success", NULL,
		      "shared device removed (unshare)");
	/* TRANSLATORS: a device's name, its owner, then the user it was shared with */
	printf(_("Device %s, shared from %s, is no longer a device of %s.\n"), u->dev.name,
	       u->dev.shared_from, cli->user);
	return SLS_EXIT_OK;
}

static int run_unshare(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {SLS_COMMON_OPTIONS};
	struct unshare u = {0};
	int status;

	while (sls_cli_getopt(cli, argc, argv, longopts) != -1)
		;
	if (argc - optind > 1)
		sls_cli_usage(cli);
	u.name = argc - optind == 1 ? argv[optind] : NULL;
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = unshare(cli, &u);
	sls_wipe(&u, sizeof(u));
	return status;
}

const struct sls_verb sls_verb_share = {
    .name = "share",
    /* TRANSLATORS: keep the options; OWNER, NAME and N may be translated */
    .synopsis = N_("--from OWNER [--device NAME] [--password-fd N]"),
    .summary = N_("use a device of another user (same identity)"),
    .run = run_share,
};

const struct sls_verb sls_verb_unshare = {
    .name = "unshare",
    /* TRANSLATORS: NAME may be translated */
    .synopsis = N_("[NAME]"),
    .summary = N_("stop using a shared device"),
    .run = run_unshare,
};
