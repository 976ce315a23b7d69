/*
 * Crash safety (issue 16): a writer killed with SIGKILL at random points
 * while it updates a user's enrolment or state leaves every file whole: it
 * parses with the project's own loaders and is the old or the new version;
 * a temp file (".NAME#new", common/file.c) the kill left is gone after the
 * next write of that file (doc/design.md, "Writes, locks and transactions").
 *
 * Three writers, each killed SLS_CRASH_POINTS times (default 1000):
 *  - the module: a child logging in with a wrong or a right answer (the
 *    failure before the prompt, the success after it), killed at a random
 *    point of pam_authenticate, spread over a login's measured length;
 *  - sls: `sls identity` (a file alternating between two exact versions)
 *    and `sls revoke` (one exact before and after), killed likewise;
 *  - the transaction API: a child committing versions A and B of an
 *    enrolment and a state in turn: every file must be A or B, byte for byte.
 *
 * The kill points come from a PRNG seeded from the clock (printed; set
 * SLS_TEST_SEED to replay). Each writer stops early when its time is up: a
 * third of SLS_TEST_SECONDS, or DEFAULT_SECONDS in make check (writes are
 * fsync'ed: on a slow disk a login takes tens of milliseconds).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hard_env.h"

#define CALIBRATION_RUNS 9
#define RESET_AT         60 /* failures at which the module writer's user is cleared */
#define DEFAULT_SECONDS  5  /* the most a writer's kills take in make check */
#define MIN_POINTS       20 /* the kill points every writer gets, whatever the time */

/* What a module child saw (shared memory), for the calibration. */
struct child_times {
	int64_t t_go, t_prompt, t_done;
	int rv;
};

static struct child_times *shm;

/* What the kills did, for the TAP comment. */
struct tally {
	unsigned kills;     /* the writer was killed (it had not exited yet) */
	unsigned late;      /* it had exited already: a whole run, not a kill point */
	unsigned same;      /* the file afterwards was the old version */
	unsigned changed;   /* the new version */
	unsigned mid_write; /* a temp file was left: the kill came inside a write */
};

static void tally_print(const char *what, const struct tally *t, int64_t t0)
{
	printf("# %s: %u kill points (+%u runs that ended first): %u left the old file, "
	       "%u the new one, %u inside a write (a temp file left); %.1f s\n",
	       what, t->kills, t->late, t->same, t->changed, t->mid_write,
	       (double)(hard_now_ns() - t0) / 1e9);
	fflush(stdout);
}

/*
 * The kills reached the writes: some left a temp file. With 100 kill points
 * and more, none would mean the test missed what it is for.
 */
static void assert_kills_landed(const struct tally *t)
{
	assert_true(t->kills > 0);
	if (t->kills >= 100)
		assert_true(t->mid_write > 0);
}

/* ---- time ------------------------------------------------------------------------------ */

static int64_t started_at;

/*
 * Whether a writer begun at writer_start has had its time: a third of
 * SLS_TEST_SECONDS, or DEFAULT_SECONDS when that is not set (make check).
 */
static bool out_of_time(int64_t writer_start)
{
	unsigned long secs = hard_env_ulong("SLS_TEST_SECONDS", 3 * DEFAULT_SECONDS);

	return hard_now_ns() - writer_start > (int64_t)secs * 1000000000 / 3;
}

static unsigned long points(void)
{
	return hard_env_ulong("SLS_CRASH_POINTS", 1000);
}

/*
 * Whether the writer begun at t0 gets kill point i: SLS_CRASH_POINTS of
 * them within its time, and MIN_POINTS whatever the time (a slow build,
 * ASan on a loaded machine, still kills every writer inside its writes).
 */
static bool another_point(unsigned long i, int64_t t0)
{
	return i < points() && (i < MIN_POINTS || !out_of_time(t0));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_i64);
	return v[n / 2];
}

/* ---- a gated child, killed on time ---------------------------------------------------------
 */

/* The child's part: prepare, write a byte to ready, wait for a byte on gate, then run. */
typedef void (*child_fn)(void *arg, int ready, int gate);

/* In a child: say ready, wait to be told to go. */
static void ready_and_wait(int ready, int gate)
{
	char ch;

	if (write(ready, "r", 1) != 1)
		_exit(90);
	close(ready);
	while (read(gate, &ch, 1) < 0 && errno == EINTR)
		;
	close(gate);
}

/*
 * Run fn in a child; delay ns after it was told to go, SIGKILL it (delay < 0:
 * let it end). Whether it was killed (else it had exited, status in *status).
 */
static bool run_child(child_fn fn, void *arg, int64_t delay, int *status)
{
	int ready[2], gate[2];
	int64_t t0;
	pid_t pid;
	char ch;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(gate), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(gate[1]);
		fn(arg, ready[1], gate[0]);
		_exit(91);
	}
	close(ready[1]);
	close(gate[0]);
	if (read(ready[0], &ch, 1) != 1)
		ch = 0; /* it died preparing: the waitpid below says how */
	t0 = hard_now_ns();
	if (write(gate[1], "g", 1) != 1)
		ch = 0;
	close(ready[0]);
	close(gate[1]);
	if (delay >= 0) {
		hard_wait_until(t0 + delay);
		kill(pid, SIGKILL);
	}
	assert_int_equal(waitpid(pid, status, 0), pid);
	return WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL;
}

/* ---- the checks ------------------------------------------------------------------------------ */

struct file {
	char *data; /* NULL: no file */
	size_t len;
};

static void file_read(const char *sub, const char *user, struct file *f)
{
	char path[PATH_MAX];

	hard_path(sub, user, path, sizeof(path));
	f->data = hard_slurp(path, &f->len);
}

static void file_free(struct file *f)
{
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

static bool file_same(const struct file *a, const struct file *b)
{
	if (a->data == NULL || b->data == NULL)
		return a->data == b->data;
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static void user_free(struct sls_user *u)
{
	sls_user_clear(u);
	free(u);
}

/* After a kill: how many temp files, counted into t (and not more than one per directory). */
static int temps_after_kill(struct tally *t)
{
	int u = hard_temp_files("users"), s = hard_temp_files("state");

	assert_true(u >= 0 && u <= 1 && s >= 0 && s <= 1);
	t->mid_write += u + s > 0;
	return u + s;
}

/* ---- the module ------------------------------------------------------------------------------ */

struct module_run {
	const char *user;
	bool right;
};

static void at_prompt(void *arg)
{
	(void)arg;
	shm->t_prompt = hard_now_ns();
}

static void module_child(void *arg, int ready, int gate)
{
	const struct module_run *m = arg;
	struct hard_conv c = {.right = m->right, .on_prompt = at_prompt};
	pam_handle_t *pamh;
	int rv = hard_pam_start("crash", m->user, &c, &pamh);

	ready_and_wait(ready, gate);
	if (rv != PAM_SUCCESS)
		_exit(92);
	shm->t_go = hard_now_ns();
	rv = pam_authenticate(pamh, 0);
	shm->t_done = hard_now_ns();
	shm->rv = rv;
	pam_end(pamh, rv);
	_exit(0);
}

/* How long a login takes, wrong (0) and right (1): median of CALIBRATION_RUNS. */
static void module_calibrate(const char *user, int64_t len[2])
{
	int64_t v[2][CALIBRATION_RUNS];
	int status;

	for (int i = 0; i < CALIBRATION_RUNS; i++) {
		for (int right = 0; right < 2; right++) {
			struct module_run m = {user, right};

			assert_false(run_child(module_child, &m, -1, &status));
			assert_int_equal(shm->rv, right ? PAM_SUCCESS : PAM_AUTH_ERR);
			v[right][i] = shm->t_done - shm->t_go;
		}
	}
	len[0] = median(v[0], CALIBRATION_RUNS);
	len[1] = median(v[1], CALIBRATION_RUNS);
	printf("# module: a wrong login takes %.0f us, a right one %.0f us\n", (double)len[0] / 1e3,
	       (double)len[1] / 1e3);
}

/*
 * The state after a killed login (before: the file and what it held): the
 * old file, byte for byte; or the attempt's failure added to it; or, for a
 * right answer, the success (no failures, no lock, its challenge recorded).
 * Returns whether it changed.
 */
static bool module_check(const char *user, bool right, const struct file *old,
			 const struct sls_state *before)
{
	struct sls_state *st = hard_state_of(user);
	struct file now;
	bool changed;
	size_t used;

	file_read("state", user, &now);
	changed = !file_same(&now, old);
	if (changed && st->nfailures == before->nfailures + 1) {
		assert_memory_equal(st->failures, before->failures,
				    before->nfailures * sizeof(before->failures[0]));
		assert_int_equal(st->locked_until, before->locked_until);
		assert_string_equal(st->last_device, before->last_device);
	} else if (changed) {
		assert_true(right);
		assert_int_equal(st->nfailures, 0);
		assert_int_equal(st->locked_until, 0);
		assert_string_equal(st->last_device, "laptop");
		assert_int_equal(st->ndevices, 1);
		used = before->ndevices ? before->devices[0].nused : 0;
		assert_int_equal(st->devices[0].nused,
				 used < SLS_USED_CHALLENGES_MAX ? used + 1 : used);
	}
	file_free(&now);
	free(st);
	return changed;
}

/* One kill of a login; the state checked, a temp file left gone after the next login. */
static void module_kill(const char *user, const int64_t len[2], const struct file *enrolment,
			struct tally *t)
{
	struct module_run m = {user, hard_rand() & 1};
	struct sls_state *before = hard_state_of(user);
	int64_t delay = hard_rand_range(0, len[m.right] + len[m.right] / 10);
	struct file old, now;
	int status;

	file_read("state", user, &old);
	if (run_child(module_child, &m, delay, &status)) {
		t->kills++;
	} else {
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		t->late++;
	}
	if (module_check(user, m.right, &old, before))
		t->changed++;
	else
		t->same++;
	file_read("users", user, &now);
	assert_true(file_same(&now, enrolment)); /* a login never writes the enrolment */
	file_free(&now);
	if (temps_after_kill(t) > 0 || before->nfailures >= RESET_AT) {
		/* the next write: a whole login */
		assert_int_equal(hard_login("crash", user, true), PAM_SUCCESS);
		assert_int_equal(hard_temp_files("state"), 0);
		free(hard_state_of(user));
	}
	file_free(&old);
	free(before);
}

static void test_module_killed(void **state)
{
	const char *user = "cmodule";
	struct tally t = {0};
	struct file enrolment;
	int64_t len[2], t0 = hard_now_ns();

	(void)state;
	env_user(user, ENV_IBKEY);
	file_read("users", user, &enrolment);
	module_calibrate(user, len);
	hard_seed("module");
	for (unsigned long i = 0; another_point(i, t0); i++)
		module_kill(user, len, &enrolment, &t);
	tally_print("module (state written by logins)", &t, t0);
	file_free(&enrolment);
	assert_kills_landed(&t);
}

/* ---- sls ------------------------------------------------------------------------------------- */

struct sls_run {
	char args[7][PATH_MAX];
	char *argv[8];
};

static void sls_child(void *arg, int ready, int gate)
{
	struct sls_run *r = arg;
	int null = open("/dev/null", O_RDWR);

	unsetenv("LD_PRELOAD"); /* sls needs no PAM wrapper */
	if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(93);
	ready_and_wait(ready, gate);
	execv(r->argv[0], r->argv);
	_exit(94);
}

static char sls_conf[PATH_MAX];

/* sls --conf CONF WORDS... (at most 4 words; NULL ends them). */
static void sls_argv(struct sls_run *r, const char *w0, const char *w1, const char *w2,
		     const char *w3)
{
	const char *words[7] = {SLS_PATH, "--conf", sls_conf, w0, w1, w2, w3};
	int n = 0;

	memset(r, 0, sizeof(*r));
	for (; n < 7 && words[n] != NULL; n++) {
		snprintf(r->args[n], sizeof(r->args[n]), "%s", words[n]);
		r->argv[n] = r->args[n];
	}
	r->argv[n] = NULL;
}

/* Run sls to its end: its exit status. */
static int sls_whole(struct sls_run *r)
{
	int status;

	assert_false(run_child(sls_child, r, -1, &status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * How long a run takes: the median of CALIBRATION_RUNS, running r[0..n-1]
 * in turn (each one writes), the enrolment of reset_user reset before each.
 */
static int64_t sls_calibrate(struct sls_run *r, int n, const char *reset_user)
{
	int64_t v[CALIBRATION_RUNS];

	for (int i = 0; i < CALIBRATION_RUNS; i++) {
		int64_t t0;

		if (reset_user != NULL)
			env_user(reset_user, ENV_IBKEY | ENV_DSC);
		t0 = hard_now_ns();
		assert_int_equal(sls_whole(&r[i % n]), 0);
		v[i] = hard_now_ns() - t0;
	}
	return median(v, CALIBRATION_RUNS);
}

/*
 * One kill of r, whose user's file is before and becomes after: it must be
 * one of the two, byte for byte; a temp file left is gone after a whole run
 * of whole (which writes after). Returns whether the file is after.
 */
static bool sls_kill(struct sls_run *r, int64_t len, const char *user, const struct file *before,
		     const struct file *after, struct sls_run *whole, struct tally *t)
{
	int64_t delay = hard_rand_range(0, len + len / 10);
	struct file now;
	bool changed;
	int status;

	if (run_child(sls_child, r, delay, &status)) {
		t->kills++;
	} else {
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		t->late++;
	}
	file_read("users", user, &now);
	changed = file_same(&now, after);
	assert_true(changed || file_same(&now, before));
	user_free(hard_user_of(user));
	t->changed += changed;
	t->same += !changed;
	file_free(&now);
	if (temps_after_kill(t) > 0) {
		assert_int_equal(sls_whole(whole), 0);
		assert_int_equal(hard_temp_files("users"), 0);
		assert_int_equal(hard_temp_files("state"), 0);
		user_free(hard_user_of(user));
		return true; /* the whole run wrote after */
	}
	return changed;
}

/* What the sls writer works with: two verbs, each with its exact before and after. */
struct sls_writer {
	struct sls_run identity[2]; /* sls identity games alpha | beta */
	struct file version[2];     /* the enrolment of games with each */
	int cur;                    /* which one it is now */
	int64_t identity_len;
	struct sls_run revoke; /* sls --user news revoke key (one of two devices) */
	struct file before, after;
	int64_t revoke_len;
};

static void sls_writer_make(struct sls_writer *w)
{
	sls_argv(&w->identity[0], "identity", "games", "alpha", NULL);
	sls_argv(&w->identity[1], "identity", "games", "beta", NULL);
	env_user("games", ENV_IBKEY);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sls_whole(&w->identity[i]), 0);
		file_read("users", "games", &w->version[i]);
		assert_non_null(w->version[i].data);
	}
	w->identity_len = sls_calibrate(w->identity, 2, NULL); /* odd runs: it ends at alpha */
	w->cur = 0;
	sls_argv(&w->revoke, "--user", "news", "revoke", "key");
	w->revoke_len = sls_calibrate(&w->revoke, 1, "news");
	file_read("users", "news", &w->after);
	env_user("news", ENV_IBKEY | ENV_DSC);
	file_read("users", "news", &w->before);
	assert_non_null(w->before.data);
	assert_non_null(w->after.data);
	assert_false(file_same(&w->before, &w->after));
	printf("# sls identity takes %.0f us, sls revoke %.0f us\n", (double)w->identity_len / 1e3,
	       (double)w->revoke_len / 1e3);
}

static void sls_writer_free(struct sls_writer *w)
{
	for (int i = 0; i < 2; i++)
		file_free(&w->version[i]);
	file_free(&w->before);
	file_free(&w->after);
}

/* sls identity, killed: the enrolment is exactly the one or the other. */
static void sls_identity_kill(struct sls_writer *w, struct tally *t)
{
	int next = 1 - w->cur;

	if (sls_kill(&w->identity[next], w->identity_len, "games", &w->version[w->cur],
		     &w->version[next], &w->identity[next], t))
		w->cur = next;
}

/* sls revoke, killed: the enrolment is exactly before or after. */
static void sls_revoke_kill(struct sls_writer *w, struct tally *t)
{
	env_user("news", ENV_IBKEY | ENV_DSC); /* the device active again */
	sls_kill(&w->revoke, w->revoke_len, "news", &w->before, &w->after, &w->revoke, t);
}

static void test_sls_killed(void **state)
{
	struct sls_writer w;
	struct tally t = {0};
	int64_t t0 = hard_now_ns();

	(void)state;
	sls_writer_make(&w);
	hard_seed("sls");
	for (unsigned long i = 0; another_point(i, t0); i++) {
		if (i & 1)
			sls_revoke_kill(&w, &t);
		else
			sls_identity_kill(&w, &t);
	}
	tally_print("sls (identity, revoke: enrolments)", &t, t0);
	sls_writer_free(&w);
	assert_kills_landed(&t);
}

/* ---- the transaction API --------------------------------------------------------------------- */

/* Versions A and B of an enrolment and a state, and their bytes once written. */
struct versions {
	struct sls_user *user[2];
	struct sls_state *state[2];
	struct file users[2], states[2];
};

static const char txn_user[] = "ctxn";

/* Commit version v of both files through the transaction API: the sls_rc. */
static int commit(const struct versions *vs, int v)
{
	struct sls_store store;
	struct sls_diag diag = {0};
	struct sls_txn tx;
	enum sls_rc rc;

	rc = (enum sls_rc)hard_store_open(&store);
	if (rc != SLS_OK)
		return (int)rc;
	rc = sls_txn_begin(&tx, &store, txn_user, geteuid(), SLS_TXN_ALL, &diag);
	if (rc == SLS_OK) {
		*tx.user = *vs->user[v];
		*tx.state = *vs->state[v];
		tx.user_changed = tx.state_changed = true;
		rc = sls_txn_commit(&tx);
	}
	sls_txn_end(&tx);
	sls_store_close(&store);
	return (int)rc;
}

static void txn_child(void *arg, int ready, int gate)
{
	const struct versions *vs = arg;

	ready_and_wait(ready, gate);
	for (unsigned i = 0;; i++)
		if (commit(vs, (int)(i & 1)) != SLS_OK)
			_exit(95);
}

/* A: one device, three failures; B: three devices and an identity, a success recorded. */
static void versions_make(struct versions *vs)
{
	time_t now = time(NULL);

	env_user(txn_user, ENV_IBKEY);
	vs->user[0] = hard_user_of(txn_user);
	env_user(txn_user, ENV_IBKEY | ENV_DSC | ENV_TOTP);
	vs->user[1] = hard_user_of(txn_user);
	snprintf(vs->user[1]->identity, sizeof(vs->user[1]->identity), "beta");
	for (int v = 0; v < 2; v++) {
		vs->state[v] = calloc(1, sizeof(*vs->state[v]));
		assert_non_null(vs->state[v]);
	}
	vs->state[0]->nfailures = 3;
	for (int i = 0; i < 3; i++)
		vs->state[0]->failures[i] = now - 60 + i;
	snprintf(vs->state[1]->last_device, sizeof(vs->state[1]->last_device), "laptop");
	vs->state[1]->ndevices = 1;
	snprintf(vs->state[1]->devices[0].name, sizeof(vs->state[1]->devices[0].name), "laptop");
	vs->state[1]->devices[0].created = 1700000000;
	vs->state[1]->devices[0].last_used = now;
	vs->state[1]->devices[0].nused = 40;
	for (uint32_t i = 0; i < 40; i++)
		vs->state[1]->devices[0].used[i] = 100000 + i * 12345;
	for (int v = 1; v >= 0; v--) { /* A last: the files start as A */
		assert_int_equal(commit(vs, v), SLS_OK);
		file_read("users", txn_user, &vs->users[v]);
		file_read("state", txn_user, &vs->states[v]);
	}
	assert_false(file_same(&vs->users[0], &vs->users[1]));
	assert_false(file_same(&vs->states[0], &vs->states[1]));
}

static void versions_free(struct versions *vs)
{
	for (int v = 0; v < 2; v++) {
		user_free(vs->user[v]);
		free(vs->state[v]);
		file_free(&vs->users[v]);
		file_free(&vs->states[v]);
	}
}

/* The time of one commit of both files: the median of CALIBRATION_RUNS. */
static int64_t txn_calibrate(const struct versions *vs)
{
	int64_t v[CALIBRATION_RUNS];

	for (int i = 0; i < CALIBRATION_RUNS; i++) {
		int64_t t0 = hard_now_ns();

		assert_int_equal(commit(vs, i & 1), SLS_OK);
		v[i] = hard_now_ns() - t0;
	}
	assert_int_equal(commit(vs, 0), SLS_OK);
	return median(v, CALIBRATION_RUNS);
}

/* Each file is A or B byte for byte, and parses. */
static void txn_check(const struct versions *vs, struct tally *t)
{
	struct file u, s;
	bool ua, sa;

	file_read("users", txn_user, &u);
	file_read("state", txn_user, &s);
	ua = file_same(&u, &vs->users[0]);
	sa = file_same(&s, &vs->states[0]);
	assert_true(ua || file_same(&u, &vs->users[1]));
	assert_true(sa || file_same(&s, &vs->states[1]));
	user_free(hard_user_of(txn_user));
	free(hard_state_of(txn_user));
	t->same += ua;    /* here: the enrolment found as A */
	t->changed += sa; /* and the state found as A */
	file_free(&u);
	file_free(&s);
}

static void test_txn_killed(void **state)
{
	struct versions vs;
	struct tally t = {0};
	int64_t len, t0 = hard_now_ns();
	int status;

	(void)state;
	memset(&vs, 0, sizeof(vs));
	versions_make(&vs);
	len = txn_calibrate(&vs);
	printf("# a commit of both files takes %.0f us\n", (double)len / 1e3);
	hard_seed("transactions");
	for (unsigned long i = 0; another_point(i, t0); i++) {
		/* from the fork: a few commits at most */
		assert_true(run_child(txn_child, &vs, hard_rand_range(0, 4 * len), &status));
		t.kills++;
		txn_check(&vs, &t);
		if (temps_after_kill(&t) > 0) {
			assert_int_equal(commit(&vs, (int)(i & 1)), SLS_OK);
			assert_int_equal(hard_temp_files("users"), 0);
			assert_int_equal(hard_temp_files("state"), 0);
		}
	}
	printf("# transaction API: %u kill points: the enrolment A %u times, B %u; the state A "
	       "%u, B %u; %u inside a write (a temp file left); %.1f s\n",
	       t.kills, t.same, t.kills - t.same, t.changed, t.kills - t.changed, t.mid_write,
	       (double)(hard_now_ns() - t0) / 1e9);
	versions_free(&vs);
	assert_kills_landed(&t);
}

static int setup(void **state)
{
	(void)state;
	started_at = hard_now_ns();
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return -1;
	hard_service("crash", "[lockout]\ndeny = 100\nwindow = 1h\nunlock_time = 1h\n");
	snprintf(sls_conf, sizeof(sls_conf), "%s/crash.conf", env_dir());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(shm, sizeof(*shm));
	printf("# all writers: %.1f s\n", (double)(hard_now_ns() - started_at) / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_module_killed),
	    cmocka_unit_test(test_sls_killed),
	    cmocka_unit_test(test_txn_killed),
	};

	env_init(argc, argv);
	return cmocka_run_group_tests_name("writers killed at random points", tests, setup,
					   teardown);
}
