import { describe, expect, it } from "vitest";
import {
  renderPasswordChangedEmail,
  renderPasswordResetEmail,
  renderVerificationEmail,
} from "./emails.templates";

const base = { companyName: "KMS-Connect", frontendUrl: "https://app.example.id" };

describe("verification email template", () => {
  const email = renderVerificationEmail({
    ...base,
    recipientName: "Siti Aminah",
    token: "abc_DEF-123",
    ttlDays: 7,
  });

  it("links to /verify-email with the token", () => {
    expect(email.link).toBe("https://app.example.id/verify-email?token=abc_DEF-123");
    expect(email.text).toContain(email.link);
    expect(email.html).toContain('href="https://app.example.id/verify-email?token=abc_DEF-123"');
  });

  it("is Indonesian and names the company", () => {
    expect(email.subject).toBe("Verifikasi alamat email Anda di KMS-Connect");
    expect(email.text).toContain("Halo Siti Aminah,");
    expect(email.text).toContain("Tautan ini berlaku selama 7 hari.");
    expect(email.html).toContain('<html lang="id">');
    expect(email.html).toContain("Tim KMS-Connect");
  });
});

describe("password reset email template", () => {
  const email = renderPasswordResetEmail({
    ...base,
    recipientName: "Budi",
    uid: "MTIz",
    token: "tok",
    ttlSeconds: 3600,
  });

  it("links to /reset-password with uid and token", () => {
    expect(email.link).toBe("https://app.example.id/reset-password?uid=MTIz&token=tok");
    expect(email.text).toContain(email.link);
    // `&` in the href is escaped as HTML requires.
    expect(email.html).toContain(
      'href="https://app.example.id/reset-password?uid=MTIz&amp;token=tok"',
    );
  });

  it("states the lifetime in hours or minutes", () => {
    expect(email.text).toContain("berlaku selama 1 jam");
    const short = renderPasswordResetEmail({
      ...base,
      recipientName: "",
      uid: "MQ",
      token: "t",
      ttlSeconds: 1800,
    });
    expect(short.text).toContain("berlaku selama 30 menit");
    expect(short.text.startsWith("Halo,")).toBe(true);
  });

  it("keeps a base path of FRONTEND_URL", () => {
    const email = renderPasswordResetEmail({
      ...base,
      frontendUrl: "https://example.id/portal/",
      recipientName: "",
      uid: "MQ",
      token: "t",
      ttlSeconds: 3600,
    });
    expect(email.link).toBe("https://example.id/portal/reset-password?uid=MQ&token=t");
  });
});

describe("password changed email template", () => {
  it("shows the change time in Jakarta time and has no link", () => {
    const email = renderPasswordChangedEmail({
      ...base,
      recipientName: "Budi",
      changedAt: new Date("2026-05-05T07:30:00Z"),
    });
    expect(email.link).toBeNull();
    expect(email.subject).toBe("Kata sandi KMS-Connect Anda telah diubah");
    expect(email.text).toContain("14.30 WIB");
    expect(email.text).toContain("Mei 2026");
  });
});

describe("email templates escaping", () => {
  const hostile = `<script>alert("x")</script> & 'co'`;

  it("escapes the recipient name and company name in HTML", () => {
    const email = renderVerificationEmail({
      companyName: `PT <b>Jaya</b>`,
      frontendUrl: "https://app.example.id",
      recipientName: hostile,
      token: "t",
      ttlDays: 7,
    });
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<b>Jaya</b>");
    expect(email.html).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;",
    );
    expect(email.html).toContain("PT &lt;b&gt;Jaya&lt;/b&gt;");
    // The plain-text part is not HTML, so it keeps the name as written.
    expect(email.text).toContain(hostile);
  });

  it("encodes and escapes a token that contains markup", () => {
    const email = renderPasswordResetEmail({
      ...base,
      recipientName: hostile,
      uid: "MQ",
      token: `"><img src=x>`,
      ttlSeconds: 3600,
    });
    expect(email.html).not.toContain("<img");
    expect(email.html).not.toContain('"><');
    expect(email.subject).not.toContain("<");
  });
});
