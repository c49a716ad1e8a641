import { useState, type FormEvent } from 'react';
import { Button, Center, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate } from 'react-router';
import { ZLoginRequest, type TSessionResponse } from '@berth/contracts';
import { api, rememberSession } from '../../api';
import { PasswordField } from '../../ui/PasswordField';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { SESSION_KEY, useSession } from './useSession';

const FIELDS = ['email', 'password'] as const;

/** LoginPage signs a user in; field problems show at the field, anything else above the form. */
export function LoginPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormErrors(ZLoginRequest, { fields: FIELDS });
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => api<TSessionResponse>('POST', '/auth/login', body),
    onSuccess: (answer) => {
      rememberSession(answer);
      queryClient.setQueryData(SESSION_KEY, answer);
      void navigate('/');
    },
    onError: form.showServerError,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ email, password });
    if (input) login.mutate(input);
  }

  if (session.data) return <Navigate to="/" replace />;
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <form onSubmit={submit} noValidate aria-labelledby="login-title">
          <Stack>
            <Title order={1} size="h3" id="login-title">Sign in to Berth</Title>
            <FormAlert message={form.formError} />
            <TextInput label="Email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.currentTarget.value)}
              error={form.errors.email} data-autofocus autoFocus />
            <PasswordField label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)}
              error={form.errors.password} />
            <Button type="submit" loading={login.isPending} fullWidth>Sign in</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
