// Build the web soft key into one directory a static host serves as is:
//   node build.mjs [OUTDIR]      (default: dist/ beside this file)
// Copies src/, vendors jsQR from node_modules (run `npm ci` first; the
// lockfile pins it) with its licence, and writes the service worker's file
// list and a version that is the hash of every file it lists.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "dist"));
const jsqr = join(here, "node_modules", "jsqr");

let pkg;
try {
	pkg = JSON.parse(readFileSync(join(jsqr, "package.json"), "utf8"));
} catch {
	console.error(`build.mjs: ${jsqr} is missing: run "npm ci" in ${here} first`);
	process.exit(1);
}
const want = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).dependencies.jsqr;
if (pkg.version !== want) {
	console.error(`build.mjs: node_modules has jsqr ${pkg.version}, package.json pins ${want}: run "npm ci"`);
	process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "vendor"), { recursive: true });
const files = [];
for (const f of readdirSync(join(here, "src")).sort()) {
	if (f === "sw.js")
		continue;
	copyFileSync(join(here, "src", f), join(out, f));
	files.push(f);
}
copyFileSync(join(jsqr, "dist", "jsQR.js"), join(out, "vendor", "jsQR.js"));
copyFileSync(join(jsqr, "LICENSE"), join(out, "vendor", "jsQR.LICENSE"));
files.push("vendor/jsQR.js");

const hash = createHash("sha256");
for (const f of files)
	hash.update(f).update("\0").update(readFileSync(join(out, f))).update("\0");
hash.update(readFileSync(join(here, "src", "sw.js")));
const version = `sls-web-${hash.digest("hex").slice(0, 16)}`;
const integrity = (f) => `sha256-${createHash("sha256").update(readFileSync(join(out, f))).digest("base64")}`;
const entries = [["./", integrity("index.html")], ...files.map((f) => [`./${f}`, integrity(f)])];
const sw = readFileSync(join(here, "src", "sw.js"), "utf8")
	.replace("@VERSION@", version)
	.replace("@FILES@", entries.map((e) => JSON.stringify(e)).join(",\n\t"));
writeFileSync(join(out, "sw.js"), sw);
writeFileSync(join(out, "VERSION"), `${version}\njsqr ${pkg.version}\n`);
console.log(`built ${out} (${files.length + 1} files, ${version})`);
