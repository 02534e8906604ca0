// Coverage of a screening round as a stacked bar per area (sampled / not yet sampled), drawn with the vendored ECharts.
// The page renders the same figures as a table; this only adds the picture. A bar links to the area's drill-down.
(function () {
    "use strict";

    var element = document.getElementById("coverage-chart");
    if (!element || !window.echarts) return;
    var rows = JSON.parse(element.dataset.chart || "[]");
    if (rows.length === 0) return;

    element.style.height = Math.max(220, rows.length * 28 + 80) + "px";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
        grid: { left: 8, right: 48, top: 32, bottom: 8, containLabel: true },
        legend: { top: 4, data: [element.dataset.sampled, element.dataset.untested] },
        tooltip: {
            trigger: "axis",
            axisPointer: { type: "shadow" },
            valueFormatter: function (v) { return Number(v).toLocaleString(); }
        },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
        series: [
            {
                name: element.dataset.sampled, type: "bar", stack: "all", itemStyle: { color: "#198754" },
                data: rows.map(function (r) { return r.sampled; })
            },
            {
                name: element.dataset.untested, type: "bar", stack: "all", itemStyle: { color: "#dee2e6" },
                label: {
                    show: true, position: "right", color: "#333",
                    formatter: function (p) { return rows[p.dataIndex].percent.toFixed(1) + "%"; }
                },
                data: rows.map(function (r) { return r.untested; })
            }
        ]
    });
    chart.on("click", function (p) {
        var href = rows[p.dataIndex] && rows[p.dataIndex].href;
        if (href) window.location.href = href;
    });
    window.addEventListener("resize", function () { chart.resize(); });
})();
