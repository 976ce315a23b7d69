/*
 * pam_sls - decisions to the systemd journal, with a fallback for hosts
 * without one. The journal is reached through its native protocol
 * (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/: one datagram of KEY=value
 * fields to /run/systemd/journal/socket), not libsystemd: loading
 * libsystemd and the compression and crypto libraries it brings cost a
 * login more than everything else the module does in sshd (tests/bench).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "sls_log.h"

/* The journald socket; its absence means "no journal". */
#define SLS_JOURNAL_SOCKET "/run/systemd/journal/socket"
/* The longest a login waits for a journald that does not read (journal_send). */
#define SLS_JOURNAL_WAIT_MS 1000

struct sls_event_info {
	const char *name;
	const char *message_id;
	int priority;
};

/* MESSAGE_IDs are part of the interface (pam_sls(8)): never change one. */
static const struct sls_event_info sls_events[SLS_EV__COUNT] = {
    [SLS_EV_DEVICE_OFFERED] = {"device-offered", "0ac4eab608674ec9a57588cf256aadad", LOG_INFO},
    [SLS_EV_SUCCESS] = {"success", "263acce1c3c64a04b4fa8ba00c002cd3", LOG_INFO},
    [SLS_EV_FAILURE] = {"failure", "ff63590387f04b6eb710b569259841ed", LOG_WARNING},
    [SLS_EV_LOCKOUT] = {"lockout", "3f184729354144738f2419595e916e84", LOG_WARNING},
    [SLS_EV_LOCKED] = {"locked", "ec3985c35a884513b4c3f033acc368ed", LOG_WARNING},
    [SLS_EV_NO_DEVICE] = {"no-device", "6ff6e42f35bd4eefa7e3a5205605022f", LOG_NOTICE},
    [SLS_EV_CONFIG_ERROR] = {"config-error", "92db1f00c8d04061acd8658043ad1e33", LOG_ERR},
    [SLS_EV_FILE_ERROR] = {"file-error", "82b24ad7e6cc493eaacfe5d310a26ad6", LOG_ERR},
    [SLS_EV_SYSTEM_ERROR] = {"system-error", "658965b1f280485e878cab14758c9eab", LOG_ERR},
    [SLS_EV_ENROLLED] = {"enrolled", "26894e76900244dba4989993880af385", LOG_NOTICE},
    [SLS_EV_REVOKED] = {"revoked", "cfbe911a69cc43c0b057cedebc1a1320", LOG_NOTICE},
    [SLS_EV_UNLOCKED] = {"unlocked", "505ed222101c43acbbed111cf62b8ae3", LOG_NOTICE},
    [SLS_EV_SMS_SENT] = {"sms-sent", "5b0c6b7e2f8a4d33a1e9c40f7d2b6a91", LOG_INFO},
    [SLS_EV_SMS_FAILED] = {"sms-failed", "c7d41e9a0b2f4c6e8d35f1a2b9e07c64", LOG_ERR},
    [SLS_EV_VOICE_CALL] = {"voice-call", "9e2a5d17c3b84f06a6d2e81b4c3f5a70", LOG_INFO},
    [SLS_EV_PHONE] = {"phone", "1f6b3c9d8e2a47b5b0c4d7e6f9a81235", LOG_NOTICE},
    [SLS_EV_CARD] = {"card", "ae1fa11e3c454a61b3fe377d90e52ef5", LOG_NOTICE},
    [SLS_EV_TEMPCODE] = {"tempcode", "f6902a62f3f64c8984b537875ff6a67e", LOG_NOTICE},
    [SLS_EV_PIN] = {"pin", "a4ea62093a2343569f764b57f68bf913", LOG_NOTICE},
    [SLS_EV_TRANSFER] = {"transfer", "52d96b3ef3624471b8aff288279beff9", LOG_NOTICE},
    [SLS_EV_OPTOUT] = {"optout", "a35f58b1c63341a0b5f3487b40abafb7", LOG_NOTICE},
    [SLS_EV_SHARE] = {"share", "9b47370c347141c69141fa33c268060d", LOG_NOTICE},
    [SLS_EV_IDENTITY] = {"identity", "d2faf8f6024b4b909abe07ebf974374a", LOG_NOTICE},
    [SLS_EV_ACCOUNT] = {"account", "11e30e594f174be58da416e27c500fa3", LOG_INFO},
    [SLS_EV_QR_SKIPPED] = {"qr-skipped", "7dfff5e98d5e4cf19132101cc8b5dae4", LOG_WARNING},
    [SLS_EV_FAIL_OPEN] = {"fail-open", "e3420c69cea448aca62450c463178fd1", LOG_CRIT},
};

static const struct sls_event_info *sls_event_info(enum sls_event ev)
{
	if ((unsigned)ev >= SLS_EV__COUNT)
		ev = SLS_EV_SYSTEM_ERROR;
	return &sls_events[ev];
}

const char *sls_event_message_id(enum sls_event ev)
{
	return sls_event_info(ev)->message_id;
}

const char *sls_event_name(enum sls_event ev)
{
	return sls_event_info(ev)->name;
}

static const char *or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

static bool sls_journal_present(void)
{
	struct stat st;

	return stat(SLS_JOURNAL_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A journal entry being built: fields appended while they fit. */
struct journal_buf {
	char data[8192];
	size_t len;
	bool overflow;
};

static void journal_put(struct journal_buf *b, const void *p, size_t n)
{
	if (b->overflow || n > sizeof(b->data) - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/*
 * KEY=value\n; a value holding a newline goes in the protocol's binary
 * form: KEY\n, its length as 64-bit little endian, the value, \n.
 */
static void journal_field(struct journal_buf *b, const char *key, const char *value)
{
	size_t n = strlen(value);

	journal_put(b, key, strlen(key));
	if (memchr(value, '\n', n) == NULL) {
		journal_put(b, "=", 1);
	} else {
		uint8_t le[8];

		for (int i = 0; i < 8; i++)
			le[i] = (uint8_t)((uint64_t)n >> (8 * i));
		journal_put(b, "\n", 1);
		journal_put(b, le, sizeof(le));
	}
	journal_put(b, value, n);
	journal_put(b, "\n", 1);
}

/*
 * One datagram. A journald that does not keep up holds a login for at most
 * SLS_JOURNAL_WAIT_MS (then the caller falls back to syslog, where the
 * entry loses its structured fields): long enough to ride out a burst
 * (someone flooding the journal to blind alerting on MESSAGE_ID), short
 * enough that a stuck journald cannot hold logins (libsystemd would wait
 * for ever). 0 when sent, else -1.
 */
static int journal_send(const struct journal_buf *b)
{
	const struct timeval wait = {.tv_sec = SLS_JOURNAL_WAIT_MS / 1000,
				     .tv_usec = SLS_JOURNAL_WAIT_MS % 1000 * 1000};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, saved, r = -1;

	if (b->overflow)
		return -1;
	memcpy(sa.sun_path, SLS_JOURNAL_SOCKET, sizeof(SLS_JOURNAL_SOCKET));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait)) == 0 &&
	    sendto(fd, b->data, b->len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			       sizeof(SLS_JOURNAL_SOCKET))) == (ssize_t)b->len)
		r = 0;
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* "reason [line N: detail]"; the detail holds no input values (sls_diag contract). */
static void sls_log_text(char *buf, size_t size, const struct sls_diag *detail, const char *reason)
{
	if (detail == NULL || detail->msg[0] == '\0')
		snprintf(buf, size, "%s", reason);
	else if (detail->line > 0)
		snprintf(buf, size, "%s (line %d: %s)", reason, detail->line, detail->msg);
	else
		snprintf(buf, size, "%s (%s)", reason, detail->msg);
}

/* One entry, whatever the event: the journal, else the caller's fallback. */
static void send_entry(const struct sls_log_ctx *ctx, enum sls_event ev, const char *device,
		       const char *result, const char *text, const char *pam_code,
		       const char *trail)
{
	const struct sls_event_info *info = sls_event_info(ev);
	const char *ident = ctx->ident != NULL ? ctx->ident : "pam_sls";
	int priority = info->priority;
	char line[2048];
	int r = -1;

	/* no "ident: " in front: journalctl and syslog show the identifier already */
	snprintf(line, sizeof(line),
		 "%s; user=%s service=%s rhost=%s tty=%s device=%s result=%s%s%s%s%s%s%s", text,
		 or_dash(ctx->user), or_dash(ctx->service), or_dash(ctx->rhost), or_dash(ctx->tty),
		 or_dash(device), or_dash(result), pam_code ? " pam=" : "",
		 pam_code ? pam_code : "", ctx->actor ? " by=" : "", ctx->actor ? ctx->actor : "",
		 ctx->peer_uid ? " peer_uid=" : "", ctx->peer_uid ? ctx->peer_uid : "");
	if (sls_journal_present()) {
		struct journal_buf b = {.len = 0, .overflow = false};
		char prio[4];

		snprintf(prio, sizeof(prio), "%d", priority);
		journal_field(&b, "MESSAGE", line);
		journal_field(&b, "MESSAGE_ID", info->message_id);
		journal_field(&b, "PRIORITY", prio);
		journal_field(&b, "SYSLOG_IDENTIFIER", ident);
		journal_field(&b, "SLS_EVENT", info->name);
		journal_field(&b, "SLS_USER", or_dash(ctx->user));
		journal_field(&b, "SLS_SERVICE", or_dash(ctx->service));
		journal_field(&b, "SLS_RHOST", or_dash(ctx->rhost));
		journal_field(&b, "SLS_TTY", or_dash(ctx->tty));
		journal_field(&b, "SLS_DEVICE", or_dash(device));
		journal_field(&b, "SLS_RESULT", or_dash(result));
		journal_field(&b, "SLS_ACTOR", or_dash(ctx->actor));
		if (ctx->peer_uid != NULL) {
			journal_field(&b, "SLS_PEER_UID", ctx->peer_uid);
			journal_field(&b, "SLS_PEER_PID", or_dash(ctx->peer_pid));
		}
		if (pam_code != NULL) {
			journal_field(&b, "SLS_PAM_RESULT", pam_code);
			journal_field(&b, "SLS_TRAIL", or_dash(trail));
		}
		r = journal_send(&b);
	}
	/* Never fail a login over logging: without a journal, hand the line on. */
	if (r < 0 && ctx->fallback != NULL)
		ctx->fallback(ctx->fallback_arg, priority, line);
}

/* Events that tell what happened on the way, not how it ended. */
static bool on_the_way(enum sls_event ev)
{
	return ev == SLS_EV_DEVICE_OFFERED || ev == SLS_EV_SMS_SENT || ev == SLS_EV_VOICE_CALL ||
	       ev == SLS_EV_SMS_FAILED || ev == SLS_EV_QR_SKIPPED;
}

/*
 * ev's name goes on the trail; a decision is kept for sls_log_decision (the
 * last one wins); events on the way are entries of their own at once.
 * Returns whether ev was kept.
 */
static bool hold_event(struct sls_log_hold *h, enum sls_event ev, const char *device,
		       const char *result, const char *text)
{
	const char *name = sls_event_info(ev)->name;
	size_t len = strlen(h->trail);

	if (len + strlen(name) + 2 < sizeof(h->trail))
		snprintf(h->trail + len, sizeof(h->trail) - len, "%s%s", len > 0 ? "," : "", name);
	if (device != NULL)
		snprintf(h->device, sizeof(h->device), "%s", device);
	if (on_the_way(ev))
		return false;
	h->set = true;
	h->ev = ev;
	snprintf(h->decided_device, sizeof(h->decided_device), "%s", device != NULL ? device : "");
	snprintf(h->result, sizeof(h->result), "%s", result != NULL ? result : "");
	snprintf(h->text, sizeof(h->text), "%s", text);
	return true;
}

void sls_log_event_(const struct sls_log_ctx *ctx, enum sls_event ev, const char *device,
		    const char *result, const struct sls_diag *detail, const char *reason)
{
	char text[384];

	sls_log_text(text, sizeof(text), detail, reason);
	if (ctx->hold == NULL || !hold_event(ctx->hold, ev, device, result, text))
		send_entry(ctx, ev, device, result, text, NULL, NULL);
}

void sls_log_decision_(const struct sls_log_ctx *ctx, const char *pam_code, enum sls_event ev,
		       const char *result, const char *reason)
{
	struct sls_log_hold *h = ctx->hold;
	struct sls_decision d;

	if (h == NULL)
		return;
	/* the held decision; else (nothing decided was logged) what the return says, on the
	 * last device seen */
	if (h->set) {
		ev = h->ev;
		result = h->result;
		reason = h->text;
	}
	d = (struct sls_decision){.event = sls_event_info(ev)->name,
				  .device = h->set ? h->decided_device : h->device,
				  .result = result,
				  .pam_code = pam_code,
				  .trail = h->trail};
	send_entry(ctx, ev, d.device, result, reason, pam_code, h->trail);
	if (ctx->decided != NULL)
		ctx->decided(ctx->decided_arg, ctx, &d);
	memset(h, 0, sizeof(*h));
}
