// Drag-and-drop upload with a progress bar per file, one file after the other; the server decides the type from the bytes.
// Where the zone has a tus endpoint (data-tus-url) and tus-js-client is loaded, every file goes through it (docs/uploads.md):
// sent in pieces of data-tus-chunk bytes, retried on network errors ("Connection lost — trying again"), paused while offline
// (continuing by itself when the browser is back online, or at once with the row's "Continue now" button), and resumed
// after a reload (the browser remembers the upload's URL under a hash of the file's name, size and date, never the name itself).
// Every state change is written into the list, which is an aria-live region.
// Otherwise each file is sent alone as the raw request body (POST, header X-File-Name).
(function () {
  'use strict';

  // tus-js-client's URL storage, minus what it would store of the upload's metadata (the file name is health information).
  var urlStorage = (function () {
    try {
      var probe = 'consilium-probe';
      window.localStorage.setItem(probe, '1');
      window.localStorage.removeItem(probe);
    } catch (ignored) {
      return null;
    }
    function entries(prefix) {
      var found = [];
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (!key || key.indexOf(prefix) !== 0) continue;
        try {
          var upload = JSON.parse(localStorage.getItem(key));
          upload.urlStorageKey = key;
          found.push(upload);
        } catch (ignored) { /* a damaged entry must not stop an upload */ }
      }
      return found;
    }
    return {
      findAllUploads: function () { return Promise.resolve(entries('tus::')); },
      findUploadsByFingerprint: function (fingerprint) { return Promise.resolve(entries('tus::' + fingerprint + '::')); },
      removeUpload: function (key) { localStorage.removeItem(key); return Promise.resolve(); },
      addUpload: function (fingerprint, upload) {
        var key = 'tus::' + fingerprint + '::' + Math.round(Math.random() * 1e12);
        localStorage.setItem(key, JSON.stringify({ uploadUrl: upload.uploadUrl, size: upload.size, creationTime: upload.creationTime }));
        return Promise.resolve(key);
      }
    };
  })();

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // Which earlier upload a file continues: same name, size, date and type, to the same case.
  function fingerprint(file, options) {
    var text = [file.name, file.type, file.size, file.lastModified, options.endpoint].join('\u0000');
    if (window.crypto && window.crypto.subtle && window.TextEncoder) {
      return window.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (d) { return 'consilium-' + hex(d); });
    }
    var h1 = 0x811c9dc5, h2 = 0x01000193;
    for (var i = 0; i < text.length; i++) {
      h1 = Math.imul(h1 ^ text.charCodeAt(i), 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ text.charCodeAt(i), 0x5bd1e995) >>> 0;
    }
    return Promise.resolve('consilium-' + h1.toString(16) + h2.toString(16));
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + ' bytes';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KB';
    if (bytes < 1024 * 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + ' MB';
    return (bytes / 1024 / 1024 / 1024).toFixed(2) + ' GB';
  }

  var types = { Pdf: 'PDF', Jpeg: 'JPEG image', Png: 'PNG image', Dicom: 'DICOM', DicomArchive: 'imaging CD', FhirBundle: 'FHIR bundle' };

  function describe(doc) {
    if (!doc) return 'received';
    var text = (types[doc.type] || doc.type) + ', ' + size(doc.length);
    var modalities = (doc.instances || []).map(function (i) { return i.modality; }).filter(function (m, i, all) { return m && all.indexOf(m) === i; });
    if (modalities.length) text += ', ' + modalities.join('/') + (doc.instances.length > 1 ? ' (' + doc.instances.length + ' instances)' : '');
    if (doc.clinicalEntries) text += ', ' + doc.clinicalEntries + ' timeline entries';
    return text;
  }

  function init(zone) {
    var url = zone.getAttribute('data-upload-url');
    var tusUrl = zone.getAttribute('data-tus-url');
    var tokenInput = zone.querySelector('input[name="__RequestVerificationToken"]');
    var input = zone.querySelector('input[type="file"]');
    var kind = zone.querySelector('select[name="kind"]');
    var list = zone.querySelector('[data-upload-list]');
    var done = zone.querySelector('[data-upload-done]');
    var queue = [];
    var busy = false;

    function row(file) {
      var li = document.createElement('li');
      li.className = 'upload';
      li.setAttribute('data-state', 'waiting');
      var name = document.createElement('span');
      name.className = 'upload-name';
      name.textContent = file.name;
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', 'Upload of ' + file.name);
      var status = document.createElement('span');
      status.className = 'upload-status';
      status.textContent = 'Waiting';
      li.append(name, bar, status);
      list.append(li);
      return { file: file, li: li, bar: bar, status: status };
    }

    function add(files) {
      if (done) done.hidden = true;
      for (var i = 0; i < files.length; i++) queue.push(row(files[i]));
      next();
    }

    function next() {
      if (busy) return;
      var item = queue.shift();
      if (!item) {
        if (done) done.hidden = false;
        return;
      }
      busy = true;
      send(item, function () { busy = false; next(); });
    }

    function finish(item, state, text) {
      item.li.setAttribute('data-state', state);
      item.status.textContent = text;
    }

    function problemText(body, status) {
      var problem = null;
      try { problem = JSON.parse(body); } catch (ignored) { problem = null; }
      return 'Not accepted: ' + ((problem && (problem.detail || problem.title)) || ('the server answered ' + status));
    }

    function sendResumable(item, then) {
      var metadata = { filename: item.file.name, filetype: item.file.type || '' };
      if (kind && kind.value) metadata.kind = kind.value;
      var chunk = parseInt(zone.getAttribute('data-tus-chunk'), 10);
      var paused = false;
      var continueButton = null;

      // Offline: nothing is lost (the server keeps what arrived); the upload continues from there when the browser is back
      // online, or at once when the member presses "Continue now" (navigator.onLine is not always right).
      function pause() {
        item.li.setAttribute('data-state', 'paused');
        item.status.textContent = 'Paused — we\'ll keep going when you\'re back online';
        if (paused) return;
        paused = true;
        window.addEventListener('online', resume);
        continueButton = document.createElement('button');
        continueButton.type = 'button';
        continueButton.className = 'upload-continue';
        continueButton.textContent = 'Continue now';
        continueButton.setAttribute('aria-label', 'Continue now: ' + item.file.name);
        continueButton.addEventListener('click', resume);
        item.li.append(continueButton);
      }

      function resume() {
        if (!paused) return;
        paused = false;
        window.removeEventListener('online', resume);
        var hadFocus = document.activeElement === continueButton;
        continueButton.remove();
        continueButton = null;
        item.li.setAttribute('data-state', 'uploading');
        item.status.textContent = 'Continuing…';
        // The button is gone: keep the keyboard user's place in the zone instead of dropping focus on the page.
        if (hadFocus) input.focus();
        upload.start();
      }

      var upload = new window.tus.Upload(item.file, {
        endpoint: tusUrl,
        chunkSize: chunk > 0 ? chunk : Infinity,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        metadata: metadata,
        headers: tokenInput ? { RequestVerificationToken: tokenInput.value } : {},
        fingerprint: fingerprint,
        urlStorage: urlStorage || undefined,
        storeFingerprintForResuming: !!urlStorage,
        removeFingerprintOnSuccess: true,
        onShouldRetry: function (err) {
          var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
          var retry = navigator.onLine !== false && (status < 400 || status >= 500 || status === 409 || status === 423);
          if (retry && status === 0) {
            item.li.setAttribute('data-state', 'retrying');
            item.status.textContent = 'Connection lost — trying again…';
          }
          return retry;
        },
        onProgress: function (sent, total) {
          item.li.setAttribute('data-state', 'uploading');
          item.bar.value = total ? Math.floor(sent * 100 / total) : 0;
          item.status.textContent = sent === total ? 'Checking the file…' : 'Uploading ' + item.bar.value + '%';
        },
        onSuccess: function (payload) {
          item.bar.value = 100;
          var response = payload && payload.lastResponse;
          var documentUrl = response && response.getHeader('Consilium-Document');
          if (!documentUrl) {
            finish(item, 'done', 'Received');
            then();
            return;
          }
          fetch(documentUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : null; })
            .catch(function () { return null; })
            .then(function (doc) {
              finish(item, 'done', (doc && doc.duplicate ? 'Already received: ' : 'Received: ') + describe(doc));
              then();
            });
        },
        onError: function (err) {
          var response = err.originalResponse;
          if (!response || response.getStatus() === 0) {
            if (navigator.onLine === false) {
              pause();
              return;
            }
            finish(item, 'failed', 'The upload was interrupted. Add the same file again and it continues where it stopped.');
          } else {
            finish(item, 'failed', problemText(response.getBody(), response.getStatus()));
          }
          then();
        }
      });
      item.li.setAttribute('data-state', 'uploading');
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          item.status.textContent = 'Continuing where it stopped…';
          upload.resumeFromPreviousUpload(previous[0]);
        }
        upload.start();
      });
    }

    function send(item, then) {
      if (tusUrl && window.tus && window.tus.isSupported) {
        sendResumable(item, then);
        return;
      }
      var target = url;
      if (kind && kind.value) target += (target.indexOf('?') < 0 ? '?' : '&') + 'kind=' + encodeURIComponent(kind.value);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', target);
      xhr.setRequestHeader('X-File-Name', encodeURIComponent(item.file.name));
      if (tokenInput) xhr.setRequestHeader('RequestVerificationToken', tokenInput.value);
      item.li.setAttribute('data-state', 'uploading');
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        item.bar.value = Math.floor(e.loaded * 100 / e.total);
        item.status.textContent = 'Uploading ' + item.bar.value + '%';
      };
      xhr.upload.onload = function () {
        item.bar.value = 100;
        item.status.textContent = 'Checking the file…';
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
        if (xhr.status === 201 || xhr.status === 200) {
          item.bar.value = 100;
          finish(item, 'done', (xhr.status === 200 ? 'Already received: ' : 'Received: ') + describe(body));
        } else {
          finish(item, 'failed', 'Not accepted: ' + ((body && (body.detail || body.title)) || ('the server answered ' + xhr.status)));
        }
        then();
      };
      xhr.onerror = function () {
        finish(item, 'failed', 'The upload was interrupted. Check your connection and try again.');
        then();
      };
      xhr.send(item.file);
    }

    zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('dragging'); });
    zone.addEventListener('dragleave', function () { zone.classList.remove('dragging'); });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.classList.remove('dragging');
      if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) add(e.dataTransfer.files);
    });
    input.addEventListener('change', function () {
      add(input.files);
      input.value = '';
    });
  }

  document.querySelectorAll('[data-upload-url]').forEach(init);
})();
