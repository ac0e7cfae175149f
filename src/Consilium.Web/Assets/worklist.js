// The coordinator worklist: rows update in place from the server's stream of case changes (stage, version, SLA badges),
// a case that moves into the filtered list appears at the top, a row whose SLA due time passes gets its overdue badge
// then, and the bulk-action checkboxes get a "select all on this page". Filters and ticked boxes are left alone.
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
        if (change.slaNext) row.setAttribute('data-sla-next', change.slaNext);
        else row.removeAttribute('data-sla-next');
        schedule();
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
    // One case's row as the server renders it under the page's filters, or null when the case is not in the list.
    function fetchRow(id) {
        var query = new URLSearchParams({ handler: 'Row', id: id });
        ['status', 'program', 'q'].forEach(function (k) {
            var v = filter['filter' + k.charAt(0).toUpperCase() + k.slice(1)];
            if (v) query.set(k, v);
        });
        if (filter.filterOverdue === 'true') query.set('overdue', 'true');
        if (filter.filterMine === 'true') query.set('mine', 'true');
        return fetch('/cases?' + query.toString(), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
            .then(function (r) { return r.status === 200 ? r.text() : null; });
    }
    function enter(change) {
        if (pending[change.id] || !mayEnter(change)) return;
        pending[change.id] = true;
        fetchRow(change.id)
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
                schedule();
            })
            .catch(function () { delete pending[change.id]; });
    }

    // A due time passing changes a row's badges with no change to the case, so no event comes: each row says when its
    // SLA cell next changes (data-sla-next, platform time) and the table what time the platform had (data-now); when that
    // time comes the row is asked for again and replaced, its ticked box kept.
    var skew = table.dataset.now ? Date.parse(table.dataset.now) - Date.now() : 0;
    var timer = null;
    function platformNow() { return Date.now() + skew; }
    function schedule() {
        if (timer) window.clearTimeout(timer);
        timer = null;
        var next = Infinity;
        table.querySelectorAll('tr[data-sla-next]').forEach(function (r) {
            next = Math.min(next, Date.parse(r.getAttribute('data-sla-next')));
        });
        if (next === Infinity) return;
        // A second after the due time (the server decides "overdue" by its own clock), and at least once an hour.
        timer = window.setTimeout(tick, Math.max(1000, Math.min(next - platformNow() + 1000, 3600000)));
    }
    function tick() {
        var now = platformNow();
        var due = Array.prototype.filter.call(table.querySelectorAll('tr[data-sla-next]'), function (r) {
            return Date.parse(r.getAttribute('data-sla-next')) <= now;
        });
        Promise.all(due.map(refresh)).then(schedule, schedule);
    }
    function refresh(row) {
        var id = row.getAttribute('data-case-id');
        return fetchRow(id).then(function (html) {
            var current = table.querySelector('tr[data-case-id="' + id + '"]');
            if (!current) return;
            if (!html) { current.removeAttribute('data-sla-next'); return; }
            var box = current.querySelector('input[name="caseIds"]');
            var ticked = !!(box && box.checked);
            current.insertAdjacentHTML('afterend', html);
            var fresh = current.nextElementSibling;
            if (!fresh || fresh.getAttribute('data-case-id') !== id) return;
            current.remove();
            var freshBox = fresh.querySelector('input[name="caseIds"]');
            if (freshBox) freshBox.checked = ticked;
            fresh.classList.add('changed');
            var badge = fresh.querySelector('.overdue');
            if (badge) announce('Case ' + fresh.getAttribute('data-number') + ': ' + badge.textContent);
        });
    }
    schedule();

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
