// Charts from data embedded with json_script; every chart also has its numbers in a table (no colour needed).
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Chart) return;
  const patterns = [[], [6, 3], [2, 2], [10, 4, 2, 4]];
  const colours = ["#0b4f6c", "#a4161a", "#2d6a4f", "#6c4f0b"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map((s, i) => ({
          label: s.label, data: s.data, borderColor: colours[i % 4], backgroundColor: colours[i % 4],
          borderDash: patterns[i % 4], pointStyle: ["circle", "rect", "triangle", "crossRot"][i % 4], pointRadius: 4,
        })),
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
    });
  });
});
