// The live root activity view: polls the store's newest alerts and
// inserts the ones not on the page yet. Text only (no HTML is built from
// alert fields), so a hostile field stays text.
"use strict";
(function () {
  var table = document.getElementById("alerts");
  if (!table) { return; }
  var body = table.tBodies[0];
  var status = document.getElementById("live-status");
  var every = parseInt(table.getAttribute("data-poll-ms"), 10) || 5000;
  var seen = {};
  Array.prototype.forEach.call(body.rows, function (r) { seen[r.getAttribute("data-event-id")] = true; });

  function cell(tr, text) {
    var td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function row(a) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-event-id", a.event_id);
    tr.className = "new";
    cell(tr, a.event_time);
    var acct = cell(tr, "");
    var link = document.createElement("a");
    link.href = "/accounts/" + encodeURIComponent(a.account_id);
    link.textContent = a.account_id;
    acct.appendChild(link);
    cell(tr, a.severity);
    var what = cell(tr, "");
    var strong = document.createElement("strong");
    strong.textContent = a.title;
    what.appendChild(strong);
    var more = document.createElement("span");
    more.className = "muted";
    more.textContent = " " + a.rule_id + " · " + a.event_name + (a.principal ? " · " + a.principal : "");
    what.appendChild(more);
    cell(tr, a.root_required ? "yes: " + a.root_task : "no: should have used a role");
    return tr;
  }

  function poll() {
    fetch("/activity.json", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (alerts) {
        var fresh = alerts.filter(function (a) { return !seen[a.event_id]; });
        // The JSON is newest first: insert the oldest fresh one first.
        for (var i = fresh.length - 1; i >= 0; i--) {
          seen[fresh[i].event_id] = true;
          body.insertBefore(row(fresh[i]), body.firstChild);
        }
        var none = document.getElementById("no-alerts");
        if (fresh.length && none) { none.remove(); }
        if (fresh.length) {
          status.textContent = fresh.length + " new alert(s) at " + new Date().toLocaleTimeString();
        }
      })
      .catch(function (e) { status.textContent = "Live updates paused: " + e.message; })
      .finally(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
