// The dashboard's charts, drawn by Chart.js (served from its npm package) from the numbers the
// page carries in the "dashboard-data" JSON script. The tables under each chart hold the same
// numbers for readers and keyboards.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const words = data.words;
  const numbers = function (values) {
    return values.map(function (value) {
      return value === null ? null : Number(value); // null: a month without results, a gap
    });
  };

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) {
      new window.Chart(canvas, config);
    }
  }

  draw("chart-bands", {
    type: "bar",
    data: {
      labels: data.bands.periods,
      datasets: data.bands.series.map(function (series) {
        return { label: series.label, data: series.counts };
      }),
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
  draw("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.labels,
      datasets: [{ label: words.average, data: numbers(data.trend.averages), tension: 0.2, spanGaps: false }],
    },
    options: { responsive: true, spanGaps: false, scales: { y: { beginAtZero: true } } },
  });
  draw("chart-histogram", {
    type: "bar",
    data: { labels: data.histogram.labels, datasets: [{ label: words.people, data: data.histogram.counts }] },
    options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw("chart-departments", {
    type: "bar",
    data: {
      labels: data.departments.labels,
      datasets: [{ label: words.average, data: numbers(data.departments.averages) }],
    },
    options: { responsive: true, indexAxis: "y", scales: { x: { beginAtZero: true } } },
  });
})();
