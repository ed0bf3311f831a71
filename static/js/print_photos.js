// The printed profile shows every photo. On screen the photos load lazily, so
// those never scrolled into view would print as empty boxes: before printing
// (the print dialog, Ctrl+P, or any switch to print media) every lazy image is
// switched to eager loading, and the page's print button waits until the
// photos have loaded (five seconds at most) before it opens the dialog.
(() => {
  const PRINT_WAIT_MS = 5000;

  const loadAllImages = () => {
    document.querySelectorAll('img[loading="lazy"]').forEach((image) => {
      image.loading = "eager";
    });
  };

  const imagesLoaded = () => {
    const pending = Array.from(document.images)
      .filter((image) => !image.complete)
      .map(
        (image) =>
          new Promise((resolve) => {
            image.addEventListener("load", resolve, { once: true });
            image.addEventListener("error", resolve, { once: true });
          }),
      );
    const timeout = new Promise((resolve) => setTimeout(resolve, PRINT_WAIT_MS));
    return Promise.race([Promise.all(pending), timeout]);
  };

  window.addEventListener("beforeprint", loadAllImages);
  const printMedia = window.matchMedia("print");
  printMedia.addEventListener("change", (event) => {
    if (event.matches) {
      loadAllImages();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print-photos]")) {
      loadAllImages();
      imagesLoaded().then(() => window.print());
    }
  });
})();
