// A page of an app using @latchkey/client in cookie mode (the browser default), driven by
// tabs.browser.test.ts through `window.app`.
import { createClient, type SessionEndReason } from '../../src/index.js';

const ended: SessionEndReason[] = [];
const client = createClient({ onSessionEnd: (reason) => ended.push(reason) });

const app = {
  ended,
  async login(email: string, password: string): Promise<string> {
    return (await client.login(email, password)).status;
  },
  restore: () => client.restore(),
  async emails(count: number): Promise<string[]> {
    const answers = await Promise.all(Array.from({ length: count }, () => client.me()));
    return answers.map((answer) => answer.user.email);
  },
  accessToken: () => client.getAccessToken(),
};

(globalThis as { app?: typeof app }).app = app;
