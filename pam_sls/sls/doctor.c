/*
 * sls doctor - whether every login asks the second factor: the PAM services
 * that reach pam_sls (and sshd, sudo, su and login), sshd's settings,
 * sls.conf and the store. One line per way a login can pass without the
 * second factor, naming the service and the fix (exit 1); else one "ok"
 * line per service (exit 0).
 *
 * A service's auth stack is read as libpam reads it (include, substack and
 * Debian's @include followed; "other" when the service has no file or no
 * auth lines) and run as libpam's dispatcher runs it (_pam_dispatch_aux):
 * pam_sls failing, every other module succeeding or failing, in every
 * combination. A run that ends in success is a hole, blamed on what let it
 * through: pam_sls's own control, or a module that ended the stack or
 * jumped over pam_sls.
 */
#include "config.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pgstore.h"
#include "sls_wire.h"

#define PAM_DIR        "/etc/pam.d"
#define SSHD           "/usr/sbin/sshd"
#define SSHD_DIR       "/etc/ssh" /* where sshd looks for a relative Include */
#define SSHD_CONFIG    SSHD_DIR "/sshd_config"
#define DEPTH_MAX      8            /* files within files (libpam stops at 16): a loop ends here */
#define STACK_MAX      512          /* lines of one flattened stack */
#define FREE_MAX       16           /* modules tried both ways: 2^16 runs at most */
#define TEXT_MAX       (256 * 1024) /* a file, or the output of sshd -T */
#define SSHD_T_SECS    10
#define SSHD_FILES_MAX 64 /* sshd_config files read, Includes and all */
#define CONFS_MAX      8  /* distinct sls.conf files (conf= on PAM lines) checked */
#define SPACE          " \t\r\f\v"

/* What a return code makes libpam do (its _PAM_ACTION_*); a jump is a count > 0. */
enum {
	ACT_IGNORE = -1,
	ACT_OK = -2,
	ACT_DONE = -3,
	ACT_BAD = -4,
	ACT_DIE = -5,
	ACT_RESET = -6,
	ACT_UNDEF = -7
};

/* libpam's names of its return codes, for controls such as [success=ok default=bad]. */
static const char *const code_names[_PAM_RETURN_VALUES] = {
    [PAM_SUCCESS] = "success",
    [PAM_OPEN_ERR] = "open_err",
    [PAM_SYMBOL_ERR] = "symbol_err",
    [PAM_SERVICE_ERR] = "service_err",
    [PAM_SYSTEM_ERR] = "system_err",
    [PAM_BUF_ERR] = "buf_err",
    [PAM_PERM_DENIED] = "perm_denied",
    [PAM_AUTH_ERR] = "auth_err",
    [PAM_CRED_INSUFFICIENT] = "cred_insufficient",
    [PAM_AUTHINFO_UNAVAIL] = "authinfo_unavail",
    [PAM_USER_UNKNOWN] = "user_unknown",
    [PAM_MAXTRIES] = "maxtries",
    [PAM_NEW_AUTHTOK_REQD] = "new_authtok_reqd",
    [PAM_ACCT_EXPIRED] = "acct_expired",
    [PAM_SESSION_ERR] = "session_err",
    [PAM_CRED_UNAVAIL] = "cred_unavail",
    [PAM_CRED_EXPIRED] = "cred_expired",
    [PAM_CRED_ERR] = "cred_err",
    [PAM_NO_MODULE_DATA] = "no_module_data",
    [PAM_CONV_ERR] = "conv_err",
    [PAM_AUTHTOK_ERR] = "authtok_err",
    [PAM_AUTHTOK_RECOVERY_ERR] = "authtok_recover_err",
    [PAM_AUTHTOK_LOCK_BUSY] = "authtok_lock_busy",
    [PAM_AUTHTOK_DISABLE_AGING] = "authtok_disable_aging",
    [PAM_TRY_AGAIN] = "try_again",
    [PAM_IGNORE] = "ignore",
    [PAM_ABORT] = "abort",
    [PAM_AUTHTOK_EXPIRED] = "authtok_expired",
    [PAM_MODULE_UNKNOWN] = "module_unknown",
    [PAM_BAD_ITEM] = "bad_item",
    [PAM_CONV_AGAIN] = "conv_again",
    [PAM_INCOMPLETE] = "incomplete",
};

/* What pam_sls returns when it does not let a login through (and libpam when it cannot load it). */
static const int sls_failures[] = {
    PAM_AUTH_ERR,    PAM_MAXTRIES,       PAM_AUTHINFO_UNAVAIL, PAM_USER_UNKNOWN,
    PAM_SERVICE_ERR, PAM_SYSTEM_ERR,     PAM_BUF_ERR,          PAM_CONV_ERR,
    PAM_PERM_DENIED, PAM_MODULE_UNKNOWN, PAM_OPEN_ERR,         PAM_SYMBOL_ERR,
};

#define NFAILURES (sizeof(sls_failures) / sizeof(sls_failures[0]))

enum pam_type { TYPE_ANY, TYPE_AUTH, TYPE_ACCOUNT, TYPE_SESSION, TYPE_PASSWORD };
enum line_kind { LINE_MODULE, LINE_INCLUDE, LINE_SUBSTACK, LINE_BAD };

/* One line of a PAM file (continuations joined); its strings point into the file's text. */
struct pam_line {
	unsigned no;
	enum line_kind kind;
	enum pam_type type;  /* TYPE_ANY: @include, or a line libpam puts in every stack */
	const char *control; /* as written */
	const char *target;  /* the module, or the file included */
	const char *why;     /* LINE_BAD: what is wrong with it */
	const char *conf;    /* a conf= argument, or NULL */
	const char *socket;  /* a socket= argument (slsd's), or NULL */
	bool nullok;         /* a nullok argument */
	signed char act[_PAM_RETURN_VALUES];
};

/* A file of the PAM directory (or an absolute path an include names), read once. */
struct pam_file {
	char *name; /* as included */
	char *path; /* as findings show it */
	char *text; /* the file, cut into lines */
	size_t len;
	struct pam_line *lines;
	size_t nlines;
	char *link;      /* a symlink to this name of the same directory: followed as an include */
	char error[256]; /* why it cannot be read, or "" */
	bool missing;    /* no such file (libpam then reads "other") */
	bool included;   /* another file includes it: a part of services, not one */
};

enum role {
	ROLE_FREE, /* tried succeeding and failing */
	ROLE_SLS,  /* pam_sls: fails */
	ROLE_FAIL, /* pam_deny, pam_rootok (the caller is not root), a line libpam fails */
	ROLE_PASS, /* pam_permit */
	ROLE_HEAD, /* a substack's own entry: skipped when run, one module for a jump */
};

/* One entry of a stack as libpam lists them. */
struct handler {
	const struct pam_file *file;
	const struct pam_line *line; /* NULL: a stand-in that fails (missing file, loop) */
	int level;                   /* substack depth */
	enum role role;
	int bit;     /* ROLE_FREE: its bit in a run's outcomes */
	bool blamed; /* a finding was made about it */
};

struct stack {
	struct handler h[STACK_MAX];
	size_t n;
	enum pam_type type;
	bool quiet; /* no findings while reading it */
	bool full;
	const char *chain[DEPTH_MAX + 2]; /* the files being read, outermost first */
	bool sls_after_failure;           /* a run reached pam_sls with the stack already failed */
};

/* sshd's settings that decide whether pam_sls is asked: -1 while not set. */
struct sshd {
	bool found;  /* sshd is there (or was named) and its settings were read */
	bool failed; /* a finding was made while reading them */
	bool read;   /* the file (or the output of sshd -T) itself was read */
	int usepam, kbd, challenge, password, pubkey, hostbased, gssapi;
	unsigned files; /* files read: Include loops end at SSHD_FILES_MAX */
	char methods[512];
	bool methods_set, methods_long;
};

struct doctor {
	struct sls_cli *cli;
	const char *pam_dir;
	const char *sshd_config; /* --sshd-config */
	const char *sshd_t;      /* --sshd-t */
	int pam_fd;
	struct pam_file **files;
	size_t nfiles;
	const char *service; /* the one being checked */
	unsigned findings, service_findings;
	uint64_t *seen; /* hashes of the lines said about this service (a loop repeats them) */
	size_t nseen;
	struct stack stack;
	struct sshd sshd;
	char confs[CONFS_MAX][SLS_CONFIG_PATH_MAX]; /* the sls.conf files services use */
	struct {
		size_t conf;        /* an index of confs */
		const char *socket; /* its pam_sls lines' socket= (into a PAM file), or NULL */
	} sockets[CONFS_MAX];
	size_t nsockets;
	size_t nconfs;
	char stores[CONFS_MAX][SLS_CONFIG_PATH_MAX];
	size_t nstores;
};

static const signed char all_bad[_PAM_RETURN_VALUES] = {
    ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD,
    ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD,
    ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD,
    ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD, ACT_BAD,
};

/* ---- small tools ------------------------------------------------------------------ */

static void *xrealloc(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		errx(SLS_EXIT_USAGE, _("out of memory"));
	p = realloc(p, n * size);
	if (p == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	return p;
}

/* FNV-1a */
static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* One finding: "SUBJECT: text" on stdout, once for the service. */
static void finding(struct doctor *d, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void finding(struct doctor *d, const char *subject, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	uint64_t h;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		err(SLS_EXIT_USAGE, _("out of memory"));
	h = hash(text) ^ hash(subject);
	for (size_t i = 0; i < d->nseen; i++)
		if (d->seen[i] == h) {
			free(text);
			return;
		}
	d->seen = xrealloc(d->seen, d->nseen + 1, sizeof(*d->seen));
	d->seen[d->nseen++] = h;
	printf("%s: %s\n", subject, text);
	free(text);
	d->findings++;
	d->service_findings++;
}

/* Read the file at absolute path whole, checked as sls_file_read checks the store's files. */
static enum sls_rc read_path(const char *path, char **text, size_t *len)
{
	enum sls_rc rc = sls_file_read_path(path, 0, TEXT_MAX, text, len);

	return rc == SLS_ERR_INVAL ? SLS_ERR_NAME : rc;
}

/* ---- reading PAM files ------------------------------------------------------------- */

/* The next word of *p, NUL-ended ("[...]" with its spaces is one word); NULL at the end. */
static char *next_word(char **p)
{
	char *s = *p + strspn(*p, SPACE), *end;

	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	if (*s == '[' && strchr(s, ']') != NULL)
		end = strchr(s, ']') + 1;
	else
		end = s + strcspn(s, SPACE);
	if (*end != '\0')
		*end++ = '\0';
	*p = end;
	return s;
}

static void set_default(signed char *act, int action)
{
	for (int i = 0; i < _PAM_RETURN_VALUES; i++)
		if (act[i] == ACT_UNDEF)
			act[i] = (signed char)action;
}

static int parse_action(const char *s)
{
	static const char *const names[] = {"ignore", "ok", "done", "bad", "die", "reset"};
	char *end;
	long n;

	for (int i = 0; i < 6; i++)
		if (strcmp(s, names[i]) == 0)
			return -1 - i; /* ACT_IGNORE .. ACT_RESET */
	n = strtol(s, &end, 10);
	return s[0] >= '1' && s[0] <= '9' && *end == '\0' && n <= 100 ? (int)n : ACT_UNDEF;
}

/* "[value=action ...]" into act; NULL, or what is wrong. */
static const char *parse_brackets(const char *control, signed char *act)
{
	char buf[512], *p = buf, *word, *eq;
	int code, action;
	size_t len = strlen(control);

	if (len < 2 || control[len - 1] != ']' || len - 2 >= sizeof(buf))
		/* TRANSLATORS: what is wrong with a line of a PAM file */
		return _("a control in [...] that is not closed, or too long");
	snprintf(buf, sizeof(buf), "%.*s", (int)(len - 2), control + 1);
	while ((word = next_word(&p)) != NULL) {
		eq = strchr(word, '=');
		if (eq == NULL)
			/* TRANSLATORS: what is wrong with a line of a PAM file */
			return _("a word without '=' in its control");
		*eq = '\0';
		for (code = 0; code < _PAM_RETURN_VALUES; code++)
			if (strcmp(word, code_names[code]) == 0)
				break;
		action = parse_action(eq + 1);
		if ((code == _PAM_RETURN_VALUES && strcmp(word, "default") != 0) ||
		    action == ACT_UNDEF)
			/* TRANSLATORS: what is wrong with a line of a PAM file */
			return _("an unknown value or action in its control");
		/* as _pam_parse_control: default= fills what is unset where it stands */
		if (code == _PAM_RETURN_VALUES)
			set_default(act, action);
		else
			act[code] = (signed char)action;
	}
	set_default(act, ACT_BAD);
	return NULL;
}

/* A control into act, as libpam sets it up; NULL, or what is wrong. */
static const char *parse_control(const char *control, signed char *act)
{
	memset(act, ACT_UNDEF, _PAM_RETURN_VALUES);
	if (control[0] == '[')
		return parse_brackets(control, act);
	act[PAM_SUCCESS] = act[PAM_NEW_AUTHTOK_REQD] = ACT_OK;
	if (strcasecmp(control, "required") == 0 || strcasecmp(control, "requisite") == 0) {
		act[PAM_IGNORE] = ACT_IGNORE;
		set_default(act, strcasecmp(control, "required") == 0 ? ACT_BAD : ACT_DIE);
	} else if (strcasecmp(control, "optional") == 0) {
		set_default(act, ACT_IGNORE);
	} else if (strcasecmp(control, "sufficient") == 0) {
		act[PAM_SUCCESS] = act[PAM_NEW_AUTHTOK_REQD] = ACT_DONE;
		set_default(act, ACT_IGNORE);
	} else {
		/* TRANSLATORS: what is wrong with a line of a PAM file */
		return _("an unknown control");
	}
	return NULL;
}

static enum pam_type type_of(const char *s)
{
	static const char *const names[] = {"auth", "account", "session", "password"};

	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, names[i]) == 0)
			return (enum pam_type)(TYPE_AUTH + i);
	return TYPE_ANY;
}

static void line_bad(struct pam_line *l, const char *why)
{
	l->kind = LINE_BAD;
	l->why = why;
	memcpy(l->act, all_bad, sizeof(l->act));
}

/* The module's arguments that weaken pam_sls (nullok) or name its sls.conf (conf=) or slsd. */
static void parse_args(struct pam_line *l, char *s)
{
	char *word;

	while ((word = next_word(&s)) != NULL) {
		if (strcmp(word, "nullok") == 0)
			l->nullok = true;
		else if (strncmp(word, "conf=", 5) == 0)
			l->conf = word + 5;
		else if (strncmp(word, "socket=", 7) == 0)
			l->socket = word + 7;
	}
}

/* "[-]type control module args", "type include|substack FILE" or "@include FILE". */
static void parse_line(struct pam_line *l, char *s)
{
	char *type = next_word(&s), *control, *target;

	if (strcmp(type, "@include") == 0) {
		l->type = TYPE_ANY;
		l->kind = LINE_INCLUDE;
		l->target = next_word(&s);
		if (l->target == NULL)
			/* TRANSLATORS: what is wrong with a line of a PAM file */
			line_bad(l, _("@include without a file"));
		return;
	}
	l->type = type_of(type + (type[0] == '-'));
	control = next_word(&s);
	target = next_word(&s);
	l->control = control ? control : "";
	l->target = target;
	if (l->type == TYPE_ANY)
		/* TRANSLATORS: what is wrong with a line of a PAM file */
		line_bad(l, _("an unknown type"));
	else if (target == NULL)
		/* TRANSLATORS: what is wrong with a line of a PAM file */
		line_bad(l, _("no control or no module"));
	else if (strcasecmp(control, "include") == 0 || strcasecmp(control, "substack") == 0)
		l->kind = control[0] == 'i' || control[0] == 'I' ? LINE_INCLUDE : LINE_SUBSTACK;
	else if ((l->why = parse_control(control, l->act)) != NULL)
		line_bad(l, l->why);
	else
		parse_args(l, s);
}

/* The end of the logical line at s: a backslash before a newline joins the next (as libpam). */
static char *line_end(char *s, unsigned *no)
{
	char *nl;

	for (;;) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			return s + strlen(s);
		(*no)++;
		if (nl == s || nl[-1] != '\\')
			return nl;
		nl[-1] = *nl = ' ';
		s = nl + 1;
	}
}

/* Cut f->text into lines and parse each ('#' starts a comment). */
static void parse_file(struct pam_file *f)
{
	char *s = f->text, *end;
	unsigned no = 1, first;
	size_t cap = 0;

	while (*s != '\0') {
		first = no;
		end = line_end(s, &no);
		if (*end != '\0')
			*end++ = '\0';
		s[strcspn(s, "#")] = '\0';
		if (s[strspn(s, SPACE)] != '\0') {
			if (f->nlines == cap) {
				cap = cap ? 2 * cap : 16;
				f->lines = xrealloc(f->lines, cap, sizeof(*f->lines));
			}
			memset(&f->lines[f->nlines], 0, sizeof(f->lines[0]));
			f->lines[f->nlines].no = first;
			parse_line(&f->lines[f->nlines++], s);
		}
		s = end;
	}
}

/* A symlink in the PAM directory: followed only to a file beside it. */
static void read_link(struct doctor *d, struct pam_file *f)
{
	char target[256];
	ssize_t n = readlinkat(d->pam_fd, f->name, target, sizeof(target) - 1);

	if (n <= 0) {
		snprintf(f->error, sizeof(f->error), "%s", strerror(n < 0 ? errno : EINVAL));
		return;
	}
	target[n] = '\0';
	if (strchr(target, '/') == NULL && sls_name_valid(target))
		f->link = xstrdup(target);
	else
		snprintf(f->error, sizeof(f->error),
			 /* TRANSLATORS: where a symlink points, then the PAM directory */
			 _("a symlink to %.160s, not followed out of %s (put the file itself "
			   "there)"),
			 target, d->pam_dir);
}

static void load_file(struct doctor *d, struct pam_file *f)
{
	struct stat st;
	enum sls_rc rc;

	if (f->name[0] == '/') {
		rc = read_path(f->name, &f->text, &f->len);
	} else if (strchr(f->name, '/') != NULL || !sls_name_valid(f->name)) {
		rc = SLS_ERR_NAME;
	} else if (fstatat(d->pam_fd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   S_ISLNK(st.st_mode)) {
		read_link(d, f);
		return;
	} else {
		rc = sls_file_read(d->pam_fd, f->name, 0, TEXT_MAX, &f->text, &f->len);
	}
	if (rc == SLS_OK)
		parse_file(f);
	f->missing = rc == SLS_ERR_NOENT;
	if (rc != SLS_OK)
		sls_cli_why(rc, errno, f->error, sizeof(f->error));
}

/* The file name (of the PAM directory, or an absolute path), read and parsed once. */
static struct pam_file *pam_file(struct doctor *d, const char *name)
{
	struct pam_file *f;

	for (size_t i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i]->name, name) == 0)
			return d->files[i];
	f = xrealloc(NULL, 1, sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	if (name[0] == '/')
		f->path = xstrdup(name);
	else if (asprintf(&f->path, "%s/%s", d->pam_dir, name) < 0)
		err(SLS_EXIT_USAGE, _("out of memory"));
	d->files = xrealloc(d->files, d->nfiles + 1, sizeof(*d->files));
	d->files[d->nfiles++] = f;
	load_file(d, f);
	return f;
}

static void free_files(struct doctor *d)
{
	for (size_t i = 0; i < d->nfiles; i++) {
		struct pam_file *f = d->files[i];

		if (f->text != NULL)
			sls_free_secret(f->text, f->len + 1);
		free(f->lines);
		free(f->link);
		free(f->path);
		free(f->name);
		free(f);
	}
	free(d->files);
}

/* ---- a service's stack, as libpam lists it ------------------------------------------ */

/* A service a user's setuid program runs (its real uid is the user's). */
static bool setuid_service(const char *service)
{
	static const char *const names[] = {"su",      "su-l",      "sudo",  "sudo-i",
					    "runuser", "runuser-l", "chfn",  "chsh",
					    "passwd",  "newgrp",    "pkexec"};

	for (size_t i = 0; service != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(service, names[i]) == 0)
			return true;
	return false;
}

static enum role role_of(const struct pam_line *l, const char *service)
{
	const char *base;

	if (l->kind == LINE_BAD)
		return ROLE_FAIL;
	base = strrchr(l->target, '/');
	base = base ? base + 1 : l->target;
	if (strcmp(base, "pam_sls.so") == 0)
		return ROLE_SLS;
	if (strcmp(base, "pam_deny.so") == 0)
		return ROLE_FAIL;
	/*
	 * pam_rootok passes when the program's real uid is 0: for su, sudo and
	 * the like, only root, who needs no second factor to be root; but sshd,
	 * login and other daemons run as root for everyone: there it may pass.
	 */
	if (strcmp(base, "pam_rootok.so") == 0)
		return setuid_service(service) ? ROLE_FAIL : ROLE_FREE;
	return strcmp(base, "pam_permit.so") == 0 ? ROLE_PASS : ROLE_FREE;
}

/* Where a finding about a line points: "FILE:LINE", or the file for the service's own. */
static void where(const struct pam_file *f, const struct pam_line *l, char *out, size_t size)
{
	if (l != NULL)
		snprintf(out, size, "%s:%u", f->path, l->no);
	else
		snprintf(out, size, "%s", f->path);
}

/*
 * What is wrong at f:l (NULL f: in the service's own file): something libpam
 * fails the stack on (fails), or that keeps the stack from being checked.
 */
static void problem(struct doctor *d, const struct pam_file *f, const struct pam_line *l,
		    const char *what, bool fails)
{
	const char *then =
	    /* TRANSLATORS: after what is wrong with a line of a PAM file */
	    fails ? _("libpam fails the stack there; fix it") : _("not checked; fix it");
	char at[SLS_CONFIG_PATH_MAX + 16];

	if (d->stack.quiet)
		return;
	if (f == NULL) {
		finding(d, d->service, "%s: %s", what, then);
		return;
	}
	where(f, l, at, sizeof(at));
	finding(d, d->service, "%s: %s: %s", at, what, then);
}

static void add(struct doctor *d, const struct pam_file *f, const struct pam_line *l, int level,
		enum role role)
{
	struct stack *s = &d->stack;

	if (s->n == STACK_MAX) {
		if (!s->full && !s->quiet)
			finding(d, d->service, _("more than %d lines in its stack: not checked"),
				STACK_MAX);
		s->full = true;
		return;
	}
	s->h[s->n++] = (struct handler){.file = f, .line = l, .level = level, .role = role};
}

/*
 * Append the lines of the stack's type of file name, included from from:at
 * (NULL: the service's own file) at depth, in substack level.
 */
static void flatten(struct doctor *d, const char *name, int depth, int level,
		    const struct pam_file *from, const struct pam_line *at)
{
	char what[SLS_CONFIG_PATH_MAX + 320];
	struct pam_file *f;

	if (d->stack.full)
		return;
	for (int i = 0; i < depth && i <= DEPTH_MAX; i++)
		if (strcmp(d->stack.chain[i], name) == 0) {
			/* libpam runs into its own depth limit, and fails the stack */
			problem(d, from, at, _("includes itself (an include loop)"), true);
			add(d, from, NULL, level, ROLE_FAIL);
			return;
		}
	if (depth > DEPTH_MAX) {
		problem(d, from, at, _("includes nest deeper than 8"), true);
		add(d, from, NULL, level, ROLE_FAIL);
		return;
	}
	d->stack.chain[depth] = name;
	f = pam_file(d, name);
	if (f->error[0] != '\0') {
		snprintf(what, sizeof(what), "%s: %s", f->path, f->error);
		problem(d, from, at, what, f->missing);
		add(d, f, NULL, level, ROLE_FAIL);
		return;
	}
	if (f->link != NULL) {
		flatten(d, f->link, depth + 1, level, f, NULL);
		return;
	}
	for (size_t i = 0; i < f->nlines && !d->stack.full; i++) {
		const struct pam_line *l = &f->lines[i];

		if (l->type != TYPE_ANY && l->type != d->stack.type)
			continue;
		if (l->kind == LINE_SUBSTACK)
			add(d, f, l, level, ROLE_HEAD);
		if (l->kind == LINE_INCLUDE || l->kind == LINE_SUBSTACK)
			flatten(d, l->target, depth + 1, level + (l->kind == LINE_SUBSTACK), f, l);
		else if (l->kind == LINE_BAD)
			problem(d, f, l, l->why, true);
		if (l->kind == LINE_MODULE || l->kind == LINE_BAD)
			add(d, f, l, level, role_of(l, d->service));
	}
}

/* The stack of type of service; "other" stands in when the service has none (as in libpam). */
static void build_stack(struct doctor *d, const char *service, enum pam_type type, bool quiet)
{
	struct stack *s = &d->stack;

	s->n = 0;
	s->type = type;
	s->quiet = quiet;
	s->full = false;
	s->sls_after_failure = false;
	if (!pam_file(d, service)->missing)
		flatten(d, service, 0, 0, NULL, NULL);
	if (s->n == 0 && strcmp(service, "other") != 0 && !pam_file(d, "other")->missing)
		flatten(d, "other", 0, 0, NULL, NULL);
}

static const struct handler *first_sls(const struct stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->h[i].role == ROLE_SLS)
			return &s->h[i];
	return NULL;
}

/* ---- running a stack as libpam's dispatcher does --------------------------------------- */

enum { IMP_NEGATIVE = -1, IMP_UNDEF = 0, IMP_POSITIVE = 1 };
enum blame_kind { BLAME_WEAK, BLAME_DONE, BLAME_JUMP, BLAME_AFTER };

struct blame {
	size_t at; /* the handler that let the login through, or SIZE_MAX */
	enum blame_kind kind;
};

static void blame(struct blame *b, size_t at, enum blame_kind kind)
{
	if (b->at == SIZE_MAX) {
		b->at = at;
		b->kind = kind;
	}
}

/* Move *i over count entries of level (a substack is one), as a jump; true if pam_sls was one. */
static bool jump(const struct stack *s, size_t *i, int level, int *count)
{
	bool sls = false;

	while (*i + 1 < s->n && s->h[*i + 1].level >= level && *count > 0) {
		do {
			(*i)++;
			sls |= s->h[*i].role == ROLE_SLS;
		} while (*i + 1 < s->n && s->h[*i + 1].level > level);
		(*count)--;
	}
	return sls;
}

/* To the end of the (sub)stack of level, as a decision ends it; true if pam_sls was skipped. */
static bool end_stack(const struct stack *s, size_t *i, int level)
{
	bool sls = false;

	while (*i + 1 < s->n && s->h[*i + 1].level >= level)
		sls |= s->h[++(*i)].role == ROLE_SLS;
	return sls;
}

static int retval_of(const struct handler *h, int sls_code, unsigned outcome)
{
	if (h->role == ROLE_SLS)
		return sls_code;
	if (h->role == ROLE_PASS)
		return PAM_SUCCESS;
	if (h->role == ROLE_FREE)
		return (outcome >> h->bit) & 1 ? PAM_SUCCESS : PAM_AUTH_ERR;
	/* pam_deny (and pam_rootok) answer PAM_AUTH_ERR; libpam fails a bad line itself */
	return h->line != NULL && h->line->kind == LINE_MODULE ? PAM_AUTH_ERR : PAM_PERM_DENIED;
}

struct verdict {
	int impression, status;
	int saved_impression[DEPTH_MAX + 2], saved_status[DEPTH_MAX + 2];
};

/* One module's return value retval with action act, at handler *i; false: the stack is decided. */
static bool apply(const struct stack *s, size_t *i, int act, int retval, struct verdict *v,
		  struct blame *b)
{
	size_t at = *i;
	int level = s->h[at].level;

	if (act == ACT_RESET) {
		v->impression = v->saved_impression[level];
		v->status = v->saved_status[level];
	} else if (act == ACT_OK || act == ACT_DONE) {
		if (v->impression == IMP_UNDEF ||
		    (v->impression == IMP_POSITIVE && v->status == PAM_SUCCESS)) {
			v->impression = IMP_POSITIVE;
			v->status = retval;
		}
		if (v->impression == IMP_POSITIVE && act == ACT_DONE)
			return false;
	} else if (act == ACT_BAD || act == ACT_DIE) {
		if (v->impression != IMP_NEGATIVE) {
			v->impression = IMP_NEGATIVE;
			v->status = retval == PAM_IGNORE ? PAM_PERM_DENIED : retval;
		}
		if (act == ACT_DIE)
			return false;
	} else if (act > 0) {
		if (jump(s, i, level, &act))
			blame(b, at, BLAME_JUMP);
		if (act > 0) { /* past the end: libpam's "bad jump in stack" */
			v->impression = IMP_NEGATIVE;
			v->status = PAM_PERM_DENIED;
		}
	}
	return true;
}

/*
 * One run of the stack (as _pam_dispatch_aux on a first pam_authenticate):
 * pam_sls returns sls_code, the free modules succeed where their bit of
 * outcome is set. True when the login passes; *b then says who let it.
 * *sls_late is set when pam_sls runs with the stack already failed.
 */
static bool run_stack(const struct stack *s, int sls_code, unsigned outcome, struct blame *b,
		      bool *sls_late)
{
	struct verdict v = {.impression = IMP_UNDEF, .status = PAM_PERM_DENIED};
	int level = 0, prev = 0, retval, act;

	b->at = SIZE_MAX;
	v.saved_impression[0] = IMP_UNDEF;
	v.saved_status[0] = PAM_PERM_DENIED;
	for (size_t i = 0; i < s->n; prev = level, i++) {
		const struct handler *h = &s->h[i];

		level = h->level;
		if (prev < level) {
			v.saved_impression[level] = v.impression;
			v.saved_status[level] = v.status;
		}
		if (h->role == ROLE_HEAD)
			continue;
		if (h->role == ROLE_SLS && v.impression == IMP_NEGATIVE)
			*sls_late = true;
		retval = retval_of(h, sls_code, outcome);
		act = h->line != NULL ? h->line->act[retval] : ACT_BAD;
		if (h->role == ROLE_SLS && (act == ACT_IGNORE || act == ACT_RESET || act > 0))
			blame(b, i, BLAME_WEAK);
		if (!apply(s, &i, act, retval, &v, b) && end_stack(s, &i, level))
			blame(b, (size_t)(h - s->h), BLAME_DONE);
	}
	if (v.status != PAM_SUCCESS || v.impression != IMP_POSITIVE)
		return false;
	if (b->at == SIZE_MAX && first_sls(s) != NULL)
		blame(b, (size_t)(first_sls(s) - s->h), BLAME_AFTER);
	return true;
}

static void report_blame(struct doctor *d, struct handler *h, enum blame_kind kind, int code)
{
	const struct pam_line *l = h->line;
	char at[SLS_CONFIG_PATH_MAX + 16];

	if (h->blamed)
		return;
	h->blamed = true;
	where(h->file, l, at, sizeof(at));
	if (kind == BLAME_WEAK)
		finding(
		    d, d->service,
		    /* TRANSLATORS: FILE:LINE, the line's control ("optional"), a PAM code */
		    _("%s: pam_sls is \"%s\": when it fails (%s), the login goes on without the "
		      "second factor; make it \"required\""),
		    at, l->control, code_names[code]);
	else if (kind == BLAME_DONE)
		finding(d, d->service,
			/* TRANSLATORS: FILE:LINE, a module ("pam_unix.so"), its control */
			_("%s: %s is \"%s\" before pam_sls: a login it accepts ends there, "
			  "without the second factor; make it \"required\", or put pam_sls before "
			  "it"),
			at, l->target, l->control);
	else if (kind == BLAME_JUMP)
		finding(d, d->service,
			/* TRANSLATORS: FILE:LINE, a module ("pam_unix.so"), its control */
			_("%s: %s \"%s\" jumps over pam_sls: a login can pass without the second "
			  "factor; make the jump land before pam_sls"),
			at, l->target, l->control);
	else
		finding(d, d->service,
			/* TRANSLATORS: FILE:LINE, then a PAM return code ("auth_err") */
			_("%s: the stack can still succeed after pam_sls fails (%s); make pam_sls "
			  "\"required\" and check the lines after it"),
			at, code_names[code]);
}

/* Whether pam_sls lines act on failure code k as on an earlier one (the runs would repeat). */
static bool same_as_before(const struct stack *s, size_t k)
{
	for (size_t j = 0; j < k; j++) {
		bool same = true;

		for (size_t i = 0; i < s->n && same; i++)
			if (s->h[i].role == ROLE_SLS)
				same = s->h[i].line->act[sls_failures[j]] ==
				       s->h[i].line->act[sls_failures[k]];
		if (same)
			return true;
	}
	return false;
}

/*
 * Every run of the auth stack with pam_sls failing: each one that passes is
 * a finding (none are made for a stack without pam_sls). True when one
 * passes, or the stack is too large to tell.
 */
static bool try_runs(struct doctor *d)
{
	struct stack *s = &d->stack;
	struct blame b = {.at = SIZE_MAX, .kind = BLAME_AFTER};
	bool passed = false;
	int nfree = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->h[i].role == ROLE_FREE)
			s->h[i].bit = nfree++;
	if (nfree > FREE_MAX && first_sls(s) != NULL)
		finding(d, d->service, _("%d modules in its auth stack, more than %d: not checked"),
			nfree, FREE_MAX);
	if (nfree > FREE_MAX)
		return true;
	for (size_t k = 0; k < NFAILURES; k++) {
		if (same_as_before(s, k))
			continue;
		for (unsigned outcome = 0; outcome < 1u << nfree; outcome++) {
			if (!run_stack(s, sls_failures[k], outcome, &b, &s->sls_after_failure))
				continue;
			passed = true;
			if (b.at != SIZE_MAX)
				report_blame(d, &s->h[b.at], b.kind, sls_failures[k]);
		}
	}
	return passed;
}

/* ---- sls.conf and the store --------------------------------------------------------- */

/* Remember socket for the sls.conf confs[conf] (once each), for check_sockets. */
static void note_socket(struct doctor *d, size_t conf, const char *socket)
{
	size_t k;

	for (k = 0; k < d->nsockets; k++)
		if (d->sockets[k].conf == conf &&
		    (socket == d->sockets[k].socket ||
		     (socket && d->sockets[k].socket && strcmp(socket, d->sockets[k].socket) == 0)))
			return;
	if (k < CONFS_MAX) {
		d->sockets[k].conf = conf;
		d->sockets[k].socket = socket;
		d->nsockets++;
	}
}

/*
 * Remember path (a pam_sls conf=, else --conf or the default) for
 * check_confs, with the slsd socket each line names.
 */
static void note_confs(struct doctor *d)
{
	const char *dflt = d->cli->conf_path ? d->cli->conf_path : SLS_CONFIG_DEFAULT_PATH;

	for (size_t i = 0; i < d->stack.n; i++) {
		const char *path;
		size_t j;

		if (d->stack.h[i].role != ROLE_SLS)
			continue;
		path = d->stack.h[i].line->conf ? d->stack.h[i].line->conf : dflt;
		for (j = 0; j < d->nconfs && strcmp(d->confs[j], path) != 0; j++)
			;
		if (j == d->nconfs && j < CONFS_MAX)
			snprintf(d->confs[d->nconfs++], sizeof(d->confs[0]), "%s", path);
		if (j < d->nconfs)
			note_socket(d, j, d->stack.h[i].line->socket);
	}
}

struct conf_check {
	const char *path;
	struct sls_config conf;
	struct sls_diag diag;
	enum sls_rc rc;
	int errnum;
};

static enum sls_rc load_conf_cb(struct sls_cli *cli, void *arg)
{
	struct conf_check *c = arg;

	c->rc = sls_config_load(c->path, sls_store_owner(cli), &c->conf, &c->diag);
	c->errnum = errno;
	return c->rc;
}

static enum sls_rc open_store_cb(struct sls_cli *cli, void *arg)
{
	struct conf_check *c = arg;
	struct sls_store store;

	c->rc = sls_store_open(c->conf.store_dir, sls_store_owner(cli), false, &store);
	c->errnum = errno;
	if (c->rc == SLS_OK)
		sls_store_close(&store);
	return c->rc;
}

static enum sls_rc open_db_cb(struct sls_cli *cli, void *arg)
{
	struct conf_check *c = arg;
	struct sls_store store;

	c->rc = sls_pg_store_open(&c->conf, sls_store_owner(cli), false, &store, &c->diag);
	if (c->rc == SLS_OK)
		sls_store_close(&store);
	return c->rc;
}

/* What is at a socket= path, as the module's relay would find it. */
enum slsd_socket { SLSD_LISTENS, SLSD_NO_SOCKET, SLSD_NOT_LISTENING, SLSD_NOT_ROOTS };

/*
 * Connect as the relay does (SOCK_SEQPACKET, SO_SNDTIMEO 2 s bounds the
 * connect) and look at the peer's uid, then hang up without a word. A
 * socket file that outlived its listener (slsd.socket stopped) refuses the
 * connect; only a connect this process may not make (EACCES) tells nothing.
 */
static enum slsd_socket probe_slsd(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 2};
	enum slsd_socket found = SLSD_NOT_LISTENING;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;
	int fd;

	if (stat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return SLSD_NO_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		return SLSD_NOT_LISTENING;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return SLSD_LISTENS; /* cannot tell */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 &&
	    connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0)
		found = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
				len == sizeof(cred) && cred.uid != 0
			    ? SLSD_NOT_ROOTS
			    : SLSD_LISTENS;
	else if (errno == EACCES || errno == EPERM)
		found = SLSD_LISTENS; /* cannot tell */
	close(fd);
	return found;
}

/* Each slsd socket (socket=, else the default) of the pam_sls lines that use the sls.conf c. */
static void check_sockets(struct doctor *d, const struct conf_check *c)
{
	for (size_t k = 0; k < d->nsockets; k++) {
		const char *socket = d->sockets[k].socket ? d->sockets[k].socket : SLS_SLSD_SOCKET;
		enum slsd_socket found;

		if (strcmp(d->confs[d->sockets[k].conf], c->path) != 0)
			continue;
		found = probe_slsd(socket);
		if (found == SLSD_NO_SOCKET)
			finding(
			    d, "slsd",
			    /* TRANSLATORS: sls.conf's path, then slsd's socket */
			    _("%s: [store] backend = postgresql, and no slsd socket is at %s: "
			      "pam_sls refuses every login there (root's too); start slsd.socket"),
			    c->path, socket);
		else if (found == SLSD_NOT_LISTENING)
			finding(
			    d, "slsd",
			    /* TRANSLATORS: sls.conf's path, then slsd's socket */
			    _("%s: [store] backend = postgresql, and nothing listens on slsd's "
			      "socket %s (a file left behind): pam_sls refuses every login there "
			      "(root's too); start slsd.socket"),
			    c->path, socket);
		else if (found == SLSD_NOT_ROOTS)
			finding(
			    d, "slsd",
			    /* TRANSLATORS: sls.conf's path, then slsd's socket */
			    _("%s: [store] backend = postgresql, and what listens on %s is not "
			      "root's: pam_sls refuses every login there; find it (ss -xlp) and "
			      "start slsd.socket"),
			    c->path, socket);
	}
}

/*
 * A store in a database: that it opens (reached, schema, key), that slsd
 * listens where the services' module relays (every login goes through it),
 * and a failmode that lets services in without the second factor.
 */
static void check_database(struct doctor *d, struct conf_check *c)
{
	if (sls_cli_as_store(d->cli, open_db_cb, c) != SLS_OK)
		finding(d, "store",
			/* TRANSLATORS: sls.conf's path, what is wrong, then the database's word */
			_("%s: the store's database: %s (%s): pam_sls refuses every login; fix it"),
			c->path, sls_strerror(c->rc), c->diag.msg);
	check_sockets(d, c);
	if (c->conf.failmode == SLS_FAILMODE_OPEN)
		finding(d, "sls.conf",
			/* TRANSLATORS: sls.conf's path, then PAM service names */
			_("%s: [store] failmode = open: %s let users in without a second factor "
			  "whenever the database or slsd is out of reach"),
			c->path, c->conf.failmode_services);
}

static void check_store(struct doctor *d, struct conf_check *c)
{
	char why[256];
	size_t i;

	if (c->conf.backend != SLS_BACKEND_FILES) {
		check_database(d, c);
		return;
	}
	for (i = 0; i < d->nstores && strcmp(d->stores[i], c->conf.store_dir) != 0; i++)
		;
	if (i < d->nstores || i == CONFS_MAX)
		return;
	snprintf(d->stores[d->nstores++], sizeof(d->stores[0]), "%s", c->conf.store_dir);
	if (sls_cli_as_store(d->cli, open_store_cb, c) == SLS_OK)
		return;
	if (c->rc == SLS_ERR_NOENT) {
		finding(d, "store",
			/* TRANSLATORS: the store's directory */
			_("%s does not exist: pam_sls takes every user for one without a device; "
			  "make it (sls --user root devices)"),
			c->conf.store_dir);
		return;
	}
	sls_cli_why(c->rc, c->errnum, why, sizeof(why));
	/* TRANSLATORS: a path, then what is wrong with it */
	finding(d, "store", _("%s: %s: pam_sls refuses every login; fix it"), c->conf.store_dir,
		why);
}

/* sls.conf at path (the default one may be missing): readable, safe, no nullok; its store. */
static void check_conf(struct doctor *d, const char *path)
{
	struct conf_check c = {.path = path};
	char why[256], group[SLS_USER_NAME_MAX + 1];

	sls_cli_as_store(d->cli, load_conf_cb, &c);
	if (c.rc == SLS_ERR_FORMAT) {
		/* TRANSLATORS: a path, a line number, then what is wrong there */
		finding(d, "sls.conf", _("%s:%d: %s: pam_sls refuses every login; fix it"), path,
			c.diag.line, c.diag.msg);
		return;
	}
	if (c.rc != SLS_OK && !(c.rc == SLS_ERR_NOENT && d->cli->conf_path == NULL &&
				strcmp(path, SLS_CONFIG_DEFAULT_PATH) == 0)) {
		sls_cli_why(c.rc, c.errnum, why, sizeof(why));
		finding(d, "sls.conf", _("%s: %s: pam_sls refuses every login; fix it"), path, why);
		return;
	}
	if (c.conf.nullok)
		finding(d, "sls.conf",
			/* TRANSLATORS: sls.conf's path; keep "[login] nullok = yes" and the like */
			_("%s: [login] nullok = yes: users without a device log in without a "
			  "second factor; set nullok = no once every user has enrolled"),
			path);
	if (!sls_policy_groups_exist(&c.conf, group, sizeof(group)))
		finding(d, "sls.conf",
			/* TRANSLATORS: sls.conf's path, then a group name */
			_("%s: [policy] mandatory_groups names %s, which is no group: pam_sls "
			  "refuses every login; fix it"),
			path, group);
	check_store(d, &c);
}

/* ---- sshd ---------------------------------------------------------------------------- */

static int *sshd_flag(struct sshd *s, const char *key)
{
	static const char *const keys[] = {"usepam",
					   "kbdinteractiveauthentication",
					   "challengeresponseauthentication",
					   "passwordauthentication",
					   "pubkeyauthentication",
					   "hostbasedauthentication",
					   "gssapiauthentication"};
	int *const flags[] = {&s->usepam, &s->kbd,       &s->challenge, &s->password,
			      &s->pubkey, &s->hostbased, &s->gssapi};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(key, keys[i]) == 0)
			return flags[i];
	return NULL;
}

static bool sshd_file(struct doctor *d, const char *path, int depth);

/* Include PATTERN...: each file a pattern matches (relative ones below /etc/ssh), as sshd. */
static void sshd_include(struct doctor *d, char *patterns, const char *at, int depth)
{
	char path[SLS_CONFIG_PATH_MAX], *word;
	glob_t g;

	if (depth >= DEPTH_MAX) {
		finding(d, "sshd",
			/* TRANSLATORS: FILE:LINE, then a number; "Include" is sshd_config's */
			_("%s: Includes nest deeper than %d (an Include loop?): not read"), at,
			DEPTH_MAX);
		d->sshd.failed = true;
		return;
	}
	while ((word = next_word(&patterns)) != NULL) {
		word[strcspn(word, "\"")] = '\0';
		snprintf(path, sizeof(path), "%s%s%s", word[0] == '/' ? "" : SSHD_DIR,
			 word[0] == '/' ? "" : "/", word);
		if (glob(path, 0, NULL, &g) != 0)
			continue; /* nothing matches: sshd takes that too */
		for (size_t i = 0; i < g.gl_pathc; i++)
			sshd_file(d, g.gl_pathv[i], depth + 1);
		globfree(&g);
	}
}

static void set_methods(struct sshd *s, const char *value)
{
	s->methods_set = true;
	s->methods_long =
	    (size_t)snprintf(s->methods, sizeof(s->methods), "%s", value) >= sizeof(s->methods);
}

/* One line of sshd -T's output or of sshd_config: "Keyword value" or "Keyword=value". */
static void sshd_line(struct doctor *d, char *line, const char *at, int depth, bool *in_match)
{
	struct sshd *s = &d->sshd;
	char *key = line + strspn(line, SPACE), *value, *end;
	int *flag;

	if (*key == '\0' || *key == '#')
		return;
	end = key + strcspn(key, SPACE "=");
	value = end + strspn(end, SPACE);
	value += *value == '=';
	value += strspn(value, SPACE);
	*end = '\0';
	for (end = value + strlen(value); end > value && strchr(SPACE, end[-1]); end--)
		end[-1] = '\0';
	if (strcasecmp(key, "match") == 0)
		*in_match = strcasecmp(value, "all") != 0; /* only sshd -T knows whom it matches */
	else if (*in_match)
		return;
	else if (strcasecmp(key, "include") == 0)
		sshd_include(d, value, at, depth);
	else if (strcasecmp(key, "authenticationmethods") == 0 && !s->methods_set)
		set_methods(s, value);
	else if ((flag = sshd_flag(s, key)) != NULL && *flag < 0) /* the first one counts */
		*flag = strcasecmp(value, "no") != 0 && strcasecmp(value, "\"no\"") != 0;
}

/* Settings from text (the file path, for findings). */
static void sshd_text(struct doctor *d, char *text, const char *path, int depth)
{
	char at[SLS_CONFIG_PATH_MAX + 16], *end;
	bool in_match = false; /* a Match ends with the file it is in */
	unsigned no = 0;

	for (; *text != '\0'; text = end) {
		end = text + strcspn(text, "\n");
		if (*end != '\0')
			*end++ = '\0';
		snprintf(at, sizeof(at), "%s:%u", path, ++no);
		sshd_line(d, text, at, depth, &in_match);
	}
}

/* An sshd_config (or an output of sshd -T) at path, with its Includes; false if unread. */
static bool sshd_file(struct doctor *d, const char *path, int depth)
{
	char *text, why[256];
	size_t len;
	enum sls_rc rc;

	if (++d->sshd.files > SSHD_FILES_MAX) {
		if (d->sshd.files == SSHD_FILES_MAX + 1)
			finding(d, "sshd",
				/* TRANSLATORS: a path, then a number of files */
				_("%s: more than %d files with their Includes (an Include "
				  "loop?): not read further"),
				path, SSHD_FILES_MAX);
		d->sshd.failed = true;
		return false;
	}
	rc = read_path(path, &text, &len);

	if (rc != SLS_OK) {
		sls_cli_why(rc, errno, why, sizeof(why));
		/* TRANSLATORS: a path, then what is wrong with it */
		finding(d, "sshd", _("%s: %s: its settings are not checked"), path, why);
		d->sshd.failed = true;
		return false;
	}
	sshd_text(d, text, path, depth);
	sls_free_secret(text, len + 1);
	return true;
}

/* An fd above 0..2 (which the child's own take), close-on-exec. */
static int above_stdio(int fd)
{
	int moved;

	if (fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

/* Read fd until its end, at most TEXT_MAX bytes and SSHD_T_SECS; false past either. */
static bool read_output(int fd, char *buf, size_t *len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	time_t deadline = time(NULL) + SSHD_T_SECS;
	ssize_t n;

	*len = 0;
	for (;;) {
		if (time(NULL) > deadline || *len == TEXT_MAX)
			return false;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(fd, buf + *len, TEXT_MAX - *len);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return false;
		if (n == 0) {
			buf[*len] = '\0';
			return true;
		}
		*len += n > 0 ? (size_t)n : 0;
	}
}

static pid_t spawn_sshd_t(int out)
{
	char prog[] = SSHD, t[] = "-T", c[] = "-C",
	     spec[] = "user=root,host=localhost,addr=127.0.0.1";
	char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	     lang[] = "LANG=C";
	char *argv[] = {prog, t, c, spec, NULL}, *envp[] = {path, lang, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	pid_t pid = -1;
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, SSHD, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	errno = rc;
	return rc == 0 ? pid : -1;
}

/* Wait for pid: true when it exited 0. SIGCHLD is at its default meanwhile (see sms.c). */
static bool reap(pid_t pid)
{
	int status = 0;
	pid_t r;

	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Run sshd -T for root from localhost (no shell; a clean environment) and
 * read its settings.
 * False, with why, when it could not run or did not exit 0.
 */
static bool sshd_t_run(struct doctor *d, char *why, size_t size)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, saved;
	char *buf = xrealloc(NULL, TEXT_MAX + 1, 1);
	bool read_ok = false, ok = false;
	int p[2] = {-1, -1};
	size_t len = 0;
	pid_t pid = -1;

	/* TRANSLATORS: why sshd -T failed */
	snprintf(why, size, "%s", _("it could not be started"));
	sigaction(SIGCHLD, &dfl, &saved);
	if (pipe2(p, O_CLOEXEC) == 0 && (p[0] = above_stdio(p[0])) >= 0 &&
	    (p[1] = above_stdio(p[1])) >= 0)
		pid = spawn_sshd_t(p[1]);
	if (p[1] >= 0)
		close(p[1]);
	if (pid > 0) {
		read_ok = read_output(p[0], buf, &len);
		if (!read_ok)
			kill(-pid, SIGKILL);
		ok = reap(pid) && read_ok;
	}
	sigaction(SIGCHLD, &saved, NULL);
	if (p[0] >= 0)
		close(p[0]);
	if (pid > 0 && !read_ok)
		/* TRANSLATORS: why sshd -T failed: seconds */
		snprintf(why, size, _("no output within %d s, or too much"), SSHD_T_SECS);
	else if (pid > 0 && !ok)
		/* TRANSLATORS: why sshd -T failed */
		snprintf(why, size, "%s", _("it did not exit 0"));
	if (ok)
		sshd_text(d, buf, "sshd -T", DEPTH_MAX);
	free(buf);
	return ok;
}

/* sshd's settings: --sshd-t, --sshd-config, sshd -T, else sshd_config; none without sshd. */
static void sshd_settings(struct doctor *d)
{
	struct sshd *s = &d->sshd;
	char why[128];

	s->usepam = s->kbd = s->challenge = s->password = s->pubkey = s->hostbased = s->gssapi = -1;
	if (d->sshd_t != NULL) {
		s->read = sshd_file(d, d->sshd_t, DEPTH_MAX);
	} else if (d->sshd_config != NULL) {
		s->read = sshd_file(d, d->sshd_config, 0);
	} else if (access(SSHD, X_OK) == 0) {
		s->read = sshd_t_run(d, why, sizeof(why));
		if (!s->read) {
			/* TRANSLATORS: sshd's path, why it failed, then sshd_config's path */
			warnx(_("%s -T failed (%s): reading %s and its Includes instead"), SSHD,
			      why, SSHD_CONFIG);
			s->read = sshd_file(d, SSHD_CONFIG, 0);
		}
	} else if (access(SSHD_CONFIG, F_OK) == 0) {
		s->read = sshd_file(d, SSHD_CONFIG, 0);
	} else {
		return; /* no sshd here */
	}
	s->found = true;
	/* sshd's defaults (sshd_config(5)) for what was not set */
	s->usepam = s->usepam < 0 ? 0 : s->usepam;
	s->kbd = s->kbd < 0 ? 1 : s->kbd;
	s->challenge = s->challenge < 0 ? 1 : s->challenge;
	s->password = s->password < 0 ? 1 : s->password;
	s->pubkey = s->pubkey < 0 ? 1 : s->pubkey;
	s->hostbased = s->hostbased < 0 ? 0 : s->hostbased;
	s->gssapi = s->gssapi < 0 ? 0 : s->gssapi;
	if (!s->methods_set)
		snprintf(s->methods, sizeof(s->methods), "any");
}

/* Whether method (of an AuthenticationMethods list) is enabled; *pam: it asks PAM's auth stack. */
static bool method_on(const struct sshd *s, const char *method, size_t len, bool *pam)
{
	*pam = (len == 20 || (len == 24 && strncmp(method + 20, ":pam", 4) == 0)) &&
	       strncmp(method, "keyboard-interactive", 20) == 0;
	if (*pam)
		return s->kbd && s->challenge;
	if (len == 9 && strncmp(method, "publickey", 9) == 0)
		return s->pubkey;
	if (len == 8 && strncmp(method, "password", 8) == 0)
		return s->password;
	if (len == 9 && strncmp(method, "hostbased", 9) == 0)
		return s->hostbased;
	if (len == 15 && strncmp(method, "gssapi-with-mic", 15) == 0)
		return s->gssapi;
	return true;
}

/* AuthenticationMethods: every usable list must have keyboard-interactive. */
static void sshd_methods(struct doctor *d)
{
	const struct sshd *s = &d->sshd;
	char methods[sizeof(s->methods)], *p = methods, *list;

	if (s->methods_long) {
		finding(d, "sshd", _("authenticationmethods is too long to check"));
		return;
	}
	if (strcasecmp(s->methods, "any") == 0) {
		if (s->pubkey || s->hostbased || s->gssapi)
			finding(
			    d, "sshd",
			    /* TRANSLATORS: an sshd method ("publickey"); keep sshd's keywords */
			    _("authenticationmethods any with %s enabled: such logins skip the "
			      "PAM auth stack, so pam_sls asks no second factor (its account "
			      "stage still refuses a locked user); set AuthenticationMethods "
			      "publickey,keyboard-interactive (or keyboard-interactive)"),
			    s->pubkey      ? "publickey"
			    : s->hostbased ? "hostbased"
					   : "gssapi");
		return;
	}
	snprintf(methods, sizeof(methods), "%s", s->methods);
	while ((list = next_word(&p)) != NULL) {
		bool usable = true, kbd = false, pam;

		for (char *m = list; *m != '\0';) {
			size_t len = strcspn(m, ",");

			usable &= method_on(s, m, len, &pam);
			kbd |= pam;
			m += len + (m[len] == ',');
		}
		if (usable && !kbd)
			finding(d, "sshd",
				/* TRANSLATORS: a list of sshd methods; keep sshd's keywords */
				_("authenticationmethods list \"%s\" does not require "
				  "keyboard-interactive: such logins skip pam_sls's challenge; add "
				  "keyboard-interactive to it (publickey,keyboard-interactive)"),
				list);
	}
}

/* What sshd's settings let past pam_sls; sls_in_auth: pam_sls is in sshd's auth stack. */
static void sshd_findings(struct doctor *d, bool sls_in_auth)
{
	const struct sshd *s = &d->sshd;

	if (s->failed)
		d->service_findings++; /* said while reading them */
	if (!s->read)
		return;
	if (!s->usepam)
		finding(d, "sshd",
			_("usepam no: sshd never runs PAM, so never pam_sls; set UsePAM "
			  "yes in sshd_config"));
	if (!s->kbd || !s->challenge)
		finding(d, "sshd",
			/* TRANSLATORS: an sshd_config keyword; keep sshd's keywords */
			_("%s no: keyboard-interactive is off, so pam_sls's challenge cannot be "
			  "shown; set KbdInteractiveAuthentication yes"),
			!s->kbd ? "kbdinteractiveauthentication"
				: "challengeresponseauthentication");
	if (s->usepam && s->password && sls_in_auth)
		finding(d, "sshd",
			_("passwordauthentication yes with pam_sls in the sshd auth stack: "
			  "password logins run it in password mode, which answers the challenge "
			  "with the password, so they fail or skip the challenge; set "
			  "PasswordAuthentication no (keyboard-interactive asks the password "
			  "too)"));
	sshd_methods(d);
}

/* ---- the services ----------------------------------------------------------------------- */

/* Services meant to be protected: checked whenever their files exist. */
static bool must_check(const char *name)
{
	static const char *const names[] = {"sshd", "sudo", "su", "login"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/*
 * pam_sls reached with the stack already failed (a wrong password that does
 * not end it) under an sls.conf with enroll_at_login: whoever reaches it
 * enrols a device for a user who has none.
 */
static void enrol_after_failure(struct doctor *d)
{
	const char *dflt = d->cli->conf_path ? d->cli->conf_path : SLS_CONFIG_DEFAULT_PATH;
	char at[SLS_CONFIG_PATH_MAX + 16];

	if (!d->stack.sls_after_failure)
		return;
	for (size_t i = 0; i < d->stack.n; i++) {
		const struct handler *h = &d->stack.h[i];
		struct conf_check c = {.path = h->role == ROLE_SLS && h->line->conf ? h->line->conf
										    : dflt};

		if (h->role != ROLE_SLS)
			continue;
		sls_cli_as_store(d->cli, load_conf_cb, &c);
		if (c.rc != SLS_OK || !c.conf.enroll_at_login)
			continue;
		where(h->file, h->line, at, sizeof(at));
		finding(d, d->service,
			/* TRANSLATORS: FILE:LINE, then sls.conf's path */
			_("%s: pam_sls runs even after a module before it failed (a wrong "
			  "password), and %s has enroll_at_login: anyone who reaches it enrols a "
			  "device for a user without one; end the stack on a failed password "
			  "(requisite)"),
			at, c.path);
		return;
	}
}

static bool reaches_sls(struct doctor *d, const char *name, enum pam_type type)
{
	build_stack(d, name, type, true);
	return first_sls(&d->stack) != NULL;
}

static void check_service(struct doctor *d, const char *name)
{
	const struct handler *sls;
	char at[SLS_CONFIG_PATH_MAX + 16];
	bool in_account;

	d->service = name;
	d->service_findings = 0;
	d->nseen = 0;
	in_account = reaches_sls(d, name, TYPE_ACCOUNT);
	note_confs(d);
	build_stack(d, name, TYPE_AUTH, false);
	sls = first_sls(&d->stack);
	if (sls == NULL && try_runs(d)) {
		if (in_account)
			finding(d, name,
				/* TRANSLATORS: the PAM directory, then the service's file */
				_("pam_sls is in its account stack but not in its auth stack "
				  "(%s/%s): logins ask no second factor; add \"auth required "
				  "pam_sls.so\" after the password"),
				d->pam_dir, name);
		else
			finding(d, name,
				/* TRANSLATORS: the PAM directory, then the service's file */
				_("no pam_sls in its auth stack (%s/%s): logins ask no second "
				  "factor; add \"auth required pam_sls.so\" after the password"),
				d->pam_dir, name);
	}
	for (size_t i = 0; sls != NULL && i < d->stack.n; i++) {
		const struct handler *h = &d->stack.h[i];

		if (h->role != ROLE_SLS || !h->line->nullok)
			continue;
		where(h->file, h->line, at, sizeof(at));
		finding(d, name,
			/* TRANSLATORS: FILE:LINE of the pam_sls line */
			_("%s: nullok on the pam_sls line: users without a device log in without "
			  "a second factor; remove it once every user has enrolled"),
			at);
	}
	if (sls != NULL) {
		note_confs(d);
		try_runs(d);
		enrol_after_failure(d);
	}
	if (strcmp(name, "sshd") == 0 && d->sshd.found)
		sshd_findings(d, sls != NULL);
	/* "SERVICE: ok" stays as it is (scripts look for it); what is in parentheses is said */
	if (d->service_findings == 0 && sls == NULL) {
		printf("%s: ok (%s)\n", name,
		       /* TRANSLATORS: why a service is fine, after "SERVICE: ok" */
		       _("no login but root's passes its auth stack"));
	} else if (d->service_findings == 0) {
		where(sls->file, sls->line, at, sizeof(at));
		printf("%s: ok (", name);
		/* TRANSLATORS: why a service is fine, after "SERVICE: ok"; %s is FILE:LINE */
		printf(_("pam_sls at %s"), at);
		printf(")\n");
	}
}

/* A name of the PAM directory that libpam could take for a service. */
static bool service_name(const char *name)
{
	size_t len = strlen(name);

	return sls_name_valid(name) && name[0] != '.' && name[len - 1] != '~' &&
	       strstr(name, ".dpkg-") == NULL && strstr(name, ".ucf-") == NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the PAM directory's files; *n gets how many. */
static char **list_dir(struct doctor *d, size_t *n)
{
	int fd = fcntl(d->pam_fd, F_DUPFD_CLOEXEC, 3);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	char **names = NULL;
	struct dirent *e;

	*n = 0;
	if (dir == NULL)
		err(SLS_EXIT_STORE, "%s", d->pam_dir);
	while ((e = readdir(dir)) != NULL) {
		if (!service_name(e->d_name) || e->d_type == DT_DIR)
			continue;
		names = xrealloc(names, *n + 1, sizeof(*names));
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(dir);
	return names;
}

/* Files another file includes are parts of services (common-auth), not services. */
static void mark_included(struct doctor *d)
{
	for (size_t i = 0; i < d->nfiles; i++)
		for (size_t j = 0; j < d->files[i]->nlines; j++) {
			const struct pam_line *l = &d->files[i]->lines[j];

			if (l->kind != LINE_INCLUDE && l->kind != LINE_SUBSTACK)
				continue;
			for (size_t k = 0; k < d->nfiles; k++)
				if (strcmp(d->files[k]->name, l->target) == 0 && k != i)
					d->files[k]->included = true;
		}
}

/* sshd, sudo, su and login; a file no other includes that reaches pam_sls. */
static bool is_service(struct doctor *d, const char *name)
{
	if (must_check(name))
		return true;
	if (pam_file(d, name)->included)
		return false;
	return reaches_sls(d, name, TYPE_AUTH) || reaches_sls(d, name, TYPE_ACCOUNT);
}

static void check_services(struct doctor *d)
{
	size_t n, nservices = 0;
	char **names = list_dir(d, &n);
	const char **services = xrealloc(NULL, n + 1, sizeof(*services));
	bool sshd = false;

	for (size_t i = 0; i < n; i++)
		pam_file(d, names[i]);
	mark_included(d);
	for (size_t i = 0; i < n; i++) {
		sshd |= strcmp(names[i], "sshd") == 0;
		if (is_service(d, names[i]))
			services[nservices++] = names[i];
	}
	if (!sshd && d->sshd.found)
		services[nservices++] = "sshd"; /* no file of its own: libpam reads "other" */
	if (nservices > 0)
		qsort(services, nservices, sizeof(*services), by_name);
	for (size_t i = 0; i < nservices; i++)
		check_service(d, services[i]);
	if (nservices == 0)
		finding(d, "pam.d",
			/* TRANSLATORS: the PAM directory */
			_("%s: no service asks pam_sls: add \"auth required pam_sls.so\" after "
			  "the password in the services to protect"),
			d->pam_dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(services);
}

static int doctor(struct doctor *d)
{
	char why[256];
	enum sls_rc rc;

	sshd_settings(d);
	rc = sls_dir_open(d->pam_dir, 0, false, &d->pam_fd);
	if (rc != SLS_OK) {
		sls_cli_why(rc, errno, why, sizeof(why));
		/* TRANSLATORS: the PAM directory, then what is wrong with it */
		finding(d, "pam.d", _("%s: %s: no service is checked"), d->pam_dir, why);
	} else {
		check_services(d);
		close(d->pam_fd);
	}
	if (d->nconfs == 0)
		snprintf(d->confs[d->nconfs++], sizeof(d->confs[0]), "%s",
			 d->cli->conf_path ? d->cli->conf_path : SLS_CONFIG_DEFAULT_PATH);
	for (size_t i = 0; i < d->nconfs; i++)
		check_conf(d, d->confs[i]);
	free_files(d);
	free(d->seen);
	return d->findings > 0 ? 1 : SLS_EXIT_OK;
}

static const char *absolute(const char *path, const char *option)
{
	if (path != NULL && path[0] != '/')
		/* TRANSLATORS: an option ("--pam-dir"), then the path given to it */
		errx(SLS_EXIT_USAGE, _("%s %s: give the absolute path"), option, path);
	return path;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"pam-dir", required_argument, NULL, 'p'},
						 {"sshd-config", required_argument, NULL, 's'},
						 {"sshd-t", required_argument, NULL, 't'},
						 SLS_COMMON_OPTIONS};
	struct doctor *d = xrealloc(NULL, 1, sizeof(*d));
	int c, status;

	memset(d, 0, sizeof(*d));
	d->cli = cli;
	d->pam_dir = PAM_DIR;
	d->pam_fd = -1;
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1)
		if (c == 'p')
			d->pam_dir = absolute(optarg, "--pam-dir");
		else if (c == 's')
			d->sshd_config = absolute(optarg, "--sshd-config");
		else
			d->sshd_t = absolute(optarg, "--sshd-t");
	if (optind != argc || cli->user_opt != NULL || (d->sshd_config && d->sshd_t))
		sls_cli_usage(cli);
	absolute(cli->conf_path, "--conf");
	status = doctor(d);
	free(d);
	return status;
}

const struct sls_verb sls_verb_doctor = {
    .name = "doctor",
    /* TRANSLATORS: keep the options; DIR and FILE may be translated */
    .synopsis = N_("[--pam-dir DIR] [--sshd-config FILE | --sshd-t FILE]"),
    .summary = N_("does every login ask the second factor?"),
    .run = run,
    .root_only = true,
};
