import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const ROOT = resolve(__dirname, "../..");
// Slack's published manifest schema (draft-07, so Ajv's default class applies).
const SCHEMA_PATH = resolve(ROOT, "test/fixtures/slack-manifest.schema.json");

function compileManifestSchema(): ValidateFunction {
  const schema: unknown = JSON.parse(readFileSync(SCHEMA_PATH, "utf8"));
  if (typeof schema !== "object" || schema === null) throw new Error("schema is not an object");
  // strictTypes off: Slack's schema puts `minItems` under `items` without a type in a section we don't use.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  // Slack's schema carries two non-standard keywords: `_note` (a comment) and `regex` (used where `pattern`
  // was meant, on background_color). Enforce `regex` rather than ignore it so a bad colour fails here too.
  ajv.addKeyword({ keyword: "_note" });
  ajv.addKeyword({
    keyword: "regex",
    type: "string",
    schemaType: "string",
    errors: false,
    validate: (pattern: string, data: string) => new RegExp(pattern).test(data),
  });
  return ajv.compile(schema);
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function loadManifest(): Json {
  const manifest: unknown = parse(readFileSync(resolve(ROOT, "manifest.yml"), "utf8"));
  if (!isRecord(manifest)) throw new Error("manifest.yml is not a mapping");
  return manifest;
}

function at(value: unknown, ...path: string[]): unknown {
  let cur = value;
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

function stringArray(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new Error("expected string[]");
  return value;
}

describe("manifest.yml", () => {
  const validate = compileManifestSchema();

  it("validates against Slack's manifest schema", () => {
    const ok = validate(loadManifest());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("rejects a command without a description", () => {
    const manifest = loadManifest();
    const commands = at(manifest, "features", "slash_commands");
    if (!Array.isArray(commands) || !isRecord(commands[0])) throw new Error("no slash command");
    delete commands[0].description;
    expect(validate(manifest)).toBe(false);
    expect(
      validate.errors?.some((e) => e.keyword === "required" && e.params.missingProperty === "description"),
    ).toBe(true);
  });

  it("rejects an unknown scope type", () => {
    const manifest = loadManifest();
    const scopes = at(manifest, "oauth_config", "scopes");
    if (!isRecord(scopes)) throw new Error("no scopes");
    scopes.robot = ["chat:write"];
    expect(validate(manifest)).toBe(false);
    expect(validate.errors?.some((e) => e.keyword === "additionalProperties")).toBe(true);
  });

  it("rejects an invalid background colour (Slack's non-standard `regex` keyword is enforced)", () => {
    const manifest = loadManifest();
    const info = at(manifest, "display_information");
    if (!isRecord(info)) throw new Error("no display_information");
    info.background_color = "red";
    expect(validate(manifest)).toBe(false);
  });

  it("declares the command, events, scopes and URLs the app relies on", () => {
    const manifest = loadManifest();
    const commands = at(manifest, "features", "slash_commands");
    expect(commands).toEqual([
      expect.objectContaining({
        command: "/grouptext",
        description: "Start a Reply-All group text",
        usage_hint: "[one | many] [optional first message]",
        url: "https://YOUR-HOST/slack/events",
        should_escape: false,
      }),
    ]);

    const events = stringArray(at(manifest, "settings", "event_subscriptions", "bot_events"));
    expect(events).toEqual(expect.arrayContaining(["app_home_opened", "message.channels", "message.groups"]));

    const scopes = stringArray(at(manifest, "oauth_config", "scopes", "bot"));
    expect(scopes).toEqual(
      expect.arrayContaining([
        "commands",
        "chat:write",
        "chat:write.public",
        "chat:write.customize",
        "channels:history",
        "groups:history",
        "users:read",
        "files:read",
        "files:write",
        "reactions:write",
        "channels:read",
        "groups:read",
        // The channel picked for a group's thread is joined (public) before anything is texted.
        "channels:join",
      ]),
    );
    // "New group text" opens the group modal from anywhere; its callback id is what the app listens for.
    expect(at(manifest, "features", "shortcuts")).toEqual([
      expect.objectContaining({ type: "global", callback_id: "new_group_text", name: "New group text" }),
    ]);
    // The schema only bounds scope length; catch typos like "chat-write" here.
    for (const scope of scopes) expect(scope).toMatch(/^[a-z]+(:[a-z.]+)?$/);

    expect(at(manifest, "features", "app_home", "home_tab_enabled")).toBe(true);
    expect(at(manifest, "features", "bot_user", "always_online")).toBe(true);
    // External selects (the group modal's type-ahead) need an options URL, the same endpoint.
    expect(at(manifest, "settings", "interactivity")).toEqual({
      is_enabled: true,
      request_url: "https://YOUR-HOST/slack/events",
      message_menu_options_url: "https://YOUR-HOST/slack/events",
    });
    expect(at(manifest, "settings", "event_subscriptions", "request_url")).toBe(
      "https://YOUR-HOST/slack/events",
    );
    expect(at(manifest, "settings", "socket_mode_enabled")).toBe(false);
    expect(at(manifest, "settings", "org_deploy_enabled")).toBe(false);
    expect(at(manifest, "settings", "token_rotation_enabled")).toBe(false);
    expect(at(manifest, "_metadata")).toEqual({ major_version: 2, minor_version: 1 });
  });
});
