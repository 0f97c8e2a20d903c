/* Lindungi: search-as-you-type pickers and destructive-action confirmations. */
$(function () {
    $("select.lindungi-picker").each(function () {
        var elem = $(this);
        elem.select2({
            theme: "bootstrap",
            allowClear: true,
            placeholder: elem.data("placeholder"),
            minimumInputLength: 2,
            ajax: {
                url: elem.data("endpoint"),
                type: "POST",
                headers: {"X-CSRFToken": $("meta[name=csrf-token]").attr("content")},
                dataType: "json",
                delay: 250,
                data: function (params) { return {q: params.term, page: params.page || 1}; },
                processResults: function (data) { return data; }
            }
        });
    });
});

/* A batch file being checked in the background: follow its progress, show the rows when done. */
$(function () {
    $("#batch-check").each(function () {
        var box = $(this), url = box.data("progress-url");
        function poll() {
            $.getJSON(url).done(function (data) {
                if (data.status === "queued" || data.status === "running") {
                    box.find(".progress-bar").css("width", data.percent + "%")
                        .attr("aria-valuenow", data.percent);
                    box.find("#batch-check-text").text(data.done + " / " + data.total);
                    window.setTimeout(poll, 1000);
                } else {
                    window.location.reload();
                }
            }).fail(function () { window.setTimeout(poll, 3000); });
        }
        window.setTimeout(poll, 1000);
    });
});

/* Destructive actions ask first: any button or link with data-confirm (no inline handlers, so
   the Content-Security-Policy can refuse every inline script that carries no nonce). */
$(document).on("click", "[data-confirm]", function (event) {
    if (!window.confirm($(this).data("confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return false;
    }
    return true;
});

/* A link to a record's related list (company page): open its tab and scroll to it. */
$(document).on("click", "[data-tab-link]", function (event) {
    event.preventDefault();
    var target = $(this).attr("href");
    $('.nav-tabs a[href="' + target + '"]').tab("show");
    var tabs = $(".nav-tabs").first();
    if (tabs.length) { window.scrollTo(0, tabs.offset().top - 60); }
});
