// Photo upload form: the building and problem lists hold only the chosen
// estate's rows, so choosing another estate reloads the form for it (before a
// file is picked, as the estate is the first field). Without JavaScript the
// estate is chosen on the estate's page ("上传照片" there links here with it).
document.addEventListener("change", (event) => {
  if (event.target.matches("#photo_upload_form #id_estate")) {
    const query = new URLSearchParams(window.location.search);
    query.set("estate", event.target.value);
    window.location.search = query.toString();
  }
});
