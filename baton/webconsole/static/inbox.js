// The approval inbox: every pending approval of the tenant, oldest first. It reads the inbox
// again on every event of its feed (/console/api/inbox/events), and polls every 1.5 s only
// while the feed is unavailable; `data-live` on #inbox says which ("stream" or "poll").
"use strict";
const Inbox = (() => {
  const { el, api, compact, when } = Console;
  const PROMINENT = /amount|currency|to$|email|address/i;

  // The constraints of a schema property, whichever branch of an anyOf carries them.
  function rulesOf(prop) {
    const branches = prop.anyOf || [prop];
    const rules = { types: branches.map((b) => b.type) };
    for (const b of branches) {
      for (const k of ["exclusiveMinimum", "minimum", "maximum", "minLength", "maxLength", "pattern", "enum"]) {
        if (b[k] !== undefined && rules[k] === undefined) rules[k] = b[k];
      }
    }
    return rules;
  }

  // The same rules the service applies: the tool's schema, and no more than the remainder.
  function fieldError(name, text, prop, required, item) {
    const rules = rulesOf(prop);
    if (text === "") return required ? "Field required" : null;
    const numeric = rules.types.includes("number") || rules.types.includes("integer");
    if (numeric) {
      const number = Number(text);
      if (!Number.isFinite(number)) return rules.types.includes("string") ? null : "Input should be a valid number";
      if (rules.types.includes("integer") && !rules.types.includes("number") && !Number.isInteger(number)) return "Input should be a valid integer";
      if (rules.exclusiveMinimum !== undefined && !(number > rules.exclusiveMinimum)) return "Input should be greater than " + rules.exclusiveMinimum;
      if (rules.minimum !== undefined && number < rules.minimum) return "Input should be greater than or equal to " + rules.minimum;
      if (rules.maximum !== undefined && number > rules.maximum) return "Input should be less than or equal to " + rules.maximum;
      const live = item.live || {};
      if (name === "amount" && live.refundable !== undefined && live.refundable !== null && number > parseFloat(live.refundable))
        return "at most " + live.refundable + ": the refundable remainder of the charge";
      return null;
    }
    if (rules.minLength !== undefined && text.length < rules.minLength) return "String should have at least " + rules.minLength + " characters";
    if (rules.maxLength !== undefined && text.length > rules.maxLength) return "String should have at most " + rules.maxLength + " characters";
    if (rules.pattern && !new RegExp(rules.pattern).test(text)) return "String should match pattern '" + rules.pattern + "'";
    if (rules.enum && !rules.enum.includes(text)) return "Input should be one of " + rules.enum.join(", ");
    return null;
  }

  function valueFor(text, prop) {
    const rules = rulesOf(prop);
    if (text === "" && rules.types.includes("null")) return null;
    if (rules.types.includes("integer") && /^-?\d+$/.test(text)) return Number(text);
    return text;  // numbers stay strings: Decimal amounts keep their exact digits
  }

  async function send(card, thread, decisions) {
    const outcome = card.querySelector(":scope > .outcome");
    // the cards being decided stay on the page (the live inbox drops answered approvals)
    const cards = card.matches("article") ? [card] : [...card.querySelectorAll("article.approval")];
    const mark = (value) => { for (const c of [card, ...cards]) { if (value) c.dataset.decided = value; else delete c.dataset.decided; } };
    mark("sending");
    outcome.textContent = "sending…";
    const reply = await api("/console/api/threads/" + encodeURIComponent(thread) + "/decisions", {
      method: "POST",
      body: JSON.stringify({ decider: Console.operator(), decisions }),
    });
    for (const span of card.querySelectorAll(".field-error")) span.textContent = "";
    if (reply.ok) {
      outcome.textContent = "decided: " + decisions.map((d) => d.type).join(", ") + " (run " + reply.body.run_id + ")";
      mark("yes");
      for (const b of card.querySelectorAll("button")) b.disabled = true;
      return;
    }
    for (const problem of reply.body.errors || []) {
      const span = card.querySelector('.field-error[data-approval="' + problem.id + '"][data-field="' + problem.field + '"]');
      if (span) span.textContent = problem.message;
    }
    if (reply.status === 409) {  // answered elsewhere: keep the card to say by whom
      mark("elsewhere");
      for (const b of card.querySelectorAll("button")) b.disabled = true;
    } else mark(null);
    outcome.textContent = "refused: " + (reply.body.detail || reply.status);
  }

  function editForm(item, card) {
    const props = (item.schema || {}).properties || {};
    const required = new Set((item.schema || {}).required || []);
    const form = el("form", { class: "edit", hidden: true, "data-approval": item.id });
    const inputs = {};
    for (const [name, prop] of Object.entries(props)) {
      const current = item.args[name] === undefined || item.args[name] === null ? "" : String(item.args[name]);
      const long = (rulesOf(prop).maxLength || 0) > 500;
      const input = el(long ? "textarea" : "input", { name, rows: long ? 6 : null, "data-field": name });
      input.value = current;
      inputs[name] = { input, prop, current };
      form.append(el("div", { class: "field" },
        el("label", { text: prop.title || name }), input,
        el("span", { class: "field-error", "data-approval": item.id, "data-field": name })));
    }
    form.append(el("button", { type: "submit", text: "Send edit" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const args = {};
      let bad = false;
      for (const [name, { input, prop, current }] of Object.entries(inputs)) {
        const text = input.value.trim();
        const problem = fieldError(name, text, prop, required.has(name), item);
        form.querySelector('.field-error[data-field="' + name + '"]').textContent = problem || "";
        if (problem) bad = true;
        else if (text !== current) args[name] = valueFor(text, prop);
      }
      card.querySelector(".outcome").textContent = bad ? "fix the marked fields; nothing was decided" : "";
      if (!bad) send(card, item.thread_id, [{ id: item.id, type: "edit", args, tool_call_id: item.tool_call_id }]);
    });
    return form;
  }

  function rejectForm(item, card) {
    const reason = el("input", { name: "message", maxlength: 2000, "data-field": "message" });
    const form = el("form", { class: "reject", hidden: true },
      el("div", { class: "field" }, el("label", { text: "Reason" }), reason,
        el("span", { class: "field-error", "data-approval": item.id, "data-field": "message" })),
      el("button", { type: "submit", text: "Send reject" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(card, item.thread_id, [{ id: item.id, type: "reject", message: reason.value, tool_call_id: item.tool_call_id }]);
    });
    return form;
  }

  function liveBox(live) {
    if (!live) return null;
    const box = el("div", { class: "live" });
    if (live.refundable !== undefined && live.refundable !== null)
      box.append(el("div", { class: "prominent", "data-live": "refundable", text: "Refundable now: " + live.refundable + (live.charge_id ? " of charge " + live.charge_id : "") }));
    for (const refund of live.refunds || []) box.append(el("div", { text: "earlier refund: " + compact(refund) }));
    if (live.already_done) box.append(el("div", { class: "warn", text: "ALREADY DONE: " + compact(live.already_done) }));
    if (live.in_progress) box.append(el("div", { class: "warn", text: "in progress: " + compact(live.in_progress) }));
    if (live.identity) box.append(el("div", { class: "warn", text: "IDENTITY: " + live.identity }));
    return box.childNodes.length ? box : null;
  }

  function card(item) {
    const node = el("article", { class: "card approval", "data-approval": item.id, "data-tool": item.tool, "data-thread": item.thread_id });
    const rows = Object.entries(item.args).map(([k, v]) =>
      el("tr", {}, el("td", { text: k }), el("td", { class: PROMINENT.test(k) ? "prominent" : null, "data-arg": k, text: compact(v) })));
    const edited = (item.text_review || []).map((r) => ({ ...r, step_id: "your edit" }));
    const reviews = [...edited, ...(item.reviews || [])].map((r) =>
      el("li", { class: r.passed ? "passed" : "failed", text: r.step_id + " · " + r.rule + ": " + (r.passed ? "passed" : "failed " + (r.reasons || []).join("; ")) }));
    const edit = editForm(item, node), reject = rejectForm(item, node);
    node.append(...[
      el("h3", {}, item.tool, " ", el("span", { class: "meta", text: item.step + " · " + item.worker })),
      el("div", { class: "meta" }, "thread ", el("a", { href: "/console/threads/" + encodeURIComponent(item.thread_id), text: item.thread_id }), " · asked " + when(item.asked_at)),
      el("p", { class: "request" }, el("strong", { text: "Request: " }), item.request),
      el("table", { class: "args" }, rows),
      el("p", { class: "reason" }, el("strong", { text: "Why: " }), item.reason),
      liveBox(item.live),
      item.refused ? el("p", { class: "warn", text: "previous decision refused: " + item.refused }) : null,
      reviews.length ? el("div", {}, el("strong", { text: "Review of the drafts it depends on" }), el("ul", { class: "reviews" }, reviews)) : null,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "approve", onclick: () => send(node, item.thread_id, [{ id: item.id, type: "approve", tool_call_id: item.tool_call_id }]), text: "Approve" }),
        el("button", { type: "button", class: "open-edit", onclick: () => { edit.hidden = false; reject.hidden = true; }, text: "Edit…" }),
        el("button", { type: "button", class: "open-reject", onclick: () => { reject.hidden = false; edit.hidden = true; }, text: "Reject…" })),
      edit, reject, el("div", { class: "outcome", role: "status" })].filter(Boolean));
    return node;
  }

  function groupFor(list, thread, items) {
    let group = list.querySelector('.group[data-thread="' + CSS.escape(thread) + '"]');
    if (!group) {
      group = el("div", { class: "group", "data-thread": thread }, el("div", { class: "group-head" }), el("div", { class: "outcome" }));
      list.append(group);
    }
    const head = group.querySelector(".group-head");
    head.replaceChildren();
    if (items.length > 1) {
      head.append(el("button", { type: "button", class: "approve-all", text: "Approve all " + items.length + " of this thread together",
        onclick: () => send(group, thread, items.map((i) => ({ id: i.id, type: "approve", tool_call_id: i.tool_call_id }))) }));
    }
    return group;
  }

  function show(main) {
    const count = el("p", { class: "meta", id: "inbox-count" });
    const list = el("div", { id: "inbox" });
    main.replaceChildren(el("h1", { text: "Inbox" }), count, list);
    const refresh = async () => {
      const reply = await api("/console/api/inbox");
      if (!reply.ok) { count.textContent = reply.body.detail || "cannot read the inbox"; return reply.status !== 401; }
      const items = reply.body.items;
      count.textContent = items.length ? items.length + " pending approval(s), oldest first" : "Nothing waits for you.";
      const ids = new Set(items.map((i) => i.id));
      for (const old of list.querySelectorAll("article.approval")) {
        if (!ids.has(old.dataset.approval) && !old.dataset.decided) old.remove();
      }
      for (const group of list.querySelectorAll(".group")) {
        if (!group.querySelector("article")) group.remove();
      }
      const byThread = new Map();
      for (const item of items) byThread.set(item.thread_id, [...(byThread.get(item.thread_id) || []), item]);
      for (const [thread, group] of byThread) {
        const box = groupFor(list, thread, group);
        for (const item of group) {
          if (!list.querySelector('article[data-approval="' + item.id + '"]')) box.append(card(item));
        }
      }
      return true;
    };
    let reading = null, again = false;
    const reread = async () => {  // one read at a time; events meanwhile make one more
      if (reading) { again = true; return; }
      do { again = false; reading = refresh(); await reading; } while (again);
      reading = null;
    };
    Console.follow("/console/api/inbox/events", () => {
      list.dataset.live = "stream";
      Console.halt();
      reread();
    }, () => {
      list.dataset.live = "poll";
      Console.poll(refresh, 1500);
    });
  }

  return { show, fieldError };
})();
