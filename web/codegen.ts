import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents from the committed schema: a schema change that breaks
// the console fails `npm run typecheck`.
const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', NaiveDate: 'string', Decimal: 'string', JSON: 'Record<string, unknown>', Upload: 'File' },
      },
    },
  },
};
export default config;
