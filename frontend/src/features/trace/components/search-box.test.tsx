import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { SearchBox } from '@/features/trace/components/search-box';

describe('trace search box', () => {
  it("keeps a wedge scanner's GS1 separator (sent as Ctrl+]) in what it searches for", async () => {
    const onSearch = vi.fn();
    render(<SearchBox initial="" onSearch={onSearch} />);
    const user = userEvent.setup();

    await user.type(screen.getByTestId('trace-search-input'), ']d20109506000134352104711');
    await user.keyboard('{Control>}]{/Control}');
    await user.type(screen.getByTestId('trace-search-input'), '17281231{Enter}');

    expect(onSearch).toHaveBeenCalledWith(']d20109506000134352104711\u001d17281231');
  });
});
