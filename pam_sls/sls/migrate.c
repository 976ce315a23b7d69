/*
 * sls migrate --to postgresql - (root) copy a files store into the database of
 * [store] backend = postgresql, user by user, and read each copy back. The
 * files are only read: they stay as they are, a fallback.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "pgstore.h"

struct migrate {
	struct sls_store files;
	const char *from; /* the files store's directory */
	uid_t owner;      /* whom its files must belong to: root */
	bool overwrite;
	bool dry_run;
	size_t copied, refused, failed;
};

/* What one user's copy found; said once the user's locks are released. */
enum outcome { COPIED, WOULD_COPY, REFUSED, MALFORMED, FAILED };

/* One text of a user's (the enrolment or the state) in both stores. */
struct text {
	char *src; /* the file's bytes, NULL: no file */
	size_t src_len;
	char *canon; /* src parsed and formatted again: what the database gets */
	size_t canon_len;
	bool in_db; /* the database has a row (readable or not) */
};

struct user_copy {
	const char *name;
	struct text user, state;
	enum outcome outcome;
	const char *why;      /* FAILED: what failed (N_) */
	struct sls_diag diag; /* MALFORMED: the line */
	const char *bad;      /* MALFORMED: "users" or "state" */
	bool normalised;      /* a file's text differs from its formatted form */
	bool kept_db;         /* --overwrite kept a stricter part of the database's state */
};

static void text_free(struct text *t)
{
	sls_free_secret(t->src, t->src_len + 1);
	sls_free_secret(t->canon, t->canon_len + 1);
	memset(t, 0, sizeof(*t));
}

/* The file's text parsed and formatted again (as a save would write it). */
static enum sls_rc canonical(const struct sls_store *files, bool state, struct text *t,
			     struct sls_diag *diag)
{
	enum sls_rc rc;

	if (state) {
		struct sls_state *s = calloc(1, sizeof(*s));

		rc = s == NULL ? SLS_ERR_NOMEM : sls_state_parse(t->src, s, diag);
		if (rc == SLS_OK)
			rc = sls_state_format(s, &t->canon, &t->canon_len);
		if (s != NULL)
			sls_state_clear(s);
		free(s);
	} else {
		struct sls_user *u = calloc(1, sizeof(*u));

		rc = u == NULL ? SLS_ERR_NOMEM
			       : sls_user_parse_types(t->src, sls_store_types(files), u, diag);
		if (rc == SLS_OK)
			rc = sls_user_format(u, &t->canon, &t->canon_len);
		if (u != NULL)
			sls_user_clear(u);
		free(u);
	}
	return rc;
}

/* Read the user's file (none is fine) and make its canonical text: MALFORMED on a bad one. */
static bool read_source(struct migrate *m, struct user_copy *c, bool state)
{
	struct text *t = state ? &c->state : &c->user;
	enum sls_rc rc = sls_userdb_load_text(&m->files, state, c->name, m->owner, &t->src,
					      &t->src_len, &c->diag);

	if (rc == SLS_ERR_NOENT)
		return true;
	if (rc == SLS_OK)
		rc = canonical(&m->files, state, t, &c->diag);
	if (rc == SLS_OK) {
		c->normalised |=
		    t->src_len != t->canon_len || !sls_secure_equal(t->src, t->canon, t->src_len);
		return true;
	}
	if (rc != SLS_ERR_FORMAT)
		sls_diag_set(&c->diag, 0, "%s", sls_strerror(rc));
	c->outcome = MALFORMED;
	c->bad = state ? "state" : "users";
	return false;
}

/* Whether the database has a row of the user's (t->in_db): false when it cannot be told. */
static bool probe_db(const struct sls_store *db, const char *name, bool state, struct text *t)
{
	struct sls_diag diag = {0};
	char *text = NULL;
	size_t len = 0;
	enum sls_rc rc = sls_userdb_load_text(db, state, name, 0, &text, &len, &diag);

	sls_free_secret(text, len + 1);
	t->in_db = rc == SLS_OK || rc == SLS_ERR_FORMAT; /* a row that does not open is a row */
	return t->in_db || rc == SLS_ERR_NOENT;
}

/* The database's text is the canonical one, byte for byte (no row where there is none). */
static bool same_in_db(const struct sls_store *db, const char *name, bool state,
		       const struct text *t)
{
	struct sls_diag diag = {0};
	char *text = NULL;
	size_t len = 0;
	enum sls_rc rc = sls_userdb_load_text(db, state, name, 0, &text, &len, &diag);
	bool same = rc == SLS_ERR_NOENT && t->canon == NULL;

	if (rc == SLS_OK && t->canon != NULL)
		same = len == t->canon_len && sls_secure_equal(text, t->canon, len);
	sls_free_secret(text, len + 1);
	return same;
}

/* The failure times of both, each time as often as the list with more of it has it. */
static void merge_failures(struct sls_state *s, const struct sls_state *db)
{
	time_t all[2 * SLS_FAILURES_MAX];
	size_t i = 0, j = 0, n = 0, skip;

	while (i < s->nfailures || j < db->nfailures) {
		if (j == db->nfailures || (i < s->nfailures && s->failures[i] < db->failures[j]))
			all[n++] = s->failures[i++];
		else if (i == s->nfailures || db->failures[j] < s->failures[i])
			all[n++] = db->failures[j++];
		else { /* the same time in both: once */
			all[n++] = s->failures[i++];
			j++;
		}
	}
	skip = n > SLS_FAILURES_MAX ? n - SLS_FAILURES_MAX : 0; /* the latest are kept */
	memcpy(s->failures, all + skip, (n - skip) * sizeof(*all));
	s->nfailures = n - skip;
}

/* The database's used challenges (and scratch codes) that d lacks, added as the newest. */
static void merge_used(struct sls_device_state *d, const struct sls_device_state *db)
{
	for (size_t k = 0; k < db->nused; k++) {
		size_t i = 0;

		while (i < d->nused && d->used[i] != db->used[k])
			i++;
		if (i < d->nused)
			continue;
		if (d->nused == SLS_USED_CHALLENGES_MAX) {
			memmove(d->used, d->used + 1, (d->nused - 1) * sizeof(*d->used));
			d->nused--;
		}
		d->used[d->nused++] = db->used[k];
	}
}

/*
 * What a state written by --overwrite keeps of the database's newer one:
 * the later lock, every failure, and for each device of the same name and
 * created, the later TOTP step and every used challenge or scratch code.
 * So --overwrite never unlocks a user nor lets a used code be used again.
 */
static void merge_stricter(struct sls_state *s, const struct sls_state *db)
{
	if (db->locked_until > s->locked_until)
		s->locked_until = db->locked_until;
	merge_failures(s, db);
	for (size_t k = 0; k < db->ndevices; k++)
		for (size_t i = 0; i < s->ndevices; i++) {
			struct sls_device_state *d = &s->devices[i];

			if (strcmp(d->name, db->devices[k].name) != 0 ||
			    d->created != db->devices[k].created)
				continue;
			if (db->devices[k].totp_last_step > d->totp_last_step)
				d->totp_last_step = db->devices[k].totp_last_step;
			merge_used(d, &db->devices[k]);
		}
}

/* The database's state row parsed: false (nothing to keep) when it has none that parses. */
static bool load_db_state(const struct sls_store *db, const char *name, struct sls_state *s)
{
	struct sls_diag diag = {0};
	char *text = NULL;
	size_t len = 0;
	enum sls_rc rc = sls_userdb_load_text(db, true, name, 0, &text, &len, &diag);

	if (rc == SLS_OK)
		rc = sls_state_parse(text, s, &diag);
	sls_free_secret(text, len + 1);
	return rc == SLS_OK;
}

/*
 * The state the database gets: the file's (or a zero state when the files
 * have none), with what merge_stricter keeps of the database's row.
 */
static enum sls_rc state_to_save(const struct sls_store *db, struct user_copy *c)
{
	struct text *t = &c->state;
	struct sls_state *s, *dbs;
	struct sls_diag diag = {0};
	enum sls_rc rc = SLS_ERR_NOMEM;
	char *base = NULL;
	size_t base_len = 0;

	if (!t->in_db)
		return SLS_OK;
	s = calloc(1, sizeof(*s));
	dbs = calloc(1, sizeof(*dbs));
	if (s == NULL || dbs == NULL)
		goto out;
	rc = t->canon != NULL ? sls_state_parse(t->canon, s, &diag) : SLS_OK;
	if (rc == SLS_OK)
		rc = sls_state_format(s, &base, &base_len); /* what the files alone would give */
	if (rc == SLS_OK && load_db_state(db, c->name, dbs))
		merge_stricter(s, dbs);
	sls_free_secret(t->canon, t->canon_len + 1);
	t->canon = NULL;
	t->canon_len = 0;
	if (rc == SLS_OK)
		rc = sls_state_format(s, &t->canon, &t->canon_len);
	if (rc == SLS_OK)
		c->kept_db =
		    base_len != t->canon_len || !sls_secure_equal(base, t->canon, base_len);
out:
	sls_free_secret(base, base_len + 1);
	if (s != NULL)
		sls_state_clear(s);
	if (dbs != NULL)
		sls_state_clear(dbs);
	free(s);
	free(dbs);
	return rc;
}

/* Save the canonical texts through sls_userdb (the enrolment is sealed there). */
static const char *save_texts(const struct sls_store *db, struct user_copy *c)
{
	struct sls_diag diag = {0};
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_state *s = calloc(1, sizeof(*s));
	const char *why = NULL;

	if (u == NULL || s == NULL || state_to_save(db, c) != SLS_OK)
		why = N_("out of memory");
	else if (c->user.canon != NULL &&
		 (sls_user_parse_types(c->user.canon, sls_store_types(db), u, &diag) != SLS_OK ||
		  sls_userdb_save_user(db, c->name, u) != SLS_OK))
		why = N_("the enrolment could not be written to the database");
	else if (c->state.canon != NULL && (sls_state_parse(c->state.canon, s, &diag) != SLS_OK ||
					    sls_userdb_save_state(db, c->name, s) != SLS_OK))
		why = N_("the state could not be written to the database");
	if (u != NULL)
		sls_user_clear(u);
	if (s != NULL)
		sls_state_clear(s);
	free(u);
	free(s);
	return why;
}

static bool both_same(const struct sls_store *db, const struct user_copy *c)
{
	return same_in_db(db, c->name, false, &c->user) && same_in_db(db, c->name, true, &c->state);
}

/* Save, read back in the transaction, commit, read back again: NULL, or what failed. */
static const char *write_db(const struct sls_store *db, struct user_copy *c)
{
	const char *why = save_texts(db, c);

	if (why != NULL)
		return why;
	if (!both_same(db, c))
		return N_("what the database holds differs from the files (nothing committed)");
	if (sls_userdb_commit(db) != SLS_OK)
		return N_("the database did not commit");
	if (!both_same(db, c))
		return N_("read back after the commit, the database differs from the files");
	return NULL;
}

/* Under both locks (none for a dry run): read, decide, write, verify. */
static void copy_locked(struct migrate *m, const struct sls_store *db, struct user_copy *c)
{
	if (!read_source(m, c, false) || !read_source(m, c, true))
		return;
	if (c->user.src == NULL && c->state.src == NULL) {
		c->outcome = FAILED;
		c->why = N_("its files are gone");
		return;
	}
	if (!probe_db(db, c->name, false, &c->user) || !probe_db(db, c->name, true, &c->state)) {
		c->outcome = FAILED;
		c->why = N_("the database could not be read");
		return;
	}
	if ((c->user.in_db || c->state.in_db) && !m->overwrite) {
		c->outcome = REFUSED;
		return;
	}
	if (c->user.in_db && c->user.canon == NULL) {
		c->outcome = FAILED;
		c->why = N_("the database has an enrolment and the files have none");
		return;
	}
	if (m->dry_run) {
		c->outcome = WOULD_COPY;
		return;
	}
	c->why = write_db(db, c);
	c->outcome = c->why == NULL ? COPIED : FAILED;
}

/*
 * The user's lock of the files, taken without writing: the lock file is
 * opened only if it exists, never created or chmod'ed. Without one, no
 * writer of sls has held that user's lock yet (and with the backend set to
 * postgresql no login writes the files); the files are replaced whole, so
 * they are read as every reader reads them.
 */
static bool lock_files(const struct migrate *m, const char *name, int *lockfd)
{
	enum sls_rc rc = sls_lock_acquire_existing(m->files.lock_fd, name, m->owner,
						   SLS_LOCK_TIMEOUT_MS, lockfd);

	return rc == SLS_OK || rc == SLS_ERR_NOENT;
}

/*
 * Whether c->name is the name a login keys the user by: the passwd name of
 * its uid (get_user in the module). A file under another name of that uid
 * (an alias sls used to file under) would never be found by a login on the
 * database, and nullok would pass the user on the password alone: MALFORMED,
 * nothing written. A name NSS does not know is copied under that name, the
 * key the files store and a login give it; a failed look-up is FAILED.
 */
static bool own_name(const struct migrate *m, struct user_copy *c)
{
	struct passwd pw, *found = NULL;
	struct stat st;
	char buf[16384];
	int e = getpwnam_r(c->name, &pw, buf, sizeof(buf), &found);

	if (found == NULL && (e == 0 || e == ENOENT || e == ESRCH))
		return true;
	if (found != NULL && getpwuid_r(pw.pw_uid, &pw, buf, sizeof(buf), &found) != 0)
		found = NULL;
	if (found == NULL) { /* a name NSS knows must have a uid NSS can name */
		c->outcome = FAILED;
		c->why = N_("it could not be looked up (NSS)");
		return false;
	}
	if (strcmp(found->pw_name, c->name) == 0)
		return true;
	c->outcome = MALFORMED;
	c->bad =
	    fstatat(m->files.users_fd, c->name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? "users" : "state";
	sls_diag_set(&c->diag, 0,
		     _("enrolled under another name of its uid (%s): rename it to the uid's name "
		       "first"),
		     found->pw_name);
	return false;
}

/* Take the user's lock of the files, then of the database; copy; release both. */
static void copy_user(struct migrate *m, const struct sls_store *db, struct user_copy *c)
{
	int flock = -1, dlock = -1;

	if (!own_name(m, c))
		return;
	if (m->dry_run) { /* reads only: a reader of either store needs no lock */
		copy_locked(m, db, c);
		return;
	}
	if (!lock_files(m, c->name, &flock)) {
		c->outcome = FAILED;
		c->why = N_("its lock of the files could not be had");
		return;
	}
	if (sls_userdb_lock(db, c->name, 0, &dlock) != SLS_OK) {
		c->outcome = FAILED;
		c->why = N_("its lock in the database could not be had");
	} else {
		copy_locked(m, db, c);
	}
	sls_userdb_unlock(db, dlock); /* rolls back what was not committed */
	sls_lock_release(flock);
}

/* What the user's line says the copy holds. */
static const char *what_copied(const struct user_copy *c)
{
	if (c->user.src != NULL && c->state.src != NULL)
		return _("enrolment and state");
	return c->user.src != NULL ? _("enrolment") : _("state");
}

/* The user's line: stdout for a copy, stderr (naming the user) for the rest. */
static void report(struct migrate *m, const struct user_copy *c)
{
	switch (c->outcome) {
	case COPIED:
		m->copied++;
		/* TRANSLATORS: a user name, then "enrolment and state", "enrolment" or "state" */
		printf(_("%s: copied and verified (%s)\n"), c->name, what_copied(c));
		break;
	case WOULD_COPY:
		m->copied++;
		/* TRANSLATORS: a user name, then "enrolment and state", "enrolment" or "state" */
		printf(_("%s: would be copied (%s)\n"), c->name, what_copied(c));
		break;
	case REFUSED:
		m->refused++;
		warnx(_("%s: already in the database, not copied (--overwrite replaces it)"),
		      c->name);
		break;
	case MALFORMED:
		m->failed++;
		if (c->diag.line > 0)
			/* TRANSLATORS: the store, "users" or "state", a user, a line, what is wrong
			 */
			warnx(_("%s/%s/%s:%d: %s: %s not copied"), m->from, c->bad, c->name,
			      c->diag.line, c->diag.msg, c->name);
		else
			/* TRANSLATORS: the store, "users" or "state", a user, what is wrong */
			warnx(_("%s/%s/%s: %s: %s not copied"), m->from, c->bad, c->name,
			      c->diag.msg, c->name);
		break;
	case FAILED:
		m->failed++;
		/* TRANSLATORS: a user name, then what failed */
		warnx(_("%s: not copied: %s"), c->name, _(c->why));
		break;
	}
	if (c->kept_db && c->outcome == COPIED)
		printf(_("%s: the database's lock, failures or used codes are kept (stricter than "
			 "the files')\n"),
		       c->name);
	if (c->normalised && (c->outcome == COPIED || c->outcome == WOULD_COPY))
		printf(_("%s: its files' comments or layout are not kept (the same content, "
			 "formatted as sls writes it)\n"),
		       c->name);
}

static void migrate_user(struct migrate *m, const struct sls_store *db, const char *name)
{
	struct user_copy c = {.name = name};

	copy_user(m, db, &c);
	report(m, &c); /* the locks are released: printing cannot hold them */
	text_free(&c.user);
	text_free(&c.state);
}

static int summary(const struct migrate *m)
{
	if (m->dry_run)
		/* TRANSLATORS: three counts, then the store's directory */
		printf(_("Dry run: %zu to copy, %zu refused, %zu failed; nothing was written, "
			 "and the files in %s were not changed.\n"),
		       m->copied, m->refused, m->failed, m->from);
	else
		/* TRANSLATORS: three counts, then the store's directory */
		printf(_("%zu copied and verified, %zu refused, %zu failed; the files in %s were "
			 "not changed and stay as they are, a fallback.\n"),
		       m->copied, m->refused, m->failed, m->from);
	if (m->failed > 0)
		return SLS_EXIT_STORE;
	return m->refused > 0 ? SLS_EXIT_EXISTS : SLS_EXIT_OK;
}

/* Open the files (never made: a missing store is an error) and the database. */
static void open_stores(struct sls_cli *cli, struct migrate *m)
{
	struct sls_diag diag = {0};
	char why[512];
	enum sls_rc rc;

	m->owner = sls_store_owner(cli);
	rc = sls_store_open(m->from, m->owner, false, &m->files);
	if (rc != SLS_OK) {
		sls_cli_why(rc, errno, why, sizeof(why));
		/* TRANSLATORS: the store's directory, then what is wrong with it */
		errx(SLS_EXIT_STORE, _("store %s: %s"), m->from, why);
	}
	rc = sls_pg_open(&cli->conf, &cli->store, &diag);
	/* SLS_ERR_FORMAT is also a malformed key file: diag tells them apart */
	if (rc == SLS_ERR_FORMAT && strstr(diag.msg, "schema") != NULL)
		errx(SLS_EXIT_STORE, _("the database has no schema of sls: run sls db init first"));
	if (rc != SLS_OK)
		errx(SLS_EXIT_STORE, "%s: %s", sls_strerror(rc), diag.msg);
}

static int run_migrate(struct sls_cli *cli, struct migrate *m)
{
	char **names = NULL;
	size_t n = 0;
	enum sls_rc rc;

	open_stores(cli, m);
	rc = sls_store_names(&m->files, &names, &n);
	if (rc != SLS_OK) {
		sls_store_close(&m->files);
		errx(SLS_EXIT_STORE, _("store %s: %s"), m->from, sls_strerror(rc));
	}
	for (size_t i = 0; i < n; i++)
		migrate_user(m, &cli->store, names[i]);
	sls_store_names_free(names, n);
	sls_store_close(&m->files);
	return summary(m);
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"to", required_argument, NULL, 't'},
						 {"from", required_argument, NULL, 'f'},
						 {"overwrite", no_argument, NULL, 'o'},
						 {"dry-run", no_argument, NULL, 'n'},
						 SLS_COMMON_OPTIONS};
	struct migrate m = {.files = {.dirfd = -1, .users_fd = -1, .state_fd = -1, .lock_fd = -1}};
	const char *to = NULL;
	int c;

	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 't')
			to = optarg;
		else if (c == 'f')
			m.from = optarg;
		else if (c == 'o')
			m.overwrite = true;
		else if (c == 'n')
			m.dry_run = true;
	}
	if (optind != argc || to == NULL || cli->user_opt != NULL)
		sls_cli_usage(cli);
	if (strcmp(to, "postgresql") != 0)
		errx(SLS_EXIT_USAGE, _("migrate can only copy to postgresql (--to postgresql)"));
	sls_cli_start_config(cli);
	if (cli->conf.backend != SLS_BACKEND_POSTGRESQL)
		errx(SLS_EXIT_USAGE, _("sls.conf's [store] backend is not postgresql: set it (with "
				       "dsn and key) and run sls db init before sls migrate"));
	if (m.from == NULL)
		m.from = cli->conf.store_dir;
	return run_migrate(cli, &m);
}

const struct sls_verb sls_verb_migrate = {
    .name = "migrate",
    /* TRANSLATORS: in sls --help; the options stay, DIR may be translated */
    .synopsis = N_("--to postgresql [--from DIR] [--overwrite] [--dry-run]"),
    .summary = N_("copy the files store into the database"),
    .root_only = true,
    .run = run,
};
