// Drag-and-drop upload with a progress bar per file. Each file is sent alone as the raw request body
// (POST, header X-File-Name), one after the other; the server decides the type from the bytes.
(function () {
  'use strict';

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

    function send(item, then) {
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
