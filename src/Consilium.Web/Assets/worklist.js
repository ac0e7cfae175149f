// The coordinator worklist: rows update in place from the server's stream of case changes (stage, version, SLA badges),
// a case that moves into the filtered list appears at the top, and the bulk-action checkboxes get a "select all on this
// page". Filters and ticked boxes are left alone.
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

    // The row's SLA cell arrives rendered by the server (the same code as the page's), so a changed row shows the badges a
    // reload would; the stage, the version and the overdue flag are set from the event.
    function update(row, change) {
        row.setAttribute('data-version', String(change.version));
        row.setAttribute('data-status', change.status);
        var stage = row.querySelector('[data-stage]');
        stage.textContent = change.stage;
        stage.className = 'stage stage-' + change.status.toLowerCase();
        var sla = row.querySelector('[data-sla]');
        if (sla && typeof change.sla === 'string') sla.innerHTML = change.sla;
        row.classList.toggle('flag', !!change.overdue);
        row.classList.add('changed');
    }

    // A case the page does not list may have moved into its filter. What the event says (stage, program, overdue, mine)
    // rules most out here; for the rest the server renders the row if the case is in the filtered list (204 if not).
    var filter = table.dataset;
    var pending = {};
    function mayEnter(change) {
        if (filter.page !== '1') return false;
        if (filter.filterStatus && filter.filterStatus !== change.status) return false;
        if (filter.filterProgram && filter.filterProgram !== change.program) return false;
        if (filter.filterOverdue === 'true' && !change.overdue) return false;
        if (filter.filterMine === 'true' && !change.mine) return false;
        return true;
    }
    function enter(change) {
        if (pending[change.id] || !mayEnter(change)) return;
        pending[change.id] = true;
        var query = new URLSearchParams({ handler: 'Row', id: change.id });
        ['status', 'program', 'q'].forEach(function (k) {
            var v = filter['filter' + k.charAt(0).toUpperCase() + k.slice(1)];
            if (v) query.set(k, v);
        });
        if (filter.filterOverdue === 'true') query.set('overdue', 'true');
        if (filter.filterMine === 'true') query.set('mine', 'true');
        fetch('/cases?' + query.toString(), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
            .then(function (r) { return r.status === 200 ? r.text() : null; })
            .then(function (html) {
                delete pending[change.id];
                if (!html || table.querySelector('tr[data-case-id="' + change.id + '"]')) return;
                var body = table.tBodies[0];
                var empty = body.querySelector('tr[data-empty]');
                if (empty) empty.remove();
                body.insertAdjacentHTML('afterbegin', html);
                var row = body.querySelector('tr[data-case-id="' + change.id + '"]');
                if (!row) return;
                row.classList.add('changed');
                announce('Case ' + row.getAttribute('data-number') + ' now matches the filter: ' + change.stage);
            })
            .catch(function () { delete pending[change.id]; });
    }

    function apply(change) {
        var row = table.querySelector('tr[data-case-id="' + change.id + '"]');
        if (!row) { enter(change); return; }
        if (Number(row.getAttribute('data-version')) >= change.version) return;
        var moved = row.getAttribute('data-status') !== change.status;
        update(row, change);
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
