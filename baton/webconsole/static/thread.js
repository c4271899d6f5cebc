// The threads list (filter by status, search by request) and one thread's view, live.
"use strict";
const ThreadPage = (() => {
  const { el, api, compact, when, status } = Console;
  const STATUSES = ["", "waiting", "running", "done", "failed", "budget_exhausted", "error", "new"];
  const SETTLED = new Set(["done", "failed", "budget_exhausted", "error", "waiting", "new"]);

  function list(main) {
    const params = new URLSearchParams(location.search);
    const filter = el("select", { id: "status-filter", name: "status" },
      STATUSES.map((s) => el("option", { value: s, selected: params.get("status") === s || null, text: s || "any status" })));
    const search = el("input", { id: "search", name: "q", type: "search", placeholder: "words of the request", maxlength: 200 });
    search.value = params.get("q") || "";
    const body = el("tbody");
    const note = el("p", { class: "meta" });
    main.replaceChildren(el("h1", { text: "Threads" }),
      el("form", { id: "filters", onsubmit: (e) => e.preventDefault() }, filter, " ", search), note,
      el("table", { class: "list" }, el("thead", {}, el("tr", {}, ["Thread", "Status", "Request", "Pending", "Last activity"].map((h) => el("th", { text: h })))), body));
    let asked = 0;
    const refresh = async () => {
      const mine = ++asked;  // a slower, older answer must not overwrite a newer filter's
      const query = new URLSearchParams();
      if (filter.value) query.set("status", filter.value);
      if (search.value.trim()) query.set("q", search.value.trim());
      history.replaceState(null, "", "/console/threads" + (query.toString() ? "?" + query : ""));
      const reply = await api("/console/api/threads?" + query);
      if (mine !== asked) return true;
      if (!reply.ok) { note.textContent = reply.body.detail; return reply.status !== 401; }
      note.textContent = reply.body.threads.length + " thread(s)";
      body.replaceChildren(...reply.body.threads.map((t) => el("tr", { "data-thread": t.thread_id },
        el("td", {}, el("a", { href: "/console/threads/" + encodeURIComponent(t.thread_id), text: t.thread_id })),
        el("td", {}, status(t.status)), el("td", { text: t.request }),
        el("td", { text: t.pending || "" }), el("td", { text: when(t.updated_at) }))));
      return true;
    };
    filter.addEventListener("change", refresh);
    search.addEventListener("input", refresh);
    Console.poll(refresh, 1500);
  }

  // Steps in columns by depth: a step stands right of every step it depends on.
  function planGraph(steps) {
    const depth = {};
    const byId = Object.fromEntries(steps.map((s) => [s.id, s]));
    const level = (s, seen) => {
      if (depth[s.id] !== undefined) return depth[s.id];
      if (seen.has(s.id)) return 0;
      seen.add(s.id);
      const deps = s.depends_on.filter((d) => byId[d]);
      return (depth[s.id] = deps.length ? 1 + Math.max(...deps.map((d) => level(byId[d], seen))) : 0);
    };
    steps.forEach((s) => level(s, new Set()));
    const layers = [];
    for (const s of steps) (layers[depth[s.id]] = layers[depth[s.id]] || []).push(s);
    return el("div", { class: "plan", id: "plan" }, layers.map((layer) => el("div", { class: "layer" }, layer.map((s) =>
      el("div", { class: "step " + s.status, "data-step": s.id, "data-status": s.status },
        el("strong", { text: s.id + " · " + s.worker }), " ", status(s.status),
        el("div", { class: "meta", text: s.depends_on.length ? "after " + s.depends_on.join(", ") : "no dependencies" }),
        el("div", { text: s.instruction }),
        s.error ? el("div", { class: "warn", text: s.error }) : null)))));
  }

  function timeline(t) {
    return el("div", { class: "card" }, el("strong", { text: t.step + " · " + t.seconds + " s" }),
      el("ol", { class: "timeline" }, t.events.map((e) => el("li", { "data-kind": e.kind, text:
        "+" + e.offset_ms + " ms " + e.kind + (e.tier ? " [" + e.tier + "]" : "") + (e.tokens !== null ? " " + e.tokens + " tokens" : "") +
        (e.latency_ms !== null && e.latency_ms !== undefined ? " " + e.latency_ms + " ms" : "") + " · " + e.summary }))));
  }

  function render(main, t) {
    const section = (title, id, ...body) => el("section", { id }, el("h2", { text: title }), ...body);
    main.replaceChildren(...[
      el("h1", {}, "Thread ", el("span", { id: "thread-id", text: t.thread_id }), " ", el("span", { id: "thread-status" }, status(t.status))),
      el("p", { class: "meta" }, "last activity " + when(t.updated_at) + " · ",
        el("a", { href: t.studio_url, target: "_blank", rel: "noopener", id: "studio-link", text: "open in Studio (langgraph dev)" }),
        t.approvals.length ? [" · ", el("a", { href: "/console/inbox", text: t.approvals.length + " approval(s) waiting in the inbox" })] : null),
      t.error ? el("p", { class: "warn", text: t.error }) : null,
      section("Turns", "turns", t.turns.map((turn) => el("div", { class: "card turn" },
        el("strong", { text: "turn " + turn.turn + " · " + (turn.route || "") + " " }), status(turn.status || "running"),
        el("p", {}, el("strong", { text: "Request: " }), turn.request || ""),
        turn.answer ? el("p", { class: "answer", text: turn.answer }) : null))),
      section("Plan", "plan-section", t.plan.length ? planGraph(t.plan) : el("p", { class: "meta", text: "no plan" })),
      section("Effects done", "effects", el("table", { class: "list" },
        el("thead", {}, el("tr", {}, ["Tool", "Status", "Ledger key", "Arguments", "Result"].map((h) => el("th", { text: h })))),
        el("tbody", {}, t.effects.map((e) => el("tr", { class: "effect", "data-tool": e.tool, "data-status": e.status },
          el("td", { text: e.tool }), el("td", { text: e.status }), el("td", { class: "ledger-key", text: e.key || e.idempotency_key || "" }),
          el("td", { class: "wide", text: compact(e.args) }), el("td", { class: "wide", text: compact(e.result) })))))),
      section("Approval audit", "audit", el("table", { class: "list" }, el("tbody", {}, t.audit.map((a) => el("tr", { "data-event": a.event },
        el("td", { text: when(a.at) }), el("td", { text: a.step + " " + a.tool }), el("td", { text: (a.event + " " + a.decision).trim() }),
        el("td", { text: a.decider ? "by " + a.decider : "" }), el("td", { class: "wide", text: a.detail || compact(a.args) })))))),
      section("Worker timelines", "timelines", t.timelines.map(timeline))].filter(Boolean));
  }

  function show(main, id) {
    main.replaceChildren(el("p", { class: "meta", text: "loading thread " + id + "…" }));
    Console.poll(async () => {
      const reply = await api("/console/api/threads/" + encodeURIComponent(id));
      if (!reply.ok) {
        main.replaceChildren(el("h1", { text: "Thread" }), el("p", { class: "error", id: "thread-error", text: reply.body.detail || "error " + reply.status }));
        return false;
      }
      render(main, reply.body);
      return !SETTLED.has(reply.body.status) || reply.body.status === "waiting";
    }, 1000);
  }

  return { list, show };
})();
