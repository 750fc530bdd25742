/* Callbacks that never reach their Python code: a banner instead of a silent page.
 *
 * A callback whose database fails sets its own banner from the server (dashboard/outage.py). Some requests
 * fail before any callback runs: the accounts database is down (the session cannot be checked: 503), the
 * session has expired or the account was disabled (401), the server does not answer at all (a restart).
 * Dash only logs those, and the page would keep its old numbers without a word. This wraps fetch for the
 * callback requests and, on such an answer, shows the same banner as the server would; for 503 and an
 * unreachable server it also starts the watcher that recomputes every chart once the server answers; for 401
 * it hides the page's numbers (they were computed for a session that no longer exists).
 */
(function () {
    "use strict";
    var FLASH = "shell-flash";
    var TICK = "outage-tick";
    var CALLBACK = "/_dash-update-component";
    var UNAVAILABLE = "Base de données indisponible : les chiffres ne peuvent pas être calculés pour l'instant.";
    var UNREACHABLE = "Le serveur Mediviz ne répond pas : les chiffres affichés ne sont peut-être plus à jour.";

    function alert(children, color) {
        return {namespace: "dash_bootstrap_components", type: "Alert", props: {children: children, color: color}};
    }

    function show(children, color, watch) {
        var api = window.dash_clientside;
        if (!api || !api.set_props) {
            return;
        }
        api.set_props(FLASH, {children: alert(children, color)});
        if (watch) {
            api.set_props(TICK, {disabled: false});
        }
    }

    function loginLink() {
        var next = window.location.pathname + window.location.search;
        return [
            "Votre session a expiré ou a été fermée : ",
            {namespace: "dash_html_components", type: "A",
             props: {children: "reconnectez-vous", href: "/login?next=" + encodeURIComponent(next)}},
            " pour voir des chiffres à jour."
        ];
    }

    var original = window.fetch.bind(window);
    window.fetch = function (input, init) {
        var url = typeof input === "string" ? input : (input && input.url) || "";
        if (url.indexOf(CALLBACK) === -1) {
            return original(input, init);
        }
        return original(input, init).then(
            function (response) {
                if (response.status === 503) {
                    show(UNAVAILABLE + " Nouvel essai automatique…", "danger", true);
                    response.clone().json().then(function (body) {  // the server's own words, when it said them
                        if (body && typeof body.error === "string") {
                            show(body.error.replace(" Réessayez dans un instant.", "") + " Nouvel essai automatique…", "danger", true);
                        }
                    }, function () {});
                } else if (response.status === 401) {
                    show(loginLink(), "warning", false);
                    // The numbers on screen are no longer this visitor's to see: hidden until the next login.
                    document.body.classList.add("mv-session-ended");
                    // Dash is told "nothing to update" (204), not handed an error whose body it reads twice.
                    return new Response(null, {status: 204});
                }
                return response;
            },
            function (error) {
                show(UNREACHABLE + " Nouvel essai automatique…", "danger", true);
                throw error;
            }
        );
    };
})();
