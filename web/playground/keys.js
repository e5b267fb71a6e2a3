// The playground's keys, on its page and on its embed: space plays or pauses, s steps one
// epoch, r resets — not while a field has the focus (typing) or a modifier is held.

/** Sends the keys' commands to the session (PlaygroundSession). */
export function watchKeys(session) {
  document.addEventListener("keydown", (event) => {
    // defaultPrevented: a control used the key itself (the plane's Space adds a point).
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || !session.snapshot.state) return;
    const target = event.target;
    if (target.closest?.("input, select, textarea")) return;
    if (event.key === " " && target.tagName !== "BUTTON") {
      event.preventDefault();
      session.togglePlay();
    } else if (event.key === "s") {
      session.step(1);
    } else if (event.key === "r") {
      session.reset();
    }
  });
}
