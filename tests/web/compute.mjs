// The web soft key's own code (authenticator/web/src) run by Node.js on a
// batch of cases, for vectors.test: a JSON array on stdin, one result per
// case on stdout ({ok: true, value} or {ok: false, error}).
//   {kind: "ocra", suite, key_hex, question, pin, counter, session, timestamp}
//   {kind: "totp", algorithm, key_hex, time, period, digits}
//   {kind: "uri", text}          -> the parsed account (secret as hex), or the refusal
//   {kind: "issued", suite}      -> whether the app takes the suite
//   {kind: "challenge", text}    -> {name, challenge} of a challenge QR code
//   {kind: "i18n"}               -> per language of i18n.js: the English keys it
//                                   lacks, its keys English lacks, the keys whose
//                                   {placeholders} or `code` spans differ
//   {kind: "lang", tags}         -> the language i18n.js picks for navigator.languages
import { readFileSync } from "node:fs";
import { join } from "node:path";

const src = join(process.env.top_srcdir ?? ".", "authenticator", "web", "src");
const otp = await import(join(src, "otp.js"));
const uri = await import(join(src, "uri.js"));
const i18n = await import(join(src, "i18n.js"));

// A message's shape: its sorted {placeholders} and its count of `code` marks.
const shape = (m) => JSON.stringify([(m.match(/\{\w+\}/g) ?? []).sort(), (m.match(/`/g) ?? []).length]);

async function one(c) {
	switch (c.kind) {
	case "ocra": {
		const suite = otp.parseSuite(c.suite);
		const key = await otp.importKey(otp.hexBytes(c.key_hex), suite.hash);
		return otp.ocra(suite, key, { question: c.question, pin: c.pin || undefined,
			counter: c.counter ?? 0, session: c.session, timestamp: c.timestamp ?? 0 });
	}
	case "totp": {
		const key = await otp.importKey(otp.hexBytes(c.key_hex), c.algorithm);
		return otp.totp(key, c.time, c.period, c.digits);
	}
	case "uri": {
		const u = uri.parseOtpauth(c.text);
		return { ...u, secret: Buffer.from(u.secret).toString("hex"), suite: u.suite?.text ?? null,
			name: uri.accountName(u), id: uri.accountId(u.type, u.account, u.issuer, u.device) };
	}
	case "issued":
		return otp.suiteIssued(otp.parseSuite(c.suite));
	case "challenge":
		return uri.parseChallenge(c.text);
	case "i18n": {
		const en = i18n.MESSAGES.en, out = {};
		for (const [lang, m] of Object.entries(i18n.MESSAGES))
			out[lang] = { missing: Object.keys(en).filter((k) => typeof m[k] !== "string" || m[k] === ""),
				extra: Object.keys(m).filter((k) => !Object.hasOwn(en, k)),
				placeholders: Object.keys(en).filter((k) => typeof m[k] === "string" && shape(m[k]) !== shape(en[k])) };
		return out;
	}
	case "lang":
		return i18n.pickLanguage(c.tags);
	default:
		throw new Error(`unknown case ${c.kind}`);
	}
}

const out = [];
for (const c of JSON.parse(readFileSync(0, "utf8"))) {
	try {
		out.push({ ok: true, value: await one(c) });
	} catch (e) {
		out.push({ ok: false, error: String(e.message ?? e) });
	}
}
process.stdout.write(JSON.stringify(out));
