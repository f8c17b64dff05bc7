/**
 * @module Paging sessions of QuerySuggestedImages: a session pins the ordered ids that matched the
 * query when it opened, so later pages neither skip nor repeat an image while the project changes;
 * a continuation token is a position in one session.
 */
import { badRequest } from '../errors';
import { newId } from './context';

interface Session {
  /** The query the session answers: later pages must ask the same. */
  query: string;
  imageIds: string[];
  touched: number;
}

/** Sessions idle longer than this are forgotten (the client starts again without a session). */
const SESSION_IDLE_MS = 60 * 60 * 1000;
/** Image ids kept over all sessions (about 50 bytes each): the least recently used go first. */
const MAX_PINNED_IDS = 500_000;

const invalid = (message: string) => badRequest('BadRequestPredictionInvalidQueryParameters', message);

export class SuggestionSessions {
  private readonly sessions = new Map<string, Session>();
  private pinned = 0;

  open(query: string, imageIds: string[]): string {
    this.forgetIdle();
    while (this.sessions.size && this.pinned + imageIds.length > MAX_PINNED_IDS) this.forget(this.sessions.keys().next().value!);
    const id = newId();
    this.sessions.set(id, { query, imageIds, touched: Date.now() });
    this.pinned += imageIds.length;
    return id;
  }

  /** The session's pinned ids; refuses an unknown or expired session and one opened for another query. */
  imageIds(id: string, query: string): string[] {
    this.forgetIdle();
    const session = this.sessions.get(id);
    if (!session) throw invalid(`Suggestion session "${id}" is unknown or expired: query again with session and continuation empty.`);
    if (session.query !== query) throw invalid(`Suggestion session "${id}" was opened for other tagIds, threshold or sortBy: query again with session and continuation empty.`);
    this.sessions.delete(id); // re-inserted: most recently used last
    session.touched = Date.now();
    this.sessions.set(id, session);
    return session.imageIds;
  }

  private forget(id: string): void {
    this.pinned -= this.sessions.get(id)?.imageIds.length ?? 0;
    this.sessions.delete(id);
  }

  private forgetIdle(): void {
    const oldest = Date.now() - SESSION_IDLE_MS;
    for (const [id, session] of this.sessions) if (session.touched < oldest) this.forget(id);
  }
}

/** The opaque continuation token of a position in a session. */
export function continuationToken(session: string, offset: number): string {
  return Buffer.from(`${session}:${offset}`).toString('base64url');
}

/** The position a continuation token names; refuses a token of another session or a forged one. */
export function continuationOffset(session: string, token: string): number {
  const [owner, offset] = Buffer.from(token, 'base64url').toString().split(':');
  const n = Number(offset);
  if (owner !== session || !Number.isInteger(n) || n < 0) throw invalid(`"${token}" is not a continuation token of session "${session}".`);
  return n;
}
