/* The causal loop diagram editor: draws the diagram with Cytoscape.js and saves every change through
 * the JSON API (/api/v1/diagrams/...), redrawing from the state each answer returns (variables, links,
 * loops, archetype suggestions and the new version). Content changes send the version this page
 * loaded; a stale version is refused by the server and the message says to reload. Moving variables
 * saves positions only. Data comes from json_script blocks (no inline scripts: CSP). */
(function () {
  "use strict";

  var root = document.getElementById("cld-editor");
  if (!root || typeof window.cytoscape !== "function") {
    return;
  }
  var config = JSON.parse(document.getElementById("cld-config").textContent);
  var state = JSON.parse(document.getElementById("cld-state").textContent);
  var csrfInput = root.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var message = document.getElementById("cld-message");
  var selected = null; // {kind: "variable" | "link", id: number}
  var linkFrom = null; // variable id while a link is drawn by clicking
  var pinned = null; // highlight kept after a click on a loop or archetype

  function byId(id) {
    return document.getElementById(id);
  }

  function say(text, isError) {
    message.textContent = text;
    message.className = "cld-message" + (isError ? " error" : text ? " ok" : "");
  }

  function variableName(id) {
    for (var i = 0; i < state.variables.length; i += 1) {
      if (state.variables[i].id === id) {
        return state.variables[i].name;
      }
    }
    return "?";
  }

  function findLink(id) {
    return state.links.filter(function (link) { return link.id === id; })[0] || null;
  }

  function findVariable(id) {
    return state.variables.filter(function (variable) { return variable.id === id; })[0] || null;
  }

  // Drawing ----------------------------------------------------------------------------------------

  var cy = window.cytoscape({
    container: byId("cld-canvas"),
    elements: [],
    layout: { name: "preset" },
    minZoom: 0.25,
    maxZoom: 2.5,
    wheelSensitivity: 0.2,
    boxSelectionEnabled: false,
    autoungrabify: !config.can_edit,
    style: [
      {
        selector: "node",
        style: {
          shape: "round-rectangle",
          label: "data(label)",
          "text-wrap": "wrap",
          "text-max-width": "130px",
          "text-valign": "center",
          "text-halign": "center",
          "font-size": "14px",
          "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
          color: "#1d2329",
          "background-color": "#f5f7f9",
          "border-width": 1.5,
          "border-color": "#8a94a3",
          width: "label",
          height: "label",
          padding: "10px",
        },
      },
      {
        selector: "edge",
        style: {
          width: 2,
          "curve-style": "unbundled-bezier",
          "control-point-distances": 40,
          "control-point-weights": 0.5,
          "target-arrow-shape": "triangle",
          "arrow-scale": 1.3,
          "line-color": "#1f5f99",
          "target-arrow-color": "#1f5f99",
          "target-label": "data(signLabel)",
          "target-text-offset": 26,
          "font-size": "20px",
          "font-weight": "bold",
          color: "#1f5f99",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": "1px",
          label: "data(delayLabel)",
          "text-rotation": "autorotate",
        },
      },
      { selector: "edge.negative", style: { "line-color": "#b03a2e", "target-arrow-color": "#b03a2e", color: "#b03a2e" } },
      { selector: "edge.delayed", style: { "line-style": "dashed", "line-dash-pattern": [8, 4] } },
      { selector: ".faded", style: { opacity: 0.22 } },
      { selector: "node.lit", style: { "border-width": 3, "border-color": "#1f5fbf", "background-color": "#e6effb" } },
      { selector: "edge.lit", style: { width: 4.5 } },
      { selector: "node.role", style: { label: "data(roleLabel)", "font-weight": "bold" } },
      { selector: "node.picked", style: { "border-width": 3, "border-color": "#d08700" } },
      { selector: "edge.picked", style: { width: 5, "underlay-color": "#d08700", "underlay-opacity": 0.35, "underlay-padding": 4 } },
      { selector: "node.link-from", style: { "border-width": 3, "border-style": "dashed", "border-color": "#1e6b37" } },
    ],
  });

  function elements() {
    var nodes = state.variables.map(function (variable) {
      return {
        group: "nodes",
        data: { id: "v" + variable.id, pk: variable.id, label: variable.name },
        position: { x: variable.x, y: variable.y },
      };
    });
    var edges = state.links.map(function (link) {
      return {
        group: "edges",
        data: {
          id: "l" + link.id,
          pk: link.id,
          source: "v" + link.source,
          target: "v" + link.target,
          signLabel: link.sign === "+" ? "+" : "−",
          delayLabel: link.delay ? "‖" : "",
        },
        classes: (link.sign === "-" ? "negative" : "positive") + (link.delay ? " delayed" : ""),
      };
    });
    return nodes.concat(edges);
  }

  function fitAll() {
    cy.fit(undefined, 40);
    if (cy.zoom() > 1.2) {
      cy.zoom(1.2);
      cy.center();
    }
  }

  // Keeps every variable on screen after a change (a new variable may land outside the view).
  function keepInView() {
    var box = cy.nodes().renderedBoundingBox();
    if (!cy.nodes().length) { return; }
    if (box.x1 < 0 || box.y1 < 0 || box.x2 > cy.width() || box.y2 > cy.height()) {
      fitAll();
    }
  }

  var drawnCount = 0;

  function draw(fit) {
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements());
    });
    if (fit) {
      fitAll();
    } else {
      keepInView();
    }
    drawnCount = state.variables.length;
    markSelection();
    if (pinned) {
      highlight(pinned);
    }
  }

  function markSelection() {
    cy.elements().removeClass("picked link-from");
    if (selected) {
      cy.getElementById((selected.kind === "variable" ? "v" : "l") + selected.id).addClass("picked");
    }
    if (linkFrom !== null) {
      cy.getElementById("v" + linkFrom).addClass("link-from");
    }
  }

  // Highlighting loops and archetype roles --------------------------------------------------------

  function highlight(target) {
    clearHighlight();
    var lit = cy.collection();
    target.variable_ids.forEach(function (id) { lit = lit.union(cy.getElementById("v" + id)); });
    target.link_ids.forEach(function (id) { lit = lit.union(cy.getElementById("l" + id)); });
    cy.elements().not(lit).addClass("faded");
    lit.addClass("lit");
    (target.roles || []).forEach(function (role) {
      var node = cy.getElementById("v" + role.variable_id);
      node.data("roleLabel", role.variable + "\n[" + role.role + "]");
      node.addClass("role");
    });
  }

  function clearHighlight() {
    cy.elements().removeClass("faded lit role");
  }

  function hoverable(item, target) {
    item.tabIndex = 0;
    item.addEventListener("mouseenter", function () { highlight(target); });
    item.addEventListener("focus", function () { highlight(target); });
    item.addEventListener("mouseleave", function () {
      if (pinned) { highlight(pinned); } else { clearHighlight(); }
    });
    item.addEventListener("blur", function () {
      if (pinned) { highlight(pinned); } else { clearHighlight(); }
    });
    item.addEventListener("click", function () {
      pinned = pinned === target ? null : target;
      if (pinned) { highlight(pinned); } else { clearHighlight(); }
    });
  }

  // Side lists -------------------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function renderLoops() {
    var list = byId("cld-loops");
    list.textContent = "";
    if (!state.loops.length) {
      list.appendChild(element("li", "muted", "No loops yet: a loop appears when links lead back to where they started."));
      return;
    }
    state.loops.forEach(function (loop) {
      var item = element("li", "cld-loop " + (loop.polarity === "R" ? "reinforcing" : "balancing"));
      item.appendChild(element("strong", "cld-loop-id", loop.id));
      item.appendChild(document.createTextNode(" " + loop.sentence + (loop.has_delay ? " (with a delay)" : "")));
      hoverable(item, loop);
      list.appendChild(item);
    });
    if (state.loops_truncated) {
      list.appendChild(element("li", "muted", "Only the " + state.loops.length + " shortest loops are listed: the diagram has more."));
    }
  }

  function renderArchetypes() {
    var box = byId("cld-archetypes");
    box.textContent = "";
    if (!state.archetypes.length) {
      box.appendChild(element("p", "muted", "No archetype recognised yet. Archetypes are patterns of loops such as \u201cfixes that fail\u201d; they show up here when the diagram contains one."));
      return;
    }
    state.archetypes.forEach(function (match) {
      var card = element("article", "cld-archetype");
      card.appendChild(element("h3", "", "This looks like " + match.name));
      var roles = element("p", "cld-roles");
      roles.textContent = match.roles.map(function (role) { return role.role + " = " + role.variable; }).join(", ");
      card.appendChild(roles);
      if (match.loops.length) {
        card.appendChild(element("p", "muted", "Loops: " + match.loops.join(", ")));
      }
      card.appendChild(element("p", "", match.explanation));
      var advice = element("p", "cld-advice");
      advice.appendChild(element("strong", "", "What helps: "));
      advice.appendChild(document.createTextNode(match.advice));
      card.appendChild(advice);
      hoverable(card, match);
      box.appendChild(card);
    });
    if (state.archetypes_stopped_early) {
      box.appendChild(element("p", "muted", "The search stopped early on this large diagram: there may be more."));
    }
  }

  function linkWords(link) {
    return variableName(link.source) + " → " + variableName(link.target) + " (" + (link.sign === "+" ? "+, same direction" : "−, opposite direction") + (link.delay ? ", after a delay" : "") + ")";
  }

  function renderLinks() {
    var list = byId("cld-links");
    list.textContent = "";
    if (!state.links.length) {
      list.appendChild(element("li", "muted", config.can_edit ? "No links yet: add two variables, then link them." : "No links yet."));
      return;
    }
    state.links.forEach(function (link) {
      var text = linkWords(link);
      if (link.confidence !== null) { text += ", confidence " + Math.round(link.confidence * 100) + "%"; }
      if (link.assumption) { text += ", rests on \u201c" + link.assumption.statement + "\u201d"; }
      if (link.note) { text += ": " + link.note; }
      list.appendChild(element("li", "", text));
    });
  }

  function fillVariableSelect(select) {
    var previous = select.value;
    select.textContent = "";
    state.variables.forEach(function (variable) {
      var option = element("option", "", variable.name);
      option.value = String(variable.id);
      select.appendChild(option);
    });
    if (previous) { select.value = previous; }
  }

  function renderPanels() {
    if (!config.can_edit) { return; }
    fillVariableSelect(byId("cld-link-source"));
    fillVariableSelect(byId("cld-link-target"));
    var target = byId("cld-link-target");
    if (target.value === byId("cld-link-source").value && target.options.length > 1) {
      target.selectedIndex = 1;
    }
    var variablePanel = byId("cld-variable-panel");
    var linkPanel = byId("cld-link-panel");
    var variable = selected && selected.kind === "variable" ? findVariable(selected.id) : null;
    var link = selected && selected.kind === "link" ? findLink(selected.id) : null;
    if (selected && !variable && !link) { selected = null; }
    variablePanel.hidden = !variable;
    linkPanel.hidden = !link;
    if (variable) {
      byId("cld-var-name").value = variable.name;
      byId("cld-var-note").value = variable.note;
    }
    if (link) {
      byId("cld-link-title").textContent = linkWords(link);
      byId("cld-sign-plus").setAttribute("aria-pressed", String(link.sign === "+"));
      byId("cld-sign-minus").setAttribute("aria-pressed", String(link.sign === "-"));
      byId("cld-delay-toggle").setAttribute("aria-pressed", String(link.delay));
      byId("cld-link-confidence").value = link.confidence === null ? "" : String(Math.round(link.confidence * 100));
      byId("cld-link-note").value = link.note;
      byId("cld-link-assumption").value = link.assumption ? String(link.assumption.id) : "";
      var forecast = byId("cld-link-forecast");
      forecast.hidden = !link.assumption;
      forecast.href = config.forecast_url.replace("/links/0/", "/links/" + link.id + "/");
    }
  }

  function render(fit) {
    byId("cld-version").textContent = String(state.version);
    // A variable added or deleted: frame the whole drawing again.
    draw(fit || state.variables.length !== drawnCount);
    renderLoops();
    renderArchetypes();
    renderLinks();
    renderPanels();
  }

  // Talking to the API ------------------------------------------------------------------------------

  function call(method, path, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(config.api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        if (!response.ok) {
          throw new Error(payload.detail || "The change could not be saved (" + response.status + ").");
        }
        return payload;
      });
    });
  }

  function change(method, path, body, done) {
    return call(method, path, body).then(function (next) {
      state = next;
      if (pinned) { pinned = null; }
      render(false);
      say(done, false);
      return true;
    }).catch(function (error) {
      say(error.message, true);
      return false;
    });
  }

  // Selection and clicks on the drawing -----------------------------------------------------------

  function select(kind, id) {
    selected = kind ? { kind: kind, id: id } : null;
    markSelection();
    renderPanels();
  }

  cy.on("tap", "node", function (event) {
    var id = event.target.data("pk");
    if (!config.can_edit) { return; }
    if (linkFrom !== null && linkFrom !== id) {
      var from = linkFrom;
      linkFrom = null;
      change("POST", "/links", { version: state.version, source: from, target: id, sign: "+", delay: false },
        "Linked " + variableName(from) + " → " + variableName(id) + " (+). Click the link to change its sign or delay.");
      return;
    }
    linkFrom = null;
    select("variable", id);
  });

  cy.on("tap", "edge", function (event) {
    if (!config.can_edit) { return; }
    linkFrom = null;
    select("link", event.target.data("pk"));
  });

  cy.on("tap", function (event) {
    if (event.target === cy) {
      linkFrom = null;
      select(null, 0);
    }
  });

  cy.on("dragfree", "node", function (event) {
    var node = event.target;
    var position = node.position();
    var id = node.data("pk");
    var variable = findVariable(id);
    if (variable) { variable.x = position.x; variable.y = position.y; }
    call("POST", "/layout", { positions: [{ id: id, x: position.x, y: position.y }] })
      .then(function () { say("Moved " + variableName(id) + ".", false); })
      .catch(function (error) { say(error.message, true); });
  });

  // Forms and buttons -----------------------------------------------------------------------------

  if (config.can_edit) {
    byId("cld-add-variable").addEventListener("submit", function (event) {
      event.preventDefault();
      var input = byId("cld-new-name");
      var name = input.value;
      change("POST", "/variables", { version: state.version, name: name }, "Added \u201c" + name.trim() + "\u201d.")
        .then(function (ok) { if (ok) { input.value = ""; input.focus(); } });
    });

    byId("cld-add-link").addEventListener("submit", function (event) {
      event.preventDefault();
      var source = Number(byId("cld-link-source").value);
      var target = Number(byId("cld-link-target").value);
      var sign = byId("cld-link-sign").value;
      var delay = byId("cld-link-delay-new").checked;
      change("POST", "/links", { version: state.version, source: source, target: target, sign: sign, delay: delay },
        "Linked " + variableName(source) + " → " + variableName(target) + " (" + (sign === "+" ? "+" : "−") + ").");
    });

    byId("cld-variable-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (!selected) { return; }
      change("PATCH", "/variables/" + selected.id,
        { version: state.version, name: byId("cld-var-name").value, note: byId("cld-var-note").value }, "Saved the variable.");
    });

    byId("cld-link-from").addEventListener("click", function () {
      if (!selected) { return; }
      linkFrom = selected.id;
      markSelection();
      say("Now click the variable that " + variableName(linkFrom) + " affects.", false);
    });

    byId("cld-var-delete").addEventListener("click", function () {
      if (!selected) { return; }
      var name = variableName(selected.id);
      var id = selected.id;
      selected = null;
      change("DELETE", "/variables/" + id + "?version=" + state.version, undefined, "Deleted \u201c" + name + "\u201d and its links.");
    });

    function linkChange(body, done) {
      if (!selected) { return; }
      body.version = state.version;
      change("PATCH", "/links/" + selected.id, body, done);
    }

    byId("cld-sign-plus").addEventListener("click", function () { linkChange({ sign: "+" }, "The link is now + (same direction)."); });
    byId("cld-sign-minus").addEventListener("click", function () { linkChange({ sign: "-" }, "The link is now − (opposite direction)."); });
    byId("cld-delay-toggle").addEventListener("click", function () {
      var link = selected ? findLink(selected.id) : null;
      if (!link) { return; }
      linkChange({ delay: !link.delay }, link.delay ? "The link no longer has a delay." : "The link now has a delay.");
    });

    byId("cld-link-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var confidence = byId("cld-link-confidence").value;
      var assumption = byId("cld-link-assumption").value;
      var body = { note: byId("cld-link-note").value };
      if (confidence === "") { body.clear_confidence = true; } else { body.confidence = Number(confidence) / 100; }
      if (assumption === "") { body.clear_assumption = true; } else { body.assumption = Number(assumption); }
      linkChange(body, "Saved the link.");
    });

    byId("cld-link-delete").addEventListener("click", function () {
      if (!selected) { return; }
      var id = selected.id;
      selected = null;
      change("DELETE", "/links/" + id + "?version=" + state.version, undefined, "Deleted the link.");
    });
  }

  // Tests and the browser console reach the drawing through the editor element (not a global).
  root.cytoscape = cy;
  render(true);
  root.setAttribute("data-ready", "true");
}());
