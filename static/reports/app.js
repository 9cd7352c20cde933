/* The /reports page: every action goes through the same REST API a frontend uses.
 *
 * Data from the API is always inserted as text (textContent, text nodes, attributes);
 * the only markup inserted is the SVG of our own server-drawn charts, parsed as SVG.
 */
(function () {
  "use strict";

  const app = document.getElementById("reports-app");
  const API = app.dataset.api;
  const TODAY = app.dataset.today;
  const TIME_ZONE = app.dataset.timeZone;
  const IS_ADMIN = app.dataset.admin === "true";
  const LABELS = JSON.parse(app.dataset.labels); // {formats, statuses}: value to label, from the server's choices
  const csrf = app.querySelector("[name=csrfmiddlewaretoken]").value;

  const IN_PROGRESS = new Set(["PENDING", "GENERATING"]);
  const PAGE_SIZE = 10;
  const POLL_FIRST = 1000;
  const POLL_MAX = 8000;
  const POLL_FACTOR = 1.6;
  const DASHBOARD_AFTER_DOWNLOAD = 1500;
  const DASHBOARD_REFRESH = 60000; // the dashboard's figures are drawn again this often while the page is shown
  const SVG_NS = "http://www.w3.org/2000/svg";
  const FORMAT_HINTS = { PDF: "to print or share", EXCEL: "to work with the numbers", CSV: "a plain table", JSON: "for other systems" };
  /* Friendly text by error code (the API's Error-Codes header), then by field; "*" for any field. */
  const FRIENDLY = {
    required: {
      date_range_start: "Choose the first day of the period.",
      date_range_end: "Choose the last day of the period.",
      export_format: "Choose a format.",
      "*": "Please fill this in.",
    },
    invalid: {
      date_range_start: "Enter a complete date: day, month and year.",
      date_range_end: "Enter a complete date: day, month and year.",
    },
    range_order: {
      "*": "The end date is before the start date. Choose an end date on or after the start date.",
    },
  };

  const state = {
    templates: [],
    page: 1,
    reports: [],
    pollTimer: null,
    pollDelay: POLL_FIRST,
    exporting: null,
    presets: [],
    editing: null, // the preset loaded into the form by Edit, which "Save as preset" then updates
    schedules: [],
    people: null, // whom a schedule may mail, loaded when the schedule dialog first opens
    scheduling: null, // {preset, schedule}: what the schedule dialog makes or changes
  };

  const $ = (id) => document.getElementById(id);
  const formatLabel = (format) => LABELS.formats[format] || format;
  const statusLabel = (status) => LABELS.statuses[status] || status;

  /* --- small helpers ------------------------------------------------------ */

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "checked" || key === "disabled" || key === "selected") node[key] = Boolean(value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    children.flat(Infinity).forEach((child) => {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    });
    return node;
  }

  async function api(path, options = {}) {
    let response;
    try {
      response = await fetch(API + path, {
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        ...options,
      });
    } catch (error) {
      return { ok: false, status: 0, body: { detail: "The server could not be reached. Check the connection and try again." }, codes: null };
    }
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401) {
      announce("Your session has ended. Please log in again.");
      window.location.assign("/accounts/login/?next=/reports");
    }
    return { ok: response.ok, status: response.status, body, codes: errorCodes(response) };
  }

  /* The error's codes: the body's structure with each message replaced by its code. */
  function errorCodes(response) {
    try {
      return JSON.parse(response.headers.get("Error-Codes"));
    } catch (error) {
      return null;
    }
  }

  function announce(text) {
    const announcer = $("announcer");
    announcer.textContent = "";
    window.setTimeout(() => (announcer.textContent = text), 50);
  }

  function svgNode(markup) {
    if (!markup) return null;
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    const svg = parsed.documentElement;
    if (svg.namespaceURI !== SVG_NS || svg.localName !== "svg" || parsed.getElementsByTagName("parsererror").length) return null;
    svg.querySelectorAll("script, foreignObject").forEach((node) => node.remove());
    return document.importNode(svg, true);
  }

  /* --- dates and numbers ---------------------------------------------------- */

  const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const momentFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: TIME_ZONE });

  function parseDay(iso) {
    return new Date(iso + "T00:00:00Z");
  }

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function addDays(date, days) {
    return new Date(date.getTime() + days * 86400000);
  }

  function formatDay(iso) {
    return iso ? dayFormat.format(parseDay(iso)) : "";
  }

  function formatMoment(iso) {
    return iso ? momentFormat.format(new Date(iso)) : "";
  }

  function formatPeriod(start, end) {
    return start === end ? formatDay(start) : `${formatDay(start)} – ${formatDay(end)}`;
  }

  function formatBytes(bytes) {
    if (!bytes) return "0 KB";
    if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function formatSeconds(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    return seconds < 60 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
  }

  function formatPercent(fraction) {
    return fraction === null || fraction === undefined ? "—" : `${(fraction * 100).toFixed(1)}%`;
  }

  function presetRange(preset) {
    const today = parseDay(TODAY);
    const year = today.getUTCFullYear();
    const month = today.getUTCMonth();
    switch (preset) {
      case "last7":
        return [addDays(today, -6), today];
      case "last30":
        return [addDays(today, -29), today];
      case "last90":
        return [addDays(today, -89), today];
      case "this_month":
        return [new Date(Date.UTC(year, month, 1)), today];
      case "last_month":
        return [new Date(Date.UTC(year, month - 1, 1)), new Date(Date.UTC(year, month, 0))];
      case "this_year":
        return [new Date(Date.UTC(year, 0, 1)), today];
      default:
        return null;
    }
  }

  function applyPreset(preset) {
    const range = presetRange(preset);
    if (!range) return;
    $("date_range_start").value = isoDay(range[0]);
    $("date_range_end").value = isoDay(range[1]);
    clearError("date_range_start");
    clearError("date_range_end");
  }

  /* --- templates and the generate form ---------------------------------------- */

  async function loadTemplates() {
    const { ok, body } = await api("templates/cards/?page_size=100");
    const container = $("template-cards");
    container.setAttribute("aria-busy", "false");
    if (!ok) {
      container.replaceChildren(el("p", { class: "alert alert-error" }, (body && body.detail) || "The reports could not be loaded."));
      return;
    }
    state.templates = body.results;
    if (!state.templates.length) {
      container.replaceChildren(el("p", { class: "hint" }, "No report is available to your role."));
      return;
    }
    container.replaceChildren(...state.templates.map((template) => templateCard(template, false)));
    $("list-type").append(...state.templates.map((t) => el("option", { value: t.report_type }, t.name)));
    showTemplate();
  }

  function templateCard(template, checked) {
    const id = `template-${template.id}`;
    return el(
      "label",
      { class: "template-card", for: id, "data-report-type": template.report_type },
      el("input", { type: "radio", name: "template", id, value: template.id, checked, class: "card-radio", onchange: showTemplate }),
      el("span", { class: "card-name" }, template.name),
      el("span", { class: "card-description" }, template.description),
      el("span", { class: "card-contents" }, el("span", { class: "visually-hidden" }, "Contains: "), template.contents),
      el(
        "span",
        { class: "card-formats" },
        el("span", { class: "visually-hidden" }, "Formats: "),
        template.supported_formats.map((format) => el("span", { class: `badge badge-${format.toLowerCase()}` }, formatLabel(format))),
      ),
    );
  }

  function currentTemplate() {
    const chosen = document.querySelector("input[name=template]:checked");
    return chosen ? state.templates.find((t) => String(t.id) === chosen.value) : null;
  }

  function showTemplate() {
    const template = currentTemplate();
    if (!template) return;
    clearError("template");
    const previous = document.querySelector("input[name=export_format]:checked");
    const wanted = previous && template.supported_formats.includes(previous.value) ? previous.value : template.supported_formats[0];
    $("formats").replaceChildren(...template.supported_formats.map((format) => formatChoice("export_format", `format-${format}`, format, format === wanted)));
    $("suppress_small_counts").checked = Boolean(template.suppress_small_counts);
    const filters = Object.entries(template.allowed_filters).map(([name, spec]) => filterControl(name, spec));
    $("filters-group").hidden = filters.length === 0;
    $("filters").replaceChildren(...filters);
  }

  function formatChoice(name, id, format, checked) {
    return el(
      "label",
      { class: "format-choice", for: id },
      el("input", { type: "radio", name, id, value: format, checked }),
      el("span", { class: "format-name" }, formatLabel(format)),
      el("span", { class: "format-hint" }, FORMAT_HINTS[format] || ""),
    );
  }

  function filterControl(name, spec) {
    const id = `filter-${name}`;
    const label = spec.label || name;
    const error = el("p", { class: "field-error", id: `error-${id}`, "data-for": `filters.${name}` });
    const control =
      spec.type === "choice"
        ? el(
            "select",
            { id, name, "data-filter": name, "aria-describedby": error.id },
            el("option", { value: "" }, `Any ${label.toLowerCase()}`),
            spec.choices.map((choice) => el("option", { value: choice.value }, choice.label)),
          )
        : el("input", { id, name, "data-filter": name, maxlength: spec.max_length || 100, autocomplete: "off", placeholder: "Any", "aria-describedby": error.id });
    return el("div", { class: "field" }, el("label", { for: id }, label), control, error);
  }

  function clearError(field) {
    const target = document.querySelector(`.field-error[data-for="${field}"]`);
    if (target) target.textContent = "";
    const control = controlFor(field);
    if (control) control.removeAttribute("aria-invalid");
  }

  function clearErrors() {
    const form = $("generate-form");
    form.querySelectorAll(".field-error").forEach((node) => (node.textContent = ""));
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  }

  function controlFor(field) {
    if (field.startsWith("filters.")) return $(`filter-${field.slice(8)}`);
    if (field === "export_format") return document.querySelector("input[name=export_format]");
    if (field === "template") return document.querySelector("input[name=template]");
    return $(field);
  }

  function friendly(field, code, message) {
    const known = FRIENDLY[code] || {};
    return known[field] || known["*"] || message;
  }

  function flat(value) {
    if (Array.isArray(value)) return value.flatMap(flat);
    if (value && typeof value === "object") return Object.values(value).flatMap(flat);
    return [value];
  }

  function messages(value) {
    return flat(value).map(String);
  }

  /* Errors from the API as {field: [messages]}, filters as {filters: {name: [messages]}}; codes alike. */
  function showErrors(errors, codes) {
    const shown = [];
    Object.entries(errors || {}).forEach(([field, value]) => {
      const coded = (codes || {})[field];
      if (field === "filters" && value && !Array.isArray(value) && typeof value === "object") {
        Object.entries(value).forEach(([name, nested]) => shown.push([`filters.${name}`, messages(nested), flat((coded || {})[name])]));
      } else {
        shown.push([field, messages(value), flat(coded)]);
      }
    });
    let first = null;
    shown.forEach(([field, list, fieldCodes]) => {
      const target = document.querySelector(`#generate-form .field-error[data-for="${field}"]`) || $("error-non_field_errors");
      target.textContent = list.map((message, index) => friendly(field, fieldCodes[index], message)).join(" ");
      const control = controlFor(field);
      if (control) {
        control.setAttribute("aria-invalid", "true");
        first = first || control;
      }
    });
    if (first) first.focus();
  }

  /* The form's request: its period (a preset is a relative period, resolved by the server and named in the
     report; Custom sends the dates), format, filters, small counts and comparison. */
  function requestFields() {
    const filters = {};
    $("filters").querySelectorAll("[data-filter]").forEach((control) => {
      if (control.value.trim()) filters[control.dataset.filter] = control.value.trim();
    });
    const format = document.querySelector("input[name=export_format]:checked");
    const preset = document.querySelector("input[name=preset]:checked");
    const period = preset && preset.dataset.period
      ? { period: preset.dataset.period }
      : { date_range_start: $("date_range_start").value, date_range_end: $("date_range_end").value };
    return {
      ...period,
      export_format: format ? format.value : "",
      filters,
      suppress_small_counts: $("suppress_small_counts").checked,
      compare_to: $("compare_to").value,
    };
  }

  /* After a report is requested the filters go back to none, so the next report starts unfiltered. */
  function resetFilters() {
    $("filters").querySelectorAll("[data-filter]").forEach((control) => (control.value = ""));
  }

  async function generate(event) {
    event.preventDefault();
    clearErrors();
    const message = $("generate-message");
    message.textContent = "";
    message.classList.remove("is-error");
    const template = currentTemplate();
    if (!template) {
      $("error-template").textContent = "Choose a report first.";
      return;
    }
    const payload = { ...requestFields(), title: $("title").value.trim() };
    const button = $("generate-button");
    button.disabled = true;
    const { ok, status, body, codes } = await api(`templates/${template.id}/generate/`, { method: "POST", body: JSON.stringify(payload) });
    button.disabled = false;
    if (ok) {
      const filtered = Object.keys(payload.filters).length ? " Its filters are cleared for the next report." : "";
      message.textContent = `“${body.title}” is being prepared. It appears under My reports and updates by itself.${filtered}`;
      $("title").value = "";
      resetFilters();
      $("list-status").value = "";
      $("list-type").value = "";
      state.page = 1;
      state.pollDelay = POLL_FIRST;
      await loadReports();
      loadDashboard();
    } else if (status === 400 && body) {
      showErrors(body, codes);
      message.classList.add("is-error");
      message.textContent = "Please correct the highlighted fields.";
    } else {
      $("error-non_field_errors").textContent = (body && body.detail) || "The report could not be requested. Please try again.";
    }
  }

  /* --- saved presets ---------------------------------------------------------------- */

  async function loadPresets() {
    const { ok, body } = await api("presets/?page_size=100");
    if (!ok) {
      $("preset-message").textContent = (body && body.detail) || "The saved presets could not be loaded.";
      return;
    }
    state.presets = body.results;
    const own = state.presets.filter((preset) => preset.is_own);
    const shared = state.presets.filter((preset) => !preset.is_own);
    $("my-presets").replaceChildren(...(own.length ? own.map(presetItem) : [el("li", { class: "hint" }, "None yet: set up a report below and choose Save as preset.")]));
    $("shared-presets").replaceChildren(...(shared.length ? shared.map(presetItem) : [el("li", { class: "hint" }, "No preset is shared with you.")]));
  }

  function presetSummary(preset) {
    const period = preset.period ? preset.period_label : formatPeriod(preset.date_range_start, preset.date_range_end);
    const filters = Object.values(preset.filter_labels).map((shown) => `${shown.label}: ${shown.text}`);
    const compared = { previous_period: "against the previous period", same_period_last_year: "against the same period last year" }[preset.compare_to];
    return [preset.template_name, period, formatLabel(preset.export_format), ...filters, ...(compared ? [compared] : [])].join(" · ");
  }

  function sharingText(preset) {
    if (preset.sharing === "CLINIC") return "Shared with the whole clinic";
    if (preset.sharing !== "ROLE") return "Only you see it";
    const option = document.querySelector(`#preset-role option[value="${preset.shared_role}"]`);
    return `Shared with the role group ${option ? option.textContent : preset.shared_role}`;
  }

  function presetItem(preset) {
    const label = (action) => `${action}: ${preset.name}`;
    const buttons = [
      el("button", { type: "button", class: "button primary", "data-preset-action": "run", "data-preset": preset.id, "aria-label": label("Run now"), disabled: !preset.runnable }, "Run now"),
      el("button", { type: "button", class: "button", "data-preset-action": "schedule", "data-preset": preset.id, "aria-label": label("Schedule"), disabled: !preset.runnable }, "Schedule…"),
      ...(preset.is_own
        ? [
            el("button", { type: "button", class: "button", "data-preset-action": "edit", "data-preset": preset.id, "aria-label": label("Edit") }, "Edit"),
            el("button", { type: "button", class: "button danger-quiet", "data-preset-action": "delete", "data-preset": preset.id, "aria-label": label("Delete") }, "Delete"),
          ]
        : []),
    ];
    return el(
      "li",
      { class: "preset-item", "data-preset-id": preset.id },
      el("span", { class: "preset-name" }, preset.name),
      el("span", { class: "preset-summary" }, presetSummary(preset)),
      el("span", { class: "hint" }, preset.is_own ? sharingText(preset) : `Shared by ${preset.owner_name}`),
      preset.runnable ? null : el("span", { class: "field-error" }, preset.problems.join(" ")),
      el("span", { class: "preset-actions" }, buttons),
    );
  }

  async function onPresetClick(event) {
    const button = event.target.closest("button[data-preset-action]");
    if (!button) return;
    const preset = state.presets.find((p) => String(p.id) === button.dataset.preset);
    if (!preset) return;
    if (button.dataset.presetAction === "run") await runPreset(preset, button);
    else if (button.dataset.presetAction === "edit") editPreset(preset);
    else if (button.dataset.presetAction === "schedule") await openScheduleDialog(preset, null);
    else if (button.dataset.presetAction === "delete") await deletePreset(preset);
  }

  async function runPreset(preset, button) {
    button.disabled = true;
    const { ok, body } = await api(`presets/${preset.id}/run/`, { method: "POST" });
    button.disabled = false;
    const message = $("preset-message");
    if (ok) {
      message.textContent = `“${body.title}” is being prepared from the preset “${preset.name}”.`;
      state.page = 1;
      state.pollDelay = POLL_FIRST;
      await loadReports();
      loadDashboard();
    } else {
      message.textContent = (body && (body.problems || [body.detail]).join(" ")) || "The preset could not be run.";
    }
  }

  /* Edit loads the preset into the form; "Save as preset" then updates it. */
  function editPreset(preset) {
    const card = document.querySelector(`input[name=template][value="${preset.template}"]`);
    if (card) {
      card.checked = true;
      showTemplate();
    }
    let pill = document.querySelector(`input[name=preset][data-period="${preset.period}"]`);
    if (preset.period && !pill) {
      pill = el("input", { type: "radio", name: "preset", value: preset.period, "data-period": preset.period });
      $("presets").insertBefore(el("label", { class: "pill" }, pill, ` ${preset.period_label}`), $("presets").lastElementChild);
    }
    if (pill) {
      pill.checked = true;
      applyPreset(pill.value);
    } else {
      document.querySelector("input[name=preset][value=custom]").checked = true;
      $("date_range_start").value = preset.date_range_start;
      $("date_range_end").value = preset.date_range_end;
    }
    $("filters").querySelectorAll("[data-filter]").forEach((control) => (control.value = preset.filters[control.dataset.filter] || ""));
    const format = document.querySelector(`input[name=export_format][value="${preset.export_format}"]`);
    if (format) format.checked = true;
    if (preset.suppress_small_counts !== null) $("suppress_small_counts").checked = preset.suppress_small_counts;
    $("compare_to").value = preset.compare_to;
    state.editing = preset;
    $("save-preset-button").textContent = `Update “${preset.name}”`;
    $("preset-message").textContent = `“${preset.name}” is in the form: change it, then choose Update to save it.`;
    $("new-report-heading").scrollIntoView({ block: "start" });
  }

  function openPresetDialog() {
    const template = currentTemplate();
    if (!template) {
      $("error-template").textContent = "Choose a report first.";
      return;
    }
    const editing = state.editing;
    $("preset-dialog-title").textContent = editing ? `Update “${editing.name}”` : "Save as preset";
    $("preset-name").value = editing ? editing.name : "";
    $("preset-sharing").value = editing ? editing.sharing : "PRIVATE";
    if ($("preset-role") && editing && editing.shared_role) $("preset-role").value = editing.shared_role;
    showRoleField();
    $("error-preset-name").textContent = "";
    $("preset-error").textContent = "";
    $("preset-dialog").showModal();
  }

  function showRoleField() {
    if ($("preset-role-field")) $("preset-role-field").hidden = $("preset-sharing").value !== "ROLE";
  }

  async function savePreset(event) {
    event.preventDefault();
    const template = currentTemplate();
    const sharing = $("preset-sharing").value;
    const payload = {
      ...requestFields(),
      name: $("preset-name").value.trim(),
      template: template.id,
      sharing,
      shared_role: sharing === "ROLE" ? $("preset-role").value : "",
    };
    const editing = state.editing;
    const path = editing ? `presets/${editing.id}/` : "presets/";
    $("preset-submit").disabled = true;
    const { ok, body } = await api(path, { method: editing ? "PUT" : "POST", body: JSON.stringify(payload) });
    $("preset-submit").disabled = false;
    if (!ok) {
      const errors = body || {};
      $("error-preset-name").textContent = errors.name ? messages(errors.name).join(" ") : "";
      const others = Object.entries(errors).filter(([field]) => field !== "name");
      $("preset-error").textContent = others.map(([field, value]) => messages(value).join(" ")).join(" ") || (errors.name ? "" : "The preset could not be saved.");
      return;
    }
    $("preset-dialog").close();
    state.editing = null;
    $("save-preset-button").textContent = "Save as preset";
    $("preset-message").textContent = `Saved “${body.name}”.`;
    announce(`Saved the preset “${body.name}”.`);
    await loadPresets();
  }

  async function deletePreset(preset) {
    const confirmed = await confirmDialog(`The preset “${preset.name}” will be deleted. Reports made from it stay.`, {
      title: "Delete this preset?",
      action: "Delete preset",
    });
    if (!confirmed) return;
    const { ok, status, body } = await api(`presets/${preset.id}/`, { method: "DELETE" });
    if (ok || status === 404) {
      if (state.editing && state.editing.id === preset.id) {
        state.editing = null;
        $("save-preset-button").textContent = "Save as preset";
      }
      $("preset-message").textContent = `Deleted the preset “${preset.name}”.`;
      await loadPresets();
    } else {
      $("preset-message").textContent = (body && body.detail) || "The preset could not be deleted.";
    }
  }

  /* --- scheduled reports ------------------------------------------------------------ */

  async function loadSchedules() {
    const list = $("schedule-list");
    const { ok, body } = await api("schedules/?page_size=100");
    list.setAttribute("aria-busy", "false");
    if (!ok) {
      $("schedule-message").textContent = (body && body.detail) || "The schedules could not be loaded.";
      return;
    }
    state.schedules = body.results;
    list.replaceChildren(...(state.schedules.length ? state.schedules.map(scheduleItem) : [el("li", { class: "empty" }, "No schedules yet.")]));
  }

  /* Paused and failing schedules stand out: a chip says so, and why, before anything else. */
  function scheduleState(schedule) {
    const last = schedule.last_run;
    if (!schedule.is_active) return { key: "paused", chip: "Paused", note: schedule.paused_reason || "Paused: it sends nothing until resumed.", warn: Boolean(schedule.paused_reason) };
    if (last && ["FAILED", "NOT_RUNNABLE"].includes(last.outcome)) {
      const times = schedule.consecutive_failures > 1 ? ` (${schedule.consecutive_failures} runs in a row)` : "";
      return { key: "failing", chip: "Failing", note: `Last run failed${times}: ${last.message}`, warn: true };
    }
    return { key: "active", chip: "Active", note: "" };
  }

  function scheduleItem(schedule) {
    const label = (action) => `${action}: ${schedule.preset_name}`;
    const button = (text, action, extra) =>
      el("button", { type: "button", class: `button ${extra || ""}`.trim(), "data-schedule-action": action, "data-schedule": schedule.id, "aria-label": label(text) }, text);
    const current = scheduleState(schedule);
    const recipients = schedule.recipient_people.map((person) => person.name);
    const next = schedule.next_run_local ? `Next: ${schedule.next_run_local} (${schedule.time_zone})` : "No next run while paused";
    const last = schedule.last_run ? `Last: ${formatMoment(schedule.last_run.occurrence_at)}, ${schedule.last_run.outcome_label.toLowerCase()}` : "Not run yet";
    return el(
      "li",
      { class: `schedule-item schedule-${current.key}`, "data-schedule-id": schedule.id },
      el("div", { class: "schedule-head" }, el("span", { class: "preset-name" }, schedule.preset_name), el("span", { class: `chip chip-schedule-${current.key}`, "data-role": "schedule-state" }, current.chip)),
      el("span", { class: "preset-summary" }, `${schedule.template_name} · ${schedule.description}`),
      el("span", { class: "preset-summary" }, recipients.length ? `To ${recipients.join(", ")}` : "No recipients yet: only a test reaches you"),
      el("span", { class: "schedule-times" }, `${next} · ${last}`),
      current.note ? el("span", { class: current.warn ? "field-error" : "hint", "data-role": "schedule-note" }, current.note) : null,
      el(
        "span",
        { class: "preset-actions" },
        schedule.is_active ? button("Pause", "pause") : button("Resume", "resume", "primary"),
        button("Send now", "send-now"),
        button("Send a test to me", "send-test"),
        button("Edit", "edit"),
        button("History", "runs"),
        button("Delete", "delete", "danger-quiet"),
      ),
      el("div", { class: "schedule-runs", "data-role": "runs", hidden: true }),
    );
  }

  async function onScheduleClick(event) {
    const button = event.target.closest("button[data-schedule-action]");
    if (!button) return;
    const schedule = state.schedules.find((s) => String(s.id) === button.dataset.schedule);
    if (!schedule) return;
    const action = button.dataset.scheduleAction;
    const message = $("schedule-message");
    if (action === "edit") {
      const preset = state.presets.find((p) => p.id === schedule.preset) || { id: schedule.preset, name: schedule.preset_name };
      await openScheduleDialog(preset, schedule);
      return;
    }
    if (action === "runs") {
      await showRuns(schedule, button);
      return;
    }
    if (action === "delete") {
      const confirmed = await confirmDialog(`The schedule of “${schedule.preset_name}” will be deleted; nothing more is sent. Reports it made stay.`, {
        title: "Delete this schedule?",
        action: "Delete schedule",
      });
      if (!confirmed) return;
      const { ok, body } = await api(`schedules/${schedule.id}/`, { method: "DELETE" });
      message.textContent = ok ? `Deleted the schedule of “${schedule.preset_name}”.` : (body && body.detail) || "The schedule could not be deleted.";
      await loadSchedules();
      return;
    }
    button.disabled = true;
    const { ok, body } = await api(`schedules/${schedule.id}/${action}/`, { method: "POST" });
    button.disabled = false;
    if (!ok) {
      message.textContent = (body && body.detail) || "That did not work. Please try again.";
      return;
    }
    message.textContent = {
      pause: `Paused the schedule of “${schedule.preset_name}”.`,
      resume: `Resumed the schedule of “${schedule.preset_name}”.`,
      "send-now": `“${schedule.preset_name}” is being made now; it is mailed to its recipients when ready.`,
      "send-test": `“${schedule.preset_name}” is being made now; it is mailed to you alone when ready.`,
    }[action];
    announce(message.textContent);
    await loadSchedules();
    if (action.startsWith("send")) {
      state.page = 1;
      await loadReports();
    }
  }

  async function showRuns(schedule, button) {
    const box = document.querySelector(`[data-schedule-id="${schedule.id}"] [data-role=runs]`);
    if (!box.hidden) {
      box.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const { ok, body } = await api(`schedules/${schedule.id}/runs/`);
    const runs = ok ? body : [];
    box.replaceChildren(
      runs.length
        ? el("ul", { class: "run-list" }, runs.map(runItem))
        : el("p", { class: "hint" }, ok ? "It has not run yet." : "Its history could not be loaded."),
    );
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
  }

  function runItem(run) {
    const facts = [formatMoment(run.occurrence_at), run.trigger_label, run.outcome_label];
    if (run.late) facts.push("late, after a downtime");
    const mails = run.deliveries.map((delivery) => `${delivery.recipient_name}${delivery.kind === "NOTICE" ? " (notice)" : ""}: ${delivery.status_label.toLowerCase()}${delivery.detail ? ` — ${delivery.detail}` : ""}`);
    return el("li", {}, el("span", {}, facts.join(" · ")), run.message ? el("span", { class: "hint" }, run.message) : null, mails.length ? el("span", { class: "hint" }, mails.join("; ")) : null);
  }

  async function loadPeople() {
    if (state.people) return state.people;
    const { ok, body } = await api("schedules/people/");
    state.people = ok ? body : [];
    return state.people;
  }

  async function openScheduleDialog(preset, schedule) {
    state.scheduling = { preset, schedule };
    const people = await loadPeople();
    const chosen = new Set(schedule ? schedule.recipients : []);
    $("schedule-recipients").replaceChildren(
      ...people.map((person) =>
        el(
          "label",
          { class: "recipient" },
          el("input", { type: "checkbox", name: "recipients", value: person.id, checked: chosen.has(person.id), disabled: !person.has_email }),
          ` ${person.name}`,
          person.has_email ? null : el("span", { class: "hint" }, " (no email address)"),
        ),
      ),
    );
    $("schedule-dialog-title").textContent = schedule ? `Change the schedule of “${preset.name}”` : `Schedule “${preset.name}”`;
    $("schedule-dialog-text").textContent = "Made as you, at the time below, and mailed to each person chosen: a link to the report, behind the login.";
    $("schedule-frequency").value = schedule ? schedule.frequency : "WEEKLY";
    document.querySelectorAll("#schedule-weekdays input").forEach((box) => (box.checked = schedule ? schedule.weekdays.includes(Number(box.value)) : box.value === "0"));
    $("schedule-month-day").value = schedule && schedule.month_day ? schedule.month_day : "1";
    $("schedule-time").value = schedule ? schedule.local_time : "07:00";
    $("schedule-zone").value = schedule ? schedule.time_zone : TIME_ZONE;
    $("schedule-skip-empty").checked = schedule ? schedule.skip_empty : true;
    $("schedule-attach").checked = schedule ? schedule.attach_file : false;
    $("schedule-dialog").querySelectorAll(".field-error").forEach((node) => (node.textContent = ""));
    showFrequencyFields();
    $("schedule-dialog").showModal();
  }

  function showFrequencyFields() {
    const frequency = $("schedule-frequency").value;
    $("schedule-weekdays-group").hidden = frequency !== "WEEKLY";
    $("schedule-month-day-field").hidden = frequency !== "MONTHLY";
  }

  async function saveSchedule(event) {
    event.preventDefault();
    const { preset, schedule } = state.scheduling;
    const frequency = $("schedule-frequency").value;
    const payload = {
      preset: preset.id,
      frequency,
      weekdays: frequency === "WEEKLY" ? [...document.querySelectorAll("#schedule-weekdays input:checked")].map((box) => Number(box.value)) : [],
      month_day: frequency === "MONTHLY" ? Number($("schedule-month-day").value) : null,
      local_time: $("schedule-time").value,
      time_zone: $("schedule-zone").value.trim(),
      recipients: [...document.querySelectorAll("#schedule-recipients input:checked")].map((box) => Number(box.value)),
      skip_empty: $("schedule-skip-empty").checked,
      attach_file: $("schedule-attach").checked,
    };
    $("schedule-submit").disabled = true;
    const { ok, body } = await api(schedule ? `schedules/${schedule.id}/` : "schedules/", { method: schedule ? "PUT" : "POST", body: JSON.stringify(payload) });
    $("schedule-submit").disabled = false;
    $("schedule-dialog").querySelectorAll(".field-error").forEach((node) => (node.textContent = ""));
    if (!ok) {
      const errors = body || {};
      const unplaced = [];
      Object.entries(errors).forEach(([field, value]) => {
        const slot = $(`error-schedule-${field}`);
        if (slot) slot.textContent = messages(value).join(" ");
        else unplaced.push(messages(value).join(" "));
      });
      $("schedule-error").textContent = unplaced.join(" ") || (Object.keys(errors).length ? "" : "The schedule could not be saved.");
      return;
    }
    $("schedule-dialog").close();
    $("schedule-message").textContent = `Scheduled “${body.preset_name}”: ${body.description}. Next: ${body.next_run_local}.`;
    announce($("schedule-message").textContent);
    await loadSchedules();
    $("schedules-heading").scrollIntoView({ block: "start" });
  }

  /* --- my reports --------------------------------------------------------------- */

  function listQuery() {
    const params = new URLSearchParams({ page: state.page, page_size: PAGE_SIZE });
    if ($("list-status").value) params.set("status", $("list-status").value);
    if ($("list-type").value) params.set("report_type", $("list-type").value);
    return params.toString();
  }

  async function loadReports() {
    const { ok, body, codes } = await api(`generated/?${listQuery()}`);
    const list = $("report-list");
    list.setAttribute("aria-busy", "false");
    if (!ok) {
      if (codes && codes.detail === "invalid_page" && state.page > 1) {
        state.page -= 1;
        return loadReports();
      }
      list.replaceChildren(el("li", { class: "empty" }, (body && body.detail) || "Your reports could not be loaded."));
      return;
    }
    state.reports = body.results;
    const focus = focusedAction();
    list.replaceChildren(...(state.reports.length ? state.reports.map(reportItem) : [emptyItem()]));
    restoreFocus(focus);
    const pages = Math.max(1, Math.ceil(body.count / PAGE_SIZE));
    $("page-info").textContent = `Page ${state.page} of ${pages}`;
    $("prev-page").disabled = !body.previous;
    $("next-page").disabled = !body.next;
    $("list-summary").textContent = body.count === 1 ? "1 report" : `${body.count} reports`;
    schedulePoll();
  }

  function emptyItem() {
    const filtered = $("list-status").value || $("list-type").value;
    return el("li", { class: "empty" }, filtered ? "No reports match these filters." : "No reports yet. Choose a report above and generate it.");
  }

  function reportItem(report) {
    const expired = report.is_expired;
    const status = expired ? "EXPIRED" : report.status;
    const period = (report.period_label ? `${report.period_label}: ` : "") + formatPeriod(report.date_range_start, report.date_range_end);
    const compared = report.compare_to === "none" ? [] : [`compared with the ${report.compare_to_label.toLowerCase()}`];
    const details = [report.template_name, formatLabel(report.export_format), period, ...compared];
    const requested = report.received
      ? `Sent to you by ${report.generated_by_name}'s schedule, ${formatMoment(report.created_at)}`
      : `Requested ${formatMoment(report.created_at)}` + (IS_ADMIN ? ` by ${report.generated_by_name}` : "");
    return el(
      "li",
      { class: `report status-${status.toLowerCase()}`, id: `report-${report.id}`, "data-report-id": report.id, "data-status": status },
      el(
        "div",
        { class: "report-main" },
        el("h3", { class: "report-title" }, report.title),
        el("p", { class: "report-details" }, details.join(" · ")),
        el("p", { class: "report-filters" }, filtersLine(report)),
        el("p", { class: "report-requested" }, requested),
      ),
      el("div", { class: "report-state" }, statusChip(status), stateDetail(report, status)),
      el("div", { class: "report-actions" }, actions(report, status)),
    );
  }

  /* The report's filters in words, as its files print them, and whether its small counts are hidden. */
  function filtersLine(report) {
    const filters = Object.values(report.filter_labels).map((filter) => `${filter.label}: ${filter.text}`);
    const counts = report.suppress_small_counts ? "Small counts hidden" : "All counts shown";
    return `${filters.length ? filters.join("; ") : "No filters"} · ${counts}`;
  }

  function statusChip(status) {
    return el("span", { class: `chip chip-${status.toLowerCase()}`, "data-role": "status" }, statusLabel(status));
  }

  function stateDetail(report, status) {
    if (IN_PROGRESS.has(status)) {
      return el(
        "div",
        { class: "progress-wrap" },
        el("progress", { max: 100, value: report.progress_percentage, "aria-label": `Progress of ${report.title}` }),
        el("span", { class: "progress-text", "data-role": "progress-text" }, progressText(report)),
      );
    }
    if (status === "FAILED") return failure(report);
    if (status === "EXPIRED") return el("p", { class: "report-note" }, `Expired on ${formatMoment(report.expires_at)}`);
    if (status === "COMPLETED") {
      const facts = [formatBytes(report.file_size)];
      if (report.generation_seconds !== null) facts.push(`made in ${formatSeconds(report.generation_seconds)}`);
      if (report.expires_at) facts.push(`kept until ${formatMoment(report.expires_at)}`);
      return el("p", { class: "report-note" }, facts.join(" · "));
    }
    return null;
  }

  /* What failed, in words; for ADMIN (error_details) also the error's class and its log reference. */
  function failure(report) {
    const message = el("p", { class: "report-error", "data-role": "error" }, report.error_message || "The report could not be generated.");
    const details = report.error_details;
    if (!details) return message;
    const facts = [details.error_class, `log reference ${details.log_reference}`].filter(Boolean);
    return [message, el("p", { class: "report-error-details", "data-role": "error-details" }, `For administrators: ${facts.join(" · ")}`)];
  }

  function progressText(report) {
    return report.status === "PENDING" ? "Waiting for a worker…" : `${report.progress_percentage}% done`;
  }

  function actionButton(label, action, report, extra) {
    return el("button", { type: "button", class: `button ${extra || ""}`.trim(), "data-action": action, "data-report": report.id, "aria-label": `${label}: ${report.title}` }, label);
  }

  function actions(report, status) {
    const buttons = [];
    if (status === "COMPLETED") {
      buttons.push(
        el("a", { class: "button primary", href: `${API}generated/${report.id}/download/`, download: "", "data-action": "download", "data-report": report.id, "aria-label": `Download: ${report.title}` }, "Download"),
        actionButton("Preview", "preview", report),
        actionButton("Export as…", "export", report),
      );
    } else if (status === "FAILED" && !report.received) {
      buttons.push(actionButton("Retry", "retry", report, "primary"));
    } else if (status === "EXPIRED") {
      buttons.push(actionButton("Generate again", "export", report));
    }
    if (!report.received) buttons.push(actionButton("Delete", "delete", report, "danger-quiet")); // a mailed report is its owner's
    return buttons;
  }

  function focusedAction() {
    const active = document.activeElement;
    return active && active.dataset && active.dataset.action ? { action: active.dataset.action, report: active.dataset.report } : null;
  }

  function restoreFocus(focus) {
    if (!focus) return;
    const again = document.querySelector(`[data-action="${focus.action}"][data-report="${focus.report}"]`);
    if (again) again.focus();
    else $("my-reports-heading").focus();
  }

  function findReport(id) {
    return state.reports.find((r) => String(r.id) === String(id));
  }

  /* A download counts on the dashboard: it is drawn again once the download has started. */
  function afterDownload() {
    window.setTimeout(loadDashboard, DASHBOARD_AFTER_DOWNLOAD);
  }

  async function onListClick(event) {
    if (event.target.closest("a[data-action=download]")) afterDownload();
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const report = findReport(button.dataset.report);
    if (!report) return;
    if (button.dataset.action === "delete") await deleteReport(report);
    else if (button.dataset.action === "retry") await retryReport(report, button);
    else if (button.dataset.action === "export") openExport(report);
    else if (button.dataset.action === "preview") await openPreview(report);
  }

  function confirmDialog(text, { title = "Delete this report?", action = "Delete report" } = {}) {
    const dialog = $("confirm-dialog");
    $("confirm-title").textContent = title;
    $("confirm-delete").textContent = action;
    $("confirm-text").textContent = text;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }));
  }

  async function deleteReport(report) {
    const confirmed = await confirmDialog(`“${report.title}” and its file will be deleted. This cannot be undone.`);
    if (!confirmed) return;
    const { ok, status, body } = await api(`generated/${report.id}/`, { method: "DELETE" });
    if (ok || status === 404) {
      announce(`“${report.title}” was deleted.`);
      $("my-reports-heading").focus();
      await loadReports();
      loadDashboard();
    } else {
      announce((body && body.detail) || "The report could not be deleted.");
    }
  }

  async function retryReport(report, button) {
    button.disabled = true;
    const { ok, body } = await api(`generated/${report.id}/retry/`, { method: "POST" });
    if (ok) {
      announce(`“${report.title}” was queued again.`);
      state.pollDelay = POLL_FIRST;
      await loadReports();
      loadDashboard();
    } else {
      button.disabled = false;
      announce((body && body.detail) || "The report could not be retried.");
    }
  }

  /* --- export as ------------------------------------------------------------------ */

  function openExport(report) {
    const template = state.templates.find((t) => t.id === report.template_id);
    const formats = template ? template.supported_formats : Object.keys(LABELS.formats);
    const expired = report.is_expired;
    const choice = expired ? report.export_format : formats.find((f) => f !== report.export_format) || formats[0];
    state.exporting = report;
    $("export-title").textContent = expired ? "Generate again" : "Export as another format";
    $("export-submit").textContent = expired ? "Generate" : "Export";
    $("export-text").textContent = `A new report “${report.title}” for ${formatPeriod(report.date_range_start, report.date_range_end)}, with the same filters, computed from the clinic's current data.`;
    $("export-formats").replaceChildren(...formats.map((format) => formatChoice("export_as", `export-format-${format}`, format, format === choice)));
    $("export-error").textContent = "";
    $("export-submit").disabled = false;
    $("export-dialog").showModal();
  }

  async function submitExport(event) {
    event.preventDefault();
    const report = state.exporting;
    const chosen = document.querySelector("input[name=export_as]:checked");
    if (!report || !chosen) return;
    $("export-submit").disabled = true;
    const { ok, body } = await api(`generated/${report.id}/export/`, { method: "POST", body: JSON.stringify({ export_format: chosen.value }) });
    $("export-submit").disabled = false;
    if (!ok) {
      $("export-error").textContent = body ? messages(body.export_format || body.detail || body).join(" ") : "The report could not be exported.";
      return;
    }
    $("export-dialog").close();
    announce(`“${body.title}” as ${formatLabel(body.export_format)} is being prepared.`);
    $("list-status").value = "";
    state.page = 1;
    state.pollDelay = POLL_FIRST;
    await loadReports();
    loadDashboard();
  }

  /* --- live progress -------------------------------------------------------------- */

  function schedulePoll() {
    window.clearTimeout(state.pollTimer);
    state.pollTimer = null;
    if (!state.reports.some((r) => IN_PROGRESS.has(r.status))) {
      state.pollDelay = POLL_FIRST;
      return;
    }
    state.pollTimer = window.setTimeout(poll, state.pollDelay);
  }

  async function poll() {
    state.pollTimer = null;
    if (document.hidden) return; // resumed by visibilitychange
    const watched = state.reports.filter((r) => IN_PROGRESS.has(r.status));
    if (!watched.length) return;
    const { ok, body } = await api(`generated/status/?ids=${watched.map((r) => r.id).join(",")}`);
    if (!ok) {
      state.pollDelay = Math.min(state.pollDelay * POLL_FACTOR, POLL_MAX);
      return schedulePoll();
    }
    const latest = new Map(body.results.map((s) => [s.id, s]));
    let moved = false;
    let finished = false;
    watched.forEach((report) => {
      const now = latest.get(report.id);
      if (!now) {
        finished = true; // deleted meanwhile
        return;
      }
      if (now.status !== report.status || now.progress_percentage !== report.progress_percentage) moved = true;
      Object.assign(report, now);
      if (IN_PROGRESS.has(now.status)) updateProgress(report);
      else {
        finished = true;
        announce(now.status === "COMPLETED" ? `“${report.title}” is ready to download.` : `“${report.title}” failed. ${now.error_message}`);
      }
    });
    if (finished) {
      state.pollDelay = POLL_FIRST;
      await loadReports();
      loadDashboard();
      return;
    }
    state.pollDelay = moved ? POLL_FIRST : Math.min(state.pollDelay * POLL_FACTOR, POLL_MAX);
    schedulePoll();
  }

  function updateProgress(report) {
    const item = $(`report-${report.id}`);
    if (!item) return;
    if (item.dataset.status !== report.status) {
      item.dataset.status = report.status;
      item.className = `report status-${report.status.toLowerCase()}`;
      item.querySelector("[data-role=status]").replaceWith(statusChip(report.status));
    }
    const bar = item.querySelector("progress");
    if (bar) bar.value = report.progress_percentage;
    const text = item.querySelector("[data-role=progress-text]");
    if (text) text.textContent = progressText(report);
  }

  /* --- preview ---------------------------------------------------------------------- */

  async function openPreview(report) {
    const dialog = $("preview-dialog");
    const body = $("preview-body");
    $("preview-title").textContent = report.title;
    $("preview-meta").textContent = "";
    $("preview-download").href = `${API}generated/${report.id}/download/`;
    $("preview-download").setAttribute("aria-label", `Download: ${report.title}`);
    body.replaceChildren(el("p", { class: "hint" }, "Loading the preview…"));
    body.setAttribute("aria-busy", "true");
    dialog.showModal();
    const { ok, body: data } = await api(`generated/${report.id}/preview/`);
    body.setAttribute("aria-busy", "false");
    if (!ok) {
      body.replaceChildren(el("p", { class: "alert alert-error" }, (data && data.detail) || "The preview could not be loaded."));
      return;
    }
    const earlier = data.comparison && data.comparison.period;
    $("preview-meta").textContent = [
      (data.period.label ? `${data.period.label}: ` : "") +
        formatPeriod(data.period.start, data.period.end) +
        (data.period.up_to ? `, up to ${formatDay(data.period.up_to)} (period still open)` : ""),
      ...(earlier ? [`Compared with ${earlier.label.toLowerCase()}: ${formatPeriod(earlier.start, earlier.end)}`] : []),
      `Filters: ${data.filters}`,
      `${data.record_count_label}: ${data.record_count.toLocaleString()}`,
      `Generated ${formatMoment(data.generated_at)}`,
    ].join(" · ");
    const parts = [
      data.notes.map((note) => el("p", { class: "note" }, note)),
      el("h3", { class: "preview-heading" }, "Figures"),
      figureGroups(data),
      data.charts.length ? [el("h3", { class: "preview-heading" }, "Charts"), el("div", { class: "chart-grid preview-charts" }, data.charts.map(chartFigure))] : [],
      data.sections.length ? [el("h3", { class: "preview-heading" }, "Tables"), data.sections.map(sectionTable)] : [],
    ];
    body.replaceChildren(...parts.flat(Infinity));
  }

  function figureList(figures, comparison) {
    if (comparison) return comparedFigures(figures, comparison);
    return el("dl", { class: "figures" }, figures.map((figure) => el("div", { class: "figure" }, el("dt", {}, figure.label), el("dd", {}, figure.text))));
  }

  // A compared report's figures: a table of this period's, the earlier period's and the changes.
  function comparedFigures(figures, comparison) {
    const head = el("tr", {}, el("th", { scope: "col" }, "Figure"), comparison.columns.map((title) => el("th", { scope: "col", class: "num" }, title)));
    const rows = figures.map((figure) =>
      el("tr", {}, el("th", { scope: "row" }, figure.label), el("td", { class: "num" }, figure.text), figure.compared.map((text) => el("td", { class: "num" }, text))),
    );
    return el("div", { class: "table-scroll" }, el("table", { class: "data-table compared-figures" }, el("thead", {}, head), el("tbody", {}, rows)));
  }

  // The summary's figures: under their groups' headings when the report groups them, else one list.
  function figureGroups(data) {
    if (!data.summary_groups.length) return figureList(data.summary, data.comparison);
    const byKey = new Map(data.summary.map((figure) => [figure.key, figure]));
    return data.summary_groups.map((group) => [
      el("h4", { class: "figure-group" }, group.title),
      figureList(group.keys.map((key) => byKey.get(key)), data.comparison),
    ]);
  }

  function sectionTable(section) {
    const head = el("tr", {}, section.columns.map((column, index) => el("th", { scope: "col", class: section.numeric[index] ? "num" : "" }, column)));
    const rows = section.rows.map((row) => el("tr", {}, row.map((cell, index) => el("td", { class: section.numeric[index] ? "num" : "" }, cell))));
    return el(
      "details",
      { class: "section-table" },
      el("summary", {}, section.title, el("span", { class: "hint" }, ` (${section.rows.length} ${section.rows.length === 1 ? "row" : "rows"})`)),
      section.rows.length
        ? el("div", { class: "table-scroll" }, el("table", {}, el("caption", { class: "visually-hidden" }, section.title), el("thead", {}, head), el("tbody", {}, rows)))
        : el("p", { class: "hint" }, "No rows in this period."),
    );
  }

  function chartFigure(chart) {
    const drawing = svgNode(chart.svg);
    return el(
      "figure",
      { class: "chart-card", "data-chart": chart.key },
      el("figcaption", {}, chart.title),
      drawing || el("p", { class: "chart-empty" }, chart.left_out || "Nothing to chart yet."),
      drawing ? el("p", { class: "visually-hidden" }, chart.description) : null,
    );
  }

  /* --- dashboard: clinic figures ------------------------------------------------------ */

  const STEP_NAMES = { day: "day", week: "week", month: "month", quarter: "quarter", year: "year" };

  function clinicQuery() {
    const preset = document.querySelector("input[name=clinic-preset]:checked").value;
    const query = new URLSearchParams({ period: preset });
    if (preset === "custom") {
      query.set("start", $("clinic-start").value);
      query.set("end", $("clinic-end").value);
    }
    return query;
  }

  const CLINIC_DATES = ["start", "end"];

  function clearClinicErrors() {
    $("error-clinic-period").textContent = "";
    CLINIC_DATES.forEach((field) => {
      $(`error-clinic-${field}`).textContent = "";
      $(`clinic-${field}`).removeAttribute("aria-invalid");
    });
  }

  /* A 400's messages next to their date, or under the period for any other field. */
  function showClinicErrors(body) {
    Object.entries(body || {}).forEach(([field, text]) => {
      const date = CLINIC_DATES.includes(field);
      $(date ? `error-clinic-${field}` : "error-clinic-period").textContent = messages(text).join(" ");
      if (date) $(`clinic-${field}`).setAttribute("aria-invalid", "true");
    });
  }

  async function loadClinic() {
    const container = $("clinic-figures");
    container.setAttribute("aria-busy", "true");
    clearClinicErrors();
    const { ok, status, body } = await api(`dashboard/clinic/?${clinicQuery()}`);
    container.setAttribute("aria-busy", "false");
    if (!ok) {
      if (status === 400) showClinicErrors(body);
      else container.replaceChildren(el("p", { class: "alert alert-error" }, (body && body.detail) || "The clinic figures could not be loaded."));
      return;
    }
    $("clinic-summary").textContent =
      `${formatPeriod(body.period.start, body.period.end)}, by ${STEP_NAMES[body.step]}. ` +
      `Counts from 1 to ${body.small_cell_threshold} are hidden (shown as <${body.small_cell_threshold + 1}) so that no patient can be recognised.`;
    container.replaceChildren(
      ...(body.figures.length ? body.figures.map(clinicFigure) : [el("p", { class: "empty" }, "Your role gives access to no report with clinic figures.")]),
    );
  }

  function clinicFigure(figure) {
    const drawing = svgNode(figure.chart.svg);
    const hidden = figure.trend.some((step) => step.suppressed);
    return el(
      "article",
      { class: "clinic-figure", "data-figure": figure.key, "aria-labelledby": `figure-${figure.key}` },
      el("h3", { id: `figure-${figure.key}` }, figure.label),
      el("p", { class: figure.suppressed ? "clinic-value is-hidden" : "clinic-value" }, figure.text),
      el("p", { class: "kpi-hint" }, figure.suppressed ? "hidden: too few to show safely" : figure.hint),
      el(
        "figure",
        { class: "clinic-trend", "data-chart": figure.chart.key },
        el("figcaption", { class: "visually-hidden" }, figure.chart.title),
        drawing || el("p", { class: "chart-empty" }, hidden ? "Hidden: too few to show." : "Nothing to chart."),
        drawing && hidden ? el("p", { class: "kpi-hint" }, "Grey: hidden, too few to show.") : null,
        el("p", { class: "visually-hidden" }, figure.chart.description),
      ),
    );
  }

  function onClinicPreset(event) {
    const custom = event.target.value === "custom";
    $("clinic-dates").hidden = !custom;
    if (!custom) loadClinic();
    else if (!$("clinic-start").value) {
      $("clinic-start").value = isoDay(addDays(parseDay(TODAY), -29));
      $("clinic-end").value = TODAY;
      $("clinic-start").focus();
    }
  }

  /* --- dashboard: the report system (ADMIN) ---------------------------------------------- */

  async function loadDashboard() {
    if (!IS_ADMIN) return;
    const [figures, drawn] = await Promise.all([api("generated/dashboard/"), api("generated/dashboard/charts/")]);
    if (figures.ok) renderFigures(figures.body);
    if (drawn.ok) $("dashboard-charts").replaceChildren(...drawn.body.charts.map(chartFigure));
  }

  function renderFigures(data) {
    const totals = data.totals;
    const tiles = [
      ["Reports", totals.reports.toLocaleString(), "requested by everyone"],
      [statusLabel("COMPLETED"), totals.completed.toLocaleString(), "ready or downloaded"],
      ["In progress", (totals.pending + totals.generating).toLocaleString(), "waiting or generating"],
      [statusLabel("FAILED"), totals.failed.toLocaleString(), "can be retried"],
      ["Failure rate", formatPercent(data.failure_rate), "of finished reports"],
      ["Generation time", formatSeconds(data.average_generation_seconds), "average per report"],
      ["Storage used", formatBytes(data.storage_bytes), "by report files"],
      ["Downloads", data.total_downloads.toLocaleString(), "files downloaded"],
    ];
    const kpis = $("kpis");
    kpis.setAttribute("aria-busy", "false");
    kpis.replaceChildren(...tiles.map(([term, value, hint]) => el("div", { class: "kpi" }, el("dt", {}, term), el("dd", {}, el("span", { class: "kpi-value" }, value), el("span", { class: "kpi-hint" }, hint)))));
  }

  /* Tabs (ADMIN): Clinic and System; arrow keys move between them, as WAI-ARIA's tab pattern says. */
  function selectTab(tab) {
    document.querySelectorAll("#dashboard [role=tab]").forEach((other) => {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    });
  }

  function onTabKey(event) {
    const tabs = [...document.querySelectorAll("#dashboard [role=tab]")];
    const index = tabs.indexOf(event.target);
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index };
    if (index < 0 || !(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(index + moves[event.key] + tabs.length) % tabs.length];
    selectTab(next);
    next.focus();
  }

  function startDashboard() {
    document.querySelectorAll("input[name=clinic-preset]").forEach((input) => input.addEventListener("change", onClinicPreset));
    $("clinic-period").addEventListener("submit", (event) => {
      event.preventDefault();
      loadClinic();
    });
    const tabs = document.querySelector("#dashboard [role=tablist]");
    if (tabs) {
      tabs.addEventListener("click", (event) => event.target.closest("[role=tab]") && selectTab(event.target.closest("[role=tab]")));
      tabs.addEventListener("keydown", onTabKey);
    }
    loadClinic();
    loadDashboard();
  }

  /* --- start -------------------------------------------------------------------------- */

  function start() {
    applyPreset("last30");
    $("presets").addEventListener("change", (event) => applyPreset(event.target.value));
    ["date_range_start", "date_range_end"].forEach((id) =>
      $(id).addEventListener("input", () => {
        document.querySelector("input[name=preset][value=custom]").checked = true;
        clearError(id);
      }),
    );
    $("title").addEventListener("input", () => clearError("title"));
    $("filters").addEventListener("change", (event) => event.target.dataset.filter && clearError(`filters.${event.target.dataset.filter}`));
    $("generate-form").addEventListener("submit", generate);
    $("saved-presets").addEventListener("click", onPresetClick);
    $("save-preset-button").addEventListener("click", openPresetDialog);
    $("preset-form").addEventListener("submit", savePreset);
    $("preset-cancel").addEventListener("click", () => $("preset-dialog").close());
    $("preset-sharing").addEventListener("change", showRoleField);
    $("schedule-list").addEventListener("click", onScheduleClick);
    $("schedule-form").addEventListener("submit", saveSchedule);
    $("schedule-cancel").addEventListener("click", () => $("schedule-dialog").close());
    $("schedule-frequency").addEventListener("change", showFrequencyFields);
    $("report-list").addEventListener("click", onListClick);
    $("list-status").addEventListener("change", () => {
      state.page = 1;
      loadReports();
    });
    $("list-type").addEventListener("change", () => {
      state.page = 1;
      loadReports();
    });
    $("prev-page").addEventListener("click", () => {
      state.page -= 1;
      loadReports();
    });
    $("next-page").addEventListener("click", () => {
      state.page += 1;
      loadReports();
    });
    $("export-form").addEventListener("submit", submitExport);
    $("export-cancel").addEventListener("click", () => $("export-dialog").close());
    $("preview-close").addEventListener("click", () => $("preview-dialog").close());
    $("preview-download").addEventListener("click", afterDownload);
    window.setInterval(() => !document.hidden && loadDashboard(), DASHBOARD_REFRESH);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && !state.pollTimer) schedulePoll();
    });
    $("my-reports-heading").setAttribute("tabindex", "-1");
    loadTemplates();
    loadPresets();
    loadSchedules();
    loadReports();
    startDashboard();
    openLinkedReport();
  }

  /* A scheduled report's mail links to /reports?report=<id>: open that report's preview. */
  async function openLinkedReport() {
    const id = new URLSearchParams(window.location.search).get("report");
    if (!id || !/^[0-9]{1,18}$/.test(id)) return;
    const { ok, body } = await api(`generated/${id}/`);
    if (ok) await openPreview(body);
    else $("generate-message").textContent = "That report is not among those you may see, or it was deleted.";
  }

  start();
})();
