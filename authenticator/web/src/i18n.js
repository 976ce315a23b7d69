// pam_sls web soft key: its words in the project's languages (the C
// programs' po/*.po: the same terms for challenge, response, account,
// device, PIN). One table per language, keyed by a short id; English is the
// source and the fallback. A message may hold {name} placeholders (t fills
// them) and, for the static texts of index.html, `code` spans (localize
// draws them as <code> elements, with textContent: never innerHTML).
// The language is the first of navigator.languages the table has, by its
// primary tag; Chinese only as zh-TW or zh-Hant (Traditional), else English.

export const MESSAGES = {
	en: {
		accounts: "Accounts",
		offline: "works offline",
		empty: "No account yet. Add the device that `sls enroll` shows.",
		scanChallenge: "Scan a challenge",
		addAccount: "Add an account",
		addHelp: "Scan the QR code that `sls enroll` shows on your server, or paste its `otpauth://` URI. " +
			"Import only what your own server showed you.",
		scanUri: "Scan the QR code",
		uriLabel: "otpauth URI",
		import: "Import",
		scan: "Scan",
		pointCamera: "Point the camera at the QR code.",
		cancel: "Cancel",
		challenge: "Challenge",
		pin: "PIN",
		response: "Response",
		remove: "Remove this account",
		kindChallenge: "challenge",
		kindTotp: "TOTP",
		scanEnrolment: "Scan the enrolment QR code",
		scanTheChallenge: "Scan the challenge",
		suiteRefused: "suite {suite} is not one sls issues (a PIN part, 6 to 10 digits, no counter, session or time): refused",
		accountExists: "account {name} exists: remove it first to replace it",
		notImported: "Not imported: {reason}.",
		challengeDigits: "The challenge does not fit this account (4 to {max} digits).",
		challengeHex: "The challenge does not fit this account (4 to {max} hex digits).",
		challengeChars: "The challenge does not fit this account (4 to {max} characters).",
		typePin: "Type your PIN.",
		noResponse: "No response: {reason}",
		notChallenge: "That QR code is not a login challenge: {reason}.",
		noAccount: "No account {name} here: add it first.",
		validFor: "{seconds} s left",
		noCamera: "No camera: {reason}. Paste the URI or type the challenge instead.",
		confirmRemove: "Remove {name}? Its logins then need another device.",
	},
	de: {
		accounts: "Konten",
		offline: "funktioniert offline",
		empty: "Noch kein Konto. Fügen Sie das Gerät hinzu, das `sls enroll` anzeigt.",
		scanChallenge: "Challenge scannen",
		addAccount: "Konto hinzufügen",
		addHelp: "Scannen Sie den QR-Code, den `sls enroll` auf Ihrem Server anzeigt, oder fügen Sie seine " +
			"`otpauth://`-URI ein. Importieren Sie nur, was Ihr eigener Server Ihnen angezeigt hat.",
		scanUri: "QR-Code scannen",
		uriLabel: "otpauth-URI",
		import: "Importieren",
		scan: "Scannen",
		pointCamera: "Richten Sie die Kamera auf den QR-Code.",
		cancel: "Abbrechen",
		challenge: "Challenge",
		pin: "PIN",
		response: "Antwort",
		remove: "Dieses Konto entfernen",
		kindChallenge: "Challenge",
		kindTotp: "TOTP",
		scanEnrolment: "QR-Code der Einrichtung scannen",
		scanTheChallenge: "Challenge scannen",
		suiteRefused: "die Suite {suite} ist keine, die sls ausgibt (ein PIN-Teil, 6 bis 10 Ziffern, kein Zähler, " +
			"keine Sitzung, keine Zeit): abgelehnt",
		accountExists: "das Konto {name} existiert: entfernen Sie es zuerst, um es zu ersetzen",
		notImported: "Nicht importiert: {reason}.",
		challengeDigits: "Die Challenge passt nicht zu diesem Konto (4 bis {max} Ziffern).",
		challengeHex: "Die Challenge passt nicht zu diesem Konto (4 bis {max} Hex-Ziffern).",
		challengeChars: "Die Challenge passt nicht zu diesem Konto (4 bis {max} Zeichen).",
		typePin: "Geben Sie Ihre PIN ein.",
		noResponse: "Keine Antwort: {reason}",
		notChallenge: "Dieser QR-Code ist keine Anmelde-Challenge: {reason}.",
		noAccount: "Kein Konto {name} hier: fügen Sie es zuerst hinzu.",
		validFor: "noch {seconds} s gültig",
		noCamera: "Keine Kamera: {reason}. Fügen Sie stattdessen die URI ein oder tippen Sie die Challenge ein.",
		confirmRemove: "{name} entfernen? Für seine Anmeldungen brauchen Sie dann ein anderes Gerät.",
	},
	ja: {
		accounts: "アカウント",
		offline: "オフラインで動作",
		empty: "アカウントはまだありません。`sls enroll` が表示するデバイスを追加してください。",
		scanChallenge: "チャレンジをスキャン",
		addAccount: "アカウントを追加",
		addHelp: "サーバーで `sls enroll` が表示する QR コードをスキャンするか、その `otpauth://` URI を" +
			"貼り付けてください。自分のサーバーが表示したものだけをインポートしてください。",
		scanUri: "QR コードをスキャン",
		uriLabel: "otpauth URI",
		import: "インポート",
		scan: "スキャン",
		pointCamera: "カメラを QR コードに向けてください。",
		cancel: "キャンセル",
		challenge: "チャレンジ",
		pin: "PIN",
		response: "レスポンス",
		remove: "このアカウントを削除",
		kindChallenge: "チャレンジ",
		kindTotp: "TOTP",
		scanEnrolment: "登録用の QR コードをスキャン",
		scanTheChallenge: "チャレンジをスキャン",
		suiteRefused: "スイート {suite} は sls が発行するものではありません (PIN 部分あり、6〜10 桁、" +
			"カウンター・セッション・時刻なし): 拒否しました",
		accountExists: "アカウント {name} は既に存在します。置き換えるには先に削除してください",
		notImported: "インポートしませんでした: {reason}。",
		challengeDigits: "チャレンジがこのアカウントに合いません (4〜{max} 桁の数字)。",
		challengeHex: "チャレンジがこのアカウントに合いません (4〜{max} 桁の 16 進数字)。",
		challengeChars: "チャレンジがこのアカウントに合いません (4〜{max} 文字)。",
		typePin: "PIN を入力してください。",
		noResponse: "レスポンスを計算できません: {reason}",
		notChallenge: "この QR コードはログインのチャレンジではありません: {reason}。",
		noAccount: "アカウント {name} はここにありません。先に追加してください。",
		validFor: "あと {seconds} 秒有効",
		noCamera: "カメラがありません: {reason}。代わりに URI を貼り付けるか、チャレンジを入力してください。",
		confirmRemove: "{name} を削除しますか? そのログインには別のデバイスが必要になります。",
	},
	ru: {
		accounts: "Учётные записи",
		offline: "работает офлайн",
		empty: "Учётных записей пока нет. Добавьте устройство, которое показывает `sls enroll`.",
		scanChallenge: "Отсканировать запрос",
		addAccount: "Добавить учётную запись",
		addHelp: "Отсканируйте QR-код, который `sls enroll` показывает на вашем сервере, или вставьте его URI " +
			"`otpauth://`. Импортируйте только то, что показал вам ваш собственный сервер.",
		scanUri: "Отсканировать QR-код",
		uriLabel: "URI otpauth",
		import: "Импортировать",
		scan: "Сканирование",
		pointCamera: "Наведите камеру на QR-код.",
		cancel: "Отмена",
		challenge: "Запрос",
		pin: "PIN-код",
		response: "Ответ",
		remove: "Удалить эту учётную запись",
		kindChallenge: "запрос",
		kindTotp: "TOTP",
		scanEnrolment: "Отсканировать QR-код регистрации",
		scanTheChallenge: "Отсканировать запрос",
		suiteRefused: "набор {suite} не из тех, что выдаёт sls (часть PIN-кода, от 6 до 10 цифр, без счётчика, " +
			"сеанса и времени): отклонено",
		accountExists: "учётная запись {name} уже существует: чтобы заменить её, сначала удалите её",
		notImported: "Не импортировано: {reason}.",
		challengeDigits: "Запрос не подходит для этой учётной записи (от 4 до {max} цифр).",
		challengeHex: "Запрос не подходит для этой учётной записи (от 4 до {max} шестнадцатеричных цифр).",
		challengeChars: "Запрос не подходит для этой учётной записи (от 4 до {max} символов).",
		typePin: "Введите PIN-код.",
		noResponse: "Нет ответа: {reason}",
		notChallenge: "Этот QR-код не является запросом для входа: {reason}.",
		noAccount: "Учётной записи {name} здесь нет: сначала добавьте её.",
		validFor: "действует ещё {seconds} с",
		noCamera: "Нет камеры: {reason}. Вставьте URI или введите запрос вручную.",
		confirmRemove: "Удалить {name}? Тогда для входа понадобится другое устройство.",
	},
	"zh-TW": {
		accounts: "帳戶",
		offline: "可離線使用",
		empty: "尚無任何帳戶。請新增 `sls enroll` 顯示的裝置。",
		scanChallenge: "掃描挑戰碼",
		addAccount: "新增帳戶",
		addHelp: "請掃描 `sls enroll` 在您的伺服器上顯示的 QR code，或貼上其 `otpauth://` URI。" +
			"只匯入您自己的伺服器顯示給您的內容。",
		scanUri: "掃描 QR code",
		uriLabel: "otpauth URI",
		import: "匯入",
		scan: "掃描",
		pointCamera: "請將相機對準 QR code。",
		cancel: "取消",
		challenge: "挑戰碼",
		pin: "PIN",
		response: "回應",
		remove: "移除此帳戶",
		kindChallenge: "挑戰碼",
		kindTotp: "TOTP",
		scanEnrolment: "掃描註冊用的 QR code",
		scanTheChallenge: "掃描挑戰碼",
		suiteRefused: "套件 {suite} 不是 sls 所發行的（需含 PIN 部分、6 至 10 位數，不含計數器、工作階段或時間）：已拒絕",
		accountExists: "帳戶 {name} 已存在：若要取代，請先移除它",
		notImported: "未匯入：{reason}。",
		challengeDigits: "挑戰碼不符合此帳戶（4 至 {max} 個數字）。",
		challengeHex: "挑戰碼不符合此帳戶（4 至 {max} 個十六進位數字）。",
		challengeChars: "挑戰碼不符合此帳戶（4 至 {max} 個字元）。",
		typePin: "請輸入您的 PIN。",
		noResponse: "無法產生回應：{reason}",
		notChallenge: "此 QR code 不是登入挑戰碼：{reason}。",
		noAccount: "這裡沒有帳戶 {name}：請先新增它。",
		validFor: "還有 {seconds} 秒有效",
		noCamera: "沒有相機：{reason}。請改為貼上 URI 或輸入挑戰碼。",
		confirmRemove: "要移除 {name} 嗎？之後其登入將需要另一個裝置。",
	},
};

// The table's language for a list of BCP 47 tags (navigator.languages), "en" if none fits.
export function pickLanguage(tags) {
	for (const tag of tags ?? []) {
		const parts = String(tag).toLowerCase().split(/[-_]/);
		if (parts[0] === "zh") {
			if (parts.includes("tw") || parts.includes("hant"))
				return "zh-TW";
			continue; // Simplified, or unsaid: not this table's Chinese
		}
		if (Object.hasOwn(MESSAGES, parts[0]))
			return parts[0];
	}
	return "en";
}

export const lang = pickLanguage(globalThis.navigator?.languages ?? [globalThis.navigator?.language]);

// The message key in the page's language (English if the key is missing
// there), each {name} replaced by params[name].
export function t(key, params = {}) {
	const msg = MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
	return msg.replace(/\{(\w+)\}/g, (all, name) => (Object.hasOwn(params, name) ? String(params[name]) : all));
}

// el's content: the message's text, its `code` spans as <code> elements.
function fill(el, msg) {
	el.replaceChildren(...msg.split("`").map((part, i) => {
		if (i % 2 === 0)
			return document.createTextNode(part);
		const code = document.createElement("code");
		code.textContent = part;
		return code;
	}));
}

// The static texts of the page: [data-i18n] elements' content,
// [data-i18n-aria] elements' aria-label, and html[lang].
export function localize(root = document) {
	document.documentElement.lang = lang;
	for (const el of root.querySelectorAll("[data-i18n]"))
		fill(el, t(el.dataset.i18n));
	for (const el of root.querySelectorAll("[data-i18n-aria]"))
		el.setAttribute("aria-label", t(el.dataset.i18nAria));
}
