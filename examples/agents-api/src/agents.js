import { randomUUID } from 'node:crypto';

/** This service's own data: agents in memory, by owner (the principal's `sub`). */
export class Agents {
  #byOwner = new Map();

  list(owner) {
    return this.#byOwner.get(owner) ?? [];
  }

  create(owner, name) {
    const agent = { id: randomUUID(), name: String(name ?? '').slice(0, 100) || 'unnamed', owner };
    this.#byOwner.set(owner, [...this.list(owner), agent]);
    return agent;
  }
}
