// Antigen self-test photo: a phone camera's picture is several megabytes, the server takes at most data-max-bytes.
// Before the form is sent, a picture that is too large is redrawn smaller as a JPEG (longest side 1280 px, then
// smaller and at lower quality until it fits) and put back into the file input. Without this script (or when the
// browser cannot replace the file) the server still checks the size and says what is wrong.
(function () {
    "use strict";

    var input = document.querySelector("input[type=file][data-max-bytes]");
    if (!input || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;
    var maxBytes = parseInt(input.dataset.maxBytes, 10);

    function load(file) {
        return new Promise(function (resolve, reject) {
            var image = new Image();
            var url = URL.createObjectURL(file);
            image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
            image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
            image.src = url;
        });
    }

    function draw(image, longest, quality) {
        var scale = Math.min(1, longest / Math.max(image.naturalWidth, image.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(image.naturalWidth * scale);
        canvas.height = Math.round(image.naturalHeight * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
    }

    async function shrink(file) {
        var image = await load(file);
        var attempts = [[1280, 0.85], [1024, 0.8], [800, 0.75], [640, 0.7], [480, 0.6]];
        for (var i = 0; i < attempts.length; i++) {
            var blob = await draw(image, attempts[i][0], attempts[i][1]);
            if (blob && blob.size <= maxBytes) return new File([blob], "antigen.jpg", { type: "image/jpeg" });
        }
        return null;
    }

    input.addEventListener("change", async function () {
        var file = input.files && input.files[0];
        if (!file || (file.size <= maxBytes && /^image\/(jpeg|png)$/.test(file.type))) return;
        try {
            var smaller = await shrink(file);
            if (!smaller) return;
            var transfer = new DataTransfer();
            transfer.items.add(smaller);
            input.files = transfer.files;
        } catch (e) {
            // Leave the file as chosen: the server will say why it cannot take it.
        }
    });
})();
