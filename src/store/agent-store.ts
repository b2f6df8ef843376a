/** An agent: a named resource a user owns (akol-auth.txt's protected API). */
export interface Agent {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The fields an update may change; an absent field is left as it is. */
export interface AgentChanges {
  name?: string;
  description?: string | null;
}

export interface AgentStore {
  insert(agent: Agent): Promise<void>;
  /** Inserts `agent` unless its user already owns `max` agents (false, nothing written); atomic under racing inserts. */
  insertWithinLimit(agent: Agent, max: number): Promise<boolean>;
  findById(id: string): Promise<Agent | null>;
  /**
   * A page of agents, newest first (ties broken by id, so pages never overlap): one user's, or
   * every user's when `userId` is null.
   */
  list(query: { userId: string | null; limit: number; offset: number }): Promise<Agent[]>;
  /** Applies `changes` and sets updated_at; returns the agent, or null when there is no such agent. */
  update(id: string, changes: AgentChanges, at: number): Promise<Agent | null>;
  /** Returns false when there was no such agent. */
  delete(id: string): Promise<boolean>;
}
