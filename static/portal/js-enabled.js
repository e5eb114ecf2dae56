// Runs first in <body>, before anything is drawn: GOV.UK Frontend styles its components for
// browsers with JavaScript and ES modules by these classes.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
