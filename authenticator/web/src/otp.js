// pam_sls web soft key: OCRA (RFC 6287) and TOTP (RFC 6238) on WebCrypto.
// The same rules as common/ocra.c and common/hotp.c, checked against RFC
// 6287's vectors and sls-authenticator by tests/web/vectors.test. Runs in a
// browser and in Node.js 18+ (globalThis.crypto.subtle).

const subtle = globalThis.crypto.subtle;

const HASHES = { SHA1: "SHA-1", SHA256: "SHA-256", SHA512: "SHA-512" };
const HASH_BYTES = { SHA1: 20, SHA256: 32, SHA512: 64 };
const SESSION_LENS = [64, 128, 256, 512];
const Q_FIELD = 128; // bytes of the Q field

export class OtpError extends Error {}

// "OCRA-1:HOTP-SHA{1,256,512}-{0,4..10}:[C-]Q{A,N,H}{04..64}[-P{SHA1,SHA256,SHA512}]
// [-S{064,128,256,512}][-T{1..59S,1..59M,1..48H}]", as sls_ocra_suite_parse.
// Returns the parsed suite; throws OtpError with the reason.
export function parseSuite(text) {
	if (typeof text !== "string" || text.length > 63)
		throw new OtpError("the suite is too long");
	const m = /^OCRA-1:HOTP-(SHA1|SHA256|SHA512)-(\d{1,2}):(C-)?Q([ANH])(\d\d)((?:-[^-]+)*)$/.exec(text);
	if (!m)
		throw new OtpError("not an OCRA-1 suite");
	const digits = Number(m[2]);
	if (m[2] !== String(digits) || !(digits === 0 || (digits >= 4 && digits <= 10)))
		throw new OtpError("a suite's digits are 0 or 4 to 10");
	const qLen = Number(m[5]);
	if (qLen < 4 || qLen > 64)
		throw new OtpError("a suite's question holds 04 to 64 characters");
	const suite = { text, hash: m[1], digits, counter: m[3] !== undefined, qFormat: m[4], qLen,
		pin: null, sessionLen: 0, timeStep: 0 };
	const rest = m[6] ? m[6].slice(1).split("-") : [];
	let order = 0;
	for (const part of rest) {
		let p;
		if (order < 1 && (p = /^P(SHA1|SHA256|SHA512)$/.exec(part))) {
			suite.pin = p[1];
			order = 1;
		} else if (order < 2 && (p = /^S(\d{3})$/.exec(part)) && SESSION_LENS.includes(Number(p[1]))) {
			suite.sessionLen = Number(p[1]);
			order = 2;
		} else if (order < 3 && (p = /^T([1-9]\d?)([SMH])$/.exec(part))) {
			const n = Number(p[1]), unit = p[2];
			if ((unit !== "H" && n > 59) || (unit === "H" && n > 48))
				throw new OtpError("a suite's time step is 1-59S, 1-59M or 1-48H");
			suite.timeStep = n * (unit === "S" ? 1 : unit === "M" ? 60 : 3600);
			order = 3;
		} else {
			throw new OtpError("a suite part is unknown or out of order");
		}
	}
	return suite;
}

// What sls issues and this app takes (as sls-authenticator without
// --allow-suite): the PIN enters the response, 6 to 10 digits, and nothing
// a login does not send (no counter, session or time).
export function suiteIssued(suite) {
	return suite.pin !== null && suite.digits >= 6 && suite.digits <= 10 && !suite.counter &&
		suite.sessionLen === 0 && suite.timeStep === 0;
}

function questionAlphabetOk(format, q) {
	const re = format === "N" ? /^[0-9]*$/ : format === "H" ? /^[0-9A-Fa-f]*$/ : /^[\x20-\x7e]*$/;
	return re.test(q) && (format !== "H" || q.length % 2 === 0);
}

// A challenge a user sees: 4..qLen characters of the suite's alphabet
// (sls_ocra_question_check).
export function questionOk(suite, q) {
	return q.length >= 4 && q.length <= suite.qLen && questionAlphabetOk(suite.qFormat, q);
}

function hexNibbles(hex, into, what) {
	if (hex.length > Q_FIELD * 2)
		throw new OtpError(`the ${what} does not fit`);
	for (let i = 0; i < hex.length; i++) {
		const v = parseInt(hex[i], 16);
		into[i >> 1] |= i % 2 === 0 ? v << 4 : v;
	}
}

// The Q field: N as the decimal value in hex, H as given, both left-aligned
// and zero-padded; A as its ASCII bytes.
function questionField(suite, q) {
	const field = new Uint8Array(Q_FIELD);
	if (!questionAlphabetOk(suite.qFormat, q) || q.length === 0)
		throw new OtpError("the question does not fit the suite's alphabet");
	if (suite.qFormat === "N")
		hexNibbles(BigInt(q).toString(16), field, "question");
	else if (suite.qFormat === "H")
		hexNibbles(q, field, "question");
	else if (q.length > Q_FIELD)
		throw new OtpError("the question does not fit");
	else
		for (let i = 0; i < q.length; i++)
			field[i] = q.charCodeAt(i);
	return field;
}

function uint64(v) {
	const b = new Uint8Array(8);
	let n = BigInt(v);
	if (n < 0n || n >= 1n << 64n)
		throw new OtpError("a counter or time is out of range");
	for (let i = 7; i >= 0; i--, n >>= 8n)
		b[i] = Number(n & 0xffn);
	return b;
}

function hexBytes(hex) {
	if (!/^([0-9A-Fa-f]{2})*$/.test(hex))
		throw new OtpError("not hex");
	const b = new Uint8Array(hex.length / 2);
	for (let i = 0; i < b.length; i++)
		b[i] = parseInt(hex.substr(i * 2, 2), 16);
	return b;
}

function session(suite, hex) {
	if (typeof hex !== "string" || !/^[0-9A-Fa-f]*$/.test(hex) || hex.length > suite.sessionLen * 2)
		throw new OtpError("this suite needs a session value in hex that fits");
	return hexBytes(hex.padStart(suite.sessionLen * 2, "0"));
}

function concat(parts) {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

// The suite's hash of the PIN (P field), as sls_ocra_pin_hash.
export async function pinHash(suite, pin) {
	if (suite.pin === null)
		throw new OtpError("the suite has no PIN");
	return new Uint8Array(await subtle.digest(HASHES[suite.pin], new TextEncoder().encode(pin)));
}

// An HMAC key for WebCrypto, never extractable (the app keeps it so in IndexedDB).
export function importKey(raw, hash) {
	if (!HASHES[hash])
		throw new OtpError("unknown hash");
	return subtle.importKey("raw", raw, { name: "HMAC", hash: HASHES[hash] }, false, ["sign"]);
}

export function ocraHash(suite) {
	return suite.hash;
}

// RFC 4226 dynamic truncation to digits, zero-padded; digits 0 gives the
// whole MAC in lower-case hex.
function truncate(mac, digits) {
	if (digits === 0)
		return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
	const o = mac[mac.length - 1] & 0x0f;
	const bin = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
	return String(bin % 10 ** digits).padStart(digits, "0");
}

// The OCRA response. key: a CryptoKey for the suite's hash. input:
// {question, pin | pinHash (Uint8Array), counter, session (hex), timestamp
// (time steps)}: the fields the suite names are required.
export async function ocra(suite, key, input) {
	const parts = [new TextEncoder().encode(suite.text), new Uint8Array(1)];
	if (suite.counter)
		parts.push(uint64(input.counter ?? 0));
	parts.push(questionField(suite, input.question));
	if (suite.pin !== null) {
		const p = input.pinHash ?? (typeof input.pin === "string" ? await pinHash(suite, input.pin) : null);
		if (p === null || p.length !== HASH_BYTES[suite.pin])
			throw new OtpError("this suite needs a PIN");
		parts.push(p);
	}
	if (suite.sessionLen > 0)
		parts.push(session(suite, input.session));
	if (suite.timeStep > 0)
		parts.push(uint64(input.timestamp ?? timeSteps(suite, Date.now() / 1000)));
	const data = concat(parts);
	try {
		return truncate(new Uint8Array(await subtle.sign("HMAC", key, data)), suite.digits);
	} finally {
		// the PIN's hash: not left in this page's memory longer than needed
		data.fill(0);
		if (input.pinHash === undefined)
			parts.forEach((p) => p.fill(0));
	}
}

// T for a time in seconds under the suite's step (0 without T).
export function timeSteps(suite, seconds) {
	return suite.timeStep > 0 ? Math.floor(seconds / suite.timeStep) : 0;
}

// The TOTP code at time seconds: key a CryptoKey for the account's algorithm.
export async function totp(key, seconds, period, digits) {
	const mac = new Uint8Array(await subtle.sign("HMAC", key, uint64(Math.floor(seconds / period))));
	return truncate(mac, digits);
}

export { hexBytes };
