/* pam_sls - decisions to the systemd journal, shared by the module and sls. */
#ifndef SLS_LOG_H
#define SLS_LOG_H

#include <stdbool.h>

#include "sls_error.h"

/* One kind of decision; each has its own MESSAGE_ID (sls_event_message_id). */
enum sls_event {
	SLS_EV_DEVICE_OFFERED, /* a device's prompt was shown */
	SLS_EV_SUCCESS,        /* second factor accepted */
	SLS_EV_FAILURE,        /* wrong, expired or missing answer */
	SLS_EV_LOCKOUT,        /* this failure locked the user */
	SLS_EV_LOCKED,         /* refused because the user is locked */
	SLS_EV_NO_DEVICE,      /* no usable device (nullok or denial) */
	SLS_EV_CONFIG_ERROR,   /* bad option or sls.conf */
	SLS_EV_FILE_ERROR,     /* unsafe/corrupt enrolment or state file, store */
	SLS_EV_SYSTEM_ERROR,   /* memory, lock timeout, crypto, I/O */
	SLS_EV_ENROLLED,       /* sls: device enrolled or activated */
	SLS_EV_REVOKED,        /* sls: device revoked */
	SLS_EV_UNLOCKED,       /* sls: admin cleared a lock */
	SLS_EV_SMS_SENT,       /* a code was sent by SMS */
	SLS_EV_SMS_FAILED,     /* the SMS or voice sender failed */
	SLS_EV_VOICE_CALL,     /* a code was read out by a call */
	SLS_EV_PHONE,          /* sls: a phone number set or verified */
	SLS_EV_CARD,           /* sls: a security code card printed (the old one replaced) */
	SLS_EV_TEMPCODE,       /* sls: a temporary passcode issued or revoked */
	SLS_EV_PIN,            /* sls: a PIN changed, or reset by root */
	SLS_EV_TRANSFER,       /* sls: a device moved to a new authenticator */
	SLS_EV_OPTOUT,         /* opted out or in (sls); an opted-out user let through (module) */
	SLS_EV_SHARE,          /* sls: a device shared from another user, or no longer (unshare) */
	SLS_EV_IDENTITY,       /* sls: root set or cleared a user's identity */
	SLS_EV_ACCOUNT,        /* the account stage let a user through (not locked) */
	SLS_EV_QR_SKIPPED,     /* a challenge shown without its QR code (challenge_qr) */
	SLS_EV_FAIL_OPEN,      /* the store out of reach: let through (failmode = open) */
	SLS_EV__COUNT
};

/* The 32-hex-digit MESSAGE_ID of ev (documented in pam_sls(8)). */
const char *sls_event_message_id(enum sls_event ev);
/* A short lower-case name: "device-offered", "success", ... */
const char *sls_event_name(enum sls_event ev);

/*
 * Who is logging and about whom. Strings may be NULL. user must be a name
 * known to be real (enrolled or in passwd): an unknown user name may be a
 * mistyped password, so callers leave it NULL then. fallback receives the
 * formatted line when the journal cannot take it (no journald socket); the
 * module passes a pam_syslog wrapper, the CLIs a stderr writer.
 */
/*
 * The module's decisions of one call, held for its one entry
 * (sls_log_decision): the last one wins. Events on the way (device-offered,
 * sms-sent, voice-call, sms-failed, qr-skipped) are still entries of their
 * own, at once, and go on the trail too.
 */
struct sls_log_hold {
	bool set;
	enum sls_event ev;
	char decided_device[64]; /* the decision's device ("" for none) */
	char device[64];         /* the last device any event named */
	char result[16];
	char text[384];
	char trail[256]; /* every event's name, in order: "device-offered,failure" */
};

/* What sls_log_decision sent: fixed words and names, never a secret. */
struct sls_decision {
	const char *event;    /* the event's name: "success", "failure", "fail-open"... */
	const char *device;   /* the device's name, or "" */
	const char *result;   /* "success", "failure", "locked", "error", "ignore" */
	const char *pam_code; /* "PAM_SUCCESS"... */
	const char *trail;    /* the call's events, in order */
};

struct sls_log_ctx {
	const char *ident; /* SYSLOG_IDENTIFIER, e.g. "pam_sls" or "sls" */
	const char *service;
	const char *user;
	const char *rhost;
	const char *tty;           /* PAM_TTY, or NULL */
	struct sls_log_hold *hold; /* the module: events wait for sls_log_decision */
	const char *actor;         /* who ran an admin command (sls), or NULL */
	const char *peer_uid;      /* slsd: the caller's uid and pid (SO_PEERCRED), or NULL */
	const char *peer_pid;
	bool debug; /* the caller's own verbose output is wanted (module option) */
	void (*fallback)(void *arg, int priority, const char *line);
	void *fallback_arg;
	/* the call's one entry, once sent (sls_log_decision), for a record of it; NULL: none */
	void (*decided)(void *arg, const struct sls_log_ctx *ctx, const struct sls_decision *d);
	void *decided_arg;
};

/*
 * Send one entry (or, with ctx->hold, keep it for sls_log_decision):
 * MESSAGE="reason [detail]; user=... service=... rhost=... tty=... device=...
 * result=...", MESSAGE_ID, PRIORITY (from the event kind), SYSLOG_IDENTIFIER,
 * SLS_EVENT, SLS_USER, SLS_SERVICE, SLS_RHOST, SLS_TTY, SLS_DEVICE,
 * SLS_RESULT, SLS_ACTOR ("-" for what is not set), and from slsd SLS_PEER_UID
 * and SLS_PEER_PID (the caller: its own word is all the other fields are). There is no
 * free-form field: reason must be a string literal (the macro enforces it)
 * and detail is a parser's diag (which by contract holds no input values), so
 * no secret can reach the log by accident. device is a device name (from a
 * validated enrolment file) or NULL; result is a fixed word such as
 * "success", "failure", "locked", "error".
 */
void sls_log_event_(const struct sls_log_ctx *ctx, enum sls_event ev, const char *device,
		    const char *result, const struct sls_diag *detail, const char *reason);
#define sls_log_event(ctx, ev, device, result, detail, reason)                                     \
	sls_log_event_((ctx), (ev), (device), (result), (detail), "" reason "")

/*
 * The module's one entry for a return of pam_sm_authenticate or
 * pam_sm_acct_mgmt: the held decision, or, when the call decided nothing
 * that was logged (or only offered a device), ev/result/reason; either way
 * with SLS_PAM_RESULT (pam_code: "PAM_AUTH_ERR"...) and SLS_TRAIL (the names
 * of the call's events, in order). The hold is emptied.
 */
void sls_log_decision_(const struct sls_log_ctx *ctx, const char *pam_code, enum sls_event ev,
		       const char *result, const char *reason);
#define sls_log_decision(ctx, pam_code, ev, result, reason)                                        \
	sls_log_decision_((ctx), (pam_code), (ev), (result), "" reason "")

#endif /* SLS_LOG_H */
