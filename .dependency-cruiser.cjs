// The dependency rule, executable: the domain is pure, use cases see only ports, adapters sit outside.
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing but itself, errors.ts and node:url (pure IDN conversion): no I/O, no drivers.',
      severity: 'error',
      from: { path: '^src/domain/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^src/domain/', '^src/errors\\.ts$', '^url$', '^node:url$'] },
    },
    {
      name: 'domain-tests-are-pure',
      comment: 'Domain tests need nothing but the domain and node:test (and fast-check): no store, no I/O.',
      severity: 'error',
      from: { path: '^src/domain/.*\\.test\\.ts$' },
      to: { pathNot: ['^src/domain/', '^src/errors\\.ts$', '^url$', '^node:url$', '^node:test$', '^test$', '^node:assert', '^assert', 'node_modules/fast-check'] },
    },
    {
      name: 'shared-is-pure',
      comment: 'src/shared is imported by the server and bundled into the portal: pure data and TypeBox schemas, nothing else.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/', '^typebox$', 'node_modules/typebox/'] },
    },
    {
      name: 'app-depends-on-ports',
      comment: 'Use cases do not reach into adapters, the CLI or the composition root.',
      severity: 'error',
      from: { path: '^src/app/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^src/adapters/', '^src/cli/', '^src/main\\.ts$'] },
    },
    {
      name: 'app-tests-open-stores-through-the-factory',
      comment: 'A use-case test may run on a real store, opened as the composition root does: never a backend class.',
      severity: 'error',
      from: { path: '^src/app/.*\\.test\\.ts$' },
      to: { path: ['^src/adapters/(?!store/open-store\\.ts$)', '^src/cli/', '^src/main\\.ts$'] },
    },
    {
      name: 'adapters-do-not-use-each-other',
      comment: 'One adapter never imports another; the composition root wires them.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/', pathNot: ['^src/adapters/$1/'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Tests are cruised too (npm run lint passes test/ as well): they obey the same layers.
  },
};
