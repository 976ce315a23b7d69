/*
 * Tests of the QR drawings (common/qr.c) and image files (pam_sls/qr_image.c).
 * Every drawing is read back: PNGs by zbarimg, the terminal text and the SVG
 * by parsing them into a module matrix that is compared with sls_qr_matrix()
 * module by module, then redrawn as a PNG and decoded by zbarimg too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "qr_image.h"
#include "sls_error.h"
#include "sls_qr.h"
#include "sls_secret.h"
#include "helpers.h"

#define QUIET    4              /* quiet zone, modules */
#define PX       8              /* image pixels per module */
#define OUT_MAX  (64 * 1024)    /* captured stdout of a tool */
#define SGR_ON   "\033[30;107m" /* black on bright white */
#define SGR_OFF  "\033[0m"
#define EXIT_RUN 127 /* the child could not run the tool */

/* An ocra URI with a 32-byte secret (RFC 6238's SHA-256 seed) and a short totp one. */
static const char long_uri[] = "otpauth://ocra/SLS:alice?"
			       "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
			       "&suite=OCRA-1:HOTP-SHA256-8:QN06-PSHA1&issuer=SLS&device=laptop";
static const char short_uri[] = "otpauth://totp/SLS:alice?secret=JBSWY3DPEHPK3PXP&issuer=SLS";

/* The glyphs as Unicode defines them: each paints its part in the foreground colour. */
static const char *const glyphs[4] = {
    " ",            /* nothing painted: top and bottom light */
    "\xe2\x96\x80", /* U+2580 UPPER HALF BLOCK: top dark */
    "\xe2\x96\x84", /* U+2584 LOWER HALF BLOCK: bottom dark */
    "\xe2\x96\x88", /* U+2588 FULL BLOCK: both dark */
};

struct fixture {
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	test_sandbox("test_qr", fx->dir, sizeof(fx->dir));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_remove_tree(fx->dir);
	free(fx);
	return 0;
}

/* out = the fixture's directory / name. */
static void path_in(void **state, const char *name, char *out, size_t n)
{
	const struct fixture *fx = *state;

	assert_true((size_t)snprintf(out, n, "%s/%s", fx->dir, name) < n);
}

/* Module (x, y) of a width x width matrix; outside it (the quiet zone) is light. */
static int module_at(const unsigned char *modules, int width, int x, int y)
{
	if (x < 0 || y < 0 || x >= width || y >= width)
		return 0;
	return modules[y * width + x] & 1;
}

/* Read all of fd into out (at most n - 1 bytes kept, the rest drained), NUL-terminated. */
static void read_all(int fd, char *out, size_t n)
{
	char scratch[512];
	size_t len = 0;
	ssize_t r;

	for (;;) {
		if (len < n - 1)
			r = read(fd, out + len, n - 1 - len);
		else
			r = read(fd, scratch, sizeof(scratch));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len < n - 1)
			len += (size_t)r;
	}
	out[len] = '\0';
}

/* Run argv (no shell), its stdout into out, stderr to /dev/null; the exit status. */
static int run_capture(const char *const argv[], char *out, size_t n)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(fds[1], STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
			_exit(EXIT_RUN);
		close(fds[0]);
		execvp(argv[0], (char *const *)(uintptr_t)argv); /* execvp does not write them */
		_exit(EXIT_RUN);
	}
	close(fds[1]);
	read_all(fds[0], out, n);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* zbarimg's reading of the image at path must be text (skip when zbarimg is missing). */
static void assert_zbar_reads(const char *path, const char *text)
{
	const char *const argv[] = {"zbarimg", "--raw", "-q", "--nodbus", path, NULL};
	char *out = malloc(OUT_MAX);
	size_t len;
	int status;

	assert_non_null(out);
	status = run_capture(argv, out, OUT_MAX);
	if (status == EXIT_RUN) {
		free(out);
		skip(); /* zbar-tools not installed */
	}
	assert_int_equal(status, 0);
	len = strlen(out);
	assert_true(len > 0 && out[len - 1] == '\n');
	out[len - 1] = '\0';
	assert_string_equal(out, text);
	free(out);
}

/* The file at path: a regular file of ours, mode exactly 0600. */
static void assert_private_file(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
}

/* The whole file at path, NUL-terminated; free() it. */
static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *buf = malloc(OUT_MAX * 16);

	assert_true(fd >= 0);
	assert_non_null(buf);
	read_all(fd, buf, OUT_MAX * 16);
	close(fd);
	return buf;
}

/* grid (cols x rows, with the quiet zone) must be the code of modules, module by module. */
static void assert_grid_is_code(const unsigned char *grid, int cols, int rows,
				const unsigned char *modules, int width)
{
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < cols; x++) {
			int want = module_at(modules, width, x - QUIET, y - QUIET);

			if (grid[y * cols + x] != want)
				fail_msg("module (%d, %d) of the drawing: %d, expected %d",
					 x - QUIET, y - QUIET, grid[y * cols + x], want);
		}
}

/* Cut the width x width code out of grid (cols wide), redraw it as a PNG, decode it. */
static void assert_grid_decodes(void **state, const unsigned char *grid, int cols, int width,
				const char *name, const char *text)
{
	unsigned char *inner = malloc((size_t)width * (size_t)width);
	char path[PATH_MAX + 64];

	assert_non_null(inner);
	for (int y = 0; y < width; y++)
		for (int x = 0; x < width; x++)
			inner[y * width + x] = grid[(y + QUIET) * cols + x + QUIET];
	path_in(state, name, path, sizeof(path));
	assert_int_equal(sls_qr_write_png_matrix(path, inner, width), SLS_OK);
	free(inner);
	assert_zbar_reads(path, text);
}

/* One text cell at *p (before end): its glyph index, *p moved past it. */
static int parse_cell(const char **p, const char *end)
{
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(glyphs[i]);

		if ((size_t)(end - *p) >= n && memcmp(*p, glyphs[i], n) == 0) {
			*p += n;
			return i;
		}
	}
	fail_msg("unexpected byte 0x%02x in the drawing", (unsigned char)**p);
	return -1;
}

/* The text line [p, end) into module rows top and top + cols. */
static void parse_line(const char *p, const char *end, bool ansi, int cols, unsigned char *top)
{
	if (ansi) {
		assert_true(end - p >= (ptrdiff_t)(strlen(SGR_ON) + strlen(SGR_OFF)));
		assert_memory_equal(p, SGR_ON, strlen(SGR_ON));
		p += strlen(SGR_ON);
		end -= strlen(SGR_OFF);
		assert_memory_equal(end, SGR_OFF, strlen(SGR_OFF));
	}
	for (int x = 0; x < cols; x++) {
		int cell = parse_cell(&p, end);

		top[x] = cell & 1;
		top[cols + x] = (cell >> 1) & 1;
	}
	assert_ptr_equal(p, end);
}

/* The drawing s (lines joined by '\n') into grid, cols x rows modules. */
static void parse_drawing(const char *s, bool ansi, int cols, int rows, unsigned char *grid)
{
	int lines = 0;

	for (const char *c = s; *c != '\0'; c++)
		lines += *c == '\n';
	assert_int_equal(lines + 1, rows / 2);
	for (int line = 0; line < rows / 2; line++) {
		const char *end = strchr(s, '\n');

		if (end == NULL)
			end = s + strlen(s);
		parse_line(s, end, ansi, cols, grid + (size_t)line * 2 * (size_t)cols);
		s = end + (*end == '\n');
	}
}

/* sls_qr_render(text, ansi) parses back to sls_qr_matrix(text), and decodes. */
static void check_terminal(void **state, const char *text, bool ansi, const char *png)
{
	unsigned char *modules, *grid;
	int width, cols, rows;
	char *s;
	size_t len;

	assert_int_equal(sls_qr_matrix(text, &modules, &width), SLS_OK);
	assert_int_equal(sls_qr_render(text, ansi, &s, &len), SLS_OK);
	assert_int_equal(strlen(s), len);
	cols = width + 2 * QUIET;
	rows = cols + 1; /* width is odd: the last line's lower half is past the quiet zone */
	grid = calloc((size_t)cols, (size_t)rows);
	assert_non_null(grid);
	parse_drawing(s, ansi, cols, rows, grid);
	assert_grid_is_code(grid, cols, rows, modules, width);
	assert_grid_decodes(state, grid, cols, width, png, text);
	free(grid);
	sls_free_secret(s, len + 1);
	sls_free_secret(modules, (size_t)width * (size_t)width);
}

static void test_matrix(void **state)
{
	unsigned char *m;
	int width;

	(void)state;
	assert_int_equal(sls_qr_matrix(short_uri, &m, &width), SLS_OK);
	assert_int_equal(width, 33); /* version 4 at level M */
	for (int i = 0; i < width * width; i++)
		assert_in_range(m[i], 0, 1);
	/* finder pattern, top left: dark ring, light ring, dark 3x3 core */
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1 * width + 1], 0);
	assert_int_equal(m[3 * width + 3], 1);
	sls_free_secret(m, (size_t)width * (size_t)width);
	assert_int_equal(sls_qr_matrix(long_uri, &m, &width), SLS_OK);
	assert_true(width > 33 && (width - 17) % 4 == 0);
	sls_free_secret(m, (size_t)width * (size_t)width);
}

static void test_terminal_plain_decodes(void **state)
{
	check_terminal(state, long_uri, false, "plain-long.png");
	check_terminal(state, short_uri, false, "plain-short.png");
}

static void test_terminal_ansi_decodes(void **state)
{
	check_terminal(state, long_uri, true, "ansi-long.png");
	check_terminal(state, short_uri, true, "ansi-short.png");
}

/* sls_qr_print(text, ansi) writes exactly sls_qr_render() and a final newline. */
static void check_print(const char *text, bool ansi)
{
	char *printed = NULL, *s;
	size_t plen = 0, len;
	FILE *fp = open_memstream(&printed, &plen);

	assert_non_null(fp);
	assert_int_equal(sls_qr_print(fp, text, ansi), SLS_OK);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(sls_qr_render(text, ansi, &s, &len), SLS_OK);
	assert_int_equal(plen, len + 1);
	assert_memory_equal(printed, s, len);
	assert_int_equal(printed[len], '\n');
	sls_free_secret(s, len + 1);
	free(printed);
}

static void test_print_equals_render(void **state)
{
	(void)state;
	check_print(long_uri, false);
	check_print(long_uri, true);
	check_print(short_uri, false);
}

/*
 * An outside reading of the glyphs: qrencode's UTF8i draws the dark modules
 * (FACTS 3), so the plain drawing must be exactly its output at level M.
 */
static void check_like_qrencode(const char *text)
{
	const char *const argv[] = {"qrencode", "-t", "UTF8i", "-l", "M", "-m", "4", text, NULL};
	char *out = malloc(OUT_MAX), *s;
	size_t len;
	int status;

	assert_non_null(out);
	status = run_capture(argv, out, OUT_MAX);
	if (status == EXIT_RUN) {
		free(out);
		skip(); /* qrencode CLI not installed */
	}
	assert_int_equal(status, 0);
	assert_int_equal(sls_qr_render(text, false, &s, &len), SLS_OK);
	assert_int_equal(strlen(out), len + 1);
	assert_memory_equal(out, s, len);
	sls_free_secret(s, len + 1);
	free(out);
}

static void test_terminal_matches_qrencode_cli(void **state)
{
	(void)state;
	check_like_qrencode(long_uri);
	check_like_qrencode(short_uri);
}

/* The PNG's IHDR says side x side pixels, 8-bit grey. */
static void assert_png_header(const char *path, int side)
{
	unsigned char h[26];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, h, sizeof(h)), sizeof(h));
	close(fd);
	assert_memory_equal(h, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(h + 12, "IHDR", 4);
	assert_int_equal((h[16] << 24) | (h[17] << 16) | (h[18] << 8) | h[19], side);
	assert_int_equal((h[20] << 24) | (h[21] << 16) | (h[22] << 8) | h[23], side);
	assert_int_equal(h[24], 8); /* bit depth */
	assert_int_equal(h[25], 0); /* colour type: grey */
}

static void check_png(void **state, const char *text, const char *name)
{
	unsigned char *m;
	char path[PATH_MAX + 64];
	int width;

	path_in(state, name, path, sizeof(path));
	assert_int_equal(sls_qr_write_png(path, text), SLS_OK);
	assert_private_file(path);
	assert_int_equal(sls_qr_matrix(text, &m, &width), SLS_OK);
	sls_free_secret(m, (size_t)width * (size_t)width);
	assert_png_header(path, (width + 2 * QUIET) * PX);
	assert_zbar_reads(path, text);
}

static void test_png_decodes(void **state)
{
	check_png(state, long_uri, "long.png");
	check_png(state, short_uri, "short.png");
}

/* Mark the modules under one SVG <rect> dark in grid (width x width, quiet zone cut off). */
static void mark_rect(unsigned char *grid, int width, int x, int y, int w, int h)
{
	assert_int_equal(x % PX, 0);
	assert_int_equal(y % PX, 0);
	assert_int_equal(w % PX, 0);
	assert_int_equal(h, PX);
	assert_true(w > 0);
	x = x / PX - QUIET;
	y = y / PX - QUIET;
	w /= PX;
	assert_in_range(y, 0, width - 1);
	assert_true(x >= 0 && x + w <= width);
	for (int i = x; i < x + w; i++) {
		assert_int_equal(grid[y * width + i], 0); /* no rect twice over a module */
		grid[y * width + i] = 1;
	}
}

/* The SVG document doc back into its module grid (width x width). */
static void parse_svg(const char *doc, int width, unsigned char *grid)
{
	int side = (width + 2 * QUIET) * PX;
	static const char group[] = "<g fill=\"#000000\">\n";
	char want[160];
	const char *p;

	snprintf(want, sizeof(want), "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"", side, side,
		 side, side);
	assert_non_null(strstr(doc, want));
	snprintf(want, sizeof(want), "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n%s",
		 side, side, group);
	p = strstr(doc, want);
	assert_non_null(p);
	for (p += strlen(want); strncmp(p, "<rect ", 6) == 0;) {
		int x, y, w, h, n = 0;

		assert_int_equal(sscanf(p, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>%n",
					&x, &y, &w, &h, &n),
				 4);
		assert_true(n > 0 && p[n] == '\n');
		mark_rect(grid, width, x, y, w, h);
		p += n + 1;
	}
	assert_string_equal(p, "</g>\n</svg>\n");
}

/* xmllint finds the file well-formed (skip when xmllint is missing). */
static void assert_well_formed(const char *path)
{
	const char *const argv[] = {"xmllint", "--noout", path, NULL};
	char out[256];
	int status = run_capture(argv, out, sizeof(out));

	if (status == EXIT_RUN)
		skip(); /* libxml2-utils not installed */
	assert_int_equal(status, 0);
}

static void check_svg(void **state, const char *text, const char *name, const char *png)
{
	unsigned char *m, *grid;
	char path[PATH_MAX + 64], *doc;
	int width;

	path_in(state, name, path, sizeof(path));
	assert_int_equal(sls_qr_write_svg(path, text), SLS_OK);
	assert_private_file(path);
	assert_int_equal(sls_qr_matrix(text, &m, &width), SLS_OK);
	grid = calloc((size_t)width, (size_t)width);
	assert_non_null(grid);
	doc = slurp(path);
	parse_svg(doc, width, grid);
	free(doc);
	for (int i = 0; i < width * width; i++)
		if (grid[i] != m[i])
			fail_msg("SVG module (%d, %d): %d, expected %d", i % width, i / width,
				 grid[i], m[i]);
	sls_free_secret(m, (size_t)width * (size_t)width);
	path_in(state, png, path, sizeof(path));
	assert_int_equal(sls_qr_write_png_matrix(path, grid, width), SLS_OK);
	free(grid);
	assert_zbar_reads(path, text);
	path_in(state, name, path, sizeof(path));
	assert_well_formed(path);
}

static void test_svg_matches_matrix(void **state)
{
	check_svg(state, long_uri, "long.svg", "svg-long.png");
	check_svg(state, short_uri, "short.svg", "svg-short.png");
}

/* Make path a regular file holding "keep\n". */
static void make_keep_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep\n", 5), 5);
	assert_int_equal(close(fd), 0);
}

static void assert_kept(const char *path)
{
	char *doc = slurp(path);
	struct stat st;

	assert_string_equal(doc, "keep\n");
	free(doc);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_existing_file_refused(void **state)
{
	char path[PATH_MAX + 64];

	path_in(state, "existing", path, sizeof(path));
	make_keep_file(path);
	assert_int_equal(sls_qr_write_png(path, short_uri), SLS_ERR_EXISTS);
	assert_kept(path);
	assert_int_equal(sls_qr_write_svg(path, short_uri), SLS_ERR_EXISTS);
	assert_kept(path);
}

/* link -> target: refused by both writers; target unchanged (or still absent). */
static void check_symlink_refused(void **state, const char *link, const char *target, bool exists)
{
	char lpath[PATH_MAX + 64], tpath[PATH_MAX + 64];
	struct stat st;

	path_in(state, link, lpath, sizeof(lpath));
	path_in(state, target, tpath, sizeof(tpath));
	if (exists)
		make_keep_file(tpath);
	assert_int_equal(symlink(tpath, lpath), 0);
	assert_int_equal(sls_qr_write_png(lpath, short_uri), SLS_ERR_EXISTS);
	assert_int_equal(sls_qr_write_svg(lpath, short_uri), SLS_ERR_EXISTS);
	assert_int_equal(lstat(lpath, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	if (exists)
		assert_kept(tpath);
	else
		assert_int_equal(lstat(tpath, &st), -1);
}

static void test_symlink_refused(void **state)
{
	check_symlink_refused(state, "link-dangling", "nowhere", false);
	check_symlink_refused(state, "link-file", "victim", true);
}

/* In a child limited to a 16-byte file size, writing fails and nothing is left. */
static void check_partial_removed(void **state, bool svg, const char *name)
{
	struct rlimit lim = {16, 16};
	char path[PATH_MAX + 64];
	struct stat st;
	int status;
	pid_t pid;

	path_in(state, name, path, sizeof(path));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG */
		if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
			_exit(EXIT_RUN);
		_exit(svg ? sls_qr_write_svg(path, long_uri) : sls_qr_write_png(path, long_uri));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), SLS_ERR_IO);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_partial_file_removed(void **state)
{
	check_partial_removed(state, false, "partial.png");
	check_partial_removed(state, true, "partial.svg");
}

static void test_bad_input(void **state)
{
	unsigned char m[21 * 21] = {0}, *mp = NULL;
	char path[PATH_MAX + 64], big[4000], *s = NULL;
	struct stat st;
	size_t len;
	int width;

	memset(big, 'a', sizeof(big) - 1); /* over the 2331 bytes of version 40-M */
	big[sizeof(big) - 1] = '\0';
	path_in(state, "bad.png", path, sizeof(path));
	assert_int_equal(sls_qr_matrix(NULL, &mp, &width), SLS_ERR_INVAL);
	assert_null(mp);
	assert_int_equal(sls_qr_matrix("", &mp, &width), SLS_ERR_INVAL);
	assert_int_equal(sls_qr_matrix(big, &mp, &width), SLS_ERR_TOOBIG);
	assert_int_equal(sls_qr_render(big, true, &s, &len), SLS_ERR_TOOBIG);
	assert_null(s);
	assert_int_equal(sls_qr_print(NULL, short_uri, false), SLS_ERR_INVAL);
	assert_int_equal(sls_qr_write_png(NULL, short_uri), SLS_ERR_INVAL);
	assert_int_equal(sls_qr_write_png(path, NULL), SLS_ERR_INVAL);
	assert_int_equal(sls_qr_write_svg(path, big), SLS_ERR_TOOBIG);
	assert_int_equal(sls_qr_write_png_matrix(path, m, 0), SLS_ERR_INVAL);
	assert_int_equal(sls_qr_write_png_matrix(path, m, 178), SLS_ERR_INVAL);
	assert_int_equal(sls_qr_write_png_matrix(path, NULL, 21), SLS_ERR_INVAL);
	assert_int_equal(lstat(path, &st), -1); /* nothing created */
	path_in(state, "no/such/dir.png", path, sizeof(path));
	assert_int_equal(sls_qr_write_png(path, short_uri), SLS_ERR_NOENT);
}

/* Lines of a drawing (joined by '\n') and the glyphs of its first line. */
static void drawing_size(const char *s, int *cols, int *lines)
{
	*lines = 1;
	*cols = 0;
	for (const char *p = s; *p != '\0'; p++)
		*lines += *p == '\n';
	for (const char *p = s; *p != '\0' && *p != '\n'; p++) {
		if (*p == '\033')
			p += strcspn(p, "m"); /* an SGR sequence */
		else if ((*p & 0xc0) != 0x80)
			(*cols)++;
	}
}

/*
 * The small drawing within a size: 134 bytes still make version 6 at level
 * L (41 modules and the quiet zone: 43 columns, 22 lines), 135 version 7
 * (47 columns, 24 lines), refused within 80x22 and drawn without a limit.
 */
static void test_small_within(void **state)
{
	char text[136], *s = NULL;
	size_t len = 0;
	int cols, lines;

	(void)state;
	memset(text, 'x', sizeof(text) - 2);
	text[134] = '\0';
	assert_int_equal(sls_qr_render_small_within(text, true, 80, 22, &s, &len), SLS_OK);
	assert_int_equal(strlen(s), len);
	drawing_size(s, &cols, &lines);
	assert_int_equal(cols, 43);
	assert_int_equal(lines, 22);
	sls_free_secret(s, len + 1);
	assert_int_equal(sls_qr_render_small_within(text, true, 43, 22, &s, &len), SLS_OK);
	sls_free_secret(s, len + 1);
	assert_int_equal(sls_qr_render_small_within(text, true, 42, 0, &s, &len), SLS_ERR_TOOBIG);
	assert_null(s);
	assert_int_equal(len, 0);
	assert_int_equal(sls_qr_render_small_within(text, false, 0, 21, &s, &len), SLS_ERR_TOOBIG);
	assert_null(s);
	text[134] = 'x';
	text[135] = '\0';
	assert_int_equal(sls_qr_render_small_within(text, true, 80, 22, &s, &len), SLS_ERR_TOOBIG);
	assert_null(s);
	assert_int_equal(sls_qr_render_small_within(text, false, 0, 0, &s, &len), SLS_OK);
	drawing_size(s, &cols, &lines);
	assert_int_equal(cols, 47);
	assert_int_equal(lines, 24);
	sls_free_secret(s, len + 1);
	/* the same drawing as sls_qr_render_small, which has no limit */
	assert_int_equal(sls_qr_render_small(text, false, &s, &len), SLS_OK);
	drawing_size(s, &cols, &lines);
	assert_int_equal(cols, 47);
	sls_free_secret(s, len + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_terminal_plain_decodes),
	    cmocka_unit_test(test_terminal_ansi_decodes),
	    cmocka_unit_test(test_print_equals_render),
	    cmocka_unit_test(test_terminal_matches_qrencode_cli),
	    cmocka_unit_test(test_png_decodes),
	    cmocka_unit_test(test_svg_matches_matrix),
	    cmocka_unit_test(test_existing_file_refused),
	    cmocka_unit_test(test_symlink_refused),
	    cmocka_unit_test(test_partial_file_removed),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_small_within),
	};

	return cmocka_run_group_tests_name("qr", tests, setup, teardown);
}
