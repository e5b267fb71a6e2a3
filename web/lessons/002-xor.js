// Lesson 002, the page: wiring only. The session (002-xor/session.js) trains the network and
// inspects one sample; the views render its snapshots; the controls send it commands.
import { $ } from "../lib/dom.js";
import { XorSession } from "./002-xor/session.js";
import { SampleChoice, renderDiagram, renderTraining } from "./002-xor/views.js";
import { CurveView, PlayButton, nextFrame, renderAlert, setText, showPlaygroundLink, startLesson, textsOf } from "./lesson.js";

const FIELDS = { hidden: $("hidden-units"), lr: $("lr"), epochs: $("epochs") };

startLesson("002-xor", (nn) => {
  const session = new XorSession(nn, { nextFrame });
  const chart = new CurveView($("error-chart"), { series: [{ label: "error", stroke: "#0877bd" }], log: true });
  const play = new PlayButton($("play"), () => session.togglePlay(), $("play-status"));
  const samples = new SampleChoice($("sample-choice"), (i) => session.chooseSample(i));
  let shown = null;

  session.subscribe((snapshot) => {
    renderAlert(snapshot, FIELDS);
    play.render(snapshot);
    renderTraining(snapshot, shown);
    chart.render(snapshot.run, snapshot.curve);
    samples.render(snapshot);
    renderDiagram(snapshot, shown);
    setText($("network-code"), snapshot.code);
    showPlaygroundLink($("playground-link"), snapshot.link);
    shown = snapshot;
  });

  const restart = () => session.restart(textsOf(FIELDS));
  $("one-step").addEventListener("click", () => session.stepOnSample());
  $("restart").addEventListener("click", restart);
  for (const input of Object.values(FIELDS)) input.addEventListener("change", restart);
  return restart();
});
