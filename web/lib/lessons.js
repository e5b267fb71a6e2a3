// The seed tutorials as lessons (window.nnplay.lessons(): [{ id, title, url }]), one page each in
// web/lessons/. URLs are absolute, resolved against the site's root (site-files.js), so they work from any page and
// wherever the site is hosted.
import { siteUrl } from "./site-files.js";

const page = (file) => new URL(`lessons/${file}`, siteUrl).href;

export const lessons = [
  { id: "000-moons", title: "A network from a list of layers: two moons",
    url: page("000-moons.html") },
  { id: "001-breast-cancer", title: "Breast cancer: the loss landscape, momentum and annealing",
    url: page("001-breast-cancer.html") },
  { id: "002-xor", title: "Layers with forward and backward: XOR",
    url: page("002-xor.html") },
  { id: "003-neuron", title: "One neuron, then a 2-2-1 network by hand",
    url: page("003-neuron.html") },
  { id: "004-backprop", title: "Backpropagation by hand, then MNIST",
    url: page("004-backprop.html") },
];
