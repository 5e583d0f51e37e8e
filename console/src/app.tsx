/**
 * The console shell: sign-in, the navigation and the page for the current path. Whether the user is
 * signed in is whatever GET /admin/session says; a 401 on any call brings the sign-in page back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { onUnauthenticated, permissionsOf, request, setCsrfToken } from './api';
import type { AdminUser, ApiError, Permissions, SignedIn } from './api';
import { AgentsPage } from './pages/agents';
import { AlertsPage } from './pages/alerts';
import { ApprovalDetail, ApprovalsPage } from './pages/approvals';
import { AuditPage } from './pages/audit';
import { PoliciesPage } from './pages/policies';
import { SessionsPage } from './pages/sessions';
import { ErrorMessage, Link, PageBoundary, navigate, toApiError, useRoute, useTitle } from './ui';

type SessionState = { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; user: AdminUser };

const PAGES = [
  { path: '/approvals', label: 'Approvals' },
  { path: '/audit', label: 'Audit' },
  { path: '/agents', label: 'Agents' },
  { path: '/sessions', label: 'Sessions' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/policies', label: 'Policies' },
] as const;

export function App(): ReactNode {
  const [session, setSession] = useState<SessionState>({ kind: 'checking' });
  const [checkError, setCheckError] = useState<ApiError | null>(null);

  const check = useCallback(() => {
    request<SignedIn>('GET', '/session').then(
      (signedIn) => {
        setCsrfToken(signedIn.csrfToken);
        setSession({ kind: 'signed-in', user: signedIn.user });
        setCheckError(null);
      },
      (reason: unknown) => {
        const error = toApiError(reason);
        setCsrfToken(null);
        setSession({ kind: 'signed-out' });
        if (error.status !== 401) setCheckError(error);
      },
    );
  }, []);

  useEffect(() => {
    check();
    return onUnauthenticated(() => {
      setCsrfToken(null);
      setSession({ kind: 'signed-out' });
    });
  }, [check]);

  if (session.kind === 'checking') {
    return (
      <main className="centered" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (session.kind === 'signed-out') {
    return (
      <SignIn
        initialError={checkError}
        onSignedIn={(signedIn) => {
          setCsrfToken(signedIn.csrfToken);
          setSession({ kind: 'signed-in', user: signedIn.user });
        }}
      />
    );
  }
  return (
    <Shell
      user={session.user}
      onSignedOut={() => {
        setCsrfToken(null);
        setSession({ kind: 'signed-out' });
      }}
    />
  );
}

function SignIn(props: {
  initialError: ApiError | null;
  onSignedIn: (signedIn: SignedIn) => void;
}): ReactNode {
  useTitle('Sign in');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(props.initialError);
  const usernameRef = useRef<HTMLInputElement>(null);

  useEffect(() => usernameRef.current?.focus(), []);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    request<SignedIn>('POST', '/session', { username, password }).then(
      (signedIn) => {
        setPassword('');
        setBusy(false);
        props.onSignedIn(signedIn);
      },
      (reason: unknown) => {
        setPassword('');
        setBusy(false);
        setError(toApiError(reason));
      },
    );
  };

  return (
    <main className="centered">
      <form className="card sign-in" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <span className="logo" aria-hidden="true" /> Warden console
        </h1>
        <p className="muted">Sign in with your Warden admin user name and password.</p>
        <label htmlFor="username">User name</label>
        <input
          id="username"
          ref={usernameRef}
          name="username"
          autoComplete="username"
          required
          maxLength={64}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={1024}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function Shell(props: { user: AdminUser; onSignedOut: () => void }): ReactNode {
  const { path } = useRoute();
  const permissions = permissionsOf(props.user);
  const [signOutError, setSignOutError] = useState<ApiError | null>(null);
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (path === '/' || path === '') navigate('/approvals');
  }, [path]);

  // After in-app navigation between pages, move focus to the page so keyboard and screen reader users
  // start there (not on the first load, nor on the redirect from the start page).
  const previous = useRef<string | null>(null);
  useEffect(() => {
    const from = previous.current;
    previous.current = path;
    if (from === null || from === '/' || from === '') return;
    mainRef.current?.focus();
  }, [path]);

  const signOut = (): void => {
    request('DELETE', '/session').then(props.onSignedOut, (reason: unknown) => {
      const error = toApiError(reason);
      if (error.status === 401) props.onSignedOut();
      else setSignOutError(error);
    });
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" /> Warden
        </div>
        <nav aria-label="Console pages">
          <ul>
            {PAGES.map((page) => (
              <li key={page.path}>
                <Link to={page.path} current={path.startsWith(page.path)}>
                  {page.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            <strong data-testid="user-name">{props.user.name}</strong>{' '}
            <span className="muted">({props.user.roles.join(', ')})</span>
            {permissions.readOnly ? <span className="badge badge-readonly">read only</span> : null}
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <ErrorMessage error={signOutError} />
      <main id="main" ref={mainRef} tabIndex={-1}>
        <PageBoundary page={path}>
          <Page path={path} permissions={permissions} user={props.user} />
        </PageBoundary>
      </main>
    </>
  );
}

function Page(props: { path: string; permissions: Permissions; user: AdminUser }): ReactNode {
  const { path, permissions } = props;
  const segments = path.split('/').filter(Boolean);
  const [section, id] = [
    segments[0] ?? '',
    segments[1] === undefined ? undefined : decodeURIComponent(segments[1]),
  ];
  switch (section) {
    case 'approvals':
      return id === undefined ? (
        <ApprovalsPage permissions={permissions} />
      ) : (
        <ApprovalDetail id={id} permissions={permissions} />
      );
    case 'audit':
      return <AuditPage selectedSeq={id} />;
    case 'agents':
      return <AgentsPage permissions={permissions} />;
    case 'sessions':
      return <SessionsPage selectedId={id} />;
    case 'alerts':
      return <AlertsPage />;
    case 'policies':
      return <PoliciesPage />;
    case '':
      return null;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no console page at <code>{path}</code>. <Link to="/approvals">Go to approvals</Link>.
          </p>
        </section>
      );
  }
}
