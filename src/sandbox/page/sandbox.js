// The sandbox page: renders what the app posted to the Slack stand-in (Block Kit) and what the
// phones received, and turns clicks into the sandbox's endpoints, which send the app the signed Slack
// requests and Basic-auth Bandwidth callbacks real Slack and Bandwidth would send.

const S = {
  state: null,
  channel: "CSALES",
  nav: "channel",
  thread: null,
  modals: [],
  modalValues: {},
  modalErrors: {},
  rendered: {},
  homeOpened: {},
};
const $ = (id) => document.getElementById(id);
const EMOJI = {
  white_check_mark: "✅",
  lock: "🔒",
  warning: "⚠️",
  x: "❌",
  speech_balloon: "💬",
  iphone: "📱",
  no_entry_sign: "🚫",
  bell: "🔔",
  wave: "👋",
  heavy_check_mark: "✔️",
  hourglass_flowing_sand: "⏳",
  arrows_counterclockwise: "🔄",
  information_source: "ℹ️",
  bar_chart: "📊",
  busts_in_silhouette: "👥",
  telephone_receiver: "📞",
  paperclip: "📎",
};

function esc(text) {
  return String(text ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error || `HTTP ${res.status}`);
  return data;
}

function actor() {
  return $("actor").value;
}
function teammateName(id) {
  const t = S.state?.teammates.find((x) => x.id === id);
  return t ? t.name : id;
}
function channelName(id) {
  const c = S.state?.channels.find((x) => x.id === id);
  return c ? c.name : id;
}

// ---- mrkdwn: Slack's text (already &amp;/&lt;/&gt;-escaped by the app) to HTML ----------------
function safeEntities(text) {
  return text
    .replace(/&(?!(amp|lt|gt);)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
function formatRun(text) {
  return safeEntities(text)
    .replace(/```([\s\S]+?)```/g, "<pre><code>$1</code></pre>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/(^|[\s(>])\*([^*\n]+)\*/g, "$1<b>$2</b>")
    .replace(/(^|[\s(>])_([^_\n]+)_/g, "$1<i>$2</i>")
    .replace(/(^|[\s(>])~([^~\n]+)~/g, "$1<s>$2</s>")
    .replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m)
    .replace(/\n/g, "<br>");
}
function mrkdwn(text) {
  let out = "";
  let last = 0;
  const raw = String(text ?? "");
  for (const match of raw.matchAll(/<([^<>]+)>/g)) {
    out += formatRun(raw.slice(last, match.index));
    last = match.index + match[0].length;
    const [target, label] = match[1].split("|");
    if (target.startsWith("@")) out += `<b>@${esc(teammateName(target.slice(1)))}</b>`;
    else if (target.startsWith("#")) out += `<b>#${esc(label || channelName(target.slice(1)))}</b>`;
    else if (target.startsWith("!date^")) {
      const seconds = Number(target.split("^")[1]);
      out += esc(Number.isFinite(seconds) ? new Date(seconds * 1000).toLocaleString() : label);
    } else if (target.startsWith("!")) out += `<b>@${esc(target.slice(1))}</b>`;
    else if (/^https?:\/\//.test(target))
      out += `<a href="${safeEntities(target)}" target="_blank" rel="noreferrer">${formatRun(label || target)}</a>`;
    else out += formatRun(label || target);
  }
  return out + formatRun(raw.slice(last));
}
function textObject(t) {
  if (!t) return "";
  return t.type === "mrkdwn" ? mrkdwn(t.text) : esc(t.text).replace(/\n/g, "<br>");
}

// ---- Block Kit ---------------------------------------------------------------------------------
// Interactive elements carry their action as JSON in data-action; where they live (a message, the
// Home tab, a modal) decides where the click goes.
function elementHtml(el, blockId) {
  const data = (extra) =>
    esc(JSON.stringify({ action_id: el.action_id, block_id: blockId, type: el.type, ...extra }));
  if (el.type === "button") {
    const cls = el.style === "primary" ? "primary" : el.style === "danger" ? "danger" : "";
    if (el.url)
      return `<a class="sbtn ${cls}" href="${safeEntities(el.url)}" target="_blank" rel="noreferrer">${esc(el.text.text)}</a>`;
    return `<button type="button" class="sbtn ${cls}" data-action="${data({ value: el.value })}">${esc(el.text.text)}</button>`;
  }
  if (el.type === "static_select" || el.type === "overflow") {
    const options = (el.options ?? (el.option_groups ?? []).flatMap((g) => g.options)).map(
      (o) =>
        `<option value="${esc(o.value)}" ${el.initial_option?.value === o.value ? "selected" : ""}>${esc(o.text.text)}</option>`,
    );
    const placeholder = el.type === "overflow" ? "⋯" : (el.placeholder?.text ?? "Choose");
    return `<select class="sbtn" data-select="${data({})}"><option value="">${esc(placeholder)}</option>${options.join("")}</select>`;
  }
  if (el.type === "image") return `<img src="${safeEntities(imageSource(el))}" alt="${esc(el.alt_text)}">`;
  return `<span class="muted">[${esc(el.type)}]</span>`;
}
function imageSource(el) {
  if (el.slack_file?.id) return `/sandbox/file?id=${encodeURIComponent(el.slack_file.id)}`;
  return el.image_url ?? el.slack_file?.url ?? "";
}
function blockHtml(b, where) {
  const id = b.block_id ?? "";
  switch (b.type) {
    case "header":
      return `<div class="blk blk-header">${esc(b.text.text)}</div>`;
    case "divider":
      return `<hr class="blk-divider">`;
    case "context":
      return `<div class="blk blk-context">${b.elements
        .map((e) => (e.type === "image" ? elementHtml(e, id) : `<span>${textObject(e)}</span>`))
        .join("")}</div>`;
    case "section": {
      const fields = b.fields
        ? `<div class="blk-fields">${b.fields.map((f) => `<div>${textObject(f)}</div>`).join("")}</div>`
        : "";
      const acc = b.accessory
        ? b.accessory.type === "image"
          ? `<img class="blk-accessory-image" src="${safeEntities(imageSource(b.accessory))}" alt="${esc(b.accessory.alt_text)}">`
          : `<div>${elementHtml(b.accessory, id)}</div>`
        : "";
      return `<div class="blk blk-section"><div>${textObject(b.text)}${fields}</div>${acc}</div>`;
    }
    case "image":
      return `<div class="blk blk-image">${b.title ? `<div class="muted">${esc(b.title.text)}</div>` : ""}<img src="${safeEntities(imageSource(b))}" alt="${esc(b.alt_text)}" title="${esc(b.alt_text)}"></div>`;
    case "actions":
      return `<div class="blk blk-actions">${b.elements.map((e) => elementHtml(e, id)).join("")}</div>`;
    case "input":
      return where === "modal" ? inputHtml(b) : "";
    case "rich_text":
      return "";
    default:
      return `<div class="blk muted">[${esc(b.type)} block]</div>`;
  }
}
function blocksHtml(blocks, where) {
  return (blocks ?? []).map((b) => blockHtml(b, where)).join("");
}

// ---- Slack: channels, messages, threads ---------------------------------------------------------
function messageHtml(m, inThread) {
  const fromApp = Boolean(m.bot_id);
  const name = fromApp ? (m.username ?? "Reply-All Texts") : teammateName(m.user);
  const avatar = m.icons?.image_48
    ? `<img src="${safeEntities(m.icons.image_48)}" alt="">`
    : m.icons?.emoji
      ? (EMOJI[m.icons.emoji.replace(/:/g, "")] ?? "🙂")
      : esc(name.slice(0, 1).toUpperCase());
  const body = m.blocks?.some((b) => b.type !== "rich_text")
    ? blocksHtml(m.blocks, "message")
    : mrkdwn(m.text);
  const files = (m.files ?? [])
    .map((f) =>
      /^image\//.test(f.mimetype ?? "")
        ? `<div class="file"><img src="/sandbox/file?id=${encodeURIComponent(f.id)}" alt="${esc(f.name)}"></div>`
        : `<div class="file">📎 <a href="/sandbox/file?id=${encodeURIComponent(f.id)}" target="_blank">${esc(f.name)}</a></div>`,
    )
    .join("");
  const reactions = m.reactions?.length
    ? `<div class="reactions">${m.reactions.map((r) => `<span class="reaction" title=":${esc(r)}:">${EMOJI[r] ?? `:${esc(r)}:`} 1</span>`).join("")}</div>`
    : "";
  const replies =
    !inThread && m.replyCount
      ? `<button type="button" class="replies-link" data-thread="${esc(m.ts)}">${m.replyCount} ${m.replyCount === 1 ? "reply" : "replies"}</button>`
      : "";
  return `<div class="msg" data-ts="${esc(m.ts)}"><div class="avatar">${avatar}</div><div class="msg-body"><span class="author">${esc(name)}</span>${fromApp ? '<span class="app-tag">APP</span>' : ""}<div class="msg-content">${body}${files}</div>${reactions}${replies}</div></div>`;
}

function renderSlack() {
  const channel = S.state.channels.find((c) => c.id === S.channel);
  $("channels").innerHTML = S.state.channels
    .map(
      (c) =>
        `<li><a href="#" data-channel="${esc(c.id)}" class="${S.nav === "channel" && c.id === S.channel ? "active" : ""}"># ${esc(c.name)}</a></li>`,
    )
    .join("");
  $("open-home").className = S.nav === "home" ? "active" : "";
  $("channel-view").hidden = S.nav !== "channel";
  $("home-view").hidden = S.nav !== "home";
  $("channel-title").textContent = `# ${channel.name}`;
  const top = channel.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  for (const m of top)
    m.replyCount = channel.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).length;
  setHtml(
    "messages",
    top.map((m) => messageHtml(m, false)).join("") || '<p class="muted">No messages yet.</p>',
    true,
  );
  const thread = S.thread && S.state.channels.find((c) => c.id === S.thread.channel);
  $("thread").hidden = !thread;
  if (thread) {
    const list = thread.messages.filter((m) => m.ts === S.thread.ts || m.thread_ts === S.thread.ts);
    setHtml("thread-messages", list.map((m) => messageHtml(m, true)).join(""), true);
  }
  const ephemerals = channel.ephemerals.filter((e) => e.to === actor());
  const latest = ephemerals[ephemerals.length - 1];
  $("ephemeral").hidden = !latest;
  if (latest)
    setHtml(
      "ephemeral",
      `<span class="muted">Only visible to you</span><br>${latest.blocks ? blocksHtml(latest.blocks, "message") : mrkdwn(latest.text)}`,
    );
  if (S.nav === "home") {
    const view = S.state.homes[actor()];
    $("home-who").textContent = `as ${teammateName(actor())}`;
    setHtml("home", view ? blocksHtml(view.blocks, "home") : '<p class="muted">Opening…</p>');
  }
}

/** Replaces a container's HTML only when it changed, so focus and scroll survive the polling. */
function setHtml(id, html, scroll) {
  if (S.rendered[id] === html) return;
  S.rendered[id] = html;
  const el = $(id);
  const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 30;
  el.innerHTML = html;
  if (scroll && atBottom) el.scrollTop = el.scrollHeight;
}

// ---- Phones ---------------------------------------------------------------------------------------
function contactName(number) {
  return S.state.phones.find((p) => p.number === number)?.name ?? number;
}
function lineName(number) {
  return S.state.lines.find((l) => l.number === number)?.name ?? number;
}
function conversationKey(t) {
  return `${t.line}|${t.members.join(",")}`;
}
function phoneCard(p) {
  const digits = p.number.slice(-4);
  return `<div class="phone" data-phone="${esc(p.number)}" id="phone-${digits}">
    <div class="phone-head"><span class="name">${esc(p.name)}</span><span>${esc(p.number)}</span></div>
    <div class="phone-screen" id="screen-${digits}"></div>
    <div class="phone-controls">
      <select class="target" title="Reply to"></select>
      <input type="text" class="reply" placeholder="Text message">
      <div class="phone-row"><input type="file" class="picture" accept="image/png,image/jpeg,image/gif" title="Picture"><button type="button" class="send">Send</button></div>
      <div class="phone-row"><button type="button" data-keyword="STOP">STOP</button><button type="button" data-keyword="START">START</button><button type="button" data-keyword="HELP">HELP</button>
      <label class="fail-switch"><input type="checkbox" class="failing"> fail deliveries</label></div>
    </div></div>`;
}
function renderPhones() {
  const grid = $("phones");
  if (!grid.children.length) grid.innerHTML = S.state.phones.map(phoneCard).join("");
  for (const p of S.state.phones) {
    const digits = p.number.slice(-4);
    const card = $(`phone-${digits}`);
    const bubbles = p.texts
      .filter((t) => t.direction === "out" || t.delivery !== "pending")
      .map((t) => {
        const others = t.members.filter((n) => n !== p.number).map(contactName);
        const who =
          t.direction === "out"
            ? `to ${lineName(t.line)}${others.length ? ` + ${others.join(", ")}` : ""}`
            : t.from === t.line
              ? `${lineName(t.line)}${others.length ? ` · group with ${others.join(", ")}` : ""}`
              : `${contactName(t.from)} · group`;
        const media = t.media
          .map((u) => `<div class="phone-media"><img src="${safeEntities(u)}" alt="picture"></div>`)
          .join("");
        const failed = t.delivery === "failed" ? " failed" : "";
        return `<div class="bubble ${t.direction}${failed}"><span class="who">${esc(who)}${failed ? " · not delivered" : ""}</span>${esc(t.text)}${media}</div>`;
      })
      .join("");
    setHtml(`screen-${digits}`, bubbles || '<span class="muted">No texts yet</span>', true);
    const select = card.querySelector(".target");
    // The latest conversation first (the one a reply most likely answers), then a new text to each line.
    const conversations = new Map();
    for (const t of [...p.texts].reverse())
      if (!conversations.has(conversationKey(t))) conversations.set(conversationKey(t), t);
    for (const l of S.state.lines) {
      const key = `${l.number}|${p.number}`;
      if (!conversations.has(key)) conversations.set(key, { line: l.number, members: [p.number] });
    }
    const options = [...conversations.entries()]
      .map(([key, t]) => {
        const others = t.members.filter((n) => n !== p.number).map(contactName);
        return `<option value="${esc(key)}">${esc(lineName(t.line))}${others.length ? ` + ${esc(others.join(", "))}` : " (just you)"}</option>`;
      })
      .join("");
    if (select.dataset.options !== options) {
      const chosen = select.value;
      select.innerHTML = options;
      select.dataset.options = options;
      // A new conversation (the group just started) becomes the reply target unless one was chosen.
      if (chosen && select.dataset.touched) select.value = chosen;
    }
    card.querySelector(".failing").checked = p.failing;
  }
}
async function phoneSend(card, text) {
  const number = card.dataset.phone;
  const [line, members] = card.querySelector(".target").value.split("|");
  const file = card.querySelector(".picture").files[0];
  let picture;
  if (file) picture = { contentType: file.type, base64: await toBase64(file) };
  if (!text && !picture) return;
  await api("/sandbox/phone/send", {
    from: number,
    line,
    others: members.split(",").filter((n) => n && n !== number),
    text,
    ...(picture ? { picture } : {}),
  });
  card.querySelector(".picture").value = "";
  refresh();
}
function toBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1]);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
}

// ---- Modals: rendered from the view the app opened, submitted as view_submission ---------------
function valueKey(blockId, actionId) {
  return `${blockId}/${actionId}`;
}
function inputHtml(b) {
  const el = b.element;
  const key = valueKey(b.block_id, el.action_id);
  const stored = S.modalValues[key];
  const error = S.modalErrors[b.block_id];
  const data = `data-key="${esc(key)}" data-block="${esc(b.block_id)}" data-action-id="${esc(el.action_id)}" data-type="${esc(el.type)}" data-dispatch="${b.dispatch_action ? 1 : 0}"`;
  let control;
  if (
    el.type === "plain_text_input" ||
    el.type === "email_text_input" ||
    el.type === "url_text_input" ||
    el.type === "number_input"
  ) {
    const value = stored?.value ?? el.initial_value ?? "";
    control = el.multiline
      ? `<textarea ${data} placeholder="${esc(el.placeholder?.text ?? "")}">${esc(value)}</textarea>`
      : `<input type="text" ${data} value="${esc(value)}" placeholder="${esc(el.placeholder?.text ?? "")}">`;
  } else if (el.type === "static_select") {
    const selected = stored?.selected_option?.value ?? el.initial_option?.value ?? "";
    const options = (el.options ?? (el.option_groups ?? []).flatMap((g) => g.options))
      .map(
        (o) =>
          `<option value="${esc(o.value)}" ${o.value === selected ? "selected" : ""}>${esc(o.text.text)}</option>`,
      )
      .join("");
    control = `<select ${data}><option value="">${esc(el.placeholder?.text ?? "Choose")}</option>${options}</select>`;
  } else if (el.type === "conversations_select" || el.type === "channels_select") {
    const selected =
      stored?.selected_conversation ??
      stored?.selected_channel ??
      el.initial_conversation ??
      el.initial_channel ??
      "";
    const options = S.state.channels
      .map(
        (c) =>
          `<option value="${esc(c.id)}" ${c.id === selected ? "selected" : ""}># ${esc(c.name)}</option>`,
      )
      .join("");
    control = `<select ${data}><option value="">${esc(el.placeholder?.text ?? "Choose a channel")}</option>${options}</select>`;
  } else if (
    el.type === "multi_external_select" ||
    el.type === "external_select" ||
    el.type === "multi_static_select"
  ) {
    const chosen =
      stored?.selected_options ??
      (stored?.selected_option
        ? [stored.selected_option]
        : (el.initial_options ?? (el.initial_option ? [el.initial_option] : [])));
    const chips = chosen
      .map(
        (o) =>
          `<span class="chip">${esc(o.text.text)}<button type="button" data-unpick="${esc(o.value)}" aria-label="remove">×</button></span>`,
      )
      .join("");
    control = `<div class="picker" ${data}><div class="chips">${chips}</div><input type="text" class="search" placeholder="${esc(el.placeholder?.text ?? "Search")}"><div class="options" hidden></div></div>`;
  } else if (el.type === "checkboxes" || el.type === "radio_buttons") {
    const selected = new Set(
      (
        stored?.selected_options ??
        (stored?.selected_option
          ? [stored.selected_option]
          : (el.initial_options ?? (el.initial_option ? [el.initial_option] : [])))
      ).map((o) => o.value),
    );
    const kind = el.type === "checkboxes" ? "checkbox" : "radio";
    control = `<div ${data}>${el.options
      .map(
        (o) =>
          `<label><input type="${kind}" name="${esc(key)}" value="${esc(o.value)}" ${selected.has(o.value) ? "checked" : ""}> ${textObject(o.text)}</label><br>`,
      )
      .join("")}</div>`;
  } else {
    control = `<span class="muted">[${esc(el.type)} input]</span>`;
  }
  return `<div class="field ${error ? "has-error" : ""}" data-field="${esc(b.block_id)}"><label class="lbl">${esc(b.label.text)}${b.optional ? ' <span class="opt">(optional)</span>' : ""}</label>${control}${b.hint ? `<div class="hint">${esc(b.hint.text)}</div>` : ""}${error ? `<div class="error">${esc(error)}</div>` : ""}</div>`;
}

function currentModal() {
  return S.modals[S.modals.length - 1] ?? null;
}
async function showModal(viewId, push) {
  const view = await api(`/sandbox/view?id=${encodeURIComponent(viewId)}`);
  if (push || !currentModal()) S.modals.push(view);
  else S.modals[S.modals.length - 1] = view;
  renderModal();
}
function renderModal() {
  const view = currentModal();
  $("modal-backdrop").hidden = !view;
  if (!view) return;
  const focused = document.activeElement?.dataset?.key;
  const form = $("modal");
  form.innerHTML = `<div class="modal-title">${esc(view.title?.text ?? "")}</div><div class="modal-body">${blocksHtml(view.blocks, "modal")}</div><div class="modal-foot"><button type="button" class="sbtn" data-close>${esc(view.close?.text ?? "Cancel")}</button>${view.submit ? `<button type="submit" class="sbtn primary">${esc(view.submit.text)}</button>` : ""}</div>`;
  if (focused) {
    const again = form.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (again) {
      again.focus();
      if (again.setSelectionRange) again.setSelectionRange(again.value.length, again.value.length);
    }
  }
}
/** Reads every input of the open modal into Slack's view.state.values shape. */
function collectValues() {
  const values = {};
  for (const el of $("modal").querySelectorAll("[data-key]")) {
    const { block, actionId, type, key } = el.dataset;
    let value;
    if (type === "static_select") {
      const opt = el.selectedOptions[0];
      value = {
        type,
        selected_option: el.value
          ? { text: { type: "plain_text", text: opt.textContent }, value: el.value }
          : null,
      };
    } else if (type === "conversations_select") value = { type, selected_conversation: el.value || null };
    else if (type === "channels_select") value = { type, selected_channel: el.value || null };
    else if (type.endsWith("external_select") || type === "multi_static_select") {
      const chosen = S.modalValues[key]?.selected_options ?? [];
      value = type.startsWith("multi")
        ? { type, selected_options: chosen }
        : { type, selected_option: chosen[0] ?? null };
    } else if (type === "checkboxes" || type === "radio_buttons") {
      const picked = [...el.querySelectorAll("input:checked")].map((i) => ({
        text: { type: "plain_text", text: i.parentElement.textContent.trim() },
        value: i.value,
      }));
      value =
        type === "checkboxes"
          ? { type, selected_options: picked }
          : { type, selected_option: picked[0] ?? null };
    } else value = { type, value: el.value === "" ? null : el.value };
    values[block] = { ...(values[block] ?? {}), [actionId]: value };
    S.modalValues[key] = { ...(S.modalValues[key] ?? {}), ...value };
  }
  return values;
}
async function modalAction(action) {
  const view = currentModal();
  const values = collectValues();
  const answer = await api("/sandbox/slack/action", { user: actor(), viewId: view.id, values, action });
  if (answer.openedViewId) await showModal(answer.openedViewId, true);
  else if (currentModal()?.id === view.id) await showModal(view.id, false);
}
async function submitModal() {
  const view = currentModal();
  const answer = await api("/sandbox/slack/submit", {
    user: actor(),
    viewId: view.id,
    values: collectValues(),
  });
  const body = typeof answer.body === "object" && answer.body ? answer.body : {};
  S.modalErrors = {};
  if (body.response_action === "errors") {
    S.modalErrors = body.errors ?? {};
    renderModal();
  } else if (body.response_action === "update") await showModal(answer.openedViewId, false);
  else if (body.response_action === "push") await showModal(answer.openedViewId, true);
  else if (body.response_action === "clear") closeModals();
  else {
    S.modals.pop();
    renderModal();
  }
  refresh();
}
function closeModals() {
  S.modals = [];
  S.modalValues = {};
  S.modalErrors = {};
  renderModal();
}
const searchTimers = new WeakMap();
async function searchOptions(picker, query) {
  const view = currentModal();
  const { block, actionId, type } = picker.dataset;
  const answer = await api("/sandbox/slack/options", {
    user: actor(),
    viewId: view.id,
    values: collectValues(),
    actionId,
    blockId: block,
    value: query,
  });
  if (type === "multi_static_select") {
    const el = view.blocks.find((b) => b.block_id === block)?.element;
    answer.options = (el?.options ?? []).filter((o) =>
      o.text.text.toLowerCase().includes(query.toLowerCase()),
    );
  }
  const options = answer?.options ?? (answer?.option_groups ?? []).flatMap((g) => g.options);
  const list = picker.querySelector(".options");
  list.hidden = false;
  list.innerHTML = options.length
    ? options.map((o) => `<div data-pick="${esc(JSON.stringify(o))}">${esc(o.text.text)}</div>`).join("")
    : '<div class="muted">No matches</div>';
}
async function pick(picker, option, remove) {
  const key = picker.dataset.key;
  const multi = picker.dataset.type.startsWith("multi");
  const current = S.modalValues[key]?.selected_options ?? [];
  const next = remove
    ? current.filter((o) => o.value !== option)
    : multi
      ? [...current.filter((o) => o.value !== option.value), option]
      : [option];
  S.modalValues[key] = { type: picker.dataset.type, selected_options: next };
  renderModal();
  if (picker.dataset.dispatch === "1") {
    await modalAction({
      action_id: picker.dataset.actionId,
      block_id: picker.dataset.block,
      type: picker.dataset.type,
      ...(multi ? { selected_options: next } : { selected_option: next[0] ?? null }),
    });
  }
}

// ---- Events -----------------------------------------------------------------------------------------
document.addEventListener("click", async (event) => {
  const target = event.target;
  const t = target.closest(
    "[data-channel],[data-thread],[data-action],[data-close],[data-pick],[data-unpick],[data-keyword],.send,#open-home,#close-thread",
  );
  if (!t) return;
  try {
    if (t.dataset.channel) {
      event.preventDefault();
      S.nav = "channel";
      S.channel = t.dataset.channel;
      S.thread = null;
    } else if (t.id === "open-home") {
      event.preventDefault();
      S.nav = "home";
      S.thread = null;
      await api("/sandbox/slack/home", { user: actor() });
    } else if (t.id === "close-thread") S.thread = null;
    else if (t.dataset.thread) S.thread = { channel: S.channel, ts: t.dataset.thread };
    else if (t.dataset.close !== undefined) {
      S.modals.pop();
      renderModal();
    } else if (t.dataset.pick) await pick(t.closest(".picker"), JSON.parse(t.dataset.pick), false);
    else if (t.dataset.unpick) await pick(t.closest(".picker"), t.dataset.unpick, true);
    else if (t.dataset.keyword) await phoneSend(t.closest(".phone"), t.dataset.keyword);
    else if (t.classList.contains("send")) {
      const card = t.closest(".phone");
      const input = card.querySelector(".reply");
      await phoneSend(card, input.value);
      input.value = "";
    } else if (t.dataset.action) await elementAction(t, JSON.parse(t.dataset.action));
    refresh();
  } catch (error) {
    alert(error.message);
  }
});
document.addEventListener("change", async (event) => {
  const el = event.target;
  try {
    if (el.dataset.select) {
      const action = JSON.parse(el.dataset.select);
      const option = [...el.options].find((o) => o.value === el.value);
      if (!el.value) return;
      await elementAction(el, {
        ...action,
        selected_option: { text: { type: "plain_text", text: option.textContent }, value: el.value },
      });
    } else if (el.classList.contains("failing")) {
      await api("/sandbox/phone/failing", {
        number: el.closest(".phone").dataset.phone,
        failing: el.checked,
      });
    } else if (el.classList.contains("target")) el.dataset.touched = "1";
    else if (el.dataset.key && el.dataset.dispatch === "1" && el.closest("#modal")) {
      await modalAction({
        action_id: el.dataset.actionId,
        block_id: el.dataset.block,
        type: el.dataset.type,
        ...(collectValues()[el.dataset.block]?.[el.dataset.actionId] ?? {}),
      });
    }
    refresh();
  } catch (error) {
    alert(error.message);
  }
});
document.addEventListener("input", (event) => {
  const el = event.target;
  const picker = el.classList.contains("search") ? el.closest(".picker") : null;
  if (picker) {
    clearTimeout(searchTimers.get(picker));
    searchTimers.set(
      picker,
      setTimeout(() => searchOptions(picker, el.value).catch(() => undefined), 250),
    );
  }
});
document.addEventListener("focusin", (event) => {
  const el = event.target;
  if (el.classList.contains("search")) searchOptions(el.closest(".picker"), el.value).catch(() => undefined);
});
document.addEventListener("keydown", (event) => {
  const el = event.target;
  if (event.key === "Enter" && el.classList.contains("reply")) {
    event.preventDefault();
    el.closest(".phone").querySelector(".send").click();
  }
});

/** A button or menu in a message, the Home tab or a modal: a block_actions request from the actor. */
async function elementAction(el, action) {
  if (el.closest("#modal")) return modalAction(action);
  if (el.closest("#home")) {
    const view = S.state.homes[actor()];
    const answer = await api("/sandbox/slack/action", {
      user: actor(),
      viewId: view.id,
      values: view.state?.values ?? {},
      action,
    });
    if (answer.openedViewId) await showModal(answer.openedViewId, true);
    return;
  }
  const ts = el.closest(".msg")?.dataset.ts;
  const channel = S.thread?.channel ?? S.channel;
  const answer = await api("/sandbox/slack/action", { user: actor(), channel, messageTs: ts, action });
  if (answer.openedViewId) await showModal(answer.openedViewId, true);
}

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("composer-text").value.trim();
  const match = /^\/grouptext\b\s*([\s\S]*)$/.exec(text);
  if (!match) {
    alert("In this sandbox, channel messages start with /grouptext; reply to a group in its thread.");
    return;
  }
  const answer = await api("/sandbox/slack/command", { user: actor(), channel: S.channel, text: match[1] });
  $("composer-text").value = "";
  closeModals();
  if (answer.openedViewId) await showModal(answer.openedViewId, true);
  refresh();
});
$("thread-composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = await Promise.all(
    [...$("thread-files").files].map(async (f) => ({
      name: f.name,
      contentType: f.type || "application/octet-stream",
      base64: await toBase64(f),
    })),
  );
  const text = $("thread-text").value;
  if (!text.trim() && !files.length) return;
  await api("/sandbox/slack/reply", {
    user: actor(),
    channel: S.thread.channel,
    threadTs: S.thread.ts,
    text,
    files,
  });
  $("thread-text").value = "";
  $("thread-files").value = "";
  refresh();
});
$("modal").addEventListener("submit", (event) => {
  event.preventDefault();
  submitModal().catch((error) => alert(error.message));
});
$("actor").addEventListener("change", async () => {
  if (S.nav === "home") await api("/sandbox/slack/home", { user: actor() });
  refresh();
});
$("reset").addEventListener("click", async () => {
  if (!confirm("Start the sandbox over? Every message, group and text is deleted.")) return;
  await api("/sandbox/reset", {});
  closeModals();
  S.thread = null;
  S.rendered = {};
  $("phones").innerHTML = "";
  await new Promise((r) => setTimeout(r, 1500));
  refresh();
});

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    S.state = await api("/sandbox/state");
    if (!$("actor").options.length)
      $("actor").innerHTML = S.state.teammates
        .map((t) => `<option value="${esc(t.id)}">${esc(t.realName)}${t.admin ? " (admin)" : ""}</option>`)
        .join("");
    renderSlack();
    renderPhones();
    document.body.dataset.ready = "1";
  } catch {
    // The app is restarting (reset) or stopped: try again on the next tick.
  } finally {
    refreshing = false;
  }
}
refresh();
setInterval(refresh, 700);
