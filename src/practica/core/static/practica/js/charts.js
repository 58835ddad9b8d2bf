/* Render every Vega-Lite chart on the page: an element with data-vega-spec="ID" names the
   <script type="application/json" id="ID"> (Django's json_script) that holds its spec. */
(function () {
  "use strict";

  // The Content-Security-Policy forbids eval: Vega must evaluate expressions with the vendored
  // interpreter (vega-interpreter), loaded once next to the other vendored files.
  var here = document.currentScript ? document.currentScript.src : "";
  var interpreterUrl = here.replace(/js\/charts(\.[0-9a-f]+)?\.js(\?.*)?$/, "vendor/vega-interpreter.min.js");
  var interpreterLoading = null;

  function withInterpreter(callback) {
    if (window.vega && window.vega.expressionInterpreter) {
      callback();
      return;
    }
    if (!interpreterLoading) {
      interpreterLoading = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = interpreterUrl;
        script.onload = resolve;
        script.onerror = resolve;
        document.head.appendChild(script);
      });
    }
    interpreterLoading.then(callback);
  }

  function renderCharts(root) {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    withInterpreter(function () {
      drawCharts(root);
    });
  }

  function drawCharts(root) {
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
      var options = { actions: false, renderer: "svg" };
      if (window.vega && window.vega.expressionInterpreter) {
        options.ast = true;
        options.expr = window.vega.expressionInterpreter;
      }
      window.vegaEmbed(canvas, spec, options).catch(function () {
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
