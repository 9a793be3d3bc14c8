import { useTranslation } from 'react-i18next';

import { StatusBadge } from '@/components/ui/status-badge';
import { isItemStatus, statusTone } from '@/features/trace/lib/item-status';

/** An item's status in words and colour (unknown statuses are shown as sent). */
export function ItemStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <StatusBadge tone={statusTone(status)} data-testid="item-status">
      {isItemStatus(status) ? t(`trace.status.${status}`) : status}
    </StatusBadge>
  );
}

