/* SMS devices through real libpam: the code, resend and voice, the senders and how they fail. */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "pamtest_env.h"

#define SENT_TO "SMS code sent to ******4567.\n"
#define ASK     "SMS code (or \"voice\", \"resend\"): "

static struct conv_log lg;

/* Which senders got what: forget it all. */
static void clear_logs(void)
{
	env_write("sms.log", "", 0600);
	env_write("voice.log", "", 0600);
}

static void fresh(const char *user, unsigned devices)
{
	env_user(user, devices);
	clear_logs();
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- a login with an SMS code ------------------------------------------------------------ */

static void test_sms_login(void **state)
{
	const struct answer a[] = {A(ANS_SMS), END};
	char path[PATH_MAX + 64], code[16], *text;
	struct sls_state st;

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms", "sid", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_string_equal(lg.prompts[0], SENT_TO ASK);
	/* the sender got argv [command, NUMBER] and the text on stdin */
	assert_int_equal(env_sent("sms.log"), 1);
	assert_true(env_last_code("sms.log", code, sizeof(code)));
	snprintf(path, sizeof(path), "%s/sms.log", env_dir());
	text = test_slurp(path);
	assert_non_null(strstr(text, "ARGV +491721234567\nYour login code is "));
	assert_non_null(strstr(text, ". It is valid for 5 minutes. Never tell it anyone.\n--\n"));
	free(text);
	/* used once: gone from the state */
	assert_true(env_state("sid", &st));
	assert_false(st.sms.pending);
	assert_int_equal(st.nfailures, 0);
}

/* The code is kept only as a salted hash, and a second login while it is valid reuses it. */
static void test_pending_code_reused(void **state)
{
	const struct answer wait[] = {END};
	const struct answer a[] = {A(ANS_SMS), END};
	char path[PATH_MAX + 64], code[16], *text;
	struct sls_state st;

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_not_equal(env_login("sls-sms", "sid", wait, &lg), PAM_SUCCESS);
	assert_true(env_last_code("sms.log", code, sizeof(code)));
	snprintf(path, sizeof(path), "%s/store/state/sid", env_dir());
	text = test_slurp(path);
	assert_non_null(strstr(text, "sms_code_hash = "));
	assert_non_null(strstr(text, "sms_salt = "));
	assert_null(strstr(text, code));
	free(text);
	assert_true(env_state("sid", &st));
	assert_true(st.sms.pending);
	assert_int_equal(st.sms.expires - st.sms.sent, 300);

	assert_int_equal(env_login("sls-sms", "sid", a, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[0],
			    "An SMS code was sent to ******4567 and is still valid.\n" ASK);
	assert_int_equal(env_sent("sms.log"), 1);
	/* used: the next login sends a new one (min_interval = 2s on), and the old one is wrong */
	{
		const struct answer old[] = {T(code), END};

		sleep(2);
		assert_int_equal(env_login("sls-sms", "sid", old, &lg), PAM_AUTH_ERR);
		assert_string_equal(lg.prompts[0], SENT_TO ASK);
		assert_int_equal(env_sent("sms.log"), 2);
		assert_int_equal(env_failures("sid"), 1);
	}
}

static void test_wrong_codes_counted(void **state)
{
	const struct answer wrong[] = {T("000000"), END};
	const struct answer letters[] = {T("12ab56"), END};
	const struct answer long_code[] = {T("1234567"), END};
	const struct answer a[] = {A(ANS_SMS), END};

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms", "sid", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("sid"), 1);
	assert_int_equal(env_login("sls-sms", "sid", letters, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("sid"), 2);
	/* the third failure locks the user (deny = 3): the right code no longer helps */
	assert_int_equal(env_login("sls-sms", "sid", long_code, &lg), PAM_MAXTRIES);
	assert_int_equal(env_failures("sid"), 3);
	assert_int_equal(env_login("sls-sms", "sid", a, &lg), PAM_MAXTRIES);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_sent("sms.log"), 1);
}

/* The code is sent only when sms is chosen in the menu. */
static void test_sent_only_when_chosen(void **state)
{
	const struct answer ibkey[] = {T("1"), A(ANS_OCRA), END};
	const struct answer sms[] = {T("2"), A(ANS_SMS), END};

	(void)state;
	fresh("mia", ENV_IBKEY | ENV_SMS);
	assert_int_equal(env_login("sls-sms", "mia", ibkey, &lg), PAM_SUCCESS);
	assert_non_null(strstr(lg.prompts[0], " 2) sms ******4567\n"));
	assert_int_equal(env_sent("sms.log"), 0);
	assert_int_equal(env_login("sls-sms", "mia", sms, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[1], SENT_TO ASK);
	assert_int_equal(env_sent("sms.log"), 1);
}

/* An sms device whose phone is not verified is not offered: a clear denial, nothing sent. */
static void test_unverified_phone(void **state)
{
	char path[PATH_MAX + 64], *text, *at;

	(void)state;
	fresh("uma", ENV_SMS);
	snprintf(path, sizeof(path), "%s/store/users/uma", env_dir());
	text = test_slurp(path);
	at = strstr(text, "phone_verified = yes");
	assert_non_null(at);
	memcpy(at, "phone_verified = no\n", strlen("phone_verified = no\n"));
	memmove(at + strlen("phone_verified = no\n"), at + strlen("phone_verified = yes\n"),
		strlen(at + strlen("phone_verified = yes\n")) + 1);
	env_write("store/users/uma", text, 0600);
	free(text);
	assert_int_equal(env_login("sls-sms", "uma", NULL, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "None of your second factor devices can be used to log in here"));
	assert_int_equal(env_sent("sms.log"), 0);
}

/* ---- resend and voice --------------------------------------------------------------------- */

static void test_resend(void **state)
{
	const struct answer soon[] = {T("resend"), A(ANS_SMS), END};
	const struct answer later[] = {T("resend"), A(ANS_SMS), END};
	const struct answer none[] = {END};
	char first[16], second[16];

	(void)state;
	/* min_interval = 2s: at once, the user is told how long to wait, and the code stands */
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms", "sid", soon, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 2);
	assert_true(strcmp(lg.prompts[1], "A new code can be sent in 2 seconds.\n" ASK) == 0 ||
		    strcmp(lg.prompts[1], "A new code can be sent in 1 second.\n" ASK) == 0);
	assert_int_equal(env_sent("sms.log"), 1);
	/* a code left pending; two seconds on, resend sends a new one, and that one is asked */
	sleep(2);
	assert_int_not_equal(env_login("sls-sms", "sid", none, &lg), PAM_SUCCESS);
	assert_int_equal(env_sent("sms.log"), 2);
	assert_true(env_last_code("sms.log", first, sizeof(first)));
	sleep(2);
	assert_int_equal(env_login("sls-sms", "sid", later, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[1], "A new SMS code was sent to ******4567.\n" ASK);
	assert_int_equal(env_sent("sms.log"), 3);
	assert_true(env_last_code("sms.log", second, sizeof(second)));
	assert_string_not_equal(first, second);
}

/* resend again and again: one SMS, a wait each time, and the attempt ends after ten prompts. */
static void test_resend_ten_times(void **state)
{
	struct answer a[13];

	(void)state;
	for (int i = 0; i < 11; i++)
		a[i] = (struct answer)T("resend");
	a[11] = (struct answer)A(ANS_SMS);
	a[12] = (struct answer)END;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms-novoice", "sid", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_sent("sms.log"), 1);
	for (int i = 1; i < lg.nprompts; i++)
		assert_non_null(strstr(lg.prompts[i], "A new code can be sent in 1"));
	assert_true(env_said(&lg, "No code was entered; start again."));
	assert_int_equal(env_failures("sid"), 1);
}

static void test_voice(void **state)
{
	const struct answer a[] = {T("voice"), A(ANS_VOICE), END};
	char sms[16], voice[16];

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms", "sid", a, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[1], "Calling ******4567 to read the code out.\n" ASK);
	assert_int_equal(env_sent("sms.log"), 1);
	assert_int_equal(env_sent("voice.log"), 1);
	/* the same code, read out digit by digit */
	assert_true(env_last_code("sms.log", sms, sizeof(sms)));
	assert_true(env_last_code("voice.log", voice, sizeof(voice)));
	assert_string_equal(sms, voice);
}

static void test_voice_not_configured(void **state)
{
	const struct answer a[] = {T("voice"), A(ANS_SMS), END};

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms-novoice", "sid", a, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[1], "Voice calls are not available here.\n" ASK);
	assert_int_equal(env_sent("voice.log"), 0);
}

/* Calls too at most every min_interval; a call that fails leaves the SMS code standing. */
static void test_voice_rate_limit_and_failure(void **state)
{
	const struct answer twice[] = {T("voice"), T("voice"), A(ANS_VOICE), END};
	const struct answer failing[] = {T("voice"), A(ANS_SMS), END};

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms", "sid", twice, &lg), PAM_SUCCESS);
	assert_true(strcmp(lg.prompts[2], "A call can be placed in 2 seconds.\n" ASK) == 0 ||
		    strcmp(lg.prompts[2], "A call can be placed in 1 second.\n" ASK) == 0);
	assert_int_equal(env_sent("voice.log"), 1);
	fresh("vic", ENV_SMS);
	assert_int_equal(env_login("sls-sms-voicefail", "vic", failing, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[1], "The call could not be placed.\n" ASK);
	assert_int_equal(env_sent("sms.log"), 1);
}

/*
 * A new code only every min_interval, also for a new login once the last
 * code was used: refused before anything is counted, the other devices
 * offered, and with none PAM_AUTHINFO_UNAVAIL.
 */
static void test_new_login_too_soon(void **state)
{
	const struct answer sms[] = {A(ANS_SMS), END};
	const struct answer pick_sms[] = {T("2"), A(ANS_SMS), END};
	const struct answer then_ibkey[] = {T("2"), A(ANS_OCRA), END};

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_equal(env_login("sls-sms-novoice", "sid", sms, &lg), PAM_SUCCESS);
	assert_int_equal(env_login("sls-sms-novoice", "sid", sms, &lg), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "A new code can be sent in 1"));
	assert_true(env_said(&lg, " seconds; try again then, or use another device."));
	assert_int_equal(env_failures("sid"), 0);
	assert_int_equal(env_sent("sms.log"), 1);
	fresh("mia", ENV_IBKEY | ENV_SMS);
	assert_int_equal(env_login("sls-sms-novoice", "mia", pick_sms, &lg), PAM_SUCCESS);
	assert_int_equal(env_login("sls-sms-novoice", "mia", then_ibkey, &lg), PAM_SUCCESS);
	assert_memory_equal(lg.prompts[1], "Challenge: ", 11);
	assert_int_equal(env_sent("sms.log"), 1);
}

/* ---- validity ------------------------------------------------------------------------------ */

static void test_code_after_validity(void **state)
{
	const struct answer a[] = {A(ANS_SMS_LATE), END};

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_not_equal(env_login("sls-sms-short", "sid", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 2);
	assert_string_equal(lg.prompts[1],
			    "That code has expired; type \"resend\" for a new one.\n" ASK);
	assert_int_equal(env_failures("sid"), 1);
}

/*
 * With the defaults (validity 300 s, min_interval 120 s) under libfaketime:
 * 30 s after the code, resend waits 90 s; at 3 min the code is still valid
 * and resend sends a new one; 6 min after that, no code is pending.
 */
static void test_rate_limit_and_validity_faked(void **state)
{
	const struct answer none[] = {END};
	struct conv_log l;
	const char *wait;

	(void)state;
	fresh("fay", ENV_SMS);
	assert_int_not_equal(env_login("sls-sms-novoice", "fay", none, &lg), PAM_SUCCESS);
	assert_int_equal(env_sent("sms.log"), 1);

	assert_int_not_equal(env_login_at("sls-sms-novoice", "+30", "fay", "resend", &l),
			     PAM_SUCCESS);
	assert_int_equal(l.nprompts, 2);
	assert_string_equal(l.prompts[0],
			    "An SMS code was sent to ******4567 and is still valid.\n" ASK);
	/* 90, less the real seconds between the two logins (many under valgrind) */
	wait = strstr(l.prompts[1], "A new code can be sent in ");
	assert_non_null(wait);
	assert_in_range(strtoul(wait + strlen("A new code can be sent in "), NULL, 10), 70, 90);
	assert_non_null(strstr(wait, " seconds.\n"));
	assert_int_equal(env_sent("sms.log"), 1);

	assert_int_equal(env_login_at("sls-sms-novoice", "+180", "fay", "resend,sms", &l),
			 PAM_SUCCESS);
	assert_string_equal(l.prompts[1], "A new SMS code was sent to ******4567.\n" ASK);
	assert_int_equal(env_sent("sms.log"), 2);

	/* a code left pending at +7 min is stale by +13 min: a new one is sent */
	assert_int_not_equal(env_login_at("sls-sms-novoice", "+420", "fay", "", &l), PAM_SUCCESS);
	assert_int_equal(env_sent("sms.log"), 3);
	assert_int_equal(env_login_at("sls-sms-novoice", "+780", "fay", "sms", &l), PAM_SUCCESS);
	assert_string_equal(l.prompts[0], SENT_TO ASK);
	assert_int_equal(env_sent("sms.log"), 4);
}

/* ---- senders that fail --------------------------------------------------------------------- */

/* Each broken sender: no prompt, not counted, PAM_AUTHINFO_UNAVAIL, and no code left pending. */
static void test_sender_failures(void **state)
{
	static const char *const services[] = {"sls-sms-fail", "sls-sms-missing", "sls-sms-noexec",
					       "sls-sms-open", "sls-sms-nospool"};
	struct sls_state st;

	(void)state;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		fresh("sid", ENV_SMS);
		assert_int_equal(env_login(services[i], "sid", NULL, &lg), PAM_AUTHINFO_UNAVAIL);
		assert_int_equal(lg.nprompts, 0);
		assert_true(env_said(&lg, "The SMS could not be sent; try another device or ask an "
					  "administrator."));
		assert_true(env_state("sid", &st));
		assert_int_equal(st.nfailures, 0);
		assert_false(st.sms.pending);
		/* it may have gone out after all: a new one only after min_interval */
		assert_int_equal(env_login(services[i], "sid", NULL, &lg), PAM_AUTHINFO_UNAVAIL);
		assert_true(env_said(&lg, "A new code can be sent in "));
	}
	assert_int_equal(env_sent("sms.log"),
			 0); /* the non-executable and the open one never ran */
}

static void test_sender_hangs(void **state)
{
	struct timespec t0;

	(void)state;
	fresh("sid", ENV_SMS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(env_login("sls-sms-hang", "sid", NULL, &lg), PAM_AUTHINFO_UNAVAIL);
	/* timeout = 1s: killed, and the answer within timeout + 1 s */
	assert_true(seconds_since(&t0) < 2.0);
	assert_true(seconds_since(&t0) >= 0.9);
	assert_int_equal(env_failures("sid"), 0);
}

/* A broken sender with another device: that one is asked next, in the same login. */
static void test_sender_failure_offers_another_device(void **state)
{
	const struct answer a[] = {T("2"), A(ANS_OCRA), END};

	(void)state;
	fresh("mia", ENV_IBKEY | ENV_SMS);
	assert_int_equal(env_login("sls-sms-fail", "mia", a, &lg), PAM_SUCCESS);
	assert_true(env_said(&lg, "The SMS could not be sent"));
	assert_int_equal(lg.nprompts, 2);
	assert_memory_equal(lg.prompts[1], "Challenge: ", 11);
	assert_int_equal(env_failures("mia"), 0);
}

/* ---- the smstools spool ---------------------------------------------------------------------- */

static int spool_files(char names[][64], int max)
{
	char dir[PATH_MAX + 32];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/spool/outgoing", env_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && n < max)
			snprintf(names[n++], 64, "%.63s", e->d_name);
	closedir(d);
	return n;
}

static void test_spool_file(void **state)
{
	const struct answer none[] = {END};
	char names[4][64], path[PATH_MAX + 128], want[256], code[8];
	struct answer a[] = {T(code), END};
	struct stat st;
	char *text;

	(void)state;
	fresh("sid", ENV_SMS);
	assert_int_not_equal(env_login("sls-sms-spool", "sid", none, &lg), PAM_SUCCESS);
	assert_int_equal(spool_files(names, 4), 1);
	assert_memory_equal(names[0], "sls_", 4);
	snprintf(path, sizeof(path), "%s/spool/outgoing/%s", env_dir(), names[0]);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	text = test_slurp(path);
	assert_non_null(strstr(text, "is "));
	memcpy(code, strstr(text, "is ") + 3, 6);
	code[6] = '\0';
	snprintf(want, sizeof(want),
		 "To: 491721234567\nAlphabet: UTF-8\n\nYour login code is %s. It is valid for 5 "
		 "minutes. Never tell it anyone.",
		 code);
	assert_string_equal(text, want);
	free(text);
	/* nothing left in the directory above (where the file was written first) */
	snprintf(path, sizeof(path), "%s/spool", env_dir());
	{
		DIR *d = opendir(path);
		struct dirent *e;
		int n = 0;

		assert_non_null(d);
		while ((e = readdir(d)) != NULL)
			n += e->d_name[0] != '.' || strncmp(e->d_name, ".sls", 4) == 0;
		closedir(d);
		assert_int_equal(n, 1); /* outgoing */
	}
	assert_int_equal(env_login("sls-sms-spool", "sid", a, &lg), PAM_SUCCESS);
	snprintf(path, sizeof(path), "%s/spool/outgoing/%s", env_dir(), names[0]);
	assert_int_equal(unlink(path), 0);
}

/* ---- two logins at once ------------------------------------------------------------------------
 */

static bool wait_file(const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", env_dir(), name);
	for (int i = 0; i < 500; i++) {
		if (access(path, F_OK) == 0)
			return true;
		usleep(20000);
	}
	return false;
}

/* One code is sent; both logins may use it; the first to answer wins, the other is refused. */
static void test_concurrent_logins(void **state)
{
	static const char *const tags[2] = {"one", "two"};
	pid_t pids[2];
	int rv[2], status;

	(void)state;
	fresh("cat", ENV_SMS);
	for (int i = 0; i < 2; i++) {
		const struct answer a[] = {{ANS_SMS_SYNC, tags[i]}, END};

		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(env_login_direct("sls-sms", "cat", a));
	}
	assert_true(wait_file("one.asked"));
	assert_true(wait_file("two.asked"));
	assert_int_equal(env_sent("sms.log"), 1);
	env_write("one.go", "", 0600);
	env_write("two.go", "", 0600);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		rv[i] = WEXITSTATUS(status);
	}
	assert_true((rv[0] == PAM_SUCCESS && rv[1] == PAM_AUTH_ERR) ||
		    (rv[1] == PAM_SUCCESS && rv[0] == PAM_AUTH_ERR));
	assert_int_equal(env_sent("sms.log"), 1);
}

/* ---- the journal ----------------------------------------------------------------------------- */

static int journal_child(void)
{
	const struct answer voice[] = {T("voice"), A(ANS_VOICE), END};
	char all[32768], code[16];
	int fd = env_journal_open();

	if (fd < 0)
		return 10;
	fresh("jon", ENV_SMS);
	if (env_login("sls-sms", "jon", voice, &lg) != PAM_SUCCESS ||
	    !env_last_code("sms.log", code, sizeof(code)))
		return 11;
	env_user("joe", ENV_SMS);
	if (env_login("sls-sms-fail", "joe", NULL, &lg) != PAM_AUTHINFO_UNAVAIL)
		return 12;
	env_journal_read(fd, all, sizeof(all));
	static const char *const want[] = {
	    "MESSAGE_ID=5b0c6b7e2f8a4d33a1e9c40f7d2b6a91", /* sent */
	    "MESSAGE_ID=9e2a5d17c3b84f06a6d2e81b4c3f5a70", /* voice call */
	    "MESSAGE_ID=c7d41e9a0b2f4c6e8d35f1a2b9e07c64", /* failed */
	    "SLS_DEVICE=mobile\n",
	    "to ******4567",
	    "gateway says no to ############",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(all, want[i]) == NULL) {
			fprintf(stderr, "journal lacks %s in:\n%s\n", want[i], all);
			return 13;
		}
	if (strstr(all, code) != NULL || strstr(all, "1721234567") != NULL)
		return 14; /* the code or the number reached the log */
	return 0;
}

static void test_journal(void **state)
{
	(void)state;
	assert_int_equal(env_in_child(journal_child), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sms_login),
	    cmocka_unit_test(test_pending_code_reused),
	    cmocka_unit_test(test_wrong_codes_counted),
	    cmocka_unit_test(test_sent_only_when_chosen),
	    cmocka_unit_test(test_unverified_phone),
	    cmocka_unit_test(test_resend),
	    cmocka_unit_test(test_resend_ten_times),
	    cmocka_unit_test(test_voice),
	    cmocka_unit_test(test_voice_not_configured),
	    cmocka_unit_test(test_voice_rate_limit_and_failure),
	    cmocka_unit_test(test_new_login_too_soon),
	    cmocka_unit_test(test_code_after_validity),
	    cmocka_unit_test(test_rate_limit_and_validity_faked),
	    cmocka_unit_test(test_sender_failures),
	    cmocka_unit_test(test_sender_hangs),
	    cmocka_unit_test(test_sender_failure_offers_another_device),
	    cmocka_unit_test(test_spool_file),
	    cmocka_unit_test(test_concurrent_logins),
	    cmocka_unit_test(test_journal),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("sms devices through libpam", tests, NULL, NULL);
}
