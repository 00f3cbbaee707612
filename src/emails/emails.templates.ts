import { escapeHtml, htmlDocument, linkButton, paragraph } from "./html";

/** A rendered email, ready for a provider. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The action link inside the email, printed by the console provider; null when none. */
  link: string | null;
}

export interface VerificationEmailInput {
  companyName: string;
  recipientName: string;
  frontendUrl: string;
  token: string;
  ttlDays: number;
}

export interface PasswordResetEmailInput {
  companyName: string;
  recipientName: string;
  frontendUrl: string;
  uid: string;
  token: string;
  ttlSeconds: number;
}

export interface PasswordChangedEmailInput {
  companyName: string;
  recipientName: string;
  changedAt: Date;
}

/** Renders the email-verification message with its `/verify-email?token=` link. */
export function renderVerificationEmail(input: VerificationEmailInput): RenderedEmail {
  const link = frontendLink(input.frontendUrl, "/verify-email", { token: input.token });
  const intro = `Terima kasih telah mendaftar di ${input.companyName}. Klik tautan berikut untuk memverifikasi alamat email Anda.`;
  const validity = `Tautan ini berlaku selama ${input.ttlDays} hari.`;
  const ignore = "Jika Anda tidak merasa mendaftar, abaikan email ini.";
  return {
    subject: `Verifikasi alamat email Anda di ${input.companyName}`,
    link,
    text: plainText([greeting(input.recipientName), intro, link, validity, ignore], input),
    html: htmlEmail(input, [
      paragraph(greeting(input.recipientName)),
      paragraph(intro),
      linkButton("Verifikasi email", link),
      paragraph(validity),
      paragraph(ignore),
    ]),
  };
}

/** Renders the password-reset message with its `/reset-password?uid=&token=` link. */
export function renderPasswordResetEmail(input: PasswordResetEmailInput): RenderedEmail {
  const link = frontendLink(input.frontendUrl, "/reset-password", {
    uid: input.uid,
    token: input.token,
  });
  const intro = `Kami menerima permintaan untuk mengatur ulang kata sandi akun ${input.companyName} Anda. Klik tautan berikut untuk membuat kata sandi baru.`;
  const validity = `Tautan ini berlaku selama ${formatDuration(input.ttlSeconds)} dan hanya dapat digunakan satu kali.`;
  const ignore =
    "Jika Anda tidak meminta pengaturan ulang, abaikan email ini. Kata sandi Anda tidak berubah.";
  return {
    subject: `Atur ulang kata sandi ${input.companyName}`,
    link,
    text: plainText([greeting(input.recipientName), intro, link, validity, ignore], input),
    html: htmlEmail(input, [
      paragraph(greeting(input.recipientName)),
      paragraph(intro),
      linkButton("Atur ulang kata sandi", link),
      paragraph(validity),
      paragraph(ignore),
    ]),
  };
}

/** Renders the notice sent after a password change or reset. */
export function renderPasswordChangedEmail(input: PasswordChangedEmailInput): RenderedEmail {
  const notice = `Kata sandi akun ${input.companyName} Anda telah diubah pada ${formatJakartaTime(input.changedAt)}.`;
  const warning = `Jika bukan Anda yang mengubahnya, segera atur ulang kata sandi melalui fitur "Lupa kata sandi" dan hubungi tim ${input.companyName}.`;
  return {
    subject: `Kata sandi ${input.companyName} Anda telah diubah`,
    link: null,
    text: plainText([greeting(input.recipientName), notice, warning], input),
    html: htmlEmail(input, [
      paragraph(greeting(input.recipientName)),
      paragraph(notice),
      paragraph(warning),
    ]),
  };
}

export interface ProfileDecisionEmailInput {
  companyName: string;
  recipientName: string;
  decision: "ACCEPTED" | "REJECTED";
  /** The reviewer's notes; required for a rejection, optional for an approval. */
  notes: string;
}

/** Renders the notice that the applicant's profile was approved, or rejected with the notes. */
export function renderProfileDecisionEmail(input: ProfileDecisionEmailInput): RenderedEmail {
  const approved = input.decision === "ACCEPTED";
  const notes = input.notes.trim();
  const outcome = approved
    ? `Selamat! Profil pelamar Anda di ${input.companyName} telah diverifikasi dan diterima.`
    : `Profil pelamar Anda di ${input.companyName} belum dapat kami terima.`;
  const notesLine = notes ? `Catatan dari petugas: ${notes}` : "";
  const next = approved
    ? "Tim kami akan menghubungi Anda untuk langkah selanjutnya."
    : "Silakan perbaiki data atau dokumen Anda di aplikasi, lalu ajukan verifikasi kembali.";
  const paragraphs = [greeting(input.recipientName), outcome, notesLine, next].filter(Boolean);
  return {
    subject: approved
      ? `Profil ${input.companyName} Anda telah diterima`
      : `Profil ${input.companyName} Anda perlu diperbaiki`,
    link: null,
    text: plainText(paragraphs, input),
    html: htmlEmail(input, paragraphs.map(paragraph)),
  };
}

/** Builds `{frontendUrl}{path}?…` with encoded query values, keeping any base path. */
function frontendLink(frontendUrl: string, path: string, query: Record<string, string>): string {
  const url = new URL(frontendUrl.replace(/\/+$/, "") + path);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

function greeting(recipientName: string): string {
  const name = recipientName.trim();
  return name ? `Halo ${name},` : "Halo,";
}

function plainText(paragraphs: string[], input: { companyName: string }): string {
  return [...paragraphs, `Salam,\nTim ${input.companyName}`].join("\n\n");
}

function htmlEmail(input: { companyName: string }, paragraphs: string[]): string {
  const signature = `<p>Salam,<br>Tim ${escapeHtml(input.companyName)}</p>`;
  return htmlDocument(input.companyName, [...paragraphs, signature].join("\n"));
}

/** "1 jam", "2 jam" or "30 menit": reset lifetimes are configured in seconds. */
function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} jam`;
  return `${Math.max(1, Math.round(seconds / 60))} menit`;
}

const jakartaTime = new Intl.DateTimeFormat("id-ID", {
  timeZone: "Asia/Jakarta",
  dateStyle: "long",
  timeStyle: "short",
});

/** Formats an instant as Jakarta local time, e.g. "5 Mei 2026 pukul 14.30 WIB". */
function formatJakartaTime(instant: Date): string {
  return `${jakartaTime.format(instant)} WIB`;
}
