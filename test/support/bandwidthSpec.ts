import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

/**
 * Bandwidth's published OpenAPI 3.0 document (shipped inside bandwidth-sdk), loaded once and
 * compiled lazily with Ajv so tests can check payloads against the real contract.
 */

const SPEC_ID = "bandwidth.yml";
const SPEC_PATH = require.resolve("bandwidth-sdk/bandwidth.yml");

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what} is not an object in ${SPEC_PATH}`);
  return value;
}

interface LoadedSpec {
  document: JsonObject;
  schemas: JsonObject;
  examples: JsonObject;
  requestBodies: JsonObject;
  ajv: Ajv;
}

let loaded: LoadedSpec | undefined;

function spec(): LoadedSpec {
  if (loaded) return loaded;
  const document = asObject(parse(readFileSync(SPEC_PATH, "utf8")), "bandwidth.yml");
  const components = asObject(document.components, "components");

  // strict:false because the document is full of OpenAPI-only keywords (example, discriminator, x-*)
  // that Ajv would otherwise reject. Ajv 8 implements OpenAPI's `nullable` natively.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Used by the toll-free verification schemas; registered only so compiling them doesn't warn.
  ajv.addFormat("date-time-local", /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/);
  ajv.addSchema({ ...document, $id: SPEC_ID });

  loaded = {
    document,
    schemas: asObject(components.schemas, "components.schemas"),
    examples: asObject(components.examples, "components.examples"),
    requestBodies: asObject(components.requestBodies, "components.requestBodies"),
    ajv,
  };
  return loaded;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(name: string): ValidateFunction {
  const cached = validators.get(name);
  if (cached) return cached;
  const { schemas, ajv } = spec();
  if (!(name in schemas)) throw new Error(`No schema named "${name}" in components.schemas of ${SPEC_PATH}`);
  const validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
  validators.set(name, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  const allowed: unknown = error.params.allowedValues;
  const suffix = error.keyword === "enum" && Array.isArray(allowed) ? `: ${allowed.join(", ")}` : "";
  return `${where} ${error.message ?? error.keyword}${suffix}`;
}

export interface SchemaError {
  /** JSON pointer of the offending value, "" for the root. */
  path: string;
  /** Top-level property the error belongs to (what Bandwidth reports as `fieldName`), if any. */
  field: string | undefined;
  message: string;
}

/** Structured form of {@link validateSchema}, for callers that need field names. */
export function schemaErrors(name: string, value: unknown): SchemaError[] {
  const validate = validatorFor(name);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => {
    const missing: unknown = error.params.missingProperty;
    const topLevel = error.instancePath.split("/")[1];
    const field = topLevel ?? (typeof missing === "string" ? missing : undefined);
    return { path: error.instancePath, field, message: describeError(error) };
  });
}

/** Validates `value` against `#/components/schemas/{name}`; returns readable errors, empty when valid. */
export function validateSchema(name: string, value: unknown): string[] {
  return schemaErrors(name, value).map((error) => error.message);
}

/** Deep copy of `#/components/examples/{name}/value`. */
export function specExample(name: string): unknown {
  const example = spec().examples[name];
  if (!isObject(example) || !("value" in example)) {
    throw new Error(`No example named "${name}" in components.examples of ${SPEC_PATH}`);
  }
  return structuredClone(example.value);
}

/** Media types the spec lists for a request body, e.g. the ones uploadMedia accepts. */
export function requestBodyContentTypes(name: string): string[] {
  const body = spec().requestBodies[name];
  if (!isObject(body) || !isObject(body.content)) {
    throw new Error(`No request body named "${name}" in components.requestBodies of ${SPEC_PATH}`);
  }
  return Object.keys(body.content);
}

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A message id shaped like Bandwidth's: epoch millis followed by 16 lowercase alphanumerics. */
export function newMessageId(): string {
  let suffix = "";
  for (let i = 0; i < 16; i++) suffix += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return `${Date.now()}${suffix}`;
}

const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION = "^{}\\[~]|€\f";

/**
 * Carrier segment count: GSM-7 text fits 160 septets (153 per part when concatenated), anything else
 * is UCS-2 at 70 (67) code units. MMS (media or group) is always one segment.
 */
export function estimateSegmentCount(text: string, isMms: boolean): number {
  if (isMms || text.length === 0) return 1;
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) septets += 1;
    else if (GSM7_EXTENSION.includes(ch)) septets += 2;
    else {
      const units = text.length;
      return units <= 70 ? 1 : Math.ceil(units / 67);
    }
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

export type PriorityEnum = "default" | "high";
export type MessageDirection = "in" | "out";
export type StatusCallbackType = "message-sending" | "message-sent" | "message-delivered" | "message-failed";

/** `statusCallbackMessage` / `inboundCallbackMessage` (SMS/MMS subset). */
export interface CallbackMessage {
  id: string;
  owner: string;
  applicationId: string;
  time: string;
  segmentCount: number;
  direction: MessageDirection;
  to: string[];
  from: string;
  text?: string;
  media?: string[];
  tag?: string;
  priority?: PriorityEnum;
}

/** One element of the JSON array Bandwidth POSTs for inbound messages. */
export interface InboundCallback {
  time: string;
  type: "message-received";
  to: string;
  description: string;
  message: CallbackMessage;
  carrierName?: string;
}

/** One element of the JSON array Bandwidth POSTs for outbound message status. */
export interface StatusCallback {
  time: string;
  type: StatusCallbackType;
  to: string;
  description: string;
  message: CallbackMessage;
  errorCode?: number;
  carrierName?: string;
}

export type BandwidthCallback = InboundCallback | StatusCallback;

/** Returns `value` typed as T once it validates against the named schema; throws otherwise. */
export function assertSchema<T>(name: string, value: unknown): T {
  const errors = validateSchema(name, value);
  if (errors.length > 0) {
    throw new Error(`Value does not match ${name} in bandwidth.yml:\n  ${errors.join("\n  ")}`);
  }
  return value as T;
}

function exampleObject(name: string): JsonObject {
  return asObject(specExample(name), `components.examples.${name}.value`);
}

function setOrDelete(target: JsonObject, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

export interface InboundMessageOptions {
  /** The Bandwidth number that received the message (the app's group line). */
  line: string;
  from: string;
  /** Every recipient of the (group) message, including `line`. */
  to: string[];
  text?: string;
  media?: string[];
  id?: string;
  applicationId?: string;
  time?: string;
  segmentCount?: number;
}

/** A spec-valid `message-received` element, built from the spec's SMS/MMS example. */
export function inboundMessageCallback(opts: InboundMessageOptions): InboundCallback {
  if (!opts.to.includes(opts.line)) {
    throw new Error(`inboundMessageCallback: to (${opts.to.join(", ")}) must include the line ${opts.line}`);
  }
  const isMms = (opts.media?.length ?? 0) > 0 || opts.to.length > 1;
  const callback = exampleObject(
    isMms ? "mmsMessageReceivedCallbackExample" : "smsMessageReceivedCallbackExample",
  );
  const message = asObject(callback.message, "example message");
  const now = new Date().toISOString();
  const text = opts.text ?? "";

  callback.time = now;
  callback.to = opts.line;
  Object.assign(message, {
    id: opts.id ?? newMessageId(),
    owner: opts.line,
    time: opts.time ?? now,
    segmentCount: opts.segmentCount ?? estimateSegmentCount(text, isMms),
    direction: "in",
    to: [...opts.to],
    from: opts.from,
    text,
  });
  if (opts.applicationId !== undefined) message.applicationId = opts.applicationId;
  setOrDelete(message, "media", opts.media && opts.media.length > 0 ? [...opts.media] : undefined);
  return assertSchema<InboundCallback>("inboundCallback", callback);
}

export interface StatusCallbackOptions {
  type: StatusCallbackType;
  messageId: string;
  /** The Bandwidth number the message was sent from. */
  line: string;
  /** The recipient this status event is about (Bandwidth sends one event per recipient). */
  recipient: string;
  /** Every recipient of the original message; defaults to `[recipient]`. */
  allRecipients?: string[];
  tag?: string;
  /** Only used for `message-failed`; defaults to the spec example's code. */
  errorCode?: number;
  description?: string;
  applicationId?: string;
  media?: string[];
  /** `message.time`, i.e. when the message was created; defaults to now. */
  time?: string;
  /** The segments Bandwidth counted for the message; defaults to the spec example's 1. */
  segmentCount?: number;
}

const STATUS_EXAMPLES: Record<Exclude<StatusCallbackType, "message-delivered">, string> = {
  "message-sending": "messageSendingCallbackExample",
  "message-sent": "messageSentCallbackExample",
  "message-failed": "messageFailedCallbackExample",
};

/** A spec-valid status callback element, built from the spec's example for that event type. */
export function statusCallback(opts: StatusCallbackOptions): StatusCallback {
  const allRecipients = opts.allRecipients ?? [opts.recipient];
  if (!allRecipients.includes(opts.recipient)) {
    throw new Error(`statusCallback: allRecipients must include the recipient ${opts.recipient}`);
  }
  const isGroup = allRecipients.length > 1;
  const exampleName =
    opts.type === "message-delivered"
      ? isGroup
        ? "groupMmsMessageDeliveredCallbackExample"
        : "smsMessageDeliveredCallbackExample"
      : STATUS_EXAMPLES[opts.type];
  const callback = exampleObject(exampleName);
  const message = asObject(callback.message, "example message");
  const now = new Date().toISOString();
  const hasMedia = (opts.media?.length ?? 0) > 0;

  callback.time = now;
  callback.to = opts.recipient;
  if (opts.description !== undefined) callback.description = opts.description;
  if (opts.type === "message-failed") {
    if (opts.errorCode !== undefined) callback.errorCode = opts.errorCode;
  } else {
    delete callback.errorCode;
  }
  // Some spec examples set owner to the recipient; for outbound messages it is the sending number.
  Object.assign(message, {
    id: opts.messageId,
    owner: opts.line,
    time: opts.time ?? now,
    segmentCount: opts.segmentCount ?? 1,
    direction: "out",
    to: [...allRecipients],
    from: opts.line,
  });
  if (opts.applicationId !== undefined) message.applicationId = opts.applicationId;
  setOrDelete(message, "media", hasMedia ? [...(opts.media ?? [])] : undefined);
  setOrDelete(message, "tag", opts.tag);
  return assertSchema<StatusCallback>("statusCallback", callback);
}

export interface QueryParameterSchema {
  type: string | undefined;
  enum: string[] | undefined;
}

let listParameters: Map<string, QueryParameterSchema> | undefined;

/** The query parameters of List Messages (operationId listMessages), with their schemas, from the spec. */
export function listMessagesParameters(): Map<string, QueryParameterSchema> {
  if (listParameters) return listParameters;
  const { document, schemas } = spec();
  const paths = asObject(document.paths, "paths");
  const operation = asObject(
    asObject(paths["/users/{accountId}/messages"], "messages path").get,
    "listMessages",
  );
  const components = asObject(document.components, "components");
  const parameters = asObject(components.parameters, "components.parameters");
  const resolve = (value: unknown, what: string): JsonObject => {
    const object = asObject(value, what);
    const ref = typeof object.$ref === "string" ? object.$ref : null;
    if (!ref) return object;
    const name = ref.split("/").pop() ?? "";
    return asObject(ref.includes("/parameters/") ? parameters[name] : schemas[name], ref);
  };
  listParameters = new Map();
  for (const entry of operation.parameters as unknown[]) {
    const parameter = resolve(entry, "parameter");
    if (parameter.in !== "query" || typeof parameter.name !== "string") continue;
    const schema = resolve(parameter.schema ?? {}, `${parameter.name} schema`);
    listParameters.set(parameter.name, {
      type: typeof schema.type === "string" ? schema.type : undefined,
      enum: Array.isArray(schema.enum) ? schema.enum.map(String) : undefined,
    });
  }
  return listParameters;
}
