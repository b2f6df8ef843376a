import type { MailTemplate } from '../../core/index.js';

/**
 * The built-in mails: a subject and a plain-text body with `{{value}}` placeholders. The HTML part
 * is made from the text unless MAIL_TEMPLATES_DIR has a `<name>.html`.
 */
export const DEFAULT_TEMPLATES: Record<MailTemplate, { subject: string; text: string }> = {
  'verify-email': {
    subject: 'Verify your e-mail address for {{product}}',
    text: 'Confirm that {{email}} is your address by opening this link within {{expires_in}}:\n\n{{link}}\n\nIf you did not sign up for {{product}}, ignore this mail.',
  },
  'reset-password': {
    subject: 'Reset your {{product}} password',
    text: 'Someone asked to reset the password of the {{product}} account {{email}}. To choose a new one, open this link within {{expires_in}}:\n\n{{link}}\n\nIf it was not you, ignore this mail: your password stays as it is.',
  },
  'confirm-email': {
    subject: 'Confirm your new e-mail address for {{product}}',
    text: 'To make {{new_email}} the address of your {{product}} account (now {{old_email}}), open this link within {{expires_in}}:\n\n{{link}}\n\nIf you did not ask for this, ignore this mail.',
  },
  'email-change-requested': {
    subject: 'A change of your {{product}} e-mail address was requested',
    text: 'Someone signed in to your {{product}} account asked to change its address from {{email}} to {{new_email}}. It changes only when the link mailed to the new address is used.\n\nIf it was not you, change your password now: {{forgot_url}}',
  },
  'sign-up-attempt': {
    subject: 'Someone tried to sign up to {{product}} with your address',
    text: 'Someone tried to create a {{product}} account with {{email}}, which already has one. If it was you, sign in: {{sign_in_url}}\n\nForgot your password? Reset it with this link within {{expires_in}}:\n\n{{link}}\n\nIf it was not you, ignore this mail.',
  },
  'password-changed': {
    subject: 'Your {{product}} password was changed',
    text: 'The password of your {{product}} account {{email}} was just changed.\n\nIf it was not you, reset it now: {{forgot_url}}',
  },
  'email-changed': {
    subject: 'Your {{product}} e-mail address was changed',
    text: 'Your {{product}} account no longer uses {{email}}: its address is now {{new_email}}.\n\nIf it was not you, contact your administrator.',
  },
  'two-factor-disabled': {
    subject: 'Two-factor authentication was turned off on your {{product}} account',
    text: 'Two-factor authentication was just turned off on your {{product}} account {{email}}.\n\nIf it was not you, change your password now: {{forgot_url}}',
  },
  'credential-created': {
    subject: 'A new {{credential_kind}} was created on your {{product}} account',
    text: 'A new {{credential_kind}} named "{{credential_name}}" was just created on your {{product}} account {{email}}.\n\nIf it was not you, revoke it and change your password: {{forgot_url}}',
  },
  'recovery-code-used': {
    subject: 'A recovery code was used on your {{product}} account',
    text: 'One of the recovery codes of your {{product}} account {{email}} was just used to sign in or confirm an action.\n\nIf it was not you, change your password now: {{forgot_url}}',
  },
};
