/** The mails Latchkey sends; each is a template pair (`<name>.txt`, `<name>.html`) an operator may replace. */
export const MAIL_TEMPLATES = [
  'verify-email',
  'reset-password',
  'confirm-email',
  'email-change-requested',
  'sign-up-attempt',
  'password-changed',
  'email-changed',
  'two-factor-disabled',
  'credential-created',
  'recovery-code-used',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** One mail to send: the template and the values it is filled with. */
export interface Mail {
  to: string;
  template: MailTemplate;
  /**
   * Template values; `link`, when present, carries a token: it is never logged, except in the
   * outbox mode, where logging it is the point.
   */
  values: Readonly<Record<string, string>>;
}

/**
 * The port core sends mail through. `send` never waits and never throws: `prepare` runs after the
 * caller has its answer (it may write a token first), and returns the mail, or null for none.
 * What happens next (queueing, retries, a full queue) is the transport's.
 */
export interface Mailer {
  send(prepare: () => Promise<Mail | null>): void;
}

/** A mailer that sends nothing (EMAIL=off). */
export const NO_MAIL: Mailer = { send: () => {} };
