// The web soft key (authenticator/web) in Debian's headless Chromium, driven
// by puppeteer-core, against the real pam_sls.so (through libpam:
// tests/bench/pam_login) and the real sls. Run by tests/web/browser.test
// (TAP). What it shows:
//   - import by camera: `sls enroll ibkey --png` draws the enrolment QR code,
//     ffmpeg makes it the fake camera's video, the app scans it, and the
//     response it computes confirms the enrolment; a TOTP account pasted as
//     a URI confirms `sls enroll totp` with the code it shows;
//   - logins through the module: a typed challenge with the right PIN
//     succeeds, a wrong PIN gives another response and the login fails, and
//     with challenge_qr = yes the QR code drawn in the prompt (half blocks, no
//     colours), light on dark as a dark theme shows it, becomes the camera's
//     video and the scanned challenge
//     logs in (the fake camera re-reads its file at each getUserMedia);
//   - offline: with the HTTP server stopped the page reloads from the
//     service worker, lists the account and answers a login; every request
//     of the page is served by the service worker, none reaches the server
//     once the app is loaded; after a browser restart too;
//   - the IndexedDB record holds a non-extractable CryptoKey, no secret
//     bytes and no PIN;
//   - RFC 6287's vectors (tests/data/ocra-vectors.tsv) through the served
//     otp.js in Chromium's WebCrypto;
//   - the app in German and Japanese (navigator.languages): i18n.js's texts;
//   - screenshots of every screen in $top_builddir/web-shots.
// Env (make check): top_srcdir, top_builddir, TMPDIR (not under /tmp: the
// module refuses a store below a world-writable directory), WEB_DIST (the
// built app; unset: built here with build.mjs). A missing chromium, ffmpeg
// or node_modules is a failure, never a skip.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const SRC = path.resolve(process.env.top_srcdir ?? ".");
const BUILD = path.resolve(process.env.top_builddir ?? ".");
const WEB = path.join(SRC, "authenticator", "web");
const CHROMIUM = process.env.SLS_CHROMIUM ?? "/usr/bin/chromium";
const SLS = path.join(BUILD, "pam_sls", "sls", "sls");
const PAM_LOGIN = path.join(BUILD, "tests", "bench", "pam_login");
const MODULES = [path.join(BUILD, "pam_sls", ".libs", "pam_sls.so"),
	path.join(BUILD, "pam_sls", "module", ".libs", "pam_sls.so")];
const SHOTS = path.join(BUILD, "web-shots");
const USER = "games", TOTP_USER = "news"; // users of the system (as tests/cli/journal.test)
const PIN = "k7#Q2x", WRONG_PIN = "k7#Q2y"; // an ibkey PIN: printable ASCII, letters and specials too
const DEADLINE_S = 90; // the whole test, whatever hangs
const WAIT_MS = 15000; // one wait in the page or for a program

// ---- TAP ---------------------------------------------------------------------

let n = 0, failed = 0;

function ok(cond, name, diag = "") {
	n++;
	if (cond) {
		console.log(`ok ${n} - ${name}`);
	} else {
		failed++;
		console.log(`not ok ${n} - ${name}`);
		// control characters (the prompt's ANSI colours, pam_login's 0x1f) shown, not sent
		const shown = String(diag).replace(/[\x00-\x09\x0b-\x1f\x7f]/g,
			(c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
		for (const line of shown.split("\n"))
			if (line !== "")
				console.log(`# ${line}`);
	}
	return Boolean(cond);
}

// A failed step whose later steps make no sense: the phase stops there.
class Stop extends Error {}

function must(cond, name, diag) {
	if (!ok(cond, name, diag))
		throw new Stop(name);
}

function note(text) {
	for (const line of String(text).split("\n"))
		console.log(`# ${line}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// p, or a rejection naming what was awaited after ms.
function within(p, ms, what) {
	let timer;
	const t = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
	});
	return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ---- the sandbox -------------------------------------------------------------

if (process.getuid() !== 0) {
	// as tests/cli/journal.test: sls enrols users of the system, the module reads a root-owned store
	console.log("ok 1 # SKIP sls enrolling users of the system and logins through the module need root " +
		"(CI runs make check as root)");
	console.log("1..1");
	process.exit(0);
}

function testTmp() {
	let dir = process.env.TMPDIR;
	if (!dir)
		dir = process.getuid() === 0 ? "/run/sls-tests" : path.join(BUILD, "tests", "tmp");
	fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
	return dir;
}

const TMP = testTmp();
const SB = fs.mkdtempSync(path.join(TMP, "sls-web-browser-"));
fs.chmodSync(SB, 0o755);
const CONF = path.join(SB, "sls.conf");
const PAMD = path.join(SB, "pam.d");
const PROFILE = path.join(SB, "chromium-profile");
const CAMERA = path.join(SB, "camera.y4m");
const HOME = path.join(SB, "home");
const procs = new Set();
let server = null, browser = null, page = null;
const pageErrors = [];
let step = "the test's set-up"; // what runs now: a failure is reported under this name

function baseEnv(extra = {}) {
	const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", TZ: "UTC", LANG: "C" };
	for (const k of ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"])
		if (process.env[k] !== undefined)
			env[k] = process.env[k];
	return { ...env, ...extra };
}

function writeConf(extra = "") {
	fs.writeFileSync(CONF, `[store]\ndir = ${path.join(SB, "store")}\n${extra}`, { mode: 0o644 });
	fs.chmodSync(CONF, 0o644);
}

// A program run with pipes: its output as it comes, a prompt awaited, answers written.
class Proc {
	constructor(name, argv, { pin } = {}) {
		this.name = name;
		this.out = "";
		this.err = "";
		this.waiters = new Set();
		const stdio = ["pipe", "pipe", "pipe"];
		if (pin !== undefined)
			stdio.push("pipe");
		this.p = spawn(argv[0], argv.slice(1), { stdio, env: baseEnv() });
		procs.add(this);
		if (pin !== undefined)
			this.p.stdio[3].end(`${pin}\n`);
		this.p.stdout.setEncoding("utf8");
		this.p.stderr.setEncoding("utf8");
		this.p.stdout.on("data", (d) => {
			this.out += d;
			this.kick();
		});
		this.p.stderr.on("data", (d) => {
			this.err += d;
		});
		this.p.stdin.on("error", () => {});
		this.done = new Promise((resolve) => {
			this.p.on("close", (code, signal) => {
				procs.delete(this);
				this.code = code ?? `signal ${signal}`;
				this.kick();
				resolve(this.code);
			});
			this.p.on("error", (e) => {
				procs.delete(this);
				this.code = `cannot run: ${e.message}`;
				this.kick();
				resolve(this.code);
			});
		});
	}

	kick() {
		for (const w of this.waiters)
			w();
	}

	tail() {
		return `${this.name} wrote:\n${this.out.slice(-1500)}\n${this.err.slice(-800)}`.trimEnd();
	}

	// The first match of re in the output (from offset 0): waits up to ms.
	until(re, what, ms = WAIT_MS) {
		return new Promise((resolve, reject) => {
			const check = () => {
				const m = re.exec(this.out);
				if (m || this.code !== undefined) {
					clearTimeout(timer);
					this.waiters.delete(check);
					if (m)
						resolve(m);
					else
						reject(new Error(`${this.name} ended (${this.code}) before ${what}\n${this.tail()}`));
				}
			};
			const timer = setTimeout(() => {
				this.waiters.delete(check);
				reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}\n${this.tail()}`));
			}, ms);
			this.waiters.add(check);
			check();
		});
	}

	answer(text, last = true) {
		this.p.stdin.write(`${text}\n`);
		if (last)
			this.p.stdin.end();
	}

	exit(what, ms = WAIT_MS) {
		return within(this.done, ms, `${this.name} to end (${what})`).catch((e) => {
			throw new Error(`${e.message}\n${this.tail()}`);
		});
	}

	kill() {
		if (this.code === undefined)
			this.p.kill("SIGKILL");
	}
}

// pam_login CONFDIR sls USER: one login through libpam and the module.
function login() {
	return new Proc("pam_login", [PAM_LOGIN, PAMD, "sls", USER]);
}

// The prompt pam_login shows ("P text", newlines as 0x1f): {text, challenge}.
async function loginPrompt(pl) {
	const m = await pl.until(/^P ([^\n]*)\n/m, "the module's prompt (a line 'P ...' of pam_login)");
	const text = m[1].replace(/\x1f/g, "\n");
	const c = /(?:^|\n)Challenge: (\d+)\nResponse: $/.exec(text);
	if (!c)
		throw new Error(`the prompt does not end in 'Challenge: N\\nResponse: ':\n${JSON.stringify(text)}`);
	return { text, challenge: c[1] };
}

// ---- the app's HTTP server ---------------------------------------------------------

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json",
	".json": "application/json" };

// Serve dir on 127.0.0.1 (a secure context: service workers and the camera
// work); every request is logged in served.
function serve(dir) {
	const served = [];
	const s = http.createServer((req, res) => {
		const url = new URL(req.url, "http://127.0.0.1");
		served.push(url.pathname);
		let rel = decodeURIComponent(url.pathname);
		if (rel.endsWith("/"))
			rel += "index.html";
		const file = path.resolve(dir, `.${rel}`);
		let body = null;
		if (req.method === "GET" && file.startsWith(`${path.resolve(dir)}${path.sep}`)) {
			try {
				body = fs.readFileSync(file);
			} catch {
				body = null;
			}
		}
		if (body === null) {
			res.writeHead(404, { "content-type": "text/plain" });
			return res.end("not found\n");
		}
		res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "text/plain; charset=utf-8",
			"cache-control": "no-cache" });
		res.end(body);
	});
	return new Promise((resolve, reject) => {
		s.on("error", reject);
		s.listen(0, "127.0.0.1", () => resolve({ s, served, url: `http://127.0.0.1:${s.address().port}/` }));
	});
}

function stopServer() {
	if (server === null)
		return Promise.resolve();
	const s = server.s;
	return new Promise((resolve) => {
		s.close(() => resolve());
		s.closeAllConnections();
	});
}

// ---- the browser -------------------------------------------------------------------

let puppeteer = null;

async function launch() {
	fs.mkdirSync(HOME, { recursive: true });
	browser = await within(puppeteer.launch({
		executablePath: CHROMIUM,
		headless: true,
		userDataDir: PROFILE,
		timeout: 20000,
		protocolTimeout: 20000,
		env: baseEnv({ HOME, TMPDIR: SB }),
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
			`--use-file-for-fake-video-capture=${CAMERA}`],
	}), 25000, `chromium (${CHROMIUM}) to start`);
	page = (await browser.pages())[0] ?? await browser.newPage();
	await page.setViewport({ width: 420, height: 860 });
	page.on("pageerror", (e) => pageErrors.push(`uncaught: ${e.message ?? e}`));
	page.on("console", (m) => {
		if (m.type() === "error")
			pageErrors.push(`console: ${m.text()}`);
	});
	page.on("request", (r) => requests.push({ url: r.url(), r }));
	page.on("requestfailed", (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
	return page;
}

async function closeBrowser() {
	if (browser === null)
		return;
	const b = browser;
	browser = null;
	page = null;
	try {
		await within(b.close(), 10000, "chromium to close");
	} catch {
		b.process()?.kill("SIGKILL");
	}
}

let requests = [], failedRequests = [];

// What the page shows, for a failure's diagnosis.
function state() {
	if (page === null)
		return Promise.resolve("(no page)");
	return page.evaluate(() => {
		const t = (id) => document.getElementById(id)?.textContent ?? "?";
		return `view ${document.body.dataset.view}; #scan-status "${t("scan-status")}"; ` +
			`#notice "${t("notice")}"; #add-error "${t("add-error")}"; #respond-error "${t("respond-error")}"; ` +
			`#response "${t("response")}"; accounts [${[...document.querySelectorAll("li.account")]
				.map((li) => li.dataset.id).join(", ")}]`;
	}).catch((e) => `(the page cannot tell: ${e.message})`);
}

// Wait in the page for fn(arg) to be true; a failure names what and what the page shows.
async function waitIn(what, fn, arg, ms = WAIT_MS) {
	try {
		await page.waitForFunction(fn, { timeout: ms, polling: 50 }, arg);
	} catch (e) {
		throw new Error(`timed out after ${ms / 1000} s waiting for ${what} (${e.message.split("\n")[0]})\n` +
			`the page: ${await state()}`);
	}
}

function waitView(view, what, ms = WAIT_MS) {
	return waitIn(`${what} (body[data-view=${view}])`, (v) => document.body.dataset.view === v &&
		document.getElementById(v) !== null && !document.getElementById(v).hidden, view, ms);
}

const text = (sel) => page.$eval(sel, (e) => e.textContent);

const shots = [];

async function shot(name) {
	const file = path.join(SHOTS, `${name}.png`);
	try {
		await within(page.screenshot({ path: file, fullPage: true }), WAIT_MS, `the screenshot ${name}`);
		shots.push(`${name}.png`);
		return true;
	} catch (e) {
		return ok(false, `screenshot ${name}.png`, e.message);
	}
}

// Open the account from the list (li.account[data-id=ID]).
async function openFromList(id) {
	await page.click("#home");
	await waitView("view-list", "the list");
	const sel = `li.account[data-id=${JSON.stringify(id)}] button`;
	await waitIn(`the account ${id} in the list`, (s) => document.querySelector(s) !== null, sel);
	await page.click(sel);
}

// In the open respond view: the challenge and the PIN typed, #compute clicked,
// the response read (8 digits).
async function compute(challenge, pin) {
	if (challenge !== null) {
		await page.$eval("#challenge", (e) => {
			e.value = "";
		});
		await page.type("#challenge", challenge);
	}
	await page.$eval("#response", (e) => {
		e.textContent = "";
	});
	await page.type("#pin", pin);
	await page.click("#compute");
	await waitIn("a response of 8 digits in #response", () =>
		/^\d{8}$/.test(document.getElementById("response").textContent), null);
	return text("#response");
}

// ---- images --------------------------------------------------------------------------

// PNG or PGM -> a few seconds of .y4m frames (even size, white border) for
// Chromium's fake camera; written beside and renamed over the camera file.
function toY4m(image, border, out = CAMERA) {
	const tmp = `${out}.new.y4m`;
	const p = spawnSync("ffmpeg", ["-nostdin", "-v", "error", "-y", "-loop", "1", "-framerate", "5",
		"-i", image, "-vf", `pad=iw+${2 * border}:ih+${2 * border}:${border}:${border}:color=white,` +
		"pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:color=white,format=yuv420p", "-t", "2", tmp],
	{ encoding: "utf8", timeout: 20000 });
	if (p.status !== 0)
		throw new Error(`ffmpeg could not make ${tmp} of ${image}: ${p.error?.message ?? ""}${p.stderr}`);
	fs.renameSync(tmp, out);
}

// The QR code drawn in a prompt above "Challenge: " (UTF-8 half blocks, two
// module rows a line, glyphs the dark modules; ANSI colour escapes allowed;
// the lines of half blocks just above, empty lines and other text around
// them ignored): {rows (booleans, true dark), cols, lines, ansi}, or null
// without one.
function promptQr(prompt) {
	const lines = prompt.split("\n");
	let end = lines.findIndex((l) => l.startsWith("Challenge: "));
	const plain = (l) => l.replace(/\x1b\[[0-9;]*m/g, "");
	const isDrawing = (l) => /^[ \u2580\u2584\u2588]+$/.test(plain(l));
	while (end > 0 && lines[end - 1] === "")
		end--;
	let start = end;
	while (start > 0 && isDrawing(lines[start - 1]))
		start--;
	if (start === end || !lines.slice(start, end).some((l) => /[\u2580\u2584\u2588]/.test(l)))
		return null;
	const ansi = lines.slice(start, end).some((l) => l.includes("\x1b["));
	const drawn = lines.slice(start, end).map(plain);
	const cols = Math.max(...drawn.map((l) => l.length));
	const rows = [];
	for (const l of drawn) {
		const cells = [...l.padEnd(cols, " ")];
		rows.push(cells.map((c) => c === "\u2580" || c === "\u2588"));
		rows.push(cells.map((c) => c === "\u2584" || c === "\u2588"));
	}
	return { rows, cols, lines: drawn.length, ansi };
}

// The module rows as a grey image, scale px a module and border modules of
// white; inverted: as a terminal with a dark theme shows blocks (light on dark).
function raster(rows, scale, border, inverted = false) {
	const w = (rows[0].length + 2 * border) * scale, h = (rows.length + 2 * border) * scale;
	const px = new Uint8Array(w * h).fill(inverted ? 0 : 255);
	rows.forEach((row, y) => row.forEach((dark, x) => {
		if (!dark)
			return;
		for (let dy = 0; dy < scale; dy++)
			px.fill(inverted ? 255 : 0, ((y + border) * scale + dy) * w + (x + border) * scale,
				((y + border) * scale + dy) * w + (x + border + 1) * scale);
	}));
	return { w, h, px };
}

function writePgm(file, { w, h, px }) {
	fs.writeFileSync(file, Buffer.concat([Buffer.from(`P5\n${w} ${h}\n255\n`), Buffer.from(px)]));
}

// jsQR (the app's decoder, from node_modules) on a raster: the text, or null.
function decode(jsQR, { w, h, px }) {
	const rgba = new Uint8ClampedArray(w * h * 4);
	for (let i = 0; i < w * h; i++) {
		rgba.fill(px[i], 4 * i, 4 * i + 3);
		rgba[4 * i + 3] = 255;
	}
	return jsQR(rgba, w, h)?.data ?? null;
}

// RFC 3986 percent-encoding: unreserved kept, every other byte %XX.
function pct(s) {
	return [...Buffer.from(s, "utf8")].map((b) => /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
		? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}

function base32(s) {
	const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	let bits = 0, value = 0;
	const out = [];
	for (const c of s.replace(/=+$/, "").toUpperCase()) {
		value = (value << 5) | A.indexOf(c);
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

// ---- the test ------------------------------------------------------------------------

function prerequisites() {
	const missing = [];
	const exe = (f) => {
		try {
			fs.accessSync(f, fs.constants.X_OK);
			return true;
		} catch {
			return false;
		}
	};
	if (!exe(CHROMIUM))
		missing.push(`chromium (${CHROMIUM}): apt-get install chromium`);
	if (spawnSync("ffmpeg", ["-version"], { timeout: 10000 }).status !== 0)
		missing.push("ffmpeg: apt-get install ffmpeg");
	for (const m of ["puppeteer-core", "jsqr"])
		if (!fs.existsSync(path.join(WEB, "node_modules", m, "package.json")))
			missing.push(`${WEB}/node_modules/${m}: cd ${WEB} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts`);
	for (const f of [SLS, PAM_LOGIN])
		if (!exe(f))
			missing.push(`${f}: build it (make; make check builds tests/bench/pam_login)`);
	if (!MODULES.some((f) => fs.existsSync(f)))
		missing.push(`the module (${MODULES.join(" or ")}): build it`);
	for (const u of [USER, TOTP_USER])
		if (spawnSync("getent", ["passwd", u]).status !== 0)
			missing.push(`the system user ${u}`);
	return missing;
}

async function main() {
	const missing = prerequisites();
	must(missing.length === 0, "what the test needs is here: chromium, ffmpeg, node_modules, the build, the users",
		`missing:\n${missing.join("\n")}`);
	const require = createRequire(path.join(WEB, "package.json"));
	puppeteer = require("puppeteer-core");
	const jsQR = require("jsqr");
	const otp = await import(pathToFileURL(path.join(WEB, "src", "otp.js")).href);
	const MODULE = MODULES.find((f) => fs.existsSync(f));

	let dist = process.env.WEB_DIST;
	if (!dist) {
		dist = path.join(SB, "dist");
		const b = spawnSync(process.execPath, [path.join(WEB, "build.mjs"), dist], { encoding: "utf8", timeout: 30000 });
		must(b.status === 0, "WEB_DIST unset: the app is built with build.mjs", b.stdout + b.stderr);
	}
	must(fs.existsSync(path.join(dist, "index.html")), `the built app is in ${dist}`,
		"no index.html: run build.mjs (make builds it with --enable-web)");
	fs.mkdirSync(SHOTS, { recursive: true });
	writeConf();
	fs.mkdirSync(PAMD);
	fs.writeFileSync(path.join(PAMD, "sls"), `auth required ${MODULE} conf=${CONF}\n`);
	server = await serve(dist);

	// ---- import by camera: sls enroll's PNG is the camera's picture ----
	step = "import by camera: sls enroll ibkey --png, the app opened, the QR code scanned";
	const enroll = new Proc("sls enroll ibkey", [SLS, "--conf", CONF, "enroll", "ibkey", "--user", USER,
		"--png", path.join(SB, "enrol.png"), "--pin-fd", "3"], { pin: PIN });
	const uriM = await enroll.until(/^(otpauth:\/\/ocra\/\S+)\n/m, "the otpauth URI of sls enroll");
	const c0 = await enroll.until(/Challenge: (\d+)\nResponse: $/, "sls enroll's confirmation prompt");
	const uri = new URL(uriM[1]);
	const issuer = uri.searchParams.get("issuer"), device = uri.searchParams.get("device");
	const name = `${USER}@${issuer}/${device}`, id = JSON.stringify(["ocra", USER, issuer, device]);
	const secret = base32(uri.searchParams.get("secret"));
	toY4m(path.join(SB, "enrol.png"), 32);
	await launch();
	await page.goto(server.url, { waitUntil: "load", timeout: WAIT_MS });
	await waitIn("the list drawn (html[data-ready=yes])", () => document.documentElement.dataset.ready === "yes");
	must(await page.evaluate(() => document.body.dataset.view === "view-list" &&
		!document.getElementById("empty").hidden && document.querySelectorAll("li.account").length === 0),
	"a new profile: the app opens on the empty list", await state());
	await shot("01-list-empty");
	await waitIn("the service worker to control the page (html[data-offline=ready])",
		() => document.documentElement.dataset.offline === "ready").then(
		() => ok(true, "the service worker controls the page once it is loaded (html[data-offline=ready])"),
		(e) => ok(false, "the service worker controls the page once it is loaded (html[data-offline=ready])",
			e.message));
	{
		// Chromium's own verdict on the manifest, the icon and the worker: installable as an app
		const cdp = await page.createCDPSession();
		const { installabilityErrors: errors } = await cdp.send("Page.getInstallabilityErrors");
		const { errors: manifestErrors } = await cdp.send("Page.getAppManifest");
		await cdp.detach();
		ok(errors.length === 0 && manifestErrors.length === 0,
			"installable as a PWA: Chromium reports no installability or manifest error",
			JSON.stringify({ errors, manifestErrors }));
	}
	const servedAtLoad = server.served.length;
	const requestsAtLoad = requests.length;

	await page.click("#add");
	await waitView("view-add", "the add view");
	await shot("02-add");
	// hold the decoder until the camera's picture is on screen, for the screenshot
	await page.evaluate(() => {
		const real = globalThis.jsQR;
		globalThis.slsTestHold = true;
		globalThis.jsQR = (...a) => (globalThis.slsTestHold ? null : real(...a));
	});
	await page.click("#scan-uri");
	await waitView("view-scan", "the scan view");
	await waitIn("the fake camera's video playing in video#video", () => {
		const v = document.getElementById("video");
		return v.readyState >= 2 && v.videoWidth > 0;
	});
	await shot("03-scan");
	await page.evaluate(() => {
		globalThis.slsTestHold = false;
	});
	await waitView("view-respond", "the respond view after scanning the enrolment QR code");
	must(await text("#respond-name") === name, `the scanned enrolment QR code imported ${name}`,
		`#respond-name: ${await text("#respond-name")}`);
	const r0 = await compute(c0[1], PIN);
	const key = await otp.importKey(secret, "SHA256");
	const suite = otp.parseSuite(uri.searchParams.get("suite"));
	const want0 = await otp.ocra(suite, key, { question: c0[1], pin: PIN });
	ok(r0 === want0, "the app in Chromium computes the response otp.js gives in Node for the URI's secret",
		`app ${r0}, node ${want0}`);
	await shot("04-respond");
	enroll.answer(r0);
	const e0 = await enroll.exit("after the confirmation");
	must(e0 === 0, "import by camera: the app scanned sls enroll's QR code and its response confirmed the " +
		"enrolment (sls enroll exits 0)", enroll.tail());

	await page.click("#home");
	await waitIn(`${id} in the list`, (i) => document.querySelector(`li.account[data-id="${CSS.escape(i)}"]`) !== null, id);
	ok(await page.$eval(`li.account[data-id=${JSON.stringify(id)}]`, (li) => li.dataset.name) === name,
		"the list shows the account, named user@issuer/device", await state());
	await shot("05-list");

	// ---- a TOTP account by pasting the URI: its code confirms sls enroll totp ----
	step = "paste: a TOTP account from sls enroll totp's URI";
	const totpEnroll = new Proc("sls enroll totp", [SLS, "--conf", CONF, "enroll", "totp", "--user", TOTP_USER]);
	const tUri = (await totpEnroll.until(/^(otpauth:\/\/totp\/\S+)\n/m, "the TOTP URI"))[1];
	await totpEnroll.until(/Verification code: $/, "sls enroll totp's prompt");
	await page.click("#add");
	await waitView("view-add", "the add view");
	await page.$eval("#uri", (e, v) => {
		e.value = v;
	}, tUri);
	await page.click("#import");
	await waitView("view-code", "the code view after importing the pasted TOTP URI");
	await waitIn("a 6-digit code in #totp-code", () => /^\d{6}$/.test(document.getElementById("totp-code").textContent));
	const code = await text("#totp-code");
	ok(await text("#code-name") === `${TOTP_USER}@${issuer}/totp`, "the pasted URI: a TOTP account user@issuer/totp",
		await text("#code-name"));
	await shot("06-code");
	totpEnroll.answer(code);
	ok(await totpEnroll.exit("after the TOTP code") === 0,
		"paste: the TOTP code the app shows confirms sls enroll totp", totpEnroll.tail());

	// ---- a login through the module: the challenge typed ----
	{
		step = "typed: a login through the module answered with the app";
		const pl = login();
		const { text: prompt, challenge } = await loginPrompt(pl);
		ok(prompt === `Challenge: ${challenge}\nResponse: `, "without challenge_qr the prompt is 'Challenge: N\\nResponse: '",
			JSON.stringify(prompt));
		await openFromList(id);
		await waitView("view-respond", "the respond view of the account");
		const r = await compute(challenge, PIN);
		pl.answer(r);
		ok(await pl.exit("after the typed response") === 0,
			"typed: the app's response to the challenge of a login, right PIN: PAM_SUCCESS", pl.tail());
	}
	// ---- a wrong PIN ----
	{
		step = "a wrong PIN: a login answered with the app";
		const pl = login();
		const { challenge } = await loginPrompt(pl);
		await openFromList(id);
		await waitView("view-respond", "the respond view of the account");
		const right = await compute(challenge, PIN);
		const wrong = await compute(null, WRONG_PIN);
		ok(wrong !== right && /^\d{8}$/.test(wrong), "a wrong PIN: the app gives another response than the right PIN's",
			`right ${right}, wrong ${wrong}`);
		pl.answer(wrong);
		const rc = await pl.exit("after the wrong PIN's response");
		ok(rc !== 0 && rc !== undefined, "a wrong PIN: the login with its response fails", `exit ${rc}\n${pl.tail()}`);
	}

	// ---- the key is not extractable; no secret and no PIN are stored ----
	{
		step = "the stored key, read from IndexedDB in the page";
		// the secrets as sls showed them (base32) and as bytes (hex), both accounts
		const secrets = [uri.searchParams.get("secret"), new URL(tUri).searchParams.get("secret")]
			.map((b32) => ({ b32: b32.replace(/=+$/, "").toUpperCase(), hex: base32(b32).toString("hex") }));
		const got = await page.evaluate(async (secrets, pins) => {
			const req = (r) => new Promise((resolve, reject) => {
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
			const dbs = (await indexedDB.databases()).map((d) => d.name);
			const db = await req(indexedDB.open("sls-authenticator"));
			const stores = [...db.objectStoreNames];
			const tx = db.transaction(stores, "readonly");
			const all = [];
			for (const s of stores)
				all.push(...await req(tx.objectStore(s).getAll()));
			db.close();
			const refusal = async (key, fmt) => {
				try {
					await crypto.subtle.exportKey(fmt, key);
					return "exported";
				} catch (e) {
					return e.name;
				}
			};
			const bad = [];
			const holds = (str) => secrets.some(({ b32, hex }) => str.toLowerCase().includes(hex) ||
				str.toUpperCase().includes(b32) || str.includes(hex.match(/../g).map((h) => parseInt(h, 16)).join(",")) ||
				str.includes(btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))))));
			const walk = (v, at) => {
				if (v instanceof CryptoKey)
					return;
				if (v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof Blob ||
					(Array.isArray(v) && v.length >= 16 && v.every((b) => Number.isInteger(b) && b >= 0 && b < 256)))
					bad.push(`${at} holds bytes`);
				else if (typeof v === "string" && pins.some((p) => v.includes(p)))
					bad.push(`${at} holds a PIN`);
				else if (v !== null && typeof v === "object")
					for (const k of Object.keys(v)) {
						if (/secret|pin/i.test(k))
							bad.push(`${at}.${k}: a field named ${k}`);
						walk(v[k], `${at}.${k}`);
					}
			};
			for (const r of all) {
				walk(r, r.id);
				if (holds(JSON.stringify({ ...r, key: undefined })))
					bad.push(`${r.id} holds a secret (base32, hex, a list of bytes or base64)`);
			}
			const keys = [];
			for (const r of all)
				keys.push({ id: r.id, isKey: r.key instanceof CryptoKey, extractable: r.key?.extractable,
					algorithm: r.key?.algorithm?.name, usages: r.key?.usages, raw: await refusal(r.key, "raw"),
					jwk: await refusal(r.key, "jwk") });
			return { ids: all.map((r) => r.id), keys, bad, dbs, local: localStorage.length + sessionStorage.length };
		}, secrets, [PIN, WRONG_PIN]);
		const diag = JSON.stringify(got);
		const keys = got.keys;
		must(got.ids.includes(id) && got.ids.length === 2, `IndexedDB sls-authenticator/accounts holds ${id} and ` +
			"the TOTP account", diag);
		ok(keys.every((k) => k.isKey && k.extractable === false && k.algorithm === "HMAC" &&
			JSON.stringify(k.usages) === '["sign"]'), "IndexedDB: each record.key is a CryptoKey, HMAC, sign only, " +
			"extractable false", diag);
		ok(keys.every((k) => k.raw === "InvalidAccessError" && k.jwk === "InvalidAccessError"),
			"crypto.subtle.exportKey of each stored key rejects (InvalidAccessError), raw and jwk", diag);
		ok(Array.isArray(got.bad) && got.bad.length === 0 && got.local === 0 &&
			JSON.stringify(got.dbs) === '["sls-authenticator"]',
		"no record holds the secret, bytes, or the PIN; no other database, no web storage", diag);
	}

	// ---- RFC 6287's vectors through the served otp.js ----
	{
		step = "RFC 6287's vectors through the served otp.js";
		const rows = fs.readFileSync(path.join(SRC, "tests", "data", "ocra-vectors.tsv"), "utf8")
			.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
		const head = rows.shift();
		const vectors = rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ""])));
		const got = await page.evaluate(async (vs) => {
			const otp = await import(new URL("otp.js", location.href).href);
			const out = [];
			for (const v of vs) {
				try {
					const s = otp.parseSuite(v.suite);
					const key = await otp.importKey(otp.hexBytes(v.key_hex), s.hash);
					out.push(await otp.ocra(s, key, { question: v.question, pin: v.pin || undefined,
						counter: v.counter === "" ? 0 : Number(v.counter), session: v.session || undefined,
						timestamp: v.timestamp_hex === "" ? 0 : parseInt(v.timestamp_hex, 16) }));
				} catch (e) {
					out.push(`error: ${e.message}`);
				}
			}
			return out;
		}, vectors);
		const bad = vectors.map((v, i) => [v, got[i]]).filter(([v, g]) => g !== v.expected)
			.map(([v, g]) => `${v.suite} q=${v.question} c=${v.counter} p=${v.pin} t=${v.timestamp_hex}: ` +
				`got ${g}, want ${v.expected}`);
		ok(vectors.length >= 60 && bad.length === 0,
			`all ${vectors.length} RFC 6287 vectors: the served otp.js on Chromium's WebCrypto`, bad.join("\n"));
	}

	// nothing reached the server since the app was loaded (the page asked nothing)
	ok(server.served.length === servedAtLoad && requests.length === requestsAtLoad,
		"once loaded, the page made no request at all (scan, import, compute, IndexedDB)",
		`served since: ${server.served.slice(servedAtLoad)}; page requests since: ` +
		`${requests.slice(requestsAtLoad).map((r) => r.url)}`);

	// ---- challenge_qr: the prompt's QR code is the camera's picture ----
	const landed = /\bchallenge_qr\b/.test(fs.readFileSync(path.join(SRC, "common", "config.c"), "utf8"))
		? "(the module takes challenge_qr; does its ibkey prompt draw the QR code yet? common/devtype/ocra.c)\n"
		: "(common/config.c knows no challenge_qr: that part of the module has not landed)\n";
	try {
		writeConf("[login]\nchallenge_qr = yes\n");
		const pl = login();
		const { text: prompt, challenge } = await loginPrompt(pl);
		const qr = promptQr(prompt);
		must(qr !== null, "challenge_qr = yes: a QR code of half blocks stands above 'Challenge: N\\nResponse: '",
			`${landed}the prompt: ${JSON.stringify(prompt.slice(0, 400))}`);
		const want = `sls-challenge:${pct(USER)}@${pct(issuer)}/${pct(device)}?c=${challenge}`;
		const small = raster(qr.rows, 4, 4);
		const seen = decode(jsQR, small);
		ok(seen === want, `the prompt's QR code (${qr.cols} columns, ${qr.lines} lines${qr.ansi ? ", ANSI colours" : ""}) ` +
			"reads sls-challenge:USER@ISSUER/DEVICE?c=CHALLENGE", `read ${JSON.stringify(seen)}\nwant ${JSON.stringify(want)}`);
		// the module draws no colours (ssh would print them as text): on a dark theme the
		// blocks are light on dark, and that is what the camera sees here
		writePgm(path.join(SB, "challenge.pgm"), raster(qr.rows, 8, 4, true));
		toY4m(path.join(SB, "challenge.pgm"), 0);
		await page.click("#home");
		await waitView("view-list", "the list");
		await page.click("#scan-challenge");
		await waitView("view-respond", "the respond view after scanning the prompt's QR code (the fake camera " +
			"re-reads its file, replaced meanwhile, at each getUserMedia)");
		const got = await page.evaluate(() => ({ name: document.getElementById("respond-name").textContent,
			challenge: document.getElementById("challenge").value, focus: document.activeElement?.id }));
		ok(got.name === name && got.challenge === challenge && got.focus === "pin",
			"scanned (light on dark, as a dark terminal theme shows it): the app opened the account the " +
			"QR code names, the challenge filled in, the PIN focused",
			`${JSON.stringify(got)}; want ${name}, ${challenge}`);
		const r = await compute(null, PIN);
		await shot("07-respond-scanned");
		pl.answer(r);
		ok(await pl.exit("after the scanned challenge's response") === 0,
			"scanned: the response to the challenge read from the prompt's QR code: PAM_SUCCESS", pl.tail());
	} catch (e) {
		if (!(e instanceof Stop))
			ok(false, "challenge_qr: the scanned challenge", `${landed}${e.message}\nthe page: ${await state()}`);
	} finally {
		writeConf();
	}

	// ---- offline: the server stopped, the app from the service worker ----
	{
		step = "offline: the HTTP server stopped, the page reloaded";
		await stopServer();
		const refused = await fetch(server.url, { signal: AbortSignal.timeout(3000) }).then(() => "answered",
			(e) => e.cause?.code ?? e.message);
		must(refused === "ECONNREFUSED", "the HTTP server is stopped (a connection is refused)", refused);
		const from = requests.length;
		failedRequests = [];
		await within(page.reload({ waitUntil: "load", timeout: WAIT_MS }), WAIT_MS + 1000, "the page to reload");
		await waitIn("the list drawn after the reload (html[data-ready=yes])",
			() => document.documentElement.dataset.ready === "yes");
		await waitIn(`${id} in the list`, (i) => document.querySelector(`li.account[data-id="${CSS.escape(i)}"]`) !== null, id);
		ok(true, "offline: the reloaded page loads from the service worker and lists the account");
		await shot("08-offline");
		const reqs = requests.slice(from);
		const notSw = reqs.filter(({ r }) => !r.response()?.fromServiceWorker()).map(({ url }) => url);
		ok(reqs.length > 0 && notSw.length === 0 && failedRequests.length === 0,
			`offline: all ${reqs.length} requests of the reload were answered by the service worker`,
			`not from the service worker: ${notSw.join(" ")}\nfailed: ${failedRequests.join(" ")}`);

		step = "offline: a login answered with the app";
		const pl = login();
		const { challenge } = await loginPrompt(pl);
		await openFromList(id);
		await waitView("view-respond", "the respond view (offline)");
		const r = await compute(challenge, PIN);
		const want = await otp.ocra(suite, key, { question: challenge, pin: PIN });
		pl.answer(r);
		ok(await pl.exit("after the offline response") === 0 && r === want,
			"offline: the app's response logs in (PAM_SUCCESS) and equals otp.js's in Node", `app ${r}, node ${want}\n${pl.tail()}`);

		step = "offline: the app after a browser restart, the server still stopped";
		await closeBrowser();
		await launch();
		const from2 = requests.length;
		failedRequests = [];
		await within(page.goto(server.url, { waitUntil: "load", timeout: WAIT_MS }), WAIT_MS + 1000,
			"the app's URL to load after a restart");
		await waitIn(`${id} in the list after a browser restart`,
			(i) => document.querySelector(`li.account[data-id="${CSS.escape(i)}"]`) !== null, id);
		const notSw2 = requests.slice(from2).filter(({ r }) => !r.response()?.fromServiceWorker()).map(({ url }) => url);
		ok(notSw2.length === 0 && failedRequests.length === 0, "offline, after a browser restart (same profile): the " +
			"app loads from the service worker and IndexedDB still holds the account",
		`not from the service worker: ${notSw2.join(" ")}\nfailed: ${failedRequests.join(" ")}`);
	}

	// ---- the languages: new pages in German and Japanese (navigator.languages) ----
	// A new page of the same profile (the server is stopped: the service worker
	// serves it, and lists the account); Chromium takes the languages from the
	// CDP user agent override's acceptLanguage (page.setExtraHTTPHeaders
	// does not change navigator.languages).
	const { MESSAGES } = await import(pathToFileURL(path.join(WEB, "src", "i18n.js")).href);
	const mainPage = page;
	for (const [tags, lang, shotName] of [["de-DE,de", "de", "09-list-de"], ["ja-JP,ja", "ja", "10-respond-ja"]]) {
		step = `languages: the app with navigator.languages ${tags}`;
		try {
			page = await browser.newPage();
			await page.setViewport({ width: 420, height: 860 });
			page.on("pageerror", (e) => pageErrors.push(`uncaught (${lang}): ${e.message ?? e}`));
			page.on("console", (m) => {
				if (m.type() === "error")
					pageErrors.push(`console (${lang}): ${m.text()}`);
			});
			const cdp = await page.createCDPSession();
			await cdp.send("Network.setUserAgentOverride", { userAgent: await browser.userAgent(), acceptLanguage: tags });
			await within(page.goto(server.url, { waitUntil: "load", timeout: WAIT_MS }), WAIT_MS + 1000,
				`the app to load (${lang})`);
			await waitIn(`${id} in the list (${lang})`,
				(i) => document.querySelector(`li.account[data-id="${CSS.escape(i)}"]`) !== null, id);
			const M = MESSAGES[lang], en = MESSAGES.en;
			const seen = await page.evaluate(() => {
				const t = (id) => document.getElementById(id).textContent;
				return { languages: navigator.languages.join(","), lang: document.documentElement.lang,
					add: t("add"), scanChallenge: t("scan-challenge"), title: document.querySelector("#view-list h1").textContent,
					home: document.getElementById("home").getAttribute("aria-label"),
					kind: document.querySelector("li.account .kind").textContent,
					empty: t("empty"), emptyCode: document.querySelector("#empty code")?.textContent ?? null };
			});
			const want = { languages: tags, lang, add: M.addAccount, scanChallenge: M.scanChallenge, title: M.accounts,
				home: M.accounts, kind: M.kindChallenge, empty: M.empty.replaceAll("`", ""), emptyCode: "sls enroll" };
			ok(JSON.stringify(seen) === JSON.stringify(want) && seen.add !== en.addAccount,
				`languages: with navigator.languages ${tags} the list view speaks ${lang} (html[lang=${lang}], ` +
				`#add "${M.addAccount}", not "${en.addAccount}"; the aria-label, the account's kind, \`code\` kept)`,
				`seen ${JSON.stringify(seen)}\nwant ${JSON.stringify(want)}`);
			if (lang === "de") {
				await shot(shotName);
				continue;
			}
			// the respond view, and a message with a {placeholder} from t()
			await page.click(`li.account[data-id=${JSON.stringify(id)}] button`);
			await waitView("view-respond", `the respond view (${lang})`);
			await page.type("#challenge", "12");
			await page.type("#pin", "x");
			await page.click("#compute");
			const error = M.challengeDigits.replace("{max}", String(suite.qLen));
			await waitIn(`#respond-error "${error}"`, (e) => document.getElementById("respond-error").textContent === e, error);
			const labels = await page.evaluate(() => [document.querySelector("label[for=challenge]").textContent,
				document.getElementById("compute").textContent, document.getElementById("pin").value]);
			ok(JSON.stringify(labels) === JSON.stringify([M.challenge, M.response, ""]),
				`languages: the respond view in ${lang}: "${M.challenge}", "${M.response}", and a short challenge ` +
				`refused with t()'s message, its {max} filled in ("${error}")`, JSON.stringify(labels));
			await shot(shotName);
			if (!spawnSync("fc-list", [":lang=ja", "family"], { encoding: "utf8", timeout: 10000 }).stdout?.trim())
				note(`no Japanese font here (fc-list :lang=ja): ${shotName}.png shows boxes; the texts are checked ` +
					"in the DOM (apt-get install fonts-ipafont-gothic, which scripts/deps installs, for a readable screenshot)");
		} catch (e) {
			ok(false, step, `${e.message}\nthe page: ${await state()}`);
		} finally {
			if (page !== mainPage)
				await page.close().catch(() => {});
			page = mainPage;
		}
	}

	step = "the end";
	ok(pageErrors.length === 0, "the app threw no uncaught error and logged no error (a CSP refusal is one)",
		pageErrors.join("\n"));
	const all = ["01-list-empty", "02-add", "03-scan", "04-respond", "05-list", "06-code", "07-respond-scanned",
		"08-offline", "09-list-de", "10-respond-ja"].map((f) => `${f}.png`);
	ok(all.every((f) => shots.includes(f)), `screenshots in ${SHOTS}: ${shots.join(" ")}`,
		`not taken (a step before failed): ${all.filter((f) => !shots.includes(f)).join(" ")}`);
}

// ---- run, bounded; everything started is stopped ----------------------------------------

const t0 = Date.now();
let finished = false;

async function cleanup() {
	for (const p of procs)
		p.kill();
	await closeBrowser().catch(() => {});
	await stopServer().catch(() => {});
}

function end() {
	if (finished)
		return;
	finished = true;
	note(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
	if (failed === 0)
		fs.rmSync(SB, { recursive: true, force: true });
	else
		note(`the sandbox is kept for a look: ${SB}`);
	console.log(`1..${n}`);
	process.exit(0);
}

const watchdog = setTimeout(async () => {
	ok(false, `the test ends within ${DEADLINE_S} s`, "killed: something hung");
	await within(cleanup(), 10000, "cleanup").catch(() => {});
	end();
}, DEADLINE_S * 1000);

try {
	await main();
} catch (e) {
	if (!(e instanceof Stop))
		ok(false, step, `${e.message ?? e}${/\nthe page: /.test(e.message) ? "" : `\nthe page: ${await state()}`}`);
} finally {
	clearTimeout(watchdog);
	await cleanup();
	end();
}
