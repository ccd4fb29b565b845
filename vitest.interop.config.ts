import { defineConfig } from "vitest/config";

/**
 * `npm run test:interop`: the broker against real, independent SAML implementations (Shibboleth SP 3,
 * SimpleSAMLphp 1.19, pysaml2, xmlsec1) from Debian's packages. See test/interop/README.md.
 */
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    pool: "forks",
    // one world of peer processes at a time
    fileParallelism: false,
  },
});
