import { Stack, Tabs } from '@mantine/core';
import { useParams, useSearchParams } from 'react-router';
import { isNotFound } from '../api';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { WordPressCard } from '../features/apps/WordPressCard';
import { CachePanel } from '../features/cache/CachePanel';
import { DomainsPanel } from '../features/domains/DomainsPanel';
import { FilesPanel } from '../features/files/FilesPanel';
import { NotFoundPage } from '../features/shell/NotFoundPage';
import { PhpSettingsForm } from '../features/sites/PhpSettingsForm';
import { RuntimePanel } from '../features/sites/RuntimePanel';
import { SiteVisitCard } from '../features/dashboard/SiteVisitCard';
import { SiteActivity } from '../features/events/SiteActivity';
import { SiteOverview } from '../features/sites/SiteOverview';
import { runtimeLabel } from '../features/sites/runtimeLabel';
import { useSite } from '../queries/sites';

const TABS = ['overview', 'domains', 'runtime', 'files', 'cache', 'activity'] as const;
type Tab = (typeof TABS)[number];

/** SiteDetailPage is one site: its address, certificate, status and WordPress, domains, runtime and PHP settings, files, cache and its activity. */
export function SiteDetailPage() {
  const { siteId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const site = useSite(siteId);
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'overview';

  if (site.isError && isNotFound(site.error)) return <NotFoundPage what="site" />;
  return (
    <QueryState query={site} label="the site">
      {(data) => (
        <>
          <PageHeader title={data.name} description={runtimeLabel(data.runtime)} />
          <Tabs
            value={tab}
            onChange={(value) => setParams(value && value !== 'overview' ? { tab: value } : {}, { replace: true })}
            keepMounted={false}
          >
            <Tabs.List mb="md">
              <Tabs.Tab value="overview">Overview</Tabs.Tab>
              <Tabs.Tab value="domains">Domains</Tabs.Tab>
              <Tabs.Tab value="runtime">{data.runtime.kind === 'php' ? 'PHP' : 'Runtime'}</Tabs.Tab>
              <Tabs.Tab value="files">Files</Tabs.Tab>
              <Tabs.Tab value="cache">Cache</Tabs.Tab>
              <Tabs.Tab value="activity">Activity</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="overview">
              <Stack>
                <SiteVisitCard site={data} />
                <SiteOverview site={data} />
                {data.runtime.kind === 'php' && <WordPressCard site={data} />}
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="domains">
              <DomainsPanel siteId={data.id} />
            </Tabs.Panel>
            <Tabs.Panel value="runtime">
              <RuntimePanel site={data} />
              {data.runtime.kind === 'php' && <PhpSettingsForm site={data} />}
            </Tabs.Panel>
            <Tabs.Panel value="files">
              <FilesPanel siteId={data.id} />
            </Tabs.Panel>
            <Tabs.Panel value="cache">
              <CachePanel site={data} />
            </Tabs.Panel>
            <Tabs.Panel value="activity">
              <SiteActivity site={data} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </QueryState>
  );
}
