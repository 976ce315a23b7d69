/*
 * pam_sls benchmark driver: one login per process, as sudo, su and login do
 * it (pam_start_confdir, pam_authenticate, pam_end), against a private PAM
 * configuration directory. Built twice:
 *
 *   pam_login      a bare host: links libpam only, nothing else preloaded
 *   pam_login_ssl  an sshd-like host: loads and initialises OpenSSL 3 before
 *                  pam_start the way sshd has by the time it authenticates
 *                  (openssl.cnf read, the DRBG seeded, SHA-256 digests done)
 *
 * Usage: pam_login [-l] [-a] [-u UID] [-t TTY] [-r RHOST] CONFDIR SERVICE USER
 * -l: setlocale(LC_ALL, "") first, as sudo, su and login do (sshd does not):
 * the tests of translated prompts use it. -a: pam_acct_mgmt after a
 * successful pam_authenticate. -t, -r: PAM_TTY and PAM_RHOST, as sshd sets
 * them (the journal tests). -u: become UID (its passwd group, no others)
 * before pam_start, as a screen locker runs as its user: pam_sls then
 * relays the login to slsd.
 * Each prompt is written to stdout as "P <text>\n" (newlines in the text as
 * 0x1f) and answered by one line read from stdin; info and error messages
 * are written as "I <text>\n". Exit status 0 only for PAM_SUCCESS. Last, the
 * process's peak resident set (VmHWM) goes to stderr as "vmhwm-kb N": the
 * rusage of a child spawned by a large parent would show the parent's.
 */
#include "config.h"

#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#ifdef BENCH_HOST_SSL
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* What sshd has done with libcrypto before it calls pam_start. */
static int host_openssl_init(void)
{
	unsigned char buf[32], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		return -1;
	if (RAND_status() != 1 || RAND_bytes(buf, sizeof(buf)) != 1)
		return -1;
	if (EVP_Digest(buf, sizeof(buf), md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	if (EVP_Digest(buf, sizeof(buf), md, &mdlen, EVP_sha1(), NULL) != 1)
		return -1;
	return 0;
}
#endif

static void print_vmhwm(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		long kb;

		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			fprintf(stderr, "vmhwm-kb %ld\n", kb);
	}
	fclose(f);
}

static void put_escaped(const char *tag, const char *msg)
{
	fputs(tag, stdout);
	for (const char *p = msg != NULL ? msg : ""; *p != '\0'; p++)
		putchar(*p == '\n' ? 0x1f : *p);
	putchar('\n');
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r;
	char line[4096];

	(void)data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		int style = msg[i]->msg_style;

		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON) {
			put_escaped("I ", msg[i]->msg);
			continue;
		}
		put_escaped("P ", msg[i]->msg);
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			goto fail;
		line[strcspn(line, "\n")] = '\0';
		r[i].resp = strdup(line);
		if (r[i].resp == NULL)
			goto fail;
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

/* -u: drop root for uid, with its passwd group and no other. */
static int become(const char *arg)
{
	char *end;
	unsigned long uid = strtoul(arg, &end, 10);
	struct passwd *pw;

	if (*arg == '\0' || *end != '\0' || (pw = getpwuid((uid_t)uid)) == NULL)
		return -1;
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct pam_conv pc = {conv, NULL};
	pam_handle_t *pamh = NULL;
	int rc;

	const char *tty = NULL, *rhost = NULL, *uid = NULL;
	bool account = false;
	int c;

	while ((c = getopt(argc, argv, "+lau:t:r:")) != -1) {
		if (c == 'l')
			setlocale(LC_ALL, "");
		else if (c == 'a')
			account = true;
		else if (c == 'u')
			uid = optarg;
		else if (c == 't')
			tty = optarg;
		else if (c == 'r')
			rhost = optarg;
		else
			return 2;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 4) {
		fprintf(stderr,
			"usage: pam_login [-l] [-a] [-u UID] [-t TTY] [-r RHOST] CONFDIR SERVICE "
			"USER\n");
		return 2;
	}
	if (uid != NULL && become(uid) != 0) {
		fprintf(stderr, "pam_login: cannot become uid %s\n", uid);
		return 2;
	}
#ifdef BENCH_HOST_SSL
	if (host_openssl_init() != 0) {
		fprintf(stderr, "OpenSSL initialisation failed\n");
		return 2;
	}
#endif
	rc = pam_start_confdir(argv[2], argv[3], &pc, argv[1], &pamh);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pam_start: %s\n", pam_strerror(pamh, rc));
		return 2;
	}
	if ((tty != NULL && pam_set_item(pamh, PAM_TTY, tty) != PAM_SUCCESS) ||
	    (rhost != NULL && pam_set_item(pamh, PAM_RHOST, rhost) != PAM_SUCCESS))
		return 2;
	rc = pam_authenticate(pamh, 0);
	if (rc != PAM_SUCCESS)
		fprintf(stderr, "pam_authenticate: %s\n", pam_strerror(pamh, rc));
	if (rc == PAM_SUCCESS && account) {
		rc = pam_acct_mgmt(pamh, 0);
		if (rc != PAM_SUCCESS)
			fprintf(stderr, "pam_acct_mgmt: %s\n", pam_strerror(pamh, rc));
	}
	pam_end(pamh, rc);
	print_vmhwm();
	return rc == PAM_SUCCESS ? 0 : 1;
}
