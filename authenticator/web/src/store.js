// pam_sls web soft key: the accounts, in IndexedDB. A record holds what the
// otpauth URI said and an HMAC CryptoKey imported non-extractable: the
// secret's bytes are dropped once imported, and nothing here can read them
// back (exportKey refuses). The PIN is never stored.

const DB = "sls-authenticator";
const STORE = "accounts";

function request(r) {
	return new Promise((resolve, reject) => {
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
}

function open() {
	const r = indexedDB.open(DB, 1);
	r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id" });
	return request(r);
}

async function withStore(mode, fn) {
	const db = await open();
	try {
		const tx = db.transaction(STORE, mode);
		const result = await fn(tx.objectStore(STORE));
		await new Promise((resolve, reject) => {
			tx.oncomplete = resolve;
			tx.onerror = tx.onabort = () => reject(tx.error);
		});
		return result;
	} finally {
		db.close();
	}
}

export function listAccounts() {
	return withStore("readonly", (s) => request(s.getAll())).then((all) =>
		all.sort((a, b) => a.name.localeCompare(b.name)));
}

export function getAccount(id) {
	return withStore("readonly", (s) => request(s.get(id)));
}

// Add a new account: true, or false when one with its id is there already
// (one transaction: two imports at once cannot replace each other).
export async function addAccount(record) {
	try {
		await withStore("readwrite", (s) => request(s.add(record)));
		return true;
	} catch (e) {
		if (e?.name === "ConstraintError")
			return false;
		throw e;
	}
}

export function deleteAccount(id) {
	return withStore("readwrite", (s) => request(s.delete(id)));
}
