import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { SUSPENDED_REASON_MAX, ZSuspendTenantRequest, type TTenant } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useSetSuspended } from '../../queries/tenants';

const FIELDS = ['reason'] as const;

/**
 * SuspendTenantModal asks before suspending an account, with the reason its users will read in their banner
 * ("Your account is suspended: <reason>. Contact your provider."). The reason is optional plain text.
 */
export function SuspendTenantModal({
  tenant,
  opened,
  onClose,
}: {
  tenant: TTenant;
  opened: boolean;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const form = useFormErrors(ZSuspendTenantRequest, { fields: FIELDS });
  const suspend = useSetSuspended(tenant.id);
  const close = () => {
    setReason('');
    form.reset();
    suspend.reset();
    onClose();
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ reason });
    if (input)
      suspend.mutate({ suspend: true, reason: input.reason }, { onSuccess: close, onError: form.showServerError });
  }

  return (
    <Modal opened={opened} onClose={close} title={`Suspend ${tenant.slug}?`} centered>
      <form onSubmit={submit} noValidate aria-label={`Suspend ${tenant.slug}`}>
        <Stack>
          <Text size="sm">
            Its sites answer with the suspended page and its users can only read until you unsuspend it.
          </Text>
          <TextInput
            label="Reason (optional)"
            description={`Shown to the tenant's users. Plain text, at most ${SUSPENDED_REASON_MAX} characters.`}
            placeholder="Invoice #1042 is overdue"
            value={reason}
            maxLength={SUSPENDED_REASON_MAX + 50}
            onChange={(event) => setReason(event.currentTarget.value)}
            error={form.errors.reason}
            autoComplete="off"
            data-autofocus
          />
          <FormAlert message={form.formError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="orange" loading={suspend.isPending}>
              Suspend
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
