import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The folder rules of ARCHITECTURE.md: who may import whom. Enforced here, as VS Code enforces its layers.
const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [group], message })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  layer(
    ['shared/**'],
    ['**/engine/**', '**/electron/**', '**/renderer/**', 'electron', 'react', 'node:*'],
    'shared/ is the contract: it imports nothing else of ours and no platform module.',
  ),
  layer(
    ['engine/**'],
    ['**/electron/**', '**/renderer/**', 'electron', 'react'],
    'engine/ is plain Node: no Electron, no React.',
  ),
  layer(
    ['renderer/**'],
    ['**/engine/**', '**/electron/**', 'node:*', 'electron'],
    'renderer/ sees only shared/ and window.ferry.',
  ),
  layer(
    ['electron/**'],
    ['**/renderer/**'],
    'electron/ starts the engine host; it does not import the renderer.',
  ),
);
