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
