/* sls-authenticator - the accounts file: one [account] section per account. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"
#include "ini_util.h"
#include "sls_codec.h"
#include "sls_file.h"
#include "sls_i18n.h"
#include "sls_secret.h"

#define ACCOUNTS_FILE     "accounts"
#define ACCOUNTS_LOCK     "accounts.lock"
#define ACCOUNTS_FILE_MAX (256 * 1024)
#define ACCOUNTS_LOCK_MS  5000

static const char *const kind_names[] = {
    [ACCOUNT_IBKEY] = "ibkey", [ACCOUNT_DSC] = "dsc", [ACCOUNT_TOTP] = "totp"};

const char *account_kind_name(enum account_kind kind)
{
	return (unsigned)kind <= ACCOUNT_TOTP ? kind_names[kind] : "?";
}

static bool same_user(const struct sls_otpauth *a, const struct sls_otpauth *b)
{
	return strcmp(a->account, b->account) == 0 && strcmp(a->issuer, b->issuer) == 0;
}

bool account_name(const struct accounts *a, size_t i, char *buf, size_t size)
{
	const struct sls_otpauth *o = &a->list[i].otp;
	bool shared = false;
	int n;

	for (size_t j = 0; j < a->n; j++)
		if (j != i && same_user(o, &a->list[j].otp))
			shared = true;
	if (shared)
		n = snprintf(buf, size, "%s@%s/%s", o->account, o->issuer,
			     o->device[0] ? o->device : account_kind_name(a->list[i].kind));
	else
		n = snprintf(buf, size, "%s@%s", o->account, o->issuer);
	return n > 0 && (size_t)n < size;
}

int accounts_find(const struct accounts *a, const char *name)
{
	char mine[ACCOUNT_NAME_MAX * 2];

	for (size_t i = 0; i < a->n; i++) {
		const struct sls_otpauth *o = &a->list[i].otp;

		if (account_name(a, i, mine, sizeof(mine)) && strcmp(mine, name) == 0)
			return (int)i;
		/* the long form always works, so scripts need not care */
		snprintf(mine, sizeof(mine), "%s@%s/%s", o->account, o->issuer,
			 o->device[0] ? o->device : account_kind_name(a->list[i].kind));
		if (strcmp(mine, name) == 0)
			return (int)i;
	}
	return -1;
}

int accounts_find_same(const struct accounts *a, const struct sls_otpauth *o)
{
	for (size_t i = 0; i < a->n; i++)
		if (same_user(o, &a->list[i].otp) && strcmp(o->device, a->list[i].otp.device) == 0)
			return (int)i;
	return -1;
}

/* ---- parsing ------------------------------------------------------------ */

enum {
	F_KIND,
	F_ISSUER,
	F_USER,
	F_DEVICE,
	F_SUITE,
	F_SECRET,
	F_ALGORITHM,
	F_DIGITS,
	F_PERIOD,
	F_CREATED,
	F_COUNT
};
static const char *const field_names[F_COUNT] = {"kind",   "issuer", "user",      "device",
						 "suite",  "secret", "algorithm", "digits",
						 "period", "created"};

struct accounts_parse {
	struct accounts *a;
	struct account *cur;
	unsigned seen;
};

static enum sls_rc acc_section(void *ctx, const char *name, int line, struct sls_diag *diag)
{
	struct accounts_parse *p = ctx;

	if (strcmp(name, "account") != 0) {
		sls_diag_set(diag, line, _("unknown section"));
		return SLS_ERR_FORMAT;
	}
	if (p->a->n >= ACCOUNTS_MAX) {
		sls_diag_set(diag, line, _("more than %d accounts"), ACCOUNTS_MAX);
		return SLS_ERR_FORMAT;
	}
	p->cur = &p->a->list[p->a->n++];
	p->cur->otp.algorithm = SLS_HASH_SHA1;
	p->cur->otp.digits = 6;
	p->cur->otp.period = 30;
	p->seen = 0;
	return SLS_OK;
}

static bool set_text(char *dst, const char *value)
{
	if (!sls_text_ok(value, SLS_URI_FIELD_MAX))
		return false;
	snprintf(dst, SLS_URI_FIELD_MAX + 1, "%s", value);
	return true;
}

static bool set_kind(struct account *acc, const char *value)
{
	for (int k = ACCOUNT_IBKEY; k <= ACCOUNT_TOTP; k++) {
		if (strcmp(value, kind_names[k]) == 0) {
			acc->kind = (enum account_kind)k;
			acc->otp.type = k == ACCOUNT_TOTP ? SLS_URI_TOTP : SLS_URI_OCRA;
			return true;
		}
	}
	return false;
}

static bool set_field(struct account *acc, int f, const char *value)
{
	struct sls_otpauth *o = &acc->otp;
	uint64_t v;

	switch (f) {
	case F_KIND:
		return set_kind(acc, value);
	case F_ISSUER:
		return set_text(o->issuer, value);
	case F_USER:
		return *value != '\0' && set_text(o->account, value);
	case F_DEVICE:
		return set_text(o->device, value);
	case F_SUITE:
		return sls_ocra_suite_parse(value, &o->suite, NULL) == SLS_OK;
	case F_SECRET:
		return sls_ini_parse_base32(value, o->secret, sizeof(o->secret), &o->secret_len) ==
			   SLS_OK &&
		       o->secret_len >= SLS_URI_SECRET_MIN;
	case F_ALGORITHM:
		return sls_hash_parse(value, &o->algorithm) == SLS_OK;
	case F_DIGITS:
		return sls_ini_parse_u64(value, 8, &v) && v >= 6 && (o->digits = (unsigned)v);
	case F_PERIOD:
		return sls_ini_parse_u64(value, 3600, &v) && v >= 1 && (o->period = (unsigned)v);
	case F_CREATED:
		return sls_ini_parse_time(value, true, &acc->created);
	}
	return false;
}

static enum sls_rc acc_key(void *ctx, const char *key, const char *value, bool cont, int line,
			   struct sls_diag *diag)
{
	struct accounts_parse *p = ctx;

	for (int f = 0; f < F_COUNT; f++) {
		if (strcmp(key, field_names[f]) != 0)
			continue;
		if (cont || (p->seen & (1u << f))) {
			/* TRANSLATORS: %s is a key of the accounts file, such as secret. */
			sls_diag_set(diag, line, _("key '%s' repeated"), key);
			return SLS_ERR_FORMAT;
		}
		p->seen |= 1u << f;
		if (!set_field(p->cur, f, value)) {
			/* TRANSLATORS: %s is a key of the accounts file, such as secret. */
			sls_diag_set(diag, line, _("invalid value for '%s'"), key);
			return SLS_ERR_FORMAT;
		}
		return SLS_OK;
	}
	/* TRANSLATORS: %s is a key of the accounts file. */
	sls_diag_set(diag, line, _("unknown key '%s'"), key);
	return SLS_ERR_FORMAT;
}

static enum sls_rc acc_end(void *ctx, struct sls_diag *diag)
{
	struct accounts_parse *p = ctx;
	unsigned need = 1u << F_KIND | 1u << F_USER | 1u << F_SECRET | 1u << F_CREATED;
	unsigned totp_only = 1u << F_ALGORITHM | 1u << F_DIGITS | 1u << F_PERIOD;
	bool totp = p->cur->kind == ACCOUNT_TOTP;

	if (!totp)
		need |= 1u << F_SUITE;
	if ((p->seen & need) != need) {
		/* TRANSLATORS: %zu is the account's place in the file (1 is the first). */
		sls_diag_set(diag, 0, _("account %zu lacks a required key"), p->a->n);
		return SLS_ERR_FORMAT;
	}
	if ((totp && (p->seen & (1u << F_SUITE))) || (!totp && (p->seen & totp_only))) {
		/* TRANSLATORS: %zu is the account's place in the file (1 is the first). */
		sls_diag_set(diag, 0, _("account %zu has a key its kind does not use"), p->a->n);
		return SLS_ERR_FORMAT;
	}
	p->cur->otp.type = totp ? SLS_URI_TOTP : SLS_URI_OCRA;
	if (accounts_find_same(p->a, &p->cur->otp) != (int)(p->a->n - 1)) {
		/* TRANSLATORS: %zu is the account's place in the file (1 is the first). */
		sls_diag_set(diag, 0, _("account %zu is listed twice"), p->a->n);
		return SLS_ERR_FORMAT;
	}
	return SLS_OK;
}

static void accounts_wipe(struct accounts *a)
{
	sls_wipe(a->list, sizeof(a->list));
	a->n = 0;
}

enum sls_rc accounts_parse(const char *buf, struct accounts *a, struct sls_diag *diag)
{
	static const struct sls_ini_ops ops = {acc_section, acc_key, acc_end};
	struct accounts_parse p = {.a = a};
	enum sls_rc rc;

	accounts_wipe(a);
	rc = sls_ini_parse(buf, &ops, &p, diag);
	if (rc != SLS_OK)
		accounts_wipe(a);
	return rc;
}

/* ---- serializing -------------------------------------------------------- */

static void format_account(struct sls_ini_buf *b, const struct account *acc)
{
	const struct sls_otpauth *o = &acc->otp;

	sls_ini_buf_add(b, "[account]\n");
	sls_ini_buf_key(b, "kind", account_kind_name(acc->kind));
	sls_ini_buf_key(b, "issuer", o->issuer);
	sls_ini_buf_key(b, "user", o->account);
	sls_ini_buf_key(b, "device", o->device);
	if (acc->kind == ACCOUNT_TOTP) {
		sls_ini_buf_key(b, "algorithm", sls_hash_name(o->algorithm));
		sls_ini_buf_key_num(b, "digits", o->digits);
		sls_ini_buf_key_num(b, "period", o->period);
	} else {
		sls_ini_buf_key(b, "suite", o->suite.text);
	}
	sls_ini_buf_key_base32(b, "secret", o->secret, o->secret_len);
	sls_ini_buf_key_num(b, "created", (uint64_t)acc->created);
}

enum sls_rc accounts_format(const struct accounts *a, char **out, size_t *len)
{
	struct sls_ini_buf b;

	sls_ini_buf_init(&b);
	sls_ini_buf_add(&b, "# sls-authenticator accounts: keep this file private (mode 0600)\n");
	for (size_t i = 0; i < a->n; i++) {
		const struct sls_otpauth *o = &a->list[i].otp;

		if (!sls_text_ok(o->issuer, SLS_URI_FIELD_MAX) || o->account[0] == '\0' ||
		    !sls_text_ok(o->account, SLS_URI_FIELD_MAX) ||
		    !sls_text_ok(o->device, SLS_URI_FIELD_MAX)) {
			sls_ini_buf_free(&b);
			return SLS_ERR_INVAL;
		}
		sls_ini_buf_add(&b, "\n");
		format_account(&b, &a->list[i]);
	}
	return sls_ini_buf_finish(&b, out, len);
}

/* ---- the file on disk --------------------------------------------------- */

/* $XDG_DATA_HOME/sls-authenticator, else $HOME/.local/share/sls-authenticator. */
static bool accounts_dir_path(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, size, "%s/sls-authenticator", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, size, "%s/.local/share/sls-authenticator", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

/* mkdir -p with mode 0700 for every missing component. */
static int make_parents(const char *path)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/*
 * "a symbolic link", "a FIFO", ...: what a file that should be regular is
 * (translated; it goes into the "is %s, not a regular file" message).
 */
static const char *file_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		/* TRANSLATORS: the %s of "%s/%s is %s, not a regular file; move it away". */
		return _("a symbolic link");
	if (S_ISFIFO(mode))
		/* TRANSLATORS: the %s of "%s/%s is %s, not a regular file; move it away". */
		return _("a FIFO");
	if (S_ISDIR(mode))
		/* TRANSLATORS: the %s of "%s/%s is %s, not a regular file; move it away". */
		return _("a directory");
	if (S_ISSOCK(mode))
		/* TRANSLATORS: the %s of "%s/%s is %s, not a regular file; move it away". */
		return _("a socket");
	if (S_ISCHR(mode) || S_ISBLK(mode))
		/* TRANSLATORS: the %s of "%s/%s is %s, not a regular file; move it away". */
		return _("a device");
	/* TRANSLATORS: the %s of "%s/%s is %s, not a regular file; move it away". */
	return _("not a regular file");
}

/* The directory must be 0700 and the file 0600, both the user's: they hold secrets. */
static enum sls_rc check_private(int dirfd, const char *name, const char *path, char *why,
				 size_t whysize)
{
	bool is_dir = strcmp(name, ".") == 0;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? SLS_ERR_NOENT : SLS_ERR_IO;
	if (!is_dir && !S_ISREG(st.st_mode)) {
		/* chmod cannot fix a link or a FIFO: say what it is */
		/*
		 * TRANSLATORS: %s/%s is the file's path (directory, then name); the
		 * third %s says what it is: "a symbolic link", "a FIFO", ...
		 */
		snprintf(why, whysize, _("%s/%s is %s, not a regular file; move it away"), path,
			 name, file_kind(st.st_mode));
		return SLS_ERR_UNSAFE;
	}
	if ((st.st_mode & 077) == 0 && st.st_uid == geteuid())
		return SLS_OK;
	if (is_dir)
		/* TRANSLATORS: both %s are the directory's path. */
		snprintf(why, whysize, _("%s is not private; fix it with: chmod 700 %s"), path,
			 path);
	else
		/* TRANSLATORS: each %s/%s is the file's path (directory, then name). */
		snprintf(why, whysize, _("%s/%s is not private; fix it with: chmod 600 %s/%s"),
			 path, name, path, name);
	if (st.st_uid != geteuid())
		snprintf(why, whysize,
			 /*
			  * TRANSLATORS: each %s%s%s is one path: the directory, then "/"
			  * and the file's name, or nothing twice for the directory itself.
			  */
			 _("%s%s%s is not yours; fix it with: chown $(id -un) %s%s%s"), path,
			 is_dir ? "" : "/", is_dir ? "" : name, path, is_dir ? "" : "/",
			 is_dir ? "" : name);
	return SLS_ERR_UNSAFE;
}

/* path with its parent directory resolved (the last component may not exist yet). */
static bool resolve_parent(const char *path, char *out, size_t size)
{
	char parent[PATH_MAX], resolved[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL || slash == path || (size_t)(slash - path) >= sizeof(parent))
		return false;
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	if (realpath(parent, resolved) == NULL)
		return false;
	n = snprintf(out, size, "%s%s", resolved, slash);
	return n > 0 && (size_t)n < size;
}

static enum sls_rc open_dir(struct accounts *a, bool create, const char *path, char *why,
			    size_t whysize)
{
	char real[PATH_MAX];
	enum sls_rc rc;

	if (create && make_parents(path) != 0) {
		/* TRANSLATORS: %s is a directory's path, then why it cannot be made. */
		snprintf(why, whysize, _("cannot create %s: %s"), path, strerror(errno));
		return SLS_ERR_IO;
	}
	/*
	 * This runs as the user, in the user's own tree: a symlinked HOME or
	 * ~/.local is theirs to have, so resolve it once; the directory it
	 * leads to must still be theirs and private.
	 */
	if (resolve_parent(path, real, sizeof(real)))
		path = real;
	rc = sls_dir_open(path, geteuid(), create, &a->dirfd);
	if (rc == SLS_OK)
		rc = check_private(a->dirfd, ".", path, why, whysize);
	else if (rc == SLS_ERR_UNSAFE)
		snprintf(why, whysize,
			 /* TRANSLATORS: %s is the accounts directory's path. */
			 _("%s must be a directory of yours, private (chown $(id -u) and chmod "
			   "700 it), and every directory above it root's or yours and writable by "
			   "no one else (not below /tmp)"),
			 path);
	else
		snprintf(why, whysize, "%s: %s", path, sls_strerror(rc));
	return rc;
}

static enum sls_rc load_file(struct accounts *a, const char *path, struct sls_diag *diag, char *why,
			     size_t whysize)
{
	char *buf = NULL;
	size_t len = 0;
	enum sls_rc rc = check_private(a->dirfd, ACCOUNTS_FILE, path, why, whysize);

	if (rc == SLS_ERR_NOENT)
		return SLS_OK;
	if (rc == SLS_OK)
		rc = sls_file_read(a->dirfd, ACCOUNTS_FILE, geteuid(), ACCOUNTS_FILE_MAX, &buf,
				   &len);
	if (rc == SLS_OK) {
		rc = accounts_parse(buf, a, diag);
		if (rc != SLS_OK)
			/*
			 * TRANSLATORS: %s/%s:%d is the file's path and line number;
			 * the last %s says what is wrong there.
			 */
			snprintf(why, whysize, _("%s/%s:%d: %s (the file is left as it is)"), path,
				 ACCOUNTS_FILE, diag->line, diag->msg);
	} else if (why[0] == '\0') {
		snprintf(why, whysize, "%s/%s: %s", path, ACCOUNTS_FILE, sls_strerror(rc));
	}
	sls_free_secret(buf, len + 1);
	return rc;
}

enum sls_rc accounts_open(struct accounts *a, bool create, struct sls_diag *diag, char *why,
			  size_t whysize)
{
	char path[4096];
	enum sls_rc rc;

	a->n = 0;
	a->dirfd = a->lockfd = -1;
	why[0] = '\0';
	if (!accounts_dir_path(path, sizeof(path))) {
		snprintf(why, whysize, "%s", _("set HOME or XDG_DATA_HOME to an absolute path"));
		return SLS_ERR_INVAL;
	}
	rc = open_dir(a, create, path, why, whysize);
	if (rc == SLS_ERR_NOENT && !create) {
		why[0] = '\0';
		return SLS_OK; /* nothing imported yet */
	}
	if (rc != SLS_OK)
		return rc;
	rc = sls_lock_acquire(a->dirfd, ACCOUNTS_LOCK, geteuid(), ACCOUNTS_LOCK_MS, &a->lockfd);
	if (rc != SLS_OK) {
		snprintf(why, whysize, "%s/%s: %s", path, ACCOUNTS_LOCK, sls_strerror(rc));
		return rc;
	}
	return load_file(a, path, diag, why, whysize);
}

enum sls_rc accounts_save(struct accounts *a)
{
	char *text = NULL;
	size_t len = 0;
	enum sls_rc rc;

	if (a->dirfd < 0)
		return SLS_ERR_INVAL;
	rc = accounts_format(a, &text, &len);
	if (rc == SLS_OK)
		rc = sls_file_replace(a->dirfd, ACCOUNTS_FILE, text, len, 0600);
	sls_free_secret(text, len + 1);
	return rc;
}

void accounts_close(struct accounts *a)
{
	accounts_wipe(a);
	sls_lock_release(a->lockfd);
	if (a->dirfd >= 0)
		close(a->dirfd);
	a->lockfd = a->dirfd = -1;
}
