/**
 * Audit: search the tamper-evident log by agent, tool, event type, decision and time; open one entry;
 * see whether the hash chain verifies and the last signed checkpoint.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { query, request } from '../api';
import type { AuditEntry, AuditPage as AuditPageData, AuditStatus } from '../api';
import {
  Badge,
  ErrorMessage,
  Json,
  Link,
  Notice,
  TableWrap,
  Time,
  navigate,
  toApiError,
  useLoad,
  useRoute,
  useTitle,
} from '../ui';
import type { ApiError } from '../api';

const FILTERS = ['agent', 'tool', 'type', 'decision', 'since', 'until'] as const;
type Filter = (typeof FILTERS)[number];
type Filters = Record<Filter, string>;

const EVENT_TYPES = [
  'tool-call-approval-required',
  'tool-call-allowed',
  'tool-call-denied',
  'tool-call-refused',
  'tool-call-completed',
  'tool-call-failed',
  'approval-requested',
  'approval-approved',
  'approval-denied',
  'approval-vote-discarded',
  'approval-expired',
  'approval-escalated',
  'approval-executed',
  'approval-revealed',
  'agent-suspended',
  'agent-resumed',
  'agent-secret-rotated',
  'alert-raised',
  'lockdown-started',
  'lockdown-lifted',
  'admin-signed-in',
  'admin-signed-out',
  'admin-sign-in-blocked',
];

const PAGE_SIZE = 50;

/** datetime-local ("2026-05-01T09:30") in the reader's zone → ISO time for the API. */
function toIso(local: string): string {
  if (local === '') return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

function filtersFrom(search: URLSearchParams): Filters {
  const filters = {} as Filters;
  for (const name of FILTERS) filters[name] = search.get(name) ?? '';
  return filters;
}

export function AuditPage(props: { selectedSeq: string | undefined }): ReactNode {
  useTitle(props.selectedSeq === undefined ? 'Audit' : `Audit entry ${props.selectedSeq}`);
  const { search } = useRoute();
  const applied = filtersFrom(search);
  const [form, setForm] = useState<Filters>(applied);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null | undefined>(undefined);
  const [olderError, setOlderError] = useState<ApiError | null>(null);
  const appliedKey = FILTERS.map((name) => applied[name]).join('\u0000');

  const apiQuery = (before?: number): string =>
    query({
      agent: applied.agent,
      tool: applied.tool,
      type: applied.type,
      decision: applied.decision,
      since: toIso(applied.since),
      until: toIso(applied.until),
      limit: PAGE_SIZE,
      before,
    });

  const results = useLoad(async () => {
    const page = await request<AuditPageData>('GET', `/audit${apiQuery()}`);
    setOlder([]);
    setNextBefore(undefined);
    return page;
  }, appliedKey);
  const status = useLoad(() => request<AuditStatus>('GET', '/audit/status'), 'status', 15_000);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parameters = new URLSearchParams();
    for (const name of FILTERS) if (form[name].trim() !== '') parameters.set(name, form[name].trim());
    const text = parameters.toString();
    navigate(`/audit${text === '' ? '' : `?${text}`}`);
  };

  const clear = (): void => {
    setForm({ agent: '', tool: '', type: '', decision: '', since: '', until: '' });
    navigate('/audit');
  };

  const cursor = nextBefore === undefined ? (results.data?.nextBefore ?? null) : nextBefore;
  const loadOlder = (): void => {
    if (cursor === null) return;
    request<AuditPageData>('GET', `/audit${apiQuery(cursor)}`).then(
      (page) => {
        setOlder((entries) => [...entries, ...page.entries]);
        setNextBefore(page.nextBefore);
        setOlderError(null);
      },
      (reason: unknown) => setOlderError(toApiError(reason)),
    );
  };

  const entries = [...(results.data?.entries ?? []), ...older];
  const field = (name: Filter) => ({
    id: `audit-${name}`,
    name,
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
  });

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <ChainStatus status={status.data} error={status.error} />

      {props.selectedSeq !== undefined ? <EntryDetail seq={props.selectedSeq} search={search} /> : null}

      <form className="card filters" onSubmit={submit} aria-label="Search the audit log">
        <div className="field">
          <label htmlFor="audit-agent">Agent</label>
          <input {...field('agent')} placeholder="finance-bot" maxLength={128} />
        </div>
        <div className="field">
          <label htmlFor="audit-tool">Tool</label>
          <input {...field('tool')} placeholder="payments__transfer" maxLength={256} />
        </div>
        <div className="field">
          <label htmlFor="audit-type">Event type</label>
          <input {...field('type')} list="audit-types" placeholder="tool-call-denied" maxLength={64} />
          <datalist id="audit-types">
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-decision">Decision</label>
          <select {...field('decision')}>
            <option value="">any</option>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
            <option value="approval_required">approval_required</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-since">From</label>
          <input {...field('since')} type="datetime-local" />
        </div>
        <div className="field">
          <label htmlFor="audit-until">Until</label>
          <input {...field('until')} type="datetime-local" />
        </div>
        <div className="buttons">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
      </form>

      <ErrorMessage error={results.error} />
      {results.data !== null && entries.length === 0 ? <Notice>No entries match.</Notice> : null}
      {entries.length > 0 ? (
        <TableWrap label="Audit entries">
          <table className="audit-table">
            <caption className="visually-hidden">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Actor</th>
                <th scope="col">Subject</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.seq} data-type={entry.type}>
                  <th scope="row">
                    <Link
                      to={`/audit/${entry.seq}${search.toString() === '' ? '' : `?${search.toString()}`}`}
                    >
                      {entry.seq}
                    </Link>
                  </th>
                  <td>
                    <Time value={entry.time} />
                  </td>
                  <td>{entry.type}</td>
                  <td>{entry.actor}</td>
                  <td>{entry.subject ?? '—'}</td>
                  <td>{entry.decision === null ? '—' : <Badge value={entry.decision} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <ErrorMessage error={olderError} />
      {cursor !== null && entries.length > 0 ? (
        <button type="button" onClick={loadOlder}>
          Load older entries
        </button>
      ) : null}
    </section>
  );
}

function ChainStatus(props: { status: AuditStatus | null; error: ApiError | null }): ReactNode {
  if (props.error !== null) return <ErrorMessage error={props.error} />;
  const status = props.status;
  if (status === null) return <p className="muted">Checking the chain…</p>;
  return (
    <div
      className={`card chain ${status.ok ? 'chain-ok' : 'chain-broken'}`}
      role="status"
      data-testid="chain"
    >
      <strong>{status.ok ? 'Chain intact' : 'Chain broken'}</strong>: {status.entries} entries
      {status.lastCheckpoint === null ? (
        <>; no signed checkpoint yet.</>
      ) : (
        <>
          ; last signed checkpoint at seq {status.lastCheckpoint.seq},{' '}
          <Time value={status.lastCheckpoint.at} /> (key <code>{status.lastCheckpoint.keyId}</code>).
        </>
      )}
      {status.problems.length > 0 ? (
        <ul>
          {status.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function EntryDetail(props: { seq: string; search: URLSearchParams }): ReactNode {
  const entry = useLoad(
    () => request<AuditEntry>('GET', `/audit/${encodeURIComponent(props.seq)}`),
    props.seq,
  );
  const back = props.search.toString();
  return (
    <div className="card" aria-labelledby="entry-title">
      <h2 id="entry-title">Entry {props.seq}</h2>
      <ErrorMessage error={entry.error} />
      {entry.data === null ? null : (
        <>
          <dl className="facts">
            <dt>Time</dt>
            <dd>
              <Time value={entry.data.time} />
            </dd>
            <dt>Event</dt>
            <dd>{entry.data.type}</dd>
            <dt>Actor</dt>
            <dd>{entry.data.actor}</dd>
            <dt>Subject</dt>
            <dd>{entry.data.subject ?? '—'}</dd>
            <dt>Session</dt>
            <dd>{entry.data.session ?? '—'}</dd>
            <dt>Decision</dt>
            <dd>{entry.data.decision ?? '—'}</dd>
            <dt>Policies</dt>
            <dd>{entry.data.policyIds.join(', ') || '—'}</dd>
          </dl>
          <h3>Detail (redacted)</h3>
          <Json value={entry.data.detail} label="Entry detail" />
        </>
      )}
      <p>
        <Link to={`/audit${back === '' ? '' : `?${back}`}`}>Close</Link>
      </p>
    </div>
  );
}
