/**
 * Approvals: the live queue (polled every 2.5 s) and one request in detail, with its redacted
 * arguments, the session's recent calls and the approve / deny / reveal actions the user may take.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { query, request } from '../api';
import type { Approval, Permissions } from '../api';
import {
  Badge,
  CallsTable,
  ErrorMessage,
  Json,
  Link,
  Notice,
  TableWrap,
  Time,
  useAction,
  useLoad,
  useTitle,
} from '../ui';

const POLL_MS = 2500;
const STATUSES = ['pending', 'approved', 'denied', 'expired', 'executing', 'executed', 'failed'] as const;

export function ApprovalsPage(props: { permissions: Permissions }): ReactNode {
  useTitle('Approvals');
  const [status, setStatus] = useState<string>('pending');
  const list = useLoad(
    () => request<{ approvals: Approval[] }>('GET', `/approvals${query({ status, limit: 100 })}`),
    status,
    POLL_MS,
  );
  const approvals = list.data?.approvals ?? [];
  return (
    <section aria-labelledby="approvals-title">
      <div className="page-head">
        <h1 id="approvals-title">Approvals</h1>
        <div className="inline-field">
          <label htmlFor="approval-status">Show</label>
          <select id="approval-status" value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">all</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted">
        Calls a policy holds for a person to decide. The list refreshes every few seconds.
        {props.permissions.decide ? '' : ' Your role reads requests but does not decide them.'}
      </p>
      <ErrorMessage error={list.error} />
      {list.data !== null && approvals.length === 0 ? (
        <Notice>No {status === '' ? '' : `${status} `}requests.</Notice>
      ) : null}
      {approvals.length > 0 ? (
        <TableWrap label="Approval requests">
          <table>
            <caption className="visually-hidden">Approval requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Agent</th>
                <th scope="col">Tool</th>
                <th scope="col">Risk</th>
                <th scope="col">Status</th>
                <th scope="col">Approvals</th>
                <th scope="col">Requested</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {approvals.map((approval) => (
                <tr key={approval.id} data-approval={approval.id}>
                  <th scope="row">
                    <Link to={`/approvals/${encodeURIComponent(approval.id)}`}>{approval.id}</Link>
                  </th>
                  <td>{approval.agent}</td>
                  <td>
                    <code>{approval.tool}</code>
                  </td>
                  <td>{approval.risk}</td>
                  <td>
                    <Badge value={approval.status} />
                  </td>
                  <td>
                    {approval.approvals} of {approval.required}
                  </td>
                  <td>
                    <Time value={approval.requestedAt} />
                  </td>
                  <td>
                    <Time value={approval.expiresAt} />
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

export function ApprovalDetail(props: { id: string; permissions: Permissions }): ReactNode {
  useTitle(`Approval ${props.id}`);
  const loaded = useLoad(
    () => request<Approval>('GET', `/approvals/${encodeURIComponent(props.id)}`),
    props.id,
    POLL_MS,
  );
  const [reason, setReason] = useState('');
  const [revealed, setRevealed] = useState<Record<string, unknown> | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const approval = loaded.data;

  const decide = (decision: 'approve' | 'deny') => (event?: FormEvent) => {
    event?.preventDefault();
    action.run(async () => {
      await request<Approval>('POST', `/approvals/${encodeURIComponent(props.id)}/${decision}`, {
        reason: reason.trim(),
      });
      setDone(decision === 'approve' ? 'Your approval is recorded.' : 'The request is denied.');
      setReason('');
      loaded.reload();
    });
  };

  const reveal = (): void => {
    action.run(async () => {
      const answer = await request<{ id: string; arguments: Record<string, unknown> }>(
        'POST',
        `/approvals/${encodeURIComponent(props.id)}/reveal`,
      );
      setRevealed(answer.arguments);
    });
  };

  return (
    <section aria-labelledby="approval-title">
      <p>
        <Link to="/approvals">← All approvals</Link>
      </p>
      <h1 id="approval-title">
        Approval <code>{props.id}</code>
      </h1>
      <ErrorMessage error={loaded.error} />
      {approval === null ? null : (
        <>
          <div className="grid-2">
            <div className="card">
              <h2>The call</h2>
              <dl className="facts">
                <dt>Status</dt>
                <dd>
                  <Badge value={approval.status} />
                  {approval.escalated ? <span className="badge badge-warning">escalated</span> : null}
                </dd>
                <dt>Agent</dt>
                <dd>
                  {approval.agent} <span className="muted">(owner {approval.agentOwner})</span>
                </dd>
                <dt>Tool</dt>
                <dd>
                  <code>{approval.tool}</code> ({approval.risk})
                </dd>
                <dt>Why it waits</dt>
                <dd>{approval.reason}</dd>
                <dt>Policies</dt>
                <dd>{approval.policyIds.join(', ') || '—'}</dd>
                <dt>Approvals</dt>
                <dd>
                  {approval.approvals} of {approval.required} needed
                  {approval.groups.length > 0 ? ` (groups: ${approval.groups.join(', ')})` : ''}
                </dd>
                <dt>Requested</dt>
                <dd>
                  <Time value={approval.requestedAt} />
                </dd>
                <dt>Expires</dt>
                <dd>
                  <Time value={approval.expiresAt} />
                </dd>
                {approval.decidedAt !== null ? (
                  <>
                    <dt>Decided</dt>
                    <dd>
                      <Time value={approval.decidedAt} />
                    </dd>
                  </>
                ) : null}
                {approval.labels.length > 0 ? (
                  <>
                    <dt>Session labels</dt>
                    <dd>{approval.labels.join(', ')}</dd>
                  </>
                ) : null}
              </dl>
            </div>
            <div className="card">
              <h2>Arguments {approval.argumentsRevealed || revealed !== null ? '' : '(redacted)'}</h2>
              <Json value={revealed ?? approval.arguments} label="Arguments" />
              {approval.canReveal && revealed === null ? (
                <button type="button" onClick={reveal} disabled={action.busy}>
                  Reveal the raw arguments (recorded in the audit log)
                </button>
              ) : null}
            </div>
          </div>

          <div className="card">
            <h2>Decide</h2>
            {done !== null ? <Notice kind="ok">{done}</Notice> : null}
            {approval.canDecide ? (
              <form onSubmit={decide('approve')} className="decide">
                <label htmlFor="decision-reason">
                  Reason (recorded in the audit log; the agent sees it on a denial)
                </label>
                <textarea
                  id="decision-reason"
                  value={reason}
                  required
                  maxLength={1000}
                  rows={3}
                  onChange={(event) => setReason(event.target.value)}
                />
                <div className="buttons">
                  <button type="submit" className="primary" disabled={action.busy || reason.trim() === ''}>
                    Approve
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={action.busy || reason.trim() === ''}
                    onClick={decide('deny')}
                  >
                    Deny
                  </button>
                </div>
              </form>
            ) : (
              <p className="muted" data-testid="cannot-decide">
                You cannot decide this request: {approval.cannotDecideReason ?? 'not allowed'}.
              </p>
            )}
            <ErrorMessage error={action.error} />
            {approval.votes.length > 0 ? (
              <>
                <h3>Decisions so far</h3>
                <ul className="plain">
                  {approval.votes.map((vote) => (
                    <li key={`${vote.by}-${vote.at}`}>
                      <Badge value={vote.decision} /> {vote.by}, <Time value={vote.at} />:{' '}
                      {vote.reason || '—'}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>

          <div className="card">
            <h2>Session history</h2>
            {approval.sessionId !== null ? (
              <p className="muted">
                Session{' '}
                <Link to={`/sessions/${encodeURIComponent(approval.sessionId)}`}>{approval.sessionId}</Link>
              </p>
            ) : null}
            {approval.recentCalls.length === 0 ? (
              <p className="muted">No earlier calls in this session.</p>
            ) : (
              <CallsTable label="Earlier calls in the session" calls={approval.recentCalls} />
            )}
          </div>
        </>
      )}
    </section>
  );
}
