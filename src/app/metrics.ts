import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AppContext } from './context';
import type { LiveSocketServer } from './live/live-socket';

/** Prometheus metrics for /metrics: requests, errors, sockets, subscriptions, fan-out, event-loop lag (default metrics). */
export function createMetrics(live: () => LiveSocketServer | null) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leitai_' });
  const requests = new Counter({ name: 'leitai_graphql_requests_total', help: 'GraphQL operations over HTTP, by type.', labelNames: ['type'], registers: [registry] });
  const errors = new Counter({ name: 'leitai_graphql_errors_total', help: 'GraphQL errors sent, by extensions.code.', labelNames: ['code'], registers: [registry] });
  const gauge = (name: string, help: string, pick: (s: ReturnType<LiveSocketServer['stats']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = live()?.stats();
        this.set(stats ? pick(stats) : 0);
      },
    });
  gauge('leitai_ws_sockets', 'Open WebSocket connections.', (s) => s.sockets);
  gauge('leitai_ws_subscriptions', 'Running operations over WebSocket.', (s) => s.subscriptions);
  gauge('leitai_fanout_audiences', 'Distinct audiences of room subscriptions.', (s) => s.audiences);
  gauge('leitai_fanout_executions', 'Room payload executions so far (one per audience and change).', (s) => s.roomExecutions);
  gauge('leitai_fanout_deliveries', 'Room payloads written to sockets so far.', (s) => s.roomDeliveries);

  const plugin: ApolloServerPlugin<AppContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          requests.inc({ type: operation?.operation ?? 'unknown' });
        },
        async willSendResponse({ response }) {
          const body = response.body;
          if (body.kind !== 'single') return;
          for (const e of body.singleResult.errors ?? []) errors.inc({ code: String(e.extensions?.code ?? 'UNKNOWN') });
        },
      };
    },
  };
  return { registry, plugin };
}
