/* Accessibility fixes to what Plotly and Dash's own components render (checked by axe-core in the browser tests,
 * tests/test_accessibility_browser.py), applied whenever React renders them again:
 *
 * - Plotly's chart toolbar (download as PNG, reset axes) is for the mouse: out of the keyboard's tab order, so
 *   that a keyboard user does not cross two buttons per chart between one control and the next. Every chart's
 *   numbers stay reachable by keyboard through its CSV download.
 * - dcc.Dropdown's hidden focus target is an aria-hidden input in the tab order (a tab stop that announces
 *   nothing): out of the tab order; the dropdown itself stays one tab stop.
 * - dcc.DatePickerRange's wrapper carries aria-expanded and aria-haspopup without a role that allows them (its
 *   inputs announce the calendar), and its clear link an English aria-label on a link without href: a French
 *   button.
 */
(function () {
    "use strict";
    function set(element, name, value) {
        if (element.getAttribute(name) !== value) {
            element.setAttribute(name, value);
        }
    }
    function fix(root) {
        root.querySelectorAll(".modebar-btn, .dash-dropdown-focus-target").forEach(function (element) {
            set(element, "tabindex", "-1");
        });
        root.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded], .dash-datepicker-input-wrapper[aria-haspopup]")
            .forEach(function (wrapper) {
                wrapper.removeAttribute("aria-expanded");
                wrapper.removeAttribute("aria-haspopup");
            });
        root.querySelectorAll("a.dash-datepicker-clear").forEach(function (clear) {
            set(clear, "role", "button");
            set(clear, "tabindex", "0");
            set(clear, "aria-label", "Effacer les dates");
        });
    }
    var pending = false;
    new MutationObserver(function () {
        if (pending) {
            return;
        }
        pending = true;
        window.requestAnimationFrame(function () {
            pending = false;
            fix(document);
        });
    }).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded", "tabindex", "aria-label"]
    });
})();
