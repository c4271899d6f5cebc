// Baton operator console: sign-in, the JSON calls, DOM helpers, page routing.
// Every value from the server is inserted as text (textContent), never as markup.
"use strict";
const Console = (() => {
  const KEY = "baton.key", NAME = "baton.name";
  let timer = null, feed = null;
  const RETRY_MS = 15000;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function when(seconds) {
    return seconds ? new Date(seconds * 1000).toLocaleString() : "";
  }

  function compact(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function status(name) {
    return el("span", { class: "status " + name, "data-status": name, text: name });
  }

  function signIn(message) {
    stop();
    sessionStorage.removeItem(KEY);
    document.getElementById("main").replaceChildren();
    document.getElementById("sign-in").hidden = false;
    document.getElementById("sign-out").hidden = true;
    document.getElementById("who").textContent = "";
    document.getElementById("sign-in-error").textContent = message || "";
  }

  async function api(path, options) {
    const headers = { Authorization: "Bearer " + sessionStorage.getItem(KEY) };
    if (options && options.body) headers["Content-Type"] = "application/json";
    let reply;
    try {
      reply = await fetch(path, { ...(options || {}), headers });
    } catch (error) {
      return { ok: false, status: 0, body: { detail: "the server did not answer" } };
    }
    let body = {};
    try { body = await reply.json(); } catch (error) { body = { detail: reply.statusText }; }
    if (reply.status === 401) signIn(body.detail);
    return { ok: reply.ok, status: reply.status, body };
  }

  function halt() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function stop() {
    halt();
    if (feed !== null) feed.abort();
    feed = null;
  }

  // Call `refresh` now and again every `ms` until it returns false (or the page changes).
  function poll(refresh, ms) {
    halt();
    const tick = async () => {
      const again = await refresh();
      if (again !== false) timer = setTimeout(tick, ms);
    };
    tick();
  }

  // Read the server-sent events of `path` (fetch, so the key goes in a header, never a
  // URL); `onEvent(name, data)` for each. When the feed cannot be read, `onLost()`, and a
  // new try after RETRY_MS, until the page changes.
  function follow(path, onEvent, onLost) {
    if (feed !== null) feed.abort();
    const control = new AbortController();
    feed = control;
    const lost = () => {
      if (control.signal.aborted) return;
      onLost();
      setTimeout(() => { if (feed === control) follow(path, onEvent, onLost); }, RETRY_MS);
    };
    (async () => {
      let reply;
      try {
        reply = await fetch(path, { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY), Accept: "text/event-stream" }, signal: control.signal });
      } catch (error) { return lost(); }
      if (reply.status === 401) {
        let body = {};
        try { body = await reply.json(); } catch (error) { body = {}; }
        return signIn(body.detail);
      }
      if (!reply.ok || !reply.body) return lost();
      const reader = reply.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = "message", data = "";
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) name = line.slice(6).trim();
              else if (line.startsWith("data:")) data += line.slice(5).trim();
            }
            if (data) onEvent(name, JSON.parse(data));
          }
        }
      } catch (error) { /* dropped or aborted */ }
      lost();
    })();
  }

  function operator() {
    return sessionStorage.getItem(NAME) || "operator";
  }

  function route() {
    stop();
    const path = location.pathname.replace(/\/+$/, "");
    const main = document.getElementById("main");
    document.getElementById("who").textContent = "signed in as " + operator();
    document.getElementById("sign-out").hidden = false;
    for (const id of ["nav-inbox", "nav-threads"]) document.getElementById(id).classList.remove("current");
    if (path.startsWith("/console/threads/")) {
      document.getElementById("nav-threads").classList.add("current");
      return ThreadPage.show(main, decodeURIComponent(path.slice("/console/threads/".length)));
    }
    if (path === "/console/threads") {
      document.getElementById("nav-threads").classList.add("current");
      return ThreadPage.list(main);
    }
    document.getElementById("nav-inbox").classList.add("current");
    return Inbox.show(main);
  }

  function start() {
    const form = document.getElementById("sign-in");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, document.getElementById("key").value.trim());
      sessionStorage.setItem(NAME, document.getElementById("name").value.trim());
      const check = await api("/console/api/threads?status=waiting");
      if (!check.ok) return signIn(check.body.detail);
      form.hidden = true;
      route();
    });
    document.getElementById("sign-out").addEventListener("click", () => signIn(""));
    if (sessionStorage.getItem(KEY)) route(); else signIn("");
  }

  return { el, when, compact, status, api, poll, halt, follow, stop, operator, start };
})();
