// The GOV.UK timeout warning: two minutes before the session would end, a dialog says so and
// offers to stay signed in. The server decides when the session ends (neglect_portal/
// sessions.py); this page only asks it how long is left, so work in another tab counts too.
const dialog = document.getElementById("session-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const warning = Number(dialog.dataset.warningSeconds);
  const countdown = dialog.querySelector("[data-countdown]");
  const announce = dialog.querySelector("[data-announce]");
  const stay = dialog.querySelector("form[data-stay]");
  // While the dialog is open, ask again this often: "Stay signed in" in another tab closes it.
  const RECHECK_SECONDS = 15;
  let timer;
  let recheck;

  const after = (seconds, then) => {
    clearTimeout(timer);
    timer = setTimeout(then, Math.max(0, seconds) * 1000);
  };
  const inWords = (seconds) => {
    if (seconds > 60) return `${Math.ceil(seconds / 60)} minutes`;
    if (seconds === 60) return "1 minute";
    return seconds === 1 ? "1 second" : `${seconds} seconds`;
  };
  const signedOut = () => window.location.assign(dialog.dataset.signedOutUrl);

  const secondsLeft = async (options = {}) => {
    try {
      const response = await fetch(dialog.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        ...options,
      });
      return response.ok ? (await response.json()).seconds_left : null;
    } catch {
      return null;
    }
  };

  // Near the limit from signing in, staying buys nothing: the dialog says so instead.
  const canStay = (yes) => {
    stay.hidden = !yes;
    dialog.querySelector("[data-can-stay]").hidden = !yes;
    dialog.querySelector("[data-cannot-stay]").hidden = yes;
  };

  const close = () => {
    clearInterval(recheck);
    if (dialog.open) dialog.close();
    announce.textContent = "";
  };

  const open = (left) => {
    if (!dialog.open) {
      dialog.showModal();
      announce.textContent = `We will sign you out in ${inWords(left)}.`;
      clearInterval(recheck);
      recheck = setInterval(check, RECHECK_SECONDS * 1000);
    }
    const ends = Date.now() + left * 1000;
    const tick = () => {
      const remaining = Math.ceil((ends - Date.now()) / 1000);
      if (remaining <= 0) {
        check();
        return;
      }
      countdown.textContent = inWords(remaining);
      if (remaining === 60) announce.textContent = `We will sign you out in ${inWords(remaining)}.`;
      timer = setTimeout(tick, 1000);
    };
    clearTimeout(timer);
    tick();
  };

  async function check() {
    const left = await secondsLeft();
    if (left === null) {
      if (!dialog.open) after(RECHECK_SECONDS, check);
    } else if (left <= 0) {
      signedOut();
    } else if (left > warning) {
      close();
      after(left - warning, check);
    } else {
      open(left);
    }
  }

  stay.addEventListener("submit", async (event) => {
    event.preventDefault();
    const left = await secondsLeft({ method: "POST", body: new FormData(stay) });
    if (left === null || left <= 0) {
      signedOut();
    } else if (left <= warning) {
      canStay(false);
      open(left);
    } else {
      close();
      after(left - warning, check);
    }
  });
  // Escape closes a dialog; here it means the same as "Stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!stay.hidden) stay.requestSubmit();
  });

  after(Number(dialog.dataset.secondsLeft) - warning, check);
}
