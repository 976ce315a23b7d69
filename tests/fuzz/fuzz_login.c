/*
 * pam_sls - libFuzzer harness for the login itself (issue 16): the common
 * login flow (sls_flow_login, what the module runs after it read the
 * files) over a store of its own whose enrolment and state files the
 * fuzzer writes, through a scripted UI whose replies the fuzzer chooses.
 *
 * The input is parts separated by "|%|":
 *
 *	HEADER |%| ENROLMENT |%| STATE |%| REPLY |%| REPLY ...
 *
 * HEADER holds words: "deny=N" (1..20), "min=N" (min_level), "types=N"
 * (the devices= mask), "timeout=N" (challenge_timeout). ENROLMENT and
 * STATE are the files' bytes as written to the store ("-" for STATE: no
 * state file). Each REPLY answers one prompt, in order: its bytes (an
 * embedded NUL ends it, as in a C string), or "%R" the right answer for
 * the prompt as this harness computes it, "%N" the conversation fails,
 * "%B" a reply of 64 KiB, "%S0".."%S2" the known scratch codes, "%T" the
 * known temporary passcode. No reply left: the conversation fails.
 *
 * The oracle: the flow returns SLS_VERDICT_SUCCESS only when the harness's
 * own parse of both files succeeds, the user is not locked, and a reply
 * was right for the prompt it answered, by the harness's own computation
 * from the parsed enrolment: a TOTP code of an active totp device within
 * one step of the time the prompt was shown, the OCRA response of an
 * active ibkey or dsc device to the challenge the prompt shows, the card
 * codes at the positions the prompt names, or a known scratch code or
 * temporary passcode with an active device of its type. Besides: no right
 * answer may reach a log entry or a message, and every verdict is one of
 * the enum's. The seed corpus (tests/fuzz/corpus/login) holds one user with
 * each device type; sms is not in this store's list of types (it would run
 * a sender per input).
 *
 * fsync is a no-op in this program, and as root the store is a tmpfs: it
 * tests the flow's logic, not durability (tests/hard tests crashes); every
 * write is still a real atomic replace in a real directory.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sls.h"
#include "sls_card.h"
#include "sls_ocra.h"
#include "sls_otp.h"
#include "harness.h"

#define SEP       "|%|"
#define MAXPARTS  16
#define MAXRIGHT  16
#define LOGKEEP   65536
#define BIG_REPLY 65536

/* The codes the seed corpus's scratch and tempcode devices were made with. */
static const char *const scratch_codes[] = {"12345678", "23456789", "34567890"};
static const char known_tempcode[] = "8RPWV4YNQ7U2";

static const struct sls_devtype *const fuzz_list[] = {&sls_devtype_ibkey,    &sls_devtype_dsc,
						      &sls_devtype_totp,     &sls_devtype_card,
						      &sls_devtype_tempcode, &sls_devtype_scratch};
static const struct sls_devtypes fuzz_types = {fuzz_list, sizeof(fuzz_list) / sizeof(fuzz_list[0])};

/* ---- what the program replaces of libc --------------------------------------------- */

int fsync(int fd)
{
	(void)fd;
	return 0;
}

int fdatasync(int fd)
{
	(void)fd;
	return 0;
}

/* Everything the log sends (journal entries): kept to look for answers in it. */
static char logged[LOGKEEP];
static size_t nlogged;

static void keep_log(const void *data, size_t len)
{
	if (len > sizeof(logged) - nlogged - 1)
		len = sizeof(logged) - nlogged - 1;
	memcpy(logged + nlogged, data, len);
	nlogged += len;
	logged[nlogged] = '\0';
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	(void)fd;
	(void)flags;
	(void)to;
	(void)tolen;
	keep_log(buf, len);
	return (ssize_t)len;
}

static void log_fallback(void *arg, int priority, const char *line)
{
	(void)arg;
	(void)priority;
	keep_log(line, strlen(line));
}

/* ---- the store ---------------------------------------------------------------------- */

static char sandbox[PATH_MAX];
static struct sls_store store;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_sandbox(void)
{
	sls_store_close(&store);
	nftw(sandbox, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A store under TMPDIR (root: /run/sls-tests, which pam_sls accepts), made once. */
static void store_init(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX + 16];

	if (sandbox[0] != '\0')
		return;
	snprintf(sandbox, sizeof(sandbox), "%s/sls-fuzz-login.XXXXXX",
		 tmp != NULL && tmp[0] == '/' ? tmp : "/run");
	if (mkdtemp(sandbox) == NULL || chmod(sandbox, 0755) != 0) {
		perror(sandbox);
		abort();
	}
	/*
	 * As root, the store lives on a tmpfs of a mount namespace of its own
	 * (a rename on ext4 costs more than the rest of a login); otherwise
	 * where it is.
	 */
	if (geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		mount("sls-fuzz", sandbox, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m");
	snprintf(path, sizeof(path), "%s/store", sandbox);
	if (sls_store_open(path, geteuid(), true, &store) != SLS_OK) {
		fprintf(stderr, "fuzz_login: no store at %s (its parents must be root's, 0755)\n",
			path);
		abort();
	}
	store.types = &fuzz_types;
	atexit(remove_sandbox);
}

/* ---- the input ---------------------------------------------------------------------- */

struct part {
	const uint8_t *p;
	size_t n;
};

static size_t split(const uint8_t *data, size_t size, struct part *parts)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; n < MAXPARTS - 1 && i + 3 <= size; i++)
		if (memcmp(data + i, SEP, 3) == 0) {
			parts[n++] = (struct part){data + start, i - start};
			start = i + 3;
			i += 2;
		}
	parts[n++] = (struct part){data + start, size - start};
	return n;
}

static bool part_is(const struct part *p, const char *word)
{
	return p->n == strlen(word) && memcmp(p->p, word, p->n) == 0;
}

/* "word=N" in the header, N clamped to lo..hi; def when absent. */
static unsigned header_num(const char *header, const char *word, unsigned lo, unsigned hi,
			   unsigned def)
{
	const char *at = strstr(header, word);
	unsigned long v;

	if (at == NULL)
		return def;
	v = strtoul(at + strlen(word), NULL, 10);
	return v < lo ? lo : v > hi ? hi : (unsigned)v;
}

/* ---- the oracle's own answers ----------------------------------------------------------- */

struct fuzz {
	struct part *replies;
	size_t nreplies, next;
	const struct sls_user *parsed; /* the harness's parse of ENROLMENT, or NULL */
	int min_level;                 /* the flow's min_level and type_mask */
	unsigned type_mask;
	/* every right answer computed for a prompt, and every reply given */
	char right[MAXRIGHT][SLS_ANSWER_MAX + 1];
	size_t nright;
	bool reply_right; /* a reply equalled a right answer of its prompt */
	char said[4096];
	size_t nsaid;
};

/* A device the login may ask: active, unexpired, of min_level, in devices=. */
static bool active(const struct fuzz *fz, const struct sls_device *d,
		   const struct sls_devtype *type)
{
	unsigned bit = sls_devtype_bit(&fuzz_types, type);

	return d->type == type && d->status == SLS_STATUS_ACTIVE &&
	       (d->expires == 0 || d->expires > time(NULL)) && d->level >= fz->min_level &&
	       (fz->type_mask == 0 || (fz->type_mask & bit) != 0);
}

static void add_right(struct fuzz *fz, const char *answer)
{
	size_t n = strlen(answer);

	if (fz->nright < MAXRIGHT && n > 0 && n < sizeof(fz->right[0]))
		memcpy(fz->right[fz->nright++], answer, n + 1);
}

/* The challenge "Challenge: 123456" or the positions "positions 17 and 45" a prompt shows. */
static bool prompt_challenge(const char *prompt, char *out, size_t size)
{
	const char *at = strstr(prompt, "Challenge: ");
	size_t n = 0;

	if (at == NULL)
		return false;
	at += strlen("Challenge: ");
	while (at[n] != '\0' && at[n] != '\n' && n + 1 < size) {
		out[n] = at[n];
		n++;
	}
	out[n] = '\0';
	return n > 0;
}

static bool prompt_positions(const char *prompt, unsigned *a, unsigned *b)
{
	const char *at = strstr(prompt, "positions ");

	return at != NULL && sscanf(at, "positions %u and %u", a, b) == 2;
}

/*
 * The right answers to prompt, by the harness's parse of the enrolment:
 * into fz->right (from index first on), for the oracle and for "%R".
 */
static size_t compute_right(struct fuzz *fz, const char *prompt)
{
	const struct sls_user *u = fz->parsed;
	size_t first = fz->nright;
	char challenge[160], out[160], c1[16], c2[16];
	unsigned pa, pb;
	time_t now = time(NULL);

	if (u == NULL)
		return first;
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct sls_device *d = &u->devices[i];

		if ((active(fz, d, &sls_devtype_ibkey) || active(fz, d, &sls_devtype_dsc)) &&
		    prompt_challenge(prompt, challenge, sizeof(challenge))) {
			struct sls_ocra_input in = {.question = challenge,
						    .pin_hash = d->u.ocra.pin_hash,
						    .pin_hash_len = d->u.ocra.pin_hash_len};

			if (sls_ocra_compute(&d->u.ocra.suite, d->secret, d->secret_len, &in, out,
					     sizeof(out)) == SLS_OK)
				add_right(fz, out);
		}
		if (active(fz, d, &sls_devtype_card) && prompt_positions(prompt, &pa, &pb) &&
		    sls_card_code(d, pa, c1, sizeof(c1)) == SLS_OK &&
		    sls_card_code(d, pb, c2, sizeof(c2)) == SLS_OK) {
			snprintf(out, sizeof(out), "%s%s", c1, c2);
			add_right(fz, out);
		}
		if (active(fz, d, &sls_devtype_totp) && d->u.totp.period > 0 &&
		    strstr(prompt, "Challenge: ") == NULL && strstr(prompt, "positions ") == NULL)
			/* one step either side, and the next in case the step turns meanwhile */
			for (int k = -1; k <= 2; k++)
				if (sls_totp(d->u.totp.hash, d->secret, d->secret_len,
					     now + (time_t)k * (time_t)d->u.totp.period,
					     d->u.totp.period, d->u.totp.digits, out,
					     sizeof(out)) == SLS_OK)
					add_right(fz, out);
		if (active(fz, d, &sls_devtype_scratch))
			for (size_t k = 0; k < 3; k++)
				add_right(fz, scratch_codes[k]);
		if (active(fz, d, &sls_devtype_tempcode))
			add_right(fz, known_tempcode);
	}
	sls_wipe(out, sizeof(out));
	return first;
}

/* The reply as the flow takes it: no spaces or dashes, letters in either case. */
static bool same_answer(const char *reply, const char *right)
{
	size_t j = 0;

	for (size_t i = 0; reply[i] != '\0'; i++) {
		if (reply[i] == ' ' || reply[i] == '-')
			continue;
		if (right[j] == '\0' ||
		    toupper((unsigned char)reply[i]) != toupper((unsigned char)right[j]))
			return false;
		j++;
	}
	return right[j] == '\0';
}

/* ---- the scripted UI ----------------------------------------------------------------------- */

static enum sls_rc fuzz_ask(void *ctx, const char *prompt, char **reply)
{
	struct fuzz *fz = ctx;
	struct part *r;
	size_t first, n;
	char *text;

	*reply = NULL;
	first = compute_right(fz, prompt);
	if (fz->next >= fz->nreplies)
		return SLS_ERR_CONV;
	r = &fz->replies[fz->next++];
	if (part_is(r, "%N"))
		return SLS_ERR_CONV;
	if (part_is(r, "%B")) {
		text = malloc(BIG_REPLY + 1);
		if (text == NULL)
			abort();
		memset(text, '7', BIG_REPLY);
		text[BIG_REPLY] = '\0';
	} else {
		const char *src = (const char *)r->p;

		n = r->n;
		if (part_is(r, "%R"))
			src = first < fz->nright ? fz->right[first] : "";
		else if (r->n == 3 && memcmp(r->p, "%S", 2) == 0 && r->p[2] >= '0' &&
			 r->p[2] <= '2')
			src = scratch_codes[r->p[2] - '0'];
		else if (part_is(r, "%T"))
			src = known_tempcode;
		if (src != (const char *)r->p)
			n = strlen(src);
		text = malloc(n + 1);
		if (text == NULL)
			abort();
		memcpy(text, src, n);
		text[n] = '\0';
	}
	for (size_t i = first; i < fz->nright; i++)
		if (same_answer(text, fz->right[i]))
			fz->reply_right = true;
	*reply = text;
	return SLS_OK;
}

static void fuzz_say(void *ctx, enum sls_say_kind kind, const char *text)
{
	struct fuzz *fz = ctx;
	size_t n = strlen(text);

	(void)kind;
	if (n > sizeof(fz->said) - fz->nsaid - 1)
		n = sizeof(fz->said) - fz->nsaid - 1;
	memcpy(fz->said + fz->nsaid, text, n);
	fz->nsaid += n;
	fz->said[fz->nsaid] = '\0';
}

/* ---- one input ------------------------------------------------------------------------------ */

static void write_file(int dirfd, const struct part *p)
{
	if (part_is(p, "-")) {
		unlinkat(dirfd, "fuzz", 0);
		return;
	}
	if (sls_file_replace(dirfd, "fuzz", p->p, p->n, 0600) != SLS_OK)
		abort();
}

/* The harness's own parse of a file's bytes (NULL: it does not parse). */
static bool parse_user(const struct part *p, struct sls_user *u)
{
	char *text = fuzz_text(p->p, p->n);
	bool ok = memchr(p->p, '\0', p->n) == NULL &&
		  sls_user_parse_types(text, &fuzz_types, u, NULL) == SLS_OK;

	sls_free_secret(text, p->n + 1);
	return ok;
}

static bool parse_state(const struct part *p, struct sls_state *st)
{
	char *text;
	bool ok;

	if (part_is(p, "-")) {
		memset(st, 0, sizeof(*st));
		return true;
	}
	text = fuzz_text(p->p, p->n);
	ok = memchr(p->p, '\0', p->n) == NULL && sls_state_parse(text, st, NULL) == SLS_OK;
	sls_free_secret(text, p->n + 1);
	return ok;
}

/*
 * No right answer in a log entry or a message (unless the files hold it
 * as it is, say as a device's name, which the log may name).
 */
static void check_no_answer_shown(const struct fuzz *fz, const struct part *files, size_t nfiles)
{
	for (size_t i = 0; i < fz->nright; i++) {
		size_t n = strlen(fz->right[i]);
		bool in_files = false;

		for (size_t k = 0; k < nfiles; k++)
			in_files |= memmem(files[k].p, files[k].n, fz->right[i], n) != NULL;
		if (n >= 6 && !in_files &&
		    (strstr(logged, fz->right[i]) != NULL ||
		     strstr(fz->said, fz->right[i]) != NULL))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part parts[MAXPARTS];
	struct sls_user *mine = calloc(1, sizeof(*mine)), *u = calloc(1, sizeof(*u));
	struct sls_state *mine_st = calloc(1, sizeof(*mine_st)), *st = calloc(1, sizeof(*st));
	struct fuzz *fz = calloc(1, sizeof(*fz));
	struct sls_config conf;
	struct sls_log_ctx log = {.ident = "fuzz_login", .service = "fuzz", .user = "fuzz"};
	struct sls_ui ui = {.ask = fuzz_ask, .say = fuzz_say, .plain_challenge = true};
	struct sls_outcome out;
	enum sls_verdict v;
	size_t nparts;
	char header[128];
	bool parsed_user, parsed_state;

	if (mine == NULL || u == NULL || mine_st == NULL || st == NULL || fz == NULL)
		abort();
	store_init();
	nparts = split(data, size, parts);
	if (nparts < 3)
		goto done;
	snprintf(header, sizeof(header), "%.*s", (int)(parts[0].n < 127 ? parts[0].n : 127),
		 (const char *)parts[0].p);
	sls_config_defaults(&conf);
	conf.deny = header_num(header, "deny=", 1, 20, 3);
	conf.challenge_timeout = header_num(header, "timeout=", 0, 600, 0);
	nlogged = 0;
	logged[0] = '\0';
	log.fallback = log_fallback;

	write_file(store.users_fd, &parts[1]);
	write_file(store.state_fd, &parts[2]);
	parsed_user = parse_user(&parts[1], mine);
	parsed_state = parse_state(&parts[2], mine_st);
	fz->parsed = parsed_user ? mine : NULL;
	fz->min_level = (int)header_num(header, "min=", 0, 4, 0);
	fz->type_mask = header_num(header, "types=", 0, 0xffff, 0);
	fz->replies = parts + 3;
	fz->nreplies = nparts - 3;
	ui.ctx = fz;

	/* what the module does: read both files, a refusal of either is a denial */
	if (sls_userdb_load_user(&store, "fuzz", geteuid(), u, NULL) != SLS_OK ||
	    sls_userdb_load_state(&store, "fuzz", geteuid(), st, NULL) != SLS_OK)
		goto done;
	/* what the harness read must be what the store read */
	if (!parsed_user || !parsed_state)
		abort();
	{
		struct sls_flow flow = {.conf = &conf,
					.store = &store,
					.owner = geteuid(),
					.user = "fuzz",
					.ui = &ui,
					.log = &log,
					.min_level = fz->min_level,
					.type_mask = fz->type_mask};

		v = sls_flow_login(&flow, u, st, &out);
	}
	switch (v) {
	case SLS_VERDICT_SUCCESS:
		if (!fz->reply_right || mine_st->locked_until > time(NULL))
			abort();
		break;
	case SLS_VERDICT_WRONG:
	case SLS_VERDICT_LOCKED:
	case SLS_VERDICT_NO_DEVICE:
	case SLS_VERDICT_REFUSED:
	case SLS_VERDICT_CONV:
	case SLS_VERDICT_UNAVAILABLE:
	case SLS_VERDICT_ERROR:
		break;
	default:
		abort();
	}
	check_no_answer_shown(fz, parts + 1, 2);
	/* the seed corpus's check (corpus.test): which verdict an input reached */
	if (getenv("FUZZ_LOGIN_SHOW") != NULL)
		fprintf(stderr, "fuzz_login: verdict %d\n", (int)v);
done:
	sls_user_clear(mine);
	sls_user_clear(u);
	sls_state_clear(mine_st);
	sls_state_clear(st);
	sls_free_secret(fz, sizeof(*fz));
	free(mine);
	free(u);
	free(mine_st);
	free(st);
	return 0;
}
