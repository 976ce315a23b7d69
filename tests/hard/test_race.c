/*
 * Races (issue 16): 50 processes log in at once through real libpam
 * (pam_start_confdir, so pam_wrapper's per-process set-up is not in the way).
 * Each child starts its PAM handle (the module loaded), then waits at a
 * barrier (a pipe the parent closes), so every pam_authenticate begins at
 * the same moment. What the children saw goes to shared memory: the PAM code,
 * whether a prompt was shown, and a global order of events (an atomic counter)
 * from which the tests derive what the state must hold (doc/design.md, "A
 * login, in order": count before check, the deny-th failure locks at once, a
 * locked user is refused before any prompt or write, a right answer clears
 * the failures unless someone else's lock came first).
 *
 * SLS_RACE_ROUNDS repeats each race (default 1); SLS_TEST_SECONDS bounds the
 * rounds in time (make check-long).
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
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hard_env.h"

#define NPROC     50
#define LOW_DENY  10
#define WAIT_SECS 120 /* the most a race may take before its children are killed */

/* What one child saw. */
struct race_rec {
	int rv;            /* pam_authenticate's code; -1: pam_start_confdir failed */
	int prompts;       /* prompts shown (one device: one at most) */
	uint64_t s_start;  /* the order of events over all children: before pam_authenticate, */
	uint64_t s_prompt; /* at the prompt (the attempt's failure is on disk), */
	uint64_t s_done;   /* after pam_authenticate returned */
	int64_t t_start, t_done;
};

struct race_shared {
	uint64_t seq;
	struct race_rec rec[NPROC];
};

static struct race_shared *shm;

/* Who logs in: user on service, answering right or wrong. */
struct racer {
	const char *service;
	const char *user;
	bool right;
};

static uint64_t next_seq(void)
{
	return __atomic_add_fetch(&shm->seq, 1, __ATOMIC_SEQ_CST);
}

static void noted_prompt(void *arg)
{
	struct race_rec *r = arg;

	r->s_prompt = next_seq();
}

/* A child: start PAM, say ready, wait at the gate, log in; never returns. */
static void racer_run(const struct racer *who, struct race_rec *r, int ready, int gate)
{
	struct hard_conv c = {.right = who->right, .on_prompt = noted_prompt, .arg = r};
	pam_handle_t *pamh = NULL;
	char ch;
	int rv;

	r->rv = -1;
	rv = hard_pam_start(who->service, who->user, &c, &pamh);
	if (write(ready, "x", 1) != 1 || close(ready) != 0 || rv != PAM_SUCCESS)
		_exit(1);
	while (read(gate, &ch, 1) < 0 && errno == EINTR)
		;
	r->t_start = hard_now_ns();
	r->s_start = next_seq();
	rv = pam_authenticate(pamh, 0);
	r->s_done = next_seq();
	r->t_done = hard_now_ns();
	r->prompts = c.prompts;
	r->rv = rv;
	pam_end(pamh, rv);
	_exit(0);
}

/* Reap the children, killing those still there after WAIT_SECS: how many exited 0. */
static int reap(pid_t *pids, int n)
{
	int64_t deadline = hard_now_ns() + (int64_t)WAIT_SECS * 1000000000;
	int ok = 0, left = n, status;

	while (left > 0) {
		for (int i = 0; i < n; i++) {
			if (pids[i] <= 0 || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
			pids[i] = 0;
			left--;
		}
		if (left > 0 && hard_now_ns() > deadline) {
			fprintf(stderr, "%d children still running after %d s: killed\n", left,
				WAIT_SECS);
			for (int i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			deadline = INT64_MAX;
		}
		if (left > 0)
			usleep(1000);
	}
	return ok;
}

/* The most children inside pam_authenticate at one moment. */
static int max_overlap(int n)
{
	int best = 0;

	for (int i = 0; i < n; i++) {
		int inside = 0;

		for (int j = 0; j < n; j++)
			inside += shm->rec[j].t_start <= shm->rec[i].t_start &&
				  shm->rec[i].t_start < shm->rec[j].t_done;
		best = inside > best ? inside : best;
	}
	return best;
}

/*
 * Run the n racers at once (the results in shm->rec); all children must have
 * run their login. Prints how many overlapped and how long it took.
 */
static void race(const struct racer *who, int n, const char *what)
{
	int ready[2], gate[2], got = 0, started = 0;
	pid_t pids[NPROC];
	int64_t t0, t1 = 0;
	char buf[NPROC];
	ssize_t r;

	memset(shm, 0, sizeof(*shm));
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(gate), 0);
	fflush(stdout);
	fflush(stderr);
	for (; started < n; started++) {
		pids[started] = fork();
		if (pids[started] < 0)
			break;
		if (pids[started] == 0) {
			close(ready[0]);
			close(gate[1]);
			racer_run(&who[started], &shm->rec[started], ready[1], gate[0]);
		}
	}
	close(ready[1]);
	close(gate[0]);
	while (got < started && ((r = read(ready[0], buf, sizeof(buf))) > 0 || errno == EINTR))
		got += r > 0 ? (int)r : 0;
	close(ready[0]);
	t0 = hard_now_ns();
	close(gate[1]); /* all go */
	got = reap(pids, started);
	for (int i = 0; i < n; i++)
		t1 = shm->rec[i].t_done > t1 ? shm->rec[i].t_done : t1;
	printf("# %s: %d processes, at most %d inside pam_authenticate at once, %.1f ms\n", what, n,
	       max_overlap(n), (double)(t1 - t0) / 1e6);
	assert_int_equal(started, n);
	assert_int_equal(got, n);
	for (int i = 0; i < n; i++)
		assert_true(shm->rec[i].rv != -1);
	/* they really raced: at least half of them were inside at one moment */
	assert_true(max_overlap(n) >= n / 2);
}

/* ---- what the state says ------------------------------------------------------------ */

/*
 * A watch on STORE/state: each replace of a file is one IN_MOVED_TO there.
 * The IN_MOVED_FROM of its temp file between two of them keeps inotify from
 * merging them (it merges an event identical to the last one queued).
 */
static int watch_state(void)
{
	char path[PATH_MAX];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(fd >= 0);
	hard_path("state", NULL, path, sizeof(path));
	assert_true(inotify_add_watch(fd, path, IN_MOVED_FROM | IN_MOVED_TO) >= 0);
	return fd;
}

/* How many times STORE/state/USER was written since watch_state (and close fd). */
static int state_writes(int fd, const char *user)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	int n = 0;
	ssize_t len;

	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;

			assert_false(e->mask & IN_Q_OVERFLOW);
			n += (e->mask & IN_MOVED_TO) && e->len > 0 && strcmp(e->name, user) == 0;
			p += sizeof(*e) + e->len;
		}
	}
	close(fd);
	return n;
}

/*
 * Whether to run another round of a race begun at t0: SLS_RACE_ROUNDS of
 * them, at most for a fifth of SLS_TEST_SECONDS (when set), one at least.
 */
static bool another_round(unsigned long round, int64_t t0)
{
	unsigned long secs = hard_env_ulong("SLS_TEST_SECONDS", 0);

	if (round == 0)
		return true;
	return round < hard_env_ulong("SLS_RACE_ROUNDS", 1) &&
	       (secs == 0 || hard_now_ns() - t0 < (int64_t)secs * 1000000000 / 5);
}

/* ---- the races ------------------------------------------------------------------------- */

/* n racers for user on service, all wrong but the right-th (-1: none). */
static void racers(struct racer *who, const char *service, const char *user, int right)
{
	for (int i = 0; i < NPROC; i++)
		who[i] = (struct racer){service, user, i == right};
}

/* 50 wrong answers at once, deny 100: each one counted, none lost. */
static void test_wrong_high_deny(void **state)
{
	struct racer who[NPROC];
	int64_t t0 = hard_now_ns();

	(void)state;
	racers(who, "race-high", "rwhigh", -1);
	for (unsigned long round = 0; another_round(round, t0); round++) {
		struct sls_state *st;
		int w;

		env_user("rwhigh", ENV_IBKEY);
		w = watch_state();
		race(who, NPROC, "50 wrong, deny 100");
		for (int i = 0; i < NPROC; i++) {
			assert_int_equal(shm->rec[i].rv, PAM_AUTH_ERR);
			assert_int_equal(shm->rec[i].prompts, 1);
		}
		st = hard_state_of("rwhigh");
		assert_int_equal(st->nfailures, NPROC);
		assert_int_equal(st->locked_until, 0);
		/* one write an attempt: the failure before the prompt */
		assert_int_equal(state_writes(w, "rwhigh"), NPROC);
		assert_int_equal(hard_temp_files("state"), 0);
		free(st);
	}
}

/*
 * 50 wrong answers at once, deny 10: the 10th failure locks at once and its
 * own attempt says so (PAM_MAXTRIES, though its prompt was shown); every
 * later one is refused before its prompt and writes nothing.
 */
static void test_wrong_low_deny(void **state)
{
	struct racer who[NPROC];
	int64_t t0 = hard_now_ns();

	(void)state;
	racers(who, "race-low", "rwlow", -1);
	for (unsigned long round = 0; another_round(round, t0); round++) {
		int auth_err = 0, maxtries = 0, prompted = 0, lockers = 0, w, writes;
		struct sls_state *st;

		env_user("rwlow", ENV_IBKEY);
		w = watch_state();
		race(who, NPROC, "50 wrong, deny 10");
		for (int i = 0; i < NPROC; i++) {
			const struct race_rec *r = &shm->rec[i];

			assert_true(r->rv == PAM_AUTH_ERR || r->rv == PAM_MAXTRIES);
			assert_true(r->prompts <= 1);
			/* a prompt shown and a wrong answer: AUTH_ERR, or the lock it set */
			if (r->rv == PAM_AUTH_ERR)
				assert_int_equal(r->prompts, 1);
			auth_err += r->rv == PAM_AUTH_ERR;
			maxtries += r->rv == PAM_MAXTRIES;
			prompted += r->prompts;
			lockers += r->rv == PAM_MAXTRIES && r->prompts == 1;
		}
		st = hard_state_of("rwlow");
		writes = state_writes(w, "rwlow");
		printf("# %d prompts, %d PAM_AUTH_ERR, %d PAM_MAXTRIES (%d after a prompt); %zu "
		       "failures recorded in %d writes\n",
		       prompted, auth_err, maxtries, lockers, st->nfailures, writes);
		assert_int_equal(prompted, LOW_DENY);
		assert_int_equal(lockers, 1);
		assert_int_equal(auth_err, LOW_DENY - 1);
		assert_int_equal(maxtries, NPROC - LOW_DENY + 1);
		assert_int_equal(st->nfailures, LOW_DENY);
		assert_true(st->locked_until > time(NULL));
		/* refused attempts write nothing */
		assert_int_equal(writes, LOW_DENY);
		free(st);
	}
}

/* 50 users logging in at once: all in; enrolments untouched, every state file whole. */
static void test_many_users(void **state)
{
	struct racer who[NPROC];
	int64_t t0 = hard_now_ns();
	char names[NPROC][16], path[PATH_MAX];
	char *before[NPROC];
	size_t len[NPROC];

	(void)state;
	for (int i = 0; i < NPROC; i++) {
		snprintf(names[i], sizeof(names[i]), "rmany%02d", i);
		who[i] = (struct racer){"race-high", names[i], true};
	}
	for (unsigned long round = 0; another_round(round, t0); round++) {
		for (int i = 0; i < NPROC; i++) {
			env_user(names[i], ENV_IBKEY);
			hard_path("users", names[i], path, sizeof(path));
			before[i] = hard_slurp(path, &len[i]);
			assert_non_null(before[i]);
		}
		race(who, NPROC, "50 users, right answers");
		for (int i = 0; i < NPROC; i++) {
			struct sls_user *u = calloc(1, sizeof(*u));
			struct sls_state *st;
			size_t n;
			char *after;

			assert_int_equal(shm->rec[i].rv, PAM_SUCCESS);
			assert_int_equal(shm->rec[i].prompts, 1);
			assert_non_null(u);
			assert_int_equal(hard_load_user(names[i], u), SLS_OK);
			assert_int_equal(u->ndevices, 1);
			/* a login writes no enrolment: byte for byte what it was */
			hard_path("users", names[i], path, sizeof(path));
			after = hard_slurp(path, &n);
			assert_non_null(after);
			assert_int_equal(n, len[i]);
			assert_memory_equal(after, before[i], n);
			st = hard_state_of(names[i]);
			assert_int_equal(st->nfailures, 0);
			assert_int_equal(st->locked_until, 0);
			assert_string_equal(st->last_device, "laptop");
			assert_int_equal(st->ndevices, 1);
			assert_int_equal(st->devices[0].nused, 1); /* its challenge, recorded */
			free(after);
			free(before[i]);
			sls_user_clear(u);
			free(u);
			free(st);
		}
		assert_int_equal(hard_temp_files("users"), 0);
		assert_int_equal(hard_temp_files("state"), 0);
	}
}

/*
 * The order the children saw around the right one (index right): wrong
 * attempts whose prompt came before the right one's prompt were on disk
 * before its success was written, which cleared them; those that began
 * after the right one had returned were written after it. So the failures
 * left are at least the latter and at most the prompted ones but the former.
 */
static void order_bounds(int right, int *lower, int *upper)
{
	const struct race_rec *ok = &shm->rec[right];

	*lower = 0;
	*upper = 0;
	for (int i = 0; i < NPROC; i++) {
		const struct race_rec *r = &shm->rec[i];

		if (i == right || r->prompts == 0)
			continue;
		*upper += r->s_prompt > ok->s_prompt;
		*lower += r->s_start > ok->s_done;
	}
}

/*
 * One right and 49 wrong answers at once, deny 100: the right one gets in;
 * its success cleared every failure written before it, so what is left are
 * the wrong attempts written after it (bounded by the order seen).
 */
static void test_one_right_high_deny(void **state)
{
	struct racer who[NPROC];
	const int right = NPROC / 2;
	int64_t t0 = hard_now_ns();

	(void)state;
	racers(who, "race-high", "rmixhigh", right);
	for (unsigned long round = 0; another_round(round, t0); round++) {
		struct sls_state *st;
		int lower, upper, w;

		env_user("rmixhigh", ENV_IBKEY);
		w = watch_state();
		race(who, NPROC, "1 right and 49 wrong, deny 100");
		for (int i = 0; i < NPROC; i++) {
			assert_int_equal(shm->rec[i].rv, i == right ? PAM_SUCCESS : PAM_AUTH_ERR);
			assert_int_equal(shm->rec[i].prompts, 1);
		}
		st = hard_state_of("rmixhigh");
		order_bounds(right, &lower, &upper);
		printf("# failures left %zu, by the order seen in [%d, %d]\n", st->nfailures, lower,
		       upper);
		assert_true(st->nfailures >= (size_t)lower);
		assert_true(st->nfailures <= (size_t)upper);
		assert_int_equal(st->locked_until, 0);
		assert_string_equal(st->last_device, "laptop");
		assert_int_equal(st->devices[0].nused, 1);
		/* 50 failures before the prompts, one success */
		assert_int_equal(state_writes(w, "rmixhigh"), NPROC + 1);
		free(st);
	}
}

/*
 * The counts of a race of one right and 49 wrong answers with deny 10
 * (see test_one_right_low_deny), given what the children saw.
 */
static void check_one_right_low(int right, const struct sls_state *st, int writes)
{
	const struct race_rec *ok = &shm->rec[right];
	int wrong_prompted = 0, lockers = 0, lower, upper;
	size_t f = st->nfailures;

	for (int i = 0; i < NPROC; i++) {
		const struct race_rec *r = &shm->rec[i];

		if (i == right)
			continue;
		assert_true(r->rv == PAM_AUTH_ERR || r->rv == PAM_MAXTRIES);
		if (r->rv == PAM_AUTH_ERR)
			assert_int_equal(r->prompts, 1);
		wrong_prompted += r->prompts;
		lockers += r->rv == PAM_MAXTRIES && r->prompts == 1;
	}
	assert_true(f <= LOW_DENY);
	assert_true((st->locked_until > time(NULL)) == (f == LOW_DENY));
	if (ok->rv == PAM_SUCCESS) {
		assert_int_equal(ok->prompts, 1);
		/* one lock at most, set after the success by the deny-th wrong answer */
		assert_int_equal(lockers, f == LOW_DENY);
		/* the success cleared its own failure and 0..deny-1 wrong ones */
		assert_true((size_t)wrong_prompted >= f);
		assert_true((size_t)wrong_prompted <= f + LOW_DENY - 1);
		order_bounds(right, &lower, &upper);
		printf("# right answer in; failures left %zu, by the order seen in [%d, %d]\n", f,
		       lower, upper);
		assert_true(f >= (size_t)lower && f <= (size_t)upper);
		assert_int_equal(writes, wrong_prompted + 2);
	} else {
		/* locked by a wrong answer before its prompt, or while it was open */
		assert_int_equal(ok->rv, PAM_MAXTRIES);
		printf("# right answer refused: locked %s\n",
		       ok->prompts ? "while its prompt was open" : "before its prompt");
		assert_int_equal(f, LOW_DENY);
		assert_int_equal(lockers, 1);
		assert_int_equal(wrong_prompted + ok->prompts, LOW_DENY);
		assert_int_equal(writes, LOW_DENY);
	}
}

/*
 * One right and 49 wrong answers at once, deny 10: either the right one got
 * in (its prompt came before the lock, or its own failure set the lock,
 * which its success lifts) and the failures left are wrong attempts after
 * it, or a wrong answer's lock came first and nothing cleared the 10.
 */
static void test_one_right_low_deny(void **state)
{
	struct racer who[NPROC];
	unsigned long in = 0, n = 0;
	int64_t t0 = hard_now_ns();

	(void)state;
	for (unsigned long round = 0; another_round(round, t0); round++, n++) {
		/* the right one forked first, in the middle or last */
		const int right = (int)(round % 3) * (NPROC - 1) / 2;
		struct sls_state *st;
		int w;

		racers(who, "race-low", "rmixlow", right);
		env_user("rmixlow", ENV_IBKEY);
		w = watch_state();
		race(who, NPROC, "1 right and 49 wrong, deny 10");
		st = hard_state_of("rmixlow");
		check_one_right_low(right, st, state_writes(w, "rmixlow"));
		in += shm->rec[right].rv == PAM_SUCCESS;
		free(st);
	}
	printf("# the right answer got in %lu times of %lu\n", in, n);
}

static int setup(void **state)
{
	(void)state;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return -1;
	hard_service("race-high", "[lockout]\ndeny = 100\nwindow = 1h\nunlock_time = 1h\n");
	hard_service("race-low", "[lockout]\ndeny = 10\nwindow = 1h\nunlock_time = 1h\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(shm, sizeof(*shm));
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrong_high_deny),    cmocka_unit_test(test_wrong_low_deny),
	    cmocka_unit_test(test_many_users),         cmocka_unit_test(test_one_right_high_deny),
	    cmocka_unit_test(test_one_right_low_deny),
	};

	env_init(argc, argv);
	return cmocka_run_group_tests_name("50 logins at once", tests, setup, teardown);
}
