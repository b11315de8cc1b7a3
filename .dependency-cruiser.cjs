// The dependency rule, executable: the domain is pure, use cases see only ports, adapters sit outside.
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing but itself, errors.ts and node:url (pure IDN conversion): no I/O, no drivers.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^src/errors\\.ts$', '^url$', '^node:url$'] },
    },
    {
      name: 'app-depends-on-ports',
      comment: 'Use cases do not reach into adapters, the CLI or the composition root.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: ['^src/adapters/', '^src/cli/', '^src/main\\.ts$'] },
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
    exclude: { path: '\\.test\\.ts$' },
  },
};
