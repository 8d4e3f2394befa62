# ctest's check of the C++ package (tests/cpp/CMakeLists.txt): installs the build in BUILD into a fresh prefix,
# builds examples/ against it with find_package(hamsam) and runs the program.
#   cmake -DBUILD=<build dir> -DSOURCE=<examples dir> -DWORK=<scratch dir> -P check.cmake
file(REMOVE_RECURSE "${WORK}")
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD};--prefix;${WORK}/prefix"
    "${CMAKE_COMMAND};-S;${SOURCE};-B;${WORK}/build;-G;Ninja;-DCMAKE_PREFIX_PATH=${WORK}/prefix"
    "${CMAKE_COMMAND};--build;${WORK}/build"
    "${WORK}/build/fit_pendulum;${WORK}/pendulum.hsm")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "${out}")
