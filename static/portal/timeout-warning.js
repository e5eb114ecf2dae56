// The GOV.UK timeout warning: two minutes before the session would end, a dialog says so and
// offers to stay signed in. The server decides when the session ends (neglect_portal/
// sessions.py); this page only asks it how long is left, so work in another tab counts too.
const dialog = document.getElementById("session-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const warning = Number(dialog.dataset.warningSeconds);
  const countdown = dialog.querySelector("[data-countdown]");
  const announce = dialog.querySelector("[data-announce]");
  const stay = dialog.querySelector("form[data-stay]");
  let timer;

  const after = (seconds, then) => {
    clearTimeout(timer);
    timer = setTimeout(then, Math.max(0, seconds) * 1000);
  };
  const inWords = (seconds) => {
    if (seconds > 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minutes`;
    }
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

  const countDown = (left) => {
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
    tick();
  };

  const check = async () => {
    const left = await secondsLeft();
    if (left === null) {
      after(30, check);
    } else if (left <= 0) {
      signedOut();
    } else if (left > warning) {
      if (dialog.open) dialog.close();
      after(left - warning, check);
    } else {
      if (!dialog.open) {
        dialog.showModal();
        announce.textContent = `We will sign you out in ${inWords(left)}.`;
      }
      countDown(left);
    }
  };

  stay.addEventListener("submit", async (event) => {
    event.preventDefault();
    const left = await secondsLeft({ method: "POST", body: new FormData(stay) });
    if (left === null || left <= 0) {
      signedOut();
      return;
    }
    dialog.close();
    announce.textContent = "";
    after(left - warning, check);
  });
  // Escape closes a dialog; here it means the same as "Stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay.requestSubmit();
  });

  after(Number(dialog.dataset.idleSeconds) - warning, check);
}
