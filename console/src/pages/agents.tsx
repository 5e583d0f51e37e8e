/**
 * Agents: status, roles, owner and last activity; suspend and resume with a reason; rotate a client
 * secret (shown once, here only); and the lockdown switch that suspends every agent at once.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { request } from '../api';
import type { Agent, LockdownState, Permissions } from '../api';
import { Badge, ErrorMessage, Notice, TableWrap, Time, useAction, useLoad, useTitle } from '../ui';

type Pending = { kind: 'suspend' | 'resume'; agent: string } | null;

export function AgentsPage(props: { permissions: Permissions }): ReactNode {
  useTitle('Agents');
  const { manage } = props.permissions;
  const agents = useLoad(() => request<{ agents: Agent[] }>('GET', '/agents'), 'agents', 5000);
  const [pending, setPending] = useState<Pending>(null);
  const [reason, setReason] = useState('');
  const [secret, setSecret] = useState<{ agent: string; secret: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const open = (next: Pending): void => {
    setPending(next);
    setReason('');
    setDone(null);
    action.clear();
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (pending === null) return;
    const { kind, agent } = pending;
    action.run(async () => {
      const body = kind === 'resume' && reason.trim() === '' ? {} : { reason: reason.trim() };
      await request('POST', `/agents/${encodeURIComponent(agent)}/${kind}`, body);
      setDone(kind === 'suspend' ? `${agent} is suspended.` : `${agent} is active again.`);
      setPending(null);
      agents.reload();
    });
  };

  const rotate = (agent: string): void => {
    setDone(null);
    action.run(async () => {
      const answer = await request<{ agent: Agent; secret: string }>(
        'POST',
        `/agents/${encodeURIComponent(agent)}/rotate-secret`,
      );
      setSecret({ agent: answer.agent.name, secret: answer.secret });
    });
  };

  const list = agents.data?.agents ?? [];
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <Lockdown manage={manage} onChange={agents.reload} />
      <ErrorMessage error={agents.error} />
      {done !== null ? <Notice kind="ok">{done}</Notice> : null}
      {secret !== null ? (
        <div className="card secret" role="alert">
          <h2>New client secret for {secret.agent}</h2>
          <p>
            Shown this once: Warden keeps only its hash. Put it in the agent&apos;s secret store now; the old
            secret no longer works.
          </p>
          <label htmlFor="new-secret">Client secret</label>
          <input
            id="new-secret"
            readOnly
            value={secret.secret}
            onFocus={(event) => event.target.select()}
            className="mono"
          />
          <button type="button" onClick={() => setSecret(null)}>
            I have stored it; hide it
          </button>
        </div>
      ) : null}
      {pending !== null ? (
        <form className="card" onSubmit={submit} aria-labelledby="agent-action-title">
          <h2 id="agent-action-title">
            {pending.kind === 'suspend' ? 'Suspend' : 'Resume'} {pending.agent}
          </h2>
          <label htmlFor="agent-reason">
            Reason {pending.kind === 'suspend' ? '(the agent is told it on its next call)' : '(optional)'}
          </label>
          <input
            id="agent-reason"
            value={reason}
            required={pending.kind === 'suspend'}
            maxLength={1000}
            autoFocus
            onChange={(event) => setReason(event.target.value)}
          />
          <div className="buttons">
            <button
              type="submit"
              className={pending.kind === 'suspend' ? 'danger' : 'primary'}
              disabled={action.busy || (pending.kind === 'suspend' && reason.trim() === '')}
            >
              {pending.kind === 'suspend' ? 'Suspend' : 'Resume'}
            </button>
            <button type="button" onClick={() => open(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <ErrorMessage error={action.error} />
      {!manage ? <p className="muted">Only the admin role suspends, resumes and rotates secrets.</p> : null}
      {list.length > 0 ? (
        <TableWrap label="Agents">
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                <th scope="col">Owner</th>
                <th scope="col">Last activity</th>
                {manage ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.map((agent) => (
                <tr key={agent.name} data-agent={agent.name}>
                  <th scope="row">
                    {agent.name}
                    {agent.description ? <div className="muted small">{agent.description}</div> : null}
                  </th>
                  <td>
                    <Badge value={agent.status} />
                    {agent.suspendedReason !== null && agent.status === 'suspended' ? (
                      <div className="small">
                        {agent.suspendedReason}
                        {agent.suspendedBy !== null ? (
                          <span className="muted"> ({agent.suspendedBy})</span>
                        ) : null}
                      </div>
                    ) : null}
                  </td>
                  <td>{agent.roles.join(', ') || '—'}</td>
                  <td>{agent.owner}</td>
                  <td>
                    <Time value={agent.lastActivityAt} />
                  </td>
                  {manage ? (
                    <td className="actions">
                      {agent.status === 'suspended' ? (
                        <button type="button" onClick={() => open({ kind: 'resume', agent: agent.name })}>
                          Resume
                        </button>
                      ) : (
                        <button type="button" onClick={() => open({ kind: 'suspend', agent: agent.name })}>
                          Suspend
                        </button>
                      )}
                      <button type="button" onClick={() => rotate(agent.name)} disabled={action.busy}>
                        Rotate secret
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}

function Lockdown(props: { manage: boolean; onChange: () => void }): ReactNode {
  const state = useLoad(() => request<LockdownState>('GET', '/lockdown'), 'lockdown', 5000);
  const [reason, setReason] = useState('');
  const [except, setExcept] = useState('');
  const action = useAction();

  if (state.error !== null && state.error.status === 404) {
    // A Warden without the kill switch: nothing to show.
    return null;
  }
  const lockdown = state.data;

  const start = (event: FormEvent): void => {
    event.preventDefault();
    action.run(async () => {
      const exceptions = except
        .split(/[\s,]+/)
        .map((name) => name.trim())
        .filter(Boolean);
      await request('POST', '/lockdown', { reason: reason.trim(), except: exceptions });
      setReason('');
      state.reload();
      props.onChange();
    });
  };

  const lift = (): void => {
    action.run(async () => {
      await request('DELETE', '/lockdown');
      state.reload();
      props.onChange();
    });
  };

  return (
    <div className={`card lockdown ${lockdown?.active === true ? 'lockdown-active' : ''}`}>
      <h2>Lockdown</h2>
      <ErrorMessage error={state.error} />
      {lockdown === null ? null : lockdown.active ? (
        <p role="status">
          <strong>Lockdown is on</strong> since <Time value={lockdown.since} /> by {lockdown.by ?? '—'}:{' '}
          {lockdown.reason ?? ''}
          {lockdown.except.length > 0 ? ` (except ${lockdown.except.join(', ')})` : ''}
        </p>
      ) : (
        <p className="muted">
          Off. Lockdown suspends every agent at once; lifting it resumes only those it suspended.
        </p>
      )}
      {props.manage && lockdown !== null ? (
        lockdown.active ? (
          <button type="button" className="primary" onClick={lift} disabled={action.busy}>
            Lift lockdown
          </button>
        ) : (
          <form onSubmit={start} className="inline-form">
            <div className="field">
              <label htmlFor="lockdown-reason">Reason</label>
              <input
                id="lockdown-reason"
                value={reason}
                required
                maxLength={1000}
                onChange={(event) => setReason(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="lockdown-except">Except agents (comma separated)</label>
              <input
                id="lockdown-except"
                value={except}
                onChange={(event) => setExcept(event.target.value)}
              />
            </div>
            <button type="submit" className="danger" disabled={action.busy || reason.trim() === ''}>
              Start lockdown
            </button>
          </form>
        )
      ) : null}
      <ErrorMessage error={action.error} />
    </div>
  );
}
