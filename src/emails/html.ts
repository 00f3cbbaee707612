const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * Wraps already-escaped paragraphs in a minimal HTML document. Mail clients ignore `<style>`
 * blocks inconsistently, so the few styles are inline.
 */
export function htmlDocument(title: string, bodyHtml: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="id">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    "</head>",
    '<body style="font-family: Arial, sans-serif; line-height: 1.5; color: #1f2933;">',
    bodyHtml,
    "</body>",
    "</html>",
  ].join("\n");
}

/** Escapes plain text and wraps it in a paragraph. */
export function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

/** Renders a call-to-action link followed by the bare URL, for clients that hide buttons. */
export function linkButton(label: string, url: string): string {
  const href = escapeHtml(url);
  return [
    `<p><a href="${href}" style="display: inline-block; padding: 10px 18px; ` +
      `background: #0b6bcb; color: #ffffff; text-decoration: none; border-radius: 4px;">` +
      `${escapeHtml(label)}</a></p>`,
    `<p style="font-size: 13px; color: #52606d;">Jika tombol tidak berfungsi, salin tautan ` +
      `berikut ke browser Anda:<br><a href="${href}">${href}</a></p>`,
  ].join("\n");
}
