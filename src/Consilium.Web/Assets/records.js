// The retrieval worklist's selection: "select all", and the rows of one record request ticked together (a follow-up is
// logged per request, and a request with several open items has one row per item).
(function () {
    'use strict';
    // The outcome of the last follow-up arrives with the page; re-inserted after load, the polite live region reads it out.
    var status = document.getElementById('follow-up-status');
    if (status && status.children.length > 0) {
        var outcome = Array.prototype.slice.call(status.childNodes);
        status.textContent = '';
        window.setTimeout(function () { outcome.forEach(function (n) { status.appendChild(n); }); }, 100);
    }
    var table = document.querySelector('[data-select-table]');
    if (!table) return;
    var all = table.querySelector('[data-select-all]');
    var boxes = function () { return Array.prototype.slice.call(table.querySelectorAll('input[name="requestIds"]')); };
    function sync() {
        var list = boxes();
        all.checked = list.length > 0 && list.every(function (b) { return b.checked; });
    }
    all.addEventListener('change', function () {
        boxes().forEach(function (b) { b.checked = all.checked; });
    });
    table.addEventListener('change', function (e) {
        if (e.target.name !== 'requestIds') return;
        boxes().forEach(function (b) { if (b.value === e.target.value) b.checked = e.target.checked; });
        sync();
    });
    sync();
})();
