import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { applicantProfiles, users } from "../db/schema";
import type { ComposerConfig, Composition } from "./emails.composer";
import type { EmailMessage } from "./emails.messages";
import { renderProfileDecisionEmail } from "./emails.templates";

type DecisionMessage = Extract<EmailMessage, { type: "profile_approved" | "profile_rejected" }>;

/**
 * Renders the approval or rejection notice from the profile as it is now. The email is
 * skipped when the profile no longer carries this decision, because a later one replaced it
 * (a resubmission clears `verified_at`), and for a deactivated user. The notes are read here
 * rather than carried in the message, as they may hold personal data.
 */
export async function composeProfileDecision(
  db: Database,
  config: Pick<ComposerConfig, "COMPANY_NAME">,
  message: DecisionMessage,
): Promise<Composition> {
  const [row] = await db
    .select({ profile: applicantProfiles, user: users })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(eq(applicantProfiles.id, message.profile_id))
    .limit(1);
  if (!row) return { action: "skip", reason: "profile_not_found" };
  if (row.user.id !== message.user_id) return { action: "reject", reason: "user_mismatch" };
  if (!row.user.isActive) return { action: "skip", reason: "user_inactive" };

  const decision = message.type === "profile_approved" ? "ACCEPTED" : "REJECTED";
  const { profile } = row;
  const sameDecision = profile.verifiedAt?.getTime() === Date.parse(message.decided_at);
  // An edit moves a REJECTED profile back to DRAFT and keeps `verified_at`, so the rejection
  // notice still goes out when the applicant starts fixing the profile before it arrives.
  const stillStands =
    profile.verificationStatus === decision ||
    (decision === "REJECTED" && profile.verificationStatus === "DRAFT");
  if (!sameDecision || !stillStands) return { action: "skip", reason: "decision_superseded" };

  const email = renderProfileDecisionEmail({
    companyName: config.COMPANY_NAME,
    recipientName: row.user.fullName,
    decision,
    notes: profile.verificationNotes,
  });
  return { action: "send", to: row.user.email, email };
}
