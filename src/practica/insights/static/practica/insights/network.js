/* The knowledge network drawing: teams as circles at the positions computed with the snapshot,
   coloured by detected group; selecting one shows its numbers in the live region below. Data comes
   from the json_script element named by data-graph; the tables on the page carry the same numbers. */
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe & Ito); groups beyond it are grey.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var OTHER = "#999999";

  function percent(share) {
    return share === null || share === undefined ? "no ties" : Math.round(share * 100) + "%";
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-graph"));
    if (!source || typeof window.cytoscape !== "function") {
      return;
    }
    var graph;
    try {
      graph = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    if (!graph || !graph.nodes || !graph.nodes.length) {
      container.textContent = "No teams to draw yet.";
      return;
    }
    var maxPeople = 1;
    var maxWeight = 0;
    graph.nodes.forEach(function (node) { maxPeople = Math.max(maxPeople, node.people); });
    graph.edges.forEach(function (edge) { maxWeight = Math.max(maxWeight, edge.weight); });
    var elements = graph.nodes.map(function (node) {
      return {
        group: "nodes",
        data: {
          id: node.id,
          label: node.name,
          people: node.people,
          share: node.share,
          brokers: node.brokers,
          silo: node.silo,
          size: 12 + 36 * Math.sqrt(node.people / maxPeople),
          colour: node.cluster < PALETTE.length ? PALETTE[node.cluster] : OTHER
        },
        position: { x: node.x, y: node.y },
        classes: node.silo ? "silo" : ""
      };
    });
    graph.edges.forEach(function (edge, index) {
      elements.push({
        group: "edges",
        data: {
          id: "e" + index,
          source: edge.source,
          target: edge.target,
          width: 1 + 7 * (maxWeight ? edge.weight / maxWeight : 0)
        }
      });
    });
    var many = graph.nodes.length > 150;
    var cy = window.cytoscape({
      container: container,
      elements: elements,
      layout: { name: "preset", fit: true, padding: 20 },
      minZoom: 0.05,
      maxZoom: 4,
      textureOnViewport: many,
      hideEdgesOnViewport: many,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(colour)",
            width: "data(size)",
            height: "data(size)",
            label: many ? "" : "data(label)",
            "font-size": 10,
            color: "#222",
            "text-valign": "bottom",
            "text-margin-y": 3,
            "border-width": 1,
            "border-color": "#ffffff"
          }
        },
        { selector: "node.silo", style: { "border-width": 3, "border-style": "dashed", "border-color": "#222" } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#222", label: "data(label)" } },
        {
          selector: "edge",
          style: { width: "data(width)", "line-color": "#9aa5b1", opacity: 0.6, "curve-style": "haystack" }
        }
      ]
    });
    var status = document.getElementById("network-selection");
    cy.on("select", "node", function (event) {
      var node = event.target.data();
      if (status) {
        status.textContent = node.label + ": " + node.people + " people, " + percent(node.share) +
          " of ties outside the team" + (node.silo ? " (a silo)" : "") + ", " + node.brokers + " broker" +
          (node.brokers === 1 ? "" : "s") + ".";
      }
    });
    cy.on("unselect", "node", function () {
      if (status) {
        status.textContent = "No team selected.";
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-graph]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
