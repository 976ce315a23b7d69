/*
 * card_render_tool - renders a fixed security code card for
 * tests/cli/card_render.test, which reads it back (pdftotext, rsvg-convert,
 * an XML parser).
 *
 *   card_render_tool [-u USER] [-i ISSUER] [-v VALID_UNTIL] [-U] FORMAT OUTFILE
 *
 * The codes are codes[i] = (i * 37 + 11) % 1000, the id "4821-7730"; user,
 * issuer and validity default to "alice", "host", "2026-12-21 10:15". -U
 * makes OUTFILE unbuffered, so that a failing write (OUTFILE /dev/full) is
 * seen at the write that fails rather than at the final flush.
 *
 * Exit: 0 written, 1 usage, 2 sls_card_render failed (its error on stderr,
 * "render: TEXT"), 3 OUTFILE could not be opened or closed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card_render.h"
#include "sls_error.h"

static void usage(void)
{
	fprintf(stderr, "usage: card_render_tool [-u USER] [-i ISSUER] [-v VALID_UNTIL] [-U] "
			"text|svg|pdf OUTFILE\n");
	exit(1);
}

/* Copy src into the sheet's field dst (size bytes), or exit 1 when it does not fit. */
static void set_field(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		usage();
	memcpy(dst, src, strlen(src) + 1);
}

static void fixed_sheet(struct sls_card_sheet *s)
{
	memset(s, 0, sizeof(*s));
	set_field(s->id, sizeof(s->id), "4821-7730");
	set_field(s->user, sizeof(s->user), "alice");
	set_field(s->issuer, sizeof(s->issuer), "host");
	set_field(s->valid_until, sizeof(s->valid_until), "2026-12-21 10:15");
	for (int i = 0; i < SLS_CARD_POSITIONS; i++)
		s->codes[i] = (uint16_t)((i * 37 + 11) % 1000);
}

int main(int argc, char **argv)
{
	struct sls_card_sheet sheet;
	enum sls_card_format fmt;
	bool unbuffered = false;
	enum sls_rc rc;
	FILE *out;
	int opt;

	fixed_sheet(&sheet);
	while ((opt = getopt(argc, argv, "u:i:v:U")) != -1) {
		switch (opt) {
		case 'u':
			set_field(sheet.user, sizeof(sheet.user), optarg);
			break;
		case 'i':
			set_field(sheet.issuer, sizeof(sheet.issuer), optarg);
			break;
		case 'v':
			set_field(sheet.valid_until, sizeof(sheet.valid_until), optarg);
			break;
		case 'U':
			unbuffered = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || !sls_card_format_parse(argv[optind], &fmt))
		usage();
	out = fopen(argv[optind + 1], "w");
	if (out == NULL || (unbuffered && setvbuf(out, NULL, _IONBF, 0) != 0)) {
		perror(argv[optind + 1]);
		return 3;
	}
	rc = sls_card_render(out, fmt, &sheet);
	if (rc != SLS_OK) {
		fprintf(stderr, "render: %s\n", sls_strerror_errno(rc, errno));
		fclose(out);
		return 2;
	}
	if (fclose(out) != 0) {
		perror(argv[optind + 1]);
		return 3;
	}
	return 0;
}
