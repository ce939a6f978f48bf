/**
 * The probes of the sign-in storm, in a process of their own: a phone already signed in is another device, and
 * the bench's own event loop (200 sign-ins, their retries and timers) must not delay its measurements. Forked by
 * phases.ts with an IPC channel: it gets the setup, warms its connections, says 'ready', starts on 'start' (its
 * clock's zero), probes every `everyMs`, and on 'stop' waits for what is in flight and sends the samples back.
 */
import { performance } from 'node:perf_hooks';
import { Device, errorCode, type GqlResponse } from './http';

export interface ProbeSetup {
  base: string;
  everyMs: number;
  meSource: string;
  anonSource: string;
  tokens: { token: string; userId: number }[];
}

export interface ProbeSample {
  at: number;
  ms: number;
  ok: boolean;
  code: string | null;
}

export interface ProbeReport {
  me: ProbeSample[];
  anonymous: ProbeSample[];
}

async function main(setup: ProbeSetup): Promise<void> {
  // A probe never waits for a connection: slow answers get new ones beside the four opened beforehand.
  const meDevice = new Device(setup.base, setup.meSource, 4, Infinity);
  const anonDevice = new Device(setup.base, setup.anonSource, 4, Infinity);
  await Promise.all([meDevice.warm(), anonDevice.warm()]);
  const report: ProbeReport = { me: [], anonymous: [] };
  const inFlight: Promise<void>[] = [];
  let t0 = 0;
  let used = 0;
  const probe = (into: ProbeSample[], send: () => Promise<GqlResponse>, check: (r: GqlResponse) => boolean) => {
    const at = performance.now();
    inFlight.push(
      send().then(
        (r) => void into.push({ at: at - t0, ms: performance.now() - at, ok: errorCode(r) === null && check(r), code: errorCode(r) ?? (check(r) ? null : 'WRONG_ANSWER') }),
        () => void into.push({ at: at - t0, ms: performance.now() - at, ok: false, code: 'TRANSPORT' }),
      ),
    );
  };
  const tick = () => {
    const next = setup.tokens[used++ % setup.tokens.length];
    probe(report.me, () => meDevice.post('query { me { id } }', {}, next.token), (r) => r.data?.me?.id === String(next.userId));
    probe(report.anonymous, () => anonDevice.post('{ __typename }'), (r) => r.data?.__typename === 'Query');
  };
  let timer: NodeJS.Timeout | undefined;
  process.on('message', async (message) => {
    if (message === 'start') {
      t0 = performance.now();
      tick();
      timer = setInterval(tick, setup.everyMs);
    } else if (message === 'stop') {
      clearInterval(timer);
      await Promise.all(inFlight);
      meDevice.close();
      anonDevice.close();
      process.send!(report, () => process.exit(0));
    }
  });
  process.send!('ready');
}

process.once('message', (setup: ProbeSetup) => void main(setup));
