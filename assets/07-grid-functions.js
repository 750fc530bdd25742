// Value formatters of the Équipe scorecard (dash-ag-grid): French numbers, and the change on the previous period
// after the value ("12 ▲ 20 %"), while sorting and filtering use the number itself.
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

dagfuncs.medivizNumber = function (params, decimals) {
    if (params.value === null || params.value === undefined) {
        return "–";
    }
    var text = new Intl.NumberFormat("fr-FR", {
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
    }).format(params.value);
    var change = params.data ? params.data[params.colDef.field + "_evol"] : "";
    return change ? text + "  " + change : text;
};
