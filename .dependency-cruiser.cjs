/**
 * The layer rules (README, "Design notes"). `npm run lint` fails when an
 * import crosses a layer the wrong way or closes a cycle.
 *
 *   edges (http, cli)  →  frontends / backends  →  core (login)  →  model  →  profiles
 *                                 ↘ saml → xml         ↘ trust, config, store, observability
 *   the demo is its own entry point: nothing imports it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "A cycle makes two files one; split what they share into a lower module.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-knows-no-protocol",
      comment: "The login core calls frontends and backends only through its ports (src/login/ports.ts).",
      severity: "error",
      from: { path: "^src/(login|model)/" },
      to: { path: "^src/(frontends|backends|saml|xml|http|cli|demo)/" },
    },
    {
      name: "model-is-the-bottom-of-the-core",
      comment: "The neutral model imports only the pure profiles.",
      severity: "error",
      from: { path: "^src/model/" },
      to: { path: "^src/", pathNot: "^src/(model|profiles)/" },
    },
    {
      name: "profiles-are-pure",
      comment: "Profiles are codecs and rules without I/O: they import nothing above them.",
      severity: "error",
      from: { path: "^src/profiles/" },
      to: { path: "^src/(login|model|frontends|backends|http|cli|demo|store|trust|observability|config|keys)/" },
    },
    {
      name: "saml-below-the-core",
      comment: "The SAML layer knows messages, not logins, profiles or logging.",
      severity: "error",
      from: { path: "^src/saml/" },
      to: { path: "^src/(login|model|profiles|observability|frontends|backends|http|cli|demo|trust|config|store)/" },
    },
    {
      name: "xml-is-the-lowest",
      comment: "The one XML parser and builder serve SAML and OIO-BPP alike.",
      severity: "error",
      from: { path: "^src/xml/" },
      to: { path: "^src/", pathNot: "^src/xml/" },
    },
    {
      name: "config-is-data",
      comment: "Configuration schemas import no implementation.",
      severity: "error",
      from: { path: "^src/config/" },
      to: { path: "^src/(login|frontends|backends|http|cli|demo|trust)/" },
    },
    {
      name: "nothing-imports-the-demo",
      comment: "Production code (and so the production image) never loads the demo parties.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/demo/" },
      to: { path: "^src/demo/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6"],
  },
};
