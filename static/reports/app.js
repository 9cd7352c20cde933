/* The /reports page: every action goes through the same REST API a frontend uses. */
(function () {
  "use strict";

  const API = "/api/reports/";
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const IN_PROGRESS = new Set(["PENDING", "GENERATING"]);
  const state = { templates: [], page: 1, pollDelay: 1000, pollTimer: null };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    });
    children.flat().forEach((child) => {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    });
    return node;
  }

  async function api(path, options = {}) {
    const response = await fetch(API + path, {
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      ...options,
    });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body };
  }

  function isoDay(date) {
    return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  /* --- templates and the generate form --- */

  async function loadTemplates() {
    const { ok, body } = await api("templates/?page_size=100");
    if (!ok) return;
    state.templates = body.results;
    const select = $("template");
    select.replaceChildren(...state.templates.map((t) => el("option", { value: t.id }, t.name)));
    showTemplate();
  }

  function currentTemplate() {
    return state.templates.find((t) => String(t.id) === $("template").value);
  }

  function showTemplate() {
    const template = currentTemplate();
    if (!template) return;
    $("template-description").textContent = template.description;
    $("export_format").replaceChildren(...template.supported_formats.map((f) => el("option", { value: f }, f)));
    const filters = Object.entries(template.allowed_filters).map(([name, spec]) => {
      const id = "filter-" + name;
      const label = el("label", { for: id }, spec.label || name);
      const control =
        spec.type === "choice"
          ? el("select", { id, name }, el("option", { value: "" }, "All"), spec.choices.map((c) => el("option", { value: c.value }, c.label)))
          : el("input", { id, name, maxlength: spec.max_length || 100 });
      return el("div", { class: "filter" }, label, control);
    });
    $("filters").replaceChildren(...filters);
  }

  function clearErrors() {
    document.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
  }

  function showErrors(errors) {
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const target = document.querySelector(`.field-error[data-for="${field}"]`) || document.querySelector('.field-error[data-for="non_field_errors"]');
      const text = Array.isArray(messages) ? messages.join(" ") : typeof messages === "object" ? Object.entries(messages).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join(" ") : String(messages);
      target.textContent = text;
    });
  }

  async function generate(event) {
    event.preventDefault();
    clearErrors();
    $("generate-message").textContent = "";
    const template = currentTemplate();
    const filters = {};
    $("filters").querySelectorAll("select, input").forEach((control) => {
      if (control.value) filters[control.name] = control.value;
    });
    const payload = {
      date_range_start: $("date_range_start").value,
      date_range_end: $("date_range_end").value,
      export_format: $("export_format").value,
      title: $("title").value,
      filters,
    };
    const { ok, status, body } = await api(`templates/${template.id}/generate/`, { method: "POST", body: JSON.stringify(payload) });
    if (ok) {
      $("generate-message").textContent = `Report queued: ${body.title}`;
      state.page = 1;
      refresh();
    } else if (status === 400) {
      showErrors(body);
    } else {
      showErrors({ non_field_errors: [(body && body.detail) || "The report could not be requested."] });
    }
  }

  /* --- my reports --- */

  function statusCell(report) {
    const chip = el("span", { class: "chip chip-" + report.status.toLowerCase() }, report.status.charAt(0) + report.status.slice(1).toLowerCase());
    if (IN_PROGRESS.has(report.status)) {
      return [chip, el("progress", { max: 100, value: report.progress_percentage, "aria-label": `Progress of ${report.title}` }, `${report.progress_percentage}%`)];
    }
    if (report.status === "FAILED") return [chip, el("p", { class: "error" }, report.error_message)];
    if (report.status === "EXPIRED") return [chip, el("p", { class: "hint" }, "Expired " + new Date(report.expires_at || report.completed_at).toLocaleDateString())];
    return [chip];
  }

  function actions(report) {
    const buttons = [];
    if (report.status === "COMPLETED") {
      buttons.push(el("a", { class: "button primary", href: `${API}generated/${report.id}/download/` }, "Download"));
    }
    buttons.push(
      el("button", {
        type: "button",
        class: "danger",
        "aria-label": `Delete ${report.title}`,
        onclick: async () => {
          if (!window.confirm(`Delete "${report.title}"? This cannot be undone.`)) return;
          await api(`generated/${report.id}/`, { method: "DELETE" });
          refresh();
        },
      }, "Delete"),
    );
    return buttons;
  }

  function renderReports(body) {
    const rows = body.results.map((r) =>
      el("tr", { class: r.status === "EXPIRED" ? "expired" : "" },
        el("td", {}, el("strong", {}, r.title), el("br"), el("span", { class: "hint" }, r.template_name)),
        el("td", {}, `${r.date_range_start} – ${r.date_range_end}`),
        el("td", {}, r.export_format),
        el("td", { "aria-live": "polite" }, statusCell(r)),
        el("td", {}, new Date(r.created_at).toLocaleString()),
        el("td", { class: "actions" }, actions(r)),
      ),
    );
    $("report-rows").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "hint" }, "No reports yet. Generate one above."))]));
    const pages = Math.max(1, Math.ceil(body.count / 20));
    $("page-info").textContent = `Page ${state.page} of ${pages}`;
    $("prev-page").disabled = !body.previous;
    $("next-page").disabled = !body.next;
    return body.results.some((r) => IN_PROGRESS.has(r.status));
  }

  function renderDashboard(data) {
    const figures = [
      ["Reports", data.totals.reports],
      ["Completed", data.totals.completed],
      ["In progress", data.totals.pending + data.totals.generating],
      ["Failed", data.totals.failed],
      ["Downloads", data.total_downloads],
      ["Average generation", data.average_generation_seconds === null ? "—" : `${data.average_generation_seconds.toFixed(1)} s`],
      ["Failure rate", data.failure_rate === null ? "—" : `${(data.failure_rate * 100).toFixed(1)}%`],
      ["Storage used", `${(data.storage_bytes / 1024).toFixed(0)} KB`],
    ];
    $("dashboard").replaceChildren(...figures.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  }

  async function refresh() {
    clearTimeout(state.pollTimer);
    const [list, dashboard] = await Promise.all([api(`generated/?page=${state.page}`), api("generated/dashboard/")]);
    if (dashboard.ok) renderDashboard(dashboard.body);
    if (!list.ok) return;
    if (renderReports(list.body)) {
      state.pollTimer = setTimeout(refresh, state.pollDelay);
      state.pollDelay = Math.min(state.pollDelay * 1.5, 10000);
    } else {
      state.pollDelay = 1000;
    }
  }

  /* --- start --- */

  const today = new Date();
  $("date_range_end").value = isoDay(today);
  $("date_range_start").value = isoDay(new Date(today.getTime() - 29 * 86400000));
  $("template").addEventListener("change", showTemplate);
  $("generate-form").addEventListener("submit", generate);
  $("prev-page").addEventListener("click", () => { state.page -= 1; refresh(); });
  $("next-page").addEventListener("click", () => { state.page += 1; refresh(); });
  loadTemplates();
  refresh();
})();
