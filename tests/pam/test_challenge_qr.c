/*
 * [login] challenge_qr through real libpam: the ibkey and dsc prompt with a
 * QR code above "Challenge: NNNNNN\nResponse: ", read back from its half
 * blocks into modules, compared with libqrencode's and decoded by libzbar
 * to the contract text (sls.conf(5)); the prompt without it byte for byte
 * as before; names too long for 80x24 and a libqrencode that cannot be
 * loaded give the typed prompt alone, and the login is what it always was.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <qrencode.h>
#ifdef HAVE_ZBAR
#include <zbar.h>
#endif

#include "helpers.h"
#include "pamtest_env.h"

#define MAX_COLS  80 /* the QR code above two lines of prompt in an 80x24 terminal */
#define MAX_LINES 22
#define PX        4 /* image pixels a module, for libzbar */
#define MARGIN    4 /* light modules around the drawing in that image */
#define TYPED_LEN (sizeof("Challenge: 123456\nResponse: ") - 1)

static struct conv_log lg;

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The issuer the module names: this host's name up to its first dot, or "localhost". */
static void issuer_here(char *out, size_t size)
{
	if (gethostname(out, size) != 0 || out[0] == '\0')
		snprintf(out, size, "localhost");
	out[size - 1] = '\0';
	out[strcspn(out, ".")] = '\0';
}

/* s percent-encoded as the contract says: all but A-Z a-z 0-9 - . _ ~ as %XX. */
static void pct(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		assert_true(n + 4 < size);
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
	}
	out[n] = '\0';
}

/* "sls-challenge:USER@ISSUER/DEVICE?c=CHALLENGE" for this host. */
static void contract(const char *user, const char *device, const char *challenge, char *out,
		     size_t size)
{
	char host[256], u[256], i[800], d[128];

	issuer_here(host, sizeof(host));
	pct(user, u, sizeof(u));
	pct(host, i, sizeof(i));
	pct(device, d, sizeof(d));
	assert_true((size_t)snprintf(out, size, "sls-challenge:%s@%s/%s?c=%s", u, i, d, challenge) <
		    size);
}

/*
 * The prompt split: it ends in exactly "Challenge: NNNNNN\nResponse: "
 * (the digits into challenge); what stands before it, an empty line then
 * the code's lines, into *qr (without the newlines around it), malloc'ed,
 * "" when nothing does.
 */
static void split_prompt(const char *prompt, char **qr, char *challenge)
{
	size_t len = strlen(prompt);
	const char *t;

	assert_true(len >= TYPED_LEN);
	t = prompt + len - TYPED_LEN;
	assert_memory_equal(t, "Challenge: ", 11);
	for (int i = 11; i < 17; i++)
		assert_in_range(t[i], '0', '9');
	assert_string_equal(t + 17, "\nResponse: ");
	memcpy(challenge, t + 11, 6);
	challenge[6] = '\0';
	if (t == prompt) {
		*qr = strdup("");
	} else {
		assert_int_equal(prompt[0], '\n');
		assert_true(t - prompt >= 2);
		assert_int_equal(t[-1], '\n');
		*qr = strndup(prompt + 1, (size_t)(t - prompt - 2));
	}
	assert_non_null(*qr);
}

/* The drawing read back: cols x rows modules (two rows a line), 1 for dark. */
struct drawing {
	int cols, lines, rows;
	unsigned char *dark;
};

/* The glyph at p: its length, and its modules (bit 0 top, bit 1 bottom); 0 if none. */
static size_t glyph(const char *p, unsigned *bits)
{
	static const char *const g[4] = {
	    " ",            /* both light */
	    "\xe2\x96\x80", /* U+2580 UPPER HALF BLOCK: top dark */
	    "\xe2\x96\x84", /* U+2584 LOWER HALF BLOCK: bottom dark */
	    "\xe2\x96\x88", /* U+2588 FULL BLOCK: both dark */
	};

	for (unsigned i = 0; i < 4; i++)
		if (strncmp(p, g[i], strlen(g[i])) == 0) {
			*bits = i;
			return strlen(g[i]);
		}
	return 0;
}

/*
 * One line (len bytes): glyphs, nothing else (no colour sequence: the ssh
 * client would print its ESC as the text "\033"). Its glyphs (one terminal
 * column each) into module rows y and y + 1 of d when d->dark is set; the
 * number of glyphs.
 */
static int parse_line(const char *line, size_t len, struct drawing *d, int y)
{
	unsigned bits = 0;
	size_t g;
	int x = 0;

	for (size_t i = 0; i < len; i += g, x++) {
		g = glyph(line + i, &bits);
		if (g == 0)
			fail_msg("not a half block at byte %zu of line %d", i, y / 2);
		if (d->dark != NULL && x < d->cols) {
			d->dark[y * d->cols + x] = bits & 1;
			d->dark[(y + 1) * d->cols + x] = (unsigned char)(bits >> 1);
		}
	}
	return x;
}

/* The QR code's lines (joined by '\n') into d: every line as wide as the first. */
static void parse_drawing(const char *qr, struct drawing *d)
{
	const char *p, *nl;
	int y;

	memset(d, 0, sizeof(*d));
	for (p = qr; p != NULL; p = nl != NULL ? nl + 1 : NULL, d->lines++) {
		nl = strchr(p, '\n');
		if (d->lines == 0)
			d->cols = parse_line(p, nl != NULL ? (size_t)(nl - p) : strlen(p), d, 0);
	}
	d->rows = 2 * d->lines;
	d->dark = calloc((size_t)d->cols, (size_t)d->rows);
	assert_non_null(d->dark);
	for (p = qr, y = 0; p != NULL; p = nl != NULL ? nl + 1 : NULL, y += 2) {
		nl = strchr(p, '\n');
		assert_int_equal(parse_line(p, nl != NULL ? (size_t)(nl - p) : strlen(p), d, y),
				 d->cols);
	}
}

/*
 * d is the QR code of text at level L with a one-module quiet zone, module
 * for module as libqrencode makes it (the light rows below it only widen
 * the bottom quiet zone).
 */
static void assert_is_code(const struct drawing *d, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	int w;

	assert_non_null(qr);
	w = qr->width;
	assert_int_equal(d->cols, w + 2);
	assert_true(d->rows >= w + 2);
	for (int y = 0; y < d->rows; y++)
		for (int x = 0; x < d->cols; x++) {
			int mx = x - 1, my = y - 1, want = 0;

			if (mx >= 0 && my >= 0 && mx < w && my < w)
				want = qr->data[my * w + mx] & 1;
			if (d->dark[y * d->cols + x] != want)
				fail_msg("module (%d, %d) is %d, libqrencode's %d", mx, my,
					 d->dark[y * d->cols + x], want);
		}
	QRcode_free(qr);
}

/* libzbar reads exactly want off d, drawn PX pixels a module with a light margin. */
static void assert_zbar_reads(const struct drawing *d, const char *want)
{
#ifdef HAVE_ZBAR
	unsigned w = (unsigned)(d->cols + 2 * MARGIN) * PX,
		 h = (unsigned)(d->rows + 2 * MARGIN) * PX;
	unsigned char *img = malloc((size_t)w * h);
	zbar_image_scanner_t *scanner = zbar_image_scanner_create();
	zbar_image_t *image = zbar_image_create();
	const zbar_symbol_t *sym;

	assert_non_null(img);
	assert_non_null(scanner);
	assert_non_null(image);
	memset(img, 255, (size_t)w * h);
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			int mx = (int)(x / PX) - MARGIN, my = (int)(y / PX) - MARGIN;

			if (mx >= 0 && my >= 0 && mx < d->cols && my < d->rows &&
			    d->dark[my * d->cols + mx])
				img[y * w + x] = 0;
		}
	zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(image, w, h);
	zbar_image_set_data(image, img, (unsigned long)w * h, NULL);
	assert_int_equal(zbar_scan_image(scanner, image), 1);
	sym = zbar_image_first_symbol(image);
	assert_non_null(sym);
	assert_int_equal(zbar_symbol_get_type(sym), ZBAR_QRCODE);
	assert_string_equal(zbar_symbol_get_data(sym), want);
	zbar_image_destroy(image);
	zbar_image_scanner_destroy(scanner);
	free(img);
#else
	(void)d;
	(void)want;
	skip(); /* configured without libzbar */
#endif
}

/*
 * lg.last_prompt is a QR code of user's device for its challenge (into
 * challenge), at most MAX_LINES lines of at most MAX_COLS columns, then
 * the typed prompt; its lines into *lines.
 */
static void assert_qr_prompt(const char *user, const char *device, char *challenge, int *lines)
{
	struct drawing d;
	char want[512], *qr;

	split_prompt(lg.last_prompt, &qr, challenge);
	assert_true(qr[0] != '\0');
	parse_drawing(qr, &d);
	assert_true(d.lines <= MAX_LINES);
	assert_true(d.cols <= MAX_COLS);
	/* the whole prompt: an empty line, the code's lines and two more (80x24 shows all but
	   the first, where ssh puts "(user@host) ") */
	assert_int_equal(count_of(lg.last_prompt, "\n") + 1, 1 + d.lines + 2);
	contract(user, device, challenge, want, sizeof(want));
	assert_is_code(&d, want);
	assert_zbar_reads(&d, want);
	if (lines != NULL)
		*lines = d.lines;
	free(d.dark);
	free(qr);
}

/* lg.last_prompt is the typed prompt alone, as without challenge_qr. */
static void assert_typed_only(void)
{
	char challenge[7], want[TYPED_LEN + 1], *qr;

	split_prompt(lg.last_prompt, &qr, challenge);
	assert_string_equal(qr, "");
	free(qr);
	snprintf(want, sizeof(want), "Challenge: %s\nResponse: ", challenge);
	assert_string_equal(lg.last_prompt, want);
}

/* Rename user's device laptop (env_user's ibkey) to name in the enrolment file. */
static void rename_laptop(const char *user, const char *name)
{
	char to[128];

	snprintf(to, sizeof(to), "[device %s]\n", name);
	env_edit_user(user, "[device laptop]\n", to);
}

/* Append s times times to out (size bytes with its NUL); the test fails when it does not fit. */
static void append_n(char *out, size_t size, const char *s, int times)
{
	size_t len = strlen(out), n = strlen(s);

	for (int i = 0; i < times; i++, len += n) {
		assert_true(len + n < size);
		memcpy(out + len, s, n + 1);
	}
}

/* ---- the QR code ----------------------------------------------------------------- */

static void test_qr_ibkey(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char challenge[7];
	int lines = 0;

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls-qr", "alice", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(lg.nerrors, 0);
	assert_qr_prompt("alice", "laptop", challenge, &lines);
	assert_int_equal(env_failures("alice"), 0);
	print_message("# the QR code of alice's laptop: %d columns, %d lines\n", lg.widest, lines);
}

static void test_qr_dsc(void **state)
{
	const struct answer a[] = {A(ANS_OCRA_DSC), END};
	char challenge[7];

	(void)state;
	env_user("dave", ENV_DSC);
	assert_int_equal(env_login("sls-qr", "dave", a, &lg), PAM_SUCCESS);
	assert_qr_prompt("dave", "key", challenge, NULL);
}

/* A wrong response is counted, before the prompt (the QR code changes nothing there). */
static void test_qr_wrong_counted(void **state)
{
	const struct answer wrong[] = {T("00000000"), END};
	const struct answer peek[] = {A(ANS_PEEK), END};
	char challenge[7];

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls-qr", "alice", wrong, &lg), PAM_AUTH_ERR);
	assert_qr_prompt("alice", "laptop", challenge, NULL);
	assert_int_equal(env_failures("alice"), 1);
	assert_int_equal(env_login("sls-qr", "alice", peek, &lg), PAM_SUCCESS);
	assert_int_equal(lg.failures_at_prompt, 2);
	assert_int_equal(env_failures("alice"), 0);
	/* a conversation that fails at the prompt is a failure too */
	assert_int_equal(env_login("sls-qr", "alice", NULL, &lg), PAM_CONV_ERR);
	assert_qr_prompt("alice", "laptop", challenge, NULL);
	assert_int_equal(env_failures("alice"), 1);
}

/* Names outside RFC 3986's unreserved characters are percent-encoded, UTF-8 byte by byte. */
static void test_qr_names_encoded(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	const char *user = "j\xc3\xbcrgen+o.k", *device = "Ger\xc3\xa4t@1";
	char challenge[7], want[512];

	(void)state;
	env_user(user, ENV_IBKEY);
	rename_laptop(user, device);
	assert_int_equal(env_login("sls-qr", user, a, &lg), PAM_SUCCESS);
	assert_qr_prompt(user, device, challenge, NULL);
	contract(user, device, challenge, want, sizeof(want));
	assert_memory_equal(want, "sls-challenge:j%C3%BCrgen%2Bo.k@", 32);
	assert_non_null(strstr(want, "/Ger%C3%A4t%401?c="));
}

/*
 * A shared device (olga's laptop, shared with rita): the code names olga's
 * account, the one the soft key that answers holds, not rita's.
 */
static void test_qr_shared_names_owner(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char challenge[7];

	(void)state;
	env_user("olga", ENV_IBKEY);
	env_edit_user("olga", "identity =\n", "identity = Jane Doe\n");
	env_edit_user("olga", "created = 1700000000\n",
		      "shared_with = rita\ncreated = 1700000000\n");
	env_write("store/users/rita",
		  "[user]\nphone =\nphone_verified = no\noptout = no\nidentity = Jane Doe\n\n"
		  "[device laptop]\ntype = ibkey\nlabel = olga's laptop\nlevel = 3\n"
		  "status = active\nshared_from = olga\ncreated = 1700000000\n",
		  0600);
	assert_int_equal(env_login("sls-qr", "rita", a, &lg), PAM_SUCCESS);
	assert_qr_prompt("olga", "laptop", challenge, NULL);
}

/* Without challenge_qr (the default) or with "no": the prompt as it always was. */
static void test_qr_off_unchanged(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	const struct answer dsc[] = {A(ANS_OCRA_DSC), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls", "alice", a, &lg), PAM_SUCCESS);
	assert_typed_only();
	assert_int_equal(env_login("sls-qr-off", "alice", a, &lg), PAM_SUCCESS);
	assert_typed_only();
	assert_int_equal(strlen(lg.prompts[0]), TYPED_LEN);
	assert_int_equal(lg.tallest, 2);
	env_user("dave", ENV_DSC);
	assert_int_equal(env_login("sls-qr-off", "dave", dsc, &lg), PAM_SUCCESS);
	assert_typed_only();
}

/* Other devices' prompts are not touched. */
static void test_qr_totp_untouched(void **state)
{
	const struct answer a[] = {A(ANS_TOTP), END};

	(void)state;
	env_user("tom", ENV_TOTP);
	assert_int_equal(env_login("sls-qr", "tom", a, &lg), PAM_SUCCESS);
	assert_string_equal(lg.last_prompt, "Verification code: ");
}

/*
 * Member k (from 1) of a family of user names whose contract texts grow
 * with k: 'a' k times up to 64 bytes, then one "\xc3\xbc" (6 bytes
 * encoded) for two a's at a time; false past its end.
 */
static bool family_name(int k, char *user, size_t size)
{
	int u = k > 64 ? k - 64 : 0, a = k > 64 ? 64 - 2 * u : k;

	if (k < 1 || u > 32)
		return false;
	user[0] = '\0';
	append_n(user, size, "\xc3\xbc", u);
	append_n(user, size, "a", a);
	return true;
}

/* The QR version (level L) of user's laptop's contract text, as libqrencode chooses it. */
static int version_of(const char *user)
{
	char text[512];
	QRcode *qr;
	int v;

	contract(user, "laptop", "123456", text, sizeof(text)); /* any digits: the same version */
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	assert_non_null(qr);
	v = qr->version;
	QRcode_free(qr);
	return v;
}

/*
 * The last name of the family whose code fits 80x24 (version 6 at most:
 * 43 columns, 22 lines) is drawn; the next one's would need 24 lines: no QR
 * code, the typed prompt alone, and the login as ever, right or wrong.
 */
static void test_qr_size_limit(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	const struct answer wrong[] = {T("00000000"), END};
	char user[80], challenge[7];
	int k = 1, lines = 0;

	(void)state;
	while (family_name(k, user, sizeof(user)) && version_of(user) <= 6)
		k++;
	assert_true(family_name(k, user, sizeof(user))); /* 64 bytes, each 3 encoded, never fit */
	if (k == 1)
		skip(); /* a host name so long that no code fits */
	family_name(k - 1, user, sizeof(user));
	env_user(user, ENV_IBKEY);
	assert_int_equal(env_login("sls-qr", user, a, &lg), PAM_SUCCESS);
	assert_qr_prompt(user, "laptop", challenge, &lines);
	assert_int_equal(lines, (17 + 4 * version_of(user) + 2 + 1) / 2);
	print_message("# the largest code drawn: version %d, %d lines (a user name of %zu bytes)\n",
		      version_of(user), lines, strlen(user));
	family_name(k, user, sizeof(user));
	env_user(user, ENV_IBKEY);
	assert_int_equal(env_login("sls-qr", user, a, &lg), PAM_SUCCESS);
	assert_typed_only();
	assert_int_equal(env_failures(user), 0);
	assert_int_equal(env_login("sls-qr", user, wrong, &lg), PAM_AUTH_ERR);
	assert_typed_only();
	assert_int_equal(env_failures(user), 1);
}

/* The longest names (a user of 64 bytes, each 3 encoded, a device of 32): the typed prompt. */
static void test_qr_long_names(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char user[65] = "", device[33];

	(void)state;
	append_n(user, sizeof(user), "\xc3\xbc", 32);
	memset(device, 'd', 32);
	device[32] = '\0';
	env_user(user, ENV_IBKEY);
	rename_laptop(user, device);
	assert_int_equal(env_login("sls-qr", user, a, &lg), PAM_SUCCESS);
	assert_typed_only();
	assert_int_equal(lg.nerrors, 0);
}

/* An invalid value fails closed, as every key's: nothing is asked. */
static void test_qr_bad_value(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("alice", ENV_IBKEY);
	assert_int_equal(env_login("sls-qr-bad", "alice", a, &lg), PAM_SERVICE_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_failures("alice"), 0);
}

/* Enrolment inside the login: the first challenge of the new device has its QR code too. */
static void test_qr_enrol_at_login(void **state)
{
	const struct answer a[] = {T(ENV_PIN), T(ENV_PIN), T(""), A(ANS_ENROL), END};
	char path[PATH_MAX], challenge[7];

	(void)state;
	env_user("games", 0);
	snprintf(path, sizeof(path), "%s/store/users/games", env_dir());
	assert_int_equal(unlink(path), 0);
	assert_int_equal(env_login("sls-qr-enrol", "games", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 4);
	assert_qr_prompt("games", "ibkey", challenge, NULL);
}

/* ---- what is logged ------------------------------------------------------------ */

/* Whether the journal holds the digits of challenge outside its MESSAGE_IDs. */
static bool journal_has(char *all, const char *challenge)
{
	for (char *p = all; (p = strstr(p, "MESSAGE_ID=")) != NULL; p++)
		memset(p + 11, 'x', strcspn(p + 11, "\n"));
	return strstr(all, challenge) != NULL;
}

/*
 * With debug, a code too large for 80x24 is an entry of its own
 * (qr-skipped, result ignore) without the challenge; without debug, no
 * entry. The login's decision is what it is.
 */
static int journal_child(void)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	char user[65] = "", all[32768], challenge[7], *qr;
	int fd = env_journal_open();

	if (fd < 0)
		return 10;
	append_n(user, sizeof(user), "\xc3\xbc", 32);
	env_user(user, ENV_IBKEY);
	if (env_login("sls-qr-debug", user, a, &lg) != PAM_SUCCESS)
		return 11;
	env_journal_read(fd, all, sizeof(all));
	split_prompt(lg.last_prompt, &qr, challenge);
	free(qr);
	if (strstr(all, "SLS_EVENT=qr-skipped\n") == NULL ||
	    strstr(all, "MESSAGE_ID=7dfff5e98d5e4cf19132101cc8b5dae4\n") == NULL ||
	    strstr(all, "SLS_RESULT=ignore\n") == NULL ||
	    strstr(all, "MESSAGE=challenge_qr: the QR code would not fit 80x24") == NULL ||
	    strstr(all, "SLS_TRAIL=device-offered,qr-skipped,success\n") == NULL) {
		fprintf(stderr, "journal:\n%s\n", all);
		return 12;
	}
	if (journal_has(all, challenge) || strstr(all, "sls-challenge") != NULL)
		return 13;
	if (env_login("sls-qr", user, a, &lg) != PAM_SUCCESS)
		return 14;
	env_journal_read(fd, all, sizeof(all));
	if (count_of(all, "qr-skipped") != 0 || count_of(all, "SLS_PAM_RESULT=PAM_SUCCESS\n") != 1)
		return 15;
	return 0;
}

static void test_qr_journal(void **state)
{
	(void)state;
	assert_int_equal(env_in_child(journal_child), 0);
}

/* ---- libqrencode that cannot be loaded ------------------------------------------ */

/* The file the module would load libqrencode from (this program has it loaded). */
static bool qrencode_path(char *out, size_t size)
{
	void *h = dlopen(QRENCODE_SONAME, RTLD_NOW | RTLD_NOLOAD);
	void *sym = h != NULL ? dlsym(h, "QRcode_encodeString") : NULL;
	Dl_info info;
	bool ok = sym != NULL && dladdr(sym, &info) != 0 && info.dli_fname != NULL &&
		  info.dli_fname[0] == '/';

	if (ok)
		snprintf(out, size, "%s", info.dli_fname);
	if (h != NULL)
		dlclose(h);
	return ok;
}

/*
 * One login of alice on service sls-qr by tests/bench/pam_login (a host
 * with libpam alone): the prompt (newlines as 0x1f) into prompt; answered
 * with the right response. Its exit status.
 */
static int login_by_driver(char *prompt, size_t size)
{
	char confdir[PATH_MAX], line[16384], response[16];
	int in[2], out[2], status = 0;
	FILE *from, *to;
	pid_t pid;

	snprintf(confdir, sizeof(confdir), "%s/svc", env_dir());
	prompt[0] = '\0';
	if (pipe(in) != 0 || pipe(out) != 0 || (pid = fork()) < 0)
		return 90;
	if (pid == 0) {
		unsetenv("LD_PRELOAD"); /* a host of its own, without pam_wrapper */
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(91);
		close(in[1]);
		close(out[0]);
		execl(PAM_LOGIN_PATH, PAM_LOGIN_PATH, confdir, "sls-qr", "alice", (char *)NULL);
		_exit(92);
	}
	close(in[0]);
	close(out[1]);
	from = fdopen(out[0], "r");
	to = fdopen(in[1], "w");
	while (from != NULL && to != NULL && fgets(line, sizeof(line), from) != NULL) {
		if (strncmp(line, "P ", 2) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(prompt, size, "%s", line + 2);
		for (char *p = prompt; *p != '\0'; p++)
			*p = *p == 0x1f ? '\n' : *p;
		if (!env_ocra_response(prompt, false, response, sizeof(response)))
			snprintf(response, sizeof(response), "none");
		fprintf(to, "%s\n", response);
		fflush(to);
	}
	if (from != NULL)
		fclose(from);
	if (to != NULL)
		fclose(to);
	if (waitpid(pid, &status, 0) != pid)
		return 93;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 94;
}

/*
 * libqrencode replaced by an empty file (a mount namespace of this child):
 * the module cannot load it, shows the typed prompt alone, logs so once
 * (qr-skipped, result error), and the right response logs in.
 */
static int no_qrencode_child(void)
{
	char lib[PATH_MAX], empty[PATH_MAX], all[32768], challenge[7], *qr;
	int fd = env_journal_open(); /* a mount namespace of our own too */

	if (fd < 0)
		return 10;
	if (!qrencode_path(lib, sizeof(lib)))
		return 11;
	env_write("empty.so", "", 0644);
	snprintf(empty, sizeof(empty), "%s/empty.so", env_dir());
	if (mount(empty, lib, "none", MS_BIND, NULL) != 0)
		return 12;
	env_user("alice", ENV_IBKEY);
	if (login_by_driver(lg.last_prompt, sizeof(lg.last_prompt)) != 0)
		return 13;
	split_prompt(lg.last_prompt, &qr, challenge);
	if (qr[0] != '\0')
		return 14;
	free(qr);
	env_journal_read(fd, all, sizeof(all));
	if (count_of(all, "SLS_EVENT=qr-skipped\n") != 1 ||
	    strstr(all, "SLS_RESULT=error\n") == NULL ||
	    strstr(all, "MESSAGE=challenge_qr: the challenge's QR code could not be drawn: the "
			"challenge alone (libqrencode cannot be loaded)") == NULL ||
	    strstr(all, "SLS_TRAIL=device-offered,qr-skipped,success\n") == NULL) {
		fprintf(stderr, "journal:\n%s\n", all);
		return 15;
	}
	if (journal_has(all, challenge))
		return 16;
	return env_failures("alice") == 0 ? 0 : 17;
}

static void test_qr_no_qrencode(void **state)
{
	(void)state;
	assert_int_equal(env_in_child(no_qrencode_child), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qr_ibkey),
	    cmocka_unit_test(test_qr_dsc),
	    cmocka_unit_test(test_qr_wrong_counted),
	    cmocka_unit_test(test_qr_names_encoded),
	    cmocka_unit_test(test_qr_off_unchanged),
	    cmocka_unit_test(test_qr_totp_untouched),
	    cmocka_unit_test(test_qr_size_limit),
	    cmocka_unit_test(test_qr_long_names),
	    cmocka_unit_test(test_qr_bad_value),
	    cmocka_unit_test(test_qr_enrol_at_login),
	    cmocka_unit_test(test_qr_journal),
	    cmocka_unit_test(test_qr_no_qrencode),
	    cmocka_unit_test(test_qr_shared_names_owner),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("challenge_qr through libpam", tests, NULL, NULL);
}
