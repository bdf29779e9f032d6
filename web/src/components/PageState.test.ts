import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { LoadError } from './PageState';

describe('LoadError', () => {
  it('shows a refusal as no access, with the API message', async () => {
    await i18n.changeLanguage('en');
    const html = renderToString(createElement(LoadError, { problems: [{ code: 'FORBIDDEN', message: 'needs admin:audit' }] }));
    expect(html).toContain('You do not have access to this');
    expect(html).toContain('needs admin:audit');
  });
  it('shows other failures as an error', async () => {
    await i18n.changeLanguage('zh-CN');
    const html = renderToString(createElement(LoadError, { problems: [{ code: 'INTERNAL', message: 'boom' }] }));
    expect(html).toContain('出错了');
    expect(html).not.toContain('您无权访问此内容');
  });
});
