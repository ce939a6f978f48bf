import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { args, portOf, runServer, serveAndAnnounce } from './control';

/**
 * (c) The limit: a plain `ws` server that speaks just enough graphql-transport-ws (ack, subscribe, complete) and,
 * per event, serialises the payload once — a roomState payload captured from our server for the same selection,
 * with seq and serverNow advanced — and writes it to every socket, each frame carrying that subscriber's id (the
 * id prefix is made once per subscription). No GraphQL, no database, no per-subscriber queue.
 *
 *   --template <file>     the captured `{"data":{"roomState":…}}` payload
 *   --frames reuse|concat|string   how frames are written (below); reuse, as our server does, is the default
 */
interface Subscriber {
  socket: WebSocket;
  prefix: string;
  prefixBytes: number;
  /** This subscriber's frame buffer, prefix written once, reused while its socket has nothing queued. */
  frame: Buffer | null;
}

const TEXT_FRAME = { binary: false } as const;
const REUSED_FRAME_MAX = 16 * 1024;

async function main(): Promise<void> {
  const a = args();
  const template = JSON.parse(readFileSync(a.get('template')!, 'utf8')) as { data: { roomState: { seq: number; serverNow: string } } };
  const state = template.data.roomState;
  const subscribers = new Map<WebSocket, Map<string, Subscriber>>();
  // How frames are written. `reuse` (the default, the cheapest measured): each subscriber keeps a buffer holding its
  // id prefix, and the event's bytes are copied in after it while the socket has nothing queued (bufferedAmount 0);
  // otherwise a string. `concat`: a new Buffer per socket and event (prefix + payload). `string`: `prefix + payload`.
  const mode = a.get('frames') ?? 'reuse';
  let payload = `${JSON.stringify(template)}}`;
  let payloadBytes = Buffer.from(payload);
  const send = (s: Subscriber) => {
    const length = s.prefixBytes + payloadBytes.length;
    if (mode === 'string' || (mode === 'reuse' && (length > REUSED_FRAME_MAX || s.socket.bufferedAmount > 0))) {
      s.socket.send(s.prefix + payload);
    } else if (mode === 'concat') {
      s.socket.send(Buffer.concat([Buffer.from(s.prefix), payloadBytes]), TEXT_FRAME);
    } else {
      if (s.frame === null || s.frame.length < length) {
        s.frame = Buffer.allocUnsafeSlow(Math.min(REUSED_FRAME_MAX, length + 256));
        s.frame.write(s.prefix, 0, 'utf8');
      }
      payloadBytes.copy(s.frame, s.prefixBytes);
      s.socket.send(s.frame.subarray(0, length), TEXT_FRAME);
    }
  };

  const httpServer = createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', perMessageDeflate: false, maxPayload: 64 * 1024 });
  wss.on('connection', (socket) => {
    const mine = new Map<string, Subscriber>();
    subscribers.set(socket, mine);
    socket.on('close', () => subscribers.delete(socket));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; id?: string };
      if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
      else if (message.type === 'ping') socket.send('{"type":"pong"}');
      else if (message.type === 'subscribe' && message.id) {
        const prefix = `{"id":${JSON.stringify(message.id)},"type":"next","payload":`;
        const s: Subscriber = { socket, prefix, prefixBytes: Buffer.byteLength(prefix), frame: null };
        mine.set(message.id, s);
        send(s);
      } else if (message.type === 'complete' && message.id) mine.delete(message.id);
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));

  const emit = async (): Promise<number> => {
    state.seq += 1;
    state.serverNow = new Date().toISOString();
    payload = `${JSON.stringify(template)}}`;
    payloadBytes = Buffer.from(payload);
    for (const mine of subscribers.values()) for (const s of mine.values()) if (s.socket.readyState === WebSocket.OPEN) send(s);
    return state.seq;
  };
  await serveAndAnnounce(portOf(httpServer), { info: async () => ({ tokens: [], sessionId: '1', seq: state.seq, pid: process.pid }), emit, sockets: () => wss.clients.size });
}

runServer('server-raw', main);
