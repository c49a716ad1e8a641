import { useState } from 'react';
import { Button, Group, Modal, Table, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { TPlan } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { PlanForm } from './PlanForm';
import { useDeletePlan, usePlans } from '../../queries/plans';

type Editing = { mode: 'create' } | { mode: 'edit'; plan: TPlan } | null;

/** PlansPage lists plans with their limits and creates, edits and deletes them. */
export function PlansPage() {
  const plans = usePlans();
  const remove = useDeletePlan();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<TPlan | null>(null);
  const done = (plan: TPlan) => {
    setEditing(null);
    notifications.show({ color: 'green', message: `Plan ${plan.name} saved.` });
  };
  return (
    <>
      <PageHeader
        title="Plans"
        description="Limits a tenant's account runs within."
        actions={<Button onClick={() => setEditing({ mode: 'create' })}>Create plan</Button>}
      />
      <QueryState query={plans} label="plans">
        {(page) =>
          page.items.length === 0 ? (
            <EmptyNote>No plans yet.</EmptyNote>
          ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table striped aria-label="Plans" data-testid="plans-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Plan</Table.Th>
                    <Table.Th scope="col">Sites</Table.Th>
                    <Table.Th scope="col">Domains</Table.Th>
                    <Table.Th scope="col">CPU / memory</Table.Th>
                    <Table.Th scope="col">Disk</Table.Th>
                    <Table.Th scope="col">PHP</Table.Th>
                    <Table.Th scope="col">Tenants</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((plan) => (
                    <Table.Tr key={plan.id}>
                      <Table.Td fw={600}>{plan.name}</Table.Td>
                      <Table.Td>{plan.maxSites}</Table.Td>
                      <Table.Td>{plan.maxDomains}</Table.Td>
                      <Table.Td>
                        {plan.cpuMillicores / 1000} CPU / {plan.memoryMb} MB
                      </Table.Td>
                      <Table.Td>{plan.diskMb} MB</Table.Td>
                      <Table.Td>{plan.phpVersions.join(', ')}</Table.Td>
                      <Table.Td>{plan.tenantCount}</Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="xs"
                            variant="subtle"
                            onClick={() => setEditing({ mode: 'edit', plan })}
                            aria-label={`Edit ${plan.name}`}
                          >
                            Edit
                          </Button>
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            onClick={() => setDeleting(plan)}
                            aria-label={`Delete ${plan.name}`}
                          >
                            Delete
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.mode === 'edit' ? `Edit ${editing.plan.name}` : 'Create plan'}
        size="lg"
      >
        {editing && (
          <PlanForm
            plan={editing.mode === 'edit' ? editing.plan : undefined}
            onDone={done}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        title={`Delete plan ${deleting?.name ?? ''}?`}
        confirmLabel="Delete plan"
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        A plan that still has tenants cannot be deleted; move them to another plan first.
      </ConfirmModal>
    </>
  );
}
