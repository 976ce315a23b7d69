/*
 * Helpers of the hardening tests (tests/hard/), on top of the module tests'
 * sandbox (tests/pam/pamtest_env.h): logins through libpam's
 * pam_start_confdir (no pam_wrapper: safe in many processes at once), the
 * store read with the project's own loaders, a seeded PRNG, the clock.
 */
#ifndef SLS_TEST_HARD_ENV_H
#define SLS_TEST_HARD_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <security/pam_appl.h>

#include "pamtest_env.h"

/* An sls.conf NAME.conf of the sandbox (its store, then extra) and a service NAME using it. */
void hard_service(const char *name, const char *extra);

/* The right response to the OCRA challenge in prompt (env_user's ibkey "laptop", ENV_PIN). */
void hard_ocra_answer(const char *prompt, char *out, size_t size);

/* What a login answers: the right response to the challenge, or a wrong one. */
struct hard_conv {
	bool right;
	int prompts;               /* prompts shown so far */
	void (*on_prompt)(void *); /* called at each prompt before it is answered (or NULL) */
	void *arg;
};

/* pam_start_confdir on the sandbox's services with conversation c: its PAM code. */
int hard_pam_start(const char *service, const char *user, struct hard_conv *c, pam_handle_t **pamh);

/* One whole login (start, authenticate, end): pam_authenticate's code, or -1. */
int hard_login(const char *service, const char *user, bool right);

/* The store's path ("DIR/store") and the path of its file SUB/NAME ("users", "state"). */
void hard_path(const char *sub, const char *name, char *out, size_t size);

/* sls_store_open of the sandbox's store (hard_path), as the module opens it: the sls_rc. */
int hard_store_open(struct sls_store *store);

/* STORE/users/NAME and STORE/state/NAME with sls_userdb_load_*: the sls_rc (a failure on stderr).
 */
int hard_load_user(const char *name, struct sls_user *user);
int hard_load_state(const char *name, struct sls_state *state);

/* The same, the test failing unless it loads: calloc'ed (sls_user_clear, then free). */
struct sls_user *hard_user_of(const char *name);
struct sls_state *hard_state_of(const char *name);

/* The bytes of a file (NUL-terminated, malloc'ed; *len its length), or NULL if absent. */
char *hard_slurp(const char *path, size_t *len);

/* How many temp files (".NAME#new", anything starting with '.') STORE/SUB holds. */
int hard_temp_files(const char *sub);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t hard_now_ns(void);

/* Wait until hard_now_ns() reaches deadline (sleeps, then spins the last stretch). */
void hard_wait_until(int64_t deadline);

/* An unsigned environment variable, or def when unset or not a number. */
unsigned long hard_env_ulong(const char *name, unsigned long def);

/* The run's seed: SLS_TEST_SEED, or else from the clock (chosen once a process). */
uint64_t hard_test_seed(void);

/* The PRNG: a stream of its own for what, from hard_test_seed(); hard_seed prints the seed. */
void hard_rand_stream(const char *what);
void hard_seed(const char *what);
uint64_t hard_rand(void);
/* Uniform in [lo, hi]. */
int64_t hard_rand_range(int64_t lo, int64_t hi);

#endif /* SLS_TEST_HARD_ENV_H */
