import { Suspense } from 'react';
import { AppShell, Burger, Button, Group, NavLink, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { EnrolmentRequiredPage } from '../../app/lazyPages';
import { useLogout, useSession } from '../../queries/session';
import { QueryState } from '../../ui/QueryState';
import { isActive, navigationFor } from './navigation';
import { PageLoader } from './PageLoader';
import { SessionBanners } from './SessionBanners';

/**
 * Shell is the signed-in frame: navigation for the user's role, the signed-in user, sign out, and on every page
 * the session's banners (an administrator signed in as the tenant, a suspended account).
 */
export function Shell() {
  const session = useSession();
  const location = useLocation();
  const logout = useLogout();
  const [opened, { toggle, close }] = useDisclosure(false);
  if (session.isPending) return <PageLoader />;
  return (
    <QueryState query={session} label="your session">
      {(data) => {
        if (!data) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
        if (data.twoFactor.enrolmentRequired)
          return (
            <Suspense fallback={<PageLoader />}>
              <EnrolmentRequiredPage email={data.user.email} />
            </Suspense>
          );
        const { user } = data;
        const items = navigationFor(user.role);
        return (
          <AppShell
            header={{ height: 56 }}
            navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
            padding="md"
          >
            <a className="skip-link" href="#main">
              Skip to content
            </a>
            <AppShell.Header>
              <Group h="100%" px="md" justify="space-between" wrap="nowrap">
                <Group gap="sm" wrap="nowrap">
                  <Burger
                    opened={opened}
                    onClick={toggle}
                    hiddenFrom="sm"
                    size="sm"
                    aria-label={opened ? 'Close menu' : 'Open menu'}
                  />
                  <Text fw={700} size="lg" component={Link} to="/" td="none" c="inherit">
                    Berth
                  </Text>
                </Group>
                <Group gap="sm" wrap="nowrap">
                  <Text size="sm" c="dimmed" visibleFrom="sm" data-testid="signed-in-as">
                    {user.email} · {user.role === 'admin' ? 'administrator' : 'account owner'}
                  </Text>
                  <Button variant="default" size="xs" onClick={() => logout.mutate()} loading={logout.isPending}>
                    Sign out
                  </Button>
                </Group>
              </Group>
            </AppShell.Header>
            <AppShell.Navbar p="xs" aria-label="Main">
              <Stack gap={2}>
                {items.map((item) => {
                  const active = isActive(item, location.pathname);
                  return (
                    <NavLink
                      key={item.to}
                      component={Link}
                      to={item.to}
                      label={item.label}
                      active={active}
                      aria-current={active ? 'page' : undefined}
                      onClick={close}
                    />
                  );
                })}
              </Stack>
            </AppShell.Navbar>
            <AppShell.Main id="main" tabIndex={-1}>
              <SessionBanners session={data} />
              <Outlet />
            </AppShell.Main>
          </AppShell>
        );
      }}
    </QueryState>
  );
}
