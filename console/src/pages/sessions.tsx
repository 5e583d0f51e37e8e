/**
 * Sessions: each open MCP session and task with its labels (untrusted content seen, highest data
 * class read, counts by tool and risk) and its recent calls.
 */
import type { ReactNode } from 'react';
import { request } from '../api';
import type { SessionSummary } from '../api';
import { CallsTable, ErrorMessage, Json, Link, Notice, TableWrap, Time, useLoad, useTitle } from '../ui';

export function SessionsPage(props: { selectedId: string | undefined }): ReactNode {
  useTitle(props.selectedId === undefined ? 'Sessions' : `Session ${props.selectedId}`);
  const sessions = useLoad(
    () => request<{ sessions: SessionSummary[] }>('GET', '/sessions'),
    'sessions',
    5000,
  );
  const list = sessions.data?.sessions ?? [];
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      {props.selectedId !== undefined ? <SessionDetail id={props.selectedId} /> : null}
      <ErrorMessage error={sessions.error} />
      {sessions.data !== null && list.length === 0 ? <Notice>No open sessions.</Notice> : null}
      {list.length > 0 ? (
        <TableWrap label="Sessions">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Kind</th>
                <th scope="col">Agent</th>
                <th scope="col">Labels</th>
                <th scope="col">Calls</th>
                <th scope="col">Last activity</th>
              </tr>
            </thead>
            <tbody>
              {list.map((session) => (
                <tr key={session.id}>
                  <th scope="row">
                    <Link to={`/sessions/${encodeURIComponent(session.id)}`}>{shortId(session.id)}</Link>
                  </th>
                  <td>{session.kind}</td>
                  <td>{session.agent}</td>
                  <td>
                    <Labels session={session} />
                  </td>
                  <td>{Object.values(session.labels.toolCounts).reduce((sum, count) => sum + count, 0)}</td>
                  <td>
                    <Time value={session.lastActivityAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}

function shortId(id: string): string {
  return id.length > 20 ? `${id.slice(0, 18)}…` : id;
}

function Labels(props: { session: SessionSummary }): ReactNode {
  const { labels } = props.session;
  return (
    <span className="labels">
      {labels.untrusted ? <span className="badge badge-warning">untrusted</span> : null}
      {labels.maxClassification !== null ? <span className="badge">{labels.maxClassification}</span> : null}
      {Object.entries(labels.riskCounts)
        .filter(([, count]) => count > 0)
        .map(([risk, count]) => (
          <span key={risk} className="badge">
            {risk} ×{count}
          </span>
        ))}
    </span>
  );
}

function SessionDetail(props: { id: string }): ReactNode {
  const session = useLoad(
    () => request<SessionSummary>('GET', `/sessions/${encodeURIComponent(props.id)}`),
    props.id,
    5000,
  );
  const data = session.data;
  return (
    <div className="card" aria-labelledby="session-title">
      <h2 id="session-title">
        Session <code>{props.id}</code>
      </h2>
      <ErrorMessage error={session.error} />
      {data === null ? null : (
        <>
          <dl className="facts">
            <dt>Agent</dt>
            <dd>{data.agent}</dd>
            <dt>Kind</dt>
            <dd>{data.kind}</dd>
            <dt>Started</dt>
            <dd>
              <Time value={data.startedAt} />
            </dd>
            <dt>Labels</dt>
            <dd>
              <Labels session={data} /> {data.labels.bytesRead} bytes read
            </dd>
          </dl>
          <h3>Calls by tool</h3>
          <Json value={data.labels.toolCounts} label="Calls by tool" />
          <h3>Recent calls</h3>
          {data.recentCalls.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <CallsTable label="Recent calls" calls={data.recentCalls} />
          )}
        </>
      )}
      <p>
        <Link to="/sessions">Close</Link>
      </p>
    </div>
  );
}
