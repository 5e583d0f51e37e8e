/**
 * Small shared pieces of the console: client-side routing under /console/, polling, error and status
 * messages, times and JSON. Plain React and the platform, nothing loaded from elsewhere.
 */
import { Component, useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorInfo, MouseEvent, ReactNode } from 'react';
import { ApiError, inBackground } from './api';

export const BASE = '/console';

/** The app path below /console ("/approvals/apr_1"), "/" for the start page. */
export function currentPath(): string {
  const path = window.location.pathname.startsWith(BASE)
    ? window.location.pathname.slice(BASE.length)
    : window.location.pathname;
  return path === '' ? '/' : path;
}

const routeListeners = new Set<() => void>();

/** Goes to an app path without reloading the page. */
export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  for (const listener of routeListeners) listener();
}

/** The current app path and search string; re-renders on navigation and on back/forward. */
export function useRoute(): { path: string; search: URLSearchParams } {
  const read = (): { path: string; search: URLSearchParams } => ({
    path: currentPath(),
    search: new URLSearchParams(window.location.search),
  });
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = (): void => setRoute(read());
    routeListeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      routeListeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A real link (opens in a new tab with a modifier key) that navigates in-app on a plain click. */
export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  current?: boolean;
}): ReactNode {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={`${BASE}${props.to}`}
      onClick={onClick}
      className={props.className}
      aria-current={props.current === true ? 'page' : undefined}
    >
      {props.children}
    </a>
  );
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `load` now, whenever `key` changes, on `reload()`, and every `intervalMs` when given
 * (polling pauses while the tab is hidden). Polling loads are sent as background requests, which do
 * not keep the session from timing out; the others are. Keeps the last good data while a reload runs.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, intervalMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  /** True when the next load is the timer's (polling), not the user's: it does not renew the session. */
  const pollingRef = useRef(false);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    const polling = pollingRef.current;
    pollingRef.current = false;
    (polling ? inBackground(() => loadRef.current()) : loadRef.current()).then(
      (value) => {
        if (cancelled) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (reason: unknown) => {
        if (cancelled) return;
        setError(toApiError(reason));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, tick]);

  useEffect(() => {
    if (intervalMs === undefined) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      pollingRef.current = true;
      setTick((value) => value + 1);
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, key]);

  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data, error, loading, reload };
}

export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  return new ApiError(0, 'CONSOLE_ERROR', reason instanceof Error ? reason.message : String(reason));
}

/** Runs an action (a button press), tracking that it is busy and what went wrong. */
export function useAction(): {
  busy: boolean;
  error: ApiError | null;
  run: (action: () => Promise<void>) => void;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback((action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action().then(
      () => setBusy(false),
      (reason: unknown) => {
        setError(toApiError(reason));
        setBusy(false);
      },
    );
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/** A refusal shown as Warden said it: the code and the message meant for a person. */
export function ErrorMessage(props: { error: ApiError | null }): ReactNode {
  if (props.error === null) return null;
  return (
    <div className="message error" role="alert">
      <strong>{props.error.code}</strong> {props.error.message}
    </div>
  );
}

export function Notice(props: { children: ReactNode; kind?: 'ok' | 'info' | 'warning' }): ReactNode {
  return (
    <div className={`message ${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}

/** A time in the reader's locale, with the exact ISO time on hover and for screen readers. */
export function Time(props: { value: string | null | undefined }): ReactNode {
  if (props.value === null || props.value === undefined || props.value === '') return <span>—</span>;
  const date = new Date(props.value);
  if (Number.isNaN(date.getTime())) return <span>{props.value}</span>;
  return (
    <time dateTime={props.value} title={props.value}>
      {date.toLocaleString(undefined, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })}
    </time>
  );
}

export function Json(props: { value: unknown; label: string }): ReactNode {
  return (
    <pre className="json" aria-label={props.label} tabIndex={0}>
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}

/** A coloured word for a status or decision; the word itself carries the meaning, not the colour. */
export function Badge(props: { value: string | null | undefined }): ReactNode {
  const value = props.value ?? '—';
  return <span className={`badge badge-${value.replace(/[^a-z_-]/gi, '')}`}>{value}</span>;
}

/** A table region; on a narrow screen its rows become cards (styles.css). */
export function TableWrap(props: { label: string; children: ReactNode }): ReactNode {
  return (
    <div className="table-wrap" role="region" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}

/** A session's calls, oldest first: time, tool and the decision (values of any shape are shown safely). */
export function CallsTable(props: {
  label: string;
  calls: readonly { at?: unknown; tool?: unknown; decision?: unknown }[];
}): ReactNode {
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return (
    <TableWrap label={props.label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Tool</th>
            <th scope="col">Decision</th>
          </tr>
        </thead>
        <tbody>
          {props.calls.map((call, index) => (
            <tr key={index}>
              <td>
                <Time value={text(call.at)} />
              </td>
              <td>
                <code>{text(call.tool) ?? '—'}</code>
              </td>
              <td>
                <Badge value={text(call.decision)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Sets the document title for the page shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Warden console`;
  }, [title]);
}

/** Shows a page that failed to render as a message, keeping the rest of the console usable. */
export class PageBoundary extends Component<{ children: ReactNode; page: string }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidUpdate(previous: { page: string }): void {
    if (previous.page !== this.props.page && this.state.error !== null) this.setState({ error: null });
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('console page failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="message error" role="alert">
        <strong>This page failed to show.</strong> {this.state.error.message} Reload the page; if it happens
        again, report it with what you did.
      </div>
    );
  }
}
