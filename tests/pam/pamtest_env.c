/* Module tests: the sandbox and the scripted conversation (see pamtest_env.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpamtest.h>

#include "pamtest_env.h"
#include "helpers.h"
#include "sls_card.h"
#include "sls_scratch.h"
#include "sls_tempcode.h"

static const uint8_t ibkey_key[32] = "12345678901234567890123456789012";
static const uint8_t dsc_key[32] = "abcdefghijklmnopqrstuvwxyz012345";
static const uint8_t totp_key[20] = "12345678901234567890";
static const uint8_t other_card_key[20] = "09876543210987654321";
static char tempcode_text[SLS_TEMPCODE_LEN + 3];
static time_t issued_at;
static char sandbox[PATH_MAX];
static char self[PATH_MAX]; /* this program: under valgrind /proc/self/exe is valgrind's tool */

const char *env_self(void)
{
	return self;
}

const char *env_dir(void)
{
	return sandbox;
}

static void die(const char *what)
{
	perror(what);
	exit(99);
}

void env_write(const char *rel, const char *text, unsigned mode)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sandbox, rel);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, (mode_t)mode) != 0 || close(fd) != 0)
		die(path);
}

void env_edit_user(const char *name, const char *from, const char *to)
{
	char path[PATH_MAX + 64], rel[PATH_MAX];
	char *text, *at, *out;
	size_t n;

	snprintf(path, sizeof(path), "%s/store/users/%s", sandbox, name);
	snprintf(rel, sizeof(rel), "store/users/%s", name);
	text = test_slurp(path);
	at = strstr(text, from);
	if (at == NULL)
		die("env_edit_user: the text to replace is not in the file");
	n = strlen(text) + strlen(to) + 1;
	out = malloc(n);
	if (out == NULL)
		die("env_edit_user");
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	env_write(rel, out, 0600);
	free(out);
	free(text);
}

static void write_conf(const char *name, const char *extra)
{
	char text[4 * PATH_MAX];

	snprintf(text, sizeof(text),
		 "[store]\ndir = %s/store\n[lockout]\ndeny = 3\nwindow = 1h\nunlock_time = 1h\n%s",
		 sandbox, extra);
	env_write(name, text, 0644);
}

/* The module under test; SLS_TEST_MODULE runs the tests against another build of it. */
static const char *module_path(void)
{
	const char *m = getenv("SLS_TEST_MODULE");

	return m != NULL && m[0] == '/' ? m : MODULE_PATH;
}

static void write_service(const char *name, const char *args)
{
	char text[3 * PATH_MAX], rel[64];
	/* nullok services stack a permitting module first, as a real password module would be */
	const char *first = strstr(args, "nullok") ? "auth required pam_permit.so\n" : "";

	snprintf(text, sizeof(text), "%sauth required %s %s\naccount required %s %s\n", first,
		 module_path(), args, module_path(), args);
	snprintf(rel, sizeof(rel), "svc/%s", name);
	env_write(rel, text, 0644);
}

/* A sender script into the sandbox: body after the #! line; mode given. */
static void write_sender(const char *name, const char *body, unsigned mode)
{
	char text[3 * PATH_MAX], rel[64];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s", body);
	snprintf(rel, sizeof(rel), "%s", name);
	env_write(rel, text, mode);
}

/* An sls.conf with an [sms] section: keys given, each '@' standing for the sandbox. */
static void write_sms_conf(const char *name, const char *keys)
{
	char extra[3 * PATH_MAX] = "[sms]\n";
	size_t n = strlen(extra);

	for (; *keys != '\0' && n + strlen(sandbox) + 2 < sizeof(extra); keys++)
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, "%s",
				      *keys == '@' ? sandbox : (char[2]){*keys, '\0'});
	write_conf(name, extra);
}

/* Test senders (what a gateway would be given goes to sms.log, voice.log), spools, confs. */
static void build_sms(void)
{
	char body[2 * PATH_MAX], path[PATH_MAX + 64];

	snprintf(body, sizeof(body), "{ echo \"ARGV $*\"; cat; echo; echo --; } >> %s/sms.log\n",
		 sandbox);
	write_sender("sender-ok", body, 0755);
	write_sender("sender-noexec", body, 0644);
	write_sender("sender-open", body, 0775); /* others may change it: never run as root */
	snprintf(body, sizeof(body), "{ echo \"ARGV $*\"; cat; echo; echo --; } >> %s/voice.log\n",
		 sandbox);
	write_sender("sender-voice", body, 0755);
	write_sender("sender-hang", "sleep 30\n", 0755);
	write_sender("sender-fail", "echo 'gateway says no to 491721234567'; exit 3\n", 0755);
	snprintf(path, sizeof(path), "%s/spool", sandbox);
	if (mkdir(path, 0755) != 0)
		die(path);
	snprintf(path, sizeof(path), "%s/spool/outgoing", sandbox);
	if (mkdir(path, 0755) != 0)
		die(path);
	write_sms_conf("sms.conf", "command = @/sender-ok\nvoice_command = @/sender-voice\n"
				   "min_interval = 2s\n");
	write_sms_conf("sms-short.conf", "command = @/sender-ok\nvalidity = 1s\n");
	write_sms_conf("sms-novoice.conf", "command = @/sender-ok\n");
	write_sms_conf("sms-voicefail.conf",
		       "command = @/sender-ok\nvoice_command = @/sender-fail\nmin_interval = 2s\n");
	write_sms_conf("sms-hang.conf", "command = @/sender-hang\ntimeout = 1s\n");
	write_sms_conf("sms-fail.conf", "command = @/sender-fail\n");
	write_sms_conf("sms-missing.conf", "command = @/no-such-sender\n");
	write_sms_conf("sms-noexec.conf", "command = @/sender-noexec\n");
	write_sms_conf("sms-open.conf", "command = @/sender-open\n");
	write_sms_conf("sms-spool.conf", "spool = @/spool/outgoing\n");
	write_sms_conf("sms-nospool.conf", "spool = @/spool/missing\n");
}

static void build_sandbox(void)
{
	char path[PATH_MAX + 64], args[PATH_MAX + 128];
	struct sls_store store;

	test_sandbox("sls-pamtest", sandbox, sizeof(sandbox));
	snprintf(path, sizeof(path), "%s/svc", sandbox);
	if (mkdir(path, 0755) != 0)
		die(path);
	snprintf(path, sizeof(path), "%s/store", sandbox);
	if (sls_store_open(path, geteuid(), true, &store) != SLS_OK)
		die("store");
	sls_store_close(&store);
	write_conf("sls.conf", "");
	write_conf("short.conf", "[login]\nchallenge_timeout = 1\n");
	snprintf(args, sizeof(args), "[store]\ndir = %s/store\n[lockout]\ndeny = 100\n", sandbox);
	env_write("many.conf", args, 0644);
	env_write("bad.conf", "[lockout]\ndeny = x\n", 0644);
	write_conf("optout.conf", "[policy]\noptout = allowed\n");
	write_conf("mandatory.conf", "[policy]\noptout = allowed\nmandatory_groups = daemon\n");
	write_conf("badgroup.conf", "[policy]\nmandatory_groups = sls-no-such-group\n");
	write_conf("enrol.conf", "[login]\nenroll_at_login = yes\n");
	write_conf("enrol-totp.conf",
		   "[login]\nenroll_at_login = yes\nenroll_at_login_type = totp\n");
	write_conf("enrol-past.conf",
		   "[login]\nenroll_at_login = yes\nenroll_grace_until = 2020-01-01\n");
	write_conf("enrol-future.conf",
		   "[login]\nenroll_at_login = yes\nenroll_grace_until = 2999-12-31\n");
	write_conf("qr.conf", "[login]\nchallenge_qr = yes\n");
	write_conf("qr-off.conf", "[login]\nchallenge_qr = no\n");
	write_conf("qr-bad.conf", "[login]\nchallenge_qr = maybe\n");
	write_conf("qr-enrol.conf", "[login]\nchallenge_qr = yes\nenroll_at_login = yes\n");
	env_write("unsafe.conf", "[lockout]\ndeny = 3\n", 0666); /* writable by others */
	build_sms();
	static const char *const services[][2] = {
	    {"sls", "sls.conf"},
	    {"sls-nullok", "sls.conf nullok"},
	    {"sls-l3", "sls.conf min_level=3"},
	    {"sls-l4", "sls.conf min_level=4"},
	    {"sls-totp", "sls.conf devices=totp"},
	    {"sls-short", "short.conf"},
	    {"sls-many", "many.conf"},
	    {"sls-badopt", "sls.conf frobnicate=1"},
	    {"sls-badlevel", "sls.conf min_level=7"},
	    {"sls-badconf", "bad.conf"},
	    {"sls-noconf", "missing.conf"},
	    {"sls-unsafe", "unsafe.conf"},
	    {"sls-debug", "sls.conf debug"},
	    {"sls-optout", "optout.conf"},
	    {"sls-optout-l3", "optout.conf min_level=3"},
	    {"sls-mandatory", "mandatory.conf"},
	    {"sls-badgroup", "badgroup.conf"},
	    {"sls-enrol", "enrol.conf"},
	    {"sls-enrol-totp", "enrol-totp.conf"},
	    {"sls-enrol-past", "enrol-past.conf"},
	    {"sls-enrol-future", "enrol-future.conf"},
	    {"sls-qr", "qr.conf"},
	    {"sls-qr-debug", "qr.conf debug"},
	    {"sls-qr-off", "qr-off.conf"},
	    {"sls-qr-bad", "qr-bad.conf"},
	    {"sls-qr-enrol", "qr-enrol.conf"},
	    {"sls-sms", "sms.conf"},
	    {"sls-sms-short", "sms-short.conf"},
	    {"sls-sms-novoice", "sms-novoice.conf"},
	    {"sls-sms-voicefail", "sms-voicefail.conf"},
	    {"sls-sms-hang", "sms-hang.conf"},
	    {"sls-sms-fail", "sms-fail.conf"},
	    {"sls-sms-missing", "sms-missing.conf"},
	    {"sls-sms-noexec", "sms-noexec.conf"},
	    {"sls-sms-open", "sms-open.conf"},
	    {"sls-sms-spool", "sms-spool.conf"},
	    {"sls-sms-nospool", "sms-nospool.conf"},
	};
	/* the safe default for any other service (and libpam stops asking for it) */
	env_write("svc/other", "auth required pam_deny.so\naccount required pam_deny.so\n", 0644);
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		snprintf(args, sizeof(args), "conf=%s/%s", sandbox, services[i][1]);
		write_service(services[i][0], args);
	}
}

static void remove_sandbox(void)
{
	test_remove_tree(sandbox);
}

static pid_t sandbox_owner;

static void cleanup_at_exit(void)
{
	if (getpid() == sandbox_owner)
		remove_sandbox();
}

/*
 * pam_wrapper makes its /tmp/pam.X when a process starts, by a first-free
 * search that two processes starting at once may both win: they then share
 * one, and the first to exit removes it. So every test process that is
 * about to exec with pam_wrapper preloaded takes this lock, and the new
 * image releases it in env_init, once pam_wrapper has made its directory.
 */
static void init_lock_take(void)
{
	char fd_text[16];
	int fd = open("/tmp/sls-pam_wrapper.lock", O_RDWR | O_CREAT | O_NOFOLLOW, 0600);

	if (fd < 0 || flock(fd, LOCK_EX) != 0)
		die("/tmp/sls-pam_wrapper.lock");
	snprintf(fd_text, sizeof(fd_text), "%d", fd);
	setenv("SLS_TEST_INIT_LOCK", fd_text, 1);
}

static void init_lock_release(void)
{
	const char *fd = getenv("SLS_TEST_INIT_LOCK");

	if (fd != NULL) {
		close(atoi(fd));
		unsetenv("SLS_TEST_INIT_LOCK");
	}
}

void env_init(int argc, char **argv)
{
	char preload[PATH_MAX], svc[PATH_MAX + 8];
	const char *old = getenv("LD_PRELOAD");

	(void)argc;
	if (strchr(argv[0], '/') == NULL || realpath(argv[0], self) == NULL)
		snprintf(self, sizeof(self), "/proc/self/exe");
	if (getenv("SLS_TEST_DIR") != NULL) {
		init_lock_release();
		snprintf(sandbox, sizeof(sandbox), "%s", getenv("SLS_TEST_DIR"));
		if (getenv("SLS_TEST_CHILD") == NULL) {
			sandbox_owner = getpid();
			atexit(cleanup_at_exit);
		}
		return;
	}
	build_sandbox();
	snprintf(preload, sizeof(preload), "libpam_wrapper.so%s%s", old ? " " : "", old ? old : "");
	snprintf(svc, sizeof(svc), "%s/svc", sandbox);
	setenv("LD_PRELOAD", preload, 1);
	setenv("PAM_WRAPPER", "1", 1);
	setenv("PAM_WRAPPER_SERVICE_DIR", svc, 1);
	/* no RTLD_DEEPBIND under sanitizers: pam_wrapper 1.1.4 reads the UID_ name */
	setenv("PAM_WRAPPER_DISABLE_DEEPBIND", "1", 1);
	setenv("UID_WRAPPER_DISABLE_DEEPBIND", "1", 1);
	/* pam_wrapper is preloaded before the ASan runtime: tell ASan that is fine */
	snprintf(preload, sizeof(preload), "%s%sverify_asan_link_order=0",
		 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "",
		 getenv("ASAN_OPTIONS") ? ":" : "");
	setenv("ASAN_OPTIONS", preload, 1);
	setenv("SLS_TEST_DIR", sandbox, 1);
	init_lock_take();
	execv(self, argv);
	die("execv");
}

/* ---- users and state ------------------------------------------------------------- */

static void add_ocra(struct sls_user *u, const char *name, const struct sls_devtype *type,
		     const uint8_t *key, const char *pin)
{
	struct sls_device *d = &u->devices[u->ndevices++];

	snprintf(d->name, sizeof(d->name), "%s", name);
	d->type = type;
	if (sls_ocra_suite_parse(SLS_OCRA_DEFAULT_SUITE, &d->u.ocra.suite, NULL) != SLS_OK ||
	    sls_ocra_pin_hash(&d->u.ocra.suite, pin, d->u.ocra.pin_hash, &d->u.ocra.pin_hash_len) !=
		SLS_OK)
		die("suite");
	memcpy(d->secret, key, 32);
	d->secret_len = 32;
	d->level = type->level;
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1700000000;
}

static void add_totp(struct sls_user *u)
{
	struct sls_device *d = &u->devices[u->ndevices++];

	snprintf(d->name, sizeof(d->name), "phone");
	d->type = &sls_devtype_totp;
	d->u.totp.hash = SLS_HASH_SHA1;
	d->u.totp.digits = 6;
	d->u.totp.period = 30;
	memcpy(d->secret, totp_key, sizeof(totp_key));
	d->secret_len = sizeof(totp_key);
	d->level = 2;
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1700000000;
}

static void add_sms(struct sls_user *u)
{
	struct sls_device *d = &u->devices[u->ndevices++];

	snprintf(u->phone, sizeof(u->phone), "+491721234567");
	u->phone_verified = true;
	snprintf(d->name, sizeof(d->name), "mobile");
	d->type = &sls_devtype_sms;
	d->level = 1;
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1700000000;
}

static void add_tempcode(struct sls_user *u)
{
	struct sls_device *d = &u->devices[u->ndevices++];
	struct sls_config conf;

	sls_config_defaults(&conf);
	snprintf(d->name, sizeof(d->name), "tempcode");
	if (sls_tempcode_new(d, &conf, issued_at, tempcode_text, sizeof(tempcode_text)) != SLS_OK)
		die("sls_tempcode_new");
}

const char *env_tempcode(void)
{
	return tempcode_text;
}

time_t env_issued(void)
{
	return issued_at;
}

static void add_card(struct sls_user *u, const char *name, time_t expires)
{
	struct sls_device *d = &u->devices[u->ndevices++];

	snprintf(d->name, sizeof(d->name), "%s", name);
	d->expires = expires;
	d->type = &sls_devtype_card;
	memcpy(d->secret, totp_key, sizeof(totp_key));
	d->secret_len = sizeof(totp_key);
	d->level = 1;
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1700000000;
}

static const char *const scratch_codes[] = {"12345678", "23456789", "34567890"};

const char *env_scratch_code(size_t i)
{
	return scratch_codes[i];
}

static void add_scratch(struct sls_user *u)
{
	struct sls_device *d = &u->devices[u->ndevices++];

	snprintf(d->name, sizeof(d->name), "scratch");
	if (sls_scratch_new(d, scratch_codes, 3) != SLS_OK)
		die("sls_scratch_new");
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1700000000;
}

void env_user(const char *name, unsigned devices)
{
	struct sls_user u;
	char *text = NULL, rel[PATH_MAX + 128];
	size_t len = 0;

	memset(&u, 0, sizeof(u));
	issued_at = time(NULL);
	if (devices & ENV_IBKEY)
		add_ocra(&u, "laptop", &sls_devtype_ibkey, ibkey_key, ENV_PIN);
	if (devices & ENV_EXPIRING)
		u.devices[0].expires = time(NULL) + 86400;
	if (devices & ENV_TOTP)
		add_totp(&u);
	if (devices & ENV_SMS)
		add_sms(&u);
	if (devices & ENV_CARD)
		add_card(&u, "card", 0);
	if (devices & ENV_CARD_ONLINE)
		add_card(&u, "online", issued_at + 21 * 86400);
	if (devices & ENV_TEMPCODE)
		add_tempcode(&u);
	if (devices & ENV_SCRATCH)
		add_scratch(&u);
	u.optout = (devices & ENV_OPTOUT) != 0;
	if (devices & (ENV_DSC | ENV_REVOKED_DSC)) {
		add_ocra(&u, "key", &sls_devtype_dsc, dsc_key, ENV_DSC_PIN);
		if (devices & ENV_REVOKED_DSC)
			u.devices[u.ndevices - 1].status = SLS_STATUS_REVOKED;
	}
	if (sls_user_format(&u, &text, &len) != SLS_OK)
		die("sls_user_format");
	snprintf(rel, sizeof(rel), "store/users/%s", name);
	env_write(rel, text, 0600);
	snprintf(rel, sizeof(rel), "%s/store/state/%s", sandbox, name);
	unlink(rel);
	sls_free_secret(text, len + 1);
}

bool env_state(const char *name, struct sls_state *st)
{
	struct sls_store store;
	struct sls_diag diag = {0};
	char path[PATH_MAX + 16];
	enum sls_rc rc;

	snprintf(path, sizeof(path), "%s/store", sandbox);
	if (sls_store_open(path, geteuid(), false, &store) != SLS_OK)
		return false;
	rc = sls_userdb_load_state(&store, name, geteuid(), st, &diag);
	sls_store_close(&store);
	return rc == SLS_OK;
}

size_t env_failures(const char *name)
{
	struct sls_state st;

	if (!env_state(name, &st)) {
		fprintf(stderr, "cannot read the state of %s\n", name);
		exit(99);
	}
	return st.nfailures;
}

bool env_said(const struct conv_log *log, const char *needle)
{
	for (int i = 0; i < log->nerrors; i++)
		if (strstr(log->errors[i], needle) != NULL)
			return true;
	return false;
}

void env_totp_code(char *out, size_t size)
{
	if (sls_totp(SLS_HASH_SHA1, totp_key, sizeof(totp_key), time(NULL), 30, 6, out, size) !=
	    SLS_OK)
		die("totp");
}

/* ---- what the test senders got ------------------------------------------------------ */

static char *slurp(const char *log)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", sandbox, log);
	return test_slurp(path);
}

int env_sent(const char *log)
{
	char *buf = slurp(log);
	int n = 0;

	for (char *p = buf; (p = strstr(p, "ARGV ")) != NULL; p++)
		n++;
	free(buf);
	return n;
}

bool env_last_code(const char *log, char *out, size_t size)
{
	char *buf = slurp(log), *p = NULL, *q;
	size_t n = 0;

	for (q = buf; (q = strstr(q, "login code is ")) != NULL; q++)
		p = q + strlen("login code is ");
	for (; p != NULL && *p != '\0' && *p != '.' && n + 1 < size; p++)
		if (*p >= '0' && *p <= '9')
			out[n++] = *p;
	out[n] = '\0';
	free(buf);
	return n == 6;
}

/* ANS_SMS_SYNC: say the prompt is up (TAG.asked), wait for TAG.go. */
static void sync_with_test(const char *tag)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s.asked", tag);
	env_write(path, "", 0600);
	snprintf(path, sizeof(path), "%s/%s.go", sandbox, tag);
	for (int i = 0; i < 500 && access(path, F_OK) != 0; i++)
		usleep(20000);
}

/* ---- the conversation ------------------------------------------------------------ */

struct conv_data {
	const struct answer *answers;
	int next;
	struct conv_log *log;
	const char *user;
	char uri[1024]; /* the last otpauth URI a prompt showed (an enrolment inside the login) */
};

static bool ocra_answer(const char *prompt, bool dsc, char *out, size_t size)
{
	const char *c = strstr(prompt, "Challenge: ");
	struct sls_ocra_suite suite;
	char q[7];
	struct sls_ocra_input in = {.question = q, .pin = dsc ? ENV_DSC_PIN : ENV_PIN};

	if (c == NULL || sls_ocra_suite_parse(SLS_OCRA_DEFAULT_SUITE, &suite, NULL) != SLS_OK)
		return false;
	memcpy(q, c + 11, 6);
	q[6] = '\0';
	return sls_ocra_compute(&suite, dsc ? dsc_key : ibkey_key, 32, &in, out, size) == SLS_OK;
}

bool env_ocra_response(const char *prompt, bool dsc, char *out, size_t size)
{
	return ocra_answer(prompt, dsc, out, size);
}

/*
 * ANS_ENROL / ANS_ENROL_TOTP: the answer of the device an enrolment inside
 * the login showed, from the URI in an earlier prompt: the response to this
 * prompt's challenge with ENV_PIN, or the current TOTP code.
 */
static bool enrol_answer(const char *uri, const char *prompt, bool totp, char *out, size_t size)
{
	const char *c = strstr(prompt, "Challenge: ");
	struct sls_ocra_input in = {.pin = ENV_PIN};
	struct sls_otpauth o;
	char q[7];
	bool ok = false;

	if (sls_otpauth_parse(uri, &o, NULL) != SLS_OK)
		return false;
	if (totp)
		ok = sls_totp(o.algorithm, o.secret, o.secret_len, time(NULL), o.period, o.digits,
			      out, size) == SLS_OK;
	else if (c != NULL) {
		memcpy(q, c + 11, 6);
		q[6] = '\0';
		in.question = q;
		ok = sls_ocra_compute(&o.suite, o.secret, o.secret_len, &in, out, size) == SLS_OK;
	}
	sls_otpauth_clear(&o);
	return ok;
}

/*
 * "Security code card ID: enter the codes at positions P and Q: ": the codes
 * of the test card (or of another card), in that order or swapped.
 */
static bool card_answer(const char *prompt, enum answer_kind kind, char *out, size_t size)
{
	const char *at = strstr(prompt, "positions ");
	struct sls_device d;
	unsigned p, q;
	char a[8], b[8];

	if (at == NULL || sscanf(at, "positions %u and %u", &p, &q) != 2)
		return false;
	memset(&d, 0, sizeof(d));
	memcpy(d.secret, kind == ANS_CARD_OTHER ? other_card_key : totp_key, sizeof(totp_key));
	d.secret_len = sizeof(totp_key);
	if (sls_card_code(&d, p, a, sizeof(a)) != SLS_OK ||
	    sls_card_code(&d, q, b, sizeof(b)) != SLS_OK)
		return false;
	snprintf(out, size, "%s %s", kind == ANS_CARD_SWAP ? b : a, kind == ANS_CARD_SWAP ? a : b);
	return true;
}

/* The code at position p of the text card at path (sls card print --format text), or -1. */
static int card_file_code(const char *path, unsigned p)
{
	char *text = test_slurp(path), *line, *save = NULL;
	int code = -1, row, c[10];

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%d %d %d %d %d %d %d %d %d %d %d", &row, &c[0], &c[1], &c[2],
			   &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9]) == 11 &&
		    row % 10 == 0 && (unsigned)row < p && p <= (unsigned)row + 10)
			code = c[p - (unsigned)row - 1];
	free(text);
	return code;
}

static bool card_file_answer(const char *prompt, const char *path, char *out, size_t size)
{
	const char *at = strstr(prompt, "positions ");
	unsigned p, q;

	if (at == NULL || sscanf(at, "positions %u and %u", &p, &q) != 2)
		return false;
	snprintf(out, size, "%03d %03d", card_file_code(path, p), card_file_code(path, q));
	return true;
}

/* The reply to one prompt; NULL with *fail for a failing conversation. */
static char *reply(struct conv_data *cd, const char *prompt, bool *fail)
{
	const struct answer *a = &cd->answers[cd->next];
	const char *u = strstr(prompt, "otpauth://");
	char buf[256] = "";

	if (u != NULL) /* an enrolment's URI, for its answers (the log keeps 512 bytes a prompt) */
		snprintf(cd->uri, sizeof(cd->uri), "%.*s", (int)strcspn(u, "\n"), u);
	*fail = false;
	if (a->kind == ANS_END || a->kind == ANS_CONV_ERR) {
		*fail = true;
		return NULL;
	}
	cd->next++;
	if (a->kind == ANS_NULL)
		return NULL;
	if (a->kind == ANS_SLOW)
		sleep(2);
	if (a->kind == ANS_REVOKE) /* an admin revokes while the prompt is open */
		env_user("rex", 0);
	if (a->kind == ANS_PEEK && cd->log != NULL) {
		struct sls_state *st = calloc(1, sizeof(*st));

		cd->log->failures_at_prompt =
		    st != NULL && env_state(cd->user, st) ? (long)st->nfailures : -1;
		free(st);
	}
	if (a->kind == ANS_SMS_LATE || a->kind == ANS_TEXT_SLOW)
		sleep(2);
	if (a->kind == ANS_SMS_SYNC)
		sync_with_test(a->text);
	if (a->kind == ANS_SMS || a->kind == ANS_SMS_LATE || a->kind == ANS_SMS_SYNC)
		env_last_code("sms.log", buf, sizeof(buf));
	else if (a->kind == ANS_VOICE)
		env_last_code("voice.log", buf, sizeof(buf));
	else if (a->kind == ANS_TEXT || a->kind == ANS_TEXT_SLOW)
		snprintf(buf, sizeof(buf), "%s", a->text);
	else if (a->kind == ANS_TOTP)
		env_totp_code(buf, sizeof(buf));
	else if (a->kind == ANS_CARD || a->kind == ANS_CARD_SWAP || a->kind == ANS_CARD_OTHER) {
		if (!card_answer(prompt, a->kind, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "no-positions-in-prompt");
	} else if (a->kind == ANS_ENROL || a->kind == ANS_ENROL_TOTP) {
		if (!enrol_answer(cd->uri, prompt, a->kind == ANS_ENROL_TOTP, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "no-enrolment-uri");
	} else if (a->kind == ANS_CARD_FILE) {
		if (!card_file_answer(prompt, a->text, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "no-positions-in-prompt");
	} else if (!ocra_answer(prompt, a->kind == ANS_OCRA_DSC, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "no-challenge-in-prompt");
	if (cd->log && cd->log->nanswers < 8)
		snprintf(cd->log->answers[cd->log->nanswers++], 128, "%s", buf);
	return strdup(buf);
}

/* The size of msg on a terminal: its widest line (UTF-8 characters, escape sequences none), lines.
 */
static void measure(const char *msg, int *widest, int *tallest)
{
	int cols = 0, lines = 1;

	for (const unsigned char *p = (const unsigned char *)msg; *p != '\0'; p++) {
		if ((p == (const unsigned char *)msg || p[-1] == '\n') &&
		    strncmp((const char *)p, "otpauth://", 10) == 0) {
			p += strcspn((const char *)p, "\n") - 1; /* a URI wraps; it is not drawn */
		} else if (*p == '\n') {
			lines++;
			cols = 0;
		} else if (*p == 0x1b) { /* CSI ... final byte */
			while (p[1] != '\0' && !(p[1] >= 0x40 && p[1] <= 0x7e && p[1] != '['))
				p++;
			if (p[1] != '\0')
				p++;
		} else if ((*p & 0xc0) != 0x80 && ++cols > *widest) {
			*widest = cols;
		}
	}
	if (lines > *tallest)
		*tallest = lines;
}

static void note(char (*list)[PAM_MAX_MSG_SIZE], int *n, const char *msg)
{
	if (*n < 8)
		snprintf(list[(*n)++], PAM_MAX_MSG_SIZE, "%s", msg);
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct conv_data *cd = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	bool fail = false;

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n && !fail; i++) {
		if (msg[i]->msg_style == PAM_ERROR_MSG || msg[i]->msg_style == PAM_TEXT_INFO) {
			if (cd->log)
				note(cd->log->errors, &cd->log->nerrors, msg[i]->msg);
			continue;
		}
		if (cd->log) {
			note(cd->log->prompts, &cd->log->nprompts, msg[i]->msg);
			measure(msg[i]->msg, &cd->log->widest, &cd->log->tallest);
			snprintf(cd->log->last_prompt, sizeof(cd->log->last_prompt), "%s",
				 msg[i]->msg);
		}
		r[i].resp = reply(cd, msg[i]->msg, &fail);
	}
	if (fail) {
		for (int i = 0; i < n; i++)
			free(r[i].resp);
		free(r);
		return PAM_CONV_ERR;
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int run(const char *service, const char *user, enum pamtest_ops op,
	       const struct answer *answers, struct conv_log *log, int flags)
{
	static const struct answer none[] = {{ANS_END, NULL}};
	struct conv_data cd = {.answers = answers ? answers : none, .log = log, .user = user};
	struct pam_testcase tc[] = {pam_test_flags(op, PAM_SUCCESS, flags)};
	enum pamtest_err e;

	if (log)
		memset(log, 0, sizeof(*log));
	e = _pamtest_conv(service, user, conv, &cd, tc, 1, NULL);
	if (e == PAMTEST_ERR_OK)
		return PAM_SUCCESS;
	if (e == PAMTEST_ERR_CASE)
		return tc[0].op_rv;
	fprintf(stderr, "pamtest error: %s\n", pamtest_strerror(e));
	return -1;
}

int env_login(const char *service, const char *user, const struct answer *answers,
	      struct conv_log *log)
{
	return run(service, user, PAMTEST_AUTHENTICATE, answers, log, 0);
}

int env_login_flags(const char *service, const char *user, const struct answer *answers,
		    struct conv_log *log, int flags)
{
	return run(service, user, PAMTEST_AUTHENTICATE, answers, log, flags);
}

/*
 * The same through libpam's own pam_start_confdir, without pam_wrapper:
 * pam_wrapper sets itself up once per process, racily, so many processes
 * starting at once (the concurrency test) go this way.
 */
int env_login_direct(const char *service, const char *user, const struct answer *answers)
{
	struct conv_data cd = {.answers = answers, .user = user};
	struct pam_conv pc = {conv, &cd};
	pam_handle_t *pamh = NULL;
	char confdir[PATH_MAX + 8];
	int rv;

	snprintf(confdir, sizeof(confdir), "%s/svc", sandbox);
	rv = pam_start_confdir(service, user, &pc, confdir, &pamh);
	if (rv != PAM_SUCCESS)
		return -1;
	rv = pam_authenticate(pamh, 0);
	pam_end(pamh, rv);
	return rv;
}

int env_acct(const char *service, const char *user)
{
	return run(service, user, PAMTEST_ACCOUNT, NULL, NULL, 0);
}

/* ---- logins in child processes -------------------------------------------------------- */

int env_run(char *const argv[])
{
	pid_t pid = fork();
	int status = 0, null;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* not under pam_wrapper: the program needs no PAM */
		unsetenv("LD_PRELOAD");
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0)
			_exit(98);
		execv(argv[0], argv);
		_exit(98);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A forked child that logs in gets a /tmp/pam.X of its own from pam_wrapper,
 * which records its pid there; remove it, since the child must leave by
 * _exit (exit would run cmocka's and LeakSanitizer's checks mid-test).
 */
static void remove_own_pam_wrapper_dir(void)
{
	char dir[32], path[64], pid[32] = "", want[32];
	FILE *f;

	snprintf(want, sizeof(want), "%ld", (long)getpid());
	for (int c = 1; c < 127; c++) {
		snprintf(dir, sizeof(dir), "/tmp/pam.%c", c);
		snprintf(path, sizeof(path), "%s/pid", dir);
		if (c == '/' || (f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(pid, sizeof(pid), f) == NULL)
			pid[0] = '\0';
		fclose(f);
		if (strcmp(pid, want) == 0)
			test_remove_tree(dir);
	}
}

int env_in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int status = 0, rv;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		rv = fn();
		remove_own_pam_wrapper_dir();
		_exit(rv);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define CHILD_ANSWERS 8

/* "ocra,sms,resend" into answers (at most CHILD_ANSWERS - 1, then ANS_END). */
static void parse_answers(char *spec, struct answer *answers)
{
	static const struct {
		const char *word;
		enum answer_kind kind;
	} kinds[] = {{"ocra", ANS_OCRA}, {"sms", ANS_SMS},   {"voice-code", ANS_VOICE},
		     {"totp", ANS_TOTP}, {"card", ANS_CARD}, {"card-swap", ANS_CARD_SWAP}};
	int n = 0;

	for (char *save = NULL, *w = strtok_r(spec, ",", &save); w != NULL && n < CHILD_ANSWERS - 1;
	     w = strtok_r(NULL, ",", &save), n++) {
		answers[n] = (struct answer){ANS_TEXT, w};
		if (strncmp(w, "slow:", 5) == 0)
			answers[n] = (struct answer){ANS_TEXT_SLOW, w + 5};
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(w, kinds[i].word) == 0)
				answers[n].kind = kinds[i].kind;
	}
	answers[n] = (struct answer){ANS_END, NULL};
}

int env_login_at(const char *service, const char *offset, const char *user, const char *answers,
		 struct conv_log *log)
{
	char preload[PATH_MAX], fd_text[16];
	int status = 0, p[2];
	struct conv_log got;
	pid_t pid;

	if (pipe(p) != 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[0]);
		snprintf(preload, sizeof(preload), "%s %s", getenv("LD_PRELOAD"), FAKETIME_LIB);
		snprintf(fd_text, sizeof(fd_text), "%d", p[1]);
		setenv("LD_PRELOAD", preload, 1);
		if (offset[0] == '=') { /* the clock stopped at an epoch time */
			setenv("FAKETIME", offset + 1, 1);
			setenv("FAKETIME_FMT", "%s", 1);
		} else if (offset[0] == '@') { /* the clock started at an epoch time */
			setenv("FAKETIME", offset, 1);
			setenv("FAKETIME_FMT", "%s", 1);
		} else {
			setenv("FAKETIME", offset, 1);
		}
		setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
		setenv("SLS_TEST_CHILD", user, 1);
		init_lock_take();
		execl(env_self(), "test", "--child-login", service, user, answers, fd_text,
		      (char *)NULL);
		_exit(98);
	}
	close(p[1]);
	memset(&got, 0, sizeof(got));
	if (read(p[0], &got, sizeof(got)) < 0)
		die("read");
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (log != NULL)
		*log = got;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void env_child(int argc, char **argv)
{
	struct answer answers[CHILD_ANSWERS];
	struct conv_log log;
	int rv, fd;

	if (argc != 6 || strcmp(argv[1], "--child-login") != 0)
		return;
	parse_answers(argv[4], answers);
	rv = env_login(argv[2], argv[3], answers, &log);
	fd = atoi(argv[5]);
	if (write(fd, &log, sizeof(log)) != (ssize_t)sizeof(log))
		exit(97);
	exit(rv < 0 ? 99 : rv);
}

/* ---- the journal ------------------------------------------------------------------------ */

/*
 * An empty /run/systemd/journal of our own. Root's sandboxes live in /run
 * (tests/unit/helpers.h), so only that directory is mounted over; a user
 * (in a user namespace) cannot make it, and gets a whole tmpfs /run.
 */
static bool journal_dir(void)
{
	if ((mkdir("/run/systemd", 0755) == 0 || errno == EEXIST) &&
	    (mkdir("/run/systemd/journal", 0755) == 0 || errno == EEXIST))
		return mount("tmpfs", "/run/systemd/journal", "tmpfs", 0, "mode=0755") == 0;
	return mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") == 0 &&
	       mkdir("/run/systemd", 0755) == 0 && mkdir("/run/systemd/journal", 0755) == 0;
}

int env_journal_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 0, .tv_usec = 300000};
	int fd;

	if ((unshare(CLONE_NEWNS) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 || !journal_dir())
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", "/run/systemd/journal/socket");
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
		return -1;
	return fd;
}

void env_journal_read(int fd, char *all, size_t size)
{
	char d[4096];
	size_t len = 0;
	ssize_t n;

	all[0] = '\0';
	while ((n = recv(fd, d, sizeof(d) - 1, 0)) > 0 && len + (size_t)n + 2 < size) {
		memcpy(all + len, d, (size_t)n);
		len += (size_t)n;
		all[len++] = '\n';
		all[len] = '\0';
	}
}
