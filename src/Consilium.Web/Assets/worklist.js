// The coordinator worklist: rows update in place from the server's stream of case changes, and the bulk-action
// checkboxes get a "select all on this page". Filters and ticked boxes are left alone: only the changed row's stage
// and version are touched.
(function () {
    'use strict';
    var table = document.querySelector('[data-live-worklist]');
    if (!table) return;
    var live = document.getElementById('worklist-live');
    var state = document.getElementById('worklist-stream');

    var all = document.getElementById('select-all');
    var boxes = function () { return table.querySelectorAll('input[name="caseIds"]'); };
    if (all) {
        all.addEventListener('change', function () {
            boxes().forEach(function (b) { b.checked = all.checked; });
        });
        table.addEventListener('change', function (e) {
            if (e.target.name !== 'caseIds') return;
            var list = Array.prototype.slice.call(boxes());
            all.checked = list.length > 0 && list.every(function (b) { return b.checked; });
        });
    }

    if (!window.EventSource) return;
    var lastId = null;
    var delay = 1000;
    var source = null;

    function announce(text) {
        // Re-setting the text makes screen readers announce a repeated message too.
        live.textContent = '';
        window.setTimeout(function () { live.textContent = text; }, 50);
    }

    function apply(change) {
        var row = table.querySelector('tr[data-case-id="' + change.id + '"]');
        if (!row || Number(row.getAttribute('data-version')) >= change.version) return;
        var moved = row.getAttribute('data-status') !== change.status;
        row.setAttribute('data-version', String(change.version));
        row.setAttribute('data-status', change.status);
        var stage = row.querySelector('[data-stage]');
        stage.textContent = change.stage;
        stage.className = 'stage stage-' + change.status.toLowerCase();
        row.classList.add('changed');
        var number = row.getAttribute('data-number');
        announce(moved ? 'Case ' + number + ' moved to ' + change.stage : 'Case ' + number + ' was updated');
    }

    function connect() {
        source = new EventSource('/api/worklist/events' + (lastId === null ? '' : '?after=' + encodeURIComponent(lastId)));
        source.addEventListener('open', function () {
            delay = 1000;
            if (state) state.textContent = 'Live: changes appear as they happen.';
        });
        source.addEventListener('case', function (e) {
            lastId = e.lastEventId;
            apply(JSON.parse(e.data));
        });
        source.addEventListener('error', function () {
            if (state) state.textContent = 'Reconnecting to live updates…';
            // The browser retries by itself after a network drop; a refused or failed response closes the stream for good.
            if (source.readyState === EventSource.CLOSED) {
                window.setTimeout(connect, delay);
                delay = Math.min(delay * 2, 30000);
            }
        });
    }
    connect();
})();
