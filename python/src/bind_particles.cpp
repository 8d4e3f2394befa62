// hamsam._core: the particles component's bindings (see bind.hpp). None yet.
#include "bind.hpp"

namespace hamsam_py {

void bind_particles(pybind11::module_& m) { (void)m; }

}  // namespace hamsam_py
