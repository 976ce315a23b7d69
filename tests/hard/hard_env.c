/* Helpers of the hardening tests (see hard_env.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hard_env.h"

/* env_user's ibkey device "laptop": its key (pamtest_env.c) and PIN. */
static const uint8_t ibkey_key[32] = "12345678901234567890123456789012";

/* The module under test; SLS_TEST_MODULE runs the tests against another build of it. */
static const char *module_path(void)
{
	const char *m = getenv("SLS_TEST_MODULE");

	return m != NULL && m[0] == '/' ? m : MODULE_PATH;
}

void hard_service(const char *name, const char *extra)
{
	char text[4 * PATH_MAX], rel[PATH_MAX];

	snprintf(text, sizeof(text), "[store]\ndir = %s/store\n%s", env_dir(), extra);
	snprintf(rel, sizeof(rel), "%s.conf", name);
	env_write(rel, text, 0644);
	snprintf(text, sizeof(text),
		 "auth required %s conf=%s/%s.conf\naccount required %s conf=%s/%s.conf\n",
		 module_path(), env_dir(), name, module_path(), env_dir(), name);
	snprintf(rel, sizeof(rel), "svc/%s", name);
	env_write(rel, text, 0644);
}

void hard_ocra_answer(const char *prompt, char *out, size_t size)
{
	const char *c = strstr(prompt, "Challenge: ");
	struct sls_ocra_suite suite;
	char q[7];
	struct sls_ocra_input in = {.question = q, .pin = ENV_PIN};

	snprintf(out, size, "no-challenge");
	if (c == NULL || strlen(c) < 17 ||
	    sls_ocra_suite_parse(SLS_OCRA_DEFAULT_SUITE, &suite, NULL) != SLS_OK)
		return;
	memcpy(q, c + 11, 6);
	q[6] = '\0';
	if (sls_ocra_compute(&suite, ibkey_key, sizeof(ibkey_key), &in, out, size) != SLS_OK)
		snprintf(out, size, "no-response");
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct hard_conv *c = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	char buf[64];

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		c->prompts++;
		if (c->on_prompt != NULL)
			c->on_prompt(c->arg);
		if (c->right)
			hard_ocra_answer(msg[i]->msg, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "00000000");
		r[i].resp = strdup(buf);
	}
	*resp = r;
	return PAM_SUCCESS;
}

int hard_pam_start(const char *service, const char *user, struct hard_conv *c, pam_handle_t **pamh)
{
	struct pam_conv pc = {conv, c};
	char confdir[PATH_MAX];

	snprintf(confdir, sizeof(confdir), "%s/svc", env_dir());
	*pamh = NULL;
	return pam_start_confdir(service, user, &pc, confdir, pamh);
}

int hard_login(const char *service, const char *user, bool right)
{
	struct hard_conv c = {.right = right};
	pam_handle_t *pamh;
	int rv;

	if (hard_pam_start(service, user, &c, &pamh) != PAM_SUCCESS)
		return -1;
	rv = pam_authenticate(pamh, 0);
	pam_end(pamh, rv);
	return rv;
}

void hard_path(const char *sub, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/store%s%s%s%s", env_dir(), sub ? "/" : "", sub ? sub : "",
		 name ? "/" : "", name ? name : "");
}

int hard_store_open(struct sls_store *store)
{
	char path[PATH_MAX];

	hard_path(NULL, NULL, path, sizeof(path));
	return (int)sls_store_open(path, geteuid(), false, store);
}

static int with_store(const char *name, struct sls_user *user, struct sls_state *state)
{
	struct sls_store store;
	struct sls_diag diag = {0};
	enum sls_rc rc;

	rc = (enum sls_rc)hard_store_open(&store);
	if (rc != SLS_OK)
		return (int)rc;
	if (user != NULL)
		rc = sls_userdb_load_user(&store, name, geteuid(), user, &diag);
	else
		rc = sls_userdb_load_state(&store, name, geteuid(), state, &diag);
	if (rc != SLS_OK)
		fprintf(stderr, "%s of %s: %s (line %d: %s)\n", user ? "users" : "state", name,
			sls_strerror(rc), diag.line, diag.msg);
	sls_store_close(&store);
	return (int)rc;
}

int hard_load_user(const char *name, struct sls_user *user)
{
	return with_store(name, user, NULL);
}

int hard_load_state(const char *name, struct sls_state *state)
{
	return with_store(name, NULL, state);
}

struct sls_user *hard_user_of(const char *name)
{
	struct sls_user *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	assert_int_equal(hard_load_user(name, u), SLS_OK);
	return u;
}

struct sls_state *hard_state_of(const char *name)
{
	struct sls_state *st = calloc(1, sizeof(*st));

	assert_non_null(st);
	assert_int_equal(hard_load_state(name, st), SLS_OK);
	return st;
}

char *hard_slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	struct stat st;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) != NULL)
		n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (buf == NULL || n != st.st_size) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

int hard_temp_files(const char *sub)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	hard_path(sub, NULL, path, sizeof(path));
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		     strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

int64_t hard_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void hard_wait_until(int64_t deadline)
{
	int64_t left = deadline - hard_now_ns();

	/* nanosleep oversleeps by its timer slack (50 us): spin the last 200 us */
	if (left > 200000) {
		struct timespec ts = {.tv_sec = (left - 200000) / 1000000000,
				      .tv_nsec = (left - 200000) % 1000000000};

		nanosleep(&ts, NULL);
	}
	while (hard_now_ns() < deadline)
		;
}

unsigned long hard_env_ulong(const char *name, unsigned long def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoul(v, &end, 10);
	return errno == 0 && *end == '\0' ? n : def;
}

static uint64_t rng_state;

uint64_t hard_test_seed(void)
{
	static bool chosen;
	static uint64_t seed;
	const char *s = getenv("SLS_TEST_SEED");

	if (!chosen) {
		if (s != NULL && *s != '\0')
			seed = strtoull(s, NULL, 10);
		else
			seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		chosen = true;
	}
	return seed;
}

void hard_rand_stream(const char *what)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a of what: a stream per caller */

	for (const char *p = what; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	rng_state = hard_test_seed() ^ h;
}

void hard_seed(const char *what)
{
	unsigned long long seed = hard_test_seed();

	hard_rand_stream(what);
	printf("# %s: seed %llu (replay with SLS_TEST_SEED=%llu)\n", what, seed, seed);
	fflush(stdout);
}

/* splitmix64 */
uint64_t hard_rand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t hard_rand_range(int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(hard_rand() % (uint64_t)(hi - lo + 1));
}
