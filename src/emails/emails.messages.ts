import { z } from "zod";

const id = z.number().int().positive();

/** Fields of the email that tells an applicant their profile was approved or rejected. */
const profileDecision = {
  user_id: id,
  profile_id: id,
  /**
   * ISO 8601 instant of the decision, equal to the profile's `verified_at`. The consumer skips
   * the email once a later decision has replaced this one.
   */
  decided_at: z.iso.datetime({ offset: true }),
};

/**
 * Bodies of `emails` queue messages. They carry ids and the raw one-time token, never the
 * address, name or review notes. The consumer reads those from the database when it sends,
 * so it drops a message whose address changed meanwhile instead of sending it to the old one.
 */
export const EmailMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("email_verification"),
    user_id: id,
    token_id: id,
    token: z.string().min(1).max(128),
  }),
  z.object({
    type: z.literal("password_reset"),
    user_id: id,
    token_id: id,
    token: z.string().min(1).max(128),
  }),
  z.object({ type: z.literal("profile_approved"), ...profileDecision }),
  z.object({ type: z.literal("profile_rejected"), ...profileDecision }),
  z.object({
    type: z.literal("password_changed"),
    user_id: id,
    /** ISO 8601 instant of the change, shown in the notice. */
    changed_at: z.iso.datetime({ offset: true }),
  }),
]);

export type EmailMessage = z.infer<typeof EmailMessageSchema>;
export type EmailMessageType = EmailMessage["type"];

export const EMAIL_MESSAGE_TYPES: readonly string[] = EmailMessageSchema.options.map(
  (option) => option.shape.type.value,
);
