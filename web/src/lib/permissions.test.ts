import { describe, expect, it } from 'vitest';
import { adminSectionsFor } from './permissions';

describe('adminSectionsFor', () => {
  it('opens every section to an administrator', () => {
    expect(adminSectionsFor(['admin:members', 'admin:api_keys', 'admin:settings', 'admin:audit'])).toEqual([
      'members',
      'invitations',
      'teams',
      'apiKeys',
      'settings',
      'audit',
    ]);
  });
  it('opens API keys alone to a manager', () => {
    expect(adminSectionsFor(['customers:read', 'admin:api_keys'])).toEqual(['apiKeys']);
  });
  it('opens nothing to a viewer', () => {
    expect(adminSectionsFor(['customers:read', 'orders:read'])).toEqual([]);
  });
});
