/**
 * Policies: the Cedar policy set Warden runs now, whether it validated, and a "what if" form that asks
 * Warden how it would decide a call (agent + tool + arguments) without making it.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ApiError, request } from '../api';
import type { Agent, PolicySet, WhatIfResult } from '../api';
import { Badge, ErrorMessage, Notice, TableWrap, useAction, useLoad, useTitle } from '../ui';

const MAX_ARGUMENTS_LENGTH = 64 * 1024;

export function PoliciesPage(): ReactNode {
  useTitle('Policies');
  const policies = useLoad(() => request<PolicySet>('GET', '/policies'), 'policies');
  const data = policies.data;
  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">Policies</h1>
      <WhatIf />
      <ErrorMessage error={policies.error} />
      {data === null ? null : (
        <>
          <div className={`card ${data.valid ? 'chain-ok' : 'chain-broken'}`} role="status">
            <strong>{data.valid ? 'Valid' : 'Invalid'}</strong>: {data.policies.length} policies, version{' '}
            <code>{data.version}</code>.
            {data.warnings.length > 0 ? (
              <ul>
                {data.warnings.map((warning) => (
                  <li key={warning}>{warning}</li>
                ))}
              </ul>
            ) : (
              ' No warnings.'
            )}
          </div>
          <TableWrap label="Policies">
            <table>
              <thead>
                <tr>
                  <th scope="col">Policy</th>
                  <th scope="col">Effect</th>
                  <th scope="col">Where</th>
                  <th scope="col">Text</th>
                </tr>
              </thead>
              <tbody>
                {data.policies.map((policy) => (
                  <tr key={policy.id}>
                    <th scope="row">
                      <code>{policy.id}</code>
                      {policy.annotations.reason !== undefined ? (
                        <div className="muted small">{policy.annotations.reason}</div>
                      ) : null}
                    </th>
                    <td>
                      <Badge value={policy.annotations.approval !== undefined ? 'approval' : policy.effect} />
                    </td>
                    <td>
                      {policy.file}:{policy.line}
                    </td>
                    <td>
                      <details>
                        <summary>Show</summary>
                        <pre className="json">{policy.text}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  );
}

function WhatIf(): ReactNode {
  const agents = useLoad(() => request<{ agents: Agent[] }>('GET', '/agents'), 'agents');
  const [agent, setAgent] = useState('');
  const [tool, setTool] = useState('');
  const [argumentsText, setArgumentsText] = useState('{}');
  const [result, setResult] = useState<WhatIfResult | null>(null);
  const action = useAction();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setResult(null);
    action.run(async () => {
      if (argumentsText.length > MAX_ARGUMENTS_LENGTH) {
        throw new ApiError(0, 'CONSOLE_INVALID_ARGUMENTS', 'The arguments are too long (at most 64 KiB).');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(argumentsText === '' ? '{}' : argumentsText);
      } catch (error) {
        throw new ApiError(
          0,
          'CONSOLE_INVALID_ARGUMENTS',
          `The arguments are not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ApiError(
          0,
          'CONSOLE_INVALID_ARGUMENTS',
          'The arguments must be a JSON object, like {"id": "c1"}.',
        );
      }
      setResult(await request<WhatIfResult>('POST', '/policies/what-if', { agent, tool, arguments: parsed }));
    });
  };

  return (
    <form className="card what-if" onSubmit={submit} aria-labelledby="what-if-title">
      <h2 id="what-if-title">What if…</h2>
      <p className="muted">How Warden would decide a call, without making it.</p>
      <div className="filters">
        <div className="field">
          <label htmlFor="what-if-agent">Agent</label>
          <select
            id="what-if-agent"
            value={agent}
            required
            onChange={(event) => setAgent(event.target.value)}
          >
            <option value="">choose an agent</option>
            {(agents.data?.agents ?? []).map((candidate) => (
              <option key={candidate.name} value={candidate.name}>
                {candidate.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="what-if-tool">Tool</label>
          <input
            id="what-if-tool"
            value={tool}
            required
            maxLength={256}
            placeholder="payments__transfer"
            onChange={(event) => setTool(event.target.value)}
          />
        </div>
      </div>
      <label htmlFor="what-if-arguments">Arguments (JSON object)</label>
      <textarea
        id="what-if-arguments"
        className="mono"
        rows={4}
        value={argumentsText}
        onChange={(event) => setArgumentsText(event.target.value)}
      />
      <div className="buttons">
        <button type="submit" className="primary" disabled={action.busy}>
          Ask
        </button>
      </div>
      <ErrorMessage error={action.error} />
      {result !== null ? (
        <Notice kind={result.decision === 'allow' ? 'ok' : 'warning'}>
          <span data-testid="what-if-decision">
            <Badge value={result.decision} />
          </span>{' '}
          {result.message}
          {result.policyIds.length > 0 ? <div>Policies: {result.policyIds.join(', ')}</div> : null}
          {result.reasons.length > 0 ? (
            <ul>
              {result.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
    </form>
  );
}
