// pam_sls web soft key: the screens. Accounts come from the otpauth URI of
// sls enroll (scanned or pasted); a challenge is typed or scanned from the
// login prompt's QR code (challenge_qr = yes); the PIN is asked each time,
// used once and dropped. Nothing leaves the page: no request after load.
// Every text shown is i18n.js's, in the browser's language; the reasons of
// otp.js and uri.js (OtpError) stay English inside the translated message.

import { OtpError, importKey, ocra, parseSuite, questionOk, suiteIssued, totp } from "./otp.js";
import { accountId, accountName, parseChallenge, parseOtpauth } from "./uri.js";
import { addAccount, deleteAccount, getAccount, listAccounts } from "./store.js";
import { localize, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const VIEWS = ["view-list", "view-add", "view-scan", "view-respond", "view-code"];
let current = null; // the record shown in view-respond or view-code
let ticker = null;
let scanning = null;

function show(view) {
	for (const v of VIEWS)
		$(v).hidden = v !== view;
	document.body.dataset.view = view;
	if (view !== "view-code" && ticker !== null) {
		clearInterval(ticker);
		ticker = null;
	}
	if (view !== "view-scan")
		stopScan();
}

function say(id, text) {
	$(id).textContent = text;
}

// ---- the list ------------------------------------------------------------

async function showList() {
	const all = await listAccounts();
	const ul = $("account-list");
	ul.replaceChildren();
	for (const a of all) {
		const li = document.createElement("li");
		const b = document.createElement("button");
		const kind = document.createElement("span");
		li.className = "account";
		li.dataset.id = a.id;
		li.dataset.name = a.name;
		b.type = "button";
		b.textContent = a.name;
		kind.className = "kind";
		kind.textContent = t(a.type === "ocra" ? "kindChallenge" : "kindTotp");
		b.append(kind);
		b.addEventListener("click", () => openAccount(a.id));
		li.append(b);
		ul.append(li);
	}
	$("empty").hidden = all.length > 0;
	say("notice", "");
	$("scan-challenge").hidden = !all.some((a) => a.type === "ocra");
	current = null;
	show("view-list");
}

async function openAccount(id) {
	const a = await getAccount(id);
	if (!a)
		return showList();
	current = a;
	if (a.type === "ocra") {
		say("respond-name", a.name);
		say("respond-suite", a.suite);
		$("challenge").value = "";
		$("pin").value = "";
		say("response", "");
		say("respond-error", "");
		show("view-respond");
		$("challenge").focus();
	} else {
		say("code-name", a.name);
		show("view-code");
		await tick();
		ticker = setInterval(tick, 1000);
	}
}

// ---- import --------------------------------------------------------------

// The record for a parsed URI: the secret goes into a non-extractable key.
async function recordOf(u) {
	const hash = u.type === "ocra" ? u.suite.hash : u.algorithm;
	const key = await importKey(u.secret, hash);
	u.secret.fill(0);
	const name = accountName(u);
	return { id: accountId(u.type, u.account, u.issuer, u.device), name, type: u.type, issuer: u.issuer, account: u.account,
		device: u.device, suite: u.suite?.text ?? null, algorithm: u.algorithm, digits: u.digits,
		period: u.period, key, created: Date.now() };
}

async function importUri(text) {
	say("add-error", "");
	let u;
	try {
		u = parseOtpauth(text);
		if (u.type === "ocra" && !suiteIssued(u.suite))
			throw new OtpError(t("suiteRefused", { suite: u.suite.text }));
		const r = await recordOf(u);
		if (!(await addAccount(r)))
			throw new OtpError(t("accountExists", { name: r.name }));
		keepStorage();
		$("uri").value = "";
		await openAccount(r.id);
	} catch (e) {
		if (u?.secret)
			u.secret.fill(0);
		show("view-add");
		say("add-error", t("notImported", { reason: e instanceof OtpError ? e.message : String(e) }));
	}
}

// Ask the browser not to evict the accounts under storage pressure (best
// effort: a browser may say no; then clearing the site's data or a long
// disuse may still remove them).
function keepStorage() {
	navigator.storage?.persist?.().catch(() => {});
}

// ---- a challenge ---------------------------------------------------------

async function respond() {
	const a = current, pinBox = $("pin");
	const suite = parseSuite(a.suite);
	const raw = $("challenge").value.trim();
	const q = suite.qFormat === "A" ? raw : raw.replace(/[\s-]/g, "");
	const pin = pinBox.value;
	pinBox.value = "";
	say("response", "");
	say("respond-error", "");
	if (!questionOk(suite, q))
		return say("respond-error", t(suite.qFormat === "N" ? "challengeDigits" : suite.qFormat === "H" ?
			"challengeHex" : "challengeChars", { max: suite.qLen }));
	if (pin === "")
		return say("respond-error", t("typePin"));
	try {
		say("response", await ocra(suite, a.key, { question: q, pin }));
	} catch (e) {
		say("respond-error", t("noResponse", { reason: e.message }));
	}
}

async function takeChallenge(text) {
	let c;
	try {
		c = parseChallenge(text);
	} catch (e) {
		await showList();
		return say("notice", t("notChallenge", { reason: e.message }));
	}
	const id = c.id;
	if (!(await getAccount(id))) {
		await showList();
		return say("notice", t("noAccount", { name: c.name }));
	}
	await openAccount(id);
	$("challenge").value = c.challenge;
	$("pin").focus();
}

// ---- TOTP ----------------------------------------------------------------

async function tick() {
	const a = current;
	if (!a || a.type !== "totp")
		return;
	const now = Date.now() / 1000;
	say("totp-code", await totp(a.key, now, a.period, a.digits));
	say("totp-left", t("validFor", { seconds: a.period - (Math.floor(now) % a.period) }));
}

// ---- the camera ----------------------------------------------------------

function stopScan() {
	if (scanning === null)
		return;
	scanning.stop = true;
	for (const t of scanning.stream?.getTracks() ?? [])
		t.stop();
	$("video").srcObject = null;
	scanning = null;
}

// Decode frames with jsQR until one holds a QR code, then done(text).
async function scan(title, done) {
	stopScan();
	say("scan-title", title);
	say("scan-status", t("pointCamera"));
	show("view-scan");
	const s = { stop: false, stream: null };
	scanning = s;
	try {
		s.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
	} catch (e) {
		return say("scan-status", t("noCamera", { reason: e.message }));
	}
	if (s.stop)
		return s.stream.getTracks().forEach((t) => t.stop());
	const video = $("video"), canvas = document.createElement("canvas");
	const ctx = canvas.getContext("2d", { willReadFrequently: true });
	video.srcObject = s.stream;
	await video.play().catch(() => {});
	const frame = () => {
		if (s.stop)
			return;
		if (video.readyState >= 2 && video.videoWidth > 0) {
			canvas.width = video.videoWidth;
			canvas.height = video.videoHeight;
			ctx.drawImage(video, 0, 0);
			const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
			const code = globalThis.jsQR(img.data, img.width, img.height, { inversionAttempts: "attemptBoth" });
			if (code && code.data) {
				stopScan();
				return done(code.data);
			}
		}
		setTimeout(frame, 150);
	};
	frame();
}

// ---- start ---------------------------------------------------------------

async function removeCurrent() {
	if (current && confirm(t("confirmRemove", { name: current.name }))) {
		await deleteAccount(current.id);
		await showList();
	}
}

function wire() {
	$("home").addEventListener("click", showList);
	$("add").addEventListener("click", () => {
		say("add-error", "");
		show("view-add");
	});
	$("import").addEventListener("click", () => importUri($("uri").value));
	$("scan-uri").addEventListener("click", () => scan(t("scanEnrolment"), importUri));
	$("scan-challenge").addEventListener("click", () => scan(t("scanTheChallenge"), takeChallenge));
	$("scan-cancel").addEventListener("click", showList);
	$("compute").addEventListener("click", respond);
	$("pin").addEventListener("keydown", (e) => e.key === "Enter" && respond());
	$("remove-ocra").addEventListener("click", removeCurrent);
	$("remove-totp").addEventListener("click", removeCurrent);
}

// Marks the page once the service worker controls it (then it reloads offline).
async function offline() {
	if (!("serviceWorker" in navigator))
		return;
	await navigator.serviceWorker.register("sw.js");
	await navigator.serviceWorker.ready;
	if (!navigator.serviceWorker.controller)
		await new Promise((resolve) =>
			navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
	$("offline").hidden = false;
	document.documentElement.dataset.offline = "ready";
}

localize();
wire();
showList().then(() => {
	document.documentElement.dataset.ready = "yes";
});
offline().catch((e) => console.warn("no offline copy:", e.message));
