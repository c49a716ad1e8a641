import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ZLoginRequest, type TSessionResponse } from '@berth/contracts';
import { api, ApiError, rememberSession } from '../api';

type FieldErrors = Partial<Record<'email' | 'password', string>>;

/** LoginPage signs a user in; field problems show at the field, anything else above the form. */
export function LoginPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => api<TSessionResponse>('POST', '/auth/login', body),
    onSuccess: (session) => {
      rememberSession(session);
      queryClient.setQueryData(['me'], session);
      void navigate('/');
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = ZLoginRequest.safeParse({ email, password });
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[issue.path[0] as keyof FieldErrors] ??= issue.message;
      setFieldErrors(errors);
      return;
    }
    setFieldErrors({});
    login.mutate(parsed.data);
  }

  const serverError = login.error instanceof ApiError ? login.error.message : login.error ? 'The panel could not be reached.' : null;
  return (
    <main className="login">
      <form className="card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Berth</h1>
        {serverError && (
          <p className="alert" role="alert">
            {serverError}
          </p>
        )}
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)}
          aria-invalid={fieldErrors.email ? true : undefined} aria-describedby={fieldErrors.email ? 'email-error' : undefined} autoFocus />
        {fieldErrors.email && <p id="email-error" className="field-error">{fieldErrors.email}</p>}
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)}
          aria-invalid={fieldErrors.password ? true : undefined} aria-describedby={fieldErrors.password ? 'password-error' : undefined} />
        {fieldErrors.password && <p id="password-error" className="field-error">{fieldErrors.password}</p>}
        <button type="submit" disabled={login.isPending}>{login.isPending ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
