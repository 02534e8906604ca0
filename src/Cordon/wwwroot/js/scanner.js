// Camera scanning for the sampling and lab consoles (no framework; the pages work without it).
// A button <button type="button" data-scan="input-id"> opens the camera; the first code read fills the input and
// submits its form, exactly as a hardware scanner does when it types the code and presses Enter.
// Reads QR codes with the vendored jsQR; where the browser has a BarcodeDetector (Chrome on Android), it also reads
// the 1-D barcodes printed on tubes and boxes. The camera needs a secure context (https or localhost).
(function () {
    "use strict";

    var overlay = null;
    var stream = null;
    var running = false;

    function detector() {
        if (!("BarcodeDetector" in window)) return null;
        try {
            return new window.BarcodeDetector({ formats: ["qr_code", "code_128", "code_39", "ean_13", "itf", "data_matrix"] });
        } catch (e) {
            return null;
        }
    }

    function stop() {
        running = false;
        if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
        stream = null;
        if (overlay) overlay.remove();
        overlay = null;
    }

    function deliver(input, text) {
        stop();
        input.value = text.trim();
        input.dispatchEvent(new Event("input", { bubbles: true }));
        if (input.form) {
            if (input.form.requestSubmit) input.form.requestSubmit();
            else input.form.submit();
        }
    }

    function open(input, labels) {
        if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
            alert(labels.unavailable);
            return;
        }
        overlay = document.createElement("div");
        overlay.className = "scanner-overlay";
        overlay.setAttribute("role", "dialog");
        overlay.innerHTML =
            '<div class="scanner-box"><video playsinline muted></video><div class="scanner-frame"></div>' +
            '<p class="scanner-hint"></p><button type="button" class="btn btn-light scanner-close"></button></div>';
        // Styled here, not in a stylesheet: the overlay belongs to no page, and the script is all a page needs to include.
        overlay.style.cssText = "position:fixed;inset:0;z-index:2000;background:rgba(0,0,0,.85);display:flex;align-items:center;justify-content:center";
        var box = overlay.querySelector(".scanner-box");
        box.style.cssText = "position:relative;width:min(92vw,480px);text-align:center;color:#fff";
        overlay.querySelector("video").style.cssText = "width:100%;border-radius:.5rem;background:#000";
        overlay.querySelector(".scanner-frame").style.cssText =
            "position:absolute;left:15%;right:15%;top:15%;height:45%;border:3px solid rgba(255,255,255,.8);border-radius:.5rem;pointer-events:none";
        overlay.querySelector(".scanner-hint").style.cssText = "margin:.75rem 0";
        overlay.querySelector(".scanner-hint").textContent = labels.hint;
        overlay.querySelector(".scanner-close").textContent = labels.close;
        overlay.querySelector(".scanner-close").addEventListener("click", stop);
        document.body.appendChild(overlay);

        var video = overlay.querySelector("video");
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        var barcodes = detector();

        navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
            .then(function (s) {
                stream = s;
                video.srcObject = s;
                return video.play();
            })
            .then(function () {
                running = true;
                requestAnimationFrame(tick);
            })
            .catch(function () {
                stop();
                alert(labels.denied);
            });

        function tick() {
            if (!running) return;
            if (video.readyState !== video.HAVE_ENOUGH_DATA) {
                requestAnimationFrame(tick);
                return;
            }
            if (barcodes) {
                barcodes.detect(video).then(function (found) {
                    if (found.length > 0 && running) deliver(input, found[0].rawValue);
                    else readWithJsQr();
                }).catch(readWithJsQr);
            } else {
                readWithJsQr();
            }
        }

        function readWithJsQr() {
            if (!running) return;
            // A smaller frame is read faster and is plenty for a code held in front of the camera.
            var scale = Math.min(1, 640 / video.videoWidth);
            canvas.width = Math.floor(video.videoWidth * scale);
            canvas.height = Math.floor(video.videoHeight * scale);
            context.drawImage(video, 0, 0, canvas.width, canvas.height);
            var image = context.getImageData(0, 0, canvas.width, canvas.height);
            var code = window.jsQR ? window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" }) : null;
            if (code && code.data) deliver(input, code.data);
            else requestAnimationFrame(tick);
        }
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest("[data-scan]");
        if (!button) return;
        var input = document.getElementById(button.getAttribute("data-scan"));
        if (!input) return;
        event.preventDefault();
        open(input, {
            hint: button.getAttribute("data-scan-hint") || "",
            close: button.getAttribute("data-scan-close") || "×",
            denied: button.getAttribute("data-scan-denied") || "",
            unavailable: button.getAttribute("data-scan-unavailable") || "",
        });
    });

    document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && overlay) stop();
    });
})();
