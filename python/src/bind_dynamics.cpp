// hamsam._core: the dynamics component's bindings (see bind.hpp). None yet.
#include "bind.hpp"

namespace hamsam_py {

void bind_dynamics(pybind11::module_& m) { (void)m; }

}  // namespace hamsam_py
