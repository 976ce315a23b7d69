/*
 * No bypass under file mutation (issue 16): random mutants of a valid
 * enrolment file and of a valid state file, each written into the store and
 * answered through the real module with the answer that is right for the
 * ORIGINAL device. The oracle: PAM_SUCCESS only when the mutant still loads
 * (sls_userdb_load_user / sls_userdb_load_state, the loaders the module uses)
 * to the same device, usable, with a state that neither locks the user nor
 * has the answer used; a mutant that loads to exactly that is let in. Every
 * login returns a PAM code. SLS_TEST_SEED replays a run, SLS_MUTATIONS sets
 * how many mutants of each file (2,000 in make check; make check-long runs
 * 100,000 in LONG_SECONDS), SLS_MUTATE_SECONDS bounds the
 * time of both parts together (60 s; 0: no bound).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hard_env.h"

#define MUTATIONS_DEFAULT      2000
#define MUTATE_SECONDS_DEFAULT 60
#define OPS_MAX                3
#define LONG_LINE_MAX          (300 * 1024) /* past SLS_FILE_MAX now and then */

/* Uniform enough in [0, n) for n > 0 (the PRNG of hard_env.h); 0 for n = 0. */
static size_t below(size_t n)
{
	return (size_t)hard_rand_range(0, (int64_t)n - 1);
}

/* ---- a growable byte buffer --------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	b->cap = (b->len + more + 1) * 2;
	b->p = realloc(b->p, b->cap);
	assert_non_null(b->p);
}

static void buf_set(struct buf *b, const char *p, size_t n)
{
	b->len = 0;
	buf_reserve(b, n);
	memcpy(b->p, p, n);
	b->len = n;
	b->p[n] = '\0';
}

/* Insert n bytes of p (or n copies of fill when p is NULL) at offset at. */
static void buf_insert(struct buf *b, size_t at, const char *p, size_t n, char fill)
{
	buf_reserve(b, n);
	memmove(b->p + at + n, b->p + at, b->len - at);
	if (p != NULL)
		memcpy(b->p + at, p, n);
	else
		memset(b->p + at, fill, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_erase(struct buf *b, size_t at, size_t n)
{
	memmove(b->p + at, b->p + at + n, b->len - at - n);
	b->len -= n;
	b->p[b->len] = '\0';
}

/* The line (without a lost final newline) holding a random byte: [*start, *end). */
static void random_line(const struct buf *b, size_t *start, size_t *end)
{
	size_t at = below(b->len);

	*start = at;
	while (*start > 0 && b->p[*start - 1] != '\n')
		(*start)--;
	*end = at;
	while (*end < b->len && b->p[*end] != '\n')
		(*end)++;
	if (*end < b->len)
		(*end)++; /* with its newline */
}

/* ---- the mutations ------------------------------------------------------------ */

static const char *const tokens[] = {
    "=",
    "\n",
    " ",
    "\t",
    "\r",
    "#",
    ";",
    ",",
    "[",
    "]",
    "0",
    "9",
    "-",
    "[user]\n",
    "[state]\n",
    "[device laptop]\n",
    "[device phone]\n",
    "type = totp\n",
    "type = ibkey\n",
    "status = active\n",
    "status = revoked\n",
    "expires = 0\n",
    "expires = 1\n",
    "level = 4\n",
    "optout = yes\n",
    "shared_from = alice\n",
    "locked_until = 0\n",
    "locked_until = 99999999999\n",
    "totp_last_step = 0\n",
    "created = 1700000000\n",
    "created = 0\n",
    "secret = \n",
    "\xc3\xa9",
    "\xff",
};

static const char *const numbers[] = {
    "99999999999999999999",
    "-1",
    "9223372036854775808",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "0",
    "00",
    "4294967296",
    "2147483648",
    "-9223372036854775808",
    "1e9",
    "0x10",
    "+1",
    "1700000000",
    "",
};

enum op {
	OP_BITFLIP,
	OP_BYTE,
	OP_TRUNCATE,
	OP_INSERT,
	OP_DUPLICATE,
	OP_SWAP,
	OP_DELETE,
	OP_NUMBER,
	OP_LONG,
	OP_NUL,
	OP_VALUE,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {"bitflip",   "byte", "truncate", "insert",
					       "duplicate", "swap", "delete",   "number",
					       "long",      "nul",  "value"};

static void op_number(struct buf *b)
{
	const char *n = numbers[below(sizeof(numbers) / sizeof(numbers[0]))];
	size_t at = below(b->len), end;

	while (at < b->len && (b->p[at] < '0' || b->p[at] > '9'))
		at++;
	if (at == b->len) { /* no digit after it: put the number anywhere */
		buf_insert(b, below(b->len + 1), n, strlen(n), 0);
		return;
	}
	while (at > 0 && b->p[at - 1] >= '0' && b->p[at - 1] <= '9')
		at--;
	for (end = at; end < b->len && b->p[end] >= '0' && b->p[end] <= '9'; end++)
		;
	buf_erase(b, at, end - at);
	buf_insert(b, at, n, strlen(n), 0);
}

/*
 * A key's value replaced whole: by a number of the list, or by one near
 * now (a lock that has not ended, one just ended; the TOTP step of now and
 * those around it), the values a check must get exactly right.
 */
static void op_value(struct buf *b)
{
	time_t now = time(NULL);
	long long step = (long long)sls_totp_step(now, 30),
		  near[] = {now + 3600, now - 2, now + 86400, step - 1, step, step + 1, step + 2};
	char v[32];
	const char *eq;
	size_t s, e, n = sizeof(near) / sizeof(near[0]);

	random_line(b, &s, &e);
	eq = memchr(b->p + s, '=', e - s);
	if (eq == NULL)
		return;
	if (below(2))
		snprintf(v, sizeof(v), " %lld", near[below(n)]);
	else
		snprintf(v, sizeof(v), " %s", numbers[below(sizeof(numbers) / sizeof(numbers[0]))]);
	s = (size_t)(eq + 1 - b->p);
	if (e > s && b->p[e - 1] == '\n')
		e--;
	buf_erase(b, s, e - s);
	buf_insert(b, s, v, strlen(v), 0);
}

/* A long line of its own, or a value made long: mostly a little past the line limit. */
static void op_long(struct buf *b)
{
	size_t n = below(8) == 0 ? 1 + below(LONG_LINE_MAX) : 150 + below(400), s, e;
	const char fill = "A0 =,"[below(5)];

	random_line(b, &s, &e);
	if (below(2) == 0) {
		buf_insert(b, s, "\n", 1, 0);
		buf_insert(b, s, NULL, n, fill);
	} else {
		buf_insert(b, e > s && b->p[e - 1] == '\n' ? e - 1 : e, NULL, n, fill);
	}
}

/* n bytes at p as they are (a line may hold a NUL an earlier mutation put there). */
static char *dup_bytes(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	assert_non_null(d);
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static void op_lines(struct buf *b, enum op op)
{
	size_t s1, e1, s2, e2;
	char *a, *c;

	random_line(b, &s1, &e1);
	if (op == OP_DELETE) {
		buf_erase(b, s1, e1 - s1);
		return;
	}
	a = dup_bytes(b->p + s1, e1 - s1);
	if (op == OP_DUPLICATE) {
		random_line(b, &s2, &e2);
		buf_insert(b, below(2) ? s2 : e1, a, e1 - s1, 0);
		free(a);
		return;
	}
	random_line(b, &s2, &e2); /* OP_SWAP: two lines change places */
	if (s2 < s1) {
		size_t t = s1;
		s1 = s2, s2 = t, t = e1, e1 = e2, e2 = t;
		free(a);
		a = dup_bytes(b->p + s1, e1 - s1);
	}
	if (s2 >= e1) {
		c = dup_bytes(b->p + s2, e2 - s2);
		buf_erase(b, s2, e2 - s2);
		buf_insert(b, s2, a, e1 - s1, 0);
		buf_erase(b, s1, e1 - s1);
		buf_insert(b, s1, c, e2 - s2, 0);
		free(c);
	}
	free(a);
}

static void apply(struct buf *b, enum op op)
{
	size_t at = below(b->len), end;
	const char *t;

	if (b->len == 0 && op != OP_INSERT && op != OP_NUMBER && op != OP_LONG && op != OP_VALUE)
		op = OP_INSERT;
	switch (op) {
	case OP_BITFLIP:
		b->p[at] = (char)(b->p[at] ^ (1 << below(8)));
		break;
	case OP_BYTE:
		t = tokens[below(13)];
		b->p[at] = below(2) ? (char)below(256) : t[0];
		break;
	case OP_TRUNCATE:
		b->len = at;
		b->p[at] = '\0';
		break;
	case OP_INSERT: /* a line goes at the start of one, anything else anywhere */
		t = tokens[below(sizeof(tokens) / sizeof(tokens[0]))];
		if (t[strlen(t) - 1] == '\n' && b->len > 0)
			random_line(b, &at, &end);
		else
			at = below(b->len + 1);
		buf_insert(b, at, t, strlen(t), 0);
		break;
	case OP_NUMBER:
		op_number(b);
		break;
	case OP_LONG:
		op_long(b);
		break;
	case OP_VALUE:
		op_value(b);
		break;
	case OP_NUL:
		if (below(2))
			b->p[at] = '\0';
		else
			buf_insert(b, below(b->len + 1), NULL, 1, '\0');
		break;
	default:
		op_lines(b, op);
	}
}

/* 1 to OPS_MAX mutations (mostly one) of orig into b; their names into what. */
static void mutate(const char *orig, struct buf *b, char *what, size_t size)
{
	size_t nops = below(4) == 0 ? 2 + below(OPS_MAX - 1) : 1, n = 0;

	buf_set(b, orig, strlen(orig));
	what[0] = '\0';
	for (size_t i = 0; i < nops; i++) {
		enum op op = (enum op)below(OP_COUNT);

		apply(b, op);
		n += (size_t)snprintf(what + n, n < size ? size - n : 0, "%s%s", i ? "+" : "",
				      op_names[op]);
	}
}

/* ---- the store ---------------------------------------------------------------- */

/* Write exactly n bytes (NULs too) to STORE/dir/user, root's, 0600. */
static void store_write(const char *dir, const char *user, const char *p, size_t n)
{
	char path[PATH_MAX];
	int fd;

	hard_path(dir, user, path, sizeof(path));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void store_unlink(const char *dir, const char *user)
{
	char path[PATH_MAX];

	hard_path(dir, user, path, sizeof(path));
	assert_true(unlink(path) == 0 || errno == ENOENT);
}

/* The loaders the module uses, on the files as they are now (a mutant's failure not told). */
static enum sls_rc load(const char *user, struct sls_user *u, struct sls_state *st)
{
	struct sls_store store;
	struct sls_diag diag = {0};
	enum sls_rc rc;

	assert_int_equal(hard_store_open(&store), SLS_OK);
	rc = u != NULL ? sls_userdb_load_user(&store, user, geteuid(), u, &diag)
		       : sls_userdb_load_state(&store, user, geteuid(), st, &diag);
	sls_store_close(&store);
	return rc;
}

/* ---- the users and their valid files ---------------------------------------------- */

/* One user with one device, answered with kind. */
struct subject {
	const char *name;
	unsigned devices;
	enum answer_kind kind;
	char *enrolment; /* the valid files, as the module reads them */
	char *state;
	struct sls_user *user; /* the enrolment as loaded */
};

static struct subject subjects[] = {
    {"mia", ENV_IBKEY, ANS_OCRA, NULL, NULL, NULL},
    {"tom", ENV_TOTP, ANS_TOTP, NULL, NULL, NULL},
};
#define NSUBJECTS (sizeof(subjects) / sizeof(subjects[0]))

static char *text_of(const char *dir, const char *user)
{
	char path[PATH_MAX], *text;
	size_t len;

	hard_path(dir, user, path, sizeof(path));
	text = hard_slurp(path, &len);
	assert_non_null(text);
	return text;
}

/*
 * A state with something in every part the login reads: two failures in
 * the window, a lock long past, the device's entry (used challenges, or a
 * TOTP step well before now), an entry of a device long gone.
 */
static char *valid_state(const struct subject *s, time_t now)
{
	struct sls_state *st = calloc(1, sizeof(*st));
	const struct sls_device *d = &s->user->devices[0];
	struct sls_device_state *ds;
	char *text = NULL, *copy;
	size_t len = 0;

	assert_non_null(st);
	st->nfailures = 2;
	st->failures[0] = now - 600;
	st->failures[1] = now - 300;
	st->locked_until = now - 7200;
	snprintf(st->last_device, sizeof(st->last_device), "%s", d->name);
	ds = sls_state_device(st, d);
	assert_non_null(ds);
	ds->last_used = now - 86400;
	if (s->kind == ANS_TOTP)
		ds->totp_last_step = sls_totp_step(now, 30) - 10;
	for (uint32_t c = 0; s->kind == ANS_OCRA && c < 25; c++)
		sls_device_state_add_used(ds, 100000 + c * 37);
	ds = &st->devices[st->ndevices++];
	snprintf(ds->name, sizeof(ds->name), "old");
	ds->created = 1600000000;
	ds->totp_last_step = 1;
	ds->last_used = 1600000001;
	assert_int_equal(sls_state_format(st, &text, &len), SLS_OK);
	copy = strdup(text);
	assert_non_null(copy);
	sls_free_secret(text, len + 1);
	free(st);
	return copy;
}

static void setup_subjects(void)
{
	for (size_t i = 0; i < NSUBJECTS; i++) {
		struct subject *s = &subjects[i];

		if (s->enrolment != NULL)
			continue;
		env_user(s->name, s->devices);
		s->enrolment = text_of("users", s->name);
		s->user = hard_user_of(s->name);
		assert_int_equal(s->user->ndevices, 1);
		s->state = valid_state(s, time(NULL));
		store_write("state", s->name, s->state, strlen(s->state));
		free(hard_state_of(s->name));
		/* the valid files let the right answer in */
		const struct answer a[] = {{s->kind, NULL}, END};
		assert_int_equal(env_login_direct("sls", s->name, a), PAM_SUCCESS);
	}
}

/* ---- the oracle --------------------------------------------------------------- */

/* What makes the device the one the original's answer is right for. */
static bool same_device(const struct sls_device *a, const struct sls_device *b)
{
	return a->type == b->type && a->secret_len == b->secret_len &&
	       memcmp(a->secret, b->secret, sizeof(a->secret)) == 0 &&
	       memcmp(&a->u, &b->u, sizeof(a->u)) == 0 && a->level == b->level &&
	       strcmp(a->shared_from, b->shared_from) == 0;
}

/*
 * The original device, usable in u at now: its place, or -1. Active and
 * unexpired are checked here as well, not only through the project's own
 * sls_device_usable.
 */
static int find_same(const struct sls_user *u, const struct sls_device *orig, time_t now)
{
	for (size_t i = 0; i < u->ndevices && i < SLS_DEVICES_MAX; i++) {
		const struct sls_device *d = &u->devices[i];

		if (same_device(d, orig) && d->status == SLS_STATUS_ACTIVE &&
		    (d->expires == 0 || d->expires > now) && sls_device_usable(u, d, now))
			return (int)i;
	}
	return -1;
}

/* Whether state st lets device d of u answer at now with a code of step (TOTP). */
static bool state_lets_in(const struct sls_state *st, const struct sls_device *d, time_t now,
			  uint64_t step)
{
	const struct sls_device_state *ds = sls_state_find(st, d);

	if (st->locked_until > now)
		return false;
	return d->type != &sls_devtype_totp || ds == NULL || ds->totp_last_step < step;
}

struct tally {
	unsigned long mutants, loaded, same, succeeded, identical;
	unsigned long codes[64];
};

static void report(const char *what, const struct tally *t)
{
	printf("# %s: %lu mutants, %lu loaded, %lu loaded to the same usable device "
	       "(and state that lets it in), %lu logins succeeded, %lu byte-identical\n",
	       what, t->mutants, t->loaded, t->same, t->succeeded, t->identical);
	printf("# %s: PAM codes:", what);
	for (int i = 0; i < 64; i++)
		if (t->codes[i] != 0)
			printf(" %s=%lu", pam_strerror(NULL, i), t->codes[i]);
	printf("\n");
	fflush(stdout);
}

/* Show a mutant that broke the oracle (escaped, cut), then fail. */
static void fail_with(const char *why, unsigned long i, const char *what, const struct buf *b,
		      int rv)
{
	fprintf(stderr, "mutant %lu (%s, %zu bytes, PAM code %d): %s\n", i, what, b->len, rv, why);
	for (size_t k = 0; k < b->len && k < 2048; k++) {
		unsigned char c = (unsigned char)b->p[k];

		if (c == '\n' || (c >= 0x20 && c < 0x7f && c != '\\'))
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\n-- end of mutant\n");
	fail_msg("%s (mutant %lu, %s)", why, i, what);
}

/* ---- the runs ----------------------------------------------------------------- */

static unsigned long mutations(void)
{
	return hard_env_ulong("SLS_MUTATIONS", MUTATIONS_DEFAULT);
}

/*
 * The time each of the two parts may take: half of SLS_MUTATE_SECONDS, by
 * default of MUTATE_SECONDS_DEFAULT (make check on a busy machine); 0: no
 * bound.
 */
static bool out_of_time(time_t started)
{
	unsigned long limit = hard_env_ulong("SLS_MUTATE_SECONDS", MUTATE_SECONDS_DEFAULT) / 2;

	return limit != 0 && (unsigned long)(time(NULL) - started) >= limit;
}

/*
 * One login with the original's right answer: its PAM code, checked to be
 * one. pam_wrapper copies every pam_syslog line to stderr: 20,000 of them
 * would bury the test's own output, so stderr is /dev/null meanwhile.
 */
static int login(const struct subject *s)
{
	const struct answer a[] = {{s->kind, NULL}, END};
	int rv, saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	assert_true(saved >= 0 && null >= 0 && dup2(null, 2) == 2);
	rv = env_login_direct("sls", s->name, a);
	assert_true(dup2(saved, 2) == 2 && close(saved) == 0 && close(null) == 0);
	assert_true(rv >= 0 && rv < 64);
	return rv;
}

/* Count mutant b of orig into t: it loaded (rc), the login's PAM code rv. */
static void count(struct tally *t, const struct buf *b, const char *orig, enum sls_rc rc, int rv)
{
	t->mutants++;
	t->codes[rv]++;
	t->identical += b->len == strlen(orig) && memcmp(b->p, orig, b->len) == 0;
	t->loaded += rc == SLS_OK;
	t->succeeded += rv == PAM_SUCCESS;
}

static void check_enrolment_mutant(const struct subject *s, unsigned long i, const char *what,
				   const struct buf *b, struct tally *t)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	time_t before, after;
	enum sls_rc rc;
	int rv, at;

	assert_non_null(u);
	store_write("users", s->name, b->p, b->len);
	store_unlink("state", s->name);
	before = time(NULL);
	rc = load(s->name, u, NULL);
	rv = login(s);
	after = time(NULL);
	count(t, b, s->enrolment, rc, rv);
	at = rc == SLS_OK ? find_same(u, &s->user->devices[0], before) : -1;
	t->same += at >= 0;
	if (rv == PAM_SUCCESS && rc != SLS_OK)
		fail_with("let in with an enrolment that does not load", i, what, b, rv);
	if (rv == PAM_SUCCESS && find_same(u, &s->user->devices[0], after) < 0)
		fail_with("let in without the original device", i, what, b, rv);
	/* the original device alone, as it was: no menu, its answer is right */
	if (at >= 0 && u->ndevices == 1 && rv != PAM_SUCCESS)
		fail_with("refused the original device", i, what, b, rv);
	sls_user_clear(u);
	free(u);
}

static void check_state_mutant(const struct subject *s, unsigned long i, const char *what,
			       const struct buf *b, struct tally *t)
{
	struct sls_state *st = calloc(1, sizeof(*st));
	const struct sls_device *d = &s->user->devices[0];
	time_t before, after;
	enum sls_rc rc;
	int rv;

	assert_non_null(st);
	store_write("state", s->name, b->p, b->len);
	before = time(NULL);
	rc = load(s->name, NULL, st);
	rv = login(s);
	after = time(NULL);
	count(t, b, s->state, rc, rv);
	/* the code is of a step between those of before and after */
	t->same += rc == SLS_OK && state_lets_in(st, d, before, sls_totp_step(before, 30));
	if (rv == PAM_SUCCESS && rc != SLS_OK)
		fail_with("let in with a state that does not load", i, what, b, rv);
	/* a lock that ends while the login runs may let it in: judge at its end */
	if (rv == PAM_SUCCESS && !state_lets_in(st, d, after, sls_totp_step(after, 30)))
		fail_with("let in though the state locks the user or used the code", i, what, b,
			  rv);
	if (rc == SLS_OK && state_lets_in(st, d, before, sls_totp_step(before, 30)) &&
	    rv != PAM_SUCCESS)
		fail_with("refused though the state lets the device in", i, what, b, rv);
	sls_state_clear(st);
	free(st);
}

static void run(bool state, const char *what)
{
	unsigned long n = mutations(), i;
	struct tally t;
	struct buf b = {0};
	char ops[64];
	time_t started = time(NULL);

	memset(&t, 0, sizeof(t));
	setup_subjects();
	hard_rand_stream(what); /* from the seed main printed */
	for (i = 0; i < n && !out_of_time(started); i++) {
		const struct subject *s = &subjects[i % NSUBJECTS];

		mutate(state ? s->state : s->enrolment, &b, ops, sizeof(ops));
		if (state) {
			store_write("users", s->name, s->enrolment, strlen(s->enrolment));
			check_state_mutant(s, i, ops, &b, &t);
		} else {
			check_enrolment_mutant(s, i, ops, &b, &t);
		}
	}
	/* the valid files back: the right answer still lets each user in */
	for (size_t k = 0; k < NSUBJECTS; k++) {
		const struct subject *s = &subjects[k];
		const struct answer a[] = {{s->kind, NULL}, END};

		store_write("users", s->name, s->enrolment, strlen(s->enrolment));
		store_write("state", s->name, s->state, strlen(s->state));
		assert_int_equal(env_login_direct("sls", s->name, a), PAM_SUCCESS);
	}
	printf("# %s: %lu s%s\n", what, (unsigned long)(time(NULL) - started),
	       i < n ? ", stopped at the time bound (SLS_MUTATE_SECONDS)" : "");
	report(what, &t);
	free(b.p);
	/* the oracle was put to work: some mutants let in, some not */
	assert_true(t.succeeded > 0 || n < 100);
	assert_true(t.succeeded < t.mutants || n < 100);
}

static void test_enrolment_mutants(void **unused)
{
	(void)unused;
	run(false, "enrolment");
}

static void test_state_mutants(void **unused)
{
	(void)unused;
	run(true, "state");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enrolment_mutants),
	    cmocka_unit_test(test_state_mutants),
	};
	unsigned long long seed;

	env_init(argc, argv);
	env_child(argc, argv);
	seed = hard_test_seed();
	printf("# seed %llu (SLS_TEST_SEED=%llu replays), %lu mutants of each file\n", seed, seed,
	       mutations());
	fflush(stdout);
	return cmocka_run_group_tests_name("file mutations through pam_sls.so", tests, NULL, NULL);
}
