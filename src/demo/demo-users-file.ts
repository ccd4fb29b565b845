/**
 * The demo users file (config/demo-users/users.yaml): the demo municipalities'
 * test users, validated by a schema. An invalid entry is refused with the
 * file, the line and the field; a file that changes is read again (the demo
 * IdPs ask for the users on every login page), and when the new version is
 * invalid the last good one stays in use.
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LineCounter, parseDocument, isNode } from "yaml";
import { z } from "zod";
import { NSIS_LEVELS } from "../profiles/levels.js";

/** A demo user's job-function role with its constraints. */
export interface DemoPrivilege {
  privilege: string;
  constraints: Array<{ name: string; value: string }>;
  /** The CVR the group is scoped to; the user's municipality unless the role is delegated from another. */
  scopeCvr?: string;
}

export interface DemoUser {
  username: string;
  fullName: string;
  firstName: string;
  lastName: string;
  email: string;
  uuid: string;
  /** A made-up CPR number, sent as municipal IdPs and NemLog-in may (the broker never logs or releases it). */
  cpr?: string | undefined;
  nsis: "Low" | "Substantial" | "High" | undefined;
  nist: 2 | 3 | undefined;
  privileges: DemoPrivilege[];
  /** An RPA robot (its name starts with "RPA "). */
  robot?: boolean;
  /** An Entra-like IdP's user principal name, and the user's groups there. */
  upn?: string;
  groups?: string[];
}

export const KLE_PARAMETRIC = "http://sts.kombit.dk/constraints/KLE/1/parametric";

/** The users file shipped with the demo. */
export const SHIPPED_USERS_FILE = fileURLToPath(new URL("../../config/demo-users/users.yaml", import.meta.url));

const cvr = z.string().regex(/^\d{8}$/, "a CVR number is 8 digits (quote it: \"29189846\")");
const uri = z.string().regex(/^[a-z][a-z0-9+.-]*:\S+$/i, "a role is a URI, e.g. http://kommune.dk/roles/jobrole/sagsbehandler/1");

const roleSchema = z
  .object({ role: uri, kle: z.string().min(1).optional(), cvr: cvr.optional() })
  .strict();

const userSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,40}$/, "a username is lower-case letters, digits, '.', '_' or '-'"),
    name: z.string().min(1),
    firstName: z.string().min(1).optional(),
    lastName: z.string().optional(),
    email: z.email(),
    uuid: z.uuid(),
    cpr: z.string().regex(/^\d{6}-?\d{4}$/, "a CPR number is 10 digits, optionally DDMMYY-XXXX (quote it)").optional(),
    nsis: z.enum(NSIS_LEVELS).optional(),
    nist: z.union([z.literal(2), z.literal(3)]).optional(),
    robot: z.boolean().default(false),
    roles: z.array(roleSchema).default([]),
    upn: z.string().min(3).optional(),
    groups: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .refine((u) => u.nsis !== undefined || u.nist !== undefined, { message: "a user needs a level: nsis (Low, Substantial, High) or nist (2, 3)" })
  .refine((u) => u.robot === u.name.startsWith("RPA "), {
    path: ["name"],
    message: "robots are recognised by their name (the NameID's CN): a robot's name starts with \"RPA \", and only a robot's",
  });

const fileSchema = z
  .object({
    municipalities: z
      .array(
        z
          .object({ idp: z.string().min(1), name: z.string().min(1), cvr, users: z.array(userSchema).min(1) })
          .strict()
          .superRefine((m, context) => {
            const seen = new Set<string>();
            m.users.forEach((u, index) => {
              if (seen.has(u.username)) context.addIssue({ code: "custom", path: ["users", index, "username"], message: `username ${u.username} is used twice in ${m.name}` });
              seen.add(u.username);
            });
          }),
      )
      .min(1),
  })
  .strict();

export interface DemoMunicipality {
  /** The demo IdP's id in the configuration (demo-kommune, vest-kommune, sky-kommune). */
  idp: string;
  name: string;
  cvr: string;
  users: DemoUser[];
}

export class DemoUsersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DemoUsersError";
  }
}

function toUser(u: z.infer<typeof userSchema>): DemoUser {
  const [first = u.name, ...rest] = u.name.split(" ");
  const privileges: DemoPrivilege[] = u.roles.map((r) => ({
    privilege: r.role,
    constraints: r.kle === undefined ? [] : [{ name: KLE_PARAMETRIC, value: r.kle }],
    ...(r.cvr === undefined ? {} : { scopeCvr: r.cvr }),
  }));
  return {
    username: u.username,
    fullName: u.name,
    firstName: u.firstName ?? first,
    lastName: u.lastName ?? rest.join(" "),
    email: u.email,
    uuid: u.uuid,
    cpr: u.cpr,
    nsis: u.nsis,
    nist: u.nist,
    robot: u.robot,
    privileges,
    ...(u.upn === undefined ? {} : { upn: u.upn }),
    groups: u.groups,
  };
}

/** Reads and checks a users file's text; `file` names it in errors. */
export function parseDemoUsers(text: string, file: string): DemoMunicipality[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new DemoUsersError(`${file}, line ${line}: not valid YAML: ${yamlError.message.split("\n")[0] ?? ""}`);
  }
  const result = fileSchema.safeParse(document.toJS());
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const line = lineOf(document, lineCounter, issue.path);
      return `  ${file}, line ${line}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`;
    });
    throw new DemoUsersError(`invalid demo users:\n${lines.join("\n")}`);
  }
  return result.data.municipalities.map((m) => ({ idp: m.idp, name: m.name, cvr: m.cvr, users: m.users.map(toUser) }));
}

/** The line of the deepest node along `path` that exists (a missing field: its parent's line). */
function lineOf(document: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: ReadonlyArray<PropertyKey>): number {
  for (let length = path.length; length >= 0; length--) {
    const node = document.getIn(path.slice(0, length) as Array<string | number>, true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return 1;
}

export function loadDemoUsers(file: string): DemoMunicipality[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DemoUsersError(`cannot read the demo users file ${file}: ${(error as Error).message}`);
  }
  return parseDemoUsers(text, file);
}

/**
 * The users file, read again whenever it changes. `onError` hears about a
 * new version that is invalid; the last good version is kept.
 */
export class DemoUsersSource {
  private municipalities: DemoMunicipality[];
  private mtimeMs: number;

  constructor(
    readonly file: string,
    private readonly onError: (error: DemoUsersError) => void = (error) => console.error(error.message),
  ) {
    this.mtimeMs = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    this.municipalities = loadDemoUsers(file);
  }

  /** The municipality served by the demo IdP `idp`, as the file says now. */
  municipality(idp: string): DemoMunicipality | undefined {
    this.refresh();
    return this.municipalities.find((m) => m.idp === idp);
  }

  /** The users of the demo IdP `idp` (none when the file no longer lists it). */
  users(idp: string): DemoUser[] {
    return this.municipality(idp)?.users ?? [];
  }

  all(): DemoMunicipality[] {
    this.refresh();
    return this.municipalities;
  }

  private refresh(): void {
    const mtimeMs = statSync(this.file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtimeMs === this.mtimeMs) return;
    this.mtimeMs = mtimeMs;
    try {
      this.municipalities = loadDemoUsers(this.file);
    } catch (error) {
      if (!(error instanceof DemoUsersError)) throw error;
      this.onError(error);
    }
  }
}
