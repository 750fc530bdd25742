/* The sidebar never scrolls sideways.
 *
 * A dropdown's menu is wider than its half-width column (Année, Mois); focusing its search box made the
 * browser scroll the sidebar to the right to show it (overflow-x: hidden still allows that), and the labels
 * stayed cut on the left after the choice. Any sideways scroll of the sidebar is undone at once.
 */
(function () {
    "use strict";
    document.addEventListener("scroll", function (event) {
        var target = event.target;
        if (target && target.classList && target.classList.contains("sidebar") && target.scrollLeft !== 0) {
            target.scrollLeft = 0;
        }
    }, true);
})();
