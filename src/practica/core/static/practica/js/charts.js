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
      window.vegaEmbed(element, spec, { actions: false, renderer: "svg" }).catch(function () {
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
