// pam_sls web soft key: the otpauth:// URIs sls enroll shows (the rules of
// common/uri.c) and the challenge QR code of a login prompt
// (challenge_qr = yes in sls.conf(5)).

import { OtpError, parseSuite } from "./otp.js";

const FIELD_MAX = 128; // bytes of issuer, account or device (SLS_URI_FIELD_MAX)
const SECRET_MIN = 16;
const SECRET_MAX = 64;
const PARAMS = {
	secret: ["totp", "ocra"], issuer: ["totp", "ocra"], algorithm: ["totp"], digits: ["totp"],
	period: ["totp"], suite: ["ocra"], device: ["ocra"], image: ["totp", "ocra"],
	color: ["totp", "ocra"], icon: ["totp", "ocra"], counter: [],
};
const COSMETIC = new Set(["image", "color", "icon"]);

// Percent-decode to text: valid UTF-8, no control character; else throws.
function pctDecode(s, what) {
	if (/%(?![0-9A-Fa-f]{2})/.test(s))
		throw new OtpError(`bad percent-encoding in ${what}`);
	const bytes = [];
	for (let i = 0; i < s.length; i++) {
		if (s[i] === "%") {
			bytes.push(parseInt(s.substr(i + 1, 2), 16));
			i += 2;
		} else {
			// a whole code point (a UTF-16 pair outside the BMP), as the C keeps its bytes
			const ch = String.fromCodePoint(s.codePointAt(i));
			bytes.push(...new TextEncoder().encode(ch));
			i += ch.length - 1;
		}
	}
	const u = new Uint8Array(bytes);
	let text;
	try {
		text = new TextDecoder("utf-8", { fatal: true }).decode(u);
	} catch {
		throw new OtpError(`${what} is not UTF-8`);
	}
	if (/[\u0000-\u001f\u007f-\u009f]/.test(text))
		throw new OtpError(`a control character in ${what}`);
	return { text, bytes: u.length };
}

function field(s, what) {
	const d = pctDecode(s, what);
	if (d.bytes > FIELD_MAX)
		throw new OtpError(`${what} longer than ${FIELD_MAX} bytes`);
	return d.text;
}

// RFC 4648 base32: case-insensitive, spaces ignored, '=' only at the end.
export function base32Decode(s) {
	const t = s.replace(/ /g, "").toUpperCase().replace(/=+$/, "");
	if (!/^[A-Z2-7]*$/.test(t) || [1, 3, 6].includes(t.length % 8))
		throw new OtpError("bad base32 in 'secret'");
	const out = [];
	let bits = 0, value = 0;
	for (const c of t) {
		value = (value << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c);
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	if (bits > 0 && (value & ((1 << bits) - 1)) !== 0)
		throw new OtpError("bad base32 in 'secret'");
	return new Uint8Array(out);
}

function smallUint(v, min, max, msg) {
	if (!/^\d{1,4}$/.test(v) || Number(v) < min || Number(v) > max)
		throw new OtpError(msg);
	return Number(v);
}

function label(raw) {
	let at = raw.indexOf(":"), sep = 1;
	if (at < 0) {
		at = raw.search(/%3A/i);
		sep = 3;
	}
	const issuer = at >= 0 ? field(raw.slice(0, at), "the label's issuer") : "";
	const account = field(at >= 0 ? raw.slice(at + sep) : raw, "the label's account").replace(/^ +/, "");
	if (account === "")
		throw new OtpError("empty account name in the label");
	return { issuer, account };
}

// Parse an otpauth://totp/ or otpauth://ocra/ URI. Returns {type, issuer,
// account, device, secret (Uint8Array), algorithm, digits, period, suite}.
// Throws OtpError with the reason (never the secret).
export function parseOtpauth(uri) {
	if (typeof uri !== "string" || uri.length > 4096)
		throw new OtpError("not an otpauth:// URI");
	const m = /^otpauth:\/\/(totp|ocra)\/([^?]*)\?(.*)$/is.exec(uri.trim());
	if (!m)
		throw new OtpError("not an otpauth://totp/ or otpauth://ocra/ URI");
	const type = m[1].toLowerCase();
	const out = { type, ...label(m[2]), device: "", secret: null, algorithm: "SHA1", digits: 6,
		period: 30, suite: null };
	const seen = new Set();
	let paramIssuer = null;
	for (const p of m[3].split("&")) {
		const eq = p.indexOf("=");
		if (eq < 0)
			throw new OtpError(p === "" ? "empty parameter" : "parameter without '='");
		const name = p.slice(0, eq).toLowerCase();
		if (!Object.hasOwn(PARAMS, name))
			throw new OtpError(/^[\w-]{1,20}$/.test(name) ? `unknown parameter '${name}'` : "unknown parameter");
		if (seen.has(name))
			throw new OtpError(`duplicate parameter '${name}'`);
		seen.add(name);
		if (!PARAMS[name].includes(type))
			throw new OtpError(`parameter '${name}' does not belong in a ${type} URI`);
		if (COSMETIC.has(name))
			continue;
		const v = pctDecode(p.slice(eq + 1), `'${name}'`).text;
		if (name === "secret") {
			out.secret = base32Decode(v);
			if (out.secret.length < SECRET_MIN || out.secret.length > SECRET_MAX)
				throw new OtpError(`the secret must be ${SECRET_MIN} to ${SECRET_MAX} bytes`);
		} else if (name === "issuer") {
			paramIssuer = field(p.slice(eq + 1), "issuer");
		} else if (name === "device") {
			out.device = field(p.slice(eq + 1), "device");
		} else if (name === "algorithm") {
			out.algorithm = v.toUpperCase();
			if (!["SHA1", "SHA256", "SHA512"].includes(out.algorithm))
				throw new OtpError("'algorithm' must be SHA1, SHA256 or SHA512");
		} else if (name === "digits") {
			out.digits = smallUint(v, 6, 8, "'digits' must be 6, 7 or 8");
		} else if (name === "period") {
			out.period = smallUint(v, 1, 3600, "'period' must be 1 to 3600 seconds");
		} else if (name === "suite") {
			out.suite = parseSuite(v);
		}
	}
	if (out.secret === null)
		throw new OtpError("no 'secret'");
	if (type === "ocra" && out.suite === null)
		throw new OtpError("no 'suite'");
	if (paramIssuer !== null && out.issuer !== "" && paramIssuer !== out.issuer)
		throw new OtpError("the issuer parameter differs from the label's");
	if (paramIssuer !== null)
		out.issuer = paramIssuer;
	return out;
}

// The account's name as shown: USER@ISSUER/DEVICE for challenge/response,
// USER@ISSUER/totp for TOTP.
export function accountName(a) {
	return `${a.account}@${a.issuer}/${a.type === "ocra" ? a.device : "totp"}`;
}

// The account's key in the store: its type and the three names apart, so
// that no two accounts share it however '@' and '/' fall in their names
// (a user "a@b" of issuer "c", and a user "a" of issuer "b@c").
export function accountId(type, account, issuer, device) {
	return JSON.stringify([type, account, issuer, type === "ocra" ? device : ""]);
}

// The challenge QR code: "sls-challenge:" pct(USER) "@" pct(ISSUER) "/"
// pct(DEVICE) "?c=" CHALLENGE. Returns {id, name, challenge}: the
// challenge/response account's accountId and accountName.
export function parseChallenge(text) {
	const m = /^sls-challenge:([^@/?]+)@([^@/?]*)\/([^@/?]*)\?c=([0-9A-Za-z]{4,64})$/.exec(
		typeof text === "string" ? text.trim() : "");
	if (!m)
		throw new OtpError("not a pam_sls challenge code");
	const user = field(m[1], "the user"), issuer = field(m[2], "the issuer");
	const device = field(m[3], "the device");
	return { id: accountId("ocra", user, issuer, device), name: `${user}@${issuer}/${device}`,
		challenge: m[4] };
}
