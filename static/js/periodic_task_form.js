// django-celery-beat's periodic-task form ships this as an inline script, which
// the Content-Security-Policy refuses: the same behaviour, from a file.
// It shows the crontab chosen in words under the crontab field.
(function ($) {
  $(function () {
    const data = document.getElementById("readable-crontabs");
    if (!data) return;
    const readableCrontabs = JSON.parse(data.textContent);
    const help = $(".field-crontab .help");
    const originalHelp = help.text();
    $(".field-crontab_translation").hide();
    $(".field-crontab").on("change", function () {
      const words = readableCrontabs[$("#id_crontab").val()];
      help.text(originalHelp);
      if (words) help.append($("<br>"), document.createTextNode(words));
    });
  });
})(django.jQuery);
