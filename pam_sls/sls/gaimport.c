/*
 * sls import-google-authenticator USER [FILE] [--name NAME] [--remove-original]
 * - (root) take over a user's google-authenticator file: its secret becomes
 * a totp device (the user's authenticator app keeps working unchanged), its
 * scratch codes a scratch device, both added in one transaction.
 *
 * The file is read as root, so it is read with care: the path is walked
 * from "/" without following a symlink, every directory on it must be
 * root's or the user's and writable by no one else, and the file must be a
 * regular file with one link, owned by the user (or, for a FILE given, by
 * root), readable and writable by its owner only, at most SLS_GA_FILE_MAX
 * bytes. Nothing of it (secret, codes) is ever printed or logged.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "gafile.h"
#include "sls_scratch.h"

#define DEFAULT_NAME   "google-authenticator"
#define SCRATCH_SUFFIX "-scratch"
#define GA_FILE        ".google_authenticator"
#define LABEL          "from google-authenticator"

struct gaimport {
	const char *name; /* the totp device's (--name); the scratch device's adds SCRATCH_SUFFIX */
	const char *given; /* FILE, or NULL for ~USER/.google_authenticator */
	bool remove;       /* --remove-original */
	char path[PATH_MAX];
	uid_t uid; /* the user's */
	int dirfd; /* the file's directory */
	char base[NAME_MAX + 1];
	struct stat st; /* the file, as read */
	struct sls_gafile ga;
	struct sls_device totp, scratch;
	size_t stand_ins_revoked;
	bool step_carried; /* DISALLOW_REUSE's last step went to the state */
};

/* ---- the names ------------------------------------------------------------------- */

/* Names sls gives devices: plain ASCII (as sls enroll's), 1..SLS_DEVICE_NAME_MAX bytes. */
static bool plain_name(const char *name, size_t max)
{
	size_t n = strlen(name);

	return n > 0 && n <= max && name[0] != '-' && name[0] != '.' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		   n;
}

static int set_names(struct gaimport *im)
{
	size_t max = SLS_DEVICE_NAME_MAX - strlen(SCRATCH_SUFFIX);

	if (!plain_name(im->name, max)) {
		/* TRANSLATORS: a number of bytes, then the suffix "-scratch" */
		warnx(_("invalid device name: 1 to %zu letters, digits, '.', '_' or '-', not "
			"starting with '-' or '.' (the scratch device adds \"%s\")"),
		      max, SCRATCH_SUFFIX);
		return SLS_EXIT_INPUT;
	}
	snprintf(im->totp.name, sizeof(im->totp.name), "%s", im->name);
	snprintf(im->scratch.name, sizeof(im->scratch.name), "%s%s", im->name, SCRATCH_SUFFIX);
	return SLS_EXIT_OK;
}

/* The user's uid and the file's path: FILE, or their home directory's .google_authenticator. */
static int find_user(struct sls_cli *cli, struct gaimport *im)
{
	struct passwd *pw = getpwnam(cli->user);
	int n;

	if (pw == NULL) {
		warnx(_("no such user: %s"), cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	im->uid = pw->pw_uid;
	n = im->given != NULL ? snprintf(im->path, sizeof(im->path), "%s", im->given)
			      : snprintf(im->path, sizeof(im->path), "%s/%s", pw->pw_dir, GA_FILE);
	if (n < 0 || (size_t)n >= sizeof(im->path) || im->path[0] != '/') {
		warnx(_("%s: not an absolute path (give FILE as one)"), im->path);
		return SLS_EXIT_INPUT;
	}
	return SLS_EXIT_OK;
}

/* ---- reading the file ------------------------------------------------------------ */

/* Split path into its directory (in place) and its last component (into base). */
static int split_path(struct gaimport *im, char *dir)
{
	char *slash;

	snprintf(dir, PATH_MAX, "%s", im->path);
	slash = strrchr(dir, '/');
	if (slash[1] == '\0' || strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0 ||
	    strlen(slash + 1) > NAME_MAX) {
		warnx(_("%s: not the path of a file"), im->path);
		return SLS_EXIT_INPUT;
	}
	snprintf(im->base, sizeof(im->base), "%s", slash + 1);
	if (slash == dir)
		slash++;
	*slash = '\0';
	return SLS_EXIT_OK;
}

/* The file's directory, on a path of root's and the user's that no one else may write to. */
static int open_dir(struct gaimport *im)
{
	char dir[PATH_MAX];
	int status = split_path(im, dir);
	enum sls_rc rc;

	if (status != SLS_EXIT_OK)
		return status;
	rc = sls_dir_open(dir, im->uid, false, &im->dirfd);
	if (rc == SLS_ERR_UNSAFE && im->uid != 0)
		rc = sls_dir_open(dir, 0, false, &im->dirfd);
	if (rc == SLS_OK)
		return SLS_EXIT_OK;
	if (rc == SLS_ERR_NOENT) {
		warnx(_("%s: no such directory"), dir);
		return SLS_EXIT_NOTFOUND;
	}
	if (rc == SLS_ERR_UNSAFE)
		warnx(_("%s: unsafe: a symbolic link on the way, or a directory that is neither "
			"root's nor the user's or that others may write to; nothing was imported"),
		      dir);
	else
		warnx("%s: %s", dir, sls_strerror_errno(rc, errno));
	return SLS_EXIT_STORE;
}

/* Why the file at st may not be read for the user, or NULL. */
static const char *unsafe_file(const struct gaimport *im, const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		/* TRANSLATORS: what is wrong with a file, after its path ("PATH is ...") */
		return _("is a symbolic link");
	if (!S_ISREG(st->st_mode))
		return _("is not a regular file");
	if (st->st_nlink != 1)
		return _("has other hard links");
	if (st->st_uid != im->uid && (im->given == NULL || st->st_uid != 0))
		return im->given == NULL ? _("is not owned by the user")
					 : _("is owned by neither the user nor root");
	if (st->st_mode & (S_IRWXG | S_IRWXO))
		return _("may be read or written by group or others: its secret may be known to "
			 "others (if no one else can have read it, chmod 600 it; else the user "
			 "needs a new secret: sls enroll totp)");
	return NULL;
}

/* An open or stat of the file failed with errno e. */
static int os_error(const struct gaimport *im, int e)
{
	if (e == ENOENT) {
		warnx(_("%s: no such file"), im->path);
		return SLS_EXIT_NOTFOUND;
	}
	/* TRANSLATORS: a path, then what is wrong with it */
	warnx(_("%s: %s; nothing was imported"), im->path,
	      e == ELOOP ? _("is a symbolic link") : strerror(e));
	return SLS_EXIT_STORE;
}

/*
 * Open the file without following a link. The fstatat first refuses a
 * link, FIFO or device before open() can touch it; the fstat of the open
 * file is the check that counts.
 */
static int open_file(struct gaimport *im, int *fd)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat pre;
	const char *why;

	*fd = -1;
	if (fstatat(im->dirfd, im->base, &pre, AT_SYMLINK_NOFOLLOW) != 0)
		return os_error(im, errno);
	why = unsafe_file(im, &pre);
	if (why == NULL) {
		*fd = openat(im->dirfd, im->base, flags);
		if (*fd < 0 || fstat(*fd, &im->st) != 0)
			return os_error(im, errno);
		why = im->st.st_ino != pre.st_ino || im->st.st_dev != pre.st_dev
			  /* TRANSLATORS: what is wrong with a file, after its path */
			  ? _("changed while it was opened")
			  : unsafe_file(im, &im->st);
	}
	if (why == NULL)
		return SLS_EXIT_OK;
	/* TRANSLATORS: a path, then what is wrong with it ("is a symbolic link") */
	warnx(_("%s %s; nothing was imported"), im->path, why);
	return SLS_EXIT_STORE;
}

/* The whole file (at most SLS_GA_FILE_MAX bytes) into buf; *len its length. */
static int read_all(struct gaimport *im, int fd, char *buf, size_t *len)
{
	ssize_t n;

	*len = 0;
	do {
		n = read(fd, buf + *len, SLS_GA_FILE_MAX + 1 - *len);
		if (n > 0)
			*len += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR)) && *len <= SLS_GA_FILE_MAX);
	if (n < 0) {
		warnx("%s: %s", im->path, strerror(errno));
		return SLS_EXIT_STORE;
	}
	if (*len > SLS_GA_FILE_MAX) {
		warnx(_("%s: over %d bytes: not a google-authenticator file"), im->path,
		      SLS_GA_FILE_MAX);
		return SLS_EXIT_INPUT;
	}
	return SLS_EXIT_OK;
}

static int parse(struct gaimport *im, const char *buf, size_t len)
{
	struct sls_diag diag = {0};
	enum sls_rc rc = sls_gafile_parse(buf, len, &im->ga, &diag);

	if (rc == SLS_OK)
		return SLS_EXIT_OK;
	if (diag.line > 0)
		/* TRANSLATORS: a path, a line number, then what is wrong there */
		warnx(_("%s:%d: %s; nothing was imported"), im->path, diag.line, diag.msg);
	else
		warnx(_("%s: %s; nothing was imported"), im->path, diag.msg);
	return SLS_EXIT_INPUT;
}

static int read_file(struct gaimport *im)
{
	char *buf = calloc(1, SLS_GA_FILE_MAX + 1);
	size_t len = 0;
	int fd = -1, status;

	if (buf == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	status = open_dir(im);
	if (status == SLS_EXIT_OK)
		status = open_file(im, &fd);
	if (status == SLS_EXIT_OK)
		status = read_all(im, fd, buf, &len);
	if (status == SLS_EXIT_OK)
		status = parse(im, buf, len);
	if (fd >= 0)
		close(fd);
	sls_free_secret(buf, SLS_GA_FILE_MAX + 1);
	return status;
}

/* ---- the devices ------------------------------------------------------------------- */

static void describe(struct sls_device *d, time_t now)
{
	snprintf(d->label, sizeof(d->label), "%s", LABEL);
	d->status = SLS_STATUS_ACTIVE;
	d->created = now;
}

/* The same secret, 6 digits, the file's step; the scratch codes, if any. */
static int make_devices(struct gaimport *im)
{
	const char *codes[SLS_SCRATCH_CODES_MAX];
	time_t now = time(NULL);

	im->totp.type = &sls_devtype_totp;
	im->totp.level = sls_devtype_totp.level;
	memcpy(im->totp.secret, im->ga.secret, im->ga.secret_len);
	im->totp.secret_len = im->ga.secret_len;
	im->totp.u.totp.hash = SLS_HASH_SHA1;
	im->totp.u.totp.digits = 6;
	im->totp.u.totp.period = im->ga.step;
	describe(&im->totp, now);
	if (im->ga.ncodes == 0)
		return SLS_EXIT_OK;
	for (size_t i = 0; i < im->ga.ncodes; i++)
		codes[i] = im->ga.codes[i];
	if (sls_scratch_new(&im->scratch, codes, im->ga.ncodes) != SLS_OK) {
		warnx(_("the scratch codes could not be hashed (random number generator or crypto "
			"failure)"));
		return SLS_EXIT_STORE;
	}
	describe(&im->scratch, now);
	return SLS_EXIT_OK;
}

/* ---- the transaction --------------------------------------------------------------- */

/* A device of either name that is not revoked stops the import. */
static int names_free(struct sls_cli *cli, struct sls_user *user, const struct gaimport *im)
{
	const struct sls_device *d = sls_user_find_device(user, im->totp.name);

	if ((d == NULL || d->status == SLS_STATUS_REVOKED) && im->ga.ncodes > 0)
		d = sls_user_find_device(user, im->scratch.name);
	if (d == NULL || d->status == SLS_STATUS_REVOKED)
		return SLS_EXIT_OK;
	sls_cli_later(cli,
		      /* TRANSLATORS: a user name, then a device's name */
		      _("%s already has a device named %s (imported before?); nothing was "
			"imported (--name picks another name)"),
		      cli->user, d->name);
	return SLS_EXIT_EXISTS;
}

/* The file is still the one read: pam_google_authenticator rewrites it (a new inode) when it takes
 * a code. */
static bool file_unchanged(const struct gaimport *im)
{
	struct stat now;

	return fstatat(im->dirfd, im->base, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       now.st_ino == im->st.st_ino && now.st_dev == im->st.st_dev &&
	       now.st_size == im->st.st_size && now.st_mtim.tv_sec == im->st.st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == im->st.st_mtim.tv_nsec;
}

/* d into user; its place (NULL: full of devices that are not revoked, said). */
static struct sls_device *place(struct sls_cli *cli, struct sls_user *user,
				const struct sls_device *d)
{
	struct sls_device copy = *d, *slot = sls_user_place_device(user, d->name, &copy.created);

	if (slot == NULL)
		sls_cli_later(cli, _("%s has %d devices that are not revoked; revoke one first"),
			      cli->user, SLS_DEVICES_MAX);
	else
		*slot = copy;
	sls_wipe(&copy, sizeof(copy));
	return slot;
}

/*
 * DISALLOW_REUSE's steps used: the highest becomes the totp device's last
 * step, so a code google-authenticator took is not taken again (one in the
 * future past the window is not carried: it would block the device).
 */
static void carry_step(struct sls_txn *t, const struct sls_device *totp, struct gaimport *im)
{
	uint64_t now_step = (uint64_t)time(NULL) / totp->u.totp.period;
	struct sls_device_state *ds;

	if (im->ga.last_step == 0 || im->ga.last_step > now_step + 1)
		return;
	sls_state_prune(t->state, t->user);
	ds = sls_state_device(t->state, totp);
	if (ds == NULL)
		return;
	ds->totp_last_step = im->ga.last_step;
	t->state_changed = true;
	im->step_carried = true;
}

static int add(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct gaimport *im = arg;
	struct sls_device *totp;
	int status = names_free(cli, t->user, im);

	if (status != SLS_EXIT_OK)
		return status;
	if (!file_unchanged(im)) {
		sls_cli_later(cli,
			      /* TRANSLATORS: a path */
			      _("%s changed while it was read (google-authenticator took a "
				"code?); nothing was imported: try again"),
			      im->path);
		return SLS_EXIT_STORE;
	}
	totp = place(cli, t->user, &im->totp);
	if (totp == NULL || (im->ga.ncodes > 0 && place(cli, t->user, &im->scratch) == NULL))
		return SLS_EXIT_INPUT;
	im->stand_ins_revoked = sls_user_revoke_stand_ins(t->user, totp);
	t->user_changed = true;
	carry_step(t, totp, im);
	return SLS_EXIT_OK;
}

/* ---- what is said ------------------------------------------------------------------ */

/* "24h", "30m", "90s". */
static void duration(unsigned secs, char *buf, size_t size)
{
	if (secs != 0 && secs % 3600 == 0)
		snprintf(buf, size, "%uh", secs / 3600);
	else if (secs != 0 && secs % 60 == 0)
		snprintf(buf, size, "%um", secs / 60);
	else
		snprintf(buf, size, "%us", secs);
}

/* What google-authenticator's options become here. */
static void say_options(const struct sls_cli *cli, const struct gaimport *im)
{
	const struct sls_gafile *ga = &im->ga;
	char window[32];

	if (ga->disallow_reuse && im->step_carried)
		/* TRANSLATORS: google-authenticator's option names (DISALLOW_REUSE...) stay */
		printf(_("  DISALLOW_REUSE: honoured: pam_sls never takes a code of the same time "
			 "step twice; the steps used so far are carried over.\n"));
	else if (ga->disallow_reuse)
		printf(_("  DISALLOW_REUSE: honoured: pam_sls never takes a code of the same time "
			 "step twice.\n"));
	else
		printf(_("  No DISALLOW_REUSE: note that pam_sls never takes a code of the same "
			 "time step twice (one login a step at most).\n"));
	if (ga->rate_attempts > 0) {
		duration(cli->conf.window, window, sizeof(window));
		/* TRANSLATORS: RATE_LIMIT's two numbers, then sls.conf's deny and window ("30m") */
		printf(_("  RATE_LIMIT %u %u: not carried over; pam_sls's lockout applies instead "
			 "([lockout] deny = %u failures within window = %s lock the user).\n"),
		       ga->rate_attempts, ga->rate_interval, cli->conf.deny, window);
	}
	if (ga->window != 0 && ga->window != 3)
		printf(_("  WINDOW_SIZE %u: not carried over; pam_sls takes a code of the current "
			 "time step or one step either side (a window of 3).\n"),
		       ga->window);
	if (ga->step != SLS_GA_STEP_DEFAULT)
		printf(_("  STEP_SIZE %u: the totp device uses %u-second steps.\n"), ga->step,
		       ga->step);
	if (ga->time_skew && ga->skew != 0)
		printf(_("  TIME_SKEW %ld: not carried over; pam_sls corrects no clock offset: if "
			 "codes are refused, set the clock of the user's phone right.\n"),
		       ga->skew);
}

static void say_done(const struct sls_cli *cli, const struct gaimport *im)
{
	/* TRANSLATORS: a path, then a user name */
	printf(_("Imported %s for %s:\n"), im->path, cli->user);
	/* TRANSLATORS: a device's name, then the seconds of its time step */
	printf(_("  totp device %s: the same secret (6 digits, %u-second steps), so the user's "
		 "authenticator app keeps working unchanged.\n"),
	       im->totp.name, im->totp.u.totp.period);
	if (im->ga.ncodes > 0)
		printf(
		    /* TRANSLATORS: a device's name, then how many codes; "Scratch code: " is the
		       prompt a login shows for them */
		    P_("  scratch device %s: %zu single-use scratch code (kept as salted hashes "
		       "only), asked as \"Scratch code: \".\n",
		       "  scratch device %s: %zu single-use scratch codes (kept as salted hashes "
		       "only), asked as \"Scratch code: \".\n",
		       im->ga.ncodes),
		    im->scratch.name, im->ga.ncodes);
	else
		printf(_("  The file holds no scratch codes.\n"));
	say_options(cli, im);
}

/* --remove-original: the file read, if it is still that one; its directory synced. */
static int remove_original(const struct gaimport *im)
{
	if (!file_unchanged(im)) {
		warnx(_("%s changed since it was read: not removed (the import stands)"), im->path);
		return SLS_EXIT_STORE;
	}
	if (unlinkat(im->dirfd, im->base, 0) != 0 || fsync(im->dirfd) != 0) {
		/* TRANSLATORS: a path, then why */
		warnx(_("%s: cannot remove: %s (the import stands)"), im->path, strerror(errno));
		return SLS_EXIT_STORE;
	}
	printf(_("Removed %s. Remove pam_google_authenticator.so from the PAM configuration "
		 "(/etc/pam.d) too: without its file it refuses the user (unless nullok).\n"),
	       im->path);
	return SLS_EXIT_OK;
}

static int finish(struct sls_cli *cli, struct gaimport *im)
{
	sls_log_event(&cli->log, SLS_EV_ENROLLED, im->totp.name, "success", NULL,
		      "google-authenticator file imported: totp device active");
	if (im->ga.ncodes > 0)
		sls_log_event(&cli->log, SLS_EV_ENROLLED, im->scratch.name, "success", NULL,
			      "google-authenticator scratch codes imported: scratch device active");
	say_done(cli, im);
	sls_cli_stand_ins_revoked(cli, stdout, im->stand_ins_revoked);
	if (im->remove)
		return remove_original(im);
	printf(_("The original file is left in place: remove pam_google_authenticator.so from "
		 "the PAM configuration (/etc/pam.d), then delete %s.\n"),
	       im->path);
	return SLS_EXIT_OK;
}

/* ---- the verb ---------------------------------------------------------------------- */

static int import(struct sls_cli *cli, struct gaimport *im, const char *user)
{
	int status = sls_cli_target_user(cli, user);

	if (status == SLS_EXIT_OK)
		status = set_names(im);
	if (status == SLS_EXIT_OK)
		status = find_user(cli, im);
	if (status != SLS_EXIT_OK)
		return status;
	cli->log.user = cli->user;
	status = read_file(im);
	if (status == SLS_EXIT_OK)
		status = make_devices(im);
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_NEW_USER | SLS_CLI_STATE, add, im);
	if (status == SLS_EXIT_OK)
		status = finish(cli, im);
	return status;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"name", required_argument, NULL, 'n'},
						 {"remove-original", no_argument, NULL, 'r'},
						 SLS_COMMON_OPTIONS};
	struct gaimport *im = calloc(1, sizeof(*im));
	int c, status;

	if (im == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	im->name = DEFAULT_NAME;
	im->dirfd = -1;
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 'n')
			im->name = optarg;
		else if (c == 'r')
			im->remove = true;
	}
	if (argc - optind != 1 && argc - optind != 2)
		sls_cli_usage(cli);
	im->given = argc - optind == 2 ? argv[optind + 1] : NULL;
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = import(cli, im, argv[optind]);
	if (im->dirfd >= 0)
		close(im->dirfd);
	sls_gafile_clear(&im->ga);
	sls_wipe(im, sizeof(*im));
	free(im);
	return status;
}

const struct sls_verb sls_verb_import_ga = {
    .name = "import-google-authenticator",
    /* TRANSLATORS: keep the options; USER, FILE and NAME may be translated */
    .synopsis = N_("USER [FILE] [--name NAME] [--remove-original]"),
    .summary = N_("take over a google-authenticator file"),
    .root_only = true,
    .run = run,
};
