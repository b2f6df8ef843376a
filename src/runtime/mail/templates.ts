import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../../config/index.js';
import { MAIL_TEMPLATES, type Mail, type MailTemplate } from '../../core/index.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';

/** A mail ready to send. */
export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

interface Template {
  subject: string;
  text: string;
  /** Absent: made from the text. */
  html?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

function fill(template: string, values: Readonly<Record<string, string>>, encode: (v: string) => string): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => encode(values[name] ?? ''));
}

/** The text as HTML: one paragraph per blank-line block, URLs as links. */
function htmlFromText(text: string): string {
  const paragraphs = escapeHtml(text)
    .split(/\n{2,}/)
    .map((block) => `<p>${block.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)}</p>`);
  return `<!doctype html><html><body>${paragraphs.join('\n')}</body></html>`;
}

/**
 * `<name>.txt` (a `Subject: ...` line, a blank line, the body) and `<name>.html` from `dir`
 * replace the built-in template of that name; read once, at start.
 */
export function loadTemplates(dir: string | undefined): Record<MailTemplate, Template> {
  const templates = { ...DEFAULT_TEMPLATES } as Record<MailTemplate, Template>;
  if (!dir) return templates;
  for (const name of MAIL_TEMPLATES) {
    const textFile = join(dir, `${name}.txt`);
    const htmlFile = join(dir, `${name}.html`);
    let template: Template = { ...templates[name] };
    if (existsSync(textFile)) {
      const match = /^Subject:[ \t]*(.*)\r?\n\r?\n([\s\S]*)$/.exec(readFileSync(textFile, 'utf8'));
      if (!match)
        throw new StartupError(
          `MAIL_TEMPLATES_DIR: ${textFile} must start with a "Subject: ..." line and a blank line`,
        );
      template = { subject: match[1]!, text: match[2]! };
    }
    if (existsSync(htmlFile)) template.html = readFileSync(htmlFile, 'utf8');
    templates[name] = template;
  }
  return templates;
}

/** Fills the mail's template: raw values in the subject and text, escaped ones in the HTML. */
export function renderMail(templates: Record<MailTemplate, Template>, mail: Mail): RenderedMail {
  const template = templates[mail.template];
  const text = fill(template.text, mail.values, (v) => v);
  return {
    to: mail.to,
    subject: fill(template.subject, mail.values, (v) => v.replace(/[\r\n]+/g, ' ')),
    text,
    html: template.html === undefined ? htmlFromText(text) : fill(template.html, mail.values, escapeHtml),
  };
}
