// The community checkpoint console (卡口值守) on a phone. No framework.
// - Verifies a resident's pass (ADR 008: CDP1.<payload>.<signature>, ES256) in the browser with WebCrypto, against
//   the public keys of /.well-known/cordon/pass-keys cached in localStorage, so it keeps working while the server is
//   unreachable. Anything but a valid pass is "not verified" and never shows a colour.
// - Decides by the checkpoint's policy with the same rules as CheckpointRules.cs (ADR 012).
// - Queues every passage in localStorage under a client id and sends the queue to the server (batch, idempotent);
//   the server verifies again and its decision is the one recorded.
// WebCrypto needs a secure context (https, or localhost).
(function () {
    "use strict";

    var root = document.getElementById("checkpoint-console");
    if (!root) return;

    var api = root.getAttribute("data-api");
    var keysUrl = root.getAttribute("data-keys-url");
    var policy = JSON.parse(root.getAttribute("data-policy"));
    var words = JSON.parse(root.getAttribute("data-strings"));
    var queueKey = "cordon.checkpoint." + root.getAttribute("data-checkpoint") + ".queue";
    var recentKey = "cordon.checkpoint." + root.getAttribute("data-checkpoint") + ".recent";
    var keysKey = "cordon.passKeys";
    var skewMs = 60 * 1000;
    var colours = [null, "Green", "Yellow", "Red"];
    var popupKinds = [null, "ScreeningRound", "KeyGroupTest", "CompanionHit"];

    var form = document.getElementById("check-form");
    var code = document.getElementById("person-code");
    var temperature = document.getElementById("temperature");
    var idChecked = document.getElementById("id-checked");
    var error = document.getElementById("check-error");
    var online = true;
    var shown = null;

    function t(key) {
        var text = words[key] || key;
        for (var i = 1; i < arguments.length; i++) text = text.split("{" + (i - 1) + "}").join(String(arguments[i]));
        return text;
    }

    function read(key, fallback) {
        try {
            var value = JSON.parse(localStorage.getItem(key));
            return value === null ? fallback : value;
        } catch (e) {
            return fallback;
        }
    }

    function write(key, value) {
        localStorage.setItem(key, JSON.stringify(value));
    }

    // ---- Keys ----------------------------------------------------------------------------------------------------

    function cachedKeys() {
        var set = read(keysKey, null);
        return set && set.keys ? set : { fetchedAt: 0, keys: [] };
    }

    function refreshKeys() {
        return fetch(keysUrl, { credentials: "same-origin", cache: "no-store" })
            .then(function (response) {
                if (!response.ok) throw new Error("keys " + response.status);
                return response.json();
            })
            .then(function (set) {
                var cached = { fetchedAt: Date.now(), keys: set.keys || [] };
                write(keysKey, cached);
                showKeys();
                return cached;
            });
    }

    function showKeys() {
        var set = cachedKeys();
        document.getElementById("console-keys").textContent = set.keys.length
            ? t("Checkpoint_KeysCached", new Date(set.fetchedAt).toLocaleString())
            : t("Checkpoint_NoKeys");
    }

    // ---- Pass verification (ADR 008) -----------------------------------------------------------------------------

    var base64Url = /^[A-Za-z0-9_-]+$/;

    function decode(part) {
        if (!base64Url.test(part)) return null;
        var text = part.replace(/-/g, "+").replace(/_/g, "/");
        while (text.length % 4) text += "=";
        try {
            var binary = atob(text);
            var bytes = new Uint8Array(binary.length);
            for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
            return bytes;
        } catch (e) {
            return null;
        }
    }

    function isInt(v, min, max) {
        return typeof v === "number" && Math.floor(v) === v && v >= min && v <= max;
    }

    function parse(text) {
        if (typeof text !== "string" || text.length > 1024 || text.indexOf("CDP1.") !== 0) return null;
        var parts = text.split(".");
        if (parts.length !== 3) return null;
        var payload = decode(parts[1]);
        var signature = decode(parts[2]);
        if (!payload || !signature || signature.length !== 64) return null;
        var p;
        try {
            p = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
        } catch (e) {
            return null;
        }
        if (!p || typeof p !== "object" || Array.isArray(p)) return null;
        var big = 1e12;
        if (typeof p.k !== "string" || p.k.length < 1 || p.k.length > 32 || !base64Url.test(p.k)) return null;
        if (!isInt(p.r, 1, Number.MAX_SAFE_INTEGER) || !isInt(p.c, 1, 3) || !Array.isArray(p.p)) return null;
        if (!p.p.every(function (kind) { return isInt(kind, 1, 3); })) return null;
        if (p.s !== undefined && !isInt(p.s, -big, big)) return null;
        if (typeof p.n !== "string" || p.n.length > 20) return null;
        if (!isInt(p.iat, -big, big) || !isInt(p.exp, -big, big) || p.exp <= p.iat || p.exp > p.iat + 3600) return null;
        return { payload: p, signed: new TextEncoder().encode("CDP1." + parts[1]), signature: signature };
    }

    function findKey(set, kid, now) {
        for (var i = 0; i < set.keys.length; i++) {
            var key = set.keys[i];
            if (key.kid === kid) return key.exp && key.exp * 1000 <= now ? null : key;
        }
        return null;
    }

    /** Resolves to { outcome: "valid" | "malformed" | "unknown-key" | "bad-signature" | "not-yet-valid" | "expired", pass }. */
    function verify(text, now) {
        var parsed = parse(text);
        if (!parsed) return Promise.resolve({ outcome: "malformed" });
        var p = parsed.payload;
        var set = cachedKeys();
        var found = findKey(set, p.k, now);
        // A key rotated in since the last refresh: fetch the set once, if the server answers.
        var keyReady = found ? Promise.resolve(found) : refreshKeys().then(function (s) { return findKey(s, p.k, now); }, function () { return null; });
        return keyReady.then(function (key) {
            if (!key) return { outcome: "unknown-key" };
            if (!window.crypto || !crypto.subtle) return { outcome: "unknown-key" };
            return crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: key.x, y: key.y, ext: true },
                { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"])
                .then(function (cryptoKey) {
                    return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, cryptoKey, parsed.signature, parsed.signed);
                })
                .then(function (ok) {
                    if (!ok) return { outcome: "bad-signature" };
                    if (now < p.iat * 1000 - skewMs) return { outcome: "not-yet-valid" };
                    if (now >= p.exp * 1000 + skewMs) return { outcome: "expired" };
                    return { outcome: "valid", pass: p };
                }, function () {
                    return { outcome: "unknown-key" };
                });
        });
    }

    function problemOf(outcome) {
        return outcome === "expired" || outcome === "not-yet-valid" ? "pass-expired" : "pass-invalid";
    }

    // ---- Decision (CheckpointRules.Decide) -----------------------------------------------------------------------

    function decide(f) {
        var fever = f.temperature !== null && f.temperature >= policy.threshold;
        var reason = null;
        if (f.problem) reason = f.problem;
        else if (!f.colour) reason = "no-code";
        else if (policy.allowed.indexOf(f.colour) < 0) reason = "colour";
        else if (f.direction === "In") {
            if (f.popups.length > 0 && !policy.allowPopups) reason = "popup";
            else if (policy.testHours !== null && f.testAge === null) reason = "no-test";
            else if (policy.testHours !== null && f.testAge > policy.testHours) reason = "test-too-old";
            else if (fever) reason = "fever";
        }
        return { decision: reason ? "Denied" : "Allowed", reason: reason || "ok", fever: fever };
    }

    // ---- Showing a result ----------------------------------------------------------------------------------------

    function showError(message) {
        error.textContent = message;
        error.hidden = !message;
    }

    function render(item) {
        shown = item.passage.clientId;
        var section = document.getElementById("check-result");
        section.hidden = false;
        section.setAttribute("data-client-id", item.passage.clientId);
        var f = item.facts;
        var colourBox = document.getElementById("result-colour");
        colourBox.className = "checkpoint-colour rounded-3 d-flex align-items-center justify-content-center fw-bold fs-4 colour-" +
            (f.colour ? f.colour.toLowerCase() : "none");
        colourBox.textContent = f.problem ? "✖" : f.colour ? t("Checkpoint_Colour_" + f.colour) : t("Checkpoint_Colour_None");
        colourBox.setAttribute("data-colour", f.problem ? "none" : f.colour || "none");
        document.getElementById("result-name").textContent = f.problem ? t("Checkpoint_NotVerified") : f.name || "";
        document.getElementById("result-test").textContent = f.problem ? "" :
            f.testAge === null ? t("Checkpoint_NoTest") : t("Checkpoint_TestAge", f.testAge.toFixed(1));
        var popups = document.getElementById("result-popups");
        popups.innerHTML = "";
        f.popups.forEach(function (kind) {
            var li = document.createElement("li");
            li.textContent = "⚠ " + t("Checkpoint_Popup_" + kind);
            popups.appendChild(li);
        });
        renderDecision(item.verdict, item.state, item.serverReason);
    }

    function renderDecision(verdict, state, serverReason) {
        var box = document.getElementById("result-decision");
        var allowed = verdict.decision === "Allowed";
        box.className = "mt-3 p-2 rounded-3 fs-4 fw-bold text-center " + (allowed ? "text-bg-success" : "text-bg-danger");
        box.textContent = allowed ? "✔ " + t("Checkpoint_Allowed") : "✖ " + t("Checkpoint_DeniedDecision");
        box.setAttribute("data-decision", verdict.decision);
        var reason = document.getElementById("result-reason");
        reason.textContent = t("Checkpoint_Reason_" + verdict.reason);
        reason.setAttribute("data-reason", verdict.reason);
        var fever = document.getElementById("result-fever");
        fever.hidden = !verdict.fever;
        fever.textContent = verdict.fever ? t("Checkpoint_FeverFlag", verdict.temperature) : "";
        var sync = document.getElementById("result-sync");
        sync.textContent = state === "synced" ? "✔ " + t("Checkpoint_Synced") : t("Checkpoint_Queued");
        if (serverReason) sync.textContent += " · " + t("Checkpoint_ServerDecided", t("Checkpoint_Reason_" + serverReason));
        sync.setAttribute("data-state", state);
    }

    function renderRecent() {
        var list = document.getElementById("recent-passages");
        list.innerHTML = "";
        read(recentKey, []).forEach(function (r) {
            var li = document.createElement("li");
            li.className = "list-group-item d-flex justify-content-between recent-passage";
            var left = document.createElement("span");
            left.textContent = new Date(r.at).toLocaleTimeString() + " · " + (r.direction === "In" ? "⬅" : "➡") + " " + (r.name || "—");
            var right = document.createElement("span");
            right.className = r.decision === "Allowed" ? "text-success" : "text-danger";
            right.textContent = (r.decision === "Allowed" ? "✔ " : "✖ ") + t("Checkpoint_Reason_" + r.reason) + (r.synced ? "" : " ⏳");
            li.appendChild(left);
            li.appendChild(right);
            list.appendChild(li);
        });
    }

    function remember(item) {
        var recent = read(recentKey, []);
        recent.unshift({
            clientId: item.passage.clientId, at: item.passage.at, direction: item.passage.direction, name: item.facts.name,
            decision: item.verdict.decision, reason: item.verdict.reason, synced: false,
        });
        write(recentKey, recent.slice(0, 10));
        renderRecent();
    }

    function markRecent(result) {
        var recent = read(recentKey, []);
        recent.forEach(function (r) {
            if (r.clientId !== result.clientId) return;
            r.synced = true;
            r.decision = result.decision;
            r.reason = result.reason;
        });
        write(recentKey, recent);
        renderRecent();
    }

    // ---- Queue and sync ------------------------------------------------------------------------------------------

    var syncing = false;

    function setOnline(value) {
        online = value;
        var badge = document.getElementById("console-online");
        badge.className = "badge " + (value ? "text-bg-success" : "text-bg-warning");
        badge.textContent = value ? t("Checkpoint_Online") : t("Checkpoint_Offline");
    }

    function showQueue() {
        var count = read(queueKey, []).length;
        var badge = document.getElementById("console-queue");
        badge.hidden = count === 0;
        badge.textContent = t("Checkpoint_Queue", count);
        document.getElementById("console-sync").hidden = count === 0;
    }

    function enqueue(passage) {
        var queue = read(queueKey, []);
        queue.push(passage);
        write(queueKey, queue);
        showQueue();
    }

    function unqueue(clientIds) {
        write(queueKey, read(queueKey, []).filter(function (p) { return clientIds.indexOf(p.clientId) < 0; }));
        showQueue();
    }

    function post(url, body) {
        return fetch(url, {
            method: "POST", credentials: "same-origin", redirect: "manual",
            headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body),
        });
    }

    function signedOut(response) {
        return response.type === "opaqueredirect" || response.status === 401 || response.status === 403;
    }

    function sync() {
        var queue = read(queueKey, []);
        if (syncing || queue.length === 0) return Promise.resolve();
        syncing = true;
        var batch = queue.slice(0, 200);
        return post(api + "/passages/batch", { passages: batch })
            .then(function (response) {
                setOnline(true);
                if (signedOut(response)) {
                    showError(t("Checkpoint_SignedOut"));
                    return;
                }
                if (response.status === 400) return response.json().then(function (problem) { rejectInvalid(batch, problem); });
                if (!response.ok) throw new Error("sync " + response.status);
                return response.json().then(function (result) {
                    result.passages.forEach(applyServerResult);
                    unqueue(result.passages.map(function (p) { return p.clientId; }));
                    if (read(queueKey, []).length > 0) return sync();
                });
            }, function () {
                setOnline(false);
            })
            .then(function () { syncing = false; }, function () { syncing = false; });
    }

    // A passage the server refuses as bad input would block the queue for ever: take it out and say why.
    function rejectInvalid(batch, problem) {
        var bad = [];
        Object.keys(problem.errors || {}).forEach(function (field) {
            var match = /^passages\[(\d+)\]/.exec(field);
            if (match && batch[+match[1]]) bad.push(batch[+match[1]].clientId);
        });
        if (bad.length === 0) bad = batch.map(function (p) { return p.clientId; });
        unqueue(bad);
        var first = Object.keys(problem.errors || {})[0];
        showError(t("Checkpoint_Rejected", first ? first + " " + problem.errors[first].join(", ") : problem.title || ""));
    }

    function applyServerResult(result) {
        markRecent(result);
        if (result.clientId !== shown) return;
        var local = document.getElementById("result-decision").getAttribute("data-decision");
        var localReason = document.getElementById("result-reason").getAttribute("data-reason");
        var differs = local !== result.decision || localReason !== result.reason;
        var temperatureText = document.getElementById("result-fever").textContent;
        renderDecision({ decision: result.decision, reason: result.reason, fever: result.fever, temperature: lastTemperature },
            "synced", differs ? result.reason : null);
        if (!result.fever && temperatureText) document.getElementById("result-fever").hidden = true;
    }

    // ---- Checking a person ---------------------------------------------------------------------------------------

    var lastTemperature = null;

    function uuid() {
        if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
        var b = crypto.getRandomValues(new Uint8Array(16));
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
        return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
    }

    function factsFromPass(text, now) {
        return verify(text, now).then(function (v) {
            if (v.outcome !== "valid") return { problem: problemOf(v.outcome), popups: [], colour: null, testAge: null, name: "" };
            var p = v.pass;
            return {
                colour: colours[p.c], popups: p.p.map(function (k) { return popupKinds[k]; }), name: p.n,
                testAge: p.s === undefined ? null : Math.max(0, Math.round((now - p.s * 1000) / 360000) / 10), residentId: p.r,
            };
        });
    }

    function factsFromIdNumber(idNumber) {
        return post(api + "/lookup", { idNumber: idNumber }).then(function (response) {
            setOnline(true);
            if (signedOut(response)) throw new Error(t("Checkpoint_SignedOut"));
            if (response.status === 404) throw new Error(t("Checkpoint_IdNotFound"));
            if (!response.ok) {
                return response.json().then(function (problem) {
                    var first = Object.keys(problem.errors || {})[0];
                    throw new Error(first ? problem.errors[first].join(", ") : problem.title);
                });
            }
            return response.json().then(function (person) {
                return {
                    colour: person.colour, popups: person.popups.map(function (p) { return p.kind; }), name: person.maskedName,
                    testAge: person.testAgeHours === null || person.testAgeHours === undefined ? null : person.testAgeHours,
                    reference: person.reference,
                };
            });
        }, function () {
            setOnline(false);
            throw new Error(t("Checkpoint_IdNeedsServer"));
        });
    }

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        showError("");
        var text = code.value.trim();
        if (!text) return;
        var direction = form.querySelector("input[name=direction]:checked").value;
        var raw = temperature.value.trim().replace(",", ".");
        var celsius = raw === "" ? null : Number(raw);
        if (celsius !== null && (isNaN(celsius) || celsius < 34 || celsius > 43)) {
            showError(t("Checkpoint_TemperatureRange"));
            temperature.focus();
            return;
        }
        if (celsius === null && direction === "In") {
            showError(t("Checkpoint_TemperatureRequired"));
            temperature.focus();
            return;
        }
        var now = Date.now();
        var passage = {
            clientId: uuid(), at: new Date(now).toISOString(), direction: direction, temperature: celsius === null ? null : Math.round(celsius * 10) / 10,
            idChecked: idChecked.checked,
        };
        var isIdNumber = /^\d{17}[\dXx]$/.test(text);
        var lookup = isIdNumber ? factsFromIdNumber(text) : factsFromPass(text, now);
        lookup.then(function (facts) {
            if (isIdNumber) passage.residentId = facts.reference;
            else passage.pass = text;
            facts.direction = direction;
            facts.temperature = passage.temperature;
            var verdict = decide(facts);
            verdict.temperature = passage.temperature;
            lastTemperature = passage.temperature;
            var item = { passage: passage, facts: facts, verdict: verdict, state: "queued" };
            enqueue(passage);
            remember(item);
            render(item);
            code.value = "";
            temperature.value = "";
            idChecked.checked = false;
            return sync();
        }, function (e) {
            showError(e.message);
        });
    });

    document.getElementById("console-sync").addEventListener("click", function () { sync(); });
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", function () { setOnline(false); });
    setInterval(function () { sync(); }, 15000);

    showKeys();
    showQueue();
    renderRecent();
    setOnline(navigator.onLine !== false);
    refreshKeys().then(function () { setOnline(true); }, function () { setOnline(false); }).then(sync);
})();
