/* Render every Vega-Lite chart on the page: an element with data-vega-spec="ID" names the
   <script type="application/json" id="ID"> (Django's json_script) that holds its spec. */
(function () {
  "use strict";

  function renderCharts(root) {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    root.querySelectorAll("[data-vega-spec]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-vega-spec"));
      if (!source) {
        return;
      }
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (error) {
        return;  // the data table next to the chart still carries the numbers
      }
      // Draw into a child, so the labelled container (role="img", naming the table alternative)
      // keeps the label the page gave it.
      var canvas = element.querySelector(".chart-canvas");
      if (!canvas) {
        canvas = document.createElement("div");
        canvas.className = "chart-canvas";
        canvas.setAttribute("aria-hidden", "true");
        element.appendChild(canvas);
      }
      window.vegaEmbed(canvas, spec, { actions: false, renderer: "svg" }).catch(function () {
        element.setAttribute("data-vega-failed", "true");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderCharts(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    renderCharts(event.target || document);
  });
})();
