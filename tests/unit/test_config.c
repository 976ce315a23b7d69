/* Tests of the sls.conf parser. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sls.h"
#include "helpers.h"

static void test_defaults(void **state)
{
	struct sls_config c;

	(void)state;
	sls_config_defaults(&c);
	assert_string_equal(c.store_dir, "/var/lib/sls");
	assert_int_equal(c.deny, 10);
	assert_int_equal(c.window, 86400);
	assert_int_equal(c.unlock_time, 86400);
	assert_int_equal(c.challenge_timeout, 180);
	assert_false(c.challenge_qr);
	assert_false(c.enroll_at_login);
	assert_false(c.nullok);
	assert_string_equal(c.sms_command, "");
	assert_int_equal(c.sms_min_interval, 120);
	assert_int_equal(c.sms_validity, 300);
	assert_int_equal(c.sms_timeout, 10);
	assert_int_equal(c.optout, SLS_OPTOUT_FORBIDDEN);
	assert_string_equal(c.mandatory_groups, "");
	assert_int_equal(c.tempcode_full_days, 2);
	assert_int_equal(c.tempcode_card_days, 10);
	assert_int_equal(c.card_online_days, 21);
	assert_int_equal(c.card_printed_days, 0);
	assert_int_equal(c.enroll_grace_until, 0);
	assert_string_equal(c.enroll_at_login_type, "ibkey");
	assert_string_equal(c.share_pam_service, "sls");
}

static const char full_conf[] = "; a comment\n"
				"# another\n"
				"[store]\n"
				"dir = /srv/sls\n"
				"[lockout]\n"
				"deny = 5\n"
				"window = 15m\n"
				"unlock_time = 2h\n"
				"[login]\n"
				"challenge_timeout = 90s\n"
				"challenge_qr = yes\n"
				"enroll_at_login = yes\n"
				"enroll_grace_until = 2028-02-29\n"
				"enroll_at_login_type = totp\n"
				"nullok = no\n"
				"[sms]\n"
				"command = /usr/local/bin/send-sms\n"
				"spool = /var/spool/sms/outgoing\n"
				"voice_command =\n"
				"min_interval = 60\n"
				"validity = 10m\n"
				"timeout = 5m\n"
				"[policy]\n"
				"optout = allowed\n"
				"mandatory_groups = traders,admins\n"
				"[tempcode]\n"
				"full_days = 3\n"
				"card_days = 0\n"
				"[card]\n"
				"online_days = 30\n"
				"printed_days = 365\n"
				"[share]\n"
				"pam_service = sls-share\n";

static void test_full_file(void **state)
{
	struct sls_config c;
	struct sls_diag d = {0};

	(void)state;
	sls_config_defaults(&c);
	assert_int_equal(sls_config_parse(full_conf, &c, &d), SLS_OK);
	assert_string_equal(c.store_dir, "/srv/sls");
	assert_int_equal(c.deny, 5);
	assert_int_equal(c.window, 900);
	assert_int_equal(c.unlock_time, 7200);
	assert_int_equal(c.challenge_timeout, 90);
	assert_true(c.challenge_qr);
	assert_true(c.enroll_at_login);
	assert_int_equal(c.enroll_grace_until, 20280229);
	assert_string_equal(c.enroll_at_login_type, "totp");
	assert_string_equal(c.sms_command, "/usr/local/bin/send-sms");
	assert_string_equal(c.sms_spool, "/var/spool/sms/outgoing");
	assert_string_equal(c.voice_command, "");
	assert_int_equal(c.sms_min_interval, 60);
	assert_int_equal(c.sms_validity, 600);
	assert_int_equal(c.sms_timeout, 300);
	assert_int_equal(c.optout, SLS_OPTOUT_ALLOWED);
	assert_string_equal(c.mandatory_groups, "traders,admins");
	assert_int_equal(c.tempcode_full_days, 3);
	assert_int_equal(c.tempcode_card_days, 0);
	assert_int_equal(c.card_online_days, 30);
	assert_int_equal(c.card_printed_days, 365);
	assert_string_equal(c.share_pam_service, "sls-share");
}

struct bad_conf {
	const char *text;
	int line;
	const char *msg;
};

static const struct bad_conf bad_confs[] = {
    {"[storage]\ndir = /x\n", 1, "unknown section"},
    {"dir = /x\n", 1, "key outside a section"},
    {"[store]\ndirectory = /x\n", 2, "unknown key in section [store]"},
    {"[store]\ndir = relative/path\n", 2, "[store] dir has an invalid value"},
    {"[store]\ndir = /a/../b\n", 2, "[store] dir has an invalid value"},
    {"[store]\ndir = /x\ndir = /y\n", 3, "[store] dir is set twice"},
    {"[lockout]\ndeny = 0\n", 2, "[lockout] deny has an invalid value"},
    {"[lockout]\ndeny = 101\n", 2, "[lockout] deny has an invalid value"},
    {"[lockout]\ndeny = -1\n", 2, "[lockout] deny has an invalid value"},
    {"[lockout]\ndeny = 10x\n", 2, "[lockout] deny has an invalid value"},
    {"[lockout]\nwindow = 24y\n", 2, "[lockout] window has an invalid value"},
    {"[lockout]\nwindow = 0\n", 2, "[lockout] window has an invalid value"},
    {"[lockout]\nwindow = 367d\n", 2, "[lockout] window has an invalid value"},
    {"[lockout]\nwindow = h\n", 2, "[lockout] window has an invalid value"},
    {"[login]\nnullok = maybe\n", 2, "[login] nullok has an invalid value"},
    {"[login]\nchallenge_qr = maybe\n", 2, "[login] challenge_qr has an invalid value"},
    {"[login]\nchallenge_qr =\n", 2, "[login] challenge_qr has an invalid value"},
    {"[login]\nchallenge_qr = no\nchallenge_qr = yes\n", 3, "[login] challenge_qr is set twice"},
    {"[policy]\noptout = sometimes\n", 2, "[policy] optout has an invalid value"},
    {"[policy]\nmandatory_groups = a,,b\n", 2, "[policy] mandatory_groups has an invalid value"},
    {"[policy]\nmandatory_groups = a,\n", 2, "[policy] mandatory_groups has an invalid value"},
    {"[sms]\ncommand = sendsms\n", 2, "[sms] command has an invalid value"},
    {"[sms]\ntimeout = 0\n", 2, "[sms] timeout has an invalid value"},
    {"[sms]\ntimeout = 301\n", 2, "[sms] timeout has an invalid value"},
    {"[sms]\nvalidity = 0\n", 2, "[sms] validity has an invalid value"},
    {"[sms]\nspool = outgoing\n", 2, "[sms] spool has an invalid value"},
    {"[login]\n  continuation\n", 2, NULL},
    {"[login]\nno equals sign\n", 2, NULL},
    {"[login\n", 1, NULL},
    {"[tempcode]\nfull_days = 400\n", 2, "[tempcode] full_days has an invalid value"},
    {"[card]\nprinted_days = 0\n", 2, "[card] printed_days has an invalid value"},
    {"[card]\nonline_days = 0\n", 2, "[card] online_days has an invalid value"},
    {"[login]\nenroll_grace_until = 2027-02-29\n", 2,
     "[login] enroll_grace_until has an invalid value"},
    {"[login]\nenroll_grace_until = 2027-3-31\n", 2,
     "[login] enroll_grace_until has an invalid value"},
    {"[login]\nenroll_grace_until = 31.03.2027\n", 2,
     "[login] enroll_grace_until has an invalid value"},
    {"[login]\nenroll_grace_until = 2100-02-29\n", 2,
     "[login] enroll_grace_until has an invalid value"},
    {"[login]\nenroll_at_login_type = dsc\n", 2,
     "[login] enroll_at_login_type has an invalid value"},
    {"[card]\nprinted_days = 367\n", 2, "[card] printed_days has an invalid value"},
    {"[login]\nchallenge_timeout = 60\n  60\n", 3, "[login] challenge_timeout is set twice"},
    {"[share]\npam_service =\n", 2, "[share] pam_service has an invalid value"},
    {"[share]\npam_service = ../passwd\n", 2, "[share] pam_service has an invalid value"},
    {"[share]\npam_service = pam.d/sls\n", 2, "[share] pam_service has an invalid value"},
    {"[share]\npam_service = s l s\n", 2, "[share] pam_service has an invalid value"},
    {"[store]\nfailmode = maybe\n", 2, "[store] failmode has an invalid value"},
    {"[store]\nfailmode = Open\n", 2, "[store] failmode has an invalid value"},
    {"[store]\nfailmode = open\n", 0, "[store] failmode = open needs failmode_open_services"},
    {"[store]\nfailmode = open\nfailmode_open_services =\n", 0,
     "[store] failmode = open needs failmode_open_services"},
    {"[store]\nfailmode_open_services = sudo, login\n", 2,
     "[store] failmode_open_services has an invalid value"},
    {"[store]\nfailmode_open_services = ../sshd\n", 2,
     "[store] failmode_open_services has an invalid value"},
};

static void test_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_confs) / sizeof(bad_confs[0]); i++) {
		struct sls_config c, defaults;
		struct sls_diag d = {0};

		sls_config_defaults(&c);
		c.deny = 3; /* must be reset to the defaults on error */
		sls_config_defaults(&defaults);
		assert_int_equal(sls_config_parse(bad_confs[i].text, &c, &d), SLS_ERR_FORMAT);
		if (d.line != bad_confs[i].line)
			print_message("# case %zu: line %d (%s)\n", i, d.line, d.msg);
		assert_int_equal(d.line, bad_confs[i].line);
		if (bad_confs[i].msg != NULL)
			assert_string_equal(d.msg, bad_confs[i].msg);
		else
			assert_true(d.msg[0] != '\0');
		assert_memory_equal(&c, &defaults, sizeof(c));
	}
}

/* failmode: closed by default; open only for the services it lists, by their whole names. */
static void test_failmode(void **state)
{
	struct sls_config c;
	struct sls_diag d = {0};

	(void)state;
	sls_config_defaults(&c);
	assert_int_equal(c.failmode, SLS_FAILMODE_CLOSED);
	assert_false(sls_policy_fails_open(&c, "sudo"));
	assert_int_equal(sls_config_parse("[store]\nfailmode_open_services = sudo\n", &c, &d),
			 SLS_OK);
	assert_false(sls_policy_fails_open(&c, "sudo")); /* listed, but failmode is closed */
	sls_config_defaults(&c);
	assert_int_equal(sls_config_parse("[store]\nfailmode = open\n"
					  "failmode_open_services = sudo,login\n",
					  &c, &d),
			 SLS_OK);
	assert_int_equal(c.failmode, SLS_FAILMODE_OPEN);
	assert_true(sls_policy_fails_open(&c, "sudo"));
	assert_true(sls_policy_fails_open(&c, "login"));
	assert_false(sls_policy_fails_open(&c, "sshd"));
	assert_false(sls_policy_fails_open(&c, "sud"));
	assert_false(sls_policy_fails_open(&c, "sudo-i"));
	assert_false(sls_policy_fails_open(&c, "sudo,login"));
	assert_false(sls_policy_fails_open(&c, ""));
	assert_false(sls_policy_fails_open(&c, NULL));
	sls_config_defaults(&c);
	assert_int_equal(sls_config_parse("[store]\nfailmode = closed\n", &c, &d), SLS_OK);
	assert_int_equal(c.failmode, SLS_FAILMODE_CLOSED);
}

static void test_long_line(void **state)
{
	char text[400];
	struct sls_config c;
	struct sls_diag d = {0};

	(void)state;
	snprintf(text, sizeof(text), "[store]\ndir = /%0250d\n", 0);
	sls_config_defaults(&c);
	assert_int_equal(sls_config_parse(text, &c, &d), SLS_ERR_FORMAT);
	assert_int_equal(d.line, 2);
	assert_true(d.msg[0] != '\0');
}

static void test_durations(void **state)
{
	unsigned s = 0;

	(void)state;
	assert_int_equal(sls_parse_duration("90", &s), SLS_OK);
	assert_int_equal(s, 90);
	assert_int_equal(sls_parse_duration("90s", &s), SLS_OK);
	assert_int_equal(s, 90);
	assert_int_equal(sls_parse_duration("15m", &s), SLS_OK);
	assert_int_equal(s, 900);
	assert_int_equal(sls_parse_duration("24h", &s), SLS_OK);
	assert_int_equal(s, 86400);
	assert_int_equal(sls_parse_duration("366d", &s), SLS_OK);
	assert_int_equal(s, 366u * 86400);
	assert_int_equal(sls_parse_duration("367d", &s), SLS_ERR_INVAL);
	assert_int_equal(sls_parse_duration("", &s), SLS_ERR_INVAL);
	assert_int_equal(sls_parse_duration("s", &s), SLS_ERR_INVAL);
	assert_int_equal(sls_parse_duration("1 h", &s), SLS_ERR_INVAL);
	assert_int_equal(sls_parse_duration("+5", &s), SLS_ERR_INVAL);
	assert_int_equal(sls_parse_duration("99999999999999", &s), SLS_ERR_INVAL);
}

/* Shown as sls.conf writes it, in the largest whole unit; parsed back to the same. */
static void test_format_durations(void **state)
{
	static const struct {
		unsigned secs;
		const char *text;
	} cases[] = {
	    {1, "1s"},      {90, "90s"},    {900, "15m"},   {5400, "90m"},   {3600, "1h"},
	    {86400, "24h"}, {90000, "25h"}, {172800, "2d"}, {176400, "49h"}, {366u * 86400, "366d"},
	    {61, "61s"}};
	char buf[16];
	unsigned back = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sls_format_duration(cases[i].secs, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(sls_parse_duration(buf, &back), SLS_OK);
		assert_int_equal(back, cases[i].secs);
	}
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_load(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], link[PATH_MAX + 16];
	struct sls_config c;
	struct sls_diag d = {0};

	(void)state;
	test_sandbox("sls-config", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/sls.conf", dir);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	write_file(path, "[lockout]\ndeny = 4\n", 0644);
	assert_int_equal(sls_config_load(path, geteuid(), &c, &d), SLS_OK);
	assert_int_equal(c.deny, 4);
	/* group-writable: refused, defaults kept */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(sls_config_load(path, geteuid(), &c, &d), SLS_ERR_UNSAFE);
	assert_int_equal(c.deny, 10);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(sls_config_load(link, geteuid(), &c, &d), SLS_ERR_UNSAFE);
	/* a directory on the way that others may write to: refused (its parent here) */
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(sls_config_load(path, geteuid(), &c, &d), SLS_ERR_UNSAFE);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(sls_config_load(path, geteuid(), &c, &d), SLS_OK);
	assert_int_equal(sls_config_load("/nonexistent-dir/sls.conf", geteuid(), &c, &d),
			 SLS_ERR_NOENT);
	assert_int_equal(sls_config_load("relative.conf", geteuid(), &c, &d), SLS_ERR_INVAL);
	write_file(path, "[lockout]\ndeny = x\n", 0644);
	assert_int_equal(sls_config_load(path, geteuid(), &c, &d), SLS_ERR_FORMAT);
	assert_int_equal(d.line, 2);
	unlink(link);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),   cmocka_unit_test(test_full_file),
	    cmocka_unit_test(test_rejections), cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_durations),  cmocka_unit_test(test_format_durations),
	    cmocka_unit_test(test_load),       cmocka_unit_test(test_failmode),
	};

	return cmocka_run_group_tests_name("common: sls.conf", tests, NULL, NULL);
}
