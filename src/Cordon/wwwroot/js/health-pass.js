// The resident's health-code pass (me/health): a visible countdown, and a fresh signed pass before this one expires.
// The QR is drawn on the server (no QR library in the browser), so the refresh fetches this page again and swaps its
// live part (#health-live: pass card and popups) in place. Offline, the card says so, keeps retrying and greys the QR
// once it has expired; when refreshing keeps failing with a network present, it falls back to reloading the page.
(function () {
    "use strict";

    var RETRY_SECONDS = 10;
    var MAX_FAILURES = 3;
    var failures = 0;
    var validUntil = 0;
    var refreshAt = 0;

    function live() { return document.getElementById("health-live"); }
    function card() { return document.getElementById("health-pass"); }

    function start() {
        var section = card();
        if (!section) return false;
        var now = Date.now();
        // Seconds relative to the server's clock, so a phone whose clock is off still counts down correctly.
        validUntil = now + Number(section.getAttribute("data-valid-seconds")) * 1000;
        refreshAt = now + Number(section.getAttribute("data-refresh-seconds")) * 1000;
        tick();
        return true;
    }

    function tick() {
        var section = card();
        if (!section) return;
        var left = Math.max(0, Math.round((validUntil - Date.now()) / 1000));
        var countdown = document.getElementById("health-countdown");
        if (countdown) countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
        section.classList.toggle("expired", left === 0);
        if (Date.now() >= refreshAt) {
            refreshAt = Date.now() + RETRY_SECONDS * 1000;
            refresh();
        }
    }

    function refresh() {
        fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
            .then(function (response) {
                if (!response.ok || response.redirected) throw new Error("status " + response.status);
                return response.text();
            })
            .then(function (html) {
                var next = new DOMParser().parseFromString(html, "text/html").getElementById("health-live");
                var current = live();
                if (!next || !current) throw new Error("no pass in the page");
                current.replaceWith(next);
                failures = 0;
                start();
            })
            .catch(function () {
                failures += 1;
                var section = card();
                if (section) section.classList.add("offline");
                if (failures >= MAX_FAILURES && navigator.onLine && Date.now() >= validUntil) window.location.reload();
            });
    }

    if (!start()) return;
    var timer = window.setInterval(tick, 1000);
    window.addEventListener("pagehide", function () { window.clearInterval(timer); timer = 0; });
    // Back to the page from the browser's back-forward cache: the timer stopped at pagehide, so start it again (the
    // tick refreshes at once if the pass is due or expired meanwhile); without this the countdown stood still.
    window.addEventListener("pageshow", function (event) {
        if (!event.persisted || timer) return;
        timer = window.setInterval(tick, 1000);
        tick();
    });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
}());
