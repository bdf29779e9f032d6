import { describe, expect, it } from 'vitest';
import { exportPath, firstCsvRecord, guessField } from './importExport';

describe('exportPath', () => {
  it('is the bare address without filter or order', () => {
    expect(exportPath(null, [])).toBe('/export/customers.csv');
  });
  it('sends filter and order as JSON', () => {
    const path = exportPath({ tags: { contains: 'vip' } }, [{ field: 'NAME', direction: 'ASC' }]);
    const params = new URL(path, 'http://x').searchParams;
    expect(JSON.parse(params.get('filter')!)).toEqual({ tags: { contains: 'vip' } });
    expect(JSON.parse(params.get('orderBy')!)).toEqual([{ field: 'NAME', direction: 'ASC' }]);
  });
});

describe('firstCsvRecord', () => {
  it('reads the header with quotes, escaped quotes and a BOM', () => {
    expect(firstCsvRecord('\uFEFFname,"e,mail","say ""hi"""\r\na,b,c')).toEqual(['name', 'e,mail', 'say "hi"']);
  });
  it('is empty for an empty file', () => {
    expect(firstCsvRecord('')).toEqual([]);
  });
});

describe('guessField', () => {
  it('matches names however they are written', () => {
    expect(guessField('External ID')).toBe('EXTERNAL_ID');
    expect(guessField('owner_email')).toBe('OWNER_EMAIL');
    expect(guessField('lifecycleStage')).toBe('LIFECYCLE_STAGE');
    expect(guessField('Name')).toBe('NAME');
  });
  it('knows no other column', () => {
    expect(guessField('favourite colour')).toBeNull();
  });
});
