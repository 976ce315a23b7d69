/* pam_sls - the state file STORE/state/USER: parse, serialize, failure counting. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_phone.h"
#include "sls_secret.h"
#include "sls_state.h"

#define FAILURES_PER_LINE   10 /* keep lines well under SLS_INI_LINE_MAX */
#define CHALLENGES_PER_LINE 20
#define CHALLENGE_LIMIT     1000000u /* 10^SLS_CHALLENGE_DIGITS */

/* Two distinct positions of a security code card. */
static bool card_pair_ok(unsigned a, unsigned b)
{
	return a >= 1 && a <= 100 && b >= 1 && b <= 100 && a != b;
}

void sls_state_clear(struct sls_state *state)
{
	sls_wipe(state, sizeof(*state));
}

/* The index of name's entry, or SLS_DEVICES_MAX when it has none. */
static size_t state_index(const struct sls_state *state, const char *name)
{
	for (size_t i = 0; i < state->ndevices && i < SLS_DEVICES_MAX; i++) {
		if (strcmp(state->devices[i].name, name) == 0)
			return i;
	}
	return SLS_DEVICES_MAX;
}

static struct sls_device_state *state_find(struct sls_state *state, const char *name)
{
	size_t i = state_index(state, name);

	return i < SLS_DEVICES_MAX ? &state->devices[i] : NULL;
}

/* Whether entry ds (of d's name) is d's: the same created, or none recorded. */
static bool is_of(const struct sls_device_state *ds, const struct sls_device *d)
{
	return ds->created == 0 || ds->created == d->created;
}

const struct sls_device_state *sls_state_find(const struct sls_state *state,
					      const struct sls_device *d)
{
	size_t i = state_index(state, d->name);

	return i < SLS_DEVICES_MAX && is_of(&state->devices[i], d) ? &state->devices[i] : NULL;
}

bool sls_device_state_used(const struct sls_device_state *ds, uint32_t challenge)
{
	bool found = false;

	for (size_t i = 0; i < ds->nused && i < SLS_USED_CHALLENGES_MAX; i++)
		found |= ds->used[i] == challenge;
	return found;
}

void sls_device_state_add_used(struct sls_device_state *ds, uint32_t challenge)
{
	if (ds->nused >= SLS_USED_CHALLENGES_MAX) {
		memmove(ds->used, ds->used + 1,
			(SLS_USED_CHALLENGES_MAX - 1) * sizeof(ds->used[0]));
		ds->nused = SLS_USED_CHALLENGES_MAX - 1;
	}
	ds->used[ds->nused++] = challenge;
}

/* "NNNNNN": exactly SLS_CHALLENGE_DIGITS digits. */
bool sls_challenge_parse(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n != SLS_CHALLENGE_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool has_device(const struct sls_user *user, const char *name)
{
	for (size_t i = 0; i < user->ndevices; i++)
		if (strcmp(user->devices[i].name, name) == 0)
			return true;
	return false;
}

/* Whether entry ds belongs to a device of user. */
static bool has_owner(const struct sls_user *user, const struct sls_device_state *ds)
{
	for (size_t i = 0; i < user->ndevices; i++)
		if (strcmp(user->devices[i].name, ds->name) == 0 && is_of(ds, &user->devices[i]))
			return true;
	return false;
}

enum sls_rc sls_state_note_success(struct sls_state *state, const struct sls_device *device,
				   const struct sls_attempt *a, uint64_t step, time_t now)
{
	/* a device in no file (created 0: the phone standing in) keeps no entry of its own */
	struct sls_device_state *ds = device->created == 0 ? NULL : sls_state_device(state, device);
	enum sls_rc rc;

	if (ds == NULL && device->created != 0)
		return SLS_ERR_TOOBIG;
	if (device->type->record != NULL) {
		rc = device->type->record(device, state, ds, a, step);
		if (rc != SLS_OK)
			return rc;
	}
	if (ds != NULL)
		ds->last_used = now;
	state->nfailures = 0;
	memset(state->failures, 0, sizeof(state->failures));
	state->locked_until = 0;
	if (ds != NULL)
		snprintf(state->last_device, sizeof(state->last_device), "%s", device->name);
	return SLS_OK;
}

bool sls_state_note_failure(struct sls_state *state, time_t now, unsigned window, unsigned deny,
			    unsigned unlock_time)
{
	if (sls_state_add_failure(state, now, (time_t)window) < deny)
		return false;
	state->locked_until = now + (time_t)unlock_time;
	return true;
}

void sls_state_take_back(struct sls_state *state, time_t at, time_t lock_set)
{
	for (size_t i = state->nfailures; i > 0; i--) {
		if (state->failures[i - 1] != at)
			continue;
		memmove(state->failures + i - 1, state->failures + i,
			(state->nfailures - i) * sizeof(state->failures[0]));
		state->failures[--state->nfailures] = 0;
		break;
	}
	if (lock_set != 0 && state->locked_until == lock_set)
		state->locked_until = 0;
}

void sls_state_prune(struct sls_state *state, const struct sls_user *user)
{
	size_t kept = 0;

	for (size_t i = 0; i < state->ndevices; i++) {
		if (!has_owner(user, &state->devices[i]))
			continue;
		if (kept != i)
			state->devices[kept] = state->devices[i];
		kept++;
	}
	for (size_t i = kept; i < state->ndevices; i++)
		memset(&state->devices[i], 0, sizeof(state->devices[i]));
	state->ndevices = kept;
	if (!has_device(user, state->last_device))
		memset(state->last_device, 0, sizeof(state->last_device));
}

struct sls_device_state *sls_state_device(struct sls_state *state, const struct sls_device *d)
{
	struct sls_device_state *ds = state_find(state, d->name);

	if (ds == NULL) {
		if (state->ndevices >= SLS_DEVICES_MAX ||
		    !sls_name_ok(d->name, SLS_DEVICE_NAME_MAX))
			return NULL;
		ds = &state->devices[state->ndevices++];
	} else if (is_of(ds, d)) {
		ds->created = d->created; /* an entry written before created was kept */
		return ds;
	}
	/* new, or what an earlier device of this name left: start afresh */
	memset(ds, 0, sizeof(*ds));
	snprintf(ds->name, sizeof(ds->name), "%s", d->name);
	ds->created = d->created;
	return ds;
}

/* t lies in (now - window, now]; no overflow whatever the values. */
static bool in_window(time_t t, time_t now, time_t window)
{
	return t <= now && window > 0 && (uint64_t)now - (uint64_t)t < (uint64_t)window;
}

size_t sls_state_count_failures(const struct sls_state *state, time_t now, time_t window)
{
	size_t n = 0;

	for (size_t i = 0; i < state->nfailures && i < SLS_FAILURES_MAX; i++)
		n += in_window(state->failures[i], now, window);
	return n;
}

size_t sls_state_add_failure(struct sls_state *state, time_t now, time_t window)
{
	size_t kept = 0, i;

	/* drop what has left the window; times after now (a clock set back) stay */
	for (i = 0; i < state->nfailures && i < SLS_FAILURES_MAX; i++) {
		time_t t = state->failures[i];

		if (t > now || in_window(t, now, window))
			state->failures[kept++] = t;
	}
	state->nfailures = kept;
	if (state->nfailures == SLS_FAILURES_MAX) {
		memmove(state->failures, state->failures + 1,
			(SLS_FAILURES_MAX - 1) * sizeof(state->failures[0]));
		state->nfailures--;
	}
	/* insert in order, so that the list stays ascending */
	for (i = state->nfailures; i > 0 && state->failures[i - 1] > now; i--)
		state->failures[i] = state->failures[i - 1];
	state->failures[i] = now;
	state->nfailures++;
	/* unused slots stay zero, as after a parse */
	memset(state->failures + state->nfailures, 0,
	       (SLS_FAILURES_MAX - state->nfailures) * sizeof(state->failures[0]));
	return sls_state_count_failures(state, now, window);
}

/* ---- parser ---------------------------------------------------------------- */

enum state_section { SEC_NONE, SEC_STATE, SEC_DEVICE };

struct state_parse {
	struct sls_state *state;
	enum state_section section;
	bool seen_state;
	int section_line;
	struct sls_device_state *dev;
	unsigned seen; /* one bit per key of the section's table */
};

/* A key handler returns NULL, or why the value is bad (never the value itself). */
typedef const char *(*state_key_fn)(struct state_parse *p, const char *value);

/* The same for a key of a code sent to a phone: the state's sms or phone code. */
typedef const char *(*code_key_fn)(struct sls_pending_code *c, const char *value);

struct state_key {
	const char *name;
	state_key_fn parse; /* or: */
	code_key_fn code;   /* for the struct sls_pending_code at code_at in the state */
	size_t code_at;
};

/* One line of failures: "T,T,...", appended; ascending across lines too. */
static const char *st_failures(struct state_parse *p, const char *v)
{
	struct sls_state *s = p->state;
	char num[24];

	while (*v != '\0') {
		size_t n = strcspn(v, ",");
		time_t t;

		if (n >= sizeof(num))
			return "bad time";
		memcpy(num, v, n);
		num[n] = '\0';
		if (!sls_ini_parse_time(num, false, &t))
			return "bad time";
		if (s->nfailures >= SLS_FAILURES_MAX)
			return "too many failures";
		if (s->nfailures > 0 && t < s->failures[s->nfailures - 1])
			return "times not ascending";
		s->failures[s->nfailures++] = t;
		v += n;
		if (*v == ',' && *++v == '\0')
			return "bad time";
	}
	return NULL;
}

static const char *st_locked_until(struct state_parse *p, const char *v)
{
	return sls_ini_parse_time(v, false, &p->state->locked_until) ? NULL : "bad time";
}

static const char *st_last_device(struct state_parse *p, const char *v)
{
	if (*v != '\0' && !sls_name_ok(v, SLS_DEVICE_NAME_MAX))
		return "not a valid device name";
	snprintf(p->state->last_device, sizeof(p->state->last_device), "%s", v);
	return NULL;
}

static const char *pc_sent(struct sls_pending_code *c, const char *v)
{
	return sls_ini_parse_time(v, false, &c->sent) ? NULL : "bad time";
}

static const char *pc_called(struct sls_pending_code *c, const char *v)
{
	return sls_ini_parse_time(v, false, &c->called) ? NULL : "bad time";
}

static const char *pc_expires(struct sls_pending_code *c, const char *v)
{
	return sls_ini_parse_time(v, false, &c->expires) ? NULL : "bad time";
}

static const char *pc_salt(struct sls_pending_code *c, const char *v)
{
	return sls_ini_parse_hex(v, c->salt, sizeof(c->salt)) == SLS_OK ? NULL
									: "not 32 hex digits";
}

static const char *pc_hash(struct sls_pending_code *c, const char *v)
{
	if (sls_ini_parse_hex(v, c->hash, sizeof(c->hash)) != SLS_OK)
		return "not 64 hex digits";
	c->pending = true;
	return NULL;
}

static const char *st_phone_pending(struct state_parse *p, const char *v)
{
	if (!sls_phone_ok(v) || v[0] == '\0')
		return "not '+' and 6 to 15 digits";
	snprintf(p->state->phone_pending, sizeof(p->state->phone_pending), "%s", v);
	return NULL;
}

static const char *st_totp_last_step(struct state_parse *p, const char *v)
{
	return sls_ini_parse_u64(v, UINT64_MAX, &p->dev->totp_last_step) ? NULL : "bad number";
}

static const char *st_last_used(struct state_parse *p, const char *v)
{
	return sls_ini_parse_time(v, false, &p->dev->last_used) ? NULL : "bad time";
}

static const char *st_created(struct state_parse *p, const char *v)
{
	return sls_ini_parse_time(v, true, &p->dev->created) ? NULL : "bad time";
}

/* "17,45": two distinct positions of a card, 1..100. */
static const char *st_card_pair(struct state_parse *p, const char *v)
{
	const char *comma = strchr(v, ',');
	char first[4];
	uint64_t a, b;

	if (comma == NULL || comma == v || (size_t)(comma - v) >= sizeof(first))
		return "not two distinct positions 1 to 100";
	memcpy(first, v, (size_t)(comma - v));
	first[comma - v] = '\0';
	if (!sls_ini_parse_u64(first, 100, &a) || !sls_ini_parse_u64(comma + 1, 100, &b) ||
	    !card_pair_ok((unsigned)a, (unsigned)b))
		return "not two distinct positions 1 to 100";
	p->dev->card_pair[0] = (unsigned char)a;
	p->dev->card_pair[1] = (unsigned char)b;
	return NULL;
}

/* One line of used challenges: "NNNNNN,NNNNNN,...", appended. */
static const char *st_challenges(struct state_parse *p, const char *v)
{
	struct sls_device_state *d = p->dev;

	if (*v == '\0') /* never written: a device with none has no such key */
		return "not a 6-digit challenge";
	while (*v != '\0') {
		size_t n = strcspn(v, ",");

		if (d->nused >= SLS_USED_CHALLENGES_MAX)
			return "too many challenges";
		if (!sls_challenge_parse(v, n, &d->used[d->nused]))
			return "not a 6-digit challenge";
		d->nused++;
		v += n;
		if (*v == ',' && *++v == '\0')
			return "not a 6-digit challenge";
	}
	return NULL;
}

#define SK_FAILURES   0
#define DK_CHALLENGES 2

/* The four keys of a code sent to a phone (sls_pending_code at field of the state). */
#define CODE_KEY(key, fn, field)                                                                   \
	{                                                                                          \
		.name = key, .code = fn, .code_at = offsetof(struct sls_state, field)              \
	}

static const struct state_key state_keys[] = {
    [SK_FAILURES] = {.name = "failures", .parse = st_failures},
    {.name = "locked_until", .parse = st_locked_until},
    {.name = "last_device", .parse = st_last_device},
    CODE_KEY("sms_sent", pc_sent, sms),
    CODE_KEY("sms_expires", pc_expires, sms),
    CODE_KEY("sms_salt", pc_salt, sms),
    CODE_KEY("sms_code_hash", pc_hash, sms),
    CODE_KEY("sms_called", pc_called, sms),
    {.name = "phone_pending", .parse = st_phone_pending},
    CODE_KEY("phone_sent", pc_sent, phone),
    CODE_KEY("phone_expires", pc_expires, phone),
    CODE_KEY("phone_salt", pc_salt, phone),
    CODE_KEY("phone_code_hash", pc_hash, phone),
};

static const struct state_key device_keys[] = {
    {.name = "totp_last_step", .parse = st_totp_last_step},
    {.name = "last_used", .parse = st_last_used},
    [DK_CHALLENGES] = {.name = "challenges", .parse = st_challenges},
    {.name = "created", .parse = st_created},
    {.name = "card_pair", .parse = st_card_pair},
};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static bool state_has_device(const void *ctx, const char *name)
{
	return state_index(ctx, name) < SLS_DEVICES_MAX;
}

static enum sls_rc state_device_section(struct state_parse *p, const char *name, int line,
					struct sls_diag *diag)
{
	struct sls_state *s = p->state;
	const struct sls_ini_devices devs = {"state",         p->seen_state,    s->ndevices,
					     SLS_DEVICES_MAX, state_has_device, s};
	char dev[SLS_DEVICE_NAME_MAX + 1];

	if (sls_ini_device_section(name, &devs, dev, SLS_DEVICE_NAME_MAX, line, diag) != SLS_OK)
		return SLS_ERR_FORMAT;
	p->dev = &s->devices[s->ndevices++];
	snprintf(p->dev->name, sizeof(p->dev->name), "%s", dev);
	p->section = SEC_DEVICE;
	return SLS_OK;
}

static enum sls_rc state_on_section(void *ctx, const char *name, int line, struct sls_diag *diag)
{
	struct state_parse *p = ctx;

	p->seen = 0;
	p->section_line = line;
	if (strcmp(name, "state") == 0) {
		if (p->seen_state) {
			sls_diag_set(diag, line, "duplicate section [state]");
			return SLS_ERR_FORMAT;
		}
		p->seen_state = true;
		p->section = SEC_STATE;
		return SLS_OK;
	}
	if (strncmp(name, "device", 6) == 0 && (name[6] == ' ' || name[6] == '\0'))
		return state_device_section(p, name, line, diag);
	sls_diag_set(diag, line, p->seen_state ? "unknown section" : "[state] must come first");
	return SLS_ERR_FORMAT;
}

static enum sls_rc state_on_key(void *ctx, const char *key, const char *value, bool cont, int line,
				struct sls_diag *diag)
{
	struct state_parse *p = ctx;
	const struct state_key *table = p->section == SEC_STATE ? state_keys : device_keys;
	size_t n = p->section == SEC_STATE ? NKEYS(state_keys) : NKEYS(device_keys), i;
	const char *why;

	for (i = 0; i < n && strcmp(key, table[i].name) != 0; i++)
		;
	if (i == n) {
		sls_diag_set(diag, line, "unknown key in [%s]",
			     p->section == SEC_STATE ? "state" : "device");
		return SLS_ERR_FORMAT;
	}
	/* only the lists of failures and challenges may go on over indented lines */
	if (cont && (p->section == SEC_STATE ? i != SK_FAILURES : i != DK_CHALLENGES)) {
		sls_diag_set(diag, line, "continuation line");
		return SLS_ERR_FORMAT;
	}
	if (!cont && (p->seen & (1u << i))) {
		sls_diag_set(diag, line, "duplicate key '%s'", table[i].name);
		return SLS_ERR_FORMAT;
	}
	why = table[i].parse != NULL
		  ? table[i].parse(p, value)
		  : table[i].code((struct sls_pending_code *)((char *)p->state + table[i].code_at),
				  value);
	if (why != NULL) {
		sls_diag_set(diag, line, "key '%s': %s", table[i].name, why);
		return SLS_ERR_FORMAT;
	}
	p->seen |= 1u << i;
	return SLS_OK;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != 0)
			return false;
	return true;
}

/*
 * What the writer never writes is refused: a salt without its code, phone
 * fields without a number being verified. So a file reads back as written.
 */
static const char *pending_consistent(const struct sls_state *s)
{
	if (!s->sms.pending && !all_zero(s->sms.salt, sizeof(s->sms.salt)))
		return "sms_salt without sms_code_hash";
	if (!s->phone.pending && !all_zero(s->phone.salt, sizeof(s->phone.salt)))
		return "phone_salt without phone_code_hash";
	/* phone_sent alone: a confirm code was withdrawn, its time is the rate limit's */
	if (s->phone_pending[0] == '\0' && (s->phone.expires != 0 || s->phone.pending))
		return "phone keys without phone_pending";
	return NULL;
}

static enum sls_rc state_on_end_section(void *ctx, struct sls_diag *diag)
{
	struct state_parse *p = ctx;
	const char *why;

	if (p->section != SEC_STATE || (why = pending_consistent(p->state)) == NULL)
		return SLS_OK;
	sls_diag_set(diag, p->section_line, "[state]: %s", why);
	return SLS_ERR_FORMAT;
}

static const struct sls_ini_ops state_ops = {
    .section = state_on_section,
    .key = state_on_key,
    .end_section = state_on_end_section,
};

/*
 * A text with no section at all (empty, or only blank lines and comments)
 * is the zero state, like an absent file.
 */
enum sls_rc sls_state_parse(const char *buf, struct sls_state *state, struct sls_diag *diag)
{
	struct state_parse p = {.state = state};
	enum sls_rc rc = SLS_ERR_INVAL;

	if (state == NULL)
		return SLS_ERR_INVAL;
	sls_state_clear(state);
	if (buf == NULL)
		goto out;
	rc = sls_ini_parse(buf, &state_ops, &p, diag);
out:
	if (rc != SLS_OK)
		sls_state_clear(state);
	return rc;
}

/* ---- serializer ------------------------------------------------------------ */

static bool state_ok(const struct sls_state *s)
{
	if (s->nfailures > SLS_FAILURES_MAX || s->ndevices > SLS_DEVICES_MAX ||
	    s->locked_until < 0 || s->sms.sent < 0 || s->sms.expires < 0 || s->sms.called < 0 ||
	    s->phone.sent < 0 || s->phone.expires < 0 || s->phone.called != 0 ||
	    memchr(s->phone_pending, '\0', sizeof(s->phone_pending)) == NULL ||
	    !sls_phone_ok(s->phone_pending) || pending_consistent(s) != NULL ||
	    memchr(s->last_device, '\0', sizeof(s->last_device)) == NULL ||
	    (s->last_device[0] != '\0' && !sls_name_ok(s->last_device, SLS_DEVICE_NAME_MAX)))
		return false;
	for (size_t i = 0; i < s->nfailures; i++) {
		if (s->failures[i] < 0 || (i > 0 && s->failures[i] < s->failures[i - 1]))
			return false;
	}
	for (size_t i = 0; i < s->ndevices; i++) {
		const struct sls_device_state *d = &s->devices[i];

		if (memchr(d->name, '\0', sizeof(d->name)) == NULL ||
		    !sls_name_ok(d->name, SLS_DEVICE_NAME_MAX) || d->last_used < 0 ||
		    d->created < 0 || d->nused > SLS_USED_CHALLENGES_MAX ||
		    ((d->card_pair[0] != 0 || d->card_pair[1] != 0) &&
		     !card_pair_ok(d->card_pair[0], d->card_pair[1])))
			return false;
		for (size_t j = 0; j < d->nused; j++)
			if (d->used[j] >= CHALLENGE_LIMIT)
				return false;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s->devices[j].name, d->name) == 0)
				return false;
		}
	}
	return true;
}

/* "failures = T,...,T" with FAILURES_PER_LINE times a line, then indented lines. */
static void format_failures(struct sls_ini_buf *b, const struct sls_state *s)
{
	sls_ini_buf_add(b, s->nfailures > 0 ? "failures = " : "failures =");
	for (size_t i = 0; i < s->nfailures; i++) {
		if (i > 0)
			sls_ini_buf_add(b, i % FAILURES_PER_LINE == 0 ? "\n\t" : ",");
		sls_ini_buf_addf(b, "%llu", (unsigned long long)s->failures[i]);
	}
	sls_ini_buf_add(b, "\n");
}

/* "challenges = N,...,N" with CHALLENGES_PER_LINE a line; nothing when there are none. */
static void format_challenges(struct sls_ini_buf *b, const struct sls_device_state *d)
{
	if (d->nused == 0)
		return;
	sls_ini_buf_add(b, "challenges = ");
	for (size_t i = 0; i < d->nused; i++) {
		if (i > 0)
			sls_ini_buf_add(b, i % CHALLENGES_PER_LINE == 0 ? "\n\t" : ",");
		sls_ini_buf_addf(b, "%06u", (unsigned)d->used[i]);
	}
	sls_ini_buf_add(b, "\n");
}

/* A pending code's salt (when not all zero, as files from before it had) and hash. */
static void format_pending(struct sls_ini_buf *b, const char *prefix,
			   const struct sls_pending_code *c)
{
	char key[32];

	if (!c->pending)
		return;
	snprintf(key, sizeof(key), "%s_salt", prefix);
	if (!all_zero(c->salt, sizeof(c->salt)))
		sls_ini_buf_key_hex(b, key, c->salt, sizeof(c->salt));
	snprintf(key, sizeof(key), "%s_code_hash", prefix);
	sls_ini_buf_key_hex(b, key, c->hash, sizeof(c->hash));
}

static void format_state(struct sls_ini_buf *b, const struct sls_state *s)
{
	sls_ini_buf_add(b, "[state]\n");
	format_failures(b, s);
	sls_ini_buf_key_num(b, "locked_until", (uint64_t)s->locked_until);
	sls_ini_buf_key(b, "last_device", s->last_device);
	sls_ini_buf_key_num(b, "sms_sent", (uint64_t)s->sms.sent);
	sls_ini_buf_key_num(b, "sms_expires", (uint64_t)s->sms.expires);
	format_pending(b, "sms", &s->sms);
	if (s->sms.called != 0)
		sls_ini_buf_key_num(b, "sms_called", (uint64_t)s->sms.called);
	if (s->phone_pending[0] != '\0') {
		sls_ini_buf_key(b, "phone_pending", s->phone_pending);
		sls_ini_buf_key_num(b, "phone_sent", (uint64_t)s->phone.sent);
		sls_ini_buf_key_num(b, "phone_expires", (uint64_t)s->phone.expires);
		format_pending(b, "phone", &s->phone);
	} else if (s->phone.sent != 0) {
		sls_ini_buf_key_num(b, "phone_sent", (uint64_t)s->phone.sent);
	}
	for (size_t i = 0; i < s->ndevices; i++) {
		const struct sls_device_state *d = &s->devices[i];

		sls_ini_buf_addf(b, "\n[device %s]\n", d->name);
		sls_ini_buf_key_num(b, "totp_last_step", d->totp_last_step);
		sls_ini_buf_key_num(b, "last_used", (uint64_t)d->last_used);
		if (d->created > 0)
			sls_ini_buf_key_num(b, "created", (uint64_t)d->created);
		if (d->card_pair[0] != 0)
			sls_ini_buf_addf(b, "card_pair = %u,%u\n", d->card_pair[0],
					 d->card_pair[1]);
		format_challenges(b, d);
	}
}

enum sls_rc sls_state_format(const struct sls_state *state, char **out, size_t *len)
{
	struct sls_ini_buf b;
	enum sls_rc rc = SLS_ERR_INVAL;

	sls_ini_buf_init(&b);
	if (out == NULL || len == NULL)
		return SLS_ERR_INVAL;
	*out = NULL;
	*len = 0;
	if (state == NULL || !state_ok(state))
		goto out;
	format_state(&b, state);
	rc = sls_ini_buf_finish(&b, out, len);
out:
	sls_ini_buf_free(&b);
	return rc;
}
