"""Prints, for CMake, where the PyPI packages of hamsam's build requirements put their files (HAMSAM_DEPS=pypi):
Eigen (cmeel-eigen), OpenBLAS with LAPACK (scipy-openblas32) and nlohmann-json. Run by CMakeLists.txt with the
Python of the build; reads package metadata only and imports nothing but scipy_openblas32's file layout helpers.
Output: one `name=value` line each; a missing package prints `name=` and CMake names the pip package to install."""
import importlib.metadata as md
import importlib.util
import os


def cmeel_eigen_dir():
    try:
        d = md.distribution("cmeel-eigen")
    except md.PackageNotFoundError:
        return ""
    path = os.path.join(str(d.locate_file("cmeel.prefix")), "share", "eigen3", "cmake")
    return path if os.path.isfile(os.path.join(path, "Eigen3Config.cmake")) else ""


def package_dir(name):
    spec = importlib.util.find_spec(name)
    return list(spec.submodule_search_locations)[0] if spec and spec.submodule_search_locations else ""


def openblas_dir():
    root = package_dir("scipy_openblas32")
    path = os.path.join(root, "lib", "cmake", "openblas") if root else ""
    return path if path and os.path.isfile(os.path.join(path, "OpenBLASConfig.cmake")) else ""


def json_include():
    root = package_dir("nlohmann_json")
    path = os.path.join(root, "include") if root else ""
    return path if path and os.path.isfile(os.path.join(path, "nlohmann", "json.hpp")) else ""


print(f"eigen3_dir={cmeel_eigen_dir()}")
print(f"openblas_dir={openblas_dir()}")
print(f"json_include={json_include()}")
