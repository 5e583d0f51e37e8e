/**
 * Alerts: what the monitor raised (audit entries of type alert-raised), newest first, with the rule,
 * severity and whether the agent was quarantined.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { query, request } from '../api';
import type { ApiError, AuditEntry } from '../api';
import { Badge, ErrorMessage, Link, Notice, TableWrap, Time, toApiError, useLoad, useTitle } from '../ui';

interface AlertPage {
  alerts: AuditEntry[];
  nextBefore: number | null;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function AlertsPage(): ReactNode {
  useTitle('Alerts');
  const alerts = useLoad(() => request<AlertPage>('GET', `/alerts${query({ limit: 50 })}`), 'alerts', 10_000);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<number | null | undefined>(undefined);
  const [olderError, setOlderError] = useState<ApiError | null>(null);
  const next = cursor === undefined ? (alerts.data?.nextBefore ?? null) : cursor;
  const list = [
    ...(alerts.data?.alerts ?? []),
    ...older.filter((entry) => entry.seq < (alerts.data?.alerts.at(-1)?.seq ?? Infinity)),
  ];

  const loadOlder = (): void => {
    if (next === null) return;
    request<AlertPage>('GET', `/alerts${query({ limit: 50, before: next })}`).then(
      (page) => {
        setOlder((entries) => [...entries, ...page.alerts]);
        setCursor(page.nextBefore);
        setOlderError(null);
      },
      (reason: unknown) => setOlderError(toApiError(reason)),
    );
  };

  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <p className="muted">
        Raised by the monitor when an agent behaves unlike itself. Each is an audit entry.
      </p>
      <ErrorMessage error={alerts.error} />
      {alerts.data !== null && list.length === 0 ? <Notice>No alerts.</Notice> : null}
      {list.length > 0 ? (
        <TableWrap label="Alerts">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">Agent</th>
                <th scope="col">Rule</th>
                <th scope="col">What happened</th>
                <th scope="col">Quarantined</th>
              </tr>
            </thead>
            <tbody>
              {list.map((alert) => (
                <tr key={alert.seq}>
                  <td>
                    <Link to={`/audit/${alert.seq}`}>
                      <Time value={alert.time} />
                    </Link>
                  </td>
                  <td>
                    <Badge value={text(alert.detail.severity)} />
                  </td>
                  <td>{(alert.subject ?? '—').replace(/^agent:/, '')}</td>
                  <td>{text(alert.detail.rule)}</td>
                  <td>{text(alert.detail.message)}</td>
                  <td>{alert.detail.quarantined === true ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <ErrorMessage error={olderError} />
      {next !== null && list.length > 0 ? (
        <button type="button" onClick={loadOlder}>
          Load older alerts
        </button>
      ) : null}
    </section>
  );
}
