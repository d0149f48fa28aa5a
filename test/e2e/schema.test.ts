// Proves that applying prisma/migrations yields exactly the schema in prisma/schema.prisma, without
// Prisma's native schema engine (it cannot be downloaded here, so `prisma migrate diff` is out).
//
// Prisma's own view of the schema comes from the DMMF that its WASM schema tooling computes: the
// `prisma` CLI package ships `build/prisma_schema_build_bg.wasm` (the same module as
// @prisma/prisma-schema-wasm, whose wasm-bindgen glue is bundled inside the CLI). Its imports are
// four trivial functions, so it is loaded here directly and `get_dmmf` is called the way the CLI
// calls it: `get_dmmf(JSON.stringify({ prismaSchema }))`.
//
// The DMMF is turned into the shape PostgreSQL should have after `prisma migrate deploy` (tables,
// columns with their exact types, nullability and defaults, primary keys, unique and normal
// indexes, foreign keys with their actions, enums), following Prisma's own conventions for
// PostgreSQL (including its default constraint names). The migrated database is read back from the
// catalog into the same shape, and the two are compared into a list of readable differences.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../src/db/migrate";
import { createLogger } from "../../src/logger";
import { createTestDatabase } from "../support/testDatabase";

const SCHEMA_PATH = path.resolve(__dirname, "../../prisma/schema.prisma");

/**
 * Indexes that schema.prisma cannot express (an expression, an operator class on a btree), made by
 * hand-written migrations and named on their model in schema.prisma. They are left out of the
 * comparison, and checked here by their definition instead.
 */
const INDEXES_THE_SCHEMA_CANNOT_STATE: Record<string, string> = {
  Contact_name_search_idx: 'ON public."Contact" USING btree (lower(name) text_pattern_ops)',
  Contact_number_search_idx: 'ON public."Contact" USING btree (number text_pattern_ops)',
};
const MIGRATIONS_TABLE = "_prisma_migrations";

// ---------------------------------------------------------------------------------------------
// Prisma's DMMF, from its WASM schema tooling

type DmmfDefault =
  | string
  | number
  | boolean
  | DmmfDefault[]
  | { name: string; args: (string | number | boolean)[] };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: DmmfDefault;
  isUpdatedAt: boolean;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  schema: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
  uniqueFields: string[][];
  uniqueIndexes: { name: string | null; fields: string[] }[];
}

interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  isDefinedOnField: boolean;
  name?: string;
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc"; length?: number; operatorClass?: string }[];
}

interface DmmfEnum {
  name: string;
  dbName: string | null;
  values: { name: string; dbName: string | null }[];
}

interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: DmmfEnum[]; indexes?: DmmfIndex[] };
}

// Just the parts of the WebAssembly API used here (the project's `lib` has no DOM typings).
interface WasmTable {
  get(index: number): unknown;
  set(index: number, value: unknown): void;
  grow(delta: number): number;
}
interface SchemaWasmExports {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: WasmTable;
  __wbindgen_start(): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, len: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  /** Returns [resultPtr, resultLen, errorRef, isError] (wasm multi-value). */
  get_dmmf(ptr: number, len: number): [number, number, number, number];
}
type WasmImports = Record<string, Record<string, (...args: number[]) => unknown>>;
interface WasmApi {
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): { module: string; name: string; kind: string }[];
  };
  Instance: new (module: object, imports: WasmImports) => { exports: unknown };
}

let schemaWasm: SchemaWasmExports | undefined;
let lastPanic: string | undefined;

function loadSchemaWasm(): SchemaWasmExports {
  if (schemaWasm) return schemaWasm;
  const wasmPath = path.join(
    path.dirname(require.resolve("prisma/package.json")),
    "build/prisma_schema_build_bg.wasm",
  );
  const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };
  const module = new wasm.Module(readFileSync(wasmPath));
  let exports: SchemaWasmExports | undefined;
  const text = (ptr: number, len: number) => {
    if (!exports) throw new Error("schema wasm used before it was instantiated");
    return new TextDecoder().decode(new Uint8Array(exports.memory.buffer, ptr >>> 0, len >>> 0));
  };
  // wasm-bindgen suffixes import names with a hash that changes between versions: match the stem.
  const imports: WasmImports = {};
  for (const { module: moduleName, name } of wasm.Module.imports(module)) {
    let fn: (...args: number[]) => unknown;
    if (name.startsWith("__wbg_set_message_")) {
      fn = (ptr, len) => {
        lastPanic = text(ptr, len);
      };
    } else if (name.startsWith("__wbg_Error_")) {
      fn = (ptr, len) => new Error(text(ptr, len));
    } else if (name.startsWith("__wbg___wbindgen_throw_")) {
      fn = (ptr, len) => {
        throw new Error(text(ptr, len));
      };
    } else if (name === "__wbindgen_init_externref_table") {
      fn = () => {
        if (!exports) throw new Error("schema wasm used before it was instantiated");
        const table = exports.__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    } else {
      throw new Error(`${wasmPath} needs an import this test does not provide: ${moduleName}.${name}`);
    }
    imports[moduleName] ??= {};
    imports[moduleName][name] = fn;
  }
  exports = new wasm.Instance(module, imports).exports as SchemaWasmExports;
  exports.__wbindgen_start();
  schemaWasm = exports;
  return exports;
}

/** Prisma's DMMF of a schema, exactly as `prisma generate` computes it. */
function getDmmf(prismaSchema: string): Dmmf {
  const wasm = loadSchemaWasm();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema, noColor: true }));
  const ptr = wasm.__wbindgen_malloc(input.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, ptr, input.length).set(input);
  let result: [number, number, number, number];
  try {
    result = wasm.get_dmmf(ptr, input.length);
  } catch (error) {
    throw new Error(`prisma schema wasm panicked: ${lastPanic ?? (error as Error).message}`);
  }
  const [outPtr, outLen, errorRef, isError] = result;
  if (isError) {
    const error = wasm.__wbindgen_externrefs.get(errorRef);
    wasm.__externref_table_dealloc(errorRef);
    const message = error instanceof Object && "message" in error ? String(error.message) : String(error);
    throw new Error(`schema.prisma is invalid: ${message}`);
  }
  const json = new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, outPtr >>> 0, outLen >>> 0));
  wasm.__wbindgen_free(outPtr, outLen, 1);
  return JSON.parse(json) as Dmmf;
}

// ---------------------------------------------------------------------------------------------
// The shape of a PostgreSQL schema, as both sides describe it

interface ColumnShape {
  /** As PostgreSQL's format_type() prints it, e.g. `timestamp(3) without time zone`, `text[]`. */
  type: string;
  /** null: not checked (Prisma creates list columns without NOT NULL and ignores it in diffs). */
  notNull: boolean | null;
  /** Normalised default expression (see normaliseDefault), or null for none. */
  default: string | null;
}

interface IndexShape {
  kind: "primary key" | "unique index" | "index";
  name: string;
  /** Column names, with ` DESC` for descending ones. */
  columns: string[];
  method: string;
  predicate: string | null;
}

interface ForeignKeyShape {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

interface TableShape {
  columns: Map<string, ColumnShape>;
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
  /** CHECK, EXCLUDE or other constraints Prisma never creates. */
  otherConstraints: string[];
}

interface SchemaShape {
  tables: Map<string, TableShape>;
  enums: Map<string, string[]>;
  /** Things in schema.prisma this comparison does not know how to map; reported as differences. */
  unsupported: string[];
}

function emptyTable(): TableShape {
  return { columns: new Map(), indexes: [], foreignKeys: [], otherConstraints: [] };
}

// ---------------------------------------------------------------------------------------------
// Expected shape, from the DMMF

const PG_MAX_IDENTIFIER = 63;

/** Prisma's default constraint names (psl-core ConstraintNames), truncated to PostgreSQL's limit. */
function prismaConstraintName(table: string, columns: string[], suffix: string): string {
  const base = columns.length ? `${table}_${columns.join("_")}` : table;
  const room = PG_MAX_IDENTIFIER - suffix.length;
  let cut = Buffer.from(base, "utf8").subarray(0, room).toString("utf8");
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1); // do not split a multi-byte character
  return `${cut}${suffix}`;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};

/** PostgreSQL's format_type() of a Prisma native type attribute (`@db.X(args)`). */
function nativeTypeSql(name: string, args: string[]): string | undefined {
  const mod = args.length ? `(${args.join(",")})` : "";
  const simple: Record<string, string> = {
    Text: "text",
    Uuid: "uuid",
    Integer: "integer",
    SmallInt: "smallint",
    BigInt: "bigint",
    Boolean: "boolean",
    Date: "date",
    Json: "json",
    JsonB: "jsonb",
    DoublePrecision: "double precision",
    Real: "real",
    ByteA: "bytea",
    Inet: "inet",
    Citext: "citext",
    Xml: "xml",
    Money: "money",
    Oid: "oid",
  };
  if (simple[name]) return simple[name];
  switch (name) {
    case "VarChar":
      return `character varying${mod}`;
    case "Char":
      return `character${mod}`;
    case "Decimal":
      return `numeric${mod}`;
    case "Timestamp":
      return `timestamp${mod} without time zone`;
    case "Timestamptz":
      return `timestamp${mod} with time zone`;
    case "Time":
      return `time${mod} without time zone`;
    case "Timetz":
      return `time${mod} with time zone`;
    case "Bit":
      return `bit${mod}`;
    case "VarBit":
      return `bit varying${mod}`;
    default:
      return undefined;
  }
}

function sqlLiteral(value: DmmfDefault, enumValue?: (name: string) => string): string {
  if (Array.isArray(value)) return `ARRAY[${value.map((v) => sqlLiteral(v, enumValue)).join(", ")}]`;
  if (typeof value === "string") {
    const text = enumValue ? enumValue(value) : value;
    return `'${text.replace(/'/g, "''")}'`;
  }
  if (typeof value === "object") throw new Error(`not a literal: ${JSON.stringify(value)}`);
  return String(value);
}

/** The default PostgreSQL should hold for a field, normalised like the database side; null for none. */
function expectedDefault(
  field: DmmfField,
  enums: Map<string, DmmfEnum>,
): string | null | { unsupported: string } {
  const value = field.default;
  if (!field.hasDefaultValue || value === undefined) return null;
  if (typeof value === "object" && !Array.isArray(value)) {
    switch (value.name) {
      case "now":
        return "CURRENT_TIMESTAMP";
      case "autoincrement":
        return "autoincrement";
      // Generated by Prisma Client, not by the database.
      case "uuid":
      case "cuid":
      case "nanoid":
      case "ulid":
        return null;
      case "dbgenerated":
        return value.args[0] === undefined ? null : normaliseDefault(String(value.args[0]));
      default:
        return { unsupported: `@default(${value.name}(...))` };
    }
  }
  const enumDef = field.kind === "enum" ? enums.get(field.type) : undefined;
  const enumValue = enumDef
    ? (name: string) => enumDef.values.find((v) => v.name === name)?.dbName ?? name
    : undefined;
  return normaliseDefault(sqlLiteral(value, enumValue));
}

function expectedSchema(dmmf: Dmmf, schemaText: string): SchemaShape {
  const { models, enums, indexes } = dmmf.datamodel;
  if (!indexes)
    throw new Error("this Prisma version's DMMF has no datamodel.indexes; the test needs updating");
  const shape: SchemaShape = { tables: new Map(), enums: new Map(), unsupported: [] };
  const enumsByName = new Map(enums.map((e) => [e.name, e]));
  const modelsByName = new Map(models.map((m) => [m.name, m]));
  const tableName = (m: DmmfModel) => m.dbName ?? m.name;
  const columnName = (m: DmmfModel, fieldName: string) => {
    const field = m.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`DMMF: ${m.name} has no field ${fieldName}`);
    return field.dbName ?? field.name;
  };
  const relationMaps = relationMapArguments(schemaText);

  for (const e of enums) {
    shape.enums.set(
      e.dbName ?? e.name,
      e.values.map((v) => v.dbName ?? v.name),
    );
  }

  for (const model of models) {
    const table = tableName(model);
    if (model.schema && model.schema !== "public")
      shape.unsupported.push(`${model.name}: @@schema("${model.schema}")`);
    const t = emptyTable();
    shape.tables.set(table, t);

    for (const field of model.fields) {
      const where = `${model.name}.${field.name}`;
      if (field.kind === "object") {
        const from = field.relationFromFields ?? [];
        if (!from.length) continue; // the other side of the relation holds the foreign key
        const target = modelsByName.get(field.type);
        if (!target) throw new Error(`DMMF: ${where} refers to unknown model ${field.type}`);
        const columns = from.map((f) => columnName(model, f));
        const required = from.every((f) => model.fields.find((x) => x.name === f)?.isRequired);
        t.foreignKeys.push({
          name: relationMaps.get(where) ?? prismaConstraintName(table, columns, "_fkey"),
          columns,
          refTable: tableName(target),
          refColumns: (field.relationToFields ?? []).map((f) => columnName(target, f)),
          // Prisma's defaults: Restrict for required relations, SetNull for optional ones; Cascade on update.
          onDelete: field.relationOnDelete ?? (required ? "Restrict" : "SetNull"),
          onUpdate: field.relationOnUpdate ?? "Cascade",
        });
        continue;
      }
      if (field.kind === "unsupported") {
        shape.unsupported.push(`${where}: Unsupported("${field.type}")`);
        continue;
      }
      let type: string | undefined;
      if (field.kind === "enum") {
        const e = enumsByName.get(field.type);
        type = quoteIdent(e?.dbName ?? field.type);
      } else if (field.nativeType) {
        const [name, args] = field.nativeType;
        type = nativeTypeSql(name, args);
        if (!type) shape.unsupported.push(`${where}: @db.${name}`);
      } else {
        type = SCALAR_TYPES[field.type];
        if (!type) shape.unsupported.push(`${where}: type ${field.type}`);
      }
      if (!type) continue;
      const def = expectedDefault(field, enumsByName);
      if (def !== null && typeof def === "object") {
        shape.unsupported.push(`${where}: ${def.unsupported}`);
        continue;
      }
      t.columns.set(field.dbName ?? field.name, {
        type: field.isList ? `${type}[]` : type,
        notNull: field.isList ? null : field.isRequired,
        default: def,
      });
    }
  }

  for (const index of indexes) {
    const model = modelsByName.get(index.model);
    if (!model) throw new Error(`DMMF: index on unknown model ${index.model}`);
    const table = tableName(model);
    const t = shape.tables.get(table);
    if (!t) throw new Error(`DMMF: no table for ${index.model}`);
    if (index.type === "fulltext") {
      shape.unsupported.push(`${index.model}: @@fulltext`);
      continue;
    }
    if (index.fields.some((f) => f.length !== undefined || f.operatorClass !== undefined)) {
      shape.unsupported.push(
        `${index.model}: index with length or ops on (${index.fields.map((f) => f.name)})`,
      );
    }
    const plain = index.fields.map((f) => columnName(model, f.name));
    const kind = index.type === "id" ? "primary key" : index.type === "unique" ? "unique index" : "index";
    const suffix = index.type === "id" ? "_pkey" : index.type === "unique" ? "_key" : "_idx";
    t.indexes.push({
      kind,
      name: index.dbName ?? prismaConstraintName(table, index.type === "id" ? [] : plain, suffix),
      columns: index.fields.map((f, i) => `${plain[i]}${f.sortOrder === "desc" ? " DESC" : ""}`),
      method: (index.algorithm ?? "BTree").toLowerCase(),
      predicate: null,
    });
  }

  checkIndexesAgreeWithModels(dmmf, shape);
  return shape;
}

/**
 * The DMMF states keys twice: in datamodel.indexes and on the models (`@id`/`@unique` fields,
 * primaryKey, uniqueIndexes). Both must agree, or the DMMF format changed under this test.
 */
function checkIndexesAgreeWithModels(dmmf: Dmmf, shape: SchemaShape) {
  for (const model of dmmf.datamodel.models) {
    const col = (name: string) => model.fields.find((f) => f.name === name)?.dbName ?? name;
    const fromModel = [
      ...(model.primaryKey ? [`primary key (${model.primaryKey.fields.map(col)})`] : []),
      ...model.fields.filter((f) => f.isId).map((f) => `primary key (${col(f.name)})`),
      ...model.fields.filter((f) => f.isUnique).map((f) => `unique index (${col(f.name)})`),
      ...model.uniqueIndexes.map((u) => `unique index (${u.fields.map(col)})`),
    ].sort();
    const fromIndexes = (shape.tables.get(model.dbName ?? model.name)?.indexes ?? [])
      .filter((i) => i.kind !== "index")
      .map((i) => `${i.kind} (${i.columns.map((c) => c.replace(/ DESC$/, ""))})`)
      .sort();
    expect({ model: model.name, keys: fromIndexes }).toEqual({ model: model.name, keys: fromModel });
  }
}

/** `map:` arguments of `@relation(...)`: the DMMF does not carry foreign key names. */
function relationMapArguments(schemaText: string): Map<string, string> {
  const maps = new Map<string, string>();
  const withoutComments = schemaText.replace(/\/\/.*$/gm, "");
  for (const block of withoutComments.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)) {
    for (const line of (block[2] ?? "").split("\n")) {
      const match = /^\s*(\w+)\s+\S+.*@relation\((.*)\)/.exec(line);
      const map = match?.[2] && /\bmap\s*:\s*"([^"]+)"/.exec(match[2]);
      if (match && map) maps.set(`${block[1]}.${match[1]}`, map[1] ?? "");
    }
  }
  return maps;
}

// ---------------------------------------------------------------------------------------------
// Actual shape, from PostgreSQL's catalog

/**
 * Makes a default expression comparable: drops type casts outside string literals (`''::text`,
 * `'NONE'::"SendState"`, `ARRAY[]::text[]`), redundant parentheses and quotes around numbers, and
 * treats any sequence default as `autoincrement`.
 */
function normaliseDefault(expression: string): string {
  let s = expression.trim();
  if (/^nextval\(/i.test(s)) return "autoincrement";
  const cast =
    /::(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_]*)(?:\s*\([\d,\s]+\))?(?:\s+(?:varying|precision|with(?:out)? time zone))*(?:\s*\([\d,\s]+\))?(?:\[\])*/gi;
  s = s
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(cast, "")))
    .join("")
    .trim();
  while (s.startsWith("(") && s.endsWith(")") && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  const quotedNumber = /^'(-?\d+(?:\.\d+)?)'$/.exec(s);
  if (quotedNumber?.[1]) return quotedNumber[1];
  if (/^(current_timestamp|now\(\))$/i.test(s)) return "CURRENT_TIMESTAMP";
  return s;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s.replace(/'(?:[^']|'')*'/g, "")) {
    if (c === "(") depth++;
    if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

const ON_ACTION: Record<string, string> = {
  a: "NoAction",
  r: "Restrict",
  c: "Cascade",
  n: "SetNull",
  d: "SetDefault",
};

interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string): Promise<pg.QueryResult<R>>;
}

async function actualSchema(db: Queryable): Promise<SchemaShape> {
  const shape: SchemaShape = { tables: new Map(), enums: new Map(), unsupported: [] };
  const table = (name: string) => {
    let t = shape.tables.get(name);
    if (!t) {
      t = emptyTable();
      shape.tables.set(name, t);
    }
    return t;
  };

  const tables = await db.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '${MIGRATIONS_TABLE}'`);
  for (const { name } of tables.rows) table(name);

  const columns = await db.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    default: string | null;
    identity: string;
    generated: string;
  }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
           a.attidentity AS identity, a.attgenerated AS generated
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '${MIGRATIONS_TABLE}'
      AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`);
  for (const c of columns.rows) {
    let def = c.default === null ? null : normaliseDefault(c.default);
    if (c.identity) def = `GENERATED ${c.identity === "a" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY`;
    if (c.generated) def = `GENERATED ALWAYS AS (${c.default})`;
    table(c.table).columns.set(c.column, {
      type: c.type,
      notNull: c.type.endsWith("[]") ? null : c.not_null,
      default: def,
    });
  }

  const indexes = await db.query<{
    table: string;
    name: string;
    primary: boolean;
    unique: boolean;
    method: string;
    predicate: string | null;
    columns: string[];
  }>(`
    SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique,
           am.amname AS method, pg_get_expr(x.indpred, x.indrelid) AS predicate,
           ARRAY(
             SELECT COALESCE(a.attname::text, '(expression)')
                    || CASE WHEN (x.indoption[k.ord - 1] & 1) = 1 THEN ' DESC' ELSE '' END
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0
             WHERE k.ord <= x.indnkeyatts
             ORDER BY k.ord
           ) AS columns
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_am am ON am.oid = i.relam
    WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND t.relname <> '${MIGRATIONS_TABLE}'`);
  for (const i of indexes.rows) {
    if (i.name in INDEXES_THE_SCHEMA_CANNOT_STATE) continue;
    table(i.table).indexes.push({
      kind: i.primary ? "primary key" : i.unique ? "unique index" : "index",
      name: i.name,
      columns: i.columns,
      method: i.method,
      predicate: i.predicate,
    });
  }

  const constraints = await db.query<{
    table: string;
    name: string;
    type: string;
    definition: string;
    ref_table: string | null;
    on_delete: string;
    on_update: string;
    columns: string[];
    ref_columns: string[];
  }>(`
    SELECT t.relname AS table, c.conname AS name, c.contype AS type, pg_get_constraintdef(c.oid) AS definition,
           r.relname AS ref_table, c.confdeltype AS on_delete, c.confupdtype AS on_update,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_class r ON r.oid = c.confrelid
    WHERE n.nspname = current_schema() AND t.relname <> '${MIGRATIONS_TABLE}'`);
  for (const c of constraints.rows) {
    // p and u constraints are read as their indexes; n is PostgreSQL 18's record of NOT NULL.
    if (c.type === "p" || c.type === "u" || c.type === "n") continue;
    if (c.type === "f") {
      table(c.table).foreignKeys.push({
        name: c.name,
        columns: c.columns,
        refTable: c.ref_table ?? "?",
        refColumns: c.ref_columns,
        onDelete: ON_ACTION[c.on_delete] ?? c.on_delete,
        onUpdate: ON_ACTION[c.on_update] ?? c.on_update,
      });
    } else {
      table(c.table).otherConstraints.push(`${c.name}: ${c.definition}`);
    }
  }

  const enums = await db.query<{ name: string; values: string[] }>(`
    SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema()
    GROUP BY t.typname`);
  for (const e of enums.rows) shape.enums.set(e.name, e.values);

  return shape;
}

// ---------------------------------------------------------------------------------------------
// Comparison

function describeColumn(c: ColumnShape): string {
  const nullability = c.notNull === null ? "" : c.notNull ? " NOT NULL" : " NULL";
  return `${c.type}${nullability}${c.default === null ? "" : ` DEFAULT ${c.default}`}`;
}

function indexKey(i: IndexShape): string {
  const using = i.method === "btree" ? "" : ` USING ${i.method}`;
  return `${i.kind} (${i.columns.join(", ")})${using}${i.predicate ? ` WHERE ${i.predicate}` : ""}`;
}

function foreignKeyKey(f: ForeignKeyShape): string {
  return `(${f.columns.join(", ")}) -> "${f.refTable}"(${f.refColumns.join(", ")})`;
}

function foreignKeyActions(f: ForeignKeyShape): string {
  return `ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}`;
}

function sortedKeys<T>(...maps: Map<string, T>[]): string[] {
  return [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
}

/** Every way the migrated database differs from schema.prisma, one readable line each. */
function diffSchemas(expected: SchemaShape, actual: SchemaShape): string[] {
  const out: string[] = expected.unsupported.map(
    (u) => `schema.prisma uses something this test cannot check: ${u}`,
  );

  for (const name of sortedKeys(expected.enums, actual.enums)) {
    const want = expected.enums.get(name);
    const got = actual.enums.get(name);
    if (!got) out.push(`enum "${name}": missing in the database (schema.prisma: ${want?.join(", ")})`);
    else if (!want) out.push(`enum "${name}": in the database (${got.join(", ")}) but not in schema.prisma`);
    else if (want.join() !== got.join())
      out.push(`enum "${name}": values are ${got.join(", ")}; schema.prisma says ${want.join(", ")}`);
  }

  for (const tableName of sortedKeys(expected.tables, actual.tables)) {
    const want = expected.tables.get(tableName);
    const got = actual.tables.get(tableName);
    if (!got) {
      out.push(`table "${tableName}": missing in the database`);
      continue;
    }
    if (!want) {
      out.push(`table "${tableName}": in the database but not in schema.prisma`);
      continue;
    }

    for (const columnName of sortedKeys(want.columns, got.columns)) {
      const w = want.columns.get(columnName);
      const g = got.columns.get(columnName);
      const where = `column "${tableName}"."${columnName}"`;
      if (!g) out.push(`${where}: missing in the database (schema.prisma: ${w && describeColumn(w)})`);
      else if (!w) out.push(`${where}: in the database (${describeColumn(g)}) but not in schema.prisma`);
      else {
        if (w.type !== g.type) out.push(`${where}: type is ${g.type}; schema.prisma says ${w.type}`);
        if (w.notNull !== null && w.notNull !== g.notNull)
          out.push(
            `${where}: is ${g.notNull ? "NOT NULL" : "nullable"}; schema.prisma says ${w.notNull ? "NOT NULL" : "nullable"}`,
          );
        if (w.default !== g.default)
          out.push(`${where}: default is ${g.default ?? "none"}; schema.prisma says ${w.default ?? "none"}`);
      }
    }

    const wantIndexes = new Map(want.indexes.map((i) => [indexKey(i), i]));
    const gotIndexes = new Map(got.indexes.map((i) => [indexKey(i), i]));
    for (const key of sortedKeys(wantIndexes, gotIndexes)) {
      const w = wantIndexes.get(key);
      const g = gotIndexes.get(key);
      const where = `"${tableName}" ${key}`;
      if (!g) out.push(`${where}: missing in the database`);
      else if (!w) out.push(`${where}: in the database ("${g.name}") but not in schema.prisma`);
      else if (w.name !== g.name) out.push(`${where}: is named "${g.name}"; Prisma names it "${w.name}"`);
    }
    if (want.indexes.length !== wantIndexes.size || got.indexes.length !== gotIndexes.size)
      out.push(`"${tableName}": the same index is declared twice`);

    const wantFks = new Map(want.foreignKeys.map((f) => [foreignKeyKey(f), f]));
    const gotFks = new Map(got.foreignKeys.map((f) => [foreignKeyKey(f), f]));
    for (const key of sortedKeys(wantFks, gotFks)) {
      const w = wantFks.get(key);
      const g = gotFks.get(key);
      const where = `"${tableName}" foreign key ${key}`;
      if (!g) out.push(`${where}: missing in the database (schema.prisma: ${w && foreignKeyActions(w)})`);
      else if (!w)
        out.push(`${where}: in the database ("${g.name}", ${foreignKeyActions(g)}) but not in schema.prisma`);
      else {
        if (foreignKeyActions(w) !== foreignKeyActions(g))
          out.push(`${where}: is ${foreignKeyActions(g)}; schema.prisma says ${foreignKeyActions(w)}`);
        if (w.name !== g.name) out.push(`${where}: is named "${g.name}"; Prisma names it "${w.name}"`);
      }
    }

    for (const c of got.otherConstraints) out.push(`"${tableName}": constraint ${c} is not in schema.prisma`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const logger = createLogger("silent");

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe("schema.prisma and the migrations", () => {
  const schemaText = readFileSync(SCHEMA_PATH, "utf8");
  let expected: SchemaShape;
  let actual: SchemaShape;
  let url: string;

  beforeAll(async () => {
    expected = expectedSchema(getDmmf(schemaText), schemaText);
    url = await createTestDatabase();
    actual = await withClient(url, actualSchema);
  });

  test("applying the migrations yields exactly the schema in schema.prisma", () => {
    expect(diffSchemas(expected, actual)).toEqual([]);
  });

  test("the indexes schema.prisma cannot state exist as the migrations define them, and are named there", async () => {
    const rows = await withClient(url, async (db) => {
      const result = await db.query<{ indexname: string; indexdef: string }>(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
      );
      return result.rows;
    });
    for (const [name, definition] of Object.entries(INDEXES_THE_SCHEMA_CANNOT_STATE)) {
      expect(rows.find((r) => r.indexname === name)?.indexdef).toContain(definition);
      expect(schemaText).toContain(`"${name}"`);
    }
  });

  test("the comparison covers every model, enum and relation of schema.prisma", () => {
    const dmmf = getDmmf(schemaText);
    expect([...expected.tables.keys()].sort()).toEqual(
      dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort(),
    );
    expect([...expected.enums.keys()].sort()).toEqual(
      dmmf.datamodel.enums.map((e) => e.dbName ?? e.name).sort(),
    );
    const relations = dmmf.datamodel.models.flatMap((m) =>
      m.fields.filter((f) => f.kind === "object" && f.relationFromFields?.length),
    );
    const foreignKeys = [...expected.tables.values()].flatMap((t) => t.foreignKeys);
    expect(foreignKeys).toHaveLength(relations.length);
    expect(relations.length).toBeGreaterThan(0);
    // Sanity of the catalog reading: the spot checks below are facts of the current schema.
    expect(actual.tables.get("Message")?.columns.get("seq")).toEqual({
      type: "bigint",
      notNull: true,
      default: "autoincrement",
    });
    expect(actual.tables.get("Message")?.columns.get("media")).toEqual({
      type: "text[]",
      notNull: null,
      default: "ARRAY[]",
    });
    expect(actual.tables.get("Message")?.columns.get("sendState")?.default).toBe("'NONE'");
  });

  test("a schema.prisma the migrations do not implement is reported, naming what differs", () => {
    const variants: [string, (text: string) => string, string][] = [
      [
        "a field added",
        (s) => s.replace(/(model Line \{\n)/, "$1  nickname String?\n"),
        'column "Line"."nickname": missing in the database (schema.prisma: text NULL)',
      ],
      [
        "a field made optional",
        (s) => s.replace(/(model Contact \{[\s\S]*?number\s+)String /, "$1String? "),
        'column "Contact"."number": is NOT NULL; schema.prisma says nullable',
      ],
      [
        "a type changed",
        (s) => s.replace(/(model Participant \{[\s\S]*?position\s+)Int/, "$1BigInt"),
        'column "Participant"."position": type is integer; schema.prisma says bigint',
      ],
      [
        "a default changed",
        (s) => s.replace(/(groupEnabled\s+Boolean\s+)@default\(false\)/, "$1@default(true)"),
        'column "Line"."groupEnabled": default is false; schema.prisma says true',
      ],
      [
        "an index added",
        (s) => s.replace(/(model Contact \{[\s\S]*?)(\n\})/, "$1\n  @@index([name])$2"),
        '"Contact" index (name): missing in the database',
      ],
      [
        "a unique index removed",
        (s) => s.replace(/(model Line \{[\s\S]*?number\s+String)\s+@unique/, "$1"),
        '"Line" unique index (number): in the database ("Line_number_key") but not in schema.prisma',
      ],
      [
        "an onDelete changed",
        (s) =>
          s.replace(
            /(model Delivery \{[\s\S]*?references: \[id\]), onDelete: Cascade/,
            "$1, onDelete: Restrict",
          ),
        '"Delivery" foreign key (messageId) -> "Message"(id): is ON DELETE Cascade ON UPDATE Cascade; schema.prisma says ON DELETE Restrict ON UPDATE Cascade',
      ],
      [
        "an enum value added",
        (s) => s.replace(/(enum ConsentSource \{[^}]*?IMPORT)/, "$1\n  API"),
        'enum "ConsentSource": values are KEYWORD, ADMIN, IMPORT; schema.prisma says KEYWORD, ADMIN, IMPORT, API',
      ],
      [
        "a model added",
        (s) => `${s}\nmodel Extra {\n  id Int @id\n}\n`,
        'table "Extra": missing in the database',
      ],
    ];
    for (const [what, alter, difference] of variants) {
      const altered = alter(schemaText);
      expect({ what, changed: altered !== schemaText }).toEqual({ what, changed: true });
      const differences = diffSchemas(expectedSchema(getDmmf(altered), altered), actual);
      expect({ what, differences }).toEqual({ what, differences: expect.arrayContaining([difference]) });
    }
  });

  test("a database that drifted from the migrations is reported, naming what differs", async () => {
    await withClient(url, async (client) => {
      await client.query("BEGIN");
      try {
        await client.query(`ALTER TABLE "Message" ALTER COLUMN "text" DROP DEFAULT`);
        await client.query(`ALTER TABLE "Message" ADD COLUMN "extra" integer`);
        await client.query(`CREATE INDEX "Message_slackTs_idx" ON "Message" ("slackTs" DESC)`);
        await client.query(`ALTER TABLE "GroupConversation" DROP CONSTRAINT "GroupConversation_lineId_fkey"`);
        await client.query(`ALTER TABLE "Settings" ADD CONSTRAINT "one_row" CHECK ("id" = 1)`);
        await client.query(`CREATE TABLE "Stray" ("id" integer)`);
        const drifted = await actualSchema(client);
        expect(diffSchemas(expected, drifted).sort()).toEqual(
          [
            'column "Message"."extra": in the database (integer NULL) but not in schema.prisma',
            `column "Message"."text": default is none; schema.prisma says ''`,
            '"Message" index (slackTs DESC): in the database ("Message_slackTs_idx") but not in schema.prisma',
            '"GroupConversation" foreign key (lineId) -> "Line"(id): missing in the database (schema.prisma: ON DELETE Restrict ON UPDATE Cascade)',
            '"Settings": constraint one_row: CHECK ((id = 1)) is not in schema.prisma',
            'table "Stray": in the database but not in schema.prisma',
          ].sort(),
        );
      } finally {
        await client.query("ROLLBACK");
      }
    });
  });
});

describe("the migrator", () => {
  const migrationFiles = () =>
    readMigrations().then((ms) =>
      ms.map((m) => {
        const bytes = readFileSync(path.join(MIGRATIONS_DIR, m.name, "migration.sql"));
        return { name: m.name, checksum: createHash("sha256").update(bytes).digest("hex") };
      }),
    );

  async function migrationRows(url: string) {
    return withClient(url, async (client) => {
      const { rows } = await client.query<{
        id: string;
        checksum: string;
        finished_at: Date | null;
        migration_name: string;
        logs: string | null;
        rolled_back_at: Date | null;
        started_at: Date;
        applied_steps_count: number;
      }>(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
      return rows;
    });
  }

  test("keeps _prisma_migrations with the columns `prisma migrate deploy` uses", async () => {
    const url = await createTestDatabase();
    const columns = await withClient(url, async (client) => {
      const { rows } = await client.query<{
        name: string;
        type: string;
        not_null: boolean;
        default: string | null;
      }>(`
        SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS default
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = '"_prisma_migrations"'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`);
      return rows;
    });
    expect(columns).toEqual([
      { name: "id", type: "character varying(36)", not_null: true, default: null },
      { name: "checksum", type: "character varying(64)", not_null: true, default: null },
      { name: "finished_at", type: "timestamp with time zone", not_null: false, default: null },
      { name: "migration_name", type: "character varying(255)", not_null: true, default: null },
      { name: "logs", type: "text", not_null: false, default: null },
      { name: "rolled_back_at", type: "timestamp with time zone", not_null: false, default: null },
      { name: "started_at", type: "timestamp with time zone", not_null: true, default: "now()" },
      { name: "applied_steps_count", type: "integer", not_null: true, default: "0" },
    ]);
  });

  test("records each migration once with its sha256 checksum, and applies nothing the second time", async () => {
    const files = await migrationFiles();
    expect(files.length).toBeGreaterThan(0);
    const url = await createTestDatabase({ migrated: false });

    const first = await migrate(url, logger);
    expect(first).toEqual(files.map((f) => f.name));
    const rows = await migrationRows(url);
    expect(rows.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(files);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at?.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const second = await migrate(url, logger);
    expect(second).toEqual([]);
    expect(await migrationRows(url)).toEqual(rows);
  });

  test("two migrators starting at once on a fresh database both succeed and apply each migration once", async () => {
    const files = await migrationFiles();
    const url = await createTestDatabase({ migrated: false });

    const [a, b] = await Promise.all([migrate(url, logger), migrate(url, logger)]);
    expect([...a, ...b].sort()).toEqual(files.map((f) => f.name));
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    const shape = await withClient(url, actualSchema);
    expect(shape.tables.size).toBeGreaterThan(0);
  });
});
