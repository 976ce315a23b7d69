/* pam_sls.so through real libpam (pam_wrapper + libpamtest), with a scripted conversation. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pamtest_env.h"

static struct conv_log lg;

/* ---- each device type ------------------------------------------------------------- */

static void test_ibkey_success(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(strlen(lg.prompts[0]), strlen("Challenge: 123456\nResponse: "));
	assert_memory_equal(lg.prompts[0], "Challenge: ", 11);
	assert_string_equal(lg.prompts[0] + 17, "\nResponse: ");
	assert_int_equal(env_acct("sls", "alice"), PAM_SUCCESS);
}

static void test_dsc_success(void **state)
{
	const struct answer a[] = {A(ANS_OCRA_DSC), END};

	(void)state;
	env_user("dave", ENV_DSC);
	assert_int_equal(env_login("sls", "dave", a, &lg), PAM_SUCCESS);
}

static void test_totp_success_and_replay(void **state)
{
	const struct answer a[] = {A(ANS_TOTP), END};

	(void)state;
	env_user("tom", ENV_TOTP);
	assert_int_equal(env_login("sls", "tom", a, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[0], "Verification code: ");
	/* the same code (same step) again: refused and counted */
	assert_int_equal(env_login("sls", "tom", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("tom"), 1);
}

static void test_wrong_response(void **state)
{
	const struct answer a[] = {T("12345678"), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("alice"), 1);
}

static void test_wrong_pin_is_wrong_response(void **state)
{
	/* a response computed with the dsc PIN against the ibkey: the PIN enters OCRA */
	const struct answer a[] = {A(ANS_OCRA_DSC), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_AUTH_ERR);
}

static void test_spaces_and_dashes_ignored(void **state)
{
	char code[16], spaced[24];
	struct answer a[] = {T(NULL), END};

	(void)state;
	env_user("tom", ENV_TOTP);
	env_totp_code(code, sizeof(code));
	snprintf(spaced, sizeof(spaced), " %.3s - %.3s ", code, code + 3);
	a[0].text = spaced;
	assert_int_equal(env_login("sls", "tom", a, &lg), PAM_SUCCESS);
}

static void test_expired_challenge(void **state)
{
	const struct answer a[] = {A(ANS_SLOW), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls-short", "alice", a, &lg), PAM_AUTH_ERR);
	assert_true(env_said(&lg, "The response has expired; start again."));
}

/* ---- menu, levels, device filters ------------------------------------------------------- */

static void test_menu_and_default(void **state)
{
	const struct answer pick2[] = {T("2"), A(ANS_TOTP), END};
	const struct answer dflt[] = {T(""), A(ANS_OCRA), END};

	(void)state;
	env_user("mia", ENV_IBKEY | ENV_TOTP);
	assert_int_equal(env_login("sls", "mia", pick2, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[0], "Select second factor device:\n 1) ibkey laptop\n"
					   " 2) totp phone\nDevice [1]: ");
	assert_string_equal(lg.prompts[1], "Verification code: ");
	/* the default is now the device used last (2), so Enter picks the totp device */
	const struct answer again[] = {T(""), A(ANS_OCRA), END};
	assert_int_equal(env_login("sls", "mia", again, &lg), PAM_AUTH_ERR);
	assert_string_equal(lg.prompts[0], "Select second factor device:\n 1) ibkey laptop\n"
					   " 2) totp phone\nDevice [2]: ");
	assert_string_equal(lg.prompts[1], "Verification code: ");
	env_user("mia", ENV_IBKEY | ENV_TOTP);
	assert_int_equal(env_login("sls", "mia", dflt, &lg), PAM_SUCCESS);
	assert_memory_equal(lg.prompts[1], "Challenge: ", 11);
}

static void test_menu_invalid_choices(void **state)
{
	const struct answer retry[] = {T("9"), T("x"), T("1"), A(ANS_OCRA), END};
	const struct answer bad[] = {T("0"), T("3"), T("x1"), END};

	(void)state;
	env_user("mia", ENV_IBKEY | ENV_TOTP);
	assert_int_equal(env_login("sls", "mia", retry, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 4);
	assert_non_null(strstr(lg.prompts[1], "That is not one of the numbers."));
	assert_int_equal(env_login("sls", "mia", bad, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 3);
	assert_int_equal(env_failures("mia"), 0); /* menu mistakes are not second-factor failures */
}

static void test_min_level(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	/* ibkey (3) + totp (2) on a level-3 service: no menu, straight to the ibkey */
	env_user("mia", ENV_IBKEY | ENV_TOTP);
	assert_int_equal(env_login("sls-l3", "mia", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_memory_equal(lg.prompts[0], "Challenge: ", 11);
	/* only totp: refused with the level the service needs */
	env_user("tom", ENV_TOTP);
	assert_int_equal(env_login("sls-l3", "tom", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "level 3 or higher"));
	/* a revoked dsc does not count */
	env_user("rob", ENV_IBKEY | ENV_REVOKED_DSC);
	assert_int_equal(env_login("sls-l4", "rob", a, &lg), PAM_AUTH_ERR);
	assert_true(env_said(&lg, "level 4 or higher"));
}

static void test_debug_option(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls-debug", "alice", a, &lg), PAM_SUCCESS);
}

static void test_devices_filter(void **state)
{
	const struct answer a[] = {A(ANS_TOTP), END};

	(void)state;
	env_user("mia", ENV_IBKEY | ENV_TOTP);
	assert_int_equal(env_login("sls-totp", "mia", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_string_equal(lg.prompts[0], "Verification code: ");
}

/* ---- lockout ------------------------------------------------------------------------- */

static void lock_alice(void)
{
	const struct answer wrong[] = {T("00000000"), END};

	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_AUTH_ERR);
	/* deny = 3: the third failure locks */
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_MAXTRIES);
	assert_true(env_said(&lg, "Too many failed attempts; try again after "));
	assert_true(env_said(&lg, " or ask an administrator"));
}

static void test_lockout_at_deny(void **state)
{
	const struct answer right[] = {A(ANS_OCRA), END};
	struct sls_state st;

	(void)state;
	lock_alice();
	assert_true(env_state("alice", &st));
	assert_int_equal(st.nfailures, 3);
	assert_true(st.locked_until > time(NULL) + 3500);
	/* locked: refused before any prompt, even with a right response at hand */
	assert_int_equal(env_login("sls", "alice", right, &lg), PAM_MAXTRIES);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "Too many failed attempts"));
	assert_int_equal(env_acct("sls", "alice"), PAM_PERM_DENIED);
}

/* The lock message gives the date when the lock ends on another day. */
static void test_lock_message_date(void **state)
{
	const struct answer right[] = {A(ANS_OCRA), END};
	time_t until = time(NULL) + 3 * 86400;
	char text[256], want[64];
	struct tm tm;

	(void)state;
	env_user("alice", ENV_IBKEY);
	snprintf(text, sizeof(text), "[state]\nlocked_until = %lld\n", (long long)until);
	env_write("store/state/alice", text, 0600);
	assert_non_null(localtime_r(&until, &tm));
	strftime(want, sizeof(want), "try again after %Y-%m-%d %H:%M or ask", &tm);
	assert_int_equal(env_login("sls", "alice", right, &lg), PAM_MAXTRIES);
	if (!env_said(&lg, want))
		fail_msg("want \"%s\" in \"%s\"", want, lg.errors[0]);
}

static void test_success_clears_failures(void **state)
{
	const struct answer wrong[] = {T("00000000"), END};
	const struct answer right[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_login("sls", "alice", right, &lg), PAM_SUCCESS);
	assert_int_equal(env_failures("alice"), 0);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("alice"), 2); /* not locked: the count started again */
}

/* PAM_SILENT: no PAM_TEXT_INFO or PAM_ERROR_MSG, whatever happens; prompts still come. */
static void test_pam_silent(void **state)
{
	const struct answer wrong[] = {T("00000000"), END};

	(void)state;
	lock_alice();
	assert_int_equal(env_login_flags("sls", "alice", wrong, &lg, PAM_SILENT), PAM_MAXTRIES);
	assert_int_equal(lg.nerrors, 0);
	assert_int_equal(env_login("sls", "alice", wrong, &lg), PAM_MAXTRIES);
	assert_true(env_said(&lg, "Too many failed attempts")); /* not silent: told */
	assert_int_equal(env_login_flags("sls", "nobody-here", NULL, &lg, PAM_SILENT),
			 PAM_AUTH_ERR);
	assert_int_equal(lg.nerrors, 0);
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login_flags("sls", "alice", wrong, &lg, PAM_SILENT), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(lg.nerrors, 0);
}

static void test_unlock_by_sls(void **state)
{
	const struct answer right[] = {A(ANS_OCRA), END};
	char conf[PATH_MAX + 16], sls[] = SLS_PATH, opt[] = "--conf", verb[] = "unlock",
				  user[] = "alice";
	char *const argv[] = {sls, opt, conf, verb, user, NULL};

	(void)state;
	lock_alice();
	snprintf(conf, sizeof(conf), "%s/sls.conf", env_dir());
	assert_int_equal(env_run(argv), 0);
	assert_int_equal(env_login("sls", "alice", right, &lg), PAM_SUCCESS);
}

/* One login on service under libfaketime (FAKETIME=offset), answering with the ibkey. */
static int login_on_at(const char *service, const char *offset, const char *user)
{
	return env_login_at(service, offset, user, "ocra", NULL);
}

static int login_at(const char *offset, const char *user)
{
	return login_on_at("sls", offset, user);
}

static void test_lock_expires(void **state)
{
	(void)state;
	lock_alice();
	/* unlock_time = 1h: 59 minutes later still locked, 61 minutes later not */
	assert_int_equal(login_at("+59m", "alice"), PAM_MAXTRIES);
	assert_int_equal(login_at("+61m", "alice"), PAM_SUCCESS);
}

/* A device past its expires is not offered; with no other, even nullok denies. */
static void test_expired_device(void **state)
{
	const struct answer right[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("eve", ENV_IBKEY | ENV_EXPIRING);
	assert_int_equal(env_login("sls", "eve", right, &lg), PAM_SUCCESS);
	assert_int_equal(login_at("+2d", "eve"), PAM_AUTH_ERR);
	assert_int_equal(login_on_at("sls-nullok", "+2d", "eve"), PAM_AUTH_ERR);
	assert_int_equal(login_at("+23h", "eve"), PAM_SUCCESS);
	/* with a totp beside it, the totp is asked (the child's ibkey answer is wrong) */
	env_user("eve", ENV_IBKEY | ENV_EXPIRING | ENV_TOTP);
	assert_int_equal(login_at("+2d", "eve"), PAM_AUTH_ERR);
}

/* Only devices the login cannot ask yet (a code card): denied, nullok or not. */
static void test_concurrent_failures_counted(void **state)
{
	const struct answer wrong[] = {T("00000000"), END};
	pid_t pids[20];

	(void)state;
	env_user("carl", ENV_IBKEY);
	for (int i = 0; i < 20; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(env_login_direct("sls-many", "carl", wrong));
	}
	for (int i = 0; i < 20; i++) {
		int status = 0;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), PAM_AUTH_ERR);
	}
	assert_int_equal(env_failures("carl"), 20);
}

/* Run fn in a child process and assert that it exits 0 (its own failures are codes). */
static void in_child(int (*fn)(void))
{
	assert_int_equal(env_in_child(fn), 0);
}

/* ---- count before check ------------------------------------------------------------ */

static void test_counted_before_prompt(void **state)
{
	const struct answer a[] = {A(ANS_PEEK), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
	/* while the challenge was on screen, the attempt was on disk as a failure */
	assert_int_equal(lg.failures_at_prompt, 1);
	/* the right answer cleared it */
	assert_int_equal(env_failures("alice"), 0);
}

/*
 * The review's F1: a caller (sudo, su) sets RLIMIT_FSIZE between the size
 * of a state file with one more failure and one without, and ignores
 * SIGXFSZ, so that writing a failure fails while a success still writes.
 * Every prompt shown must then be a failure on disk: the attempt is written
 * first, and when that write fails nothing is asked.
 */
static int fsize_child(void)
{
	const struct answer right[] = {A(ANS_OCRA), END};
	const struct answer wrong[] = {T("00000000"), END};
	struct sls_state *st = calloc(1, sizeof(*st));
	char path[PATH_MAX + 64];
	struct rlimit rl;
	struct stat sb;
	int shown = 0;

	env_user("fsz", ENV_IBKEY);
	if (st == NULL || env_login("sls-many", "fsz", right, &lg) != PAM_SUCCESS)
		return 10;
	snprintf(path, sizeof(path), "%s/store/state/fsz", env_dir());
	if (stat(path, &sb) != 0)
		return 11;
	signal(SIGXFSZ, SIG_IGN);
	for (rlim_t extra = 0; extra < 40; extra += 4) {
		if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
			return 12;
		rl.rlim_cur = (rlim_t)sb.st_size + extra;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			return 12;
		if (env_login("sls-many", "fsz", wrong, &lg) == PAM_SUCCESS)
			return 13;
		shown += lg.nprompts;
		if (!env_state("fsz", st) || st->nfailures != (size_t)shown) {
			fprintf(stderr, "limit +%u: %d prompts shown, %zu failures recorded\n",
				(unsigned)extra, shown, st->nfailures);
			return 14;
		}
	}
	free(st);
	return 0;
}

static void test_rlimit_fsize_cannot_skip_the_count(void **state)
{
	(void)state;
	in_child(fsize_child);
}

/* F2: the challenge answered is kept, and the device is never given it again. */
static void test_answered_challenge_recorded(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	struct sls_state *st = calloc(1, sizeof(*st));
	const struct sls_device_state *ds;
	const struct sls_device laptop = {.name = "laptop", .created = 1700000000};
	char shown[SLS_CHALLENGE_DIGITS + 1];

	(void)state;
	assert_non_null(st);
	env_user("alice", ENV_IBKEY);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
		memcpy(shown, lg.prompts[0] + strlen("Challenge: "), SLS_CHALLENGE_DIGITS);
		shown[SLS_CHALLENGE_DIGITS] = '\0';
		assert_true(env_state("alice", st));
		ds = sls_state_find(st, &laptop);
		assert_non_null(ds);
		assert_int_equal(ds->nused, (size_t)i + 1);
		assert_int_equal(ds->used[i], strtoul(shown, NULL, 10));
	}
	free(st);
}

/* ---- users without devices, bad configuration and files ------------------------------------ */

static void test_no_device(void **state)
{
	(void)state;
	/* sls-nullok stacks pam_permit first, as a password module would be: PAM_IGNORE
	 * from pam_sls leaves its result standing, with no prompt */
	assert_int_equal(env_login("sls-nullok", "nobody-here", NULL, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_login("sls", "nobody-here", NULL, &lg), PAM_AUTH_ERR);
	assert_true(env_said(&lg, "sls enroll"));
	env_user("rob", ENV_REVOKED_DSC); /* only a revoked device: the same */
	assert_int_equal(env_login("sls-nullok", "rob", NULL, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_login("sls", "rob", NULL, &lg), PAM_AUTH_ERR);
}

static void test_bad_configuration(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls-badopt", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(env_login("sls-badlevel", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(env_login("sls-badconf", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(env_login("sls-noconf", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_login("sls-unsafe", "alice", a, &lg), PAM_SERVICE_ERR);
}

/*
 * The review's F5: a second passwd name of an enrolled uid (useradd -o) must
 * find the uid's enrolment, or nullok lets the alias in with the password
 * alone. The names live in a private copy of /etc/passwd (a mount namespace).
 */
static int alias_child(void)
{
	const struct answer none[] = {END};
	char path[PATH_MAX + 64], line[512];
	FILE *in, *out;
	int rv;

	snprintf(path, sizeof(path), "%s/passwd", env_dir());
	in = fopen("/etc/passwd", "r");
	out = fopen(path, "w");
	if (in == NULL || out == NULL)
		return 10;
	while (fgets(line, sizeof(line), in) != NULL)
		fputs(line, out);
	fputs("slsreal:x:4242:4242::/nonexistent:/bin/sh\n"
	      "slsalias:x:4242:4242::/nonexistent:/bin/sh\n",
	      out);
	if (fclose(out) != 0 || fclose(in) != 0 || unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount(path, "/etc/passwd", "none", MS_BIND, NULL) != 0)
		return 11;
	env_user("slsreal", ENV_IBKEY);
	/* before: no enrolment under "slsalias", nullok, PAM_SUCCESS with no prompt */
	rv = env_login("sls-nullok", "slsalias", none, &lg);
	if (rv == PAM_SUCCESS || lg.nprompts != 1 || strncmp(lg.prompts[0], "Challenge: ", 11) != 0)
		return 12;
	rv = env_login("sls-nullok", "slsreal", none, &lg);
	if (rv == PAM_SUCCESS || lg.nprompts != 1)
		return 13;
	/* an enrolment filed under the alias (as sls once did) is no licence for nullok */
	env_user("slsalias", ENV_IBKEY);
	env_user("slsreal", 0);
	snprintf(path, sizeof(path), "%s/store/users/slsreal", env_dir());
	unlink(path);
	rv = env_login("sls-nullok", "slsalias", none, &lg);
	return rv == PAM_SERVICE_ERR && lg.nprompts == 0 ? 0 : 14;
}

static void test_alias_of_enrolled_uid(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* a private /etc/passwd needs root; CI runs as root */
	in_child(alias_child);
}

static void test_unsafe_user_names(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	assert_int_equal(env_login("sls", "../store/users/alice", a, &lg), PAM_USER_UNKNOWN);
	assert_int_equal(env_login("sls-nullok", "a/b", a, &lg), PAM_USER_UNKNOWN);
	assert_int_equal(env_login("sls-nullok", "bad\nname", a, &lg), PAM_USER_UNKNOWN);
}

static void corrupt(const char *rel, const char *text, unsigned mode)
{
	env_user("alice", ENV_IBKEY);
	env_write(rel, text, mode);
}

static void test_malformed_files(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char path[PATH_MAX + 64], target[PATH_MAX + 64];

	(void)state;
	corrupt("store/users/alice", "[user]\nphone =\n", 0600); /* truncated */
	assert_int_not_equal(env_login("sls-nullok", "alice", a, &lg), PAM_SUCCESS);
	assert_int_not_equal(env_login("sls-nullok", "alice", a, &lg), PAM_IGNORE);
	corrupt("store/users/alice",
		"[user]\nphone =\nphone_verified = no\noptout = no\n"
		"identity =\n[device x]\ntype = bogus\n",
		0600);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SYSTEM_ERR);
	assert_true(env_said(&lg, "ask an administrator"));
	env_user("alice", ENV_IBKEY);
	snprintf(path, sizeof(path), "%s/store/users/alice", env_dir());
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SERVICE_ERR);
	env_user("alice", ENV_IBKEY);
	snprintf(target, sizeof(target), "%s/store/users/alice.real", env_dir());
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SERVICE_ERR);
	unlink(path);
	unlink(target);
	corrupt("store/state/alice", "[state]\nfailures = 5,4\n", 0600);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SYSTEM_ERR);
	/* a store writable by others is refused as a whole */
	env_user("alice", ENV_IBKEY);
	snprintf(path, sizeof(path), "%s/store", env_dir());
	assert_int_equal(chmod(path, 0777), 0);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(env_login("sls-nullok", "nobody-here", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(chmod(path, 0700), 0);
	/* so is a store (and sls.conf) below a directory others may write to, like /tmp */
	assert_int_equal(chmod(env_dir(), 01777), 0);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(env_login("sls-nullok", "nobody-here", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(chmod(env_dir(), 0755), 0);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
}

static void test_broken_store_fails_closed(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char from[PATH_MAX + 64], to[PATH_MAX + 64];

	(void)state;
	env_user("alice", ENV_IBKEY);
	snprintf(from, sizeof(from), "%s/store/state", env_dir());
	snprintf(to, sizeof(to), "%s/state.away", env_dir());
	assert_int_equal(rename(from, to), 0);
	/* not "nobody enrolled": nullok must not let an enrolled user through */
	assert_int_equal(env_login("sls-nullok", "alice", a, &lg), PAM_SYSTEM_ERR);
	assert_int_equal(env_acct("sls-nullok", "alice"), PAM_SYSTEM_ERR);
	assert_int_equal(rename(to, from), 0);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
}

static void test_stale_device_state_pruned(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char text[4096];
	size_t n;

	(void)state;
	env_user("alice", ENV_IBKEY);
	n = (size_t)snprintf(text, sizeof(text), "[state]\nlast_device = old0\n");
	for (int i = 0; i < SLS_DEVICES_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\n[device old%d]\ntotp_last_step = 0\nlast_used = 0\n", i);
	env_write("store/state/alice", text, 0600);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
	struct sls_state st;
	assert_true(env_state("alice", &st));
	assert_int_equal(st.ndevices, 1);
	assert_string_equal(st.devices[0].name, "laptop");
}

static void test_revoked_while_prompting(void **state)
{
	const struct answer a[] = {A(ANS_REVOKE), END};

	(void)state;
	env_user("rex", ENV_IBKEY);
	assert_int_equal(env_login("sls", "rex", a, &lg), PAM_AUTH_ERR);
}

/* ---- the conversation misbehaving ------------------------------------------------------ */

static void test_conversation_errors(void **state)
{
	const struct answer conv_err[] = {A(ANS_CONV_ERR)};
	const struct answer null_reply[] = {A(ANS_NULL), END};
	const struct answer empty[] = {T(""), END};
	char longtext[200];
	struct answer too_long[] = {T(NULL), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	/* a challenge shown is an attempt, answered or not: else draws are free */
	assert_int_equal(env_login("sls", "alice", conv_err, &lg), PAM_CONV_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(env_failures("alice"), 1);
	assert_int_equal(env_login("sls", "alice", null_reply, &lg), PAM_CONV_ERR);
	assert_int_equal(env_failures("alice"), 2);
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", empty, &lg), PAM_AUTH_ERR);
	memset(longtext, '1', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	too_long[0].text = longtext;
	assert_int_equal(env_login("sls", "alice", too_long, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("alice"), 2);
	/* the menu is no attempt: a conversation failing there costs nothing */
	env_user("mia", ENV_IBKEY | ENV_TOTP);
	assert_int_equal(env_login("sls", "mia", conv_err, &lg), PAM_CONV_ERR);
	assert_int_equal(env_login("sls", "mia", null_reply, &lg), PAM_CONV_ERR);
	assert_int_equal(env_failures("mia"), 0);
}

/* ---- the module's interface ----------------------------------------------------------- */

static void test_exported_symbols(void **state)
{
	void *h = dlopen(MODULE_PATH, RTLD_NOW | RTLD_LOCAL);

	(void)state;
	assert_non_null(h);
	assert_non_null(dlsym(h, "pam_sm_authenticate"));
	assert_non_null(dlsym(h, "pam_sm_setcred"));
	assert_non_null(dlsym(h, "pam_sm_acct_mgmt"));
	/* internal names stay hidden */
	assert_null(dlsym(h, "sls_login_ask"));
	assert_null(dlsym(h, "sls_module_opts_parse"));
	assert_null(dlsym(h, "sls_ocra_compute"));
	assert_null(dlsym(h, "sls_user_parse"));
	dlclose(h);
}

/* How many times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Journal entries: a child logs in with a private mount namespace whose
 * /run holds our own socket at the journal's address; every datagram is
 * checked for the right MESSAGE_IDs and fields, and for no answer or PIN.
 * Each return of the module is exactly one entry with SLS_PAM_RESULT; the
 * user is named by the passwd name, and a name no user has is never logged.
 */
static int journal_child(void)
{
	const struct answer wrong[] = {T("00000000"), END};
	const struct answer right[] = {A(ANS_OCRA), END};
	char all[32768];
	int fd = env_journal_open();

	if (fd < 0)
		return 10;
	env_user("games", ENV_IBKEY); /* a user of the system (passwd) */
	if (env_login("sls", "games", wrong, &lg) != PAM_AUTH_ERR ||
	    env_login("sls", "games", right, &lg) != PAM_SUCCESS)
		return 11;
	env_journal_read(fd, all, sizeof(all));
	static const char *const want[] = {
	    "MESSAGE_ID=0ac4eab608674ec9a57588cf256aadad", /* device offered */
	    "MESSAGE_ID=ff63590387f04b6eb710b569259841ed", /* failure */
	    "MESSAGE_ID=263acce1c3c64a04b4fa8ba00c002cd3", /* success */
	    "SLS_USER=games\n",
	    "SLS_SERVICE=sls\n",
	    "SLS_DEVICE=laptop\n",
	    "SLS_RESULT=failure\n",
	    "SLS_RESULT=success\n",
	    "SYSLOG_IDENTIFIER=pam_sls\n",
	    "SLS_RHOST=",
	    "SLS_TTY=",
	    "SLS_PAM_RESULT=PAM_AUTH_ERR\n",
	    "SLS_PAM_RESULT=PAM_SUCCESS\n",
	    "SLS_TRAIL=device-offered,failure\n",
	    "SLS_TRAIL=device-offered,success\n",
	    "MESSAGE=wrong answer; user=games service=sls",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(all, want[i]) == NULL) {
			fprintf(stderr, "journal lacks %s in:\n%s\n", want[i], all);
			return 12;
		}
	/* two returns, two entries that say how they returned; no doubled prefix */
	if (count_of(all, "SLS_PAM_RESULT=") != 2 || strstr(all, "MESSAGE=pam_sls:") != NULL)
		return 15;
	for (int i = 0; i < lg.nanswers; i++)
		if (strstr(all, lg.answers[i]) != NULL)
			return 13; /* a response reached the log */
	if (strstr(all, ENV_PIN) != NULL || strstr(all, "00000000") != NULL)
		return 14;
	/* an enrolled name that is no user of the system is not logged as one */
	env_user("jon", ENV_IBKEY);
	if (env_login("sls", "jon", wrong, &lg) != PAM_AUTH_ERR)
		return 16;
	env_journal_read(fd, all, sizeof(all));
	if (strstr(all, "jon") != NULL || strstr(all, "SLS_USER=-\n") == NULL ||
	    count_of(all, "SLS_PAM_RESULT=PAM_AUTH_ERR\n") != 1)
		return 17;
	return 0;
}

static void test_journal_entries(void **state)
{
	(void)state;
	in_child(journal_child);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ibkey_success),
	    cmocka_unit_test(test_dsc_success),
	    cmocka_unit_test(test_totp_success_and_replay),
	    cmocka_unit_test(test_wrong_response),
	    cmocka_unit_test(test_wrong_pin_is_wrong_response),
	    cmocka_unit_test(test_spaces_and_dashes_ignored),
	    cmocka_unit_test(test_expired_challenge),
	    cmocka_unit_test(test_menu_and_default),
	    cmocka_unit_test(test_menu_invalid_choices),
	    cmocka_unit_test(test_min_level),
	    cmocka_unit_test(test_devices_filter),
	    cmocka_unit_test(test_debug_option),
	    cmocka_unit_test(test_lockout_at_deny),
	    cmocka_unit_test(test_success_clears_failures),
	    cmocka_unit_test(test_lock_message_date),
	    cmocka_unit_test(test_pam_silent),
	    cmocka_unit_test(test_unlock_by_sls),
	    cmocka_unit_test(test_lock_expires),
	    cmocka_unit_test(test_expired_device),
	    cmocka_unit_test(test_concurrent_failures_counted),
	    cmocka_unit_test(test_counted_before_prompt),
	    cmocka_unit_test(test_rlimit_fsize_cannot_skip_the_count),
	    cmocka_unit_test(test_answered_challenge_recorded),
	    cmocka_unit_test(test_no_device),
	    cmocka_unit_test(test_bad_configuration),
	    cmocka_unit_test(test_unsafe_user_names),
	    cmocka_unit_test(test_alias_of_enrolled_uid),
	    cmocka_unit_test(test_malformed_files),
	    cmocka_unit_test(test_broken_store_fails_closed),
	    cmocka_unit_test(test_stale_device_state_pruned),
	    cmocka_unit_test(test_revoked_while_prompting),
	    cmocka_unit_test(test_conversation_errors),
	    cmocka_unit_test(test_exported_symbols),
	    cmocka_unit_test(test_journal_entries),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("pam_sls.so through libpam", tests, NULL, NULL);
}
