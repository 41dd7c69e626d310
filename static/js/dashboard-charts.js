// Draws the dashboard charts with Chart.js from the JSON that each chart's page puts beside it
// (`{{ spec|json_script:id }}`, read through the canvas's data-chart attribute). No inline script:
// the portal's CSP forbids them. Charts inside a panel refreshed by htmx are drawn again.
(function () {
  "use strict";
  var COLORS = {
    blue: "#0d6efd", lightblue: "#9ec5fe", green: "#198754", lightgreen: "#a3cfbb",
    red: "#dc3545", orange: "#fd7e14", grey: "#adb5bd", purple: "#6f42c1", teal: "#20c997"
  };
  var PALETTE = ["#0d6efd", "#6f42c1", "#fd7e14", "#20c997", "#dc3545", "#ffc107", "#198754", "#adb5bd"];

  function dataset(spec, item) {
    var color = item.color === "palette" ? PALETTE : (COLORS[item.color] || COLORS.grey);
    var line = spec.type === "line";
    return {
      label: item.label,
      data: item.data,
      stack: item.stack,
      backgroundColor: color,
      borderColor: line ? color : (item.color === "palette" ? "#fff" : color),
      borderWidth: line ? 2 : 1,
      pointRadius: line && spec.labels.length > 40 ? 0 : 2,
      maxBarThickness: 36,
      tension: 0.2,
      spanGaps: true,
      fill: false
    };
  }

  function options(spec) {
    var opts = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
    };
    if (spec.type === "doughnut") {
      return opts;
    }
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
    if (spec.percent) {
      valueAxis.suggestedMax = 100;
      valueAxis.ticks.callback = function (value) { return value + "%"; };
    }
    // Every label where each bar is one named thing (a store, a province); dates may skip.
    var categoryAxis = {
      stacked: !!spec.stacked,
      ticks: { autoSkip: !spec.allLabels, maxRotation: spec.allLabels && !spec.horizontal ? 60 : 0 }
    };
    if (spec.horizontal) {
      opts.indexAxis = "y";
      opts.scales = { x: valueAxis, y: categoryAxis };
    } else {
      opts.scales = { x: categoryAxis, y: valueAxis };
    }
    return opts;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    if (window.Chart.getChart(canvas)) {
      return;  // already drawn
    }
    var spec = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map(function (item) { return dataset(spec, item); }) },
      options: options(spec)
    });
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // Charts of a panel about to be replaced are released before htmx swaps it out.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    event.detail.target.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) {
        chart.destroy();
      }
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    drawAll(document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
