// Sampling sites on a map, drawn with the vendored Leaflet. No tile server is reachable, so the map has no background
// tiles: the boundaries of the user's jurisdiction and of the areas directly below it give the markers their context.
// Markers are coloured by the live queue (green quiet, amber busy, red crowded, grey closed); a click opens the site.
(function () {
    "use strict";

    var element = document.getElementById("site-map");
    if (!element || !window.L) return;
    var sites = JSON.parse(element.dataset.sites || "[]");
    if (sites.length === 0) return;

    var map = window.L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var colours = { Quiet: "#198754", Busy: "#e0a800", Crowded: "#dc3545" };
    var bounds = [];
    sites.forEach(function (site) {
        var marker = window.L.circleMarker([site.lat, site.lon], {
            radius: 9, weight: 2, color: "#fff", fillOpacity: 0.9,
            fillColor: site.closed ? "#6c757d" : (colours[site.crowd] || "#0d6efd")
        });
        // Text, never HTML: a site's name is typed by people.
        var tip = document.createElement("span");
        tip.textContent = site.name + " · " + site.queue;
        marker.bindTooltip(tip);
        marker.on("click", function () { window.location.href = "testing/sites/" + site.id; });
        marker.addTo(map);
        bounds.push([site.lat, site.lon]);
    });
    map.fitBounds(bounds, { padding: [40, 40], maxZoom: 14 });

    var code = element.dataset.jurisdiction;
    if (!code || !window.fetch) return;
    var json = function (response) { return response.ok ? response.json() : null; };
    var draw = function (geo, weight) {
        if (!geo) return;
        window.L.geoJSON(geo, { interactive: false, style: { color: "#1f2a37", weight: weight, fillOpacity: 0.03 } }).addTo(map).bringToBack();
    };
    fetch("api/v1/areas/" + encodeURIComponent(code) + "/boundary", { credentials: "same-origin" })
        .then(json).then(function (geo) { draw(geo, 2); }).catch(function () { });
    fetch("api/v1/areas?parent=" + encodeURIComponent(code), { credentials: "same-origin" })
        .then(json)
        .then(function (children) {
            (children || []).filter(function (a) { return a.hasBoundary; }).slice(0, 40).forEach(function (a) {
                fetch("api/v1/areas/" + encodeURIComponent(a.code) + "/boundary", { credentials: "same-origin" })
                    .then(json).then(function (geo) { draw(geo, 0.7); }).catch(function () { });
            });
        })
        .catch(function () { });
})();
