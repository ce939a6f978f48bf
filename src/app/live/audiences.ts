import type { DocumentNode } from 'graphql';
import type { Principal } from '../../auth/principal';
import { documentKey } from './documents';

/** Executed, serialised payloads of one audience kept per seq, for replays: a few hundred at most. */
const PAYLOAD_CACHE = 256;

/**
 * Subscribers whose results are identical: same document, operation, variables (afterSeq aside) and roles. Every
 * resolver reachable from RoomState and RoomEvent depends on the roles only, never on who exactly asks (checked by a
 * test). The payloads are stored as promises before execution finishes, so subscribers woken by the same event wait
 * for one execution instead of each running their own.
 */
export interface Audience {
  key: string;
  payloads: Map<number, Promise<string>>;
  /** Subscriptions (and state groups) holding it; at 0 it is forgotten, with its payloads. */
  holders: number;
}

/** The audiences in use. One is made by its first subscriber and freed when its last one leaves. */
export class Audiences {
  private readonly byKey = new Map<string, Audience>();

  get size(): number {
    return this.byKey.size;
  }

  /** The audience of a subscriber, held until `release`. */
  acquire(document: DocumentNode, operationName: string | null, variables: Record<string, unknown>, principal: Principal | null): Audience {
    const { afterSeq: _ignored, ...shared } = variables;
    const roles = principal ? (principal.roles.length === 1 ? principal.roles[0] : [...principal.roles].sort().join(',')) : '';
    const key = `${documentKey(document)}\u0000${operationName ?? ''}\u0000${roles}\u0000${JSON.stringify(shared)}`;
    let audience = this.byKey.get(key);
    if (!audience) {
      audience = { key, payloads: new Map(), holders: 0 };
      this.byKey.set(key, audience);
    }
    audience.holders += 1;
    return audience;
  }

  release(audience: Audience): void {
    audience.holders -= 1;
    if (audience.holders > 0) return;
    audience.payloads.clear();
    if (this.byKey.get(audience.key) === audience) this.byKey.delete(audience.key);
  }

  /** The audience's payload for a seq: executed by `run` once, then shared. */
  payload(audience: Audience, seq: number, run: () => Promise<string>): Promise<string> {
    const cached = audience.payloads.get(seq);
    if (cached) return cached;
    const json = run();
    audience.payloads.set(seq, json);
    if (audience.payloads.size > PAYLOAD_CACHE) audience.payloads.delete(audience.payloads.keys().next().value!);
    json.catch(() => audience.payloads.delete(seq));
    return json;
  }
}
