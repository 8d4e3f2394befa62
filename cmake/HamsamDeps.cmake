# Dependency discovery: Eigen 3.4, OpenBLAS (BLAS + LAPACK) and nlohmann-json, from one of two places.
#   HAMSAM_DEPS=system  (default for CMake users) find_package on the system: apt's libeigen3-dev,
#                       libopenblas-dev, nlohmann-json3-dev, or any prefix in CMAKE_PREFIX_PATH.
#   HAMSAM_DEPS=pypi    (what pip uses, pyproject.toml) the PyPI packages of the build requirements: cmeel-eigen,
#                       scipy-openblas32 (OpenBLAS with current kernels; its symbols carry the prefix scipy_) and
#                       nlohmann-json, located by asking the build's Python (cmake/pypi_deps.py). The system's
#                       copies are not used, so speed does not depend on the distribution's OpenBLAS.
# Sets HAMSAM_BLAS_TARGETS (what hamsam links for BLAS + LAPACK) and HAMSAM_BLAS_DEFINITIONS, defines
# Eigen3::Eigen and nlohmann_json::nlohmann_json, and prints where each came from.
set(HAMSAM_DEPS "system" CACHE STRING "Where Eigen, OpenBLAS and nlohmann-json come from: system or pypi")
set_property(CACHE HAMSAM_DEPS PROPERTY STRINGS system pypi)

if(HAMSAM_DEPS STREQUAL "pypi")
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter)
  execute_process(COMMAND ${Python_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/pypi_deps.py
                  OUTPUT_VARIABLE _hamsam_pypi RESULT_VARIABLE _hamsam_rc)
  if(NOT _hamsam_rc EQUAL 0)
    message(FATAL_ERROR "hamsam: cmake/pypi_deps.py failed under ${Python_EXECUTABLE}")
  endif()
  foreach(_key eigen3_dir openblas_dir json_include)
    string(REGEX MATCH "${_key}=([^\n]*)" _m "${_hamsam_pypi}")
    set(_hamsam_${_key} "${CMAKE_MATCH_1}")
  endforeach()
  set(_hamsam_missing "")
  if(NOT _hamsam_eigen3_dir)
    list(APPEND _hamsam_missing cmeel-eigen)
  endif()
  if(NOT _hamsam_openblas_dir)
    list(APPEND _hamsam_missing scipy-openblas32)
  endif()
  if(NOT _hamsam_json_include)
    list(APPEND _hamsam_missing nlohmann-json)
  endif()
  if(_hamsam_missing)
    list(JOIN _hamsam_missing " " _hamsam_missing)
    message(FATAL_ERROR "hamsam: HAMSAM_DEPS=pypi, but ${Python_EXECUTABLE} lacks ${_hamsam_missing}: "
                        "pip install ${_hamsam_missing} (pip install . does this itself), or configure with "
                        "-DHAMSAM_DEPS=system to use the system's libraries")
  endif()
  find_package(Eigen3 3.4 REQUIRED NO_MODULE PATHS ${_hamsam_eigen3_dir} NO_DEFAULT_PATH)
  find_package(OpenBLAS REQUIRED CONFIG PATHS ${_hamsam_openblas_dir} NO_DEFAULT_PATH)
  set(HAMSAM_BLAS_TARGETS OpenBLAS::OpenBLAS)
  set(HAMSAM_BLAS_DEFINITIONS HAMSAM_BLAS_SYMBOL_PREFIX=scipy_)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  target_include_directories(nlohmann_json::nlohmann_json SYSTEM BEFORE INTERFACE ${_hamsam_json_include})
  set(HAMSAM_BLAS_LIBRARY ${OpenBLAS_LIBRARIES})
  set(HAMSAM_BLAS_RUNTIME_DIR ${_hamsam_openblas_dir}/../..)
  set(HAMSAM_JSON_FROM ${_hamsam_json_include})
  set(HAMSAM_BLAS_VERSION ${OpenBLAS_VERSION})
elseif(HAMSAM_DEPS STREQUAL "system")
  find_package(Eigen3 3.4 REQUIRED NO_MODULE)
  set(BLA_VENDOR OpenBLAS)
  find_package(BLAS)
  find_package(LAPACK)
  if(NOT BLAS_FOUND OR NOT LAPACK_FOUND)
    message(FATAL_ERROR "hamsam: HAMSAM_DEPS=system needs OpenBLAS (BLAS + LAPACK). On Debian/Ubuntu: apt-get "
                        "install libopenblas-dev libeigen3-dev nlohmann-json3-dev; or configure with "
                        "-DHAMSAM_DEPS=pypi after pip install cmeel-eigen scipy-openblas32 nlohmann-json")
  endif()
  set(HAMSAM_BLAS_TARGETS LAPACK::LAPACK BLAS::BLAS)
  set(HAMSAM_BLAS_DEFINITIONS "")
  find_package(nlohmann_json 3 REQUIRED)
  set(HAMSAM_BLAS_LIBRARY "${LAPACK_LIBRARIES}")
  get_target_property(HAMSAM_JSON_FROM nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
  set(HAMSAM_BLAS_VERSION "(the system's)")
else()
  message(FATAL_ERROR "HAMSAM_DEPS must be system or pypi, got '${HAMSAM_DEPS}'")
endif()

get_target_property(_hamsam_eigen_inc Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
message(STATUS "hamsam: dependencies from ${HAMSAM_DEPS}")
message(STATUS "hamsam:   Eigen ${Eigen3_VERSION}: ${_hamsam_eigen_inc}")
message(STATUS "hamsam:   OpenBLAS ${HAMSAM_BLAS_VERSION}: ${HAMSAM_BLAS_LIBRARY}")
message(STATUS "hamsam:   nlohmann-json: ${HAMSAM_JSON_FROM}")
