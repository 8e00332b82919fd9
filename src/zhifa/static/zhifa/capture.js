/* zhifa capture pages: GPS, camera/recorder uploads in resumable chunks, question rows and an
   on-screen signature. Progressive enhancement: every form here also works without this file.
   No external assets (the platform runs on intranets). */
(function () {
  "use strict";

  function $(root, sel) { return root.querySelector(sel); }
  function $$(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }
  function csrf(form) {
    var input = $(form, "input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  /* ---------------------------------------------------------------- GPS (optional) */
  function fillGps() {
    var lat = document.querySelector("input[data-gps=lat]");
    var lon = document.querySelector("input[data-gps=lon]");
    var state = document.querySelector("[data-gps-state]");
    if (!lat || !lon || !navigator.geolocation || lat.value || lon.value) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      if (state) state.textContent = "已定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）。";
    }, function () {
      if (state) state.textContent = "未能获取定位，可手工填写或不填。";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  /* ---------------------------------------------------------------- network with retries */
  // Waits for the network and retries on a dropped connection or a server error; answers
  // with a status below 500 (including refusals) are returned to the caller.
  async function withRetry(send, onWait) {
    var delay = 1000;
    for (var attempt = 1; ; attempt++) {
      if (navigator.onLine === false) {
        if (onWait) onWait("网络已断开，恢复后自动继续……");
        await new Promise(function (r) { window.addEventListener("online", r, { once: true }); });
      }
      try {
        var res = await send();
        if (res.status < 500) return res;
      } catch (e) { /* dropped connection: retry */ }
      if (attempt >= 10) throw new Error("网络不稳定，上传未完成。可稍后在本页重新提交，已传部分不必重传。");
      if (onWait) onWait("网络不稳定，" + Math.round(delay / 1000) + " 秒后重试（第 " + attempt + " 次）……");
      await sleep(delay);
      delay = Math.min(delay * 2, 15000);
    }
  }
  async function json(res) {
    try { return await res.json(); } catch (e) { return { error: "服务器返回了无法识别的应答（" + res.status + "）" }; }
  }
  async function sha256(blob) {
    if (!(window.crypto && crypto.subtle && blob.arrayBuffer)) return null;  // not a secure context
    var digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return Array.prototype.map.call(new Uint8Array(digest), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* ---------------------------------------------------------------- resumable upload */
  async function uploadResumable(form, file, filename, report) {
    var token = csrf(form);
    var key = "zhifa-upload:" + form.dataset.subject + ":" + filename + ":" + file.size + ":" + (file.lastModified || 0);
    var session = null;
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && saved.status_url) {
      var st = await withRetry(function () { return fetch(saved.status_url, { credentials: "same-origin" }); }, report);
      if (st.ok) { session = await json(st); if (session.finished) session = null; }
    }
    if (!session) {
      var body = new FormData();
      body.append("organization", form.dataset.organization);
      body.append("subject", form.dataset.subject);
      body.append("filename", filename);
      body.append("size", String(file.size));
      body.append("chunk_size", form.dataset.chunkSize || "");
      var res = await withRetry(function () {
        return fetch(form.dataset.startUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token } });
      }, report);
      session = await json(res);
      if (!res.ok) throw new Error(session.error || "无法开始上传");
      try { localStorage.setItem(key, JSON.stringify({ status_url: session.status_url })); } catch (e) { /* private mode */ }
    }
    var offset = session.received;
    while (offset < file.size) {
      var chunk = file.slice(offset, offset + session.chunk_size);
      var digest = await sha256(chunk);
      var headers = { "X-CSRFToken": token, "Content-Type": "application/octet-stream" };
      if (digest) headers["X-Chunk-SHA256"] = digest;
      var at = offset;
      var res2 = await withRetry(function () {
        return fetch(session.chunk_url + "?offset=" + at, { method: "PUT", body: chunk, headers: headers, credentials: "same-origin" });
      }, report);
      var answer = await json(res2);
      if (res2.status === 409 && typeof answer.received === "number" && ["offset", "length", "digest"].indexOf(answer.code) >= 0 && answer.received !== offset) {
        offset = answer.received;  // the server has more (or less) than we thought: resume there
        continue;
      }
      if (!res2.ok) {
        if (["expired", "lost", "finished"].indexOf(answer.code) >= 0) {
          // This session cannot go on: the next submit starts a fresh one.
          try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
        }
        throw new Error(answer.error || "上传失败（" + res2.status + "）");
      }
      offset = answer.received;
      report(null, offset / file.size);
    }
    return { session: session, key: key };
  }

  function initCapture(form) {
    var kind = $(form, "select[name=kind]");
    var inputs = $$(form, "input[type=file][name=file]");
    var status = $(form, "[data-status]");
    var progress = $(form, "[data-progress]");
    var recorded = null;
    function report(message, fraction) {
      if (message) status.textContent = message;
      if (typeof fraction === "number") {
        progress.hidden = false;
        progress.value = Math.round(fraction * 100);
        status.textContent = "已上传 " + Math.round(fraction * 100) + "%";
      }
    }
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (!input.files.length) return;
        inputs.forEach(function (other) { if (other !== input) other.value = ""; });
        recorded = null;
        if (kind && input.dataset.kind) kind.value = input.dataset.kind;
      });
    });

    // Audio recorded in the page (MediaRecorder), where the browser allows it.
    var box = $(form, "[data-recorder]");
    if (box && window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      box.hidden = false;
      var start = $(box, "[data-record-start]"), stop = $(box, "[data-record-stop]");
      var state = $(box, "[data-record-state]"), preview = $(box, "[data-record-preview]");
      var recorder = null, parts = [], began = 0;
      start.addEventListener("click", async function () {
        try {
          var stream = await navigator.mediaDevices.getUserMedia({ audio: true });
          parts = [];
          recorder = new MediaRecorder(stream);
          recorder.ondataavailable = function (e) { if (e.data.size) parts.push(e.data); };
          recorder.onstop = function () {
            stream.getTracks().forEach(function (t) { t.stop(); });
            var type = recorder.mimeType || "audio/webm";
            recorded = new Blob(parts, { type: type });
            recorded.name = "录音-" + new Date(began).toISOString().replace(/[:.]/g, "-") + (type.indexOf("mp4") >= 0 ? ".m4a" : ".webm");
            preview.src = URL.createObjectURL(recorded);
            preview.hidden = false;
            inputs.forEach(function (i) { i.value = ""; });
            if (kind) kind.value = "audio";
            state.textContent = "录音完成（" + Math.round((Date.now() - began) / 1000) + " 秒），点“上传并保存”。";
          };
          began = Date.now();
          recorder.start(1000);
          start.disabled = true; stop.disabled = false;
          state.textContent = "正在录音……";
        } catch (e) {
          state.textContent = "无法使用麦克风：" + (e.message || e.name);
        }
      });
      stop.addEventListener("click", function () {
        if (recorder && recorder.state !== "inactive") recorder.stop();
        start.disabled = false; stop.disabled = true;
      });
    }

    form.addEventListener("submit", async function (event) {
      if (!window.fetch || !window.Blob || !Blob.prototype.slice || !window.FormData) return;
      var file = recorded, filename = recorded ? recorded.name : "";
      inputs.forEach(function (input) { if (!file && input.files.length) { file = input.files[0]; filename = file.name; } });
      if (!file) return;  // the server says what is missing
      event.preventDefault();
      var button = $(form, "button[type=submit]");
      button.disabled = true;
      status.classList.remove("error");
      try {
        var done = await uploadResumable(form, file, filename, report);
        var body = new FormData(form);
        body.delete("file");
        body.append("upload_id", done.session.id);
        report("正在保存记录……");
        var res = await withRetry(function () {
          return fetch(form.dataset.finishUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf(form) } });
        }, report);
        var answer = await json(res);
        if (!res.ok) {
          if (["expired", "lost", "finished"].indexOf(answer.code) >= 0) {
            try { localStorage.removeItem(done.key); } catch (e) { /* ignore */ }
          }
          throw new Error(answer.error || "保存失败（" + res.status + "）");
        }
        try { localStorage.removeItem(done.key); } catch (e) { /* ignore */ }
        window.location.assign(answer.url);
      } catch (e) {
        status.textContent = e.message;
        status.classList.add("error");
        button.disabled = false;
      }
    });
  }

  /* ---------------------------------------------------------------- question rows */
  function initTranscript(form) {
    var add = $(form, "[data-qa-add]");
    if (!add) return;
    add.addEventListener("click", function (event) {
      var rows = $$(form, "[data-qa-row]");
      if (!rows.length) return;
      event.preventDefault();
      var n = rows.length;
      var row = rows[n - 1].cloneNode(true);
      var labels = $$(row, "label");
      var areas = $$(row, "textarea");
      ["q", "a"].forEach(function (part, i) {
        areas[i].name = "qa-" + n + "-" + part;
        areas[i].value = "";
        labels[i].firstChild.textContent = (part === "q" ? "问 " : "答 ") + (n + 1);
      });
      rows[n - 1].parentNode.insertBefore(row, add);
      areas[0].focus();
    });
  }

  /* ---------------------------------------------------------------- signature pad */
  function initSignature(form) {
    var pad = $(form, "[data-signature-pad]");
    var canvas = pad && $(pad, "canvas");
    var hidden = $(form, "input[name=signature_data]");
    if (!canvas || !canvas.getContext || !hidden) return;
    pad.hidden = false;
    var ctx = canvas.getContext("2d");
    var drawn = false, drawing = false;
    function blank() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 3;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      drawn = false;
    }
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    blank();
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
      e.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    $(pad, "[data-signature-clear]").addEventListener("click", blank);
    form.addEventListener("submit", function () {
      hidden.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }

  function init() {
    fillGps();
    $$(document, "form[data-capture]").forEach(initCapture);
    $$(document, "form[data-transcript]").forEach(initTranscript);
    $$(document, "form[data-signature]").forEach(initSignature);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
