// pam_sls web soft key: the service worker. It keeps every file of the app
// (the list below is written by build.mjs, each file with its SHA-256, and a
// version naming this exact set of files) and answers from that copy: after
// the first load the app needs no network, and it never asks one for
// anything else. A file that is not the one built (a half-upgraded
// directory, a proxy's old copy) fails its integrity check, and with it the
// install: the version already installed stays.

const VERSION = "@VERSION@";
const FILES = [@FILES@]; // [path, integrity]

self.addEventListener("install", (e) => {
	// past the HTTP cache: a new version must not keep an old file
	e.waitUntil(caches.open(VERSION)
		.then((c) => c.addAll(FILES.map(([f, integrity]) => new Request(f, { cache: "reload", integrity }))))
		.then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
	e.waitUntil(caches.keys()
		.then((keys) => Promise.all(keys.filter((k) => k.startsWith("sls-web-") && k !== VERSION)
			.map((k) => caches.delete(k))))
		.then(() => self.clients.claim()));
});

self.addEventListener("fetch", (e) => {
	const url = new URL(e.request.url);
	if (e.request.method !== "GET" || url.origin !== self.location.origin)
		return;
	e.respondWith(caches.open(VERSION).then((c) =>
		c.match(e.request, { ignoreSearch: true }).then((hit) => hit ?? fetch(e.request))));
});
