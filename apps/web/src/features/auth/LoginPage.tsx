import { useState, type FormEvent } from 'react';
import { Button, Center, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate } from 'react-router';
import { ZLoginRequest, type TLoginChallenge, type TLoginResponse, type TSessionResponse } from '@berth/contracts';
import { api, rememberSession } from '../../api';
import { PasswordField } from '../../ui/PasswordField';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { TotpStep } from './TotpStep';
import { SESSION_KEY, useSession } from '../../queries/session';

const FIELDS = ['email', 'password'] as const;

/**
 * LoginPage signs a user in; field problems show at the field, anything else above the form. When the API
 * answers that a second factor is required, the code step takes the password form's place.
 */
export function LoginPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<TLoginChallenge | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const form = useFormErrors(ZLoginRequest, { fields: FIELDS });
  const signedIn = (session: TSessionResponse) => {
    rememberSession(session);
    queryClient.setQueryData(SESSION_KEY, session);
    void navigate('/');
  };
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => api<TLoginResponse>('POST', '/auth/login', body),
    onSuccess: (answer) => {
      if ('challenge' in answer) {
        setPassword('');
        setChallenge(answer);
      } else {
        signedIn(answer);
      }
    },
    onError: form.showServerError,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const input = form.validate({ email, password });
    if (input) login.mutate(input);
  }

  if (session.data) return <Navigate to="/" replace />;
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        {challenge ? (
          <TotpStep
            challenge={challenge}
            onSignedIn={signedIn}
            onRestart={(message) => {
              setChallenge(null);
              setNotice(message);
            }}
          />
        ) : (
          <form onSubmit={submit} noValidate aria-labelledby="login-title">
            <Stack>
              <Title order={1} size="h3" id="login-title">
                Sign in to Berth
              </Title>
              <FormAlert message={form.formError ?? notice} />
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={form.errors.email}
                data-autofocus
                autoFocus
              />
              <PasswordField
                label="Password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={form.errors.password}
              />
              <Button type="submit" loading={login.isPending} fullWidth>
                Sign in
              </Button>
            </Stack>
          </form>
        )}
      </Paper>
    </Center>
  );
}
