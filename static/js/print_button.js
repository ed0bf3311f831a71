// A staff page's print button ([data-print]): hidden in the markup, since it
// needs this file, then shown here; it opens the browser's print dialog.
// Without JavaScript the browser's own print command prints the same page.
(() => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
