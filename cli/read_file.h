// A whole text file as a string: the CLI's configs and models, the benchmark's configs, the
// tests' committed model.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace nnplay {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace nnplay
