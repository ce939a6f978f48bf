import type { DocumentNode } from 'graphql';
import type { Principal } from '../../auth/principal';
import type { Audience, Audiences } from './audiences';
import { complete, errorPayload, sendNext, type Connection, type LiveParts } from './connection';

/**
 * roomState: the subscribers of one audience and room form a group that reads the hub's state iterator once,
 * executes and serialises each state once, and writes it to every socket in one synchronous loop (the subscription id
 * is the only per-socket part of a frame). A newcomer gets the group's latest state at once (executed again if older
 * than SNAPSHOT_FRESH_MS, once per group); every member gets every later state, in order. No queue, promise or
 * context per subscriber: a subscriber costs a small record, and an event a string concatenation and a write.
 *
 * A member whose socket is backed up skips superseded states: it keeps only the newest unwritten one.
 */

/** A snapshot older than this is executed again for a newcomer, so its serverNow is fresh for clock correction. */
const SNAPSHOT_FRESH_MS = 100;
/** Frames up to this size are written from a buffer each subscriber keeps and reuses; larger ones as strings. */
const REUSED_FRAME_MAX = 16 * 1024;
const TEXT_FRAME = { binary: false } as const;

/** A serialised state as the tail of a frame (`<payload>}`), as text and as UTF-8 bytes. */
interface Body {
  text: string;
  bytes: Buffer;
}

/** A roomState subscriber inside its group: where it is in the room and the newest state not yet written to it. */
interface StateMember {
  c: Connection;
  id: string;
  group: StateGroup;
  /** `{"id":…,"type":"next","payload":` — the only part of a frame that is this subscriber's own. */
  prefix: string;
  prefixBytes: number;
  /**
   * This subscriber's frame buffer, prefix written once, reused for each state while its socket has written
   * everything (bufferedAmount 0: the previous frame is no longer referenced), so a broadcast allocates nothing per
   * socket. Null until the second write (the snapshot goes as a string), or while frames are past REUSED_FRAME_MAX.
   */
  frame: Buffer | null;
  lastSeq: number;
  /** The newest state not yet written (nextBody null: none); a newer one replaces it (conflation). */
  nextSeq: number;
  nextBody: Body | null;
  /** Waiting for its own fresh snapshot; live states wait in `next` behind it. */
  awaitingSnapshot: boolean;
  drainTimer: NodeJS.Timeout | null;
  closed: boolean;
}

/** The roomState subscribers of one audience and room: one hub iterator, one execution and serialisation per state. */
interface StateGroup {
  key: string;
  audience: Audience;
  sessionId: number;
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName: string | null;
  /** Whose context executes for the group: any member's would do (the audience is decided by roles alone). */
  principal: Principal | null;
  members: Set<StateMember>;
  /** The last state written to the group, serialised as the tail of a frame (`<payload>}`). */
  latest: { state: { seq: number }; body: Body; at: number } | null;
  /** A fresh execution of `latest` for newcomers, when it had grown stale. */
  refreshing: Promise<void> | null;
  source: AsyncIterableIterator<{ seq: number }> | null;
  closed: boolean;
}

export class StateGroups {
  private readonly groups = new Map<string, StateGroup>();

  constructor(
    private readonly parts: LiveParts,
    private readonly audiences: Audiences,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /**
   * Adds a roomState subscriber to its group (made, with its hub iterator, by the first one) and sends it the
   * group's latest state, fresh; from then on the group writes each new state to it.
   */
  join(c: Connection, id: string, sessionId: number, document: DocumentNode, variables: Record<string, unknown>, operationName: string | null): void {
    const audience = this.audiences.acquire(document, operationName, variables, c.principal);
    const key = `${audience.key}\u0000${sessionId}`;
    let group = this.groups.get(key);
    if (group) this.audiences.release(audience); // the group already holds it
    else group = this.open(key, audience, sessionId, document, variables, operationName, c.principal);
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    const member: StateMember = {
      c,
      id,
      group,
      prefix,
      prefixBytes: Buffer.byteLength(prefix),
      frame: null,
      lastSeq: -1,
      nextSeq: -1,
      nextBody: null,
      awaitingSnapshot: false,
      drainTimer: null,
      closed: false,
    };
    group.members.add(member);
    c.subscriptions.set(id, () => this.leave(member));
    const latest = group.latest;
    if (!latest) return; // the group's first state, on its way, goes to every member
    if (this.parts.now() - latest.at <= SNAPSHOT_FRESH_MS) return this.offer(member, latest.state.seq, latest.body);
    member.awaitingSnapshot = true;
    const g = group;
    g.refreshing ??= this.execute(g, latest.state)
      .then((body) => {
        if (g.latest?.state === latest.state) g.latest = { state: latest.state, body, at: this.parts.now() };
      })
      .finally(() => {
        g.refreshing = null;
      });
    g.refreshing.then(
      () => {
        member.awaitingSnapshot = false;
        const fresh = g.latest!;
        this.offer(member, fresh.state.seq, fresh.body);
        this.flush(member); // a newer state may have arrived meanwhile, and waits
      },
      (err) => this.failMember(member, err),
    );
  }

  private open(key: string, audience: Audience, sessionId: number, document: DocumentNode, variables: Record<string, unknown>, operationName: string | null, principal: Principal | null): StateGroup {
    const group: StateGroup = { key, audience, sessionId, document, variables, operationName, principal, members: new Set(), latest: null, refreshing: null, source: null, closed: false };
    this.groups.set(key, group);
    this.parts.feed.states(sessionId).then(
      (source) => {
        if (group.closed) return void source.return?.();
        group.source = source;
        void this.run(group);
      },
      (err) => this.failGroup(group, err),
    );
    return group;
  }

  /** Executes a state once for the group and serialises it as the tail of a frame: `<payload>}`. */
  private async execute(group: StateGroup, state: { seq: number }): Promise<Body> {
    this.parts.counters.roomExecutions += 1;
    const { execution, contextFor } = this.parts;
    const result = await execution.runEvent(group.document, group.operationName, state, group.variables, contextFor(group.principal));
    const text = `${execution.serialize(result)}}`;
    return { text, bytes: Buffer.from(text) };
  }

  /** The group's one reader of the hub: each state is executed once, then offered to every member. */
  private async run(group: StateGroup): Promise<void> {
    try {
      for (;;) {
        const next = await group.source!.next();
        if (next.done || group.closed) break;
        const body = await this.execute(group, next.value);
        if (group.closed) break;
        group.latest = { state: next.value, body, at: this.parts.now() };
        for (const member of group.members) this.offer(member, next.value.seq, body);
      }
    } catch (err) {
      return this.failGroup(group, err);
    }
    // The feed ended (the server is closing): complete whoever is still there.
    for (const member of [...group.members]) this.completeMember(member);
    this.close(group);
  }

  /** Queues a state for a member (replacing an older unwritten one) and writes it if its socket can take it. */
  private offer(member: StateMember, seq: number, body: Body): void {
    if (member.closed || seq <= member.lastSeq || seq <= member.nextSeq) return;
    member.nextSeq = seq;
    member.nextBody = body;
    this.flush(member);
  }

  private flush(member: StateMember): void {
    if (member.closed || member.awaitingSnapshot || member.nextBody === null || member.drainTimer !== null) return;
    const socket = member.c.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.parts.softBufferBytes) {
      // Backed up: wait for the socket to drain; states arriving meanwhile replace the one waiting.
      member.drainTimer = setTimeout(() => {
        member.drainTimer = null;
        this.flush(member);
      }, 50);
      return;
    }
    const body = member.nextBody;
    const first = member.lastSeq === -1;
    member.lastSeq = member.nextSeq;
    member.nextBody = null;
    this.parts.counters.roomDeliveries += 1;
    const length = member.prefixBytes + body.bytes.length;
    if (first || length > REUSED_FRAME_MAX || socket.bufferedAmount > 0) {
      // The snapshot (a crowd subscribing at once allocates no buffers), a frame too big to keep per subscriber, or
      // the previous one may still be queued: a string, which ws writes without making a Buffer of it (a Buffer per
      // socket and event is external memory, and makes V8 collect this large heap in full several times a second).
      socket.send(member.prefix + body.text);
      return;
    }
    if (member.frame === null || member.frame.length < length) {
      member.frame = Buffer.allocUnsafeSlow(Math.min(REUSED_FRAME_MAX, length + 256));
      member.frame.write(member.prefix, 0, 'utf8');
    }
    body.bytes.copy(member.frame, member.prefixBytes);
    socket.send(member.frame.subarray(0, length), TEXT_FRAME);
  }

  private leave(member: StateMember): void {
    if (member.closed) return;
    member.closed = true;
    member.nextBody = null;
    member.frame = null;
    if (member.drainTimer) clearTimeout(member.drainTimer);
    const group = member.group;
    group.members.delete(member);
    if (group.members.size === 0) this.close(group);
  }

  private completeMember(member: StateMember): void {
    this.leave(member);
    complete(member.c, member.id);
  }

  private failMember(member: StateMember, err: unknown): void {
    if (member.closed) return;
    sendNext(member.c, member.id, errorPayload(this.parts.execution, err));
    this.completeMember(member);
  }

  private failGroup(group: StateGroup, err: unknown): void {
    const payload = errorPayload(this.parts.execution, err);
    for (const member of [...group.members]) {
      if (!member.closed) sendNext(member.c, member.id, payload);
      this.completeMember(member);
    }
    this.close(group);
  }

  private close(group: StateGroup): void {
    if (group.closed) return;
    group.closed = true;
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
    this.audiences.release(group.audience);
    void group.source?.return?.();
  }
}
