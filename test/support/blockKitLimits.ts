// Block Kit limits Slack enforces on views (https://api.slack.com/reference/block-kit), checked so a
// view that would be refused in production fails a test here. Returns every problem found.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function textOf(v: unknown): string | undefined {
  return isObject(v) && typeof v.text === "string" ? v.text : undefined;
}

export function blockKitProblems(view: Json): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const maxText = (v: unknown, max: number, where: string) => {
    const t = textOf(v);
    if (t !== undefined) check(t.length <= max, `${where}: text of ${t.length} > ${max}`);
    if (t !== undefined) check(t.length > 0, `${where}: empty text`);
  };
  const blocks = Array.isArray(view.blocks) ? (view.blocks as Json[]) : [];
  check(blocks.length <= 100, `view has ${blocks.length} blocks (> 100)`);
  if (typeof view.private_metadata === "string") {
    check(view.private_metadata.length <= 3000, "private_metadata > 3000");
  }
  if (view.type === "modal") {
    maxText(view.title, 24, "title");
    if (view.submit) maxText(view.submit, 24, "submit");
    if (view.close) maxText(view.close, 24, "close");
  }
  const blockIds = new Set<string>();
  const checkOption = (o: unknown, where: string) => {
    if (!isObject(o)) return;
    maxText(o.text, 75, `${where} option`);
    check(typeof o.value === "string" && o.value.length <= 150, `${where}: option value > 150`);
    if (o.description) maxText(o.description, 75, `${where} option description`);
  };
  const checkElement = (e: unknown, where: string) => {
    if (!isObject(e)) return;
    if (typeof e.action_id === "string") check(e.action_id.length <= 255, `${where}: action_id > 255`);
    if (e.placeholder) maxText(e.placeholder, 150, `${where} placeholder`);
    switch (e.type) {
      case "button":
        maxText(e.text, 75, `${where} button`);
        if (typeof e.value === "string") check(e.value.length <= 2000, `${where}: button value > 2000`);
        break;
      case "overflow":
        check(
          Array.isArray(e.options) && e.options.length >= 1 && e.options.length <= 5,
          `${where}: overflow options`,
        );
        for (const o of (e.options as unknown[]) ?? []) checkOption(o, where);
        break;
      case "static_select":
      case "multi_static_select":
      case "checkboxes":
      case "radio_buttons":
        check(
          Array.isArray(e.options) && e.options.length <= (e.type.includes("select") ? 100 : 10),
          `${where}: too many options`,
        );
        for (const o of (e.options as unknown[]) ?? []) checkOption(o, where);
        break;
      case "external_select":
      case "multi_external_select":
        check(
          typeof e.min_query_length !== "number" || e.min_query_length >= 0,
          `${where}: min_query_length < 0`,
        );
        if (e.initial_option) checkOption(e.initial_option, where);
        for (const o of Array.isArray(e.initial_options) ? e.initial_options : []) checkOption(o, where);
        if (typeof e.max_selected_items === "number") {
          check(e.max_selected_items >= 1, `${where}: max_selected_items < 1`);
        }
        break;
      case "plain_text_input":
        if (typeof e.max_length === "number") check(e.max_length <= 3000, `${where}: max_length > 3000`);
        if (typeof e.initial_value === "string" && typeof e.max_length === "number") {
          check(e.initial_value.length <= e.max_length, `${where}: initial_value longer than max_length`);
        }
        break;
    }
  };
  blocks.forEach((b, i) => {
    const where = `block ${i} (${String(b.type)})`;
    if (typeof b.block_id === "string") {
      check(b.block_id.length <= 255, `${where}: block_id > 255`);
      check(!blockIds.has(b.block_id), `${where}: duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case "section":
        if (b.text) maxText(b.text, 3000, where);
        if (Array.isArray(b.fields)) {
          check(b.fields.length <= 10, `${where}: > 10 fields`);
          for (const f of b.fields) maxText(f, 2000, `${where} field`);
        }
        if (b.accessory) checkElement(b.accessory, `${where} accessory`);
        break;
      case "header":
        maxText(b.text, 150, where);
        break;
      case "context":
        check(Array.isArray(b.elements) && b.elements.length <= 10, `${where}: > 10 elements`);
        for (const e of (b.elements as unknown[]) ?? []) maxText(e, 3000, `${where} element`);
        break;
      case "actions": {
        const elements = Array.isArray(b.elements) ? (b.elements as unknown[]) : [];
        check(elements.length <= 25, `${where}: > 25 elements`);
        const ids = elements.map((e) => (isObject(e) ? e.action_id : undefined)).filter(Boolean);
        check(new Set(ids).size === ids.length, `${where}: duplicate action_id`);
        for (const e of elements) checkElement(e, where);
        break;
      }
      case "input":
        maxText(b.label, 2000, `${where} label`);
        if (b.hint) maxText(b.hint, 2000, `${where} hint`);
        checkElement(b.element, where);
        break;
      case "image":
        // A public URL or a Slack file (by id or url), never both.
        check(
          (typeof b.image_url === "string" && b.image_url.length <= 3000) !== isObject(b.slack_file),
          `${where}: exactly one of image_url and slack_file`,
        );
        check(typeof b.alt_text === "string" && b.alt_text.length <= 2000, `${where}: alt_text`);
        break;
    }
  });
  return problems;
}

/** The answer to an options request (`block_suggestion`): at most 100 options, each within limits. */
export function optionsResponseProblems(response: Json): string[] {
  const options = Array.isArray(response.options) ? (response.options as unknown[]) : null;
  if (!options) return ["options response without an options array"];
  const problems = options.length <= 100 ? [] : [`options response has ${options.length} options (> 100)`];
  const asBlock = { type: "input", label: { type: "plain_text", text: "options" } };
  return problems.concat(
    blockKitProblems({
      blocks: [{ ...asBlock, element: { type: "static_select", action_id: "options", options } }],
    }).map((p) => p.replace("block 0 (input)", "options response")),
  );
}
