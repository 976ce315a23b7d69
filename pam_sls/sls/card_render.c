/*
 * sls - a security code card as text, SVG (written by hand) or PDF (cairo).
 * See card_render.h for the contract.
 *
 * The card is first laid out as strings (struct card_layout, the only buffer
 * here that holds the codes, wiped at the end); the text writer prints
 * those on an 80-column grid, and the SVG and PDF writers place the very
 * same marks on the same A6 sheet through one drawing routine (card_draw),
 * so that the two pictures cannot drift apart.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "card_render.h"
#include "sls_secret.h"
#include "sls_text.h"

#define CARD_COLS       10
#define CARD_ROWS       (SLS_CARD_POSITIONS / CARD_COLS)
#define CARD_WRAP       72 /* header columns: the text stays in 80, the sheet's header in its width */
#define CARD_HEADER_MAX 2

/*
 * The sheet, in tenths of a millimetre (integers, so that no locale can put
 * a decimal comma into the SVG): A6 landscape, a cut line, text baselines.
 */
#define SHEET_W      1480
#define SHEET_H      1050
#define SHEET_MARGIN 80
#define SHEET_FRAME  30  /* inset of the cut line */
#define TEXT_SIZE    30  /* header and footer: 3 mm */
#define TEXT_PITCH   42  /* their baseline to baseline */
#define GRID_SIZE    42  /* the grid: 4.2 mm (about 12 pt) */
#define GRID_PITCH   52  /* grid rows, baseline to baseline */
#define GRID_GAP     74  /* between a text block and the grid */
#define GRID_LABEL_X 180 /* right edge of the row labels */
#define GRID_COL     120 /* column width; column c ends at GRID_LABEL_X + c * GRID_COL */
#define PT_PER_UNIT  (72.0 / 254.0)

#define SVG_FONT "'DejaVu Sans Mono', monospace"
/* fontconfig's alias: DejaVu Sans Mono where installed, else another monospace font */
#define CAIRO_FONT "monospace"

static const char *const card_footer[] = {
    "Position 45 is row 40, column 5.",
    "Keep this card safe; never give its codes to anyone.",
};

/* The card's strings, in the order they are shown. */
struct card_layout {
	char header[CARD_HEADER_MAX][CARD_WRAP + 1];
	size_t header_lines;
	char valid[48]; /* "Valid until ..." or "No expiry" */
	char code[SLS_CARD_POSITIONS][4];
};

/* One string placed on the sheet: its baseline at y, starting at x (ending there if right). */
struct card_mark {
	int x, y, size;
	bool right, bold;
	const char *s;
};

/* Where card_draw puts its marks: the SVG or the PDF writer. */
struct card_pen {
	enum sls_rc (*text)(void *ctx, const struct card_mark *m);
	void *ctx;
};

bool sls_card_format_parse(const char *s, enum sls_card_format *f)
{
	static const char *const names[] = {
	    [SLS_CARD_TEXT] = "text", [SLS_CARD_SVG] = "svg", [SLS_CARD_PDF] = "pdf"};

	for (size_t i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum sls_card_format)i;
			return true;
		}
	return false;
}

/* ---- the sheet checked, and laid out as strings ---------------------------- */

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Digits and exactly one dash, which is neither first nor last. */
static bool id_valid(const char *id, size_t size)
{
	size_t len, dashes = 0;

	if (!terminated(id, size))
		return false;
	len = strlen(id);
	if (len < 3 || id[0] == '-' || id[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (id[i] == '-')
			dashes++;
		else if (id[i] < '0' || id[i] > '9')
			return false;
	}
	return dashes == 1;
}

/* A non-empty (if required) text that is safe in every format: no control characters, UTF-8. */
static bool text_valid(const char *s, size_t size, bool required)
{
	return terminated(s, size) && (!required || s[0] != '\0') && sls_text_ok(s, size - 1);
}

static bool sheet_valid(const struct sls_card_sheet *s)
{
	if (!id_valid(s->id, sizeof(s->id)) || !text_valid(s->user, sizeof(s->user), true) ||
	    !text_valid(s->issuer, sizeof(s->issuer), true) ||
	    !text_valid(s->valid_until, sizeof(s->valid_until), false))
		return false;
	for (size_t i = 0; i < SLS_CARD_POSITIONS; i++)
		if (s->codes[i] > 999)
			return false;
	return true;
}

#define HEAD_ID      "Security code card "
#define HEAD_USER    " for "
#define FIELD_MAX(f) (sizeof(((struct sls_card_sheet *)0)->f) - 1)
/* what header_layout relies on; a wider field in the sheet must revisit it */
_Static_assert(sizeof(HEAD_ID) - 1 + FIELD_MAX(id) + sizeof(HEAD_USER) - 1 + FIELD_MAX(user) <=
		   CARD_WRAP,
	       "the id and the user no longer fit a header line");
_Static_assert(1 + FIELD_MAX(issuer) <= CARD_WRAP, "the host name no longer fits a line");

/*
 * "Security code card ID for USER@ISSUER", or with "@ISSUER" on a line of
 * its own where one line would pass CARD_WRAP.
 */
static void header_layout(const struct sls_card_sheet *s, struct card_layout *l)
{
	size_t used;

	snprintf(l->header[0], sizeof(l->header[0]), HEAD_ID "%s" HEAD_USER "%s", s->id, s->user);
	used = strlen(l->header[0]);
	l->header_lines = 1;
	if (used + 1 + strlen(s->issuer) > CARD_WRAP) {
		l->header_lines = 2;
		used = 0;
	}
	snprintf(l->header[l->header_lines - 1] + used, sizeof(l->header[0]) - used, "@%s",
		 s->issuer);
}

/* l from the valid sheet s; the codes as three digits, formatted by hand (no stdio buffer). */
static void card_layout(const struct sls_card_sheet *s, struct card_layout *l)
{
	header_layout(s, l);
	if (s->valid_until[0] != '\0')
		snprintf(l->valid, sizeof(l->valid), "Valid until %s", s->valid_until);
	else
		snprintf(l->valid, sizeof(l->valid), "No expiry");
	for (size_t i = 0; i < SLS_CARD_POSITIONS; i++) {
		unsigned c = s->codes[i];

		l->code[i][0] = (char)('0' + c / 100);
		l->code[i][1] = (char)('0' + c / 10 % 10);
		l->code[i][2] = (char)('0' + c % 10);
		l->code[i][3] = '\0';
	}
}

/* ---- text --------------------------------------------------------------------- */

/* fprintf to out; false when the write fails (errno as it left it). */
__attribute__((format(printf, 2, 3))) static bool put(FILE *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(out, fmt, ap);
	va_end(ap);
	return n >= 0;
}

/* The column headers, then each row: "%4d" (its label) and ten "%5s" codes. */
static enum sls_rc text_grid(FILE *out, const struct card_layout *l)
{
	if (!put(out, "\n%4s", ""))
		return SLS_ERR_IO;
	for (int c = 1; c <= CARD_COLS; c++)
		if (!put(out, "%5d", c))
			return SLS_ERR_IO;
	for (int r = 0; r < CARD_ROWS; r++) {
		if (!put(out, "\n%4d", r * CARD_COLS))
			return SLS_ERR_IO;
		for (int c = 0; c < CARD_COLS; c++)
			if (!put(out, "%5s", l->code[r * CARD_COLS + c]))
				return SLS_ERR_IO;
	}
	return put(out, "\n\n") ? SLS_OK : SLS_ERR_IO;
}

static enum sls_rc text_card(FILE *out, const struct card_layout *l)
{
	for (size_t i = 0; i < l->header_lines; i++)
		if (!put(out, "%s\n", l->header[i]))
			return SLS_ERR_IO;
	if (!put(out, "%s\n", l->valid) || text_grid(out, l) != SLS_OK)
		return SLS_ERR_IO;
	for (size_t i = 0; i < sizeof(card_footer) / sizeof(card_footer[0]); i++)
		if (!put(out, "%s\n", card_footer[i]))
			return SLS_ERR_IO;
	return SLS_OK;
}

/* ---- the sheet, for SVG and PDF ---------------------------------------------- */

static enum sls_rc mark(const struct card_pen *pen, int x, int y, int size, bool right, bool bold,
			const char *s)
{
	struct card_mark m = {.x = x, .y = y, .size = size, .right = right, .bold = bold, .s = s};

	return pen->text(pen->ctx, &m);
}

/* The column headers 1..10 and the rows, the first (the headers) with its baseline at y. */
static enum sls_rc draw_grid(const struct card_layout *l, const struct card_pen *pen, int y)
{
	enum sls_rc rc = SLS_OK;
	char label[8];

	for (int c = 1; c <= CARD_COLS && rc == SLS_OK; c++) {
		snprintf(label, sizeof(label), "%d", c);
		rc = mark(pen, GRID_LABEL_X + c * GRID_COL, y, GRID_SIZE, true, true, label);
	}
	for (int r = 0; r < CARD_ROWS && rc == SLS_OK; r++) {
		y += GRID_PITCH;
		snprintf(label, sizeof(label), "%d", r * CARD_COLS);
		rc = mark(pen, GRID_LABEL_X, y, GRID_SIZE, true, true, label);
		for (int c = 1; c <= CARD_COLS && rc == SLS_OK; c++)
			rc = mark(pen, GRID_LABEL_X + c * GRID_COL, y, GRID_SIZE, true, false,
				  l->code[r * CARD_COLS + c - 1]);
	}
	return rc;
}

/*
 * Lines of small text at the margin, the first bold of them in bold, the
 * first one TEXT_PITCH below *y; *y ends on the last.
 */
static enum sls_rc draw_lines(const struct card_pen *pen, const char *const *lines, size_t n,
			      size_t bold, int *y)
{
	enum sls_rc rc = SLS_OK;

	for (size_t i = 0; i < n && rc == SLS_OK; i++) {
		*y += TEXT_PITCH;
		rc = mark(pen, SHEET_MARGIN, *y, TEXT_SIZE, false, i < bold, lines[i]);
	}
	return rc;
}

/* Everything but the background and the cut line, which each writer draws its own way. */
static enum sls_rc card_draw(const struct card_layout *l, const struct card_pen *pen)
{
	const char *head[CARD_HEADER_MAX + 1];
	size_t n = 0;
	int y = SHEET_MARGIN;
	enum sls_rc rc;

	for (size_t i = 0; i < l->header_lines; i++)
		head[n++] = l->header[i];
	head[n++] = l->valid;
	rc = draw_lines(pen, head, n, l->header_lines, &y);
	if (rc != SLS_OK)
		return rc;
	y += GRID_GAP;
	rc = draw_grid(l, pen, y);
	if (rc != SLS_OK)
		return rc;
	y += CARD_ROWS * GRID_PITCH + GRID_GAP - TEXT_PITCH;
	return draw_lines(pen, card_footer, sizeof(card_footer) / sizeof(card_footer[0]), 0, &y);
}

/* ---- SVG --------------------------------------------------------------------- */

/* s as XML character data (the sheet's texts hold no control characters). */
static bool svg_escaped(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&apos;";
			break;
		default:
			break;
		}
		if (e != NULL ? fputs(e, out) == EOF : putc(*s, out) == EOF)
			return false;
	}
	return true;
}

static enum sls_rc svg_text(void *ctx, const struct card_mark *m)
{
	FILE *out = ctx;

	if (!put(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\"%s%s>", m->x, m->y, m->size,
		 m->right ? " text-anchor=\"end\"" : "", m->bold ? " font-weight=\"bold\"" : "") ||
	    !svg_escaped(out, m->s) || !put(out, "</text>\n"))
		return SLS_ERR_IO;
	return SLS_OK;
}

static enum sls_rc svg_card(FILE *out, const struct card_layout *l)
{
	struct card_pen pen = {.text = svg_text, .ctx = out};
	enum sls_rc rc;

	if (!put(out,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%dmm\" "
		 "height=\"%dmm\" viewBox=\"0 0 %d %d\" font-family=\"%s\">\n"
		 "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
		 "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		 "stroke=\"#999999\" stroke-width=\"3\"/>\n"
		 "<g fill=\"#000000\">\n",
		 SHEET_W / 10, SHEET_H / 10, SHEET_W, SHEET_H, SVG_FONT, SHEET_W, SHEET_H,
		 SHEET_FRAME, SHEET_FRAME, SHEET_W - 2 * SHEET_FRAME, SHEET_H - 2 * SHEET_FRAME))
		return SLS_ERR_IO;
	rc = card_draw(l, &pen);
	if (rc == SLS_OK && !put(out, "</g>\n</svg>\n"))
		rc = SLS_ERR_IO;
	return rc;
}

/* ---- PDF --------------------------------------------------------------------- */

/* cairo's output: out, and the errno of the first write that failed (0 while none did). */
struct pdf_sink {
	FILE *out;
	int err;
};

/* After a failed write nothing more is written: the file would have a hole. */
static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct pdf_sink *sink = closure;

	if (sink->err == 0 && fwrite(data, 1, length, sink->out) == length)
		return CAIRO_STATUS_SUCCESS;
	if (sink->err == 0)
		sink->err = errno != 0 ? errno : EIO;
	return CAIRO_STATUS_WRITE_ERROR;
}

/* Drawing stops at cairo's first error, which stays in cr (pdf_card reads it). */
static enum sls_rc pdf_text(void *ctx, const struct card_mark *m)
{
	cairo_t *cr = ctx;
	cairo_text_extents_t ext;
	double x = m->x;

	cairo_select_font_face(cr, CAIRO_FONT, CAIRO_FONT_SLANT_NORMAL,
			       m->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, m->size);
	if (m->right) {
		/* as SVG's text-anchor="end": by the advance, not the ink */
		cairo_text_extents(cr, m->s, &ext);
		x -= ext.x_advance;
	}
	cairo_move_to(cr, x, m->y);
	cairo_show_text(cr, m->s);
	return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? SLS_OK : SLS_ERR_IO;
}

static void pdf_frame(cairo_t *cr)
{
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(cr, 3);
	cairo_rectangle(cr, SHEET_FRAME, SHEET_FRAME, SHEET_W - 2 * SHEET_FRAME,
			SHEET_H - 2 * SHEET_FRAME);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
}

/*
 * The outcome, and errno for the caller. The sink's record of a failed write
 * comes first: cairo 1.16 drops the error of a write made while the surface
 * is finished (the fonts and the cross-reference table, most of the file),
 * and reports success.
 */
static enum sls_rc pdf_result(cairo_status_t st, const struct pdf_sink *sink)
{
	if (sink->err != 0) {
		errno = sink->err;
		return SLS_ERR_IO;
	}
	if (st == CAIRO_STATUS_SUCCESS)
		return SLS_OK;
	if (st == CAIRO_STATUS_NO_MEMORY)
		return SLS_ERR_NOMEM;
	errno = EIO; /* a font or drawing failure: no errno of its own */
	return SLS_ERR_IO;
}

/*
 * One page. cairo never returns NULL here: a failed create gives an object
 * in an error state, on which every call is a no-op, so the statuses are
 * read once, at the end; finishing the surface writes the rest of the file.
 */
static enum sls_rc pdf_card(FILE *out, const struct card_layout *l)
{
	struct pdf_sink sink = {.out = out, .err = 0};
	struct card_pen pen;
	cairo_surface_t *surface;
	cairo_status_t st;
	cairo_t *cr;

	surface = cairo_pdf_surface_create_for_stream(pdf_write, &sink, SHEET_W * PT_PER_UNIT,
						      SHEET_H * PT_PER_UNIT);
	cr = cairo_create(surface);
	cairo_scale(cr, PT_PER_UNIT, PT_PER_UNIT);
	pdf_frame(cr);
	pen = (struct card_pen){.text = pdf_text, .ctx = cr};
	if (card_draw(l, &pen) == SLS_OK)
		cairo_show_page(cr);
	st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	return pdf_result(st, &sink);
}

/* ---- the entry point ----------------------------------------------------------- */

enum sls_rc sls_card_render(FILE *out, enum sls_card_format fmt, const struct sls_card_sheet *s)
{
	static enum sls_rc (*const writers[])(FILE *, const struct card_layout *) = {
	    [SLS_CARD_TEXT] = text_card, [SLS_CARD_SVG] = svg_card, [SLS_CARD_PDF] = pdf_card};
	enum sls_rc rc = SLS_ERR_INVAL;
	struct card_layout l;

	memset(&l, 0, sizeof(l));
	if (out == NULL || s == NULL || (unsigned)fmt >= sizeof(writers) / sizeof(writers[0]) ||
	    !sheet_valid(s))
		goto out;
	card_layout(s, &l);
	rc = writers[fmt](out, &l);
	/* the whole card, not only what passed the stdio buffer, must have been written */
	if (rc == SLS_OK && fflush(out) != 0)
		rc = SLS_ERR_IO;
out:
	sls_wipe(&l, sizeof(l));
	return rc;
}
