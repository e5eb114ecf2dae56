// Starts GOV.UK Frontend's components. The module's address (its folder names the version)
// comes from this script's data attribute, so no script is written inline in a page: the
// Content-Security-Policy allows scripts from the portal's own files only.
const script = document.querySelector("script[data-govuk-frontend]");
const { initAll } = await import(script.dataset.govukFrontend);
initAll();

// A "print" button works only with script, so it is hidden until script shows it.
for (const button of document.querySelectorAll("[data-portal-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
