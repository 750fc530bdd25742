/* Mediviz: when the browser goes back or forward, the page's state follows the URL.
   Dash's Location sees a popstate only when the URL differs from the one it last saw itself, and the page writes
   its state with history.pushState, which Location never sees: so the URL is handed to the shell's url-in store
   here, on every popstate. What the page writes to the URL while it follows replaces the entry instead of adding
   one (dashboard/shell.py's URL writer reads mvPoppedAt). */
window.addEventListener("popstate", function () {
    window.mvPoppedAt = Date.now();
    if (window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props("url-in", { data: window.location.search });
    }
});

/* Print: Plotly draws at the screen's width; each chart is redrawn at its printed width, then back. */
(function () {
    function resizeAll() {
        if (!window.Plotly) { return; }
        document.querySelectorAll(".js-plotly-plot").forEach(function (graph) {
            try { window.Plotly.Plots.resize(graph); } catch (e) { /* a chart being redrawn */ }
        });
    }
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
}());
