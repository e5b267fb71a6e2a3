// Lesson 000, the page: wiring only. The session (000-moons/session.js) trains the network;
// the views render its snapshots; the controls send it commands.
import { $ } from "../lib/dom.js";
import { MoonsSession } from "./000-moons/session.js";
import { BoundaryView, FilmstripView, renderNumbers } from "./000-moons/views.js";
import { CurveView, PlayButton, nextFrame, renderAlert, setText, showPlaygroundLink, startLesson, textsOf } from "./lesson.js";

const FIELDS = { hidden: $("hidden"), lr: $("lr"), batch: $("batch"), epochs: $("epochs") };
const BOTH = [{ label: "train", stroke: "#0877bd" }, { label: "test", stroke: "#f59322", dash: [4, 3] }];
const series = (what) => BOTH.map(({ label, ...style }) => ({ label: `${label} ${what}`, ...style }));

startLesson("000-moons", (nn) => {
  const session = new MoonsSession(nn, { nextFrame });
  const boundary = new BoundaryView($("boundary"));
  const filmstrip = new FilmstripView($("filmstrip"));
  const losses = new CurveView($("loss-chart"), { log: true, series: series("loss") }, (p) => [p[1], p[2]]);
  const accuracies = new CurveView($("accuracy-chart"), { range: [0.4, 1], series: series("accuracy") },
    (p) => [p[3], p[4]]);
  const play = new PlayButton($("play"), () => session.togglePlay(), $("play-status"));

  session.subscribe((snapshot) => {
    renderAlert(snapshot, FIELDS);
    play.render(snapshot);
    renderNumbers(snapshot);
    boundary.render(snapshot);
    filmstrip.render(snapshot);
    losses.render(snapshot.run, snapshot.curve);
    accuracies.render(snapshot.run, snapshot.curve);
    setText($("network-code"), snapshot.code);
    showPlaygroundLink($("playground-link"), snapshot.link);
  });
  new ResizeObserver(() => boundary.render(session.snapshot, { force: true })).observe($("boundary"));

  const restart = () => session.restart(textsOf(FIELDS));
  $("restart").addEventListener("click", restart);
  for (const input of Object.values(FIELDS)) input.addEventListener("change", restart);
  return restart();
});
