import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { HealthPanel } from '@/features/system/components/health-panel';
import { i18n } from '@/lib/i18n';
import { healthBody } from '@/testing/health-fixture';
import { jsonResponse, stubFetch } from '@/testing/test-utils';

async function renderLoaded() {
  render(<HealthPanel />);
  const panel = screen.getByTestId('health-status');
  await within(panel).findByTestId('health-overall');
  return panel;
}

describe('HealthPanel', () => {
  it('calls GET /api/health and shows each component in words (English)', async () => {
    const fetchMock = stubFetch(() => jsonResponse(healthBody()));
    render(<HealthPanel />);

    const panel = screen.getByTestId('health-status');
    expect(panel).toHaveAttribute('data-status', 'loading');
    expect(within(panel).getByRole('status')).toHaveTextContent('Checking system status…');

    expect(await within(panel).findByTestId('health-overall')).toHaveTextContent(
      'All systems operational',
    );
    expect(panel).toHaveAttribute('data-status', 'ok');
    expect(fetchMock).toHaveBeenCalledWith('/api/health', expect.objectContaining({ method: 'GET' }));
    expect(screen.getByTestId('health-database')).toHaveTextContent('DatabaseOKSQLite');
    expect(screen.getByTestId('health-redis')).toHaveTextContent('Not configured');
    expect(screen.getByTestId('health-jobs')).toHaveTextContent('Run in the server process (no Redis)');
    expect(screen.getByTestId('health-version')).toHaveTextContent('0.1.0');
  });

  it('shows the same status in Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    stubFetch(() =>
      jsonResponse(
        healthBody({
          database: { status: 'ok', dialect: 'postgresql' },
          redis: { status: 'ok' },
          jobs: { mode: 'rq' },
        }),
      ),
    );
    const panel = await renderLoaded();

    expect(within(panel).getByRole('heading', { name: '系统状态' })).toBeVisible();
    expect(screen.getByTestId('health-overall')).toHaveTextContent('所有服务运行正常');
    expect(screen.getByTestId('health-database')).toHaveTextContent('数据库正常PostgreSQL');
    expect(screen.getByTestId('health-redis')).toHaveTextContent('正常');
    expect(screen.getByTestId('health-jobs')).toHaveTextContent('Redis 队列与工作进程（RQ）');
  });

  it('re-translates a loaded status when the language changes', async () => {
    stubFetch(() => jsonResponse(healthBody()));
    await renderLoaded();
    expect(screen.getByTestId('health-redis')).toHaveTextContent('Not configured');

    await i18n.changeLanguage('zh-CN');

    expect(await screen.findByText('未配置')).toBeVisible();
  });

  it('shows a degraded report, even when it comes with HTTP 503', async () => {
    stubFetch(() =>
      jsonResponse(healthBody({ status: 'degraded', redis: { status: 'down' }, jobs: { mode: 'rq' } }), {
        status: 503,
      }),
    );
    const panel = await renderLoaded();

    expect(panel).toHaveAttribute('data-status', 'degraded');
    expect(screen.getByTestId('health-overall')).toHaveTextContent('Some services are not working');
    expect(screen.getByTestId('health-overall')).toHaveAttribute('data-tone', 'warning');
    expect(screen.getByTestId('health-redis')).toHaveTextContent('Down');
  });

  it('shows values it does not know instead of failing', async () => {
    stubFetch(() =>
      jsonResponse(healthBody({ redis: { status: 'sleepy' }, jobs: { mode: 'celery' } })),
    );
    await renderLoaded();
    expect(screen.getByTestId('health-redis')).toHaveTextContent('Unknown (sleepy)');
    expect(screen.getByTestId('health-jobs')).toHaveTextContent('Unknown mode (celery)');
  });

  it('shows a translated error with the request id, and retries', async () => {
    let calls = 0;
    stubFetch(() => {
      calls += 1;
      return calls === 1
        ? jsonResponse(
            { code: 'internal_error', message: 'Internal server error.', errors: [], request_id: 'r-42' },
            { status: 500 },
          )
        : jsonResponse(healthBody());
    });
    const user = userEvent.setup();
    render(<HealthPanel />);

    const alert = await screen.findByRole('alert');
    expect(screen.getByTestId('health-status')).toHaveAttribute('data-status', 'error');
    expect(alert).toHaveTextContent('Could not check the system status.');
    expect(alert).toHaveTextContent('Internal server error.');
    expect(alert).toHaveTextContent('Request ID: r-42');

    await user.click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByTestId('health-overall')).toHaveTextContent('All systems operational');
    expect(calls).toBe(2);
  });

  it('explains a network failure in the current language', async () => {
    await i18n.changeLanguage('zh-CN');
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<HealthPanel />);
    expect(await screen.findByRole('alert')).toHaveTextContent('无法连接 Lotline 服务器');
  });

  it('refreshes on demand', async () => {
    const fetchMock = stubFetch(() => jsonResponse(healthBody()));
    const user = userEvent.setup();
    await renderLoaded();

    const refresh = screen.getByRole('button', { name: 'Refresh' });
    await user.click(refresh);

    await waitFor(() => expect(refresh).toBeEnabled());
    expect(screen.getByTestId('health-status')).toHaveAttribute('aria-busy', 'false');
    expect(screen.getByTestId('health-overall')).toBeVisible();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
